import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/db.js';
import { makeOrg, systemCtx } from '../../test/support/fixtures.js';
import type { Database } from '../db/connect.js';
import { upsertPeople } from '../people/index.js';
import { analyzePeopleKeys } from './imports.queries.js';

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.close();
});

/** How often person was analyzed by hand, its changes since the last full ANALYZE, and its size. */
async function personStats(): Promise<{ analyzed: number; changed: number; size: number }> {
  const { rows } = await sql<{ analyzed: number; changed: number; size: number }>`
    SELECT s.analyze_count::int AS analyzed, s.n_mod_since_analyze::int AS changed, c.reltuples::int AS size
    FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
    WHERE s.relid = 'person'::regclass`.execute(database.db);
  return rows[0] as { analyzed: number; changed: number; size: number };
}

describe('statistics before and during an import', () => {
  it('analyzes the key columns of tables whose size the planner no longer knows', async () => {
    await sql`ANALYZE person, person_email, person_phone, person_address, foreign_identifier`.execute(
      database.db,
    );
    const fresh = await personStats();
    await analyzePeopleKeys(database.db);
    expect((await personStats()).analyzed).toBe(fresh.analyzed);

    const org = await makeOrg(database.db);
    const people = Array.from({ length: 300 }, (_, i) => ({
      given_name: `Stat${i}`,
      family_name: 'Fresh',
      emails: [{ address: `stat${i}@example.org` }],
      phones: [],
      addresses: [],
      tags: [],
      identifiers: [],
      custom_fields: {},
    }));
    await upsertPeople(systemCtx(database.db, org.id), people, { kind: 'import', ref: 'test' });
    // Activity statistics reach the shared counters within about a second of the writes.
    for (let i = 0; i < 50 && (await personStats()).changed < 300; i++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    await analyzePeopleKeys(database.db);
    const after = await personStats();
    expect(after.analyzed).toBe(fresh.analyzed + 1);
    // The table's size is known, and the 300 changes still count towards autovacuum's full ANALYZE.
    expect(after.size).toBe(fresh.size + 300);
    expect(after.changed).toBeGreaterThanOrEqual(300);

    // Forced: analyzed again although nothing changed.
    await analyzePeopleKeys(database.db, { force: true });
    expect((await personStats()).analyzed).toBe(fresh.analyzed + 2);

    // Changed in place (people moved, renamed): the table's size is still right, so its keys are
    // not stale, however many rows changed since the last full ANALYZE.
    const changedBefore = (await personStats()).changed;
    await sql`UPDATE person SET pronouns = 'they/them' WHERE org_id = ${org.id}`.execute(database.db);
    for (let i = 0; i < 50 && (await personStats()).changed < changedBefore + 300; i++)
      await new Promise((resolve) => setTimeout(resolve, 100));
    await analyzePeopleKeys(database.db);
    expect((await personStats()).analyzed).toBe(fresh.analyzed + 2);
  });

  it('gives only the key columns statistics', async () => {
    const own = await createTestDatabase();
    try {
      const org = await makeOrg(own.db);
      const people = Array.from({ length: 100 }, (_, i) => ({
        given_name: `Key${i}`,
        family_name: 'Columns',
        emails: [{ address: `key${i}@example.org` }],
        phones: [{ number: `+1415555${String(1000 + i)}` }],
        addresses: [],
        tags: [],
        identifiers: [],
        custom_fields: {},
      }));
      await upsertPeople(systemCtx(own.db, org.id), people, { kind: 'import', ref: 'test' });
      await analyzePeopleKeys(own.db, { force: true });
      const { rows } = await sql<{ tablename: string; attname: string }>`
        SELECT tablename, attname FROM pg_stats
        WHERE schemaname = 'public' AND tablename IN ('person', 'person_email', 'person_phone')
        ORDER BY tablename, attname`.execute(own.db);
      expect(rows.map((r) => `${r.tablename}.${r.attname}`)).toEqual([
        'person.id',
        'person.merged_into',
        'person.org_id',
        'person_email.address',
        'person_email.org_id',
        'person_email.person_id',
        'person_phone.number',
        'person_phone.org_id',
        'person_phone.person_id',
      ]);
    } finally {
      await own.close();
    }
  });
});
