import { z } from 'zod';
import type { Ctx } from '../context.js';
import { AppError } from '../errors.js';
import {
  type EventView,
  getAttendance,
  getEvent,
  listAttendees,
  listEvents,
  type RsvpView,
  recordAttendance,
} from '../events/index.js';
import { defineRoute } from '../http/route.js';
import { PersonInput, type PersonInputRaw } from '../people/index.js';
import { baseUrl, collection, compact, hal, MAX_PAGE_SIZE } from './osdi.hal.js';
import { fromOsdi, OsdiPerson, toOsdi } from './osdi.people.js';

/** Our identifier namespace (as in osdi.routes.ts). */
const NAMESPACE = 'rhizome';
const TAGS = ['osdi'];

const Paging = z.object({
  page: z.coerce.number().int().min(1).default(1),
  per_page: z.coerce
    .number()
    .int()
    .min(1)
    .default(25)
    .transform((n) => Math.min(n, MAX_PAGE_SIZE)),
});
const Id = z.object({ id: z.uuid() });
const AttendanceId = z.object({ id: z.uuid(), attendanceId: z.uuid() });

const OSDI_STATUS: Record<EventView['status'], string> = {
  draft: 'tentative',
  pending_approval: 'tentative',
  published: 'confirmed',
  cancelled: 'cancelled',
};
const RSVP_STATUS: Record<RsvpView['status'], string> = {
  going: 'accepted',
  waitlisted: 'tentative',
  cancelled: 'declined',
};

/** An event as an OSDI `osdi:event`; absent values are left out (never null). */
export function eventToOsdi(
  e: EventView & { counts?: { going: number } },
  base: string,
): Record<string, unknown> {
  const self = `${base}/events/${e.id}`;
  const location = compact({
    venue: e.location_name,
    address_lines: e.address_lines.length > 0 ? e.address_lines : undefined,
    locality: e.locality,
    region: e.region,
    postal_code: e.postal_code,
    country: e.country,
    location: e.latitude !== null ? { latitude: e.latitude, longitude: e.longitude } : undefined,
  });
  return compact({
    identifiers: [`${NAMESPACE}:${e.id}`],
    origin_system: 'Rhizome',
    created_date: e.created_at.toISOString(),
    modified_date: e.updated_at.toISOString(),
    title: e.title,
    name: e.title,
    description: e.description,
    start_date: e.starts_at.toISOString(),
    end_date: e.ends_at.toISOString(),
    status: OSDI_STATUS[e.status],
    visibility: e.visibility === 'public' ? 'public' : 'private',
    type: e.capacity !== null ? 'limited' : 'open',
    capacity: e.capacity,
    total_accepted: e.counts?.going,
    location: Object.keys(location).length > 0 ? location : undefined,
    instructions: e.virtual_url ? `Join online: ${e.virtual_url}` : undefined,
    _links: {
      self: { href: self },
      'osdi:attendances': { href: `${self}/attendances` },
      'osdi:record_attendance_helper': { href: `${self}/attendances/record_attendance_helper` },
    },
  });
}

function attendanceToOsdi(r: RsvpView, base: string): Record<string, unknown> {
  const event = `${base}/events/${r.event_id}`;
  return compact({
    identifiers: [`${NAMESPACE}:${r.id}`],
    origin_system: 'Rhizome',
    created_date: r.created_at.toISOString(),
    action_date: r.created_at.toISOString(),
    status: RSVP_STATUS[r.status],
    attended: r.attendance === null ? undefined : r.attendance === 'attended',
    referrer_data: r.referrer ? { source: r.referrer } : undefined,
    _links: {
      self: { href: `${event}/attendances/${r.id}` },
      'osdi:event': { href: event },
      'osdi:person': { href: `${base}/people/${r.person_id}` },
    },
  });
}

const HelperBody = z
  .object({
    person: OsdiPerson,
    status: z.enum(['accepted', 'tentative', 'declined', 'needs action']).optional(),
    referrer_data: z
      .object({ source: z.string().max(200).optional() })
      .passthrough()
      .optional(),
  })
  .passthrough();

function parseHelperPerson(raw: PersonInputRaw): PersonInputRaw {
  const parsed = PersonInput.safeParse(raw);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => ({
      field: `person.${i.path.map(String).join('.')}`,
      message: i.message,
    }));
    throw new AppError('validation_failed', `${fields[0]?.field}: ${fields[0]?.message}`, { fields });
  }
  return raw;
}

async function helper(ctx: Ctx, eventId: string, body: z.infer<typeof HelperBody>) {
  const input = parseHelperPerson(fromOsdi(body.person, NAMESPACE));
  return await recordAttendance(ctx, eventId, input, {
    declined: body.status === 'declined',
    referrer: body.referrer_data?.source ?? null,
  });
}

export const osdiEventRoutes = [
  defineRoute({
    method: 'GET',
    url: '/osdi/v1/events',
    policy: { action: 'events.read' },
    summary: 'OSDI: the events collection (the events the caller may see)',
    tags: TAGS,
    query: Paging,
    handler: async ({ query, ctx, request, reply }) => {
      const base = baseUrl(request);
      const page = await listEvents(ctx, { page: query.page, per_page: query.per_page });
      return hal(
        reply,
        collection({
          rel: 'events',
          base,
          path: '/events',
          items: page.items.map((e) => eventToOsdi(e, base)),
          page: query.page,
          perPage: query.per_page,
          total: page.total,
        }),
      );
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/osdi/v1/events/:id',
    policy: { action: 'events.read' },
    summary: 'OSDI: one event',
    tags: TAGS,
    params: Id,
    handler: async ({ params, ctx, request, reply }) =>
      hal(reply, eventToOsdi(await getEvent(ctx, params.id), baseUrl(request))),
  }),
  defineRoute({
    method: 'GET',
    url: '/osdi/v1/events/:id/attendances',
    policy: { action: 'events.read' },
    summary: "OSDI: an event's attendances (those whose person the caller may see)",
    tags: TAGS,
    params: Id,
    query: Paging,
    handler: async ({ params, query, ctx, request, reply }) => {
      const base = baseUrl(request);
      const page = await listAttendees(ctx, params.id, { page: query.page, perPage: query.per_page });
      return hal(
        reply,
        collection({
          rel: 'attendances',
          base,
          path: `/events/${params.id}/attendances`,
          items: page.items.map((a) => ({
            ...attendanceToOsdi(a, base),
            _embedded: { 'osdi:person': toOsdi(a.person, base, NAMESPACE) },
          })),
          page: query.page,
          perPage: query.per_page,
          total: page.total,
        }),
      );
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/osdi/v1/events/:id/attendances/:attendanceId',
    policy: { action: 'events.read' },
    summary: 'OSDI: one attendance',
    tags: TAGS,
    params: AttendanceId,
    handler: async ({ params, ctx, request, reply }) =>
      hal(
        reply,
        attendanceToOsdi(await getAttendance(ctx, params.id, params.attendanceId), baseUrl(request)),
      ),
  }),
  defineRoute({
    method: 'POST',
    url: '/osdi/v1/events/:id/attendances/record_attendance_helper',
    policy: { action: 'events.write' },
    summary: 'OSDI: record an attendance (the person is matched or created, as a signup)',
    tags: TAGS,
    params: Id,
    body: HelperBody,
    handler: async ({ params, body, ctx, request, reply }) => {
      const result = await helper(ctx, params.id, body);
      return hal(reply, attendanceToOsdi(result.rsvp, baseUrl(request)), result.created ? 201 : 200);
    },
  }),
];
