import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { DB } from '../db/schema.js';

/**
 * Rows as the before-image of a merge holds them, and putting them back. A row is read as
 * `to_jsonb(t)` (every column, timestamps to the microsecond) and written back through
 * `jsonb_populate_record`, so each column gets its own type back without a list of jsonb, ltree
 * or array columns here, on both engines.
 */

export type Row = Record<string, unknown>;

/** A change a merge made to a row of someone else: the columns it changed, before and after. */
export interface Patch {
  table: string;
  key: Row;
  before: Row;
  after: Row;
}

// Table and column names come from the constants in merge.rules.ts (never from input), so the
// untyped builder is safe.
// biome-ignore lint/suspicious/noExplicitAny: rows of many tables, handled generically
export const untyped = (db: Kysely<DB>) => db as unknown as Kysely<any>;

/** `SET (a, b) = (SELECT a, b FROM image)`; one column is `SET a = (SELECT a FROM image)`. */
function setFrom(columns: string[], image: RawBuilder<unknown>) {
  const list = sql.join(columns.map((c) => sql.ref(c)));
  return columns.length === 1
    ? sql`${list} = (SELECT ${list} FROM ${image})`
    : sql`(${list}) = (SELECT ${list} FROM ${image})`;
}

const whereAll = (values: Row) =>
  sql.join(
    Object.entries(values).map(([column, value]) => sql`${sql.ref(`t.${column}`)} = ${value}`),
    sql` AND `,
  );

/** The rows of `table` whose columns hold these values, as jsonb, ordered by `key`. */
export async function rowsWhere(
  db: Kysely<DB>,
  table: string,
  key: readonly string[],
  values: Row,
): Promise<Row[]> {
  const { rows } = await sql<{ row: Row }>`SELECT to_jsonb(t) AS row FROM ${sql.table(table)} t
    WHERE ${whereAll(values)}
    ORDER BY ${sql.join(key.map((k) => sql.ref(`t.${k}`)))}`.execute(db);
  return rows.map((r) => r.row);
}

export const keyOf = (key: readonly string[], row: Row): Row =>
  Object.fromEntries(key.map((k) => [k, row[k]]));

/** Deletes the row with this key. */
export async function deleteRow(db: Kysely<DB>, table: string, key: Row): Promise<void> {
  await sql`DELETE FROM ${sql.table(table)} t WHERE ${whereAll(key)}`.execute(db);
}

/**
 * Puts a row back as the before-image holds it: updated in place when its key still exists,
 * inserted again when the merge deleted it (and its tombstone removed, or partners would be told
 * it is gone). Only the columns the image holds are written; `seq` is left to the triggers, so
 * partners see the restored row as a change.
 */
export async function restoreRow(
  db: Kysely<DB>,
  table: string,
  key: readonly string[],
  row: Row,
): Promise<void> {
  const columns = Object.keys(row).filter((c) => c !== 'seq');
  const list = sql.join(columns.map((c) => sql.ref(c)));
  const image = sql`jsonb_populate_record(NULL::${sql.table(table)}, ${JSON.stringify(row)}::jsonb)`;
  const updated = await sql`UPDATE ${sql.table(table)} t SET ${setFrom(columns, image)}
    WHERE ${whereAll(keyOf(key, row))}`.execute(db);
  if (Number(updated.numAffectedRows ?? 0) > 0) return;
  await sql`INSERT INTO ${sql.table(table)} (${list}) SELECT ${list} FROM ${image}`.execute(db);
  if (key.length === 1 && key[0] === 'id')
    await sql`DELETE FROM tombstone WHERE entity = ${table} AND id = ${row.id}`.execute(db);
}

/** Undoes a patch where the row is still as the merge left it; a later change to it stays. */
export async function revertPatch(db: Kysely<DB>, patch: Patch): Promise<void> {
  const [now] = await rowsWhere(db, patch.table, Object.keys(patch.key), patch.key);
  if (!now) return;
  const unchanged = Object.entries(patch.after).every(
    ([column, value]) => JSON.stringify(now[column]) === JSON.stringify(value),
  );
  if (!unchanged) return;
  const image = sql`jsonb_populate_record(NULL::${sql.table(patch.table)}, ${JSON.stringify(patch.before)}::jsonb)`;
  await sql`UPDATE ${sql.table(patch.table)} t SET ${setFrom(Object.keys(patch.before), image)}
    WHERE ${whereAll(patch.key)}`.execute(db);
}
