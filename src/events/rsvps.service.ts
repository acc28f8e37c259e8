import { type Kysely, sql } from 'kysely';
import { type ProjectedPerson, peopleScope, projectPeople, scopedPeopleRowsPage } from '../access/index.js';
import { recordSignupTexts } from '../consent/index.js';
import { actorUserId, type Ctx } from '../context.js';
import { newId } from '../db/ids.js';
import type { DB, RsvpSource } from '../db/schema.js';
import { AppError, invalid, notFound } from '../errors.js';
import { loadPeople, type PersonInputRaw, type Source } from '../people/index.js';
import { accessOf } from '../policy/index.js';
import { isHoneypot, type PublicDeps, parseSignupPerson, publicCtx, upsertSignup } from '../signup/index.js';
import { rsvpCounts } from './events.queries.js';
import type { CheckInInput, PublicRsvpInput, RsvpView, WalkInInput } from './events.schemas.js';
import { requireEvent } from './events.service.js';
import { publicEventInfo } from './public-event-info.js';
import { rsvpIntake } from './rsvp-intake.js';
import { type PublicRsvpResult, type RsvpSubmission, rsvpBatcher, rsvpSubmission } from './rsvps.batch.js';

const RSVP_COLUMNS = [
  'id',
  'event_id',
  'person_id',
  'shift_id',
  'status',
  'attendance',
  'walk_in',
  'checked_in_at',
  'source',
  'referrer',
  'created_at',
] as const;

/** Reminders queued for outreach, this long before the start. */
const REMINDER_LEADS_MS = [24 * 3600_000, 2 * 3600_000];

interface EventForRsvp {
  id: string;
  org_id: string;
  title: string;
  starts_at: Date;
  capacity: number | null;
  waitlist: boolean;
  unit_path: string;
}

async function lockEvent(db: Kysely<DB>, orgId: string, eventId: string): Promise<EventForRsvp> {
  const { rows } = await sql<EventForRsvp>`
    SELECT e.id, e.org_id, e.title, e.starts_at, e.capacity, e.waitlist, u.path::text AS unit_path
    FROM event e JOIN unit u ON u.id = e.unit_id
    WHERE e.org_id = ${orgId} AND e.id = ${eventId}
    FOR NO KEY UPDATE OF e`.execute(db);
  const event = rows[0];
  if (!event) throw notFound('event');
  return event;
}

interface RsvpWrite {
  event: EventForRsvp;
  personId: string;
  shiftId: string | null;
  source: RsvpSource;
  referrer: string | null;
  consent: Record<string, unknown>;
  walkIn?: boolean;
  channels: ('email' | 'sms')[];
}

/**
 * Records an RSVP in the caller's transaction (the event row is locked, so capacity holds under
 * concurrent signups): going while there is room, else waitlisted (or refused when the event keeps
 * no waitlist). A second RSVP by the same person is the same row. New RSVPs land on the person's
 * timeline and queue their reminders.
 */
async function writeRsvp(ctx: Ctx, w: RsvpWrite, now: Date): Promise<{ rsvp: RsvpView; created: boolean }> {
  const orgId = w.event.org_id;
  const existing = await ctx.db
    .selectFrom('event_rsvp')
    .select(RSVP_COLUMNS)
    .where('event_id', '=', w.event.id)
    .where('person_id', '=', w.personId)
    .executeTakeFirst();
  if (existing && existing.status !== 'cancelled' && !w.walkIn) return { rsvp: existing, created: false };
  if (w.shiftId) {
    const shift = await ctx.db
      .selectFrom('event_shift')
      .select('id')
      .where('org_id', '=', orgId)
      .where('event_id', '=', w.event.id)
      .where('id', '=', w.shiftId)
      .executeTakeFirst();
    if (!shift) throw invalid('shift_id', 'no shift of this event with this id');
  }
  let status: 'going' | 'waitlisted' = 'going';
  if (w.event.capacity !== null && !w.walkIn) {
    const { going } = await rsvpCounts(ctx.db, w.event.id);
    if (going >= w.event.capacity) {
      if (!w.event.waitlist) throw new AppError('conflict', 'the event is full');
      status = 'waitlisted';
    }
  }
  const walkIn = w.walkIn ?? false;
  const rsvp = existing
    ? await ctx.db
        .updateTable('event_rsvp')
        .set({
          status: 'going',
          walk_in: walkIn || existing.walk_in,
          attendance: walkIn ? 'attended' : existing.attendance,
          checked_in_at: walkIn ? now : existing.checked_in_at,
        })
        .where('id', '=', existing.id)
        .returning(RSVP_COLUMNS)
        .executeTakeFirstOrThrow()
    : await ctx.db
        .insertInto('event_rsvp')
        .values({
          org_id: orgId,
          id: newId(),
          event_id: w.event.id,
          person_id: w.personId,
          shift_id: w.shiftId,
          status,
          attendance: walkIn ? 'attended' : null,
          walk_in: walkIn,
          checked_in_at: walkIn ? now : null,
          source: w.source,
          referrer: w.referrer,
          consent: JSON.stringify(w.consent),
        })
        .returning(RSVP_COLUMNS)
        .executeTakeFirstOrThrow();
  if (!(existing && walkIn)) {
    await ctx.db
      .insertInto('activity')
      .values({
        org_id: orgId,
        id: newId(),
        person_id: w.personId,
        kind: walkIn ? 'event_attendance' : 'event_rsvp',
        occurred_at: now,
        actor_id: ctx.actor.kind === 'user' ? actorUserId(ctx.actor) : null,
        outcome: walkIn ? 'walk_in' : rsvp.status,
        body: w.event.title,
      })
      .execute();
  }
  if (rsvp.status === 'going' && !walkIn)
    await queueReminders(ctx.db, w.event, rsvp.id, w.personId, w.channels, now);
  return { rsvp, created: !existing };
}

async function queueReminders(
  db: Kysely<DB>,
  event: EventForRsvp,
  rsvpId: string,
  personId: string,
  channels: ('email' | 'sms')[],
  now: Date,
): Promise<void> {
  const rows = channels.flatMap((channel) =>
    REMINDER_LEADS_MS.map((lead) => new Date(event.starts_at.getTime() - lead))
      .filter((at) => at > now)
      .map((send_at) => ({
        org_id: event.org_id,
        id: newId(),
        event_id: event.id,
        rsvp_id: rsvpId,
        person_id: personId,
        channel,
        send_at,
      })),
  );
  if (rows.length === 0) return;
  await db
    .insertInto('event_reminder')
    .values(rows)
    .onConflict((oc) => oc.constraint('event_reminder_rsvp_channel_at_key').doNothing())
    .execute();
}

export type { PublicRsvpResult } from './rsvps.batch.js';

/** How a public RSVP is committed: in a batch with others (group commit) or in its own transaction. */
export interface PublicRsvpOptions {
  groupCommit?: boolean;
  /** With group commit: an RSVP to an event with no limit on places goes through the intake log (adr/0026). */
  intake?: boolean;
}

/**
 * An RSVP from the public form, with no login: the person goes through the signup path (matched by
 * email, then phone; created in the event's unit when new), the consent choices are recorded on
 * their email (subscribed or unsubscribed: the form asks) and kept as a receipt on the RSVP, and
 * the event and referrer are the source. Only published public events take public RSVPs. The
 * answer never tells whether the person was already known. A filled honeypot gets the same answer
 * and nothing is written.
 *
 * By default the RSVP is group-committed (`rsvpBatcher`, adr/0019): it is answered once the batch
 * holding it has committed. `groupCommit: false` commits it alone, one transaction per request.
 * With `intake`, an RSVP to an event with no limit on places (and no shift) is answered once it is
 * in the intake log, and merged just after (`rsvpIntake`, adr/0026).
 */
export async function publicRsvp(
  deps: PublicDeps,
  eventId: string,
  input: PublicRsvpInput,
  options: PublicRsvpOptions = {},
): Promise<PublicRsvpResult> {
  const now = deps.now();
  const groupCommit = options.groupCommit ?? true;
  let orgId: string | null;
  let unlimited = false;
  if (groupCommit) {
    // The batch checks again, under the event's lock.
    const event = await publicEventInfo(deps.db, eventId);
    orgId = event?.open && event.endsAt > now ? event.orgId : null;
    unlimited = event?.capacity === null;
  } else {
    const event = await deps.db
      .selectFrom('event')
      .select(['org_id', 'id', 'ends_at'])
      .where('id', '=', eventId)
      .where('visibility', '=', 'public')
      .where('status', '=', 'published')
      .executeTakeFirst();
    orgId = event && event.ends_at > now ? event.org_id : null;
  }
  if (!orgId) throw notFound('event');
  if (isHoneypot(input)) {
    deps.log.info({ event: eventId }, 'public RSVP: honeypot filled, nothing stored');
    return { status: 'going' };
  }
  // Built here, whichever path, so that a person the signup path cannot take is answered now.
  const submission = rsvpSubmission(orgId, eventId, input, now);
  if (groupCommit && options.intake && unlimited && !submission.shiftId) {
    await rsvpIntake(deps).take({ orgId, eventId, input, receivedAt: now });
    return { status: 'going' };
  }
  if (groupCommit) return await rsvpBatcher(deps).submit(orgId, submission);
  return await publicRsvpAlone(deps, submission);
}

/** One public RSVP in its own transaction (the path before group commit; the benchmark's baseline). */
async function publicRsvpAlone(deps: PublicDeps, s: RsvpSubmission): Promise<PublicRsvpResult> {
  const source: Source = { kind: 'form', ref: `event:${s.eventId}` };
  return await deps.db.transaction().execute(async (trx) => {
    const ctx = publicCtx(deps, trx, s.orgId, `public RSVP to event ${s.eventId}`);
    const locked = await lockEvent(trx, s.orgId, s.eventId);
    const personId = await upsertSignup(ctx, s.person, source, locked.unit_path);
    const { rsvp } = await writeRsvp(
      ctx,
      {
        event: locked,
        personId,
        shiftId: s.shiftId,
        source: 'public',
        referrer: s.referrer,
        consent: s.consent,
        channels: s.channels,
      },
      s.now,
    );
    if (s.texts)
      await recordSignupTexts(
        trx,
        s.orgId,
        [{ personId, choice: s.texts, where: `event:${s.eventId}` }],
        s.now,
      );
    return { status: rsvp.status === 'waitlisted' ? 'waitlisted' : 'going' };
  });
}

/** A person who turned up without an RSVP: matched or created, marked attended. */
export async function walkIn(
  ctx: Ctx,
  eventId: string,
  input: WalkInInput,
): Promise<{ rsvp: RsvpView; person: ProjectedPerson }> {
  await requireEvent(ctx, eventId, 'events.write');
  const person = parseSignupPerson({
    given_name: input.given_name,
    ...(input.family_name ? { family_name: input.family_name } : {}),
    emails: input.email ? [{ address: input.email }] : [],
    phones: input.phone ? [{ number: input.phone }] : [],
  });
  const now = ctx.now();
  const rsvp = await ctx.db.transaction().execute(async (trx) => {
    const tx: Ctx = { ...ctx, db: trx };
    const locked = await lockEvent(trx, ctx.actor.orgId, eventId);
    const source: Source = { kind: 'user', ref: `event:${eventId}` };
    const personId = await upsertSignup(tx, person, source, locked.unit_path);
    const written = await writeRsvp(
      tx,
      {
        event: locked,
        personId,
        shiftId: null,
        source: 'walk_in',
        referrer: null,
        consent: {},
        walkIn: true,
        channels: [],
      },
      now,
    );
    return written.rsvp;
  });
  const [projected] = await projectPeople(ctx, await loadPeople(ctx.db, ctx.actor.orgId, [rsvp.person_id]));
  return { rsvp, person: projected ?? { id: rsvp.person_id } };
}

/**
 * Marks an attendee attended or no-show. The person must be one of the event's RSVPs that the
 * actor can see (a host sees their own event's, an organizer those in their units).
 */
export async function checkIn(ctx: Ctx, eventId: string, input: CheckInInput): Promise<RsvpView> {
  await requireEvent(ctx, eventId, 'events.write');
  const scope = await peopleScope(ctx.db, accessOf(ctx.actor), 'people.read');
  let visible = ctx.db
    .selectFrom('person as p')
    .select('p.id')
    .where('p.org_id', '=', ctx.actor.orgId)
    .where('p.id', '=', input.person_id);
  if (scope) visible = visible.where(scope);
  if (!(await visible.executeTakeFirst())) throw notFound('attendee');
  const now = ctx.now();
  return await ctx.db.transaction().execute(async (trx) => {
    const rsvp = await trx
      .updateTable('event_rsvp')
      .set({ attendance: input.attendance, checked_in_at: input.attendance === 'attended' ? now : null })
      .where('org_id', '=', ctx.actor.orgId)
      .where('event_id', '=', eventId)
      .where('person_id', '=', input.person_id)
      .returning(RSVP_COLUMNS)
      .executeTakeFirst();
    if (!rsvp) throw notFound('attendee');
    const event = await trx
      .selectFrom('event')
      .select('title')
      .where('id', '=', eventId)
      .executeTakeFirstOrThrow();
    await trx
      .insertInto('activity')
      .values({
        org_id: ctx.actor.orgId,
        id: newId(),
        person_id: input.person_id,
        kind: 'event_attendance',
        occurred_at: now,
        actor_id: actorUserId(ctx.actor),
        outcome: input.attendance,
        body: event.title,
      })
      .execute();
    return rsvp;
  });
}

export interface AttendeePage {
  items: (RsvpView & { person: ProjectedPerson })[];
  total: number;
  page: number;
  per_page: number;
}

/**
 * The event's RSVPs the actor may see, each with the person as the actor may see them: a host
 * sees their own event's attendees by first name; an organizer sees those homed in their units.
 */
export async function listAttendees(
  ctx: Ctx,
  eventId: string,
  paging: { page: number; perPage: number },
): Promise<AttendeePage> {
  await requireEvent(ctx, eventId, 'events.read');
  const base = ctx.db
    .selectFrom('event_rsvp as r')
    .innerJoin('person as p', 'p.id', 'r.person_id')
    .where('r.org_id', '=', ctx.actor.orgId)
    .where('r.event_id', '=', eventId)
    .where('p.merged_into', 'is', null);
  return await scopedPeopleRowsPage(
    ctx,
    base,
    (q) =>
      q
        .select(RSVP_COLUMNS.map((c) => `r.${c}` as const))
        .orderBy('r.created_at')
        .orderBy('r.id'),
    paging,
  );
}

/**
 * An RSVP recorded by an API client (OSDI's record_attendance_helper): the person goes through the
 * signup path (created in the event's unit when new); `declined` cancels an RSVP.
 */
export async function recordAttendance(
  ctx: Ctx,
  eventId: string,
  raw: PersonInputRaw,
  options: { declined: boolean; referrer: string | null },
): Promise<{ rsvp: RsvpView; created: boolean }> {
  await requireEvent(ctx, eventId, 'events.write');
  const person = parseSignupPerson(raw);
  const now = ctx.now();
  return await ctx.db.transaction().execute(async (trx) => {
    const tx: Ctx = { ...ctx, db: trx };
    const locked = await lockEvent(trx, ctx.actor.orgId, eventId);
    const ref = ctx.actor.kind === 'user' ? (ctx.actor.tokenId ?? ctx.actor.userId) : null;
    const personId = await upsertSignup(tx, person, { kind: 'signup', ref }, locked.unit_path, 'person.');
    if (options.declined) {
      const rsvp = await trx
        .updateTable('event_rsvp')
        .set({ status: 'cancelled' })
        .where('event_id', '=', eventId)
        .where('person_id', '=', personId)
        .returning(RSVP_COLUMNS)
        .executeTakeFirst();
      if (!rsvp) throw new AppError('conflict', 'the person has no RSVP to decline');
      await trx.deleteFrom('event_reminder').where('rsvp_id', '=', rsvp.id).execute();
      return { rsvp, created: false };
    }
    return await writeRsvp(
      tx,
      {
        event: locked,
        personId,
        shiftId: null,
        source: 'osdi',
        referrer: options.referrer,
        consent: {},
        channels: person.emails.length > 0 ? ['email'] : [],
      },
      now,
    );
  });
}

/** One RSVP of an event, if its person is within the actor's reach. */
export async function getAttendance(ctx: Ctx, eventId: string, rsvpId: string): Promise<RsvpView> {
  await requireEvent(ctx, eventId, 'events.read');
  const scope = await peopleScope(ctx.db, accessOf(ctx.actor), 'people.read');
  let query = ctx.db
    .selectFrom('event_rsvp as r')
    .innerJoin('person as p', 'p.id', 'r.person_id')
    .select(RSVP_COLUMNS.map((c) => `r.${c}` as const))
    .where('r.org_id', '=', ctx.actor.orgId)
    .where('r.event_id', '=', eventId)
    .where('r.id', '=', rsvpId);
  if (scope) query = query.where(scope);
  const row = await query.executeTakeFirst();
  if (!row) throw notFound('attendance');
  return row;
}
