import { PassThrough } from 'node:stream';
import { z } from 'zod';
import { defineRoute } from '../http/route.js';
import { exportColumns, exportPeopleCsv } from './export-people.js';

const ExportPeopleQuery = z.object({
  columns: z
    .string()
    .optional()
    .describe(
      'Comma-separated columns (default: id, names, primary email, phone and address, tags, ...); field:KEY for custom fields',
    ),
  tag: z.string().trim().min(1).max(100).optional().describe('Only people with this tag'),
  unit: z
    .string()
    .regex(/^[a-z0-9_]+(\.[a-z0-9_]+)*$/, 'a unit path like east.oakland')
    .optional()
    .describe('Only people in this unit or under it'),
  list: z.uuid().optional().describe('Only people on this list'),
  updated_since: z.coerce.date().optional(),
});

export const exportRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v1/people.csv',
    policy: { action: 'people.export' },
    // A CSV stream, not JSON: no response schema, but a 200.
    status: 200,
    summary: 'Export people as CSV, streamed (any number of rows)',
    tags: ['exports'],
    query: ExportPeopleQuery,
    handler: async ({ query, ctx, reply }) => {
      // Columns are checked before the first byte goes out, so a typo is a 400 and a column the
      // caller may not export a 403, not a broken (or never-ending) file.
      const columns = await exportColumns(ctx, query.columns?.split(','));
      const out = new PassThrough();
      exportPeopleCsv(ctx, {
        out,
        columns,
        filters: {
          ...(query.tag ? { tag: query.tag } : {}),
          ...(query.unit ? { unit: query.unit } : {}),
          ...(query.list ? { list: query.list } : {}),
          ...(query.updated_since ? { updatedSince: query.updated_since } : {}),
        },
      }).catch((error: unknown) => {
        ctx.log.error({ err: error }, 'export stopped');
      });
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header('content-disposition', 'attachment; filename="people.csv"');
      return out;
    },
  }),
];
