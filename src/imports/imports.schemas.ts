import { z } from 'zod';

const many = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) => (v === undefined ? [] : Array.isArray(v) ? v : [v]));

/** Query of POST /api/v1/imports (the body is the CSV itself, text/csv). */
export const StartImportQuery = z.object({
  map: many.describe('column=field, repeatable (e.g. map=E-mail%3Demail)'),
  tag: many.describe('a tag added to everyone imported, repeatable'),
  unit: z
    .string()
    .regex(/^[a-z0-9_]+(\.[a-z0-9_]+)*$/, 'a unit path like east.oakland')
    .optional()
    .describe('home unit for people who have none'),
  filename: z.string().trim().min(1).max(255).optional().describe('the name to record for the file'),
});

export const ImportIdParams = z.object({ id: z.uuid() });

/** An import job as the API shows it. */
export const ImportJobView = z.object({
  id: z.string(),
  filename: z.string(),
  status: z.enum(['running', 'completed', 'failed']),
  file_size: z.number(),
  rows_read: z.number(),
  created: z.number(),
  updated: z.number(),
  flagged: z.number(),
  rejected: z.number(),
  last_line: z.number(),
  started_at: z.date(),
  updated_at: z.date(),
  finished_at: z.date().nullable(),
  error: z.string().nullable(),
  rejects_url: z.string(),
});
export type ImportJobView = z.infer<typeof ImportJobView>;

export const ImportList = z.object({ items: z.array(ImportJobView) });

/** Query of POST /api/v1/imports/preview (the body is the start of the CSV file, text/csv). */
export const PreviewImportQuery = StartImportQuery.pick({ map: true, unit: true }).extend({
  truncated: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true')
    .describe('true when the body is only the start of a longer file (its last line may be cut)'),
});

/** What an import of a file would do, from its first rows (nothing is stored). */
export const ImportPreview = z.object({
  delimiter: z.string(),
  encoding: z.string(),
  header: z.array(z.string()),
  columns: z.array(
    z.object({
      index: z.number(),
      column: z.string(),
      field: z.string().nullable().describe('where the column goes with this mapping; null: not imported'),
      detected: z.string().nullable().describe('what the header alone says, without a mapping'),
      samples: z.array(z.string()).describe('the column’s values in the first rows'),
    }),
  ),
  fields: z.array(z.string()).describe('the fields a column may be mapped to (besides identifier:SYSTEM)'),
  ready: z.boolean().describe('false when no column goes to a person field (the import would refuse)'),
  sample_bytes: z.number(),
  sample_rows: z.number(),
  rows: z.array(
    z.object({
      line: z.number(),
      outcome: z.enum(['person', 'reject', 'blank']),
      reason: z.string().nullable().describe('why the import would reject the row, naming field and column'),
    }),
  ),
});
export type ImportPreview = z.infer<typeof ImportPreview>;

export const RejectsQuery = z.object({
  after: z.coerce.number().int().min(0).default(0).describe('the line to list after'),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** An import's rejected rows: the line of the file and the reason, naming field and column. */
export const RejectList = z.object({
  items: z.array(z.object({ line: z.number(), reason: z.string() })),
});
