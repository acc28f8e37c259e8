import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/db.js';
import { personColumns } from '../../test/support/person-columns.js';
import type { Database } from '../db/connect.js';
import { MERGE_COVERAGE, MERGE_EXCEPTIONS } from './merge.rules.js';

let database: Database;

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.close();
});

const name = (c: { table: string; column: string }) => `${c.table}.${c.column}`;

describe('what a merge moves, against the catalog', () => {
  it('handles every column that points at a person, or lists it as an exception with a reason', async () => {
    const columns = await personColumns(database.db);
    expect(columns.length).toBeGreaterThan(20);
    const known = new Set([...MERGE_COVERAGE, ...MERGE_EXCEPTIONS].map(name));
    // A new table with a person column fails here by name until merge.rules.ts says what a merge
    // does with its rows (PERSON_ROWS, PERSON_REFERENCES) or why it leaves them (MERGE_EXCEPTIONS).
    const forgotten = columns.map(name).filter((c) => !known.has(c));
    expect(
      forgotten,
      'columns pointing at a person that merges do not handle (src/merges/merge.rules.ts)',
    ).toEqual([]);
  });

  it('lists nothing that is not in the database, and nothing twice', async () => {
    const columns = new Set((await personColumns(database.db)).map(name));
    const listed = [...MERGE_COVERAGE, ...MERGE_EXCEPTIONS].map(name);
    expect(listed.filter((c) => !columns.has(c))).toEqual([]);
    expect(listed.filter((c, i) => listed.indexOf(c) !== i)).toEqual([]);
  });

  it('gives every exception a reason', () => {
    for (const e of MERGE_EXCEPTIONS) expect(e.reason.length, name(e)).toBeGreaterThan(20);
  });

  it('names a table added with person columns (by key or by name) until merges handle it', async () => {
    await sql`CREATE TABLE merge_probe (org_id uuid NOT NULL, id uuid PRIMARY KEY, person_id uuid NOT NULL,
      owner uuid REFERENCES person (id), contact_person_id uuid,
      CONSTRAINT merge_probe_person_fkey FOREIGN KEY (org_id, person_id) REFERENCES person (org_id, id))`.execute(
      database.db,
    );
    try {
      const known = new Set([...MERGE_COVERAGE, ...MERGE_EXCEPTIONS].map(name));
      const forgotten = (await personColumns(database.db)).map(name).filter((c) => !known.has(c));
      expect(forgotten).toEqual([
        'merge_probe.contact_person_id',
        'merge_probe.owner',
        'merge_probe.person_id',
      ]);
    } finally {
      await sql`DROP TABLE merge_probe`.execute(database.db);
    }
  });
});
