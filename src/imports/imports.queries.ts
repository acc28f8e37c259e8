import { type Kysely, sql } from 'kysely';
import type { DB, ImportStatus } from '../db/schema.js';

/** What an import job row says about itself. */
export interface ImportJobRow {
  id: string;
  org_id: string;
  filename: string;
  file_sha256: string;
  file_size: number;
  status: ImportStatus;
  options: unknown;
  last_line: number;
  rows_read: number;
  created_count: number;
  updated_count: number;
  flagged_count: number;
  rejected_count: number;
  started_at: Date;
  updated_at: Date;
  finished_at: Date | null;
  error: string | null;
}

const JOB_COLUMNS = [
  'id',
  'org_id',
  'filename',
  'file_sha256',
  'file_size',
  'status',
  'options',
  'last_line',
  'rows_read',
  'created_count',
  'updated_count',
  'flagged_count',
  'rejected_count',
  'started_at',
  'updated_at',
  'finished_at',
  'error',
] as const;

export async function findJob(db: Kysely<DB>, orgId: string, id: string): Promise<ImportJobRow | undefined> {
  return (await db
    .selectFrom('import_job')
    .select(JOB_COLUMNS)
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst()) as ImportJobRow | undefined;
}

/** The newest unfinished import of this file with the same options: the one a rerun resumes. */
export async function findResumableJob(
  db: Kysely<DB>,
  orgId: string,
  sha256: string,
  resumeKey: string,
): Promise<ImportJobRow | undefined> {
  return (await db
    .selectFrom('import_job')
    .select(JOB_COLUMNS)
    .where('org_id', '=', orgId)
    .where('file_sha256', '=', sha256)
    .where('status', 'in', ['running', 'failed'])
    .where(sql<string>`options->>'resumeKey'`, '=', resumeKey)
    .orderBy('started_at', 'desc')
    .limit(1)
    .executeTakeFirst()) as ImportJobRow | undefined;
}

export async function insertJob(
  db: Kysely<DB>,
  job: {
    id: string;
    orgId: string;
    filename: string;
    sha256: string;
    size: number;
    options: unknown;
    createdBy: string | null;
  },
): Promise<void> {
  await db
    .insertInto('import_job')
    .values({
      id: job.id,
      org_id: job.orgId,
      filename: job.filename,
      file_sha256: job.sha256,
      file_size: job.size,
      options: JSON.stringify(job.options),
      created_by: job.createdBy,
      finished_at: null,
      error: null,
    })
    .execute();
}

export async function markRunning(db: Kysely<DB>, orgId: string, id: string): Promise<void> {
  await db
    .updateTable('import_job')
    .set({ status: 'running', error: null, updated_at: sql`now()` })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .execute();
}

export interface BatchCounts {
  rows: number;
  created: number;
  updated: number;
  flagged: number;
  rejected: number;
}

/**
 * Advances the job's cursor by one committed batch. Only from the line the caller last saw: if
 * another process advanced it meanwhile (the same file imported twice at once), nothing changes
 * and false comes back, so the caller rolls its batch back.
 */
export async function advanceJob(
  db: Kysely<DB>,
  orgId: string,
  id: string,
  fromLine: number,
  toLine: number,
  counts: BatchCounts,
): Promise<boolean> {
  const result = await db
    .updateTable('import_job')
    .set((eb) => ({
      last_line: toLine,
      rows_read: eb('rows_read', '+', counts.rows),
      created_count: eb('created_count', '+', counts.created),
      updated_count: eb('updated_count', '+', counts.updated),
      flagged_count: eb('flagged_count', '+', counts.flagged),
      rejected_count: eb('rejected_count', '+', counts.rejected),
      updated_at: sql`now()`,
    }))
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .where('last_line', '=', fromLine)
    .where('status', '=', 'running')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) === 1;
}

export async function finishJob(
  db: Kysely<DB>,
  orgId: string,
  id: string,
  outcome: { status: 'completed' } | { status: 'failed'; error: string },
): Promise<void> {
  await db
    .updateTable('import_job')
    .set({
      status: outcome.status,
      error: outcome.status === 'failed' ? outcome.error : null,
      finished_at: outcome.status === 'completed' ? sql`now()` : null,
      updated_at: sql`now()`,
    })
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .execute();
}

export interface RejectRow {
  line: number;
  reason: string;
  /** The record's fields, verbatim (JSON array of strings in the table). */
  fields: string[];
}

export async function insertRejects(
  db: Kysely<DB>,
  orgId: string,
  importId: string,
  rejects: RejectRow[],
): Promise<void> {
  // Bounded statements: PostgreSQL takes at most 65535 parameters (4 per row here).
  for (let i = 0; i < rejects.length; i += 5000) {
    await db
      .insertInto('import_reject')
      .values(
        rejects.slice(i, i + 5000).map((r) => ({
          org_id: orgId,
          import_id: importId,
          line_no: r.line,
          reason: r.reason,
          raw: JSON.stringify(r.fields),
        })),
      )
      .onConflict((oc) => oc.columns(['import_id', 'line_no']).doNothing())
      .execute();
  }
}

/** A job's rejects in line order, one page after `afterLine` (keyset). */
export async function rejectsPage(
  db: Kysely<DB>,
  orgId: string,
  importId: string,
  afterLine: number,
  limit: number,
): Promise<RejectRow[]> {
  const rows = await db
    .selectFrom('import_reject')
    .select(['line_no', 'reason', 'raw'])
    .where('org_id', '=', orgId)
    .where('import_id', '=', importId)
    .where('line_no', '>', afterLine)
    .orderBy('line_no')
    .limit(limit)
    .execute();
  return rows.map((r) => ({ line: Number(r.line_no), reason: r.reason, fields: parseRaw(r.raw) }));
}

function parseRaw(raw: string): string[] {
  try {
    const value: unknown = JSON.parse(raw);
    if (Array.isArray(value)) return value.map(String);
  } catch {
    // Fall through: a raw line that is not JSON is kept as one field.
  }
  return [raw];
}

export async function unitExists(db: Kysely<DB>, orgId: string, path: string): Promise<boolean> {
  const row = await db
    .selectFrom('unit')
    .select('id')
    .where('org_id', '=', orgId)
    .where(sql<string>`path::text`, '=', path)
    .executeTakeFirst();
  return row !== undefined;
}

export async function customFieldKeys(db: Kysely<DB>, orgId: string): Promise<Set<string>> {
  const rows = await db
    .selectFrom('custom_field')
    .select('key')
    .where('org_id', '=', orgId)
    .where('archived_at', 'is', null)
    .execute();
  return new Set(rows.map((r) => r.key));
}

/**
 * Refreshes planner statistics on the tables a people import fills, where they are stale (never
 * analyzed, or live rows more than 50 + 10% off the size the planner knows); `force`: all five,
 * stale or not (migration 0027). Only the columns the import's own statements read (the
 * organization, the keys matched on, the person a value belongs to) and the tables' sizes: ANALYZE
 * samples 30k rows a table whatever their number, and sorting every name, address and provenance
 * column of the sample made it 1.2 s for the five tables at 200k people instead of 0.5 s (migration
 * 0031). The count of rows changed since the last full ANALYZE is left alone, so autovacuum (or
 * `rhizome start`'s maintenance) still refreshes the other columns. Through a SECURITY DEFINER
 * function: as rhizome_app a plain ANALYZE would be skipped, owners only.
 */
export async function analyzePeopleKeys(db: Kysely<DB>, options: { force?: boolean } = {}): Promise<void> {
  // Staleness is read from the activity statistics (live rows), which a session sends to the
  // shared counters at most once a second unless asked: ask, so the last batches count.
  await sql`SELECT pg_stat_force_next_flush()`.execute(db);
  await sql`SELECT analyze_people_keys(${options.force === true})`.execute(db);
}
