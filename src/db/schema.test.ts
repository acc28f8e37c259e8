import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/db.js';
import type { Database } from './connect.js';
import { migrate, migrationState } from './migrate.js';

describe('schema', () => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.close();
  });

  it('is fully migrated and re-running migrate applies nothing', async () => {
    expect(await migrate(database)).toEqual([]);
    const state = await migrationState(database);
    expect(state.pending).toEqual([]);
    expect(state.edited).toEqual([]);
  });

  it('puts org_id on every table', async () => {
    const { rows } = await sql<{ table_name: string }>`
      SELECT t.table_name FROM information_schema.tables t
      WHERE t.table_schema = 'public' AND t.table_type = 'BASE TABLE'
        AND t.table_name NOT IN ('schema_migration', 'node_self')
        AND NOT EXISTS (SELECT 1 FROM information_schema.columns c
          WHERE c.table_schema = 'public' AND c.table_name = t.table_name AND c.column_name = 'org_id')`.execute(
      database.db,
    );
    expect(rows.map((r) => r.table_name)).toEqual([]);
  });

  it('generates version-7 UUIDs in SQL, in time order', async () => {
    const { rows } = await sql<{
      id: string;
    }>`SELECT uuid_v7()::text AS id FROM generate_series(1, 50)`.execute(database.db);
    for (const { id } of rows)
      expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const stamps = rows.map((r) => r.id.slice(0, 13));
    expect([...stamps].sort()).toEqual(stamps);
  });

  it('advances the change sequence on update and leaves a tombstone on delete', async () => {
    const org = await database.db
      .insertInto('org')
      .values({ id: '01900000-0000-7000-8000-000000000001', slug: 'seq-test', name: 'Seq' })
      .returning(['id', 'seq'])
      .executeTakeFirstOrThrow();
    const tag = await database.db
      .insertInto('tag')
      .values({ org_id: org.id, id: '01900000-0000-7000-8000-000000000002', name: 'volunteer' })
      .returning('seq')
      .executeTakeFirstOrThrow();
    const updated = await database.db
      .updateTable('tag')
      .set({ description: 'people who volunteer' })
      .where('id', '=', '01900000-0000-7000-8000-000000000002')
      .returning('seq')
      .executeTakeFirstOrThrow();
    expect(updated.seq).toBeGreaterThan(tag.seq);
    await database.db.deleteFrom('tag').where('id', '=', '01900000-0000-7000-8000-000000000002').execute();
    const tomb = await database.db
      .selectFrom('tombstone')
      .selectAll()
      .where('entity', '=', 'tag')
      .executeTakeFirstOrThrow();
    expect(tomb.id).toBe('01900000-0000-7000-8000-000000000002');
    expect(tomb.seq).toBeGreaterThan(updated.seq);
  });
});
