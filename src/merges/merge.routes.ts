import { z } from 'zod';
import { defineRoute } from '../http/route.js';
import { PersonViewSchema } from '../people/index.js';
import { listMerges, mergePeople, previewMerge, undoMerge } from './merge.js';

const Pair = z.object({ survivor_id: z.uuid(), merged_id: z.uuid() });
const Merge = z.object({
  id: z.string(),
  survivor_id: z.string(),
  merged_id: z.string(),
  merged_at: z.date(),
  merged_by: z.string().nullable(),
  undone_at: z.date().nullable(),
});

export const mergeRoutes = [
  defineRoute({
    method: 'POST',
    url: '/api/v1/people/merge/preview',
    policy: { action: 'people.merge' },
    summary: 'The person a merge would produce (nothing is written)',
    tags: ['merges'],
    body: Pair,
    response: PersonViewSchema,
    handler: async ({ body, ctx }) => await previewMerge(ctx, body.survivor_id, body.merged_id),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/people/merge',
    policy: { action: 'people.merge' },
    summary: 'Merge one person into another (recorded; can be undone)',
    tags: ['merges'],
    body: Pair,
    response: z.object({ merge_id: z.string(), person: PersonViewSchema }),
    handler: async ({ body, ctx }) => await mergePeople(ctx, body.survivor_id, body.merged_id),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/merges/:id/undo',
    policy: { action: 'people.merge' },
    summary: 'Undo a merge: both people come back exactly as they were',
    tags: ['merges'],
    params: z.object({ id: z.uuid() }),
    response: z.object({ survivor: PersonViewSchema, restored: PersonViewSchema }),
    handler: async ({ params, ctx }) => await undoMerge(ctx, params.id),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/people/:id/merges',
    policy: { action: 'people.read' },
    summary: 'Merges this person took part in',
    tags: ['merges'],
    params: z.object({ id: z.uuid() }),
    response: z.object({ items: z.array(Merge) }),
    handler: async ({ params, ctx }) => ({ items: await listMerges(ctx, params.id) }),
  }),
];
