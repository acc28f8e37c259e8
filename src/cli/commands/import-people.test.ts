import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, testEngine } from '../../../test/support/db.js';
import { makeOrg } from '../../../test/support/fixtures.js';
import type { Database } from '../../db/connect.js';
import { openDatabase } from '../../db/connect.js';
import { migrate } from '../../db/migrate.js';
import { registerExportPeople } from './export-people.js';
import { registerImportPeople } from './import-people.js';

let database: Database;
let dir: string;
/** How the CLI reaches the test database. */
let dbArgs: string[];
let org: { id: string; slug: string };

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'rhizome-cli-import-'));
  if (testEngine === 'postgres') {
    database = await createTestDatabase();
    if (database.target.engine !== 'postgres') throw new Error('expected PostgreSQL');
    dbArgs = ['--database-url', database.target.url];
  } else {
    // The CLI opens its own PGlite, so it needs one on disk.
    const dataDir = path.join(dir, 'data');
    database = await openDatabase({ engine: 'pglite', dataDir });
    await migrate(database);
    dbArgs = ['--data-dir', dataDir];
  }
  org = await makeOrg(database.db, 'cli-org');
  if (testEngine === 'pglite') await database.close();
});
afterAll(async () => {
  if (testEngine === 'postgres') await database.close();
});

async function run(args: string[]): Promise<{ out: string; err: string; code: number }> {
  const program = new Command().exitOverride();
  registerImportPeople(program);
  registerExportPeople(program);
  let out = '';
  let err = '';
  const stdout = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  const stderr = vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => {
    err += String(chunk);
    return true;
  });
  process.exitCode = 0;
  try {
    await program.parseAsync(['node', 'rhizome', ...args]);
  } catch (error) {
    err += String(error);
    process.exitCode ||= 1;
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
  const code = Number(process.exitCode ?? 0);
  process.exitCode = 0;
  return { out, err, code };
}

describe('rhizome import people', () => {
  it('imports a file, prints the summary and writes rejects next to it', async () => {
    const file = path.join(dir, 'volunteers.csv');
    writeFileSync(file, 'First,Last,Email,Household ID\nAna,Lima,ana@example.org,7\nBob,Stone,bob@,7\n');
    const { out, code } = await run([
      'import',
      'people',
      file,
      '--org',
      org.slug,
      '--tag',
      'volunteer',
      '--map',
      'Household ID=ignore',
      ...dbArgs,
    ]);
    expect(code).toBe(0);
    expect(out).toMatch(/created:\s+1/);
    expect(out).toMatch(/rejected:\s+1 \(see .*volunteers\.csv\.rejects\.csv\)/);
    expect(out).toContain('First -> given_name');
    expect(readFileSync(`${file}.rejects.csv`, 'utf8')).toContain(
      '3,"email: ""bob@"" is not a valid email address',
    );
  });

  it('fails with a clear message on a missing file, an unknown org or a bad mapping', async () => {
    const file = path.join(dir, 'ok.csv');
    writeFileSync(file, 'email\na@example.org\n');
    const missing = await run(['import', 'people', path.join(dir, 'nope.csv'), '--org', org.slug, ...dbArgs]);
    expect(missing).toMatchObject({ code: 1, err: expect.stringContaining('no such file') });
    const noOrg = await run(['import', 'people', file, '--org', 'nobody', ...dbArgs]);
    expect(noOrg).toMatchObject({
      code: 1,
      err: expect.stringContaining('no organization with the slug "nobody"'),
    });
    const badMap = await run(['import', 'people', file, '--org', org.slug, '--map', 'email', ...dbArgs]);
    expect(badMap).toMatchObject({ code: 1, err: expect.stringContaining('use column=field') });
    const unknownField = await run([
      'import',
      'people',
      file,
      '--org',
      org.slug,
      '--map',
      'email=emial',
      ...dbArgs,
    ]);
    expect(unknownField).toMatchObject({ code: 1, err: expect.stringContaining('"emial" is not a field') });
  });

  it('exports what it imported', async () => {
    const out = path.join(dir, 'export.csv');
    const result = await run([
      'export',
      'people',
      '--org',
      org.slug,
      '--out',
      out,
      '--columns',
      'given_name,email,tags',
      ...dbArgs,
    ]);
    expect(result.code).toBe(0);
    expect(readFileSync(out, 'utf8')).toContain('Ana,ana@example.org,volunteer');
  });
});

describe.skipIf(testEngine !== 'pglite')('after an import into the embedded database', () => {
  it("applies autovacuum's rules: the people tables are vacuumed and every column analyzed", async () => {
    const file = path.join(dir, 'many.csv');
    const rows = Array.from({ length: 1500 }, (_, i) => `Given${i},Family${i % 40},many${i}@example.org`);
    writeFileSync(file, `First,Last,Email\n${rows.join('\n')}\n`);
    const { code } = await run(['import', 'people', file, '--org', org.slug, ...dbArgs]);
    expect(code).toBe(0);
    const own = await openDatabase({ engine: 'pglite', dataDir: dbArgs[1] as string });
    try {
      const { rows: tables } = await sql<{ relname: string; relallvisible: number }>`
        SELECT relname, relallvisible FROM pg_class
        WHERE relname IN ('person', 'person_email') ORDER BY relname`.execute(own.db);
      // Pages marked all-visible: counts over a unit answer from the index.
      for (const t of tables) expect(t.relallvisible, t.relname).toBeGreaterThan(0);
      // The import itself analyzes only key columns; the name columns come from the full ANALYZE.
      const { rows: columns } = await sql<{ attname: string }>`
        SELECT attname FROM pg_stats WHERE schemaname = 'public' AND tablename = 'person'`.execute(own.db);
      expect(columns.map((c) => c.attname)).toEqual(expect.arrayContaining(['given_name', 'family_name']));
    } finally {
      await own.close();
    }
  });
});

describe.skipIf(testEngine !== 'postgres')('an import killed with SIGKILL', () => {
  it('resumes from its last committed batch and ends with the same people as one uninterrupted run', async () => {
    const rows = ['First,Last,Email,Phone'];
    for (let i = 0; i < 6000; i++)
      rows.push(`P${i},F${i % 97},p${i}@example.org,+1415555${String(i).padStart(4, '0')}`);
    const file = path.join(dir, 'big.csv');
    writeFileSync(file, `${rows.join('\n')}\n`);
    const killed = await makeOrg(database.db, 'killed-org');
    const whole = await makeOrg(database.db, 'whole-org');
    // Inside the repository, so that the child resolves its packages.
    mkdirSync(path.resolve('tmp'), { recursive: true });
    const scriptDir = mkdtempSync(path.resolve('tmp/cli-kill-'));
    const script = path.join(scriptDir, 'cli.ts');
    writeFileSync(
      script,
      `import { Command } from 'commander';
import { registerImportPeople } from ${JSON.stringify(path.resolve('src/cli/commands/import-people.ts'))};
const program = new Command(); registerImportPeople(program); await program.parseAsync();`,
    );
    const args = (slug: string) => [
      '--import',
      'tsx',
      script,
      'import',
      'people',
      file,
      '--org',
      slug,
      '--batch-size',
      '200',
      ...dbArgs,
    ];
    const child = spawn(process.execPath, args(killed.slug), { stdio: ['ignore', 'ignore', 'pipe'] });
    let childErr = '';
    child.stderr?.on('data', (c: Buffer) => {
      childErr += String(c);
    });
    const exited = new Promise((r) => child.once('exit', r));
    const count = async () =>
      (
        await sql<{ n: number }>`SELECT count(*)::int AS n FROM person WHERE org_id = ${killed.id}`.execute(
          database.db,
        )
      ).rows[0]?.n ?? 0;
    // Kill it mid-import, once a few batches are in.
    for (let i = 0; i < 600 && child.exitCode === null && (await count()) < 1000; i++)
      await new Promise((r) => setTimeout(r, 50));
    child.kill('SIGKILL');
    await exited;
    const atKill = await count();
    expect(childErr).not.toContain('error');
    expect(atKill).toBeGreaterThan(0);
    expect(atKill).toBeLessThan(6000);
    expect(atKill % 200).toBe(0);

    const resumed = await run([
      'import',
      'people',
      file,
      '--org',
      killed.slug,
      '--batch-size',
      '200',
      ...dbArgs,
    ]);
    expect(resumed.out).toMatch(/resumed from line \d+/);
    await run(['import', 'people', file, '--org', whole.slug, ...dbArgs]);
    const state = async (orgId: string) =>
      (
        await sql<{
          r: string;
        }>`SELECT p.given_name || p.family_name || e.address || ph.number AS r FROM person p
          JOIN person_email e ON e.person_id = p.id JOIN person_phone ph ON ph.person_id = p.id
          WHERE p.org_id = ${orgId} ORDER BY 1`.execute(database.db)
      ).rows.map((x) => x.r);
    const killedState = await state(killed.id);
    expect(killedState).toHaveLength(6000);
    expect(killedState).toEqual(await state(whole.id));
  }, 120_000);
});
