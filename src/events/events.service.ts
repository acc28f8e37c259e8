import { recordNow } from '../audit/index.js';
import { actorUserId, type Ctx } from '../context.js';
import { newId } from '../db/ids.js';
import { AppError, invalid, notFound } from '../errors.js';
import { zipCentroid } from '../geo/index.js';
import { type Access, accessOf, assertAllowed } from '../policy/index.js';
import {
  EVENT_COLUMNS,
  type EventAction,
  eventInScope,
  eventScope,
  eventsFrom,
  rsvpCounts,
  unitGrantGives,
} from './events.queries.js';
import type {
  EventInput,
  EventPatch,
  EventQuery,
  EventView,
  ShiftInput,
  ShiftPatch,
} from './events.schemas.js';
import { forgetPublicEventInfo } from './public-event-info.js';

/** What a host's assignment gives: their event, its attendees' first names, and relayed messages. */
export const HOST_GRANT = {
  actions: ['events.read', 'events.write', 'people.read', 'person.message'],
  field_classes: [] as string[],
  fields: ['given_name'],
};

async function inTransaction<T>(ctx: Ctx, fn: (ctx: Ctx) => Promise<T>): Promise<T> {
  if (ctx.db.isTransaction) return await fn(ctx);
  return await ctx.db.transaction().execute(async (trx) => await fn({ ...ctx, db: trx }));
}

/** The grants that come from roles over units or the organization (not a host's own event). */
function unitGrantsOnly(access: Access): Access {
  return { ...access, grants: access.grants.filter((g) => g.scope.kind !== 'event') };
}

/**
 * One event the actor may act on, or an error: 404 when it does not exist here or the actor may not
 * even read it (the two look the same), 403 when they read it but may not do this.
 * `byUnit` asks for a grant over the event's unit (hosts may not delete, re-home or add hosts).
 */
export async function requireEvent(
  ctx: Ctx,
  id: string,
  action: EventAction,
  options: { byUnit?: boolean } = {},
): Promise<void> {
  const access = accessOf(ctx.actor);
  const orgId = ctx.actor.orgId;
  if (!(await eventInScope(ctx.db, orgId, id, eventScope(access, 'events.read')))) throw notFound('event');
  if (action === 'events.read' && !options.byUnit) return;
  const scope = eventScope(options.byUnit ? unitGrantsOnly(access) : access, action);
  if (!(await eventInScope(ctx.db, orgId, id, scope)))
    throw new AppError('forbidden', `you may not ${action.slice(7)} this event`, { internal: action });
}

/** A unit of this organization the actor may own events in (by path), or an error naming unit_id. */
async function requireWritableUnit(ctx: Ctx, unitId: string): Promise<string> {
  const unit = await ctx.db
    .selectFrom('unit')
    .select(['id', 'path'])
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', '=', unitId)
    .executeTakeFirst();
  if (!unit) throw invalid('unit_id', 'no unit with this id');
  const ok = unitGrantGives(accessOf(ctx.actor), 'events.write', unit.path);
  if (!ok)
    throw new AppError('forbidden', 'unit_id: you may not own events in this unit', {
      fields: [{ field: 'unit_id', message: 'you may not own events in this unit' }],
    });
  return unit.path;
}

async function moderatesUnit(ctx: Ctx, unitId: string): Promise<boolean> {
  const unit = await ctx.db.selectFrom('unit').select('path').where('id', '=', unitId).executeTakeFirst();
  return !!unit && unitGrantGives(accessOf(ctx.actor), 'events.moderate', unit.path);
}

async function requireCampaign(ctx: Ctx, campaignId: string | null | undefined): Promise<void> {
  if (!campaignId) return;
  const row = await ctx.db
    .selectFrom('campaign')
    .select('id')
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', '=', campaignId)
    .executeTakeFirst();
  if (!row) throw invalid('campaign_id', 'no campaign with this id');
}

/**
 * Publishing an event that waits for approval, or any event of a campaign (a day of action), is a
 * moderator's decision: a detour through draft does not skip it.
 */
async function assertStatusChange(
  ctx: Ctx,
  id: string,
  current: { status: string; campaign_id: string | null },
  to: string | undefined,
): Promise<void> {
  if (to !== 'published' || current.status === 'published') return;
  if (current.status === 'pending_approval' || current.campaign_id !== null)
    await requireEvent(ctx, id, 'events.moderate');
}

export async function getEventRow(ctx: Ctx, id: string): Promise<EventView> {
  const row = await eventsFrom(ctx.db, ctx.actor.orgId)
    .select(EVENT_COLUMNS)
    .where('e.id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound('event');
  return row;
}

/**
 * Where an event without coordinates goes on a map: its US ZIP code's centroid (from the packaged
 * table, as the campaign host form does), when it has one and is not in another country.
 */
function placeOf(input: {
  latitude?: number | null;
  longitude?: number | null;
  postal_code?: string | null;
  country?: string | null;
}): { latitude: number; longitude: number } | null {
  if (input.latitude != null && input.longitude != null)
    return { latitude: input.latitude, longitude: input.longitude };
  if (!input.postal_code || (input.country && input.country.toUpperCase() !== 'US')) return null;
  return zipCentroid(input.postal_code);
}

/** Creates an event owned by a unit the actor may write events in (placed at its ZIP code if not given). */
export async function createEvent(ctx: Ctx, input: EventInput): Promise<EventView> {
  assertAllowed(ctx.actor, 'events.write');
  await requireWritableUnit(ctx, input.unit_id);
  await requireCampaign(ctx, input.campaign_id);
  // A campaign's events are published by its moderators (see assertStatusChange).
  if (input.campaign_id && input.status === 'published' && !(await moderatesUnit(ctx, input.unit_id)))
    throw new AppError('forbidden', 'status: publishing an event of a campaign is for its moderators', {
      fields: [{ field: 'status', message: 'publishing an event of a campaign is for its moderators' }],
    });
  const id = newId();
  const place = placeOf(input);
  await ctx.db
    .insertInto('event')
    .values({
      org_id: ctx.actor.orgId,
      id,
      unit_id: input.unit_id,
      campaign_id: input.campaign_id ?? null,
      title: input.title,
      description: input.description ?? null,
      starts_at: input.starts_at,
      ends_at: input.ends_at,
      timezone: input.timezone,
      location_name: input.location_name ?? null,
      address_lines: input.address_lines ?? [],
      locality: input.locality ?? null,
      region: input.region ?? null,
      postal_code: input.postal_code ?? null,
      country: input.country?.toUpperCase() ?? null,
      latitude: place?.latitude ?? null,
      longitude: place?.longitude ?? null,
      virtual_url: input.virtual_url ?? null,
      capacity: input.capacity ?? null,
      waitlist: input.waitlist ?? true,
      visibility: input.visibility ?? 'unit',
      status: input.status ?? 'draft',
      proposed_by: null,
      created_by: actorUserId(ctx.actor),
    })
    .execute();
  return await getEventRow(ctx, id);
}

export interface EventPage {
  items: EventView[];
  total: number;
  page: number;
  per_page: number;
}

/** The events the actor may read, soonest first. */
export async function listEvents(ctx: Ctx, query: EventQuery): Promise<EventPage> {
  const scope = eventScope(accessOf(ctx.actor), 'events.read');
  let base = eventsFrom(ctx.db, ctx.actor.orgId);
  if (scope) base = base.where(scope);
  if (query.from) base = base.where('e.ends_at', '>=', query.from);
  if (query.to) base = base.where('e.starts_at', '<', query.to);
  if (query.status) base = base.where('e.status', '=', query.status);
  if (query.campaign_id) base = base.where('e.campaign_id', '=', query.campaign_id);
  const [items, total] = await Promise.all([
    base
      .select(EVENT_COLUMNS)
      .orderBy('e.starts_at')
      .orderBy('e.id')
      .limit(query.per_page)
      .offset((query.page - 1) * query.per_page)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items, total: Number(total.n), page: query.page, per_page: query.per_page };
}

export interface EventDetail extends EventView {
  shifts: { id: string; name: string; starts_at: Date; ends_at: Date; capacity: number | null }[];
  counts: Awaited<ReturnType<typeof rsvpCounts>>;
  /**
   * What the caller may do to this event, so a client offers only those actions: `edit` (what and
   * when, shifts, check-in: hosts too), `manage` (unit, visibility, status, hosts, delete: a grant
   * over its unit), `moderate` (approve it).
   */
  can: { edit: boolean; manage: boolean; moderate: boolean };
}

async function eventCapabilities(ctx: Ctx, id: string): Promise<EventDetail['can']> {
  const access = accessOf(ctx.actor);
  const orgId = ctx.actor.orgId;
  const [edit, manage, moderate] = await Promise.all([
    eventInScope(ctx.db, orgId, id, eventScope(access, 'events.write')),
    eventInScope(ctx.db, orgId, id, eventScope(unitGrantsOnly(access), 'events.write')),
    eventInScope(ctx.db, orgId, id, eventScope(access, 'events.moderate')),
  ]);
  return { edit, manage, moderate };
}

/** One event with its shifts and headcounts (counts only: attendees are a separate, scoped list). */
export async function getEvent(ctx: Ctx, id: string): Promise<EventDetail> {
  await requireEvent(ctx, id, 'events.read');
  const [event, shifts, counts, can] = await Promise.all([
    getEventRow(ctx, id),
    ctx.db
      .selectFrom('event_shift')
      .select(['id', 'name', 'starts_at', 'ends_at', 'capacity'])
      .where('org_id', '=', ctx.actor.orgId)
      .where('event_id', '=', id)
      .orderBy('starts_at')
      .execute(),
    rsvpCounts(ctx.db, id),
    eventCapabilities(ctx, id),
  ]);
  return { ...event, shifts, counts, can };
}

/**
 * Changes an event. Hosts may change what and when, not who owns it, who sees it or its state;
 * moving it to another unit needs a grant over both.
 */
export async function updateEvent(ctx: Ctx, id: string, patch: EventPatch): Promise<EventView> {
  const ownerOnly =
    patch.unit_id !== undefined || patch.visibility !== undefined || patch.status !== undefined;
  await requireEvent(ctx, id, 'events.write', { byUnit: ownerOnly });
  const current = await getEventRow(ctx, id);
  if (patch.unit_id !== undefined) await requireWritableUnit(ctx, patch.unit_id);
  if (patch.campaign_id !== undefined) await requireCampaign(ctx, patch.campaign_id);
  await assertStatusChange(
    ctx,
    id,
    {
      status: current.status,
      campaign_id: patch.campaign_id !== undefined ? patch.campaign_id : current.campaign_id,
    },
    patch.status,
  );
  const next = {
    starts_at: patch.starts_at ?? current.starts_at,
    ends_at: patch.ends_at ?? current.ends_at,
    latitude: patch.latitude !== undefined ? patch.latitude : current.latitude,
    longitude: patch.longitude !== undefined ? patch.longitude : current.longitude,
  };
  if (next.ends_at <= next.starts_at) throw invalid('ends_at', 'must be after starts_at');
  if ((next.latitude === null) !== (next.longitude === null))
    throw invalid('longitude', 'give latitude and longitude together');
  const set: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(patch)) if (value !== undefined) set[key] = value;
  // A new ZIP code places an event that has no position yet (an explicit position wins).
  if (patch.postal_code && patch.latitude === undefined && current.latitude === null) {
    const place = placeOf({ postal_code: patch.postal_code, country: patch.country ?? current.country });
    if (place) Object.assign(set, place);
  }
  if (typeof set.country === 'string') set.country = set.country.toUpperCase();
  if (Object.keys(set).length > 0) {
    await ctx.db
      .updateTable('event')
      .set(set)
      .where('org_id', '=', ctx.actor.orgId)
      .where('id', '=', id)
      .execute();
    forgetPublicEventInfo(id);
  }
  return await getEventRow(ctx, id);
}

/** Deletes an event with its shifts, RSVPs and reminders (the timeline entries stay). */
export async function deleteEvent(ctx: Ctx, id: string): Promise<void> {
  await requireEvent(ctx, id, 'events.write', { byUnit: true });
  await inTransaction(ctx, async (ctx) => {
    const hosts = await ctx.db
      .deleteFrom('assignment')
      .where('org_id', '=', ctx.actor.orgId)
      .where('target_kind', '=', 'event')
      .where('target_id', '=', id)
      .returning(['id', 'user_id'])
      .execute();
    for (const host of hosts) {
      await recordNow(ctx.db, {
        orgId: ctx.actor.orgId,
        action: 'assignment.delete',
        actor: ctx.actor,
        at: ctx.now(),
        detail: { assignment_id: host.id, user_id: host.user_id, target_kind: 'event', target_id: id },
      });
    }
    await ctx.db.deleteFrom('event').where('org_id', '=', ctx.actor.orgId).where('id', '=', id).execute();
  });
  forgetPublicEventInfo(id);
}

/** A moderator's approval: a proposed event (pending approval) is published. */
export async function approveEvent(ctx: Ctx, id: string): Promise<EventView> {
  await requireEvent(ctx, id, 'events.moderate');
  const row = await ctx.db
    .updateTable('event')
    .set({ status: 'published' })
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', '=', id)
    .where('status', '=', 'pending_approval')
    .returning('id')
    .executeTakeFirst();
  if (!row) throw new AppError('conflict', 'only an event waiting for approval can be approved');
  forgetPublicEventInfo(id);
  return await getEventRow(ctx, id);
}

export async function addShift(ctx: Ctx, eventId: string, input: ShiftInput) {
  await requireEvent(ctx, eventId, 'events.write');
  return await ctx.db
    .insertInto('event_shift')
    .values({
      org_id: ctx.actor.orgId,
      id: newId(),
      event_id: eventId,
      name: input.name,
      starts_at: input.starts_at,
      ends_at: input.ends_at,
      capacity: input.capacity ?? null,
    })
    .returning(['id', 'name', 'starts_at', 'ends_at', 'capacity'])
    .executeTakeFirstOrThrow();
}

const SHIFT_COLUMNS = ['id', 'name', 'starts_at', 'ends_at', 'capacity'] as const;

async function requireShift(ctx: Ctx, eventId: string, shiftId: string) {
  const shift = await ctx.db
    .selectFrom('event_shift')
    .select(SHIFT_COLUMNS)
    .where('org_id', '=', ctx.actor.orgId)
    .where('event_id', '=', eventId)
    .where('id', '=', shiftId)
    .executeTakeFirst();
  if (!shift) throw notFound('shift');
  return shift;
}

/** Changes a shift's name, times or capacity; the times are checked together with the stored ones. */
export async function updateShift(ctx: Ctx, eventId: string, shiftId: string, patch: ShiftPatch) {
  await requireEvent(ctx, eventId, 'events.write');
  const shift = await requireShift(ctx, eventId, shiftId);
  const starts = patch.starts_at ?? shift.starts_at;
  const ends = patch.ends_at ?? shift.ends_at;
  if (ends <= starts)
    throw invalid(patch.ends_at ? 'ends_at' : 'starts_at', 'the shift must end after it starts');
  return await ctx.db
    .updateTable('event_shift')
    .set(patch)
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', '=', shiftId)
    .returning(SHIFT_COLUMNS)
    .executeTakeFirstOrThrow();
}

/**
 * Removes a shift. People who RSVPed to it (and did not cancel) are not dropped silently: without
 * `moveTo` the removal is refused with how many there are; with it, their RSVPs move to that other
 * shift of the same event first, in the same transaction.
 */
export async function removeShift(
  ctx: Ctx,
  eventId: string,
  shiftId: string,
  options: { moveTo?: string } = {},
): Promise<void> {
  await requireEvent(ctx, eventId, 'events.write');
  await inTransaction(ctx, async (ctx) => {
    await requireShift(ctx, eventId, shiftId);
    const orgId = ctx.actor.orgId;
    if (options.moveTo !== undefined) {
      if (options.moveTo === shiftId) throw invalid('move_to', 'choose another shift than the one removed');
      await requireShift(ctx, eventId, options.moveTo).catch(() => {
        throw invalid('move_to', 'no other shift of this event has this id');
      });
      await ctx.db
        .updateTable('event_rsvp')
        .set({ shift_id: options.moveTo })
        .where('org_id', '=', orgId)
        .where('shift_id', '=', shiftId)
        .where('status', '!=', 'cancelled')
        .execute();
    }
    const { held } = await ctx.db
      .selectFrom('event_rsvp')
      .select((eb) => eb.fn.countAll<number>().as('held'))
      .where('org_id', '=', orgId)
      .where('shift_id', '=', shiftId)
      .where('status', '!=', 'cancelled')
      .executeTakeFirstOrThrow();
    const count = Number(held);
    if (count > 0)
      throw new AppError(
        'conflict',
        `${count} ${count === 1 ? 'person has' : 'people have'} RSVPed to this shift: move them to another shift or cancel their RSVPs first`,
      );
    await ctx.db.deleteFrom('event_shift').where('org_id', '=', orgId).where('id', '=', shiftId).execute();
  });
}

export interface HostView {
  assignment_id: string;
  user_id: string;
  email: string;
}

export async function listHosts(ctx: Ctx, eventId: string): Promise<HostView[]> {
  await requireEvent(ctx, eventId, 'events.read');
  return await ctx.db
    .selectFrom('assignment as a')
    .innerJoin('app_user as u', 'u.id', 'a.user_id')
    .select(['a.id as assignment_id', 'a.user_id', 'u.email'])
    .where('a.org_id', '=', ctx.actor.orgId)
    .where('a.target_kind', '=', 'event')
    .where('a.target_id', '=', eventId)
    .orderBy('a.created_at')
    .execute();
}

/**
 * Makes a user a host of the event: an `event` assignment that gives exactly this event and its
 * attendees (first names, relayed messages). Recorded in the audit trail like any assignment.
 */
export async function addHost(
  ctx: Ctx,
  eventId: string,
  who: { user_id?: string; email?: string },
): Promise<HostView> {
  await requireEvent(ctx, eventId, 'events.write', { byUnit: true });
  let query = ctx.db.selectFrom('app_user').select(['id', 'email']).where('org_id', '=', ctx.actor.orgId);
  query =
    who.email === undefined
      ? query.where('id', '=', who.user_id ?? '')
      : query.where('email', '=', who.email.trim().toLowerCase());
  const user = await query.executeTakeFirst();
  if (!user)
    throw who.email === undefined
      ? invalid('user_id', 'no user with this id in this organization')
      : invalid('email', 'no user of this organization signs in with this email');
  const userId = user.id;
  return await inTransaction(ctx, async (ctx) => {
    const row = await ctx.db
      .insertInto('assignment')
      .values({
        org_id: ctx.actor.orgId,
        id: newId(),
        user_id: userId,
        target_kind: 'event',
        target_id: eventId,
        ...HOST_GRANT,
        expires_at: null,
        created_by: actorUserId(ctx.actor),
      })
      .onConflict((oc) =>
        oc.constraint('assignment_user_target_key').doUpdateSet((eb) => ({
          actions: eb.ref('excluded.actions'),
          field_classes: eb.ref('excluded.field_classes'),
          fields: eb.ref('excluded.fields'),
        })),
      )
      .returning(['id', 'user_id'])
      .executeTakeFirstOrThrow();
    await recordNow(ctx.db, {
      orgId: ctx.actor.orgId,
      action: 'assignment.create',
      actor: ctx.actor,
      at: ctx.now(),
      detail: {
        assignment_id: row.id,
        user_id: userId,
        target_kind: 'event',
        target_id: eventId,
        ...HOST_GRANT,
      },
    });
    return { assignment_id: row.id, user_id: row.user_id, email: user.email };
  });
}

export async function removeHost(ctx: Ctx, eventId: string, userId: string): Promise<void> {
  await requireEvent(ctx, eventId, 'events.write', { byUnit: true });
  await inTransaction(ctx, async (ctx) => {
    const row = await ctx.db
      .deleteFrom('assignment')
      .where('org_id', '=', ctx.actor.orgId)
      .where('target_kind', '=', 'event')
      .where('target_id', '=', eventId)
      .where('user_id', '=', userId)
      .returning('id')
      .executeTakeFirst();
    if (!row) throw notFound('host');
    await recordNow(ctx.db, {
      orgId: ctx.actor.orgId,
      action: 'assignment.delete',
      actor: ctx.actor,
      at: ctx.now(),
      detail: { assignment_id: row.id, user_id: userId, target_kind: 'event', target_id: eventId },
    });
  });
}
