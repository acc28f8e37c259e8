import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  makeOrg,
  makeUser,
  type TestApp,
  type TestUser,
} from '../../test/support/fixtures.js';
import { newId } from '../db/ids.js';

/**
 * Organization: bay ⊃ bay.east (chapter) ⊃ bay.east.oakland (local); bay.west (another chapter)
 * ⊃ bay.west.sf. Events belong to units; a host's event assignment covers their event's attendees.
 */
let t: TestApp;
let orgId: string;
const units: Record<string, string> = {};
let admin: TestUser;
let eastStaff: TestUser;
let oaklandOrganizer: TestUser;
let sfOrganizer: TestUser;
let host: TestUser;
let otherOrgAdmin: TestUser;

const HOUR = 3600_000;
const soon = (hours: number) => new Date(Date.now() + hours * HOUR).toISOString();

async function insertPerson(path: string, given: string, email?: string): Promise<string> {
  const id = newId();
  await t.db
    .insertInto('person')
    .values({
      org_id: orgId,
      id,
      given_name: given,
      family_name: 'Known',
      home_unit_id: units[path] as string,
      home_unit_path: sql`${path}::ltree`,
    } as never)
    .execute();
  if (email) {
    await t.db
      .insertInto('person_email')
      .values({
        org_id: orgId,
        id: newId(),
        person_id: id,
        address: email,
        status: 'subscribed',
        is_primary: true,
        source_kind: 'import',
        source_ref: null,
      } as never)
      .execute();
  }
  return id;
}

async function createEvent(as: TestUser, unit: string, extra: Record<string, unknown> = {}) {
  const response = await t.call('POST', '/api/v1/events', {
    as,
    body: {
      unit_id: units[unit],
      title: `Meeting in ${unit}`,
      starts_at: soon(48),
      ends_at: soon(50),
      timezone: 'America/Los_Angeles',
      ...extra,
    },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string; status: string; visibility: string };
}

/** A public RSVP, merged before the test reads what it stored. */
async function rsvp(eventId: string, body: Record<string, unknown>) {
  const res = await t.call('POST', `/api/v1/public/events/${eventId}/rsvps`, {
    body: { consent: { email_updates: true }, ...body },
  });
  await t.settle();
  return res;
}

beforeAll(async () => {
  t = await createTestApp();
  orgId = (await makeOrg(t.db)).id;
  for (const [path, kind] of [
    ['bay', 'organization'],
    ['bay.east', 'chapter'],
    ['bay.east.oakland', 'local'],
    ['bay.west', 'chapter'],
    ['bay.west.sf', 'local'],
  ] as const) {
    units[path] = newId();
    await t.db
      .insertInto('unit')
      .values({ org_id: orgId, id: units[path] as string, path, name: path, kind })
      .execute();
  }
  admin = await makeUser(t.db, orgId, 'org_admin');
  eastStaff = await makeUser(t.db, orgId, 'staff_organizer', 'bay.east');
  oaklandOrganizer = await makeUser(t.db, orgId, 'local_organizer', 'bay.east.oakland');
  sfOrganizer = await makeUser(t.db, orgId, 'local_organizer', 'bay.west.sf');
  host = await makeUser(t.db, orgId, 'volunteer', 'bay.east.oakland');
  otherOrgAdmin = await makeUser(t.db, (await makeOrg(t.db)).id, 'org_admin');
});
afterAll(async () => {
  await t.close();
});

describe('event visibility follows units', () => {
  it('keeps a chapter’s unit event from another chapter’s local organizer, and shows it in its own locals', async () => {
    const east = await createEvent(eastStaff, 'bay.east', { status: 'published', visibility: 'unit' });
    const eastDraft = await createEvent(eastStaff, 'bay.east', { status: 'draft' });
    const eastPrivate = await createEvent(eastStaff, 'bay.east', {
      status: 'published',
      visibility: 'private',
    });
    const eastPublic = await createEvent(eastStaff, 'bay.east', {
      status: 'published',
      visibility: 'public',
    });

    // Another chapter's local organizer: 404 on the unit, draft and private events; the public one shows.
    for (const id of [east.id, eastDraft.id, eastPrivate.id])
      expect((await t.call('GET', `/api/v1/events/${id}`, { as: sfOrganizer })).statusCode).toBe(404);
    expect((await t.call('GET', `/api/v1/events/${eastPublic.id}`, { as: sfOrganizer })).statusCode).toBe(
      200,
    );
    const sfList = (await t.call('GET', '/api/v1/events', { as: sfOrganizer })).json();
    const sfIds = sfList.items.map((e: { id: string }) => e.id);
    expect(sfIds).toContain(eastPublic.id);
    expect(sfIds).not.toContain(east.id);
    expect(sfList.total).toBe(sfList.items.length);

    // A local under the chapter sees the chapter's published unit event, not its draft or private ones.
    const oakland = (await t.call('GET', '/api/v1/events', { as: oaklandOrganizer })).json();
    const oaklandIds = oakland.items.map((e: { id: string }) => e.id);
    expect(oaklandIds).toEqual(expect.arrayContaining([east.id, eastPublic.id]));
    expect(oaklandIds).not.toContain(eastDraft.id);
    expect(oaklandIds).not.toContain(eastPrivate.id);
    // ...and may not change it (it belongs to the chapter).
    const patch = await t.call('PATCH', `/api/v1/events/${east.id}`, {
      as: oaklandOrganizer,
      body: { title: 'x' },
    });
    expect(patch.statusCode).toBe(403);

    // The chapter's staff and the organization's admin see all four; another organization sees none.
    const staff = (await t.call('GET', '/api/v1/events', { as: eastStaff })).json();
    expect(staff.items.map((e: { id: string }) => e.id)).toEqual(
      expect.arrayContaining([east.id, eastDraft.id, eastPrivate.id, eastPublic.id]),
    );
    expect((await t.call('GET', `/api/v1/events/${eastDraft.id}`, { as: admin })).statusCode).toBe(200);
    expect((await t.call('GET', `/api/v1/events/${eastPublic.id}`, { as: otherOrgAdmin })).statusCode).toBe(
      404,
    );
  });

  it('lets an organizer own events only in their units', async () => {
    const response = await t.call('POST', '/api/v1/events', {
      as: oaklandOrganizer,
      body: {
        unit_id: units['bay.west'],
        title: 'Elsewhere',
        starts_at: soon(1),
        ends_at: soon(2),
        timezone: 'America/Los_Angeles',
      },
    });
    expect(response.statusCode).toBe(403);
    expect(response.json().errors?.[0]?.field ?? response.json().detail).toMatch(/unit_id/);
  });

  it('refuses bad input naming the field', async () => {
    const response = await t.call('POST', '/api/v1/events', {
      as: admin,
      body: {
        unit_id: units.bay,
        title: 'Backwards',
        starts_at: soon(3),
        ends_at: soon(2),
        timezone: 'Mars/Olympus',
        latitude: 37.8,
      },
    });
    expect(response.statusCode).toBe(400);
    expect(response.body).toMatch(/timezone/);
    expect(response.body).toMatch(/ends_at/);
  });
});

describe('public RSVP', () => {
  it('dedupes into an existing person by email, records consent, source and referrer, and lands on the timeline', async () => {
    const known = await insertPerson('bay.east.oakland', 'Rosa', 'rosa@example.org');
    const event = await createEvent(admin, 'bay.east', { status: 'published', visibility: 'public' });
    const response = await rsvp(event.id, {
      given_name: 'Rosa',
      family_name: 'Parks',
      email: 'ROSA@example.org',
      referrer: 'friend:maria',
      consent: { email_updates: false, sms_updates: false },
    });
    expect(response.statusCode, response.body).toBe(202);
    expect(response.json()).toEqual({ status: 'going' });
    const people = await t.db
      .selectFrom('person_email')
      .select(['person_id', 'status'])
      .where('org_id', '=', orgId)
      .where('address', '=', 'rosa@example.org')
      .execute();
    // One person, the known one, now unsubscribed by her own choice on the form.
    expect(people).toEqual([{ person_id: known, status: 'unsubscribed' }]);
    const row = await t.db
      .selectFrom('event_rsvp')
      .selectAll()
      .where('event_id', '=', event.id)
      .executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      person_id: known,
      status: 'going',
      source: 'public',
      referrer: 'friend:maria',
    });
    expect(row.consent).toMatchObject({
      where: `event:${event.id}`,
      choices: { email_updates: { answer: false, asked: expect.any(String) } },
    });
    const activity = await t.db
      .selectFrom('activity')
      .select(['kind', 'outcome', 'body'])
      .where('person_id', '=', known)
      .execute();
    expect(activity).toEqual([{ kind: 'event_rsvp', outcome: 'going', body: 'Meeting in bay.east' }]);
    // Reminders wait for outreach: 24 h and 2 h before, by email.
    const reminders = await t.db
      .selectFrom('event_reminder')
      .select(['channel', 'send_at', 'status'])
      .where('rsvp_id', '=', row.id)
      .orderBy('send_at')
      .execute();
    expect(reminders.map((r) => [r.channel, r.status])).toEqual([
      ['email', 'queued'],
      ['email', 'queued'],
    ]);

    // The same person again: the same RSVP, no second timeline entry.
    expect((await rsvp(event.id, { given_name: 'Rosa', email: 'rosa@example.org' })).statusCode).toBe(202);
    expect(
      await t.db
        .selectFrom('event_rsvp')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .where('event_id', '=', event.id)
        .executeTakeFirstOrThrow(),
    ).toEqual({ n: 1 });
    expect(
      (await t.db.selectFrom('activity').select('id').where('person_id', '=', known).execute()).length,
    ).toBe(1);
  });

  it('creates a new person in the event’s unit, subscribed when they ask', async () => {
    const event = await createEvent(admin, 'bay.west.sf', { status: 'published', visibility: 'public' });
    expect(
      (await rsvp(event.id, { given_name: 'Nia', email: 'nia@example.org', phone: '(415) 555-0101' }))
        .statusCode,
    ).toBe(202);
    const person = await t.db
      .selectFrom('person as p')
      .innerJoin('person_email as e', 'e.person_id', 'p.id')
      .select([
        'p.id',
        sql<string>`p.home_unit_path::text`.as('path'),
        'e.status',
        'e.source_kind',
        'e.source_ref',
      ])
      .where('e.address', '=', 'nia@example.org')
      .executeTakeFirstOrThrow();
    expect(person).toMatchObject({
      path: 'bay.west.sf',
      status: 'subscribed',
      source_kind: 'form',
      source_ref: `event:${event.id}`,
    });
    // The SF organizer sees her; the Oakland organizer does not.
    expect((await t.call('GET', `/api/v1/people/${person.id}`, { as: sfOrganizer })).statusCode).toBe(200);
    expect((await t.call('GET', `/api/v1/people/${person.id}`, { as: oaklandOrganizer })).statusCode).toBe(
      404,
    );
  });

  it('puts RSVPs past capacity on the waitlist, or refuses them when the event keeps none', async () => {
    const event = await createEvent(admin, 'bay', { status: 'published', visibility: 'public', capacity: 2 });
    const answers = [];
    for (const n of [1, 2, 3])
      answers.push((await rsvp(event.id, { given_name: 'Cap', email: `cap${n}@example.org` })).json());
    expect(answers).toEqual([{ status: 'going' }, { status: 'going' }, { status: 'waitlisted' }]);
    const closed = await createEvent(admin, 'bay', {
      status: 'published',
      visibility: 'public',
      capacity: 1,
      waitlist: false,
    });
    expect((await rsvp(closed.id, { given_name: 'A', email: 'full1@example.org' })).statusCode).toBe(202);
    expect((await rsvp(closed.id, { given_name: 'B', email: 'full2@example.org' })).statusCode).toBe(409);
    expect((await t.call('GET', `/api/v1/events/${event.id}`, { as: admin })).json().counts).toMatchObject({
      going: 2,
      waitlisted: 1,
    });
  });

  it('stores nothing for a filled honeypot, and takes RSVPs only for published public events', async () => {
    const event = await createEvent(admin, 'bay', { status: 'published', visibility: 'public' });
    const response = await rsvp(event.id, {
      given_name: 'Bot',
      email: 'bot@example.org',
      website: 'http://spam',
    });
    expect(response.statusCode).toBe(202);
    expect(
      await t.db.selectFrom('person_email').select('id').where('address', '=', 'bot@example.org').execute(),
    ).toEqual([]);
    const unitEvent = await createEvent(admin, 'bay', { status: 'published', visibility: 'unit' });
    const draft = await createEvent(admin, 'bay', { status: 'draft', visibility: 'public' });
    for (const id of [unitEvent.id, draft.id, newId()])
      expect((await rsvp(id, { given_name: 'X', email: 'x@example.org' })).statusCode).toBe(404);
    const bad = await rsvp(event.id, { given_name: 'Y', email: 'not an email' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toMatch(/email/);
    expect((await rsvp(event.id, { given_name: 'Z' })).statusCode).toBe(400);
  });
});

describe('hosts', () => {
  it('see and manage only their own event’s attendees, by first name', async () => {
    const mine = await createEvent(oaklandOrganizer, 'bay.east.oakland', {
      status: 'published',
      visibility: 'public',
    });
    const other = await createEvent(oaklandOrganizer, 'bay.east.oakland', {
      status: 'published',
      visibility: 'public',
    });
    const added = await t.call('POST', `/api/v1/events/${mine.id}/hosts`, {
      as: oaklandOrganizer,
      body: { user_id: host.id },
    });
    expect(added.statusCode, added.body).toBe(201);
    await rsvp(mine.id, { given_name: 'Guest', family_name: 'One', email: 'guest1@example.org' });
    await rsvp(other.id, { given_name: 'Stranger', family_name: 'Two', email: 'stranger@example.org' });
    const stranger = (
      await t.db
        .selectFrom('person_email')
        .select('person_id')
        .where('address', '=', 'stranger@example.org')
        .executeTakeFirstOrThrow()
    ).person_id;

    const list = await t.call('GET', `/api/v1/events/${mine.id}/attendees`, { as: host });
    expect(list.statusCode, list.body).toBe(200);
    const items = list.json().items as { person: Record<string, unknown>; person_id: string }[];
    expect(items).toHaveLength(1);
    expect(items[0]?.person.given_name).toBe('Guest');
    expect(items[0]?.person).not.toHaveProperty('family_name');
    expect(items[0]?.person).not.toHaveProperty('emails.0.address');
    expect(items[0]?.person.capabilities).toEqual({
      message: `/api/v1/people/${items[0]?.person_id}/message`,
    });

    // The other event's attendees: not through that event, not as people, not by check-in.
    expect((await t.call('GET', `/api/v1/events/${other.id}/attendees`, { as: host })).json().total).toBe(0);
    expect((await t.call('GET', `/api/v1/people/${stranger}`, { as: host })).statusCode).toBe(404);
    const people = (await t.call('GET', '/api/v1/people', { as: host })).json();
    expect(people.items.map((p: { id: string }) => p.id)).toEqual([items[0]?.person_id]);
    expect(
      (
        await t.call('POST', `/api/v1/events/${other.id}/check-ins`, {
          as: host,
          body: { person_id: stranger, attendance: 'attended' },
        })
      ).statusCode,
    ).toBe(403);

    // Their own: check-in lands on the guest's timeline; a walk-in is added and marked attended.
    const checked = await t.call('POST', `/api/v1/events/${mine.id}/check-ins`, {
      as: host,
      body: { person_id: items[0]?.person_id, attendance: 'attended' },
    });
    expect(checked.statusCode, checked.body).toBe(200);
    expect(checked.json()).toMatchObject({ attendance: 'attended' });
    const walk = await t.call('POST', `/api/v1/events/${mine.id}/walk-ins`, {
      as: host,
      body: { given_name: 'Walker', email: 'walker@example.org' },
    });
    expect(walk.statusCode, walk.body).toBe(201);
    expect(walk.json()).toMatchObject({ rsvp: { walk_in: true, attendance: 'attended', source: 'walk_in' } });
    expect(walk.json().person).toMatchObject({ given_name: 'Walker' });
    expect(walk.json().person).not.toHaveProperty('family_name');
    const kinds = await t.db
      .selectFrom('activity')
      .select(['kind', 'outcome'])
      .where('person_id', 'in', [items[0]?.person_id as string, walk.json().rsvp.person_id])
      .orderBy('created_at')
      .execute();
    expect(kinds).toEqual([
      { kind: 'event_rsvp', outcome: 'going' },
      { kind: 'event_attendance', outcome: 'attended' },
      { kind: 'event_attendance', outcome: 'walk_in' },
    ]);
    expect((await t.call('GET', `/api/v1/events/${mine.id}`, { as: host })).json().counts).toMatchObject({
      going: 2,
      attended: 2,
      walk_ins: 1,
    });

    // A host may not re-home, publish, delete or add hosts; removing the host ends it all.
    expect(
      (await t.call('PATCH', `/api/v1/events/${mine.id}`, { as: host, body: { status: 'cancelled' } }))
        .statusCode,
    ).toBe(403);
    expect(
      (await t.call('PATCH', `/api/v1/events/${mine.id}`, { as: host, body: { title: 'Renamed' } }))
        .statusCode,
    ).toBe(200);
    expect((await t.call('DELETE', `/api/v1/events/${mine.id}`, { as: host })).statusCode).toBe(403);
    expect(
      (await t.call('DELETE', `/api/v1/events/${mine.id}/hosts/${host.id}`, { as: oaklandOrganizer }))
        .statusCode,
    ).toBe(204);
    // With no grant of people.read left, the people list is refused outright.
    expect((await t.call('GET', '/api/v1/people', { as: host })).statusCode).toBe(403);
  });
});

describe('moderation', () => {
  it('publishes an event waiting for approval only through a moderator', async () => {
    const event = await createEvent(oaklandOrganizer, 'bay.east.oakland', { status: 'pending_approval' });
    // The owner may not publish it themselves (local organizers do not moderate).
    expect(
      (
        await t.call('PATCH', `/api/v1/events/${event.id}`, {
          as: oaklandOrganizer,
          body: { status: 'published' },
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (await t.call('POST', `/api/v1/events/${event.id}/approve`, { as: oaklandOrganizer })).statusCode,
    ).toBe(403);
    const approved = await t.call('POST', `/api/v1/events/${event.id}/approve`, { as: eastStaff });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json().status).toBe('published');
    expect((await t.call('POST', `/api/v1/events/${event.id}/approve`, { as: eastStaff })).statusCode).toBe(
      409,
    );
  });
});

describe('OSDI events and attendances', () => {
  it('lists events and attendances as HAL, and the helper matches the person like a signup', async () => {
    const known = await insertPerson('bay.east.oakland', 'Lena', 'lena@example.org');
    const event = await createEvent(oaklandOrganizer, 'bay.east.oakland', {
      status: 'published',
      visibility: 'unit',
      capacity: 10,
      location_name: 'Union hall',
      address_lines: ['1 Main St'],
      locality: 'Oakland',
      latitude: 37.8,
      longitude: -122.27,
    });
    const helper = `/osdi/v1/events/${event.id}/attendances/record_attendance_helper`;
    const first = await t.call('POST', helper, {
      as: oaklandOrganizer,
      body: {
        person: { given_name: 'Lena', email_addresses: [{ address: 'lena@example.org' }] },
        status: 'accepted',
        referrer_data: { source: 'newsletter' },
      },
    });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.headers['content-type']).toMatch(/application\/hal\+json/);
    expect(first.json()).toMatchObject({
      status: 'accepted',
      referrer_data: { source: 'newsletter' },
      _links: { 'osdi:person': { href: expect.stringContaining(`/people/${known}`) } },
    });
    // Again: the same attendance (200), then declined.
    const again = await t.call('POST', helper, {
      as: oaklandOrganizer,
      body: { person: { email_addresses: [{ address: 'lena@example.org' }] } },
    });
    expect(again.statusCode).toBe(200);

    const one = (await t.call('GET', `/osdi/v1/events/${event.id}`, { as: oaklandOrganizer })).json();
    expect(one).toMatchObject({
      title: `Meeting in bay.east.oakland`,
      status: 'confirmed',
      visibility: 'private',
      type: 'limited',
      capacity: 10,
      total_accepted: 1,
      location: {
        venue: 'Union hall',
        locality: 'Oakland',
        location: { latitude: 37.8, longitude: -122.27 },
      },
    });
    expect(Object.values(one).includes(null)).toBe(false);
    const list = (await t.call('GET', '/osdi/v1/events?per_page=100', { as: oaklandOrganizer })).json();
    expect(list._embedded['osdi:events'].map((e: { identifiers: string[] }) => e.identifiers[0])).toContain(
      `rhizome:${event.id}`,
    );
    const attendances = (
      await t.call('GET', `/osdi/v1/events/${event.id}/attendances`, { as: oaklandOrganizer })
    ).json();
    expect(attendances.total_records).toBe(1);
    const [attendance] = attendances._embedded['osdi:attendances'];
    expect(attendance._embedded['osdi:person'].given_name).toBe('Lena');
    const single = await t.call('GET', attendance._links.self.href.replace('http://localhost:80', ''), {
      as: oaklandOrganizer,
    });
    expect(single.statusCode, single.body).toBe(200);
    // Another chapter's organizer does not see the unit event or its attendances.
    expect(
      (await t.call('GET', `/osdi/v1/events/${event.id}/attendances`, { as: sfOrganizer })).statusCode,
    ).toBe(404);

    const declined = await t.call('POST', helper, {
      as: oaklandOrganizer,
      body: { person: { email_addresses: [{ address: 'lena@example.org' }] }, status: 'declined' },
    });
    expect(declined.json().status).toBe('declined');
    expect(
      await t.db.selectFrom('event_reminder').select('id').where('event_id', '=', event.id).execute(),
    ).toEqual([]);
  });
});

describe('what next', () => {
  it('lists attendees with no one-on-one yet, first-timers, and people at two or more events', async () => {
    const earlier = await createEvent(admin, 'bay', {
      status: 'published',
      visibility: 'public',
      starts_at: soon(20),
      ends_at: soon(21),
    });
    const event = await createEvent(admin, 'bay', { status: 'published', visibility: 'public' });
    const person = async (name: string) => {
      expect((await rsvp(event.id, { given_name: name, email: `${name}@next.example.org` })).statusCode).toBe(
        202,
      );
      return (
        await t.db
          .selectFrom('person_email')
          .select('person_id')
          .where('address', '=', `${name}@next.example.org`)
          .executeTakeFirstOrThrow()
      ).person_id;
    };
    const [ana, ben, cy, dee] = [
      await person('ana'),
      await person('ben'),
      await person('cy'),
      await person('dee'),
    ];
    expect((await rsvp(earlier.id, { given_name: 'ben', email: 'ben@next.example.org' })).statusCode).toBe(
      202,
    );
    const checkIn = async (eventId: string, id: string, attendance = 'attended') =>
      expect(
        (
          await t.call('POST', `/api/v1/events/${eventId}/check-ins`, {
            as: admin,
            body: { person_id: id, attendance },
          })
        ).statusCode,
      ).toBe(200);
    for (const id of [ana, ben, cy]) await checkIn(event.id, id);
    await checkIn(event.id, dee, 'no_show');
    await checkIn(earlier.id, ben);
    const logged = await t.call('POST', `/api/v1/people/${ana}/activities`, {
      as: admin,
      body: { kind: 'one_on_one', occurred_at: new Date().toISOString() },
    });
    expect(logged.statusCode).toBe(201);

    const next = await t.call('GET', `/api/v1/events/${event.id}/what-next`, { as: admin });
    expect(next.statusCode, next.body).toBe(200);
    const ids = (list: { id: string }[]) => list.map((p) => p.id).sort();
    expect(ids(next.json().no_one_on_one)).toEqual([ben, cy].sort());
    expect(ids(next.json().first_timers)).toEqual([ana, cy].sort());
    expect(next.json().regulars).toEqual([expect.objectContaining({ id: ben, events_attended: 2 })]);
    // Another chapter's organizer sees none of these people (homed in bay) and not the event's lists.
    const sf = (await t.call('GET', `/api/v1/events/${event.id}/what-next`, { as: sfOrganizer })).json();
    expect([...sf.no_one_on_one, ...sf.first_timers, ...sf.regulars]).toEqual([]);
  });
});

describe('the public event page without JavaScript', () => {
  it('renders the event with labelled fields and takes a posted RSVP into the known person', async () => {
    const event = await createEvent(eastStaff, 'bay.east', {
      status: 'published',
      visibility: 'public',
      title: 'Potluck <b>& meeting</b>',
    });
    const page = await t.call('GET', `/e/${event.id}`);
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('Potluck &lt;b&gt;&amp; meeting&lt;/b&gt;');
    expect(page.body).toContain(`<form method="post" action="/e/${event.id}"`);
    expect(page.body).toContain('<label for="f-email">Email</label>');
    const known = await insertPerson('bay.east', 'Pat', 'pat-page@example.org');
    const posted = await t.call('POST', `/e/${event.id}`, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'given_name=Pat&email=pat-page%40example.org&consent_email=yes&website=',
    });
    expect(posted.statusCode, posted.body).toBe(200);
    expect(posted.body).toContain('You are on the list');
    await t.settle();
    const rsvp = await t.db
      .selectFrom('event_rsvp')
      .select(['person_id', 'source'])
      .where('event_id', '=', event.id)
      .executeTakeFirstOrThrow();
    expect(rsvp).toEqual({ person_id: known, source: 'public' });
    const invalid = await t.call('POST', `/e/${event.id}`, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'given_name=NoContact',
    });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.body).toContain('role="alert"');
  });

  it('answers 404 for an event that is not public', async () => {
    const event = await createEvent(eastStaff, 'bay.east', { status: 'published', visibility: 'unit' });
    expect((await t.call('GET', `/e/${event.id}`)).statusCode).toBe(404);
  });
});

describe('what the web app is told', () => {
  it('says what the caller may do to an event: a host edits, the unit manages, a moderator approves', async () => {
    const event = await createEvent(oaklandOrganizer, 'bay.east.oakland');
    const added = await t.call('POST', `/api/v1/events/${event.id}/hosts`, {
      as: oaklandOrganizer,
      body: { user_id: host.id },
    });
    expect(added.statusCode, added.body).toBe(201);
    const can = async (as: TestUser) => {
      const response = await t.call('GET', `/api/v1/events/${event.id}`, { as });
      expect(response.statusCode, response.body).toBe(200);
      return response.json().can;
    };
    expect(await can(host)).toEqual({ edit: true, manage: false, moderate: false });
    expect(await can(oaklandOrganizer)).toEqual({ edit: true, manage: true, moderate: false });
    expect(await can(eastStaff)).toEqual({ edit: true, manage: true, moderate: true });
    expect((await t.call('GET', `/api/v1/events/${event.id}`, { as: sfOrganizer })).statusCode).toBe(404);
  });

  it('places an event without coordinates at its US ZIP code, and never overrides a given position', async () => {
    const zipped = await createEvent(eastStaff, 'bay.east', { postal_code: '94607' });
    const row = await t.call('GET', `/api/v1/events/${zipped.id}`, { as: eastStaff });
    expect(row.json().latitude).toBeCloseTo(37.8, 0);
    expect(row.json().longitude).toBeCloseTo(-122.3, 0);
    const given = await createEvent(eastStaff, 'bay.east', {
      postal_code: '94607',
      latitude: 40.7,
      longitude: -74,
    });
    expect((await t.call('GET', `/api/v1/events/${given.id}`, { as: eastStaff })).json()).toMatchObject({
      latitude: 40.7,
      longitude: -74,
    });
    const abroad = await createEvent(eastStaff, 'bay.east', { postal_code: '94607', country: 'MX' });
    expect(
      (await t.call('GET', `/api/v1/events/${abroad.id}`, { as: eastStaff })).json().latitude,
    ).toBeNull();
    const later = await createEvent(eastStaff, 'bay.east');
    const patched = await t.call('PATCH', `/api/v1/events/${later.id}`, {
      as: eastStaff,
      body: { postal_code: '10003' },
    });
    expect(patched.statusCode, patched.body).toBe(200);
    expect(patched.json().latitude).toBeCloseTo(40.7, 0);
  });
});

describe('shifts', () => {
  it('are added, changed and removed by whoever may write the event, and checked as a whole', async () => {
    const event = await createEvent(oaklandOrganizer, 'bay.east.oakland');
    const added = await t.call('POST', `/api/v1/events/${event.id}/shifts`, {
      as: oaklandOrganizer,
      body: { name: 'Setup', starts_at: soon(47), ends_at: soon(48), capacity: 4 },
    });
    expect(added.statusCode, added.body).toBe(201);
    const shift = added.json().id as string;
    const url = `/api/v1/events/${event.id}/shifts/${shift}`;

    const changed = await t.call('PATCH', url, {
      as: oaklandOrganizer,
      body: { name: 'Set up', capacity: null },
    });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json()).toMatchObject({ id: shift, name: 'Set up', capacity: null });
    // An end before the stored start is refused, naming the field; so is an empty change.
    const backwards = await t.call('PATCH', url, { as: oaklandOrganizer, body: { ends_at: soon(46) } });
    expect(backwards.statusCode).toBe(400);
    expect(backwards.json().errors).toEqual([
      { field: 'ends_at', message: 'the shift must end after it starts' },
    ]);
    expect((await t.call('PATCH', url, { as: oaklandOrganizer, body: {} })).statusCode).toBe(400);
    // Another chapter's organizer does not see the event; a volunteer (no event role) may not write it.
    const volunteer = await makeUser(t.db, orgId, 'volunteer', 'bay.east.oakland');
    expect((await t.call('PATCH', url, { as: sfOrganizer, body: { name: 'x' } })).statusCode).toBe(404);
    expect((await t.call('DELETE', url, { as: volunteer })).statusCode).toBe(403);

    const detail = await t.call('GET', `/api/v1/events/${event.id}`, { as: oaklandOrganizer });
    expect(detail.json().shifts.map((s: { name: string }) => s.name)).toEqual(['Set up']);
    expect((await t.call('DELETE', url, { as: oaklandOrganizer })).statusCode).toBe(204);
    expect((await t.call('DELETE', url, { as: oaklandOrganizer })).statusCode).toBe(404);
    expect(
      (await t.call('GET', `/api/v1/events/${event.id}`, { as: oaklandOrganizer })).json().shifts,
    ).toEqual([]);
  });

  it('refuse to drop a shift people RSVPed to, unless their RSVPs move to another shift', async () => {
    const event = await createEvent(admin, 'bay', { status: 'published', visibility: 'public' });
    const shiftIds: string[] = [];
    for (const [name, from] of [
      ['Morning', 46],
      ['Evening', 49],
    ] as const) {
      const added = await t.call('POST', `/api/v1/events/${event.id}/shifts`, {
        as: admin,
        body: { name, starts_at: soon(from), ends_at: soon(from + 1) },
      });
      shiftIds.push(added.json().id);
    }
    const [morning, evening] = shiftIds as [string, string];
    for (const n of [1, 2])
      expect(
        (await rsvp(event.id, { given_name: 'Shifty', email: `shift${n}@example.org`, shift_id: morning }))
          .statusCode,
      ).toBe(202);
    const url = `/api/v1/events/${event.id}/shifts/${morning}`;
    const refused = await t.call('DELETE', url, { as: admin });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().detail).toBe(
      '2 people have RSVPed to this shift: move them to another shift or cancel their RSVPs first',
    );
    expect((await t.call('DELETE', `${url}?move_to=${morning}`, { as: admin })).statusCode).toBe(400);
    expect((await t.call('DELETE', `${url}?move_to=${newId()}`, { as: admin })).statusCode).toBe(400);
    const onShift = async (shift: string) =>
      (
        await t.db
          .selectFrom('event_rsvp')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('shift_id', '=', shift)
          .executeTakeFirstOrThrow()
      ).n;
    expect(Number(await onShift(morning))).toBe(2);

    expect((await t.call('DELETE', `${url}?move_to=${evening}`, { as: admin })).statusCode).toBe(204);
    expect(Number(await onShift(evening))).toBe(2);
    const left = (await t.call('GET', `/api/v1/events/${event.id}`, { as: admin })).json().shifts;
    expect(left.map((s: { id: string }) => s.id)).toEqual([evening]);
  });
});

describe('adding a host by email', () => {
  it('finds the user of this organization who signs in with it, and refuses an unknown one', async () => {
    const event = await createEvent(oaklandOrganizer, 'bay.east.oakland');
    const url = `/api/v1/events/${event.id}/hosts`;
    const added = await t.call('POST', url, {
      as: oaklandOrganizer,
      body: { email: host.email.toUpperCase() },
    });
    expect(added.statusCode, added.body).toBe(201);
    expect(added.json()).toMatchObject({ user_id: host.id, email: host.email });
    const unknown = await t.call('POST', url, { as: oaklandOrganizer, body: { email: otherOrgAdmin.email } });
    expect(unknown.statusCode).toBe(400);
    expect(unknown.json().errors).toEqual([
      { field: 'email', message: 'no user of this organization signs in with this email' },
    ]);
    const both = await t.call('POST', url, {
      as: oaklandOrganizer,
      body: { email: host.email, user_id: host.id },
    });
    expect(both.statusCode).toBe(400);
    const hosts = (await t.call('GET', url, { as: oaklandOrganizer })).json().items;
    expect(hosts.map((h: { user_id: string }) => h.user_id)).toEqual([host.id]);
  });
});
