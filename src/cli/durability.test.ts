import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeOrg, makeUser, systemCtx, type TestUser } from '../../test/support/fixtures.js';
import { openDatabase } from '../db/connect.js';
import { migrate } from '../db/migrate.js';
import { listUnits } from '../units/index.js';

/**
 * What docs/adr/0004-pglite-durability.md claims: on Node, a write the server has acknowledged is in
 * the embedded database even if the server is killed with SIGKILL the next instant, and the next
 * process recovers the directory (and takes over the dead server's lock).
 */
const BIN = path.resolve('bin/rhizome.js');
let dir: string;
let dataDir: string;
let user: TestUser;
let orgId: string;

function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...process.env, DATABASE_URL: '' },
      stdio: 'pipe',
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      err += d;
    });
    child.stdin.end();
    child.on('close', (code) => resolve({ code: code ?? 1, out, err }));
  });
}

describe.runIf(!process.env.RHIZOME_TEST_DATABASE_URL)('the embedded database', () => {
  beforeAll(async () => {
    dir = mkdtempSync(path.join(tmpdir(), 'rhizome-durability-'));
    dataDir = path.join(dir, 'data');
    const database = await openDatabase({ engine: 'pglite', dataDir });
    try {
      await migrate(database);
      const org = await makeOrg(database.db, 'eastside');
      orgId = org.id;
      user = await makeUser(database.db, org.id, 'org_admin');
    } finally {
      await database.close();
    }
  });
  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('keeps every acknowledged write when the server is killed with SIGKILL', async () => {
    const server: ChildProcess = spawn(
      process.execPath,
      [BIN, 'start', '--data-dir', dataDir, '--port', '0'],
      { stdio: 'pipe', env: { ...process.env, DATABASE_URL: '' } },
    );
    let out = '';
    server.stdout?.on('data', (d) => {
      out += d;
    });
    const closed = new Promise((r) => server.once('close', r));
    const acknowledged: string[] = [];
    try {
      // Generous: a loaded two-core machine can take a minute to start the server and its database.
      for (let i = 0; i < 1200 && !out.includes('Rhizome is running at'); i++)
        await new Promise((r) => setTimeout(r, 100));
      const url = /running at (http:\/\/[^\s]+)/.exec(out)?.[1];
      expect(url).toBeDefined();
      for (let i = 0; i < 15; i++) {
        const unitPath = `u${i}`;
        const response = await fetch(`${url}/api/v1/units`, {
          method: 'POST',
          headers: { authorization: `Bearer ${user.token}`, 'content-type': 'application/json' },
          body: JSON.stringify({ path: unitPath, name: `Unit ${i}` }),
        });
        expect(response.status).toBe(201);
        acknowledged.push(unitPath);
      }
    } finally {
      // No graceful shutdown: no close, no checkpoint, no lock release.
      server.kill('SIGKILL');
      await closed;
    }
    // The dead server's lock is still there; the next command takes it over and recovers the data.
    expect(existsSync(path.join(dataDir, 'rhizome.lock.json'))).toBe(true);
    expect(JSON.parse(readFileSync(path.join(dataDir, 'rhizome.lock.json'), 'utf8')).pid).toBe(server.pid);
    const after = await run([
      'unit',
      'add',
      '--org',
      'eastside',
      '--path',
      'after',
      '--name',
      'After the crash',
      '--data-dir',
      dataDir,
    ]);
    expect(after.err).toBe('');
    expect(after.code).toBe(0);

    const database = await openDatabase({ engine: 'pglite', dataDir });
    try {
      const paths = (await listUnits(systemCtx(database.db, orgId))).map((u) => u.path);
      expect(paths).toEqual(expect.arrayContaining([...acknowledged, 'after']));
      expect(paths).toHaveLength(acknowledged.length + 1);
    } finally {
      await database.close();
    }
  }, 240_000);
});
