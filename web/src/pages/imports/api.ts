/**
 * The import and duplicate-review APIs as these screens use them (src/imports, src/duplicates,
 * src/merges). Types are what the API returns for the signed-in user.
 */
import { api, type Person } from '../../api.js';

/** The start of a file the preview reads (the server takes at most 256 KB). */
export const SAMPLE_BYTES = 64 * 1024;

export interface PreviewColumn {
  index: number;
  column: string;
  /** Where the column goes with the mapping sent; null: not imported. */
  field: string | null;
  /** What the header alone says. */
  detected: string | null;
  samples: string[];
}

export interface ImportPreview {
  delimiter: string;
  encoding: string;
  header: string[];
  columns: PreviewColumn[];
  fields: string[];
  ready: boolean;
  sample_bytes: number;
  sample_rows: number;
  rows: { line: number; outcome: 'person' | 'reject' | 'blank'; reason: string | null }[];
}

export interface ImportJob {
  id: string;
  filename: string;
  status: 'running' | 'completed' | 'failed';
  file_size: number;
  rows_read: number;
  created: number;
  updated: number;
  flagged: number;
  rejected: number;
  last_line: number;
  error: string | null;
  rejects_url: string;
}

export interface ImportOptions {
  /** column → field, only where the user chose otherwise than the header says. */
  mapping: Record<string, string>;
  tags: string[];
  unit: string;
}

function importQuery(options: ImportOptions, extra: Record<string, string> = {}): string {
  const params = new URLSearchParams();
  for (const [column, field] of Object.entries(options.mapping)) params.append('map', `${column}=${field}`);
  for (const tag of options.tags) params.append('tag', tag);
  if (options.unit) params.set('unit', options.unit);
  for (const [key, value] of Object.entries(extra)) params.set(key, value);
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** The server reads CSV bodies as text/csv whatever type the browser gave the file. */
const asCsv = (file: File, end = file.size): Blob => file.slice(0, end, 'text/csv');

export const previewImport = (file: File, options: ImportOptions): Promise<ImportPreview> =>
  api<ImportPreview>(
    'POST',
    `/api/v1/imports/preview${importQuery(options, { truncated: String(file.size > SAMPLE_BYTES) })}`,
    asCsv(file, Math.min(file.size, SAMPLE_BYTES)),
  );

export const startImport = (file: File, options: ImportOptions): Promise<ImportJob> =>
  api<ImportJob>('POST', `/api/v1/imports${importQuery(options, { filename: file.name })}`, asCsv(file));

export const getImport = (id: string): Promise<ImportJob> =>
  api<ImportJob>('GET', `/api/v1/imports/${encodeURIComponent(id)}`);

export const listRejects = (id: string): Promise<{ items: { line: number; reason: string }[] }> =>
  api('GET', `/api/v1/imports/${encodeURIComponent(id)}/rejects?limit=100`);

export interface DuplicateSummary {
  id: string;
  given_name: string | null;
  family_name: string | null;
  birthdate: string | null;
  email: string | null;
  phone: string | null;
  postal_code: string | null;
}

export interface PossibleDuplicate {
  id: string;
  reason: string;
  status: 'open' | 'merged' | 'dismissed';
  created_at: string;
  people: [DuplicateSummary, DuplicateSummary];
}

export const dismissDuplicate = (id: string): Promise<void> =>
  api<void>('POST', `/api/v1/duplicates/${encodeURIComponent(id)}/dismiss`);

export interface Pair {
  survivor_id: string;
  merged_id: string;
}

export const previewMerge = (pair: Pair): Promise<Person> =>
  api<Person>('POST', '/api/v1/people/merge/preview', pair);

export const mergePeople = (pair: Pair): Promise<{ merge_id: string; person: Person }> =>
  api('POST', '/api/v1/people/merge', pair);

export const undoMerge = (id: string): Promise<{ survivor: Person; restored: Person }> =>
  api('POST', `/api/v1/merges/${encodeURIComponent(id)}/undo`);
