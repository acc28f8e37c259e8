import { sql } from 'kysely';
import type { Log } from '../log.js';
import type { Database } from './connect.js';

/**
 * Autovacuum for the embedded engine. PGlite runs PostgreSQL in one process without its background
 * workers, so nothing refreshes planner statistics or the visibility map by itself. Two things go
 * wrong without them: a table that grew from nothing keeps "it is empty" statistics, and every
 * plan made from them stays (a foreign-key check into event_rsvp or person made while the table
 * was empty is a sequential scan, cached by the connection for its life; a busy signup page then
 * spent most of each batch in those checks); and counts that could be answered from an index
 * visit the heap because no page is marked all-visible.
 *
 * `maintainTables` applies PostgreSQL's own autovacuum rules (its default thresholds) to every
 * table: ANALYZE when more than 50 rows + 10% changed since the last one, VACUUM when more than
 * 50 rows + 20% are dead or 1,000 rows + 20% were inserted since the last vacuum. One table at a
 * time, so requests waiting on the single PGlite connection get their turn between tables.
 * PostgreSQL needs none of this (its autovacuum does it); the function works there too.
 */
export interface MaintenanceRun {
  analyzed: string[];
  vacuumed: string[];
}

interface TableStats {
  relname: string;
  reltuples: number;
  n_mod_since_analyze: number;
  n_dead_tup: number;
  n_ins_since_vacuum: number;
  never_analyzed: boolean;
}

export async function maintainTables(database: Database): Promise<MaintenanceRun> {
  const db = database.db;
  // Statistics reach the shared counters at the end of a transaction, at most once a second,
  // unless a flush is forced: without it an embedded database often reads its counters as zero.
  await sql`SELECT pg_stat_force_next_flush()`.execute(db);
  const { rows } = await sql<TableStats>`
    SELECT s.relname, greatest(c.reltuples, 0)::float8 AS reltuples,
      s.n_mod_since_analyze::int8 AS n_mod_since_analyze, s.n_dead_tup::int8 AS n_dead_tup,
      s.n_ins_since_vacuum::int8 AS n_ins_since_vacuum,
      (s.last_analyze IS NULL AND s.last_autoanalyze IS NULL) AS never_analyzed
    FROM pg_stat_user_tables s JOIN pg_class c ON c.oid = s.relid
    WHERE s.schemaname = 'public'
    ORDER BY s.relname`.execute(db);
  const run: MaintenanceRun = { analyzed: [], vacuumed: [] };
  for (const t of rows) {
    const analyze =
      t.n_mod_since_analyze > 50 + 0.1 * t.reltuples || (t.never_analyzed && t.n_mod_since_analyze > 0);
    const vacuum = t.n_dead_tup > 50 + 0.2 * t.reltuples || t.n_ins_since_vacuum > 1000 + 0.2 * t.reltuples;
    if (!analyze && !vacuum) continue;
    const table = sql.table(t.relname);
    if (vacuum && analyze) await sql`VACUUM (ANALYZE) ${table}`.execute(db);
    else if (vacuum) await sql`VACUUM ${table}`.execute(db);
    else await sql`ANALYZE ${table}`.execute(db);
    if (analyze) run.analyzed.push(t.relname);
    if (vacuum) run.vacuumed.push(t.relname);
  }
  return run;
}

export interface EmbeddedMaintenance {
  /** Runs once now (after any run in progress). */
  runNow(): Promise<MaintenanceRun>;
  /** Stops the timer and waits for a run in progress. */
  stop(): Promise<void>;
}

/**
 * Runs `maintainTables` every `intervalMs` (a minute by default, autovacuum's own nap) on a PGlite
 * database; does nothing on PostgreSQL, whose autovacuum does it. A failed run is logged and the
 * next one tries again.
 */
export function startEmbeddedMaintenance(
  database: Database,
  log: Log,
  intervalMs = 60_000,
): EmbeddedMaintenance {
  let running: Promise<MaintenanceRun> | null = null;
  let stopped = false;
  const runNow = (): Promise<MaintenanceRun> => {
    const previous = running ?? Promise.resolve(null);
    const next = previous.then(async () => {
      const started = performance.now();
      const result = await maintainTables(database);
      if (result.analyzed.length + result.vacuumed.length > 0)
        log.info({ ...result, ms: Math.round(performance.now() - started) }, 'embedded database maintenance');
      return result;
    });
    running = next;
    void next.finally(() => {
      if (running === next) running = null;
    });
    return next;
  };
  const timer =
    database.engine === 'pglite'
      ? setInterval(() => {
          if (stopped || running) return;
          runNow().catch((error: unknown) =>
            log.warn({ err: error }, 'embedded database maintenance failed'),
          );
        }, intervalMs)
      : null;
  timer?.unref();
  return {
    runNow,
    stop: async () => {
      stopped = true;
      if (timer) clearInterval(timer);
      await running?.catch(() => {});
    },
  };
}
