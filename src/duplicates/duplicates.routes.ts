import { z } from 'zod';
import { defineRoute } from '../http/route.js';
import { dismissDuplicate, listDuplicates } from './duplicates.service.js';

const Summary = z.object({
  id: z.string(),
  given_name: z.string().nullable(),
  family_name: z.string().nullable(),
  birthdate: z.string().nullable(),
  email: z.string().nullable(),
  phone: z.string().nullable(),
  postal_code: z.string().nullable(),
});
const PossibleDuplicate = z
  .object({
    id: z.string(),
    reason: z.string(),
    status: z.enum(['open', 'merged', 'dismissed']),
    created_at: z.date(),
    people: z.tuple([Summary, Summary]),
  })
  .meta({ id: 'PossibleDuplicate' });

export const duplicateRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v1/duplicates',
    policy: { action: 'people.read' },
    summary:
      'Possible duplicates to review: pairs the matching engine kept apart because strong identifiers conflict (oldest first)',
    tags: ['duplicates'],
    query: z.object({
      status: z.enum(['open', 'dismissed', 'merged']).default('open'),
      page: z.coerce.number().int().min(1).default(1),
      per_page: z.coerce.number().int().min(1).max(100).default(50),
    }),
    response: z.object({
      items: z.array(PossibleDuplicate),
      total: z.number(),
      page: z.number(),
      per_page: z.number(),
    }),
    handler: async ({ query, ctx }) =>
      await listDuplicates(ctx, { status: query.status, page: query.page, perPage: query.per_page }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/duplicates/:id/dismiss',
    policy: { action: 'people.merge' },
    summary: 'Not the same person: take the pair off the review list',
    tags: ['duplicates'],
    params: z.object({ id: z.uuid() }),
    handler: async ({ params, ctx }) => {
      await dismissDuplicate(ctx, params.id);
    },
  }),
];
