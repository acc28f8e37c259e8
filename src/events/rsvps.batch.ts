import { type Kysely, type Selectable, sql } from 'kysely';
import { recordSignupTexts } from '../consent/index.js';
import { column as col } from '../db/columns.js';
import { newId } from '../db/ids.js';
import type { DB, RsvpStatus } from '../db/schema.js';
import { AppError, invalid, notFound } from '../errors.js';
import { type PersonInput, upsertPeople } from '../people/index.js';
import {
  type BatchOutcome,
  consentReceipt,
  GroupCommit,
  type PublicDeps,
  publicCtx,
  signupPerson,
  signupTextChoice,
} from '../signup/index.js';
import type { PublicRsvpInput } from './events.schemas.js';

/** One public RSVP waiting for its batch: everything checked that needs no transaction. */
export interface RsvpSubmission {
  orgId: string;
  eventId: string;
  person: PersonInput;
  shiftId: string | null;
  referrer: string | null;
  consent: Record<string, unknown>;
  channels: ('email' | 'sms')[];
  /** The person's answer to "text me" (signupTextChoice), recorded as their SMS choice. */
  texts: 'opted_in' | 'opted_out' | null;
  now: Date;
}

/** A public RSVP as the batch takes it, from what the person sent (checked) and when it arrived. */
export function rsvpSubmission(
  orgId: string,
  eventId: string,
  input: PublicRsvpInput,
  now: Date,
): RsvpSubmission {
  const texts = signupTextChoice(input);
  const channels: ('email' | 'sms')[] = [];
  if (input.email) channels.push('email');
  // Text reminders only to someone who said yes to texts, with a number.
  if (texts === 'opted_in') channels.push('sms');
  return {
    orgId,
    eventId,
    person: signupPerson(input),
    shiftId: input.shift_id ?? null,
    referrer: input.referrer ?? null,
    consent: consentReceipt(input.consent, `event:${eventId}`, now, input.language),
    channels,
    texts,
    now,
  };
}

export type PublicRsvpResult = { status: 'going' | 'waitlisted' };

/** Batch limits: what the measurements in docs/PERFORMANCE.md ("signup") were taken with. */
export const RSVP_BATCH = { maxBatch: 256, maxWaitMs: 2 } as const;

const REMINDER_LEADS_MS = [24 * 3600_000, 2 * 3600_000];

interface LockedEvent {
  id: string;
  title: string;
  open: boolean;
  ends_at: Date;
  starts_at: Date;
  capacity: number | null;
  waitlist: boolean;
  unit_path: string;
}

const batchers = new WeakMap<Kysely<DB>, GroupCommit<RsvpSubmission, PublicRsvpResult>>();

/** The process's batcher for public RSVPs on this database (one per pool, as the audit log). */
export function rsvpBatcher(deps: PublicDeps): GroupCommit<RsvpSubmission, PublicRsvpResult> {
  let batcher = batchers.get(deps.db);
  if (!batcher) {
    batcher = new GroupCommit<RsvpSubmission, PublicRsvpResult>({
      ...RSVP_BATCH,
      commit: async (items) => await commitRsvps(deps, items),
      onBatchFailure: (error, size) =>
        deps.log.warn({ err: error, size }, 'public RSVPs: a batch failed; committing its RSVPs one by one'),
    });
    batchers.set(deps.db, batcher);
  }
  return batcher;
}

const pairKey = (eventId: string, personId: string) => `${eventId}:${personId}`;

/**
 * Commits a batch of public RSVPs of one organization in one transaction, set-wise: the events
 * locked (in id order, so batches and single writers cannot deadlock), the people matched or
 * created by `upsertPeople` (one call per event: its unit homes new people, its id is the
 * source), existing RSVPs read in one query, then one insert each for RSVPs, timeline activities
 * and reminders. The batch is decided in arrival order, so capacity and the waitlist hold as they
 * do one at a time, and a person who appears twice (the same new person submitting twice at
 * once) gets one RSVP and the same answer twice. A submission's own problem (an unknown shift, a
 * full event, a person that cannot be taken) is its outcome alone; a failing statement fails the
 * transaction, and the batcher retries each submission on its own.
 */
export async function commitRsvps(
  deps: PublicDeps,
  items: RsvpSubmission[],
): Promise<BatchOutcome<PublicRsvpResult>[]> {
  return await deps.db.transaction().execute(async (trx) => await commitRsvpsIn(deps, trx, items));
}

/** commitRsvps in the caller's transaction (the intake's merge commits many organizations in one). */
export async function commitRsvpsIn(
  deps: PublicDeps,
  trx: Kysely<DB>,
  items: RsvpSubmission[],
): Promise<BatchOutcome<PublicRsvpResult>[]> {
  const orgId = items[0]?.orgId;
  if (!orgId) return [];
  if (items.some((i) => i.orgId !== orgId)) throw new Error('commitRsvps: one organization per batch');
  const outcomes: (BatchOutcome<PublicRsvpResult> | undefined)[] = items.map(() => undefined);
  const fail = (i: number, error: unknown) => {
    outcomes[i] = { ok: false, error };
  };
  const eventIds = [...new Set(items.map((i) => i.eventId))].sort();
  const { rows: locked } = await sql<LockedEvent>`
    SELECT e.id, e.title, e.starts_at, e.ends_at, e.capacity, e.waitlist, u.path::text AS unit_path,
      (e.visibility = 'public' AND e.status = 'published') AS open
    FROM event e JOIN unit u ON u.id = e.unit_id
    WHERE e.org_id = ${orgId} AND e.id IN (${sql.join(eventIds.map((id) => sql`${id}::uuid`))})
    ORDER BY e.id
    FOR NO KEY UPDATE OF e`.execute(trx);
  const events = new Map(locked.map((e) => [e.id, e]));

  // People, one set-based upsert per event.
  const personIds: (string | undefined)[] = items.map(() => undefined);
  for (const eventId of eventIds) {
    const indexes = items.flatMap((item, i) => (item.eventId === eventId ? [i] : []));
    const event = events.get(eventId);
    // Only published public events that are not over take public RSVPs.
    for (const i of indexes)
      if (!event?.open || event.ends_at <= (items[i] as RsvpSubmission).now) fail(i, notFound('event'));
    const open = indexes.filter((i) => !outcomes[i]);
    if (!event || open.length === 0) continue;
    const ctx = publicCtx(deps, trx, orgId, `public RSVPs to event ${eventId}`);
    const upserted = await upsertPeople(
      ctx,
      open.map((i) => (items[i] as RsvpSubmission).person),
      { kind: 'form', ref: `event:${eventId}` },
      { unitPath: event.unit_path },
    );
    upserted.forEach((outcome, k) => {
      const i = open[k] as number;
      if (outcome.outcome === 'rejected') {
        const first = outcome.problems[0];
        fail(
          i,
          new AppError('validation_failed', `${first?.field}: ${first?.message}`, {
            fields: outcome.problems,
          }),
        );
      } else personIds[i] = outcome.personId;
    });
  }
  const live = items.flatMap((_, i) => (personIds[i] && !outcomes[i] ? [i] : []));
  if (live.length === 0) return finish(outcomes);

  const shiftIds = [
    ...new Set(
      live.flatMap((i) => {
        const shiftId = items[i]?.shiftId;
        return shiftId ? [shiftId] : [];
      }),
    ),
  ];
  const shifts = new Map<string, string>();
  if (shiftIds.length > 0) {
    const rows = await trx
      .selectFrom('event_shift')
      .select(['id', 'event_id'])
      .where('org_id', '=', orgId)
      .where('id', 'in', shiftIds)
      .execute();
    for (const row of rows) shifts.set(row.id, row.event_id);
  }
  // Pairs looked up one by one through the (event, person) key: filtering the event's RSVPs by
  // person would read every RSVP the event has had, batch after batch.
  const pairs = [
    ...new Map(
      live.map((i) => {
        const pair = { event_id: (items[i] as RsvpSubmission).eventId, person_id: personIds[i] as string };
        return [pairKey(pair.event_id, pair.person_id), pair] as const;
      }),
    ).values(),
  ];
  const { rows: existingRows } = await sql<{
    id: string;
    event_id: string;
    person_id: string;
    status: RsvpStatus;
  }>`
    SELECT r.id, r.event_id, r.person_id, r.status
    FROM unnest(${col(pairs, 'event_id')}::uuid[], ${col(pairs, 'person_id')}::uuid[]) AS k(event_id, person_id)
    JOIN event_rsvp r ON r.event_id = k.event_id AND r.person_id = k.person_id
    WHERE r.org_id = ${orgId}`.execute(trx);
  const existing = new Map(existingRows.map((r) => [pairKey(r.event_id, r.person_id), r]));
  const limited = eventIds.filter((id) => typeof events.get(id)?.capacity === 'number');
  const going = new Map<string, number>();
  if (limited.length > 0) {
    const rows = await trx
      .selectFrom('event_rsvp')
      .select(['event_id', sql<number>`count(*)::int`.as('n')])
      .where('event_id', 'in', limited)
      .where('status', '=', 'going')
      .groupBy('event_id')
      .execute();
    for (const id of limited) going.set(id, 0);
    for (const row of rows) going.set(row.event_id, Number(row.n));
  }

  const decided = new Map<string, RsvpStatus>();
  const inserts: {
    org_id: string;
    id: string;
    event_id: string;
    person_id: string;
    shift_id: string | null;
    status: RsvpStatus;
    source: 'public';
    referrer: string | null;
    consent: string;
  }[] = [];
  const reopened: { id: string; status: RsvpStatus }[] = [];
  const activities: {
    org_id: string;
    id: string;
    person_id: string;
    kind: 'event_rsvp';
    occurred_at: Date;
    actor_id: null;
    outcome: string;
    body: string;
  }[] = [];
  const reminders: Pick<
    Selectable<DB['event_reminder']>,
    'org_id' | 'id' | 'event_id' | 'rsvp_id' | 'person_id' | 'channel' | 'send_at'
  >[] = [];
  for (const i of live) {
    const item = items[i] as RsvpSubmission;
    const personId = personIds[i] as string;
    const event = events.get(item.eventId) as LockedEvent;
    const key = pairKey(event.id, personId);
    const answer = (status: RsvpStatus) => {
      outcomes[i] = { ok: true, value: { status: status === 'waitlisted' ? 'waitlisted' : 'going' } };
    };
    const already = decided.get(key);
    if (already) {
      answer(already);
      continue;
    }
    const prior = existing.get(key);
    if (prior && prior.status !== 'cancelled') {
      decided.set(key, prior.status);
      answer(prior.status);
      continue;
    }
    if (item.shiftId && shifts.get(item.shiftId) !== event.id) {
      fail(i, invalid('shift_id', 'no shift of this event with this id'));
      continue;
    }
    let status: RsvpStatus = 'going';
    if (event.capacity !== null) {
      const n = going.get(event.id) ?? 0;
      if (n >= event.capacity) {
        if (!event.waitlist) {
          fail(i, new AppError('conflict', 'the event is full'));
          continue;
        }
        status = 'waitlisted';
      } else going.set(event.id, n + 1);
    }
    const rsvpId = prior?.id ?? newId();
    if (prior) reopened.push({ id: prior.id, status });
    else
      inserts.push({
        org_id: orgId,
        id: rsvpId,
        event_id: event.id,
        person_id: personId,
        shift_id: item.shiftId,
        status,
        source: 'public',
        referrer: item.referrer,
        consent: JSON.stringify(item.consent),
      });
    activities.push({
      org_id: orgId,
      id: newId(),
      person_id: personId,
      kind: 'event_rsvp',
      occurred_at: item.now,
      actor_id: null,
      outcome: status,
      body: event.title,
    });
    if (status === 'going') {
      for (const channel of item.channels)
        for (const lead of REMINDER_LEADS_MS) {
          const sendAt = new Date(event.starts_at.getTime() - lead);
          if (sendAt > item.now)
            reminders.push({
              org_id: orgId,
              id: newId(),
              event_id: event.id,
              rsvp_id: rsvpId,
              person_id: personId,
              channel,
              send_at: sendAt,
            });
        }
    }
    decided.set(key, status);
    answer(status);
  }
  // One statement a table, its rows as arrays (unnest): a few parameters whatever the batch size,
  // where a multi-row VALUES list bound 7-9 parameters a row.
  if (inserts.length > 0)
    await sql`
      INSERT INTO event_rsvp (org_id, id, event_id, person_id, shift_id, status, source, referrer, consent)
      SELECT ${orgId}::uuid, u.id, u.event_id, u.person_id, u.shift_id, u.status, 'public', u.referrer, u.consent::jsonb
      FROM unnest(${col(inserts, 'id')}::uuid[], ${col(inserts, 'event_id')}::uuid[], ${col(inserts, 'person_id')}::uuid[],
        ${col(inserts, 'shift_id')}::uuid[], ${col(inserts, 'status')}::text[], ${col(inserts, 'referrer')}::text[],
        ${col(inserts, 'consent')}::text[]) AS u(id, event_id, person_id, shift_id, status, referrer, consent)`.execute(
      trx,
    );
  for (const r of reopened)
    await trx.updateTable('event_rsvp').set({ status: r.status }).where('id', '=', r.id).execute();
  if (activities.length > 0)
    await sql`
      INSERT INTO activity (org_id, id, person_id, kind, occurred_at, outcome, body)
      SELECT ${orgId}::uuid, u.id, u.person_id, 'event_rsvp', u.occurred_at, u.outcome, u.body
      FROM unnest(${col(activities, 'id')}::uuid[], ${col(activities, 'person_id')}::uuid[],
        ${col(activities, 'occurred_at')}::timestamptz[], ${col(activities, 'outcome')}::text[],
        ${col(activities, 'body')}::text[]) AS u(id, person_id, occurred_at, outcome, body)`.execute(trx);
  if (reminders.length > 0)
    await sql`
      INSERT INTO event_reminder (org_id, id, event_id, rsvp_id, person_id, channel, send_at)
      SELECT ${orgId}::uuid, u.id, u.event_id, u.rsvp_id, u.person_id, u.channel, u.send_at
      FROM unnest(${col(reminders, 'id')}::uuid[], ${col(reminders, 'event_id')}::uuid[], ${col(reminders, 'rsvp_id')}::uuid[],
        ${col(reminders, 'person_id')}::uuid[], ${col(reminders, 'channel')}::text[], ${col(reminders, 'send_at')}::timestamptz[])
        AS u(id, event_id, rsvp_id, person_id, channel, send_at)
      ON CONFLICT ON CONSTRAINT event_reminder_rsvp_channel_at_key DO NOTHING`.execute(trx);
  await recordSignupTexts(
    trx,
    orgId,
    live.flatMap((i) => {
      const item = items[i] as RsvpSubmission;
      return outcomes[i]?.ok && item.texts
        ? [{ personId: personIds[i] as string, choice: item.texts, where: `event:${item.eventId}` }]
        : [];
    }),
    deps.now(),
  );
  return finish(outcomes);
}

function finish<O>(outcomes: (BatchOutcome<O> | undefined)[]): BatchOutcome<O>[] {
  return outcomes.map((o) => o ?? { ok: false, error: new Error('public RSVP: no outcome') });
}
