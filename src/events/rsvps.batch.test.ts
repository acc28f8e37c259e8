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
import { silentLog } from '../log.js';
import { GroupCommit, type PublicDeps, signupPerson } from '../signup/index.js';
import { commitRsvps, type PublicRsvpResult, type RsvpSubmission } from './rsvps.batch.js';
import { publicRsvp } from './rsvps.service.js';

let t: TestApp;
let orgId: string;
let admin: TestUser;
let deps: PublicDeps;
const soon = (hours: number) => new Date(Date.now() + hours * 3600_000).toISOString();

async function publishedEvent(extra: Record<string, unknown> = {}): Promise<string> {
  const unit = await t.db
    .selectFrom('unit')
    .select('id')
    .where('org_id', '=', orgId)
    .executeTakeFirstOrThrow();
  const res = await t.call('POST', '/api/v1/events', {
    as: admin,
    body: {
      unit_id: unit.id,
      title: 'Rally',
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

const input = (given_name: string, email: string) => ({
  given_name,
  email,
  consent: { email_updates: true },
});

async function count(query: RawBuilder<unknown>): Promise<number> {
  const { rows } = await query.execute(t.db);
  return (rows[0] as { n: number } | undefined)?.n ?? 0;
}

beforeAll(async () => {
  t = await createTestApp();
  orgId = (await makeOrg(t.db)).id;
  await t.db
    .insertInto('unit')
    .values({ org_id: orgId, id: newId(), path: 'city', name: 'City', kind: 'chapter' })
    .execute();
  admin = await makeUser(t.db, orgId, 'org_admin');
  deps = { db: t.db, now: () => new Date(), log: silentLog, audit: t.audit };
});
afterAll(async () => {
  await t.close();
});

describe('group commit of public RSVPs', () => {
  it('stores every accepted RSVP exactly once under concurrency, matching known people and repeats', async () => {
    const event = await publishedEvent();
    const second = await publishedEvent();
    await Promise.all(
      Array.from({ length: 10 }, (_, k) =>
        publicRsvp(deps, second, input(`Known${k}`, `known${k}@batch.example.org`)),
      ),
    );
    const peopleBefore = await count(sql`SELECT count(*)::int AS n FROM person WHERE org_id = ${orgId}`);
    const calls: Promise<PublicRsvpResult>[] = [];
    for (let i = 0; i < 200; i++)
      calls.push(publicRsvp(deps, event, input(`New${i}`, `new${i}@batch.example.org`)));
    // Known people, five submissions each, all at once.
    for (let k = 0; k < 10; k++)
      for (let r = 0; r < 5; r++)
        calls.push(publicRsvp(deps, event, input(`Known${k}`, `KNOWN${k}@batch.example.org`)));
    // The same new person submitting 30 times at once, to two events.
    for (let r = 0; r < 30; r++)
      calls.push(publicRsvp(deps, r % 2 ? event : second, input('Dup', 'dup@batch.example.org')));
    const answers = await Promise.all(calls);
    expect(answers.every((a) => a.status === 'going')).toBe(true);

    expect(await count(sql`SELECT count(*)::int AS n FROM person WHERE org_id = ${orgId}`)).toBe(
      peopleBefore + 201,
    );
    expect(
      await count(
        sql`SELECT count(*)::int AS n FROM person_email WHERE org_id = ${orgId} AND address = 'dup@batch.example.org'`,
      ),
    ).toBe(1);
    expect(await count(sql`SELECT count(*)::int AS n FROM event_rsvp WHERE event_id = ${event}`)).toBe(
      200 + 10 + 1,
    );
    expect(await count(sql`SELECT count(*)::int AS n FROM event_rsvp WHERE event_id = ${second}`)).toBe(
      10 + 1,
    );
    // One timeline entry and one set of reminders per RSVP, not per submission.
    expect(
      await count(sql`SELECT count(*)::int AS n FROM activity a JOIN person_email e ON e.person_id = a.person_id
        WHERE a.org_id = ${orgId} AND a.kind = 'event_rsvp' AND e.address = 'dup@batch.example.org'`),
    ).toBe(2);
    expect(await count(sql`SELECT count(*)::int AS n FROM event_reminder WHERE event_id = ${event}`)).toBe(
      2 * (200 + 10 + 1),
    );
  });

  it('keeps capacity and the waitlist across a batch, in arrival order', async () => {
    const full = await publishedEvent({ capacity: 5, waitlist: false });
    const listed = await publishedEvent({ capacity: 5, waitlist: true });
    const onFull = await Promise.allSettled(
      Array.from({ length: 9 }, (_, i) =>
        publicRsvp(deps, full, input(`Cap${i}`, `cap${i}@batch.example.org`)),
      ),
    );
    expect(onFull.filter((a) => a.status === 'fulfilled')).toHaveLength(5);
    const refused = onFull.filter((a) => a.status === 'rejected');
    expect(refused).toHaveLength(4);
    for (const r of refused) expect((r as PromiseRejectedResult).reason.code).toBe('conflict');
    const onListed = await Promise.all(
      Array.from({ length: 9 }, (_, i) =>
        publicRsvp(deps, listed, input(`Cap${i}`, `cap${i}@batch.example.org`)),
      ),
    );
    expect(onListed.filter((a) => a.status === 'going')).toHaveLength(5);
    expect(onListed.filter((a) => a.status === 'waitlisted')).toHaveLength(4);
    expect(await count(sql`SELECT count(*)::int AS n FROM event_rsvp WHERE event_id = ${full}`)).toBe(5);
  });

  it('fails a bad submission alone: the rest of its batch is stored', async () => {
    const event = await publishedEvent();
    const batcher = new GroupCommit<RsvpSubmission, PublicRsvpResult>({
      maxBatch: 100,
      maxWaitMs: 5,
      commit: async (items) => await commitRsvps(deps, items),
    });
    const submission = (name: string, email: string, shiftId: string | null = null): RsvpSubmission => ({
      orgId,
      eventId: event,
      person: signupPerson(input(name, email)),
      shiftId,
      texts: null,
      referrer: null,
      consent: {},
      channels: [],
      now: new Date(),
    });
    const items = [
      submission('Ok1', 'ok1@batch.example.org'),
      // A NUL character: PostgreSQL refuses it in text, so the whole batch's statement fails.
      submission('Bad\u0000Name', 'nul@batch.example.org'),
      submission('Ok2', 'ok2@batch.example.org'),
      submission('NoShift', 'noshift@batch.example.org', newId()),
      submission('Ok3', 'ok3@batch.example.org'),
    ];
    const answers = await Promise.allSettled(items.map((s) => batcher.submit(orgId, s)));
    expect(answers.map((a) => a.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect((answers[3] as PromiseRejectedResult).reason.code).toBe('validation_failed');
    expect(batcher.stats.retried).toBe(5);
    const stored = await t.db
      .selectFrom('event_rsvp as r')
      .innerJoin('person_email as e', 'e.person_id', 'r.person_id')
      .select('e.address')
      .where('r.event_id', '=', event)
      .orderBy('e.address')
      .execute();
    expect(stored.map((s) => s.address)).toEqual([
      'ok1@batch.example.org',
      'ok2@batch.example.org',
      'ok3@batch.example.org',
    ]);
  });

  it('writes what one RSVP alone writes: the referrer and consent receipt, the timeline entry, both reminders per channel', async () => {
    const event = await publishedEvent();
    const starts = (
      await t.db.selectFrom('event').select('starts_at').where('id', '=', event).executeTakeFirstOrThrow()
    ).starts_at;
    const stored = async (email: string) => {
      const rsvp = await t.db
        .selectFrom('event_rsvp as r')
        .innerJoin('person_email as e', 'e.person_id', 'r.person_id')
        .select(['r.id', 'r.person_id', 'r.referrer', 'r.consent', 'r.source', 'r.status'])
        .where('r.event_id', '=', event)
        .where('e.address', '=', email)
        .executeTakeFirstOrThrow();
      const reminders = await t.db
        .selectFrom('event_reminder')
        .select(['channel', 'send_at'])
        .where('rsvp_id', '=', rsvp.id)
        .orderBy('channel')
        .orderBy('send_at')
        .execute();
      const timeline = await t.db
        .selectFrom('activity')
        .select(['kind', 'outcome', 'body', 'occurred_at'])
        .where('person_id', '=', rsvp.person_id)
        .execute();
      const texts = await t.db
        .selectFrom('channel_consent')
        .select(['status', 'source_kind', 'source_ref'])
        .where('person_id', '=', rsvp.person_id)
        .where('channel', '=', 'sms')
        .execute();
      return {
        texts,
        referrer: rsvp.referrer,
        consent: Object.keys(rsvp.consent as object).sort(),
        source: rsvp.source,
        status: rsvp.status,
        reminders: reminders.map((r) => [r.channel, starts.getTime() - r.send_at.getTime()]),
        timeline: timeline.map((a) => [
          a.kind,
          a.outcome,
          a.body,
          Math.abs(Date.now() - a.occurred_at.getTime()) < 60_000,
        ]),
      };
    };
    const full = (email: string, phone: string) => ({
      ...input('Full', email),
      phone,
      referrer: 'doorknock-7',
      consent: { email_updates: true, sms_updates: true },
    });
    await Promise.all([
      publicRsvp(deps, event, full('batched@batch.example.org', '+14155550177')),
      publicRsvp(deps, event, input('Other', 'other@batch.example.org')),
    ]);
    await publicRsvp(deps, event, full('alone@batch.example.org', '+14155550178'), { groupCommit: false });
    const batched = await stored('batched@batch.example.org');
    expect(batched).toEqual(await stored('alone@batch.example.org'));
    expect(batched).toMatchObject({ referrer: 'doorknock-7', source: 'public', status: 'going' });
    expect(batched.reminders).toEqual([
      ['email', 24 * 3600_000],
      ['email', 2 * 3600_000],
      ['sms', 24 * 3600_000],
      ['sms', 2 * 3600_000],
    ]);
    expect(batched.timeline).toEqual([['event_rsvp', 'going', 'Rally', true]]);
    // Ticking "text me" with a number is the person's own SMS choice, from this event.
    expect(batched.texts).toEqual([{ status: 'opted_in', source_kind: 'event', source_ref: event }]);
    expect(batched.consent.length).toBeGreaterThan(0);
  });

  it('records an empty "text me" box as an opt-out that cancels queued text reminders, batched or alone', async () => {
    const first = await publishedEvent();
    const second = await publishedEvent();
    const third = await publishedEvent();
    const texting = (email: string, sms: boolean) => ({
      ...input('Tex', email),
      phone: '+14155550166',
      consent: { email_updates: true, sms_updates: sms },
    });
    await publicRsvp(deps, first, texting('tex@batch.example.org', true));
    const queued = sql`SELECT count(*)::int AS n FROM event_reminder r JOIN person_email e ON e.person_id = r.person_id
      WHERE e.address = 'tex@batch.example.org' AND r.channel = 'sms' AND r.status = 'queued'`;
    expect(await count(queued)).toBe(2);
    // A later signup with the box left empty: no more texts, the queued ones cancelled.
    await Promise.all([
      publicRsvp(deps, second, texting('tex@batch.example.org', false)),
      publicRsvp(deps, second, input('Bystander', 'by@batch.example.org')),
    ]);
    expect(await count(queued)).toBe(0);
    const choice = sql`SELECT count(*)::int AS n FROM channel_consent c JOIN person_email e ON e.person_id = c.person_id
      WHERE e.address = 'tex@batch.example.org' AND c.status = 'opted_out' AND c.source_ref = ${second}`;
    expect(await count(choice)).toBe(1);
    // Ticked again, alone: opted in from that event, and its text reminders are queued.
    await publicRsvp(deps, third, texting('tex@batch.example.org', true), { groupCommit: false });
    expect(await count(queued)).toBe(2);
    // No number, or a form that does not ask: nothing recorded for texts.
    await publicRsvp(deps, third, input('Bystander', 'by@batch.example.org'));
    expect(
      await count(sql`SELECT count(*)::int AS n FROM channel_consent c JOIN person_email e ON e.person_id = c.person_id
        WHERE e.address = 'by@batch.example.org'`),
    ).toBe(0);
  });

  it('answers as before with group commit off (one transaction per request)', async () => {
    const event = await publishedEvent();
    const answers = await Promise.all(
      Array.from({ length: 6 }, (_, i) =>
        publicRsvp(deps, event, input('Solo', i % 2 ? 'solo@batch.example.org' : 'SOLO@batch.example.org'), {
          groupCommit: false,
        }),
      ),
    );
    expect(answers.every((a) => a.status === 'going')).toBe(true);
    expect(await count(sql`SELECT count(*)::int AS n FROM event_rsvp WHERE event_id = ${event}`)).toBe(1);
  });
});
