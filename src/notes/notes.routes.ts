import { z } from 'zod';
import { defineRoute } from '../http/route.js';
import {
  ActivityInput,
  ActivityPatch,
  ActivityView,
  NoteInput,
  NoteView,
  Paging,
  TimelineEntry,
} from './notes.schemas.js';
import {
  addActivity,
  addNote,
  deleteActivity,
  deleteNote,
  listActivities,
  listNotes,
  updateActivity,
  updateNote,
} from './notes.service.js';
import { personTimeline } from './timeline.service.js';

const PersonId = z.object({ id: z.uuid() });
const NoteId = z.object({ id: z.uuid(), noteId: z.uuid() });
const ActivityId = z.object({ id: z.uuid(), activityId: z.uuid() });
const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), total: z.number(), page: z.number(), per_page: z.number() });

export const noteRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v1/people/:id/notes',
    policy: { action: 'people.read' },
    summary: "A person's notes, newest first",
    tags: ['notes'],
    params: PersonId,
    query: Paging,
    response: page(NoteView),
    handler: async ({ params, query, ctx }) =>
      await listNotes(ctx, params.id, { page: query.page, perPage: query.per_page }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/people/:id/notes',
    policy: { action: 'people.write' },
    summary: 'Add a note to a person',
    tags: ['notes'],
    params: PersonId,
    body: NoteInput,
    response: NoteView,
    status: 201,
    handler: async ({ params, body, ctx }) => await addNote(ctx, params.id, body),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/api/v1/people/:id/notes/:noteId',
    policy: { action: 'people.write' },
    summary: 'Edit a note',
    tags: ['notes'],
    params: NoteId,
    body: NoteInput,
    response: NoteView,
    handler: async ({ params, body, ctx }) => await updateNote(ctx, params.id, params.noteId, body),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/v1/people/:id/notes/:noteId',
    policy: { action: 'people.write' },
    summary: 'Delete a note',
    tags: ['notes'],
    params: NoteId,
    handler: async ({ params, ctx }) => {
      await deleteNote(ctx, params.id, params.noteId);
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/people/:id/activities',
    policy: { action: 'people.read' },
    summary:
      "A person's activity timeline (calls, one-on-ones, door knocks...), newest first; notes are at .../notes",
    tags: ['activities'],
    params: PersonId,
    query: Paging,
    response: page(ActivityView),
    handler: async ({ params, query, ctx }) =>
      await listActivities(ctx, params.id, { page: query.page, perPage: query.per_page }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/people/:id/activities',
    policy: { action: 'people.write' },
    summary: 'Log an activity with a person',
    tags: ['activities'],
    params: PersonId,
    body: ActivityInput,
    response: ActivityView,
    status: 201,
    handler: async ({ params, body, ctx }) => await addActivity(ctx, params.id, body),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/api/v1/people/:id/activities/:activityId',
    policy: { action: 'people.write' },
    summary: 'Edit an activity',
    tags: ['activities'],
    params: ActivityId,
    body: ActivityPatch,
    response: ActivityView,
    handler: async ({ params, body, ctx }) => await updateActivity(ctx, params.id, params.activityId, body),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/v1/people/:id/activities/:activityId',
    policy: { action: 'people.write' },
    summary: 'Delete an activity',
    tags: ['activities'],
    params: ActivityId,
    handler: async ({ params, ctx }) => {
      await deleteActivity(ctx, params.id, params.activityId);
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/people/:id/timeline',
    policy: { action: 'people.read' },
    summary: "A person's notes and activities as one list, newest first",
    tags: ['activities'],
    params: PersonId,
    query: Paging,
    response: page(TimelineEntry),
    handler: async ({ params, query, ctx }) =>
      await personTimeline(ctx, params.id, { page: query.page, perPage: query.per_page }),
  }),
];
