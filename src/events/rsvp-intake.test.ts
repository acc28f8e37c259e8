import { type RawBuilder, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  makeOrg,
  makeUser,
  type TestApp,
  type TestUser,
} from '../../test/support/fixtures.js';
import { newId } from '../db/ids.js';
import { buildApp } from '../http/app.js';
import { silentLog } from '../log.js';
import { existingRsvpIntake, type RsvpIntake } from './rsvp-intake.js';

let t: TestApp;
let orgId: string;
let unitId: string;
let admin: TestUser;
const soon = (hours: number) => new Date(Date.now() + hours * 3600_000).toISOString();

async function publishedEvent(extra: Record<string, unknown> = {}): Promise<string> {
  const res = await t.call('POST', '/api/v1/events', {
    as: admin,
    body: {
      unit_id: unitId,
      title: 'Teach-in',
      starts_at: soon(48),
      ends_at: soon(50),
      timezone: 'America/Los_Angeles',
      status: 'published',
      visibility: 'public',
      ...extra,
    },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json().id;
}

const rsvp = (eventId: string, body: Record<string, unknown>) =>
  t.call('POST', `/api/v1/public/events/${eventId}/rsvps`, {
    body: { consent: { email_updates: true }, ...body },
  });

async function count(query: RawBuilder<unknown>): Promise<number> {
  const { rows } = await query.execute(t.db);
  return (rows[0] as { n: number } | undefined)?.n ?? 0;
}

const intake = () => existingRsvpIntake(t.db) as RsvpIntake;

/** Rows in the intake log, as a process that stopped before merging them would leave them. */
async function leaveInIntake(eventId: string, inputs: Record<string, unknown>[]): Promise<string[]> {
  const ids = inputs.map(() => newId());
  await t.db
    .insertInto('signup_intake')
    .values(
      inputs.map((input, i) => ({
        org_id: orgId,
        id: ids[i] as string,
        event_id: eventId,
        input: JSON.stringify({ consent: { email_updates: true }, ...input }),
        received_at: new Date(),
      })),
    )
    .execute();
  return ids;
}

beforeAll(async () => {
  t = await createTestApp();
  orgId = (await makeOrg(t.db)).id;
  unitId = newId();
  await t.db
    .insertInto('unit')
    .values({ org_id: orgId, id: unitId, path: 'city', name: 'City', kind: 'chapter' })
    .execute();
  admin = await makeUser(t.db, orgId, 'org_admin');
});
afterAll(async () => {
  await t.close();
});

describe('the RSVP intake log (events with no limit on places)', () => {
  it('answers once the RSVP is in the log, then merges it: person, consent, RSVP, reminders, log emptied', async () => {
    const eventId = await publishedEvent();
    const res = await rsvp(eventId, {
      given_name: 'Ana',
      email: 'ana.intake@example.org',
      referrer: 'flyer',
    });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toEqual({ status: 'going' });
    expect(intake().stats.taken).toBeGreaterThanOrEqual(1);
    await intake().drain();

    const rows = await t.db
      .selectFrom('event_rsvp as r')
      .innerJoin('person_email as e', 'e.person_id', 'r.person_id')
      .select(['r.status', 'r.source', 'r.referrer', 'e.address', 'e.status as email_status'])
      .where('r.event_id', '=', eventId)
      .execute();
    expect(rows).toEqual([
      {
        status: 'going',
        source: 'public',
        referrer: 'flyer',
        address: 'ana.intake@example.org',
        email_status: 'subscribed',
      },
    ]);
    expect(await count(sql`SELECT count(*)::int AS n FROM event_reminder WHERE event_id = ${eventId}`)).toBe(
      2,
    );
    expect(await count(sql`SELECT count(*)::int AS n FROM signup_intake WHERE event_id = ${eventId}`)).toBe(
      0,
    );
  });

  it('stores each person once when many RSVPs, some from known people and some repeated, arrive at once', async () => {
    const eventId = await publishedEvent();
    const known = await rsvp(await publishedEvent(), {
      given_name: 'Known',
      email: 'known.intake@example.org',
    });
    expect(known.statusCode).toBe(202);
    await intake().drain();
    const people = async () =>
      await count(sql`SELECT count(*)::int AS n FROM person WHERE org_id = ${orgId}`);
    const before = await people();
    const bodies = [
      ...Array.from({ length: 40 }, (_, n) => ({
        given_name: `New${n}`,
        email: `new${n}.intake@example.org`,
      })),
      { given_name: 'Known', email: 'KNOWN.intake@example.org' },
      { given_name: 'New1', email: 'new1.intake@example.org' },
    ];
    const answers = await Promise.all(bodies.map((b) => rsvp(eventId, b)));
    expect(answers.map((a) => a.statusCode)).toEqual(bodies.map(() => 202));
    await intake().drain();
    expect(await people()).toBe(before + 40);
    expect(await count(sql`SELECT count(*)::int AS n FROM event_rsvp WHERE event_id = ${eventId}`)).toBe(41);
  });

  it('leaves an event with places, or an RSVP for a shift, to the batch, which answers with the status', async () => {
    const limited = await publishedEvent({ capacity: 1, waitlist: true });
    const taken = intake().stats.taken;
    expect((await rsvp(limited, { given_name: 'First', email: 'first.limited@example.org' })).json()).toEqual(
      {
        status: 'going',
      },
    );
    expect(
      (await rsvp(limited, { given_name: 'Second', email: 'second.limited@example.org' })).json(),
    ).toEqual({
      status: 'waitlisted',
    });
    const open = await publishedEvent();
    const shift = await t.call('POST', `/api/v1/events/${open}/shifts`, {
      as: admin,
      body: { name: 'Set-up', starts_at: soon(47), ends_at: soon(48) },
    });
    expect(shift.statusCode, shift.body).toBe(201);
    const onShift = await rsvp(open, {
      given_name: 'Shifty',
      email: 'shift.intake@example.org',
      shift_id: shift.json().id,
    });
    expect(onShift.statusCode, onShift.body).toBe(202);
    // Answered from the database, with nothing taken into the log.
    expect(intake().stats.taken).toBe(taken);
    expect(
      await count(sql`SELECT count(*)::int AS n FROM event_rsvp WHERE event_id IN (${limited}, ${open})`),
    ).toBe(3);
  });

  it('merges what a stopped process left in the log once the next one is ready', async () => {
    const eventId = await publishedEvent();
    await leaveInIntake(eventId, [
      { given_name: 'Left', email: 'left1.intake@example.org' },
      { given_name: 'Behind', email: 'left2.intake@example.org' },
    ]);
    // A second app on the same database, as a restarted server.
    const next = await buildApp({ db: t.db, log: silentLog, audit: t.audit });
    await next.ready();
    await intake().drain();
    expect(await count(sql`SELECT count(*)::int AS n FROM event_rsvp WHERE event_id = ${eventId}`)).toBe(2);
    expect(await count(sql`SELECT count(*)::int AS n FROM signup_intake WHERE event_id = ${eventId}`)).toBe(
      0,
    );
    await next.close();
  });

  it('sets aside, with its problem, an RSVP the merge cannot take, and merges the others', async () => {
    const cancelled = await publishedEvent();
    const open = await publishedEvent();
    const [aside] = await leaveInIntake(cancelled, [
      { given_name: 'Late', email: 'late.intake@example.org' },
    ]);
    await leaveInIntake(open, [{ given_name: 'Fine', email: 'fine.intake@example.org' }]);
    const patched = await t.call('PATCH', `/api/v1/events/${cancelled}`, {
      as: admin,
      body: { status: 'cancelled' },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    intake().wake();
    await intake().drain();
    const rows = await t.db
      .selectFrom('signup_intake')
      .select(['id', 'problem'])
      .where('event_id', 'in', [cancelled, open])
      .execute();
    expect(rows).toEqual([{ id: aside, problem: 'not_found: event not found' }]);
    expect(await count(sql`SELECT count(*)::int AS n FROM event_rsvp WHERE event_id = ${cancelled}`)).toBe(0);
    expect(await count(sql`SELECT count(*)::int AS n FROM event_rsvp WHERE event_id = ${open}`)).toBe(1);
    // Set aside is not retried.
    intake().wake();
    await intake().drain();
    expect(await count(sql`SELECT count(*)::int AS n FROM signup_intake WHERE id = ${aside as string}`)).toBe(
      1,
    );
  });

  it('refuses at once an RSVP to a cancelled event, and one whose person the signup path cannot take', async () => {
    const eventId = await publishedEvent();
    expect(
      (await t.call('PATCH', `/api/v1/events/${eventId}`, { as: admin, body: { status: 'cancelled' } }))
        .statusCode,
    ).toBe(200);
    expect((await rsvp(eventId, { given_name: 'Too', email: 'too.late@example.org' })).statusCode).toBe(404);
    const open = await publishedEvent();
    const bad = await rsvp(open, { given_name: 'Bad', email: 'not an email' });
    expect(bad.statusCode, bad.body).toBe(400);
    expect(
      await count(sql`SELECT count(*)::int AS n FROM signup_intake WHERE event_id IN (${eventId}, ${open})`),
    ).toBe(0);
  });
});
