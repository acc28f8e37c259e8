import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { defineRoute } from '../http/route.js';
import {
  messages,
  notFoundPage,
  type PageOptions,
  publicFieldErrors,
  requestLocale,
  sendPage,
  signupFromPost,
  signupPosted,
} from '../signup/index.js';
import { eventThanks, eventPage as renderEventPage } from './events.page.js';
import {
  CheckInInput,
  EventInput,
  EventPatch,
  EventQuery,
  EventView,
  HostInput,
  PublicRsvpInput,
  RsvpView,
  ShiftDeleteQuery,
  ShiftInput,
  ShiftPatch,
  ShiftView,
  WalkInInput,
} from './events.schemas.js';
import {
  addHost,
  addShift,
  approveEvent,
  createEvent,
  deleteEvent,
  getEvent,
  listEvents,
  listHosts,
  removeHost,
  removeShift,
  updateEvent,
  updateShift,
} from './events.service.js';
import { publicEvents, toAtom, toGeoJson, toIcs } from './feeds.js';
import { checkIn, listAttendees, publicRsvp, walkIn } from './rsvps.service.js';
import { whatNext } from './what-next.service.js';

const TAGS = ['events'];
const FEED = { public: true, reason: 'public events are published to calendars and maps' } as const;
const Slug = z.object({ slug: z.string().min(1).max(100) });
const origin = (request: FastifyRequest) => `${request.protocol}://${request.headers.host ?? 'localhost'}`;
const eventPage = (request: FastifyRequest) => (id: string) =>
  `${origin(request)}/api/v1/public/events/${id}`;
const Id = z.object({ id: z.uuid() });
/** The public page's language (Accept-Language, or `?lang=`) and its switch links. */
const dress = (request: FastifyRequest): PageOptions => ({ m: messages(requestLocale(request)), request });
const HostId = z.object({ id: z.uuid(), userId: z.uuid() });
const ShiftId = z.object({ id: z.uuid(), shiftId: z.uuid() });
const Paging = z.object({
  page: z.coerce.number().int().min(1).default(1),
  per_page: z.coerce.number().int().min(1).max(100).default(50),
});

export const eventRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v1/events',
    policy: { action: 'events.read' },
    summary:
      'Events the caller may see (their units’, listed public ones, their own as a host), soonest first',
    tags: TAGS,
    query: EventQuery,
    handler: async ({ query, ctx }) => await listEvents(ctx, query),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/events',
    policy: { action: 'events.write' },
    summary: 'Create an event owned by a unit',
    tags: TAGS,
    body: EventInput,
    response: EventView,
    status: 201,
    handler: async ({ body, ctx }) => await createEvent(ctx, body),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/events/:id',
    policy: { action: 'events.read' },
    summary: 'One event with its shifts and headcounts',
    tags: TAGS,
    params: Id,
    handler: async ({ params, ctx }) => await getEvent(ctx, params.id),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/api/v1/events/:id',
    policy: { action: 'events.write' },
    summary: 'Change an event (hosts may not change its unit, visibility or status)',
    tags: TAGS,
    params: Id,
    body: EventPatch,
    response: EventView,
    handler: async ({ params, body, ctx }) => await updateEvent(ctx, params.id, body),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/v1/events/:id',
    policy: { action: 'events.write' },
    summary: 'Delete an event with its shifts, RSVPs, reminders and host assignments',
    tags: TAGS,
    params: Id,
    handler: async ({ params, ctx }) => {
      await deleteEvent(ctx, params.id);
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/events/:id/approve',
    policy: { action: 'events.moderate' },
    summary: 'Approve an event waiting for approval (publishes it)',
    tags: TAGS,
    params: Id,
    response: EventView,
    handler: async ({ params, ctx }) => await approveEvent(ctx, params.id),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/events/:id/shifts',
    policy: { action: 'events.write' },
    summary: 'Add a shift to an event',
    tags: TAGS,
    params: Id,
    body: ShiftInput,
    status: 201,
    handler: async ({ params, body, ctx }) => await addShift(ctx, params.id, body),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/api/v1/events/:id/shifts/:shiftId',
    policy: { action: 'events.write' },
    summary: "Change a shift's name, times or capacity",
    tags: TAGS,
    params: ShiftId,
    body: ShiftPatch,
    response: ShiftView,
    handler: async ({ params, body, ctx }) => await updateShift(ctx, params.id, params.shiftId, body),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/v1/events/:id/shifts/:shiftId',
    policy: { action: 'events.write' },
    summary: 'Remove a shift (409 while people RSVPed to it, unless move_to names a shift to move them to)',
    tags: TAGS,
    params: ShiftId,
    query: ShiftDeleteQuery,
    handler: async ({ params, query, ctx }) => {
      await removeShift(ctx, params.id, params.shiftId, { moveTo: query.move_to });
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/events/:id/hosts',
    policy: { action: 'events.read' },
    summary: "An event's hosts",
    tags: TAGS,
    params: Id,
    handler: async ({ params, ctx }) => ({ items: await listHosts(ctx, params.id) }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/events/:id/hosts',
    policy: { action: 'events.write' },
    summary: 'Make a user a host: they see and manage this event and its attendees (first names) only',
    tags: TAGS,
    params: Id,
    body: HostInput,
    status: 201,
    handler: async ({ params, body, ctx }) => await addHost(ctx, params.id, body),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/v1/events/:id/hosts/:userId',
    policy: { action: 'events.write' },
    summary: 'Remove a host (their assignment ends)',
    tags: TAGS,
    params: HostId,
    handler: async ({ params, ctx }) => {
      await removeHost(ctx, params.id, params.userId);
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/events/:id/attendees',
    policy: { action: 'events.read' },
    summary: "The event's RSVPs the caller may see, each with the person as the caller may see them",
    tags: TAGS,
    params: Id,
    query: Paging,
    handler: async ({ params, query, ctx }) =>
      await listAttendees(ctx, params.id, { page: query.page, perPage: query.per_page }),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/events/:id/what-next',
    policy: { action: 'events.read' },
    summary:
      'After the event: attendees with no one-on-one yet, first-timers, and people at two or more events',
    tags: TAGS,
    params: Id,
    handler: async ({ params, ctx }) => await whatNext(ctx, params.id),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/events/:id/check-ins',
    policy: { action: 'events.write' },
    summary: 'Mark an attendee attended or no-show (lands on their timeline)',
    tags: TAGS,
    params: Id,
    body: CheckInInput,
    response: RsvpView,
    handler: async ({ params, body, ctx }) => await checkIn(ctx, params.id, body),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/events/:id/walk-ins',
    policy: { action: 'events.write' },
    summary: 'Record a walk-in: matched or created through the signup path, marked attended',
    tags: TAGS,
    params: Id,
    body: WalkInInput,
    status: 201,
    handler: async ({ params, body, ctx }) => await walkIn(ctx, params.id, body),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/public/events/:id/rsvps',
    policy: { public: true, reason: 'anyone may RSVP to a published public event without an account' },
    // Per client address: generous, since many guests can share one address (a campus, a venue).
    rateLimitPerMinute: 60,
    summary: 'RSVP to a public event (no login): matched to an existing person, consent recorded',
    tags: TAGS,
    params: Id,
    body: PublicRsvpInput,
    status: 202,
    handler: async ({ params, body, ctx, request }) =>
      await publicRsvp({ db: ctx.db, now: ctx.now, log: ctx.log, audit: ctx.audit }, params.id, body, {
        groupCommit: request.server.signupGroupCommit,
        intake: request.server.signupIntake,
      }),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/public/events/:id',
    policy: FEED,
    summary: 'A public event as anyone may see it (no attendees)',
    tags: TAGS,
    params: Id,
    handler: async ({ params, ctx }) => {
      const { events } = await publicEvents(ctx.db, { eventId: params.id }, ctx.now());
      const [event] = events;
      return {
        ...event,
        links: {
          ics: `/api/v1/public/events/${params.id}/event.ics`,
          rsvp: `/api/v1/public/events/${params.id}/rsvps`,
        },
      };
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/public/events/:id/event.ics',
    policy: FEED,
    summary: 'A public event as iCalendar (RFC 5545)',
    tags: TAGS,
    params: Id,
    handler: async ({ params, ctx, request, reply }) => {
      const { events } = await publicEvents(ctx.db, { eventId: params.id }, ctx.now());
      const name = events[0]?.title ?? 'Event';
      const host = request.headers.host ?? 'localhost';
      return reply.type('text/calendar; charset=utf-8').send(toIcs(events, { name, host, now: ctx.now() }));
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/public/orgs/:slug/events.ics',
    policy: FEED,
    summary: "An organization's upcoming public events as iCalendar (RFC 5545)",
    tags: TAGS,
    params: Slug,
    handler: async ({ params, ctx, request, reply }) => {
      const { orgName, events } = await publicEvents(ctx.db, { orgSlug: params.slug }, ctx.now());
      const host = request.headers.host ?? 'localhost';
      return reply
        .type('text/calendar; charset=utf-8')
        .send(toIcs(events, { name: orgName, host, now: ctx.now() }));
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/public/orgs/:slug/events.geojson',
    policy: FEED,
    summary: "An organization's upcoming public events as GeoJSON (RFC 7946)",
    tags: TAGS,
    params: Slug,
    handler: async ({ params, ctx, reply }) => {
      const { events } = await publicEvents(ctx.db, { orgSlug: params.slug }, ctx.now());
      return reply.type('application/geo+json').send(toGeoJson(events));
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/public/orgs/:slug/events.atom',
    policy: FEED,
    summary: "An organization's upcoming public events as Atom (RFC 4287) with GeoRSS points",
    tags: TAGS,
    params: Slug,
    handler: async ({ params, ctx, request, reply }) => {
      const { orgName, events } = await publicEvents(ctx.db, { orgSlug: params.slug }, ctx.now());
      const selfUrl = `${origin(request)}/api/v1/public/orgs/${params.slug}/events.atom`;
      return reply.type('application/atom+xml; charset=utf-8').send(
        toAtom(events, {
          id: selfUrl,
          title: `${orgName}: events`,
          selfUrl,
          author: orgName,
          now: ctx.now(),
          eventUrl: eventPage(request),
        }),
      );
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/e/:id',
    policy: { public: true, reason: 'anyone may see a published public event and RSVP without an account' },
    summary: 'The public page of an event: HTML with an RSVP form that works without JavaScript',
    tags: TAGS,
    hidden: true,
    handler: async ({ request, reply, ctx }) => {
      const options = dress(request);
      const parsed = Id.safeParse(request.params);
      if (!parsed.success) return notFoundPage(reply, options);
      const referrer = (request.query as Record<string, unknown>).ref;
      const event = (await publicEvents(ctx.db, { eventId: parsed.data.id }, ctx.now()).catch(() => null))
        ?.events[0];
      if (!event) return notFoundPage(reply, options);
      const values: Record<string, string> =
        typeof referrer === 'string' ? { referrer: referrer.slice(0, 200) } : {};
      return sendPage(reply, 200, renderEventPage(event, ctx.now(), values, new Map(), options));
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/e/:id',
    policy: { public: true, reason: 'anyone may RSVP to a published public event without an account' },
    rateLimitPerMinute: 60,
    summary: 'The public event page posted (urlencoded): a thank-you page, or the form with its errors',
    tags: TAGS,
    hidden: true,
    body: z.record(z.string(), z.union([z.string(), z.array(z.string())])).default({}),
    handler: async ({ request, reply, body, ctx }) => {
      const options = dress(request);
      const parsed = Id.safeParse(request.params);
      if (!parsed.success) return notFoundPage(reply, options);
      const event = (await publicEvents(ctx.db, { eventId: parsed.data.id }, ctx.now()).catch(() => null))
        ?.events[0];
      if (!event) return notFoundPage(reply, options);
      try {
        const input = PublicRsvpInput.safeParse(signupFromPost(body));
        if (!input.success) {
          const fields = input.error.issues.map((i) => ({
            field: i.path.map(String).join('.'),
            message: i.message,
          }));
          throw new AppError('validation_failed', fields[0]?.message ?? 'check the form', { fields });
        }
        const result = await publicRsvp(
          { db: ctx.db, now: ctx.now, log: ctx.log, audit: ctx.audit },
          event.id,
          input.data,
          { groupCommit: request.server.signupGroupCommit, intake: request.server.signupIntake },
        );
        return sendPage(reply, 200, eventThanks(event, result.status, options));
      } catch (err) {
        if (err instanceof AppError && (err.code === 'validation_failed' || err.code === 'conflict'))
          return sendPage(
            reply,
            err.code === 'conflict' ? 409 : 400,
            renderEventPage(
              event,
              ctx.now(),
              body,
              publicFieldErrors(err.fields, err.message, options.m ?? messages('en'), signupPosted),
              options,
            ),
          );
        if (err instanceof AppError && err.code === 'not_found') return notFoundPage(reply, options);
        throw err;
      }
    },
  }),
];
