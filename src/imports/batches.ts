import type { PersonInput } from '../people/people.schemas.js';
import type { ColumnPlan } from './columns.js';
import { type CsvDialect, readCsv } from './csv-source.js';
import type { RejectRow } from './imports.queries.js';
import { rowMapper } from './row-mapper.js';

/** Rows of the file mapped to people, ready for one transaction of the importer. */
export interface ImportBatch {
  inputs: PersonInput[];
  /** Where each input came from (same index): a rejected person is stored as its source record. */
  records: { line: number; fields: string[] }[];
  /** Rows the parser or the mapper refused. */
  rejects: RejectRow[];
  /** Data rows in the batch, blank ones and rejects included (empty lines are no rows). */
  rows: number;
  blank: number;
  /** The last source line the batch covers: once it commits, a resume starts after it. */
  endLine: number;
  /** Bytes of the file read when the batch was cut, for progress. */
  bytesRead: number;
}

export interface BatchSourceOptions {
  file: string;
  dialect: CsvDialect;
  plan: ColumnPlan;
  /** Skip the records that end on or before this line (a resumed import's cursor; 0 for none). */
  afterLine: number;
  batchSize: number;
}

/** The file's first record, or null for an empty file. */
export async function readHeader(file: string, dialect: CsvDialect): Promise<string[] | null> {
  const reader = readCsv(file, dialect);
  try {
    for await (const record of reader.records) return record.fields.map((h) => h.replace(/^\uFEFF/, ''));
    return null;
  } finally {
    reader.close();
  }
}

/**
 * The file's data rows (after its header record), mapped and cut into batches of `batchSize` rows.
 * Records the parser cannot read come after the last readable one, so they never move the cursor:
 * a resume reads them again, and their reject is stored once.
 */
export async function* readBatches(options: BatchSourceOptions): AsyncGenerator<ImportBatch> {
  const reader = readCsv(options.file, options.dialect);
  const map = rowMapper(options.plan);
  const fresh = (): ImportBatch => ({
    inputs: [],
    records: [],
    rejects: [],
    rows: 0,
    blank: 0,
    endLine: 0,
    bytesRead: 0,
  });
  let batch = fresh();
  // The end line of the last batch handed out.
  let handedLine = options.afterLine;
  let header = true;
  try {
    for await (const record of reader.records) {
      if (header) {
        header = false;
        continue;
      }
      if (record.endLine <= options.afterLine && !record.error) continue;
      batch.endLine = Math.max(batch.endLine, record.error ? handedLine : record.endLine);
      // An empty line is no row at all.
      if (record.fields.length === 1 && record.fields[0] === '' && !record.error) continue;
      batch.rows++;
      if (record.error) {
        batch.rejects.push({ line: record.line, reason: record.error, fields: record.fields });
      } else {
        const result = map(record.fields);
        if (result.kind === 'person') {
          batch.inputs.push(result.input);
          batch.records.push({ line: record.line, fields: record.fields });
        } else if (result.kind === 'reject') {
          batch.rejects.push({ line: record.line, reason: result.reason, fields: record.fields });
        } else batch.blank++;
      }
      if (batch.rows >= options.batchSize) {
        batch.bytesRead = reader.bytesRead();
        handedLine = Math.max(handedLine, batch.endLine);
        yield batch;
        batch = fresh();
      }
    }
    if (batch.rows > 0) {
      batch.bytesRead = reader.bytesRead();
      yield batch;
    }
  } finally {
    reader.close();
  }
}
