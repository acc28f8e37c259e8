import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Command, CommanderError } from 'commander';
import type { Kysely } from 'kysely';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestDatabase, testEngine } from '../../../test/support/db.js';
import { type Database, openDatabase } from '../../db/connect.js';
import type { DB } from '../../db/schema.js';
import { registerAccessCommands } from './access.js';
import { registerAccountCommands } from './accounts.js';
import { registerImportPeople } from './import-people.js';
import { parseExpiry, registerRoleCommands } from './roles.js';

/**
 * Setting up who may do what from a script, and checking it: `unit add`, `import people --unit`,
 * `role grant|revoke|list`, `access explain` and `access test`, run in process on a real data
 * directory (PGlite) or a fresh PostgreSQL database.
 */
let dir: string;
let dbArgs: string[];
let pgDatabase: Database | undefined;
const ORG = 'cli-access';
const MARIA = 'maria@example.org';
const ADMIN = 'admin@example.org';
const people: Record<string, string> = {};

/** The database, between commands (PGlite: the data directory is free then). */
async function withDb<T>(fn: (db: Kysely<DB>) => Promise<T>): Promise<T> {
  if (pgDatabase) return await fn(pgDatabase.db);
  const database = await openDatabase({ engine: 'pglite', dataDir: path.join(dir, 'data') });
  try {
    return await fn(database.db);
  } finally {
    await database.close();
  }
}

async function run(args: string[]): Promise<{ out: string; err: string; code: number }> {
  const program = new Command()
    .exitOverride()
    .option('--data-dir <dir>')
    .option('--database-url <url>')
    .configureOutput({ writeErr: (s) => process.stderr.write(s), writeOut: (s) => process.stdout.write(s) });
  registerAccountCommands(program);
  registerRoleCommands(program);
  registerAccessCommands(program);
  registerImportPeople(program);
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
  let code: number;
  try {
    await program.parseAsync(['node', 'rhizome', ...args, ...dbArgs]);
    code = Number(process.exitCode ?? 0);
  } catch (error) {
    code = error instanceof CommanderError ? error.exitCode : 1;
  } finally {
    stdout.mockRestore();
    stderr.mockRestore();
  }
  process.exitCode = 0;
  return { out, err, code };
}

function file(name: string, text: string): string {
  const at = path.join(dir, name);
  writeFileSync(at, text);
  return at;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'rhizome-cli-access-'));
  if (testEngine === 'postgres') {
    pgDatabase = await createTestDatabase();
    if (pgDatabase.target.engine !== 'postgres') throw new Error('expected PostgreSQL');
    dbArgs = ['--database-url', pgDatabase.target.url];
  } else {
    dbArgs = ['--data-dir', path.join(dir, 'data')];
  }
});
afterAll(async () => {
  await pgDatabase?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('setting up an organization’s units, people and roles', { timeout: 240_000 }, () => {
  it('adds units with a kind by depth unless one is given', async () => {
    expect((await run(['org', 'create', '--name', 'CLI Access', '--slug', ORG])).code).toBe(0);
    const added: string[] = [];
    for (const [unitPath, name, ...kind] of [
      ['east', 'East Bay'],
      ['east.oakland', 'Oakland'],
      ['east.oakland.fruitvale', 'Fruitvale'],
      ['fresno', 'Fresno', '--kind', 'local'],
    ] as const) {
      const result = await run(['unit', 'add', '--org', ORG, '--path', unitPath, '--name', name, ...kind]);
      expect(result.code, result.err).toBe(0);
      added.push(result.out.trim());
    }
    expect(added).toEqual([
      'added unit east (East Bay, chapter)',
      'added unit east.oakland (Oakland, local)',
      'added unit east.oakland.fruitvale (Fruitvale, team)',
      'added unit fresno (Fresno, local)',
    ]);
  });

  it('imports people into a home unit with --unit; a row’s own home unit wins', async () => {
    const csv = file(
      'members.csv',
      'First,Last,Email,Unit\nAna,Lima,ana@example.org,\nOli,Park,oli@example.org,\nBen,Diaz,ben@example.org,fresno\n',
    );
    const result = await run(['import', 'people', csv, '--org', ORG, '--unit', 'east.oakland']);
    expect(result.code, result.err).toBe(0);
    expect(result.out).toMatch(/created:\s+3/);
    const homes = await withDb(async (db) => {
      const rows = await sql<{ id: string; email: string; home: string | null }>`
        SELECT p.id, e.address AS email, p.home_unit_path::text AS home
        FROM person p JOIN person_email e ON e.person_id = p.id ORDER BY e.address`.execute(db);
      return rows.rows;
    });
    expect(homes.map((h) => [h.email, h.home])).toEqual([
      ['ana@example.org', 'east.oakland'],
      ['ben@example.org', 'fresno'],
      ['oli@example.org', 'east.oakland'],
    ]);
    for (const h of homes) people[h.email.split('@')[0] as string] = h.id;
    const badUnit = await run(['import', 'people', csv, '--org', ORG, '--unit', 'atlantis']);
    expect(badUnit).toMatchObject({ code: 1, err: 'error: unit: no unit with path atlantis\n' });
  });

  it('grants roles (over a unit, until a day) and lists them', async () => {
    for (const [email, role] of [
      [MARIA, 'volunteer'],
      [ADMIN, 'org_admin'],
    ] as const)
      expect(
        (await run(['user', 'add', '--org', ORG, '--email', email, '--role', role, '--no-password'])).code,
      ).toBe(0);
    const granted = await run([
      'role',
      'grant',
      '--org',
      ORG,
      '--email',
      'Maria@Example.org',
      '--role',
      'local_organizer',
      '--unit',
      'east.oakland',
      '--expires',
      '2999-12-31',
    ]);
    expect(granted).toMatchObject({
      code: 0,
      out: `granted local_organizer over east.oakland to ${MARIA} until 3000-01-01T00:00:00.000Z\n`,
    });
    const list = await run(['role', 'list', '--org', ORG]);
    expect(list.code).toBe(0);
    expect(list.out.split('\n').filter(Boolean)).toEqual([
      'admin@example.org  org_admin        (organization)',
      'maria@example.org  local_organizer  east.oakland    until 3000-01-01T00:00:00.000Z',
      'maria@example.org  volunteer        (organization)',
    ]);
    const hers = await run(['role', 'list', '--org', ORG, '--email', MARIA]);
    expect(hers.out.split('\n').filter(Boolean)).toHaveLength(2);
  });

  it('answers bad role arguments with one line and a failing exit code, changing nothing', async () => {
    const cases: [string[], RegExp][] = [
      [['role', 'grant', '--org', ORG, '--email', MARIA, '--role', 'emperor'], /role: no role emperor/],
      [
        ['role', 'grant', '--org', ORG, '--email', 'ghost@example.org', '--role', 'volunteer'],
        /user ghost@example.org not found/,
      ],
      [
        ['role', 'grant', '--org', ORG, '--email', MARIA, '--role', 'volunteer', '--unit', 'atlantis'],
        /no unit with path atlantis/,
      ],
      [
        ['role', 'grant', '--org', ORG, '--email', MARIA, '--role', 'volunteer', '--expires', '2001-01-01'],
        /is in the past/,
      ],
      [
        ['role', 'grant', '--org', ORG, '--email', MARIA, '--role', 'volunteer', '--expires', 'soon'],
        /use a day like 2026-12-31/,
      ],
      [
        ['role', 'grant', '--org', 'nowhere', '--email', MARIA, '--role', 'volunteer'],
        /no organization with the slug "nowhere"/,
      ],
      [
        ['role', 'revoke', '--org', ORG, '--email', MARIA, '--role', 'org_admin'],
        /binding of org_admin not found/,
      ],
      [['role', 'grant', '--org', ORG, '--email', MARIA], /required option '--role <role>' not specified/],
    ];
    const before = await withDb(
      async (db) =>
        (await sql<{ n: number }>`SELECT count(*)::int AS n FROM role_binding`.execute(db)).rows[0]?.n,
    );
    for (const [args, message] of cases) {
      const result = await run(args);
      expect(result.code, args.join(' ')).toBe(1);
      expect(result.err.trim().split('\n'), args.join(' ')).toHaveLength(1);
      expect(result.err, args.join(' ')).toMatch(message);
    }
    const after = await withDb(
      async (db) =>
        (await sql<{ n: number }>`SELECT count(*)::int AS n FROM role_binding`.execute(db)).rows[0]?.n,
    );
    expect(after).toBe(before);
  });
});

describe('rhizome access explain', { timeout: 240_000 }, () => {
  it('prints ALLOW or DENY, then the reasons one a line', async () => {
    const allowed = await run([
      'access',
      'explain',
      '--org',
      ORG,
      '--user',
      MARIA,
      '--person',
      people.ana as string,
      '--field',
      'given_name',
    ]);
    expect(allowed.code, allowed.err).toBe(0);
    expect(allowed.out.split('\n').filter(Boolean)).toEqual([
      'ALLOW',
      'role local_organizer over unit east.oakland and the units under it grants people.read',
      "the person's home unit east.oakland is east.oakland",
      'given_name is a basic field, which the grant includes',
    ]);
    const denied = await run([
      'access',
      'explain',
      '--org',
      ORG,
      '--user',
      MARIA,
      '--person',
      people.ben as string,
      '--action',
      'person.call',
    ]);
    expect(denied.code).toBe(0);
    const lines = denied.out.split('\n').filter(Boolean);
    expect(lines[0]).toBe('DENY');
    expect(lines[1]).toMatch(/^the person is outside every grant of person.call/);
    expect(lines).toContain(`live grants of ${MARIA}:`);
    const bad = await run([
      'access',
      'explain',
      '--org',
      ORG,
      '--user',
      MARIA,
      '--person',
      people.ana as string,
      '--field',
      'shoe_size',
    ]);
    expect(bad).toMatchObject({
      code: 1,
      err: expect.stringMatching(/^error: field: no field shoe_size\n$/),
    });
  });
});

describe('rhizome access test', { timeout: 240_000 }, () => {
  it('exits 0 when every expectation holds, printing each', async () => {
    const expectations = file(
      'ok.access',
      [
        '# Maria organizes Oakland: names yes, contact details no, Fresno not at all.',
        `allow ${MARIA}  read  given_name of people in east.oakland`,
        `deny  ${MARIA}  read  emails     of people in east`,
        `deny  ${MARIA}  read  given_name of people in fresno`,
        `deny  ${MARIA}  read  person ${people.ben}`,
        `deny  ${MARIA}  access.manage`,
        `allow ${ADMIN}  read  emails of everyone`,
      ].join('\n'),
    );
    const result = await run(['access', 'test', expectations, '--org', ORG]);
    expect(result.code, result.err).toBe(0);
    expect(result.out.split('\n').filter(Boolean)).toEqual([
      `ok    line 2  allow ${MARIA} read given_name of people in east.oakland (2 people)`,
      `ok    line 3  deny ${MARIA} read emails of people in east (2 people)`,
      `ok    line 4  deny ${MARIA} read given_name of people in fresno (1 person)`,
      `ok    line 5  deny ${MARIA} read person ${people.ben}`,
      `ok    line 6  deny ${MARIA} access.manage`,
      `ok    line 7  allow ${ADMIN} read emails of everyone (3 people)`,
      '6 expectations: 6 hold, 0 violated',
    ]);
  });

  it('exits 1 on a violation, with a count and example ids, or the reasons', async () => {
    const expectations = file(
      'violated.access',
      [
        `deny  ${MARIA}  read  given_name of people in east`,
        `allow ${MARIA}  read  given_name of everyone`,
        `allow ${MARIA}  call  person ${people.ben}`,
      ].join('\n'),
    );
    const result = await run(['access', 'test', expectations, '--org', ORG]);
    expect(result.code).toBe(1);
    const [ana, oli, ben] = [people.ana, people.oli, people.ben];
    const oakland = [ana, oli].sort().join(', ');
    expect(result.out.split('\n').filter(Boolean)).toEqual([
      `FAIL  line 1  deny ${MARIA} read given_name of people in east: 2 of 2 people allowed, e.g. ${oakland}`,
      `FAIL  line 2  allow ${MARIA} read given_name of everyone: 1 of 3 people denied, e.g. ${ben}`,
      `FAIL  line 3  allow ${MARIA} call person ${ben}: denied (the person is outside every grant of person.call (unit east.oakland and the units under it))`,
      '3 expectations: 0 hold, 3 violated',
    ]);
  });

  it('exits 2 on a malformed file, naming each bad line and column, and checks nothing', async () => {
    const expectations = file(
      'malformed.access',
      [
        `allow ${MARIA} read given_name of people in east.oakland`,
        `deny ${MARIA} read emails from everyone`,
        'maybe',
      ].join('\n'),
    );
    const result = await run(['access', 'test', expectations, '--org', ORG]);
    expect(result.code).toBe(2);
    expect(result.out).toBe('');
    expect(result.err.split('\n').filter(Boolean)).toEqual([
      `error: ${expectations}:2:36: expected "of" after the field emails, found "from"`,
      `error: ${expectations}:3:1: expected "allow" or "deny", found "maybe"`,
    ]);
  });

  it('exits 2 when a line names what does not exist, a file is missing or arguments are wrong', async () => {
    const unknown = file('unknown.access', `deny ${MARIA} read emails of people in atlantis\n`);
    const result = await run(['access', 'test', unknown, '--org', ORG]);
    expect(result).toMatchObject({ code: 2, err: `error: ${unknown}:1:1: no unit atlantis\n` });
    const missing = await run(['access', 'test', path.join(dir, 'nope.access'), '--org', ORG]);
    expect(missing).toMatchObject({
      code: 2,
      err: expect.stringMatching(/^error: cannot read .*nope.access: ENOENT\n$/),
    });
    const noOrg = await run(['access', 'test', unknown, '--org', 'nowhere']);
    expect(noOrg.code).toBe(2);
    const usage = await run(['access', 'test', unknown]);
    expect(usage).toMatchObject({ code: 2, err: "error: required option '--org <slug>' not specified\n" });
  });

  it('sees a revoked role on the next run', async () => {
    const revoked = await run([
      'role',
      'revoke',
      '--org',
      ORG,
      '--email',
      MARIA,
      '--role',
      'local_organizer',
      '--unit',
      'east.oakland',
    ]);
    expect(revoked).toMatchObject({
      code: 0,
      out: `revoked local_organizer over east.oakland from ${MARIA}\n`,
    });
    const expectations = file('after.access', `deny ${MARIA} read given_name of everyone\n`);
    expect((await run(['access', 'test', expectations, '--org', ORG])).code).toBe(0);
  });
});

describe('parseExpiry', () => {
  it('reads a day as through the end of it (UTC), or an exact ISO time', () => {
    expect(parseExpiry('2026-12-31').toISOString()).toBe('2027-01-01T00:00:00.000Z');
    expect(parseExpiry('2026-12-31T18:00:00Z').toISOString()).toBe('2026-12-31T18:00:00.000Z');
    for (const bad of ['2026-02-30', '31/12/2026', 'tomorrow', '2026-12-31T99:00'])
      expect(() => parseExpiry(bad), bad).toThrow(/use a day like/);
  });
});
