import type { FastifyInstance } from 'fastify';
import { AppError } from '../errors.js';
import { defineRoute } from '../http/route.js';
import {
  ImportIdParams,
  ImportJobView,
  ImportList,
  ImportPreview,
  PreviewImportQuery,
  RejectList,
  RejectsQuery,
  StartImportQuery,
} from './imports.schemas.js';
import {
  getImport,
  listImports,
  listRejects,
  parseMappingPairs,
  rejectsCsv,
  startImportFromUpload,
} from './imports.service.js';
import { previewImport, readSample } from './preview.js';

/**
 * Lets text/csv bodies through as streams: an import upload is written to disk as it arrives,
 * never held in memory (and so is not bound by the JSON body limit).
 */
export function registerCsvBodyParser(app: FastifyInstance): void {
  app.addContentTypeParser(['text/csv', 'application/csv'], (_request, payload, done) => done(null, payload));
}

const isStream = (body: unknown): body is NodeJS.ReadableStream =>
  typeof body === 'object' && body !== null && typeof (body as NodeJS.ReadableStream).pipe === 'function';

export const importRoutes = [
  defineRoute({
    method: 'POST',
    url: '/api/v1/imports',
    policy: { action: 'people.import' },
    summary:
      'Import people from a CSV file sent as the body (Content-Type: text/csv). Answers 202 with the job once the header and mapping are checked; the import goes on in the background.',
    tags: ['imports'],
    query: StartImportQuery,
    response: ImportJobView,
    status: 202,
    handler: async ({ query, ctx, request, reply }) => {
      if (!isStream(request.body)) {
        throw new AppError(
          'unsupported_media_type',
          'send the CSV file as the body with Content-Type: text/csv',
        );
      }
      const job = await startImportFromUpload(ctx, request.body, {
        mapping: parseMappingPairs(query.map),
        tags: query.tag,
        ...(query.unit ? { unitPath: query.unit } : {}),
        ...(query.filename ? { filename: query.filename } : {}),
      });
      reply.header('location', `/api/v1/imports/${job.id}`);
      return job;
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/imports/preview',
    policy: { action: 'people.import' },
    summary:
      'What importing a CSV file would do, from the start of the file sent as the body (text/csv, at most 256 KB): the header, each column’s field and first values, and which sampled rows would be rejected and why. Nothing is stored.',
    tags: ['imports'],
    query: PreviewImportQuery,
    response: ImportPreview,
    handler: async ({ query, ctx, request }) => {
      if (!isStream(request.body)) {
        throw new AppError(
          'unsupported_media_type',
          'send the start of the CSV file as the body with Content-Type: text/csv',
        );
      }
      const sample = await readSample(request.body);
      return await previewImport(ctx, sample, {
        mapping: parseMappingPairs(query.map),
        ...(query.unit ? { unitPath: query.unit } : {}),
        truncated: query.truncated,
      });
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/imports',
    policy: { action: 'people.import' },
    summary: 'The organization’s recent imports, newest first',
    tags: ['imports'],
    response: ImportList,
    handler: async ({ ctx }) => ({ items: await listImports(ctx) }),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/imports/:id',
    policy: { action: 'people.import' },
    summary: 'An import’s status, progress and counts',
    tags: ['imports'],
    params: ImportIdParams,
    response: ImportJobView,
    handler: async ({ params, ctx }) => await getImport(ctx, params.id),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/imports/:id/rejects',
    policy: { action: 'people.import' },
    summary: 'An import’s rejected rows, by line: why each was rejected (the field and column at fault)',
    tags: ['imports'],
    params: ImportIdParams,
    query: RejectsQuery,
    response: RejectList,
    handler: async ({ params, query, ctx }) => ({ items: await listRejects(ctx, params.id, query) }),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/imports/:id/rejects.csv',
    policy: { action: 'people.import' },
    // A CSV stream, not JSON: no response schema, but a 200.
    status: 200,
    summary: 'An import’s rejected rows as CSV: line, reason, then the original columns verbatim',
    tags: ['imports'],
    params: ImportIdParams,
    handler: async ({ params, ctx, reply }) => {
      const stream = await rejectsCsv(ctx, params.id);
      reply.header('content-type', 'text/csv; charset=utf-8');
      reply.header('content-disposition', `attachment; filename="import-${params.id}-rejects.csv"`);
      return stream;
    },
  }),
];
