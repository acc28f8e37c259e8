import { z } from 'zod';
import { defineRoute } from '../http/route.js';
import {
  CanvasserInput,
  DoorInput,
  DoorResultView,
  TurfInput,
  TurfPatch,
  TurfPeopleView,
  TurfView,
  WalkListInput,
  WalkListView,
  WalkSheetView,
} from './turf.schemas.js';
import { createTurf, deleteTurf, getTurf, listTurfs, turfPeople, updateTurf } from './turf.service.js';
import {
  addCanvasser,
  closeWalkList,
  createWalkList,
  getWalkList,
  listWalkLists,
  recordDoor,
  removeCanvasser,
  walkSheet,
} from './walk-lists.service.js';
import { walkSheetCsv, walkSheetHtml } from './walk-sheet.js';

const Id = z.object({ id: z.uuid() });
const CanvasserId = z.object({ id: z.uuid(), userId: z.uuid() });
const DoorId = z.object({ id: z.uuid(), doorId: z.uuid() });

export const turfRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v1/turfs',
    policy: { action: 'turf.manage' },
    summary: 'The turfs of the units where you manage turf',
    tags: ['turf'],
    response: z.object({ items: z.array(TurfView) }),
    handler: async ({ ctx }) => ({ items: await listTurfs(ctx) }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/turfs',
    policy: { action: 'turf.manage' },
    summary: 'Draw a turf for a unit: a GeoJSON polygon or multipolygon, or a set of ZIP codes',
    tags: ['turf'],
    body: TurfInput,
    response: TurfView,
    status: 201,
    handler: async ({ body, ctx }) => await createTurf(ctx, body),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/turfs/:id',
    policy: { action: 'turf.manage' },
    summary: 'A turf',
    tags: ['turf'],
    params: Id,
    response: TurfView,
    handler: async ({ params, ctx }) => await getTurf(ctx, params.id),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/api/v1/turfs/:id',
    policy: { action: 'turf.manage' },
    summary:
      'Rename a turf, move it to another unit, or give it a new polygon or ZIP codes (walk lists already cut keep their doors)',
    tags: ['turf'],
    params: Id,
    body: TurfPatch,
    response: TurfView,
    handler: async ({ params, body, ctx }) => await updateTurf(ctx, params.id, body),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/v1/turfs/:id',
    policy: { action: 'turf.manage' },
    summary: 'Delete a turf and its closed walk lists (409 while an open walk list uses it)',
    tags: ['turf'],
    params: Id,
    handler: async ({ params, ctx }) => {
      await deleteTurf(ctx, params.id);
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/turfs/:id/people',
    policy: { action: 'turf.manage' },
    summary: 'Who lives in a turf (of the people you may read with their street address)',
    tags: ['turf'],
    params: Id,
    response: TurfPeopleView,
    handler: async ({ params, ctx }) => await turfPeople(ctx, params.id),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/walk-lists',
    policy: { action: 'people.read' },
    summary: 'Walk lists of the turfs you manage, and those you canvass',
    tags: ['walk lists'],
    response: z.object({ items: z.array(WalkListView) }),
    handler: async ({ ctx }) => ({ items: await listWalkLists(ctx) }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/walk-lists',
    policy: { action: 'turf.manage' },
    summary: 'Cut a walk list from a turf: its people by household, in walking order',
    tags: ['walk lists'],
    body: WalkListInput,
    response: WalkListView,
    status: 201,
    handler: async ({ body, ctx }) => await createWalkList(ctx, body),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/walk-lists/:id',
    policy: { action: 'people.read' },
    summary: 'A walk list, its canvassers and progress',
    tags: ['walk lists'],
    params: Id,
    response: WalkListView,
    handler: async ({ params, ctx }) => await getWalkList(ctx, params.id),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/walk-lists/:id/sheet',
    policy: { action: 'people.read' },
    summary: 'The walk sheet: doors in walking order with the residents as you may see them',
    tags: ['walk lists'],
    params: Id,
    response: WalkSheetView,
    handler: async ({ params, ctx }) => await walkSheet(ctx, params.id),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/walk-lists/:id/sheet.csv',
    policy: { action: 'people.read' },
    summary: 'The walk sheet as CSV, to print',
    tags: ['walk lists'],
    params: Id,
    handler: async ({ params, ctx, reply }) => {
      const csv = walkSheetCsv(await walkSheet(ctx, params.id));
      return reply
        .header('content-type', 'text/csv; charset=utf-8')
        .header('content-disposition', 'attachment; filename="walk-list.csv"')
        .send(csv);
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/walk-lists/:id/sheet.html',
    policy: { action: 'people.read' },
    summary: 'The walk sheet as a page to print (result boxes, room for notes)',
    tags: ['walk lists'],
    params: Id,
    handler: async ({ params, ctx, reply }) => {
      const page = walkSheetHtml(await walkSheet(ctx, params.id));
      return reply
        .header('content-type', 'text/html; charset=utf-8')
        .header('content-security-policy', "default-src 'none'; style-src 'unsafe-inline'")
        .send(page);
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/walk-lists/:id/canvassers',
    policy: { action: 'turf.manage' },
    summary: "Assign a canvasser (a list assignment: first name and street address of the list's people)",
    tags: ['walk lists'],
    params: Id,
    body: CanvasserInput,
    response: WalkListView,
    status: 201,
    handler: async ({ params, body, ctx }) => await addCanvasser(ctx, params.id, body),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/v1/walk-lists/:id/canvassers/:userId',
    policy: { action: 'turf.manage' },
    summary: 'Remove a canvasser: their assignment ends',
    tags: ['walk lists'],
    params: CanvasserId,
    handler: async ({ params, ctx }) => {
      await removeCanvasser(ctx, params.id, params.userId);
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/walk-lists/:id/close',
    policy: { action: 'turf.manage' },
    summary: "Close a walk list: every canvasser's assignment ends",
    tags: ['walk lists'],
    params: Id,
    response: WalkListView,
    handler: async ({ params, ctx }) => await closeWalkList(ctx, params.id),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/walk-lists/:id/doors/:doorId',
    policy: { action: 'people.read' },
    summary: 'Canvassers: record a door (talked, not home, moved, refused; answers; note) in one request',
    tags: ['walk lists'],
    params: DoorId,
    body: DoorInput,
    response: DoorResultView,
    status: 201,
    handler: async ({ params, body, ctx }) => await recordDoor(ctx, params.id, params.doorId, body),
  }),
];
