import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  makeOrg,
  makeUser,
  type TestApp,
  type TestUser,
} from '../../test/support/fixtures.js';
import { newId } from '../db/ids.js';
import { zipCentroid } from '../geo/index.js';

let t: TestApp;
const units: Record<string, string> = {};
let eastStaff: TestUser;
let westStaff: TestUser;
let otherStaff: TestUser;
let organizer: TestUser;
let campaign: string;

const day = '2030-04-22';
const propose = (body: Record<string, unknown>) =>
  t.call('POST', `/api/v1/public/campaigns/${campaign}/events`, {
    body: {
      host: { given_name: 'Hana', email: 'hana@example.org' },
      title: 'Earth Day cleanup',
      starts_at: `${day}T16:00:00Z`,
      ends_at: `${day}T18:00:00Z`,
      timezone: 'America/Los_Angeles',
      postal_code: '94612',
      consent: { email_updates: true },
      ...body,
    },
  });

beforeAll(async () => {
  t = await createTestApp();
  const orgId = (await makeOrg(t.db)).id;
  for (const [path, kind] of [
    ['us', 'organization'],
    ['us.east', 'chapter'],
    ['us.west', 'chapter'],
  ] as const) {
    units[path] = newId();
    await t.db
      .insertInto('unit')
      .values({ org_id: orgId, id: units[path] as string, path, name: path, kind })
      .execute();
  }
  eastStaff = await makeUser(t.db, orgId, 'staff_organizer', 'us.east');
  westStaff = await makeUser(t.db, orgId, 'staff_organizer', 'us.west');
  otherStaff = await makeUser(t.db, orgId, 'staff_organizer', 'us.west');
  organizer = await makeUser(t.db, orgId, 'local_organizer', 'us.west');
  const created = await t.call('POST', '/api/v1/campaigns', {
    as: westStaff,
    body: {
      unit_id: units['us.west'],
      title: 'Earth Day of action',
      starts_on: day,
      ends_on: day,
      trusted_host_emails: ['Trusted@Example.org'],
    },
  });
  expect(created.statusCode, created.body).toBe(201);
  campaign = created.json().id;
  for (const moderator of [westStaff, eastStaff]) {
    const added = await t.call('POST', `/api/v1/campaigns/${campaign}/moderators`, {
      as: westStaff,
      body: { user_id: moderator.id },
    });
    expect(added.statusCode, added.body).toBe(204);
  }
});
afterAll(async () => {
  await t.close();
});

describe('a distributed day of action', () => {
  it('queues a volunteer’s proposal for any of the moderators; a trusted host publishes at once', async () => {
    const proposed = await propose({});
    expect(proposed.statusCode, proposed.body).toBe(202);
    expect(proposed.json().status).toBe('pending_approval');
    const trusted = await propose({
      host: { given_name: 'Tru', email: 'trusted@example.org' },
      title: 'Trusted',
    });
    expect(trusted.json().status).toBe('published');

    // Both moderators see it: the west staff over the unit, the east staff as a moderator of the campaign.
    for (const moderator of [westStaff, eastStaff]) {
      const queue = (await t.call('GET', `/api/v1/campaigns/${campaign}/queue`, { as: moderator })).json();
      expect(queue.items.map((e: { id: string }) => e.id)).toEqual([proposed.json().id]);
    }
    // A staff organizer of the campaign's unit who is not one of its moderators still moderates by unit;
    // a local organizer (no events.moderate) may not be made one.
    expect(
      (await t.call('GET', `/api/v1/campaigns/${campaign}/queue`, { as: otherStaff })).json().items,
    ).toHaveLength(1);
    const refused = await t.call('POST', `/api/v1/campaigns/${campaign}/moderators`, {
      as: westStaff,
      body: { user_id: organizer.id },
    });
    expect(refused.statusCode).toBe(400);
    // The east staff approves an event of a unit they do not cover: they moderate the campaign.
    const approved = await t.call('POST', `/api/v1/events/${proposed.json().id}/approve`, { as: eastStaff });
    expect(approved.statusCode, approved.body).toBe(200);
    expect(approved.json()).toMatchObject({
      status: 'published',
      visibility: 'public',
      campaign_id: campaign,
    });
    expect(
      (await t.call('GET', `/api/v1/campaigns/${campaign}/queue`, { as: westStaff })).json().items,
    ).toEqual([]);
    // The host is a person now, homed in the campaign's unit, with the form as the source.
    const host = await t.db
      .selectFrom('person_email')
      .select(['status', 'source_ref'])
      .where('address', '=', 'hana@example.org')
      .executeTakeFirstOrThrow();
    expect(host).toEqual({ status: 'subscribed', source_ref: `campaign:${campaign}` });
  });

  it('keeps publishing a campaign’s event with its moderators, even by way of a draft', async () => {
    const proposed = (await propose({ title: 'Detour' })).json().id;
    const patch = (as: TestUser, status: string) =>
      t.call('PATCH', `/api/v1/events/${proposed}`, { as, body: { status } });
    expect((await patch(organizer, 'published')).statusCode).toBe(403);
    expect((await patch(organizer, 'draft')).statusCode).toBe(200);
    expect((await patch(organizer, 'published')).statusCode).toBe(403);
    expect((await patch(westStaff, 'published')).statusCode).toBe(200);
    const direct = await t.call('POST', '/api/v1/events', {
      as: organizer,
      body: {
        unit_id: units['us.west'],
        campaign_id: campaign,
        title: 'Straight to published',
        starts_at: `${day}T16:00:00Z`,
        ends_at: `${day}T18:00:00Z`,
        timezone: 'UTC',
        status: 'published',
      },
    });
    expect(direct.statusCode).toBe(403);
  });

  it('refuses a proposal outside the campaign’s dates, naming the field', async () => {
    const response = await propose({ starts_at: '2030-04-23T16:00:00Z', ends_at: '2030-04-23T18:00:00Z' });
    expect(response.statusCode).toBe(400);
    expect(response.body).toMatch(/starts_at/);
    // The window is in the event's own zone: 02:00 UTC on the 23rd is the evening of the 22nd in Los Angeles.
    const late = await propose({
      starts_at: '2030-04-23T02:00:00Z',
      ends_at: '2030-04-23T04:00:00Z',
      title: 'Evening',
    });
    expect(late.statusCode, late.body).toBe(202);
  });

  it('finds published events by ZIP code and radius, nearest first, from the packaged centroids', async () => {
    const near = await propose({
      host: { given_name: 'Tru', email: 'trusted@example.org' },
      title: 'Near',
      postal_code: '94607',
    });
    const far = await propose({
      host: { given_name: 'Tru', email: 'trusted@example.org' },
      title: 'Far',
      postal_code: '10003',
      timezone: 'America/New_York',
    });
    const pending = await propose({ title: 'Pending', postal_code: '94607' });
    const search = await t.call('GET', `/api/v1/public/campaigns/${campaign}/events?zip=94612&radius_km=50`);
    expect(search.statusCode, search.body).toBe(200);
    const found = search.json().events as { id: string; distance_km: number }[];
    const ids = found.map((e) => e.id);
    expect(ids).toContain(near.json().id);
    expect(ids).not.toContain(far.json().id);
    expect(ids).not.toContain(pending.json().id);
    expect(found.map((e) => e.distance_km)).toEqual(
      [...found.map((e) => e.distance_km)].sort((a, b) => a - b),
    );
    expect(found.every((e) => e.distance_km <= 50)).toBe(true);
    // Oakland 94612 to 94607 is a couple of kilometres.
    const oakland = zipCentroid('94612');
    expect(oakland?.latitude).toBeCloseTo(37.8, 0);
    expect(found.find((e) => e.id === near.json().id)?.distance_km).toBeLessThan(5);
    const wide = await t.call('GET', `/api/v1/public/campaigns/${campaign}/events?zip=94612&radius_km=500`);
    expect(wide.json().events.map((e: { id: string }) => e.id)).not.toContain(far.json().id);
    expect((await t.call('GET', `/api/v1/public/campaigns/${campaign}/events?zip=00000`)).statusCode).toBe(
      400,
    );
    const ics = (await t.call('GET', `/api/v1/public/campaigns/${campaign}/events.ics`)).body;
    expect(ics).toContain(`UID:${near.json().id}@`);
    expect(ics).not.toContain(pending.json().id);
  });

  it('stores nothing for a filled honeypot', async () => {
    const response = await propose({
      title: 'Bot event',
      website: 'x',
      host: { given_name: 'B', email: 'bot2@example.org' },
    });
    expect(response.statusCode).toBe(202);
    expect(await t.db.selectFrom('event').select('id').where('title', '=', 'Bot event').execute()).toEqual(
      [],
    );
  });
});

describe('managing a campaign', () => {
  it('removes moderators but never leaves a single one as the only path to approval', async () => {
    const moderators = async () =>
      (await t.call('GET', `/api/v1/campaigns/${campaign}/moderators`, { as: westStaff }))
        .json()
        .items.map((m: { user_id: string }) => m.user_id);
    // By sign-in email: whoever manages the campaign need not see the user directory.
    const added = await t.call('POST', `/api/v1/campaigns/${campaign}/moderators`, {
      as: westStaff,
      body: { email: otherStaff.email },
    });
    expect(added.statusCode, added.body).toBe(204);
    const unknown = await t.call('POST', `/api/v1/campaigns/${campaign}/moderators`, {
      as: westStaff,
      body: { email: 'nobody@example.org' },
    });
    expect(unknown.json().errors).toEqual([
      { field: 'email', message: 'no user of this organization signs in with this email' },
    ]);
    expect(await moderators()).toEqual([westStaff.id, eastStaff.id, otherStaff.id]);
    // The campaign tells each caller whether they manage it (moderate over its unit).
    const can = async (as: TestUser) =>
      (await t.call('GET', `/api/v1/campaigns/${campaign}`, { as })).json().can;
    expect(await can(westStaff)).toEqual({ manage: true });
    expect(await can(eastStaff)).toEqual({ manage: false });
    expect(await can(organizer)).toEqual({ manage: false });
    // A local organizer cannot moderate; another chapter's staff does not hold the campaign's unit.
    expect(
      (await t.call('DELETE', `/api/v1/campaigns/${campaign}/moderators/${otherStaff.id}`, { as: organizer }))
        .statusCode,
    ).toBe(403);
    expect(
      (await t.call('DELETE', `/api/v1/campaigns/${campaign}/moderators/${otherStaff.id}`, { as: eastStaff }))
        .statusCode,
    ).toBe(403);

    const removed = await t.call('DELETE', `/api/v1/campaigns/${campaign}/moderators/${otherStaff.id}`, {
      as: westStaff,
    });
    expect(removed.statusCode, removed.body).toBe(204);
    expect(
      (await t.call('DELETE', `/api/v1/campaigns/${campaign}/moderators/${otherStaff.id}`, { as: westStaff }))
        .statusCode,
    ).toBe(404);
    const refused = await t.call('DELETE', `/api/v1/campaigns/${campaign}/moderators/${eastStaff.id}`, {
      as: westStaff,
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().detail).toMatch(/would leave .+ as the only one who can approve/);
    expect(await moderators()).toEqual([westStaff.id, eastStaff.id]);
  });

  it('replaces the trusted hosts, normalized, for those who moderate over its unit', async () => {
    const url = `/api/v1/campaigns/${campaign}/trusted-hosts`;
    const set = await t.call('PUT', url, {
      as: westStaff,
      body: { emails: ['New.Host@Example.org', 'trusted@example.org', 'new.host@example.org'] },
    });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json().trusted_host_emails).toEqual(['new.host@example.org', 'trusted@example.org']);
    expect((await t.call('PUT', url, { as: organizer, body: { emails: [] } })).statusCode).toBe(403);
    expect((await t.call('PUT', url, { as: westStaff, body: { emails: ['not an email'] } })).statusCode).toBe(
      400,
    );
    const trusted = await propose({
      title: 'Trusted at once',
      host: { given_name: 'Nu', email: 'NEW.HOST@example.org' },
    });
    expect(trusted.statusCode, trusted.body).toBe(202);
    const row = await t.db
      .selectFrom('event')
      .select('status')
      .where('title', '=', 'Trusted at once')
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('published');
  });
});
