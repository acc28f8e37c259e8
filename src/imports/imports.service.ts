import { PassThrough, type Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import type { Ctx } from '../context.js';
import { AppError, invalid, notFound } from '../errors.js';
import { assertAllowed } from '../policy/index.js';
import { runPeopleImport } from './import-people.js';
import { findJob, type ImportJobRow, type RejectRow, rejectsPage } from './imports.queries.js';
import type { ImportJobView } from './imports.schemas.js';
import { rejectLine, rejectsHeader } from './rejects-file.js';
import { saveUpload } from './upload.js';

export function jobView(job: ImportJobRow): ImportJobView {
  return {
    id: job.id,
    filename: job.filename,
    status: job.status,
    file_size: Number(job.file_size),
    rows_read: Number(job.rows_read),
    created: Number(job.created_count),
    updated: Number(job.updated_count),
    flagged: Number(job.flagged_count),
    rejected: Number(job.rejected_count),
    last_line: Number(job.last_line),
    started_at: job.started_at,
    updated_at: job.updated_at,
    finished_at: job.finished_at,
    error: job.error,
    rejects_url: `/api/v1/imports/${job.id}/rejects.csv`,
  };
}

/** column=field pairs (split at the last "=": field names never hold one) into a mapping. */
export function parseMappingPairs(pairs: string[], field = 'map'): Record<string, string> {
  const mapping: Record<string, string> = {};
  for (const pair of pairs) {
    const at = pair.lastIndexOf('=');
    if (at <= 0 || at === pair.length - 1) throw invalid(field, `"${pair}": use column=field`);
    mapping[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return mapping;
}

/**
 * Takes an uploaded CSV (streamed to a temporary file), checks what can be checked before any row
 * is read (mapping, unit, header), and starts the import in the background. Answers with the job
 * once it exists; the import goes on after the response, batch by batch, and its progress is in
 * the job. The temporary file is removed when the import ends.
 */
export async function startImportFromUpload(
  ctx: Ctx,
  body: NodeJS.ReadableStream,
  options: { mapping: Record<string, string>; tags: string[]; unitPath?: string; filename?: string },
): Promise<ImportJobView> {
  assertAllowed(ctx.actor, 'people.import');
  const upload = await saveUpload(body);
  let resolveStarted!: (id: string) => void;
  const started = new Promise<string>((resolve) => {
    resolveStarted = resolve;
  });
  const run = runPeopleImport(ctx, {
    file: upload.file,
    sha256: upload.sha256,
    filename: options.filename ?? 'upload.csv',
    mapping: options.mapping,
    tags: options.tags,
    ...(options.unitPath ? { unitPath: options.unitPath } : {}),
    onStart: resolveStarted,
  });
  const finished = run
    .catch((error: unknown) => {
      ctx.log.warn({ err: error }, 'import stopped');
    })
    .finally(() => upload.remove());
  // Whichever comes first: the job exists (202), or the import failed before it started (4xx).
  const first = await Promise.race([started, run.then(() => null)]);
  const id = first ?? (await started);
  void finished;
  const job = await findJob(ctx.db, ctx.actor.orgId, id);
  if (!job) throw new AppError('internal', 'import job vanished');
  return jobView(job);
}

export async function getImport(ctx: Ctx, id: string): Promise<ImportJobView> {
  assertAllowed(ctx.actor, 'people.import');
  const job = await findJob(ctx.db, ctx.actor.orgId, id);
  if (!job) throw notFound('import');
  return jobView(job);
}

export async function listImports(ctx: Ctx, limit = 50): Promise<ImportJobView[]> {
  assertAllowed(ctx.actor, 'people.import');
  const rows = await ctx.db
    .selectFrom('import_job')
    .select(['id'])
    .where('org_id', '=', ctx.actor.orgId)
    .orderBy('started_at', 'desc')
    .limit(limit)
    .execute();
  const jobs = await Promise.all(rows.map((r) => findJob(ctx.db, ctx.actor.orgId, r.id)));
  return jobs.filter((j): j is ImportJobRow => j !== undefined).map(jobView);
}

/** An import's rejects as CSV (line, reason, then the file's own columns), streamed by pages. */
export async function rejectsCsv(ctx: Ctx, id: string): Promise<Readable> {
  assertAllowed(ctx.actor, 'people.import');
  const job = await findJob(ctx.db, ctx.actor.orgId, id);
  if (!job) throw notFound('import');
  const options = (typeof job.options === 'string' ? JSON.parse(job.options) : job.options) as {
    header?: string[];
  };
  const out = new PassThrough();
  const orgId = ctx.actor.orgId;
  void (async () => {
    try {
      out.write(stringify([rejectsHeader(options.header ?? [])]));
      let after = 0;
      for (;;) {
        const page = await rejectsPage(ctx.db, orgId, id, after, 2000);
        if (page.length === 0) break;
        if (!out.write(stringify(page.map(rejectLine)))) await new Promise((r) => out.once('drain', r));
        after = (page[page.length - 1] as RejectRow).line;
      }
      out.end();
    } catch (error) {
      out.destroy(error instanceof Error ? error : undefined);
    }
  })();
  return out;
}

/** A page of an import's rejects (line and reason), for a reader rather than a spreadsheet. */
export async function listRejects(
  ctx: Ctx,
  id: string,
  page: { after: number; limit: number },
): Promise<{ line: number; reason: string }[]> {
  assertAllowed(ctx.actor, 'people.import');
  const job = await findJob(ctx.db, ctx.actor.orgId, id);
  if (!job) throw notFound('import');
  const rows = await rejectsPage(ctx.db, ctx.actor.orgId, id, page.after, page.limit);
  return rows.map((r) => ({ line: r.line, reason: r.reason }));
}
