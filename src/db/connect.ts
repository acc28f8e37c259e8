import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { ltree } from '@electric-sql/pglite/contrib/ltree';
import { pg_trgm } from '@electric-sql/pglite/contrib/pg_trgm';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { pglitePool } from './pglite-pool.js';
import type { DB } from './schema.js';
import { registerOwnerDb } from './tenant.js';

/** Where the data lives: a PostgreSQL server, or an embedded PGlite directory (null: in memory). */
export type DbTarget = { engine: 'postgres'; url: string } | { engine: 'pglite'; dataDir: string | null };

export type Engine = DbTarget['engine'];

export interface Database {
  /** The owner: bypasses row-level security (migrations, work across organizations). For one organization use tenantDb(db, orgId). */
  db: Kysely<DB>;
  engine: Engine;
  target: DbTarget;
  /** The embedded instance, when the engine is PGlite (for dumps and tests). */
  pglite?: PGlite;
  /** Runs a multi-statement SQL script (a migration) in one transaction. */
  runScript(script: string): Promise<void>;
  close(): Promise<void>;
}

// The same JavaScript types from both engines: int8 as number (counts and sequences stay far below
// 2^53), date as its 'YYYY-MM-DD' text (never shifted by a time zone), numeric as text.
const INT8 = 20;
const DATE = 1082;
const NUMERIC = 1700;
pg.types.setTypeParser(INT8, (v) => Number(v));
pg.types.setTypeParser(DATE, (v) => v);
const pgliteParsers = {
  [INT8]: (v: string) => Number(v),
  [DATE]: (v: string) => v,
  [NUMERIC]: (v: string) => v,
};

/**
 * Settings for every session: the thresholds of fuzzy name search (people.filter.ts,
 * fuzzyPredicate). Each word of a search of several words must be at least 0.25 word-similar to
 * the name (one wrong letter in a word of four or more); a search of one word at least 0.3 similar
 * to a whole word of the name ("garsia" for Garcia is 0.4).
 */
const SESSION_SETUP =
  'SET pg_trgm.word_similarity_threshold = 0.25; SET pg_trgm.strict_word_similarity_threshold = 0.3';

export interface OpenOptions {
  /** Connections in the PostgreSQL pool. */
  poolSize?: number;
  /** Use PGlite from a pre-built data directory dump (tests). */
  loadDataDir?: Blob | File;
  /**
   * PGlite's buffer cache (e.g. '32MB'; default 128MB). It lives in the process's WebAssembly memory,
   * which never shrinks: a pass over a large table fills it for good. Pages it does not hold are
   * read from the operating system's file cache, which the process's RSS does not count.
   */
  sharedBuffers?: string;
  /** Called after every query with its SQL and duration (slow-query logging, profiling). */
  onQuery?: (sqlText: string, ms: number) => void;
}

function kyselyLog(options: OpenOptions) {
  const onQuery = options.onQuery;
  if (!onQuery) return undefined;
  return (event: { query: { sql: string }; queryDurationMillis: number }) =>
    onQuery(event.query.sql, event.queryDurationMillis);
}

export async function openDatabase(target: DbTarget, options: OpenOptions = {}): Promise<Database> {
  if (target.engine === 'postgres') {
    const pool = new pg.Pool({ connectionString: target.url, max: options.poolSize ?? 10 });
    // An idle client that loses its server must not crash the process.
    pool.on('error', () => {});
    // Queued before any other query on the new connection.
    pool.on('connect', (client) => {
      client.query(SESSION_SETUP).catch(() => {});
    });
    const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }), log: kyselyLog(options) });
    registerOwnerDb(db, pool, kyselyLog(options));
    return {
      db,
      engine: 'postgres',
      target,
      async runScript(script) {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          await client.query(script);
          await client.query('COMMIT');
        } catch (error) {
          await client.query('ROLLBACK').catch(() => {});
          throw error;
        } finally {
          client.release();
        }
      },
      async close() {
        await db.destroy();
      },
    };
  }
  if (target.dataDir) mkdirSync(path.resolve(target.dataDir), { recursive: true });
  const instance = await PGlite.create({
    dataDir: target.dataDir ? path.resolve(target.dataDir) : undefined,
    extensions: { ltree, pg_trgm },
    parsers: pgliteParsers,
    loadDataDir: options.loadDataDir,
    ...(options.sharedBuffers
      ? { startParams: [...PGlite.defaultStartParams, '-c', `shared_buffers=${options.sharedBuffers}`] }
      : {}),
  });
  await instance.exec(SESSION_SETUP);
  const pool = pglitePool(instance);
  const db = new Kysely<DB>({ dialect: new PostgresDialect({ pool }), log: kyselyLog(options) });
  registerOwnerDb(db, pool, kyselyLog(options));
  return {
    db,
    engine: 'pglite',
    target,
    pglite: instance,
    async runScript(script) {
      const session = await pool.connect();
      try {
        await instance.transaction(async (tx) => {
          await tx.exec(script);
        });
      } finally {
        session.release();
      }
    },
    async close() {
      await db.destroy();
      if (!instance.closed) await instance.close();
    },
  };
}
