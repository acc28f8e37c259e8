/**
 * The import's write floor: what the database alone needs to write the people an import made, with
 * every index, constraint and trigger of the schema, and nothing of Rhizome's own work (no parsing,
 * no matching, no look-ups, no ANALYZE in the timing). It is the load path of a "COPY into a staging
 * table, then one INSERT ... SELECT per table" importer, with the staging already filled: the people
 * of the imported organization are copied, 2,000 at a time in id order (the importer's batch), into
 * temporary staging tables of a new, empty database (untimed), and from there into the real tables
 * in one transaction per batch (timed). No importer of this schema, however it reads its file, can
 * write these people faster than this on this machine.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import { COMMAND_SHARED_BUFFERS } from '../src/cli/shared.js';
import { type Database, type Engine, openDatabase } from '../src/db/connect.js';
import { migrate } from '../src/db/migrate.js';
import type { DB } from '../src/db/schema.js';
import { analyzePeopleKeys } from '../src/imports/imports.queries.js';
import { scratchPgDatabase } from './steps.js';

/** The tables an import of people fills, in the order their foreign keys need. */
const TABLES = ['person', 'person_email', 'person_phone', 'person_address', 'tagging'] as const;
type Table = (typeof TABLES)[number];
const BATCH = 2_000;

export interface FloorResult {
  people: number;
  /** Rows written to the five tables. */
  rows: number;
  /** Time inside the timed transactions. */
  ms: number;
  /** Of which each table's INSERT. */
  msByTable: Record<Table, number>;
}

/** A new, empty, migrated database of the same engine, and how to throw it away. */
async function emptyDatabase(
  engine: Engine,
  pgServerUrl: string,
): Promise<{ database: Database; discard: () => Promise<void> }> {
  if (engine === 'postgres') {
    const scratch = await scratchPgDatabase(pgServerUrl, `rhizome_floor_${process.pid}`);
    const database = await openDatabase({ engine: 'postgres', url: scratch.url }, { poolSize: 2 });
    await migrate(database);
    return {
      database,
      discard: async () => {
        await database.close();
        await scratch.drop();
      },
    };
  }
  // As `rhizome import people` opens it: on disk, with a command's buffer cache.
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rhizome-floor-'));
  const database = await openDatabase(
    { engine: 'pglite', dataDir: dir },
    { sharedBuffers: COMMAND_SHARED_BUFFERS },
  );
  await migrate(database);
  return {
    database,
    discard: async () => {
      await database.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The columns of a table a copy writes: all but generated ones and `seq`, which each row takes
 * from the sequence as an import's do.
 */
async function columnsOf(db: Kysely<DB>, table: string): Promise<RawBuilder<unknown>> {
  const { rows } = await sql<{ name: string }>`
    SELECT column_name AS name FROM information_schema.columns
    WHERE table_schema = 'public' AND table_name = ${table} AND column_name <> 'seq'
      AND is_generated = 'NEVER'
    ORDER BY ordinal_position`.execute(db);
  return sql.join(rows.map((r) => sql.ref(r.name)));
}

/** One batch of an organization's people and their rows, as JSON documents per table. */
async function readBatch(
  source: Kysely<DB>,
  orgId: string,
  after: string,
): Promise<{ last: string | null; people: number; json: Record<Table, string> }> {
  const { rows: people } = await sql<{ id: string }>`
    SELECT id FROM person WHERE org_id = ${orgId} AND id > ${after} ORDER BY id LIMIT ${BATCH}`.execute(
    source,
  );
  const ids = people.map((p) => p.id);
  const json = {} as Record<Table, string>;
  for (const table of TABLES) {
    const key = table === 'person' ? sql.ref('id') : sql.ref('person_id');
    const { rows } = await sql<{ doc: string | null }>`
      SELECT json_agg(t)::text AS doc FROM ${sql.table(table)} t
      WHERE t.org_id = ${orgId} AND ${key} = ANY(${ids}::uuid[])`.execute(source);
    json[table] = rows[0]?.doc ?? '[]';
  }
  return { last: ids.at(-1) ?? null, people: ids.length, json };
}

/**
 * Copies the people of `orgId` (with their e-mails, phones, addresses and taggings) from `source`
 * into a new database of the same engine, timing only the writes into the real tables.
 */
export async function measureWriteFloor(
  source: Database,
  orgId: string,
  pgServerUrl: string,
): Promise<FloorResult> {
  const { database, discard } = await emptyDatabase(source.engine, pgServerUrl);
  try {
    const target = database.db;
    // The organization and its tags, as they are (untimed).
    for (const table of ['org', 'tag'] as const) {
      const key = table === 'org' ? sql.ref('id') : sql.ref('org_id');
      const { rows } = await sql<{ doc: string | null }>`
        SELECT json_agg(t)::text AS doc FROM ${sql.table(table)} t WHERE ${key} = ${orgId}`.execute(
        source.db,
      );
      const list = await columnsOf(target, table);
      await sql`INSERT INTO ${sql.table(table)} (${list})
        SELECT ${list} FROM json_populate_recordset(null::${sql.table(table)}, ${rows[0]?.doc ?? '[]'}::json)`.execute(
        target,
      );
    }
    const columns = new Map<Table, RawBuilder<unknown>>();
    for (const table of TABLES) columns.set(table, await columnsOf(target, table));
    // One session holds the staging tables (temporary) and runs every statement.
    return await target.connection().execute(async (conn) => {
      for (const table of TABLES)
        await sql`CREATE TEMP TABLE ${sql.table(`staged_${table}`)} (LIKE ${sql.table(table)})`.execute(conn);
      const result: FloorResult = {
        people: 0,
        rows: 0,
        ms: 0,
        msByTable: Object.fromEntries(TABLES.map((t) => [t, 0])) as Record<Table, number>,
      };
      let after = '00000000-0000-0000-0000-000000000000';
      let nextAnalyzeAt = BATCH;
      for (;;) {
        const batch = await readBatch(source.db, orgId, after);
        if (batch.last === null) break;
        after = batch.last;
        for (const table of TABLES) {
          await sql`INSERT INTO ${sql.table(`staged_${table}`)}
            SELECT * FROM json_populate_recordset(null::${sql.table(`staged_${table}`)}, ${batch.json[table]}::json)`.execute(
            conn,
          );
        }
        const started = performance.now();
        await sql`BEGIN`.execute(conn);
        for (const table of TABLES) {
          const list = columns.get(table) as RawBuilder<unknown>;
          const statementStarted = performance.now();
          const { numAffectedRows } = await sql`INSERT INTO ${sql.table(table)} (${list})
            SELECT ${list} FROM ${sql.table(`staged_${table}`)}`.execute(conn);
          result.msByTable[table] += performance.now() - statementStarted;
          result.rows += Number(numAffectedRows ?? 0);
        }
        await sql`COMMIT`.execute(conn);
        result.ms += performance.now() - started;
        result.people += batch.people;
        await sql`TRUNCATE ${sql.join(TABLES.map((t) => sql.table(`staged_${t}`)))}`.execute(conn);
        // Statistics as the importer keeps them (each time the organization has doubled), so that
        // no foreign-key check runs on a plan made for empty tables; untimed, like the staging.
        if (result.people >= nextAnalyzeAt) {
          while (nextAnalyzeAt <= result.people) nextAnalyzeAt *= 2;
          await analyzePeopleKeys(conn, { force: true });
        }
      }
      return result;
    });
  } finally {
    await discard();
  }
}
