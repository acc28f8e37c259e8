import { parse } from 'csv-parse/sync';
import type { Ctx } from '../context.js';
import { AppError } from '../errors.js';
import { assertAllowed } from '../policy/index.js';
import { describeTarget, MAPPING_FIELDS, planColumns } from './columns.js';
import { countNewlines, sniffBytes } from './csv-source.js';
import { customFieldKeys, unitExists } from './imports.queries.js';
import type { ImportPreview } from './imports.schemas.js';
import { rowMapper } from './row-mapper.js';

/** The largest sample the preview reads: the web app sends the first 64 KB of the file. */
export const PREVIEW_MAX_BYTES = 256 * 1024;
/** Values shown under each column. */
export const PREVIEW_SAMPLES = 5;
/** Rows of the sample checked the way the import will check them. */
export const PREVIEW_CHECKED_ROWS = 50;

/**
 * Reads a request body into memory, refusing one over `maxBytes` (payload_too_large). Only for
 * the preview's sample: an import's file is streamed to disk instead (`saveUpload`).
 */
export async function readSample(body: NodeJS.ReadableStream, maxBytes = PREVIEW_MAX_BYTES): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer | string>) {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    size += bytes.length;
    if (size > maxBytes)
      throw new AppError(
        'payload_too_large',
        `the sample is larger than ${maxBytes} bytes: send the start of the file only`,
      );
    chunks.push(bytes);
  }
  return Buffer.concat(chunks);
}

/**
 * What an import of this file would do, from the start of the file alone: the header as the
 * import reads it (same dialect sniffing, same column plan, same mapping and unit checks, which
 * refuse exactly as the import would), a few values under each column, and the outcome of each
 * sampled row under the import's own row rules. Nothing is stored. `truncated` says the sample
 * is the start of a longer file, so its last line may be cut and is left out.
 */
export async function previewImport(
  ctx: Ctx,
  sample: Buffer,
  options: { mapping: Record<string, string>; unitPath?: string; truncated: boolean },
): Promise<ImportPreview> {
  assertAllowed(ctx.actor, 'people.import');
  const orgId = ctx.actor.orgId;
  const dialect = sniffBytes(sample, !options.truncated);
  let text = new TextDecoder(dialect.encoding).decode(sample);
  if (options.truncated) {
    const lastNewline = text.lastIndexOf('\n');
    if (lastNewline > 0) text = text.slice(0, lastNewline + 1);
  }
  // The import's reader options (csv-source.ts readCsv), on the sample in memory.
  const records = parse(text, {
    delimiter: dialect.delimiter,
    bom: true,
    relax_column_count: true,
    relax_quotes: true,
    skip_records_with_error: true,
  }) as string[][];
  const first = records[0];
  if (!first) throw new AppError('validation_failed', 'the file is empty: a header row is needed');
  const header = first.map((h) => h.replace(/^\uFEFF/, ''));
  const customFields = await customFieldKeys(ctx.db, orgId);
  const plan = planColumns(header, options.mapping, customFields);
  const detected = planColumns(header, {}, customFields);
  if (options.unitPath && !(await unitExists(ctx.db, orgId, options.unitPath))) {
    throw new AppError('validation_failed', `unit: no unit with path ${options.unitPath}`, {
      fields: [{ field: 'unit', message: `no unit with path ${options.unitPath}` }],
    });
  }

  // Line numbers as the import counts them: the header is line 1; a quoted field may span lines.
  const rows: { line: number; fields: string[] }[] = [];
  let next = 1 + 1 + countNewlines(first);
  for (const fields of records.slice(1)) {
    const line = next;
    next += 1 + countNewlines(fields);
    if (fields.length === 1 && fields[0] === '') continue;
    rows.push({ line, fields });
  }

  const map = rowMapper(plan);
  const checked = rows.slice(0, PREVIEW_CHECKED_ROWS).map(({ line, fields }) => {
    const result = map(fields);
    return result.kind === 'reject'
      ? { line, outcome: 'reject' as const, reason: result.reason }
      : { line, outcome: result.kind === 'person' ? ('person' as const) : ('blank' as const), reason: null };
  });
  const field = (columns: typeof plan.columns, index: number): string | null => {
    const planned = columns.find((c) => c.index === index);
    return planned ? describeTarget(planned.target) : null;
  };
  return {
    delimiter: dialect.delimiter,
    encoding: dialect.encoding,
    header,
    columns: header.map((column, index) => ({
      index,
      column,
      field: field(plan.columns, index),
      detected: field(detected.columns, index),
      samples: rows.slice(0, PREVIEW_SAMPLES).map((r) => r.fields[index] ?? ''),
    })),
    fields: [...MAPPING_FIELDS, ...[...customFields].sort().map((key) => `field:${key}`)],
    ready: plan.columns.length > 0,
    sample_bytes: sample.length,
    sample_rows: rows.length,
    rows: checked,
  };
}
