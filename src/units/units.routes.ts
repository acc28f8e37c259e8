import { z } from 'zod';
import { defineRoute } from '../http/route.js';
import {
  addUnit,
  getUnit,
  getUnitByPath,
  listUnits,
  renameUnit,
  UNIT_KINDS,
  UNIT_PATH,
  UnitInput,
  UnitPatch,
} from './units.service.js';

const Unit = z
  .object({
    id: z.string(),
    path: z.string(),
    name: z.string(),
    kind: z.enum(UNIT_KINDS),
    created_at: z.date(),
  })
  .meta({ id: 'Unit' });

export const unitRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v1/units',
    policy: { action: 'units.read' },
    summary: "List the organization's units in tree order",
    tags: ['units'],
    query: z.object({
      reach: z
        .enum(['people.read'])
        .optional()
        .describe('Only the units whose people the caller may read (the subtrees of their grants)'),
    }),
    response: z.object({ items: z.array(Unit) }),
    handler: async ({ ctx, query }) => ({
      items: await listUnits(ctx, query.reach ? { reach: query.reach } : {}),
    }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/units',
    policy: { action: 'units.manage' },
    summary: 'Add a unit (its parent must exist)',
    tags: ['units'],
    body: UnitInput,
    response: Unit,
    status: 201,
    handler: async ({ body, ctx }) => await addUnit(ctx, body),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/units/:id',
    policy: { action: 'units.read' },
    summary: 'Get a unit by its id or its path (like east.oakland)',
    tags: ['units'],
    params: z.object({
      id: z.union([z.uuid(), z.string().regex(UNIT_PATH)], {
        error: 'a unit id or a path like east.oakland',
      }),
    }),
    response: Unit,
    handler: async ({ params, ctx }) =>
      UNIT_PATH.test(params.id) && !params.id.includes('-')
        ? await getUnitByPath(ctx, params.id)
        : await getUnit(ctx, params.id),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/api/v1/units/:id',
    policy: { action: 'units.manage' },
    summary: 'Rename a unit (its path stays)',
    tags: ['units'],
    params: z.object({ id: z.uuid() }),
    body: UnitPatch,
    response: Unit,
    handler: async ({ params, body, ctx }) => await renameUnit(ctx, params.id, body),
  }),
];
