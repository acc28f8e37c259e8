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
 * The ladder-level, ZIP-radius and last-contact filters over HTTP: the people list, the count and
 * saved searches, within each caller's reach. Units east ⊃ east.oakland and west.
 *
 *   ana   east.oakland  address 94607 (no coordinates)      Supporter then Volunteer   one-on-one 3 days ago
 *   olu   east.oakland  coordinates in downtown Oakland      Volunteer then Supporter   call not answered yesterday, door talked 60 days ago
 *   wendy west          address 94607-1234 (no coordinates)  Volunteer                  call reached yesterday
 *   zed   east.oakland  address 10001 (New York)             none                       never contacted
 *   sara  east          address 94704 (Berkeley, ~7 km)      Volunteer and Leader, one moment: Leader (the later id)   note only
 */

let t: TestApp;
let admin: TestUser;
let maria: TestUser; // local organizer over east.oakland: basic and status, no contact
let sam: TestUser; // staff organizer over east: basic, contact and status
let analyst: TestUser; // aggregates, no field classes
const ids = { ana: '', olu: '', wendy: '', zed: '', sara: '' };
type Name = keyof typeof ids;
const levels: Record<string, string> = {};
const DAY = 86_400_000;
const ago = (days: number) => new Date(Date.now() - days * DAY).toISOString();

async function ok<T>(method: string, url: string, as: TestUser, body?: unknown): Promise<T> {
  const response = await t.call(method, url, { as, ...(body !== undefined ? { body } : {}) });
  if (response.statusCode >= 300)
    throw new Error(`${method} ${url}: ${response.statusCode} ${response.body}`);
  return response.json() as T;
}

async function add(name: Name, input: object): Promise<void> {
  ids[name] = (await ok<{ person: { id: string } }>('POST', '/api/v1/people', admin, input)).person.id;
}

const nameOf = (id: string) => (Object.keys(ids) as Name[]).find((n) => ids[n] === id) ?? id;

/** The people a search finds, by fixture name, sorted; and its total. */
async function found(params: Record<string, string>, as: TestUser = admin): Promise<Name[]> {
  const page = await ok<{ items: { id: string }[]; total: number }>(
    'GET',
    `/api/v1/people?${new URLSearchParams({ ...params, per_page: '100' })}`,
    as,
  );
  expect(page.total).toBe(page.items.length);
  return page.items.map((p) => nameOf(p.id) as Name).sort();
}

async function counted(params: Record<string, string>, as: TestUser = admin): Promise<number> {
  return (await ok<{ total: number }>('GET', `/api/v1/people/count?${new URLSearchParams(params)}`, as))
    .total;
}

beforeAll(async () => {
  t = await createTestApp();
  const org = await makeOrg(t.db, 'filters');
  admin = await makeUser(t.db, org.id, 'org_admin');
  await t.db
    .insertInto('unit')
    .values([
      { org_id: org.id, id: newId(), path: 'east', name: 'East', kind: 'chapter' },
      { org_id: org.id, id: newId(), path: 'east.oakland', name: 'Oakland', kind: 'local' },
      { org_id: org.id, id: newId(), path: 'west', name: 'West', kind: 'chapter' },
    ])
    .execute();
  maria = await makeUser(t.db, org.id, 'local_organizer', 'east.oakland');
  sam = await makeUser(t.db, org.id, 'staff_organizer', 'east');
  analyst = await makeUser(t.db, org.id, 'analyst');
  // Another organization's person in the same ZIP code, at the same level name: never found.
  const other = await makeOrg(t.db, 'filters-other');
  const otherAdmin = await makeUser(t.db, other.id, 'org_admin');
  await t.call('POST', '/api/v1/people', {
    as: otherAdmin,
    body: { given_name: 'Otto', addresses: [{ postal_code: '94607' }] },
  });

  await add('ana', { given_name: 'Ana', home_unit: 'east.oakland', addresses: [{ postal_code: '94607' }] });
  await add('olu', {
    given_name: 'Olu',
    home_unit: 'east.oakland',
    addresses: [{ lines: ['1 Broadway'], postal_code: '94612', latitude: 37.8, longitude: -122.272 }],
  });
  await add('wendy', { given_name: 'Wendy', home_unit: 'west', addresses: [{ postal_code: '94607-1234' }] });
  await add('zed', { given_name: 'Zed', home_unit: 'east.oakland', addresses: [{ postal_code: '10001' }] });
  await add('sara', { given_name: 'Sara', home_unit: 'east', addresses: [{ postal_code: '94704' }] });

  const ladder = await ok<{ id: string; levels: { id: string; name: string }[] }>(
    'POST',
    '/api/v1/ladders',
    admin,
    { name: 'Engagement', levels: [{ name: 'Supporter' }, { name: 'Volunteer' }, { name: 'Leader' }] },
  );
  for (const level of ladder.levels) levels[level.name] = level.id;
  const assess = (who: Name, level: string, at: string) =>
    ok('POST', `/api/v1/people/${ids[who]}/assessments`, admin, {
      ladder_id: ladder.id,
      level_id: levels[level],
      assessed_at: at,
    });
  await assess('ana', 'Supporter', ago(40));
  await assess('ana', 'Volunteer', ago(5));
  await assess('olu', 'Volunteer', ago(40));
  await assess('olu', 'Supporter', ago(5));
  await assess('wendy', 'Volunteer', ago(10));
  const same = ago(2);
  await assess('sara', 'Volunteer', same);
  await assess('sara', 'Leader', same);

  const log = (who: Name, kind: string, days: number, outcome?: string) =>
    ok('POST', `/api/v1/people/${ids[who]}/activities`, admin, {
      kind,
      occurred_at: ago(days),
      ...(outcome ? { outcome } : {}),
    });
  await log('ana', 'one_on_one', 3);
  await log('olu', 'call', 1, 'no_answer');
  await log('olu', 'door_knock', 60, 'talked');
  await log('wendy', 'call', 1, 'reached');
  await log('sara', 'note', 1);
});
afterAll(async () => {
  await t.close();
});

describe('ladder_level', () => {
  it("finds people whose latest assessment on the level's ladder is that level, not an earlier one", async () => {
    expect(await found({ ladder_level: levels.Volunteer as string })).toEqual(['ana', 'wendy']);
    expect(await found({ ladder_level: levels.Supporter as string })).toEqual(['olu']);
    // Two assessments at one moment: the later one (by id) is current, as on the person's page.
    expect(await found({ ladder_level: levels.Leader as string })).toEqual(['sara']);
    expect(await found({ ladder_level: newId() })).toEqual([]);
    expect(await counted({ ladder_level: levels.Volunteer as string })).toBe(2);
  });

  it('keeps to the caller’s reach and needs grants that may read levels', async () => {
    expect(await found({ ladder_level: levels.Volunteer as string }, maria)).toEqual(['ana']);
    expect(await found({ ladder_level: levels.Leader as string }, maria)).toEqual([]);
    expect(await found({ ladder_level: levels.Leader as string }, sam)).toEqual(['sara']);
    // The analyst's grant has no status class: a count by level would reveal levels.
    expect(await counted({ ladder_level: levels.Volunteer as string }, analyst)).toBe(0);
    expect(await counted({}, analyst)).toBe(5);
  });
});

describe('near_zip and radius_km', () => {
  it('finds addresses within the radius, by coordinates or else by their ZIP code’s centroid', async () => {
    expect(await found({ near_zip: '94607', radius_km: '10' })).toEqual(['ana', 'olu', 'sara', 'wendy']);
    expect(await found({ near_zip: '94607', radius_km: '5' })).toEqual(['ana', 'olu', 'wendy']);
    // Without radius_km: 10 km.
    expect(await found({ near_zip: '94607' })).toEqual(['ana', 'olu', 'sara', 'wendy']);
    expect(await found({ near_zip: '10001', radius_km: '2' })).toEqual(['zed']);
    expect(await found({ near_zip: '94704', radius_km: '1' })).toEqual(['sara']);
    expect(await counted({ near_zip: '94607', radius_km: '5' })).toBe(3);
    // Combined with the other filters: every one must hold.
    expect(
      await found({ near_zip: '94607', radius_km: '10', ladder_level: levels.Volunteer as string }),
    ).toEqual(['ana', 'wendy']);
  });

  it('answers a problem naming the field for an unknown ZIP code or a radius without one', async () => {
    for (const [params, field] of [
      [{ near_zip: '00000' }, 'near_zip'],
      [{ near_zip: 'oakland' }, 'near_zip'],
      [{ near_zip: '94607', radius_km: '0' }, 'radius_km'],
      [{ near_zip: '94607', radius_km: '900' }, 'radius_km'],
      [{ radius_km: '10' }, 'radius_km'],
    ] as const) {
      for (const url of ['/api/v1/people', '/api/v1/people/count']) {
        const response = await t.call('GET', `${url}?${new URLSearchParams(params)}`, { as: admin });
        expect(response.statusCode, `${url} ${JSON.stringify(params)}`).toBe(400);
        expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
        expect(response.json().errors[0].field).toBe(field);
      }
    }
  });

  it('keeps to the caller’s reach and needs grants that may read where people live', async () => {
    expect(await found({ near_zip: '94607', radius_km: '10' }, sam)).toEqual(['ana', 'olu', 'sara']);
    // A local organizer may not read addresses: the filter finds nobody rather than reveal them.
    expect(await found({ near_zip: '94607', radius_km: '10' }, maria)).toEqual([]);
    expect(await counted({ near_zip: '94607', radius_km: '10' }, analyst)).toBe(0);
  });
});

describe('contacted_since and not_contacted_since', () => {
  it('counts one-on-ones, calls reached and doors talked as contact, not attempts or notes', async () => {
    expect(await found({ contacted_since: ago(14) })).toEqual(['ana', 'wendy']);
    expect(await found({ contacted_since: ago(90) })).toEqual(['ana', 'olu', 'wendy']);
    expect(await found({ contacted_since: ago(0.5) })).toEqual([]);
    expect(await counted({ contacted_since: ago(14) })).toBe(2);
  });

  it('includes people never contacted in "not contacted since"', async () => {
    expect(await found({ not_contacted_since: ago(14) })).toEqual(['olu', 'sara', 'zed']);
    expect(await found({ not_contacted_since: ago(90) })).toEqual(['sara', 'zed']);
    expect(await found({ contacted_since: ago(90), not_contacted_since: ago(14) })).toEqual(['olu']);
  });

  it('keeps to the caller’s reach', async () => {
    expect(await found({ contacted_since: ago(14) }, maria)).toEqual(['ana']);
    expect(await found({ not_contacted_since: ago(14) }, maria)).toEqual(['olu', 'zed']);
    expect(await found({ not_contacted_since: ago(14) }, sam)).toEqual(['olu', 'sara', 'zed']);
  });
});

describe('saved searches with the new filters', () => {
  it('stores them and finds the same people when the search is run again', async () => {
    const query = {
      ladder_level: levels.Volunteer,
      near_zip: '94607',
      radius_km: 10,
      contacted_since: ago(30),
    };
    const saved = await ok<{ id: string }>('POST', '/api/v1/saved-searches', admin, {
      name: 'Volunteers near Oakland, recently met',
      query,
    });
    const stored = await ok<{ query: Record<string, string | number> }>(
      'GET',
      `/api/v1/saved-searches/${saved.id}`,
      admin,
    );
    const params = Object.fromEntries(Object.entries(stored.query).map(([k, v]) => [k, String(v)]));
    expect(await found(params)).toEqual(['ana', 'wendy']);
    expect(await found(params, sam)).toEqual(['ana']);
  });

  it('refuses an unknown ZIP code or a radius without one, naming the field', async () => {
    for (const [query, field] of [
      [{ near_zip: '00000' }, 'query.near_zip'],
      [{ radius_km: 5 }, 'query.radius_km'],
    ] as const) {
      const response = await t.call('POST', '/api/v1/saved-searches', {
        as: admin,
        body: { name: 'bad', query },
      });
      expect(response.statusCode).toBe(400);
      expect(response.json().errors[0].field).toBe(field);
    }
  });

  it('gives an assignee exactly the people of a saved search by the new filters', async () => {
    const saved = await ok<{ id: string }>('POST', '/api/v1/saved-searches', admin, {
      name: 'Not contacted in two weeks, near Oakland',
      query: { not_contacted_since: ago(14), near_zip: '94607', radius_km: 10 },
    });
    const caller = await makeUser(t.db, admin.orgId, null);
    await ok('POST', '/api/v1/assignments', admin, {
      user_id: caller.id,
      target_kind: 'saved_search',
      target_id: saved.id,
      actions: ['people.read'],
      field_classes: ['basic'],
    });
    // Olu and Sara: near Oakland and not contacted since; Zed is in New York, Ana and Wendy were contacted.
    expect(await found({}, caller)).toEqual(['olu', 'sara']);
    expect(await found({ not_contacted_since: ago(14) }, caller)).toEqual(['olu', 'sara']);
    // Olu is a Supporter, but the assignment gives no status class: a level filter finds nobody.
    expect(await found({ ladder_level: levels.Supporter as string }, caller)).toEqual([]);
  });
});
