import { readFileSync } from 'node:fs';
import { type Kysely, type RawBuilder, sql } from 'kysely';
import pg from 'pg';
import { inject } from 'vitest';
import { AuditLog } from '../../src/audit/index.js';
import { type Database, openDatabase } from '../../src/db/connect.js';
import type { DB } from '../../src/db/schema.js';
import { silentLog } from '../../src/log.js';
import { withDatabase } from './global-setup.js';

let counter = 0;
/** Connections in a PostgreSQL test database's pool. */
const TEST_POOL_SIZE = 5;
let pgliteTemplate: Buffer | undefined;
const auditLogs = new WeakMap<Kysely<DB>, AuditLog>();

/**
 * The audit log of a test database (one per database, like one per process): a real AuditLog.
 * Closing the database (createTestDatabase's close) closes it first.
 */
export function testAuditLog(db: Kysely<DB>): AuditLog {
  let audit = auditLogs.get(db);
  if (!audit) {
    audit = new AuditLog(db, silentLog);
    auditLogs.set(db, audit);
  }
  return audit;
}

/** The engine this run tests: PostgreSQL when RHIZOME_TEST_DATABASE_URL is set, else PGlite. */
export const testEngine: 'postgres' | 'pglite' = process.env.RHIZOME_TEST_DATABASE_URL
  ? 'postgres'
  : 'pglite';

/**
 * A fresh, migrated, empty database of its own. Close it when done (afterAll): on PostgreSQL that
 * also drops it.
 */
export async function createTestDatabase(): Promise<Database> {
  const url = process.env.RHIZOME_TEST_DATABASE_URL;
  if (url) {
    const name = `rhizome_test_${process.ppid}_${process.pid}_${counter++}_${Date.now() % 100000}`;
    const admin = new pg.Client({ connectionString: url });
    await admin.connect();
    try {
      // The template must have no other session while it is copied; retry briefly if one is closing.
      for (let attempt = 0; ; attempt++) {
        try {
          await admin.query(`CREATE DATABASE "${name}" TEMPLATE ${inject('pgTemplate')}`);
          break;
        } catch (error) {
          if (attempt > 20) throw error;
          await new Promise((r) => setTimeout(r, 100));
        }
      }
    } finally {
      await admin.end();
    }
    const database = await openDatabase(
      { engine: 'postgres', url: withDatabase(url, name) },
      { poolSize: TEST_POOL_SIZE },
    );
    const close = database.close;
    return {
      ...database,
      async close() {
        await auditLogs.get(database.db)?.close();
        await close();
        const dropper = new pg.Client({ connectionString: url });
        await dropper.connect();
        await dropper.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        await dropper.end();
      },
    };
  }
  pgliteTemplate ??= readFileSync(inject('pgliteTemplate'));
  const database = await openDatabase(
    { engine: 'pglite', dataDir: null },
    { loadDataDir: new Blob([pgliteTemplate]) },
  );
  const close = database.close;
  return {
    ...database,
    async close() {
      await auditLogs.get(database.db)?.close();
      await close();
    },
  };
}

/**
 * The role and `rhizome.org_id` of every connection in a test database's pool, all held at once
 * (PGlite's one session): what the next owner's query would run with.
 */
export async function pooledSessionStates(database: Database): Promise<{ role: string; org: string }[]> {
  const size = database.engine === 'postgres' ? TEST_POOL_SIZE : 1;
  const states: { role: string; org: string }[] = [];
  let release!: () => void;
  const together = new Promise<void>((resolve) => {
    release = resolve;
  });
  await Promise.all(
    Array.from({ length: size }, () =>
      database.db.connection().execute(async (conn) => {
        const r = await sql<{ role: string; org: string }>`
          SELECT current_user AS role, coalesce(current_setting('rhizome.org_id', true), '') AS org`.execute(
          conn,
        );
        states.push(r.rows[0] as { role: string; org: string });
        if (states.length === size) release();
        await together;
      }),
    ),
  );
  return states;
}

/**
 * The plan of a query as `db` runs it (as a tenant, under row-level security, when `db` is one),
 * with sequential scans priced out so that the plan shows the index a query can use.
 */
export async function explainIndexed(db: Kysely<DB>, query: RawBuilder<unknown>): Promise<string> {
  return await db.transaction().execute(async (trx) => {
    await sql`SET LOCAL enable_seqscan = off`.execute(trx);
    const { rows } = await sql<{ 'QUERY PLAN': string }>`EXPLAIN ${query}`.execute(trx);
    return rows.map((r) => r['QUERY PLAN']).join('\n');
  });
}
