import { z } from 'zod';
import { defineRoute } from '../http/route.js';
import { FieldInput, FieldPatch, FieldView } from './fields.schemas.js';
import { createField, getField, listFields, updateField } from './fields.service.js';

const Id = z.object({ id: z.uuid() });

export const fieldRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v1/fields',
    policy: { action: 'people.read' },
    summary: 'Custom field definitions, by key (archived ones with include_archived=true)',
    tags: ['fields'],
    query: z.object({
      page: z.coerce.number().int().min(1).default(1),
      per_page: z.coerce.number().int().min(1).max(100).default(100),
      include_archived: z
        .enum(['true', 'false'])
        .default('false')
        .transform((v) => v === 'true'),
    }),
    response: z.object({
      items: z.array(FieldView),
      total: z.number(),
      page: z.number(),
      per_page: z.number(),
    }),
    handler: async ({ query, ctx }) =>
      await listFields(ctx, {
        page: query.page,
        perPage: query.per_page,
        includeArchived: query.include_archived,
      }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/fields',
    policy: { action: 'fields.manage' },
    summary: 'Define a custom field',
    tags: ['fields'],
    body: FieldInput,
    response: FieldView,
    status: 201,
    handler: async ({ body, ctx }) => await createField(ctx, body),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/fields/:id',
    policy: { action: 'people.read' },
    summary: 'One custom field definition',
    tags: ['fields'],
    params: Id,
    response: FieldView,
    handler: async ({ params, ctx }) => await getField(ctx, params.id),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/api/v1/fields/:id',
    policy: { action: 'fields.manage' },
    summary: 'Relabel a field, change its choices or class, or archive it (fields are never deleted)',
    tags: ['fields'],
    params: Id,
    body: FieldPatch,
    response: FieldView,
    handler: async ({ params, body, ctx }) => await updateField(ctx, params.id, body),
  }),
];
