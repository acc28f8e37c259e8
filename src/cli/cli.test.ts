import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { sql } from 'kysely';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withDatabase } from '../../test/support/global-setup.js';
import { openDatabase } from '../db/connect.js';
import { loadMigrations } from '../db/migrate.js';
import { buildProgram } from './main.js';

/**
 * The `rhizome` command as a user runs it: real child processes on a real data directory (PGlite),
 * or on a fresh PostgreSQL database when RHIZOME_TEST_DATABASE_URL is set.
 */
const BIN = path.resolve('bin/rhizome.js');
let dir: string;
let dbArgs: string[];
let pgName: string | undefined;
const baseUrl = process.env.RHIZOME_TEST_DATABASE_URL;

function run(args: string[], input?: string): Promise<{ code: number; out: string; err: string }> {
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
    child.stdin.end(input ?? '');
    child.on('close', (code) => resolve({ code: code ?? 1, out, err }));
  });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'rhizome-cli-'));
  if (baseUrl) {
    pgName = `rhizome_cli_${process.pid}`;
    const admin = new pg.Client({ connectionString: baseUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${pgName}`);
    await admin.query(`CREATE DATABASE ${pgName}`);
    await admin.end();
    dbArgs = ['--database-url', withDatabase(baseUrl, pgName)];
  } else {
    dbArgs = ['--data-dir', path.join(dir, 'data')];
  }
});
afterAll(async () => {
  rmSync(dir, { recursive: true, force: true });
  if (baseUrl && pgName) {
    const admin = new pg.Client({ connectionString: baseUrl });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${pgName} WITH (FORCE)`);
    await admin.end();
  }
});

// Each command starts its own embedded database (seconds of WASM start-up, more on a busy machine).
describe('rhizome', { timeout: 240_000 }, () => {
  it('sets up an organization, an admin (password on stdin) and a token from a script', async () => {
    const org = await run([
      'org',
      'create',
      '--name',
      'Eastside Tenants Union',
      '--slug',
      'eastside',
      ...dbArgs,
    ]);
    expect(org).toMatchObject({ code: 0 });
    expect(org.out).toContain('created organization eastside');
    const user = await run(
      [
        'user',
        'add',
        '--org',
        'eastside',
        '--email',
        'Admin@Eastside.example',
        '--role',
        'org_admin',
        ...dbArgs,
      ],
      'a long enough pass phrase\n',
    );
    expect(user.code).toBe(0);
    const token = await run([
      'token',
      'create',
      '--org',
      'eastside',
      '--email',
      'admin@eastside.example',
      '--name',
      'script',
      ...dbArgs,
    ]);
    expect(token.code).toBe(0);
    const lines = token.out.trim().split('\n');
    expect(lines[lines.length - 1]).toMatch(/^rz_[A-Za-z0-9_-]{40,}$/);
    const unit = await run([
      ...dbArgs,
      'unit',
      'add',
      '--org',
      'eastside',
      '--path',
      'east',
      '--name',
      'East',
      '--kind',
      'chapter',
    ]);
    expect(unit.out).toContain('added unit east');
  });

  it('answers bad arguments with one line and a failing exit code', async () => {
    const cases = [
      ['org', 'create', '--name', 'No Slug', ...dbArgs],
      ['user', 'add', '--org', 'eastside', '--email', 'x@example.org', '--role', 'emperor', ...dbArgs],
      ['token', 'create', '--org', 'nowhere', '--email', 'x@example.org', '--name', 'n', ...dbArgs],
      ['frobnicate'],
      ['start', '--port', 'eighty'],
    ];
    for (const args of cases) {
      const result = await run(args);
      expect(result.code, args.join(' ')).not.toBe(0);
      expect(result.err.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(result.err).toMatch(/^error: /);
    }
    // access test: a usage error is "could not run" (2), apart from "an expectation is violated" (1).
    const usage = await run(['access', 'test', 'expectations.txt', ...dbArgs]);
    expect(usage).toMatchObject({ code: 2, err: "error: required option '--org <slug>' not specified\n" });
    const weakPassword = await run(
      ['user', 'add', '--org', 'eastside', '--email', 'w@example.org', '--role', 'volunteer', ...dbArgs],
      'short\n',
    );
    expect(weakPassword.err).toContain('password');
  });

  it('reports its health with doctor', async () => {
    const doctor = await run(['doctor', ...dbArgs]);
    expect(doctor.code).toBe(0);
    expect(doctor.out).toMatch(/ok\s+database reachable/);
    expect(doctor.out).toContain(`ok   ${loadMigrations().length} migrations applied, 0 pending`);
    expect(doctor.out).toContain('ok   row-level security on every table with org_id');
    expect(doctor.out).toContain('ok   search functions are LEAKPROOF');
    if (!baseUrl) expect(doctor.out).toMatch(/ok\s+no server or other command holds the data directory/);
    const help = await run(['import', 'people', '--help']);
    expect(help.out).toContain('--rejects');
    // Every command that opens the database says how to choose it. Read from the program itself:
    // a process per command cost two to four seconds each, for the same text.
    const program = buildProgram();
    const commands = (parent: Command, trail: string[]): [string, Command][] =>
      parent.commands.flatMap((c) => {
        const name = [...trail, c.name()];
        return c.commands.length > 0 ? commands(c, name) : [[name.join(' '), c] as [string, Command]];
      });
    const all = commands(program, []);
    for (const name of [
      'start',
      'user add',
      'token create',
      'unit add',
      'doctor',
      'role grant',
      'role revoke',
      'role list',
      'access explain',
      'access test',
    ]) {
      const command = all.find(([n]) => n === name)?.[1];
      expect(command, name).toBeDefined();
      expect(command?.helpInformation(), name).toContain('--data-dir');
    }
  });

  // Four commands that open the database, one after another: minutes on a busy two-core machine.
  it('keeps an audit trail: list shows what commands did, verify exits 1 once an entry is removed', {
    timeout: 480_000,
  }, async () => {
    const listed = await run(['audit', 'list', '--org', 'eastside', ...dbArgs]);
    expect(listed.code, listed.err).toBe(0);
    const lines = listed.out.trim().split('\n');
    // Newest first: the token, then the admin's role (both by the commands of the first test).
    expect(lines.map((l) => l.split('  ')[2])).toEqual(['token.create', 'role.grant']);
    expect(lines[0]).toMatch(/^2 {2}\S+ {2}token\.create {2}system:cli {2}\{"owner_id":"[0-9a-f-]{36}"/);
    const [filtered, badAction, ...helps] = await Promise.all([
      run(['audit', 'list', '--org', 'eastside', '--action', 'role.grant', '--limit', '1', ...dbArgs]),
      run(['audit', 'list', '--org', 'eastside', '--action', 'person.eat', ...dbArgs]),
      run(['audit', 'verify', '--help']),
      run(['audit', 'list', '--help']),
    ]);
    expect(filtered.out).toMatch(/^1 {2}\S+ {2}role\.grant {2}system:cli {2}\{.*"role":"org_admin"/);
    expect(filtered.out.trim().split('\n')).toHaveLength(1);
    expect(badAction.code).not.toBe(0);
    expect(badAction.err).toMatch(/^error: .*--action must be one of/);
    for (const help of helps) {
      expect(help.code).toBe(0);
      expect(help.out).toContain('--data-dir');
    }

    const intact = await run(['audit', 'verify', '--org', 'eastside', ...dbArgs]);
    expect(intact).toMatchObject({ code: 0, err: '' });
    expect(intact.out).toMatch(/^audit trail intact: 2 entries checked in eastside; head 2 [0-9a-f]{64}\n$/);

    // Tamper as a superuser would: triggers off, remove entry 1.
    const database = await openDatabase(
      baseUrl
        ? { engine: 'postgres', url: dbArgs[1] as string }
        : { engine: 'pglite', dataDir: dbArgs[1] as string },
    );
    try {
      await sql`ALTER TABLE audit_event DISABLE TRIGGER USER`.execute(database.db);
      await sql`DELETE FROM audit_event WHERE seq = 1`.execute(database.db);
      await sql`ALTER TABLE audit_event ENABLE TRIGGER USER`.execute(database.db);
    } finally {
      await database.close();
    }
    const broken = await run(['audit', 'verify', ...dbArgs]);
    expect(broken.code).toBe(1);
    const [summary, ...problems] = broken.out.trim().split('\n');
    expect(summary).toBe('audit trail NOT intact: 1 problem in 1 entry checked in 1 organization');
    expect(problems).toEqual([
      expect.stringMatching(/^org [0-9a-f-]{36} seq 1: missing \(entry 1 is missing\)$/),
    ]);
  });

  it.runIf(!baseUrl)(
    'refuses to open a data directory the server holds, and serves until stopped',
    async () => {
      const dataDir = path.join(dir, 'served');
      const server: ChildProcess = spawn(
        process.execPath,
        [BIN, 'start', '--data-dir', dataDir, '--port', '0'],
        { stdio: 'pipe' },
      );
      let out = '';
      server.stdout?.on('data', (d) => {
        out += d;
      });
      try {
        for (let i = 0; i < 1200 && !out.includes('Rhizome is running at'); i++)
          await new Promise((r) => setTimeout(r, 100));
        const url = /running at (http:\/\/[^\s]+)/.exec(out)?.[1];
        expect(url).toBeDefined();
        for (let i = 0; i < 300 && !out.includes('No organization yet'); i++)
          await new Promise((r) => setTimeout(r, 100));
        expect(out).toContain('npx rhizome org create');
        const doc = await fetch(`${url}/api/v1/openapi.json`);
        expect(doc.status).toBe(200);
        // The web app on the same port (built by install, or by this first start).
        const app = await fetch(`${url}/people`);
        expect(app.headers.get('content-type')).toBe('text/html; charset=utf-8');
        expect(await app.text()).toContain('<div id="root"></div>');
        const blocked = await run(['org', 'create', '--name', 'X', '--slug', 'x', '--data-dir', dataDir]);
        expect(blocked.code).not.toBe(0);
        expect(blocked.err).toMatch(
          /^error: the Rhizome server \(pid \d+ at http:\/\/127\.0\.0\.1:\d+\) holds .*; stop it first, or use its HTTP API\n$/,
        );
      } finally {
        server.kill('SIGTERM');
        await new Promise((r) => server.once('close', r));
      }
      const after = await run(['org', 'create', '--name', 'After', '--slug', 'after', '--data-dir', dataDir]);
      expect(after.code).toBe(0);
    },
  );
});
