import { z } from 'zod';
import { defineRoute } from '../http/route.js';
import { addUnit, getUnit, listUnits, UNIT_KINDS, UnitInput } from './units.service.js';

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
    response: z.object({ items: z.array(Unit) }),
    handler: async ({ ctx }) => ({ items: await listUnits(ctx) }),
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
    summary: 'Get a unit',
    tags: ['units'],
    params: z.object({ id: z.uuid() }),
    response: Unit,
    handler: async ({ params, ctx }) => await getUnit(ctx, params.id),
  }),
];
