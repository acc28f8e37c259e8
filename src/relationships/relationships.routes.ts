import { z } from 'zod';
import { defineRoute } from '../http/route.js';
import { RelationshipInput, RelationshipView } from './relationships.schemas.js';
import { addRelationship, deleteRelationship, listRelationships } from './relationships.service.js';

const PersonId = z.object({ id: z.uuid() });

export const relationshipRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v1/people/:id/relationships',
    policy: { action: 'people.read' },
    summary: "A person's relationships, both directions (direction says which side this person is)",
    tags: ['relationships'],
    params: PersonId,
    query: z.object({
      page: z.coerce.number().int().min(1).default(1),
      per_page: z.coerce.number().int().min(1).max(100).default(50),
    }),
    response: z.object({
      items: z.array(RelationshipView),
      total: z.number(),
      page: z.number(),
      per_page: z.number(),
    }),
    handler: async ({ params, query, ctx }) =>
      await listRelationships(ctx, params.id, { page: query.page, perPage: query.per_page }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/people/:id/relationships',
    policy: { action: 'people.write' },
    summary: 'Relate this person to another (recruited_by, household, works_with, or custom with a label)',
    tags: ['relationships'],
    params: PersonId,
    body: RelationshipInput,
    response: RelationshipView,
    status: 201,
    handler: async ({ params, body, ctx }) => await addRelationship(ctx, params.id, body),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/v1/people/:id/relationships/:relationshipId',
    policy: { action: 'people.write' },
    summary: 'Remove a relationship',
    tags: ['relationships'],
    params: z.object({ id: z.uuid(), relationshipId: z.uuid() }),
    handler: async ({ params, ctx }) => {
      await deleteRelationship(ctx, params.id, params.relationshipId);
    },
  }),
];
