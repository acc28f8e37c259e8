import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/db.js';
import { makeOrg, systemCtx } from '../../test/support/fixtures.js';
import type { Database } from '../db/connect.js';
import { upsertPeople } from '../people/index.js';
import { analyzePeopleTables } from './imports.queries.js';

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.close();
});

/** How often person was analyzed by hand, and its changes since (activity statistics). */
async function personStats(): Promise<{ analyzed: number; changed: number }> {
  const { rows } = await sql<{ analyzed: number; changed: number }>`
    SELECT analyze_count::int AS analyzed, n_mod_since_analyze::int AS changed
    FROM pg_stat_user_tables WHERE relid = 'person'::regclass`.execute(database.db);
  return rows[0] as { analyzed: number; changed: number };
}

describe('statistics before and during an import', () => {
  it('analyzes the people tables only once their statistics are stale', async () => {
    await sql`ANALYZE person, person_email, person_phone, person_address, foreign_identifier`.execute(
      database.db,
    );
    const fresh = await personStats();
    await analyzePeopleTables(database.db);
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
    await analyzePeopleTables(database.db);
    expect((await personStats()).analyzed).toBe(fresh.analyzed + 1);
  });
});
