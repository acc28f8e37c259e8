import { z } from 'zod';
import { pageOf } from '../http/paging.js';
import { defineRoute } from '../http/route.js';
import {
  FollowUpInput,
  FollowUpPatch,
  FollowUpView,
  MineQuery,
  OneOnOneInput,
  OneOnOneView,
  PointPersonInput,
  PointPersonView,
} from './followups.schemas.js';
import {
  addFollowUp,
  listFollowUps,
  listOneOnOnes,
  logOneOnOne,
  myFollowUps,
  updateFollowUp,
} from './followups.service.js';
import { clearPointPerson, getPointPerson, setPointPerson } from './point-person.service.js';

const Id = z.object({ id: z.uuid() });

export const followUpRoutes = [
  defineRoute({
    method: 'POST',
    url: '/api/v1/people/:id/one-on-ones',
    policy: { action: 'people.write' },
    summary:
      'Log a one-on-one (when, by whom, notes, interests, next step, optional follow-up) on the person’s timeline',
    tags: ['one-on-ones'],
    params: Id,
    body: OneOnOneInput,
    response: OneOnOneView,
    status: 201,
    handler: async ({ params, body, ctx }) => await logOneOnOne(ctx, params.id, body),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/people/:id/one-on-ones',
    policy: { action: 'people.read' },
    summary: "A person's one-on-ones, newest first",
    tags: ['one-on-ones'],
    params: Id,
    response: z.object({ items: z.array(OneOnOneView.omit({ follow_up: true })) }),
    handler: async ({ params, ctx }) => ({ items: await listOneOnOnes(ctx, params.id) }),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/people/:id/follow-ups',
    policy: { action: 'people.read' },
    summary: "A person's follow-ups, open first, by due date",
    tags: ['follow-ups'],
    params: Id,
    response: z.object({ items: z.array(FollowUpView) }),
    handler: async ({ params, ctx }) => ({ items: await listFollowUps(ctx, params.id) }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/people/:id/follow-ups',
    policy: { action: 'people.write' },
    summary: 'Add a follow-up about a person, with a due date and an owner (the caller by default)',
    tags: ['follow-ups'],
    params: Id,
    body: FollowUpInput,
    response: FollowUpView,
    status: 201,
    handler: async ({ params, body, ctx }) => await addFollowUp(ctx, params.id, body),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/api/v1/follow-ups/:id',
    policy: { action: 'people.write' },
    summary: 'Change a follow-up, hand it to someone else, or mark it done or cancelled',
    tags: ['follow-ups'],
    params: Id,
    body: FollowUpPatch,
    response: FollowUpView,
    handler: async ({ params, body, ctx }) => await updateFollowUp(ctx, params.id, body),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/follow-ups/mine',
    policy: { action: 'people.read' },
    summary: "The caller's open follow-ups: all, due soon, or overdue",
    tags: ['follow-ups'],
    query: MineQuery,
    response: pageOf(FollowUpView),
    handler: async ({ query, ctx }) => await myFollowUps(ctx, query),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/people/:id/point-person',
    policy: { action: 'people.read' },
    summary: 'The organizer who owns the relationship with this person',
    tags: ['point person'],
    params: Id,
    response: PointPersonView,
    handler: async ({ params, ctx }) => await getPointPerson(ctx, params.id),
  }),
  defineRoute({
    method: 'PUT',
    url: '/api/v1/people/:id/point-person',
    policy: { action: 'people.write' },
    summary: "Make a user (who can see the person) the person's point person",
    tags: ['point person'],
    params: Id,
    body: PointPersonInput,
    response: PointPersonView,
    handler: async ({ params, body, ctx }) => await setPointPerson(ctx, params.id, body.user_id),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/v1/people/:id/point-person',
    policy: { action: 'people.write' },
    summary: 'Leave the person without a point person',
    tags: ['point person'],
    params: Id,
    handler: async ({ params, ctx }) => {
      await clearPointPerson(ctx, params.id);
    },
  }),
];
