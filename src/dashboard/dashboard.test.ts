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
import { weekStart } from './dashboard.service.js';

/**
 * The dashboard counts only what the caller may count. Organization: east ⊃ east.oakland, and west.
 * Oakland: Ana, Bea, Cy (Cy arrived three weeks ago). West: Wes, Val. Ana moved up the ladder in
 * the period, Cy down, Wes onto it. One event in Oakland yesterday: Ana and Wes RSVPed, Wes attended.
 */

const DAY = 86_400_000;
let t: TestApp;
let org: { id: string };
let admin: TestUser;
let organizer: TestUser;
let analyst: TestUser;
let volunteer: TestUser;
let outsider: TestUser;
const ids: Record<string, string> = {};

async function ok(method: string, url: string, as: TestUser, body?: unknown) {
  const response = await t.call(method, url, { as, ...(body !== undefined ? { body } : {}) });
  if (response.statusCode >= 300)
    throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`);
  return response.json();
}

const dashboardOf = async (as: TestUser) => await ok('GET', '/api/v1/dashboard', as);

beforeAll(async () => {
  t = await createTestApp();
  org = await makeOrg(t.db);
  admin = await makeUser(t.db, org.id, 'org_admin');
  for (const [path, kind] of [
    ['east', 'chapter'],
    ['east.oakland', 'local'],
    ['west', 'chapter'],
  ] as const)
    await ok('POST', '/api/v1/units', admin, { path, kind, name: path });
  organizer = await makeUser(t.db, org.id, 'local_organizer', 'east.oakland');
  analyst = await makeUser(t.db, org.id, 'analyst');
  volunteer = await makeUser(t.db, org.id, 'volunteer');
  outsider = await makeUser(t.db, (await makeOrg(t.db)).id, 'org_admin');

  for (const [name, unit] of [
    ['Ana', 'east.oakland'],
    ['Bea', 'east.oakland'],
    ['Cy', 'east.oakland'],
    ['Wes', 'west'],
    ['Val', 'west'],
  ] as const)
    ids[name] = (await ok('POST', '/api/v1/people', admin, { given_name: name, home_unit: unit })).person.id;
  // created_at is set by the database and never by updates in the schema's types: plain SQL.
  await sql`UPDATE person SET created_at = ${new Date(Date.now() - 21 * DAY)} WHERE id = ${ids.Cy}`.execute(
    t.db,
  );

  const ladder = await ok('POST', '/api/v1/ladders', admin, {
    name: 'Engagement',
    levels: [{ name: 'Supporter' }, { name: 'Volunteer' }, { name: 'Leader' }],
  });
  const [one, two, three] = ladder.levels.map((l: { id: string }) => l.id);
  ids.ladder = ladder.id;
  const assess = async (person: string, level: string, daysAgo: number) =>
    await ok('POST', `/api/v1/people/${ids[person]}/assessments`, admin, {
      ladder_id: ladder.id,
      level_id: level,
      assessed_at: new Date(Date.now() - daysAgo * DAY).toISOString(),
    });
  await assess('Ana', one, 200);
  await assess('Ana', two, 3);
  await assess('Cy', three, 200);
  await assess('Cy', one, 5);
  await assess('Wes', one, 2);

  const unit = await ok('GET', '/api/v1/units/east.oakland', admin);
  const event = await ok('POST', '/api/v1/events', admin, {
    unit_id: unit.id,
    title: 'House meeting',
    starts_at: new Date(Date.now() - DAY).toISOString(),
    ends_at: new Date(Date.now() - DAY + 7_200_000).toISOString(),
    timezone: 'America/Los_Angeles',
    status: 'published',
  });
  ids.event = event.id;
  for (const [person, attendance] of [
    ['Ana', null],
    ['Wes', 'attended'],
  ] as const)
    await t.db
      .insertInto('event_rsvp')
      .values({
        org_id: org.id,
        id: newId(),
        event_id: event.id,
        person_id: ids[person] as string,
        status: 'going',
        attendance,
        source: 'organizer',
        consent: '{}',
      })
      .execute();

  const followUp = (person: string, owner: string, dueInDays: number) =>
    t.db
      .insertInto('follow_up')
      .values({
        org_id: org.id,
        id: newId(),
        person_id: ids[person] as string,
        owner_id: owner,
        title: `Call ${person}`,
        due_at: new Date(Date.now() + dueInDays * DAY),
      })
      .execute();
  await followUp('Ana', organizer.id, -2);
  await followUp('Bea', organizer.id, 3);
  await followUp('Bea', organizer.id, 30);
  await followUp('Wes', admin.id, -1);
});

afterAll(async () => {
  await t.close();
});

describe('the dashboard', () => {
  it('counts everyone for an admin over the organization: new people by week, movement, turnout, follow-ups', async () => {
    const d = await dashboardOf(admin);
    expect(d.period.weeks).toBe(12);
    expect(d.people.total).toBe(5);
    const weeks: { week: string; count: number }[] = d.people.new_per_week;
    expect(weeks).toHaveLength(12);
    expect(weeks.at(-1)).toEqual({ week: weekStart(new Date()).toISOString(), count: 4 });
    const cyWeek = weekStart(new Date(Date.now() - 21 * DAY)).toISOString();
    expect(weeks.find((w) => w.week === cyWeek)?.count).toBe(1);
    expect(weeks.reduce((sum, w) => sum + w.count, 0)).toBe(5);
    expect(d.ladders).toEqual([{ id: ids.ladder, name: 'Engagement', up: 1, down: 1, onto: 1 }]);
    expect(d.events).toMatchObject([{ id: ids.event, title: 'House meeting', rsvps: 2, attended: 1 }]);
    expect(d.follow_ups).toEqual({ mine_due_soon: 0, mine_overdue: 1, overdue: 2 });
  });

  it('counts only her units’ people for a local organizer', async () => {
    const d = await dashboardOf(organizer);
    expect(d.people.total).toBe(3);
    expect(d.people.new_per_week.at(-1).count).toBe(2);
    expect(d.ladders).toEqual([{ id: ids.ladder, name: 'Engagement', up: 1, down: 1, onto: 0 }]);
    // Wes (west) RSVPed and attended; only Ana's RSVP is hers to count.
    expect(d.events).toMatchObject([{ id: ids.event, rsvps: 1, attended: 0 }]);
    expect(d.follow_ups).toEqual({ mine_due_soon: 1, mine_overdue: 1, overdue: 1 });
  });

  it('gives an analyst the organization’s aggregates, and no events they may not read', async () => {
    const d = await dashboardOf(analyst);
    expect(d.people.total).toBe(5);
    expect(d.ladders[0]).toMatchObject({ up: 1, down: 1, onto: 1 });
    expect(d.events).toEqual([]);
    expect(d.follow_ups).toEqual({ mine_due_soon: 0, mine_overdue: 0, overdue: 2 });
    // Counts, never people: nothing in the answer names anyone.
    expect(JSON.stringify(d)).not.toMatch(/Ana|Wes|Bea/);
  });

  it('refuses a user who may count no one, and shows another organization only its own', async () => {
    const refused = await t.call('GET', '/api/v1/dashboard', { as: volunteer });
    expect(refused.statusCode).toBe(403);
    const other = await dashboardOf(outsider);
    expect(other.people.total).toBe(0);
    expect(other.ladders).toEqual([]);
    expect(other.events).toEqual([]);
    expect(other.follow_ups.overdue).toBe(0);
  });

  it('takes a shorter period and names a bad one', async () => {
    const d = await ok('GET', '/api/v1/dashboard?weeks=2', admin);
    expect(d.people.new_per_week).toHaveLength(2);
    // Cy arrived three weeks ago and is out of a two-week period; the old assessments too.
    expect(d.people.new_per_week.reduce((s: number, w: { count: number }) => s + w.count, 0)).toBe(4);
    const bad = await t.call('GET', '/api/v1/dashboard?weeks=0', { as: admin });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('weeks');
  });
});

describe('who may see which screens', () => {
  it('/auth/me lists the actions a user may perform at all', async () => {
    const asAdmin = await ok('GET', '/api/v1/auth/me', admin);
    expect(asAdmin.actions).toEqual(
      expect.arrayContaining(['access.manage', 'audit.read', 'people.aggregate']),
    );
    const asOrganizer = await ok('GET', '/api/v1/auth/me', organizer);
    expect(asOrganizer.actions).toContain('people.aggregate');
    expect(asOrganizer.actions).not.toContain('access.manage');
    expect(asOrganizer.actions).not.toContain('audit.read');
  });
});
