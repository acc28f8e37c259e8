import { type Kysely, sql } from 'kysely';
import type { DB } from '../../src/db/schema.js';

/**
 * Every row of every table (ordered), for "nothing changed" assertions. Session bookkeeping
 * (last_used_at, last_seen_at) is left out: reading with a token may touch it. So is the audit
 * trail: reads are recorded in it by design (it is append-only and has tests of its own).
 */
export async function snapshotDatabase(db: Kysely<DB>): Promise<Record<string, unknown[]>> {
  const tables = await sql<{ name: string }>`
    SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`.execute(db);
  const snapshot: Record<string, unknown[]> = {};
  for (const { name } of tables.rows) {
    if (name === 'audit_event' || name === 'audit_head') continue;
    const rows = await sql<Record<string, unknown>>`SELECT * FROM ${sql.table(name)}`.execute(db);
    snapshot[name] = rows.rows
      .map((row) => {
        const { last_used_at: _a, last_seen_at: _b, ...rest } = row;
        return JSON.stringify(rest);
      })
      .sort();
  }
  return snapshot;
}
