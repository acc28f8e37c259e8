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
