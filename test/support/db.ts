import { readFileSync } from 'node:fs';
import type { Kysely } from 'kysely';
import pg from 'pg';
import { inject } from 'vitest';
import { AuditLog } from '../../src/audit/index.js';
import { type Database, openDatabase } from '../../src/db/connect.js';
import type { DB } from '../../src/db/schema.js';
import { silentLog } from '../../src/log.js';
import { withDatabase } from './global-setup.js';

let counter = 0;
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
      { poolSize: 5 },
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
