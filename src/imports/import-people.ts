import path from 'node:path';
import type { Ctx } from '../context.js';
import { actorUserId } from '../context.js';
import { newId } from '../db/ids.js';
import { AppError } from '../errors.js';
import { countEveryone, upsertPeople } from '../people/index.js';
import { assertAllowed } from '../policy/index.js';
import { type ImportBatch, readBatches, readHeader } from './batches.js';
import { describeTarget, planColumns } from './columns.js';
import { type CsvDialect, fileSha256, fileSize, sniffFile } from './csv-source.js';
import {
  advanceJob,
  analyzePeopleKeys,
  type BatchCounts,
  customFieldKeys,
  findResumableJob,
  finishJob,
  type ImportJobRow,
  insertJob,
  insertRejects,
  markRunning,
  unitExists,
} from './imports.queries.js';
import { RejectsFile } from './rejects-file.js';

/**
 * Rows per transaction. Measured on 100k rows: 2,000 and 5,000 ran within 5% of each other on both
 * engines (2,000 slightly ahead on PostgreSQL); the smaller batch repeats less on a resume and
 * keeps the two batches in flight to a few MB.
 */
export const DEFAULT_BATCH_SIZE = 2000;

export interface ImportProgress {
  importId: string;
  /** Data rows committed so far (this run and any run it resumes). */
  rowsRead: number;
  bytesRead: number;
  totalBytes: number;
  rowsPerSecond: number;
  created: number;
  updated: number;
  flagged: number;
  rejected: number;
  /** The last committed source line. */
  line: number;
}

export interface ImportPeopleOptions {
  /** Path of the CSV file. */
  file: string;
  /** Column name -> field (`given_name`, `email`, `identifier:van`, `field:KEY`, `ignore`, ...). */
  mapping?: Record<string, string>;
  /** Tags added to everyone imported. */
  tags?: string[];
  /** Home unit for people who have none. */
  unitPath?: string;
  /** Where to write rejected rows as CSV; none: rejects go only to the import_reject table. */
  rejectsPath?: string;
  batchSize?: number;
  onProgress?: (progress: ImportProgress) => void;
  /** Resume an unfinished import of the same file (default true). */
  resume?: boolean;
  /** The name to record (the API passes the uploaded name; default: the file's base name). */
  filename?: string;
  /** Precomputed SHA-256 of the file (the API hashes while it receives the upload). */
  sha256?: string;
  /** Called once the job row exists, before any row is imported (the API answers 202 here). */
  onStart?: (importId: string) => void;
}

export interface ImportSummary {
  importId: string;
  rowsRead: number;
  created: number;
  updated: number;
  flagged: number;
  rejected: number;
  /** Blank rows passed over. */
  skipped: number;
  rejectsPath: string | null;
  /** The line a resumed import started after, or null for a fresh import. */
  resumedFromLine: number | null;
  columns: { column: string; field: string }[];
  unmappedColumns: string[];
  delimiter: string;
  encoding: string;
  durationMs: number;
}

/**
 * Imports people from a CSV file of any size in constant memory: the file is streamed through
 * the parser with backpressure, rows are mapped and validated, and each batch is committed in
 * one transaction that upserts its people (the matching engine), stores its rejects and advances
 * the job's cursor. A killed import leaves whole batches only; running the same file again (same
 * content, organization and options) resumes after the last committed line. A completed file
 * imported again is a new job in which the engine matches everyone (all updated, none created).
 *
 * Errors before any row is read (unreadable file, unknown mapping column or field, unknown unit)
 * throw AppError; bad rows never do: they are rejected with a reason that names the field.
 */
export async function runPeopleImport(ctx: Ctx, options: ImportPeopleOptions): Promise<ImportSummary> {
  assertAllowed(ctx.actor, 'people.import');
  const started = Date.now();
  const orgId = ctx.actor.orgId;
  const batchSize = Math.max(1, Math.min(options.batchSize ?? DEFAULT_BATCH_SIZE, 50_000));
  const dialect: CsvDialect = await sniffFile(options.file);
  const totalBytes = await fileSize(options.file);

  let batches: AsyncGenerator<ImportBatch> | undefined;
  let job: ImportJobRow | undefined;
  let jobId: string | undefined;
  let rejectsFile: RejectsFile | undefined;
  try {
    const header = await readHeader(options.file, dialect);
    if (!header) throw new AppError('validation_failed', 'the file is empty: a header row is needed');
    const plan = planColumns(header, options.mapping ?? {}, await customFieldKeys(ctx.db, orgId));
    if (!plan.columns.some((c) => c.target.kind !== 'ignore')) {
      throw new AppError(
        'validation_failed',
        `no column of the file is a person field (columns: ${header.map((h) => `"${h}"`).join(', ')}); map them with column=field`,
      );
    }
    if (options.unitPath && !(await unitExists(ctx.db, orgId, options.unitPath))) {
      throw new AppError('validation_failed', `unit: no unit with path ${options.unitPath}`, {
        fields: [{ field: 'unit', message: `no unit with path ${options.unitPath}` }],
      });
    }
    const tags = (options.tags ?? []).map((t) => t.trim()).filter(Boolean);
    const sha256 = options.sha256 ?? (await fileSha256(options.file));
    const resumeKey = JSON.stringify({
      mapping: Object.entries(options.mapping ?? {}).sort(),
      tags,
      unitPath: options.unitPath ?? null,
    });

    job = options.resume === false ? undefined : await findResumableJob(ctx.db, orgId, sha256, resumeKey);
    const resumedFromLine = job ? job.last_line : null;
    if (job) {
      jobId = job.id;
      await markRunning(ctx.db, orgId, job.id);
    } else {
      jobId = newId();
      await insertJob(ctx.db, {
        id: jobId,
        orgId,
        filename: options.filename ?? path.basename(options.file),
        sha256,
        size: totalBytes,
        createdBy: actorUserId(ctx.actor),
        options: {
          resumeKey,
          mapping: options.mapping ?? {},
          tags,
          unitPath: options.unitPath ?? null,
          header,
          delimiter: dialect.delimiter,
          encoding: dialect.encoding,
        },
      });
    }
    const importId = jobId;
    options.onStart?.(importId);

    const totals = {
      rows: job?.rows_read ?? 0,
      created: job?.created_count ?? 0,
      updated: job?.updated_count ?? 0,
      flagged: job?.flagged_count ?? 0,
      rejected: job?.rejected_count ?? 0,
    };
    let lastLine = job?.last_line ?? 0;
    if (options.rejectsPath) {
      rejectsFile = new RejectsFile(options.rejectsPath, header);
      // A resumed import rewrites the file from the table, so it holds every reject exactly once.
      if (job) await rejectsFile.copyFrom(ctx.db, orgId, importId);
    }

    const source = { kind: 'import' as const, ref: importId };
    const upsertOptions = {
      ...(tags.length > 0 ? { tags } : {}),
      ...(options.unitPath ? { unitPath: options.unitPath } : {}),
    };
    const runStarted = Date.now();
    let rowsThisRun = 0;
    // A table that grew from nothing keeps the planner's "it is tiny" statistics until autovacuum
    // catches up; the engine's look-ups then turned to scans (a 1M-row import spent 130 s in
    // them; 237 s -> 135 s in all). Fresh statistics at 20k, 40k, 80k, ... rows keep them on the indexes.
    let nextAnalyzeAt = 20_000;
    // And once before the first batch: a session that wrote a few rows before (people signing up
    // one by one, then a list imported) keeps foreign-key check plans made for tiny tables, and
    // a 50k import into such an organization spent 180 s in one INSERT instead of 1 s. ANALYZE
    // samples a fixed number of rows, so this costs well under a second even on millions.
    await analyzePeopleKeys(ctx.db);
    // And, whatever the rest of the tables did, each time this import has doubled the organization
    // (from its first batch): statistics taken before an organization had people take it for one
    // person (migration 0027), and its look-ups then read the organization's index instead of their
    // keys. An organization that already has many people is doubled late or never.
    let nextYoungAnalyzeAt = Math.max(batchSize, (await countEveryone(ctx.db, orgId, null)) ?? 0);

    const commit = async (batch: ImportBatch): Promise<void> => {
      const counts: BatchCounts = { rows: batch.rows, created: 0, updated: 0, flagged: 0, rejected: 0 };
      const rejects = [...batch.rejects];
      await ctx.db.transaction().execute(async (trx) => {
        const outcomes = await upsertPeople({ ...ctx, db: trx }, batch.inputs, source, upsertOptions);
        outcomes.forEach((outcome, i) => {
          if (outcome.outcome === 'rejected') {
            const record = batch.records[i] as ImportBatch['records'][number];
            rejects.push({
              line: record.line,
              fields: record.fields,
              reason: outcome.problems.map((p) => `${p.field}: ${p.message}`).join('; '),
            });
          } else {
            counts[outcome.outcome]++;
            if (outcome.flaggedWith.length > 0) counts.flagged++;
          }
        });
        counts.rejected = rejects.length;
        if (rejects.length > 0) await insertRejects(trx, orgId, importId, rejects);
        const advanced = await advanceJob(trx, orgId, importId, lastLine, batch.endLine, counts);
        if (!advanced) {
          throw new AppError(
            'conflict',
            'this file is being imported by another process; wait for it to finish',
          );
        }
      });
      lastLine = batch.endLine;
      totals.rows += counts.rows;
      totals.created += counts.created;
      totals.updated += counts.updated;
      totals.flagged += counts.flagged;
      totals.rejected += counts.rejected;
      rowsThisRun += counts.rows;
      if (rowsThisRun >= nextYoungAnalyzeAt) {
        while (nextYoungAnalyzeAt <= rowsThisRun) nextYoungAnalyzeAt *= 2;
        await analyzePeopleKeys(ctx.db, { force: true });
      } else if (rowsThisRun >= nextAnalyzeAt) {
        while (nextAnalyzeAt <= rowsThisRun) nextAnalyzeAt *= 2;
        await analyzePeopleKeys(ctx.db);
      }
      if (rejectsFile && rejects.length > 0) {
        rejects.sort((a, b) => a.line - b.line);
        await rejectsFile.append(rejects);
      }
      const seconds = (Date.now() - runStarted) / 1000;
      options.onProgress?.({
        importId,
        rowsRead: totals.rows,
        bytesRead: batch.bytesRead,
        totalBytes,
        rowsPerSecond: seconds > 0 ? Math.round(rowsThisRun / seconds) : 0,
        created: totals.created,
        updated: totals.updated,
        flagged: totals.flagged,
        rejected: totals.rejected,
        line: lastLine,
      });
    };

    batches = readBatches({ file: options.file, dialect, plan, afterLine: lastLine, batchSize });
    // One batch commits while the next is read; never more than one commit in flight, so the
    // cursor only moves forward.
    let inflight: Promise<void> = Promise.resolve();
    for await (const batch of batches) {
      await inflight;
      inflight = commit(batch);
      // Surface a failed commit at the next batch without an unhandled rejection meanwhile.
      inflight.catch(() => {});
    }
    await inflight;
    await finishJob(ctx.db, orgId, importId, { status: 'completed' });
    if (rejectsFile) await rejectsFile.close();

    return {
      importId,
      rowsRead: totals.rows,
      created: totals.created,
      updated: totals.updated,
      flagged: totals.flagged,
      rejected: totals.rejected,
      skipped: totals.rows - totals.created - totals.updated - totals.rejected,
      rejectsPath: rejectsFile?.written ? path.resolve(rejectsFile.path) : null,
      resumedFromLine,
      columns: plan.columns.map((c) => ({ column: c.column, field: describeTarget(c.target) })),
      unmappedColumns: plan.unmapped,
      delimiter: dialect.delimiter,
      encoding: dialect.encoding,
      durationMs: Date.now() - started,
    };
  } catch (error) {
    // A conflict means another process owns the job: leave its status alone.
    if (jobId && !(error instanceof AppError && error.code === 'conflict')) {
      const message = error instanceof AppError ? error.message : 'the import stopped on an internal error';
      await finishJob(ctx.db, orgId, jobId, { status: 'failed', error: message }).catch(() => {});
    }
    await rejectsFile?.close().catch(() => {});
    throw error;
  } finally {
    await batches?.return(undefined);
  }
}
