import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import type { Database } from './connect.js';
import { ensureSearchLeakproof } from './tenant.js';

const MIGRATIONS_DIR = path.join(path.dirname(fileURLToPath(import.meta.url)), 'migrations');
const FILE_PATTERN = /^(\d{4})_([a-z0-9_]+)\.sql$/;
// Any number, the same on every node: serializes concurrent `migrate` runs on one PostgreSQL.
const MIGRATION_LOCK = 7_461_029_311;

export interface Migration {
  version: string;
  name: string;
  checksum: string;
  sql: string;
}

export interface MigrationState {
  applied: { version: string; name: string; checksum: string; applied_at: Date }[];
  pending: Migration[];
  /** Applied migrations whose file has changed since: migrations are forward-only and never edited. */
  edited: string[];
}

/** The migrations shipped with this build, in order. */
export function loadMigrations(dir = MIGRATIONS_DIR): Migration[] {
  return readdirSync(dir)
    .filter((file) => FILE_PATTERN.test(file))
    .sort()
    .map((file) => {
      const [, version, name] = FILE_PATTERN.exec(file) as RegExpExecArray;
      const text = readFileSync(path.join(dir, file), 'utf8');
      return {
        version: version as string,
        name: name as string,
        checksum: createHash('sha256').update(text).digest('hex'),
        sql: text,
      };
    });
}

async function ensureTable(database: Database): Promise<void> {
  await sql`CREATE TABLE IF NOT EXISTS schema_migration (
    version text PRIMARY KEY,
    name text NOT NULL,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`.execute(database.db);
}

export async function migrationState(database: Database): Promise<MigrationState> {
  const exists = await sql<{
    present: boolean;
  }>`SELECT to_regclass('schema_migration') IS NOT NULL AS present`.execute(database.db);
  const applied = exists.rows[0]?.present
    ? (
        await sql<MigrationState['applied'][number]>`
          SELECT version, name, checksum, applied_at FROM schema_migration ORDER BY version`.execute(
          database.db,
        )
      ).rows
    : [];
  const shipped = loadMigrations();
  const byVersion = new Map(applied.map((row) => [row.version, row]));
  return {
    applied,
    pending: shipped.filter((m) => !byVersion.has(m.version)),
    edited: shipped
      .filter((m) => byVersion.has(m.version) && byVersion.get(m.version)?.checksum !== m.checksum)
      .map((m) => m.version),
  };
}

/** Applies every pending migration, each in its own transaction. Returns the versions applied. */
export async function migrate(database: Database): Promise<string[]> {
  await ensureTable(database);
  const applyPending = async (): Promise<string[]> => {
    const { pending } = await migrationState(database);
    for (const m of pending) {
      // Version, name and checksum come from our own file names and a hex digest (checked by
      // FILE_PATTERN), so they are safe as literals in the script.
      await database.runScript(
        `${m.sql}\n;INSERT INTO schema_migration (version, name, checksum) VALUES ('${m.version}', '${m.name}', '${m.checksum}');`,
      );
    }
    return pending.map((m) => m.version);
  };
  // PGlite has one session and one process; PostgreSQL may see several `migrate` runs at once.
  // Then the catalog marks a restored database may have lost (under the same lock: two runs
  // altering one function at once would fail).
  const run = async () => {
    const applied = await applyPending();
    await ensureSearchLeakproof(database.db);
    return applied;
  };
  if (database.engine === 'pglite') return await run();
  return await database.db.connection().execute(async (conn) => {
    await sql`SELECT pg_advisory_lock(${MIGRATION_LOCK})`.execute(conn);
    try {
      return await run();
    } finally {
      await sql`SELECT pg_advisory_unlock(${MIGRATION_LOCK})`.execute(conn);
    }
  });
}
