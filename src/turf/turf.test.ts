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

let t: TestApp;
let orgId: string;
let eastId: string;
let organizer: TestUser;
let canvasser: TestUser;
let bystander: TestUser;
let surveyId: string;
const ids: Record<string, string> = {};

// A "U" over Oakland ([lon, lat]): the notch (lon -122.20..-122.10, lat above 37.79) is outside,
// and so is a hole around (-122.27, 37.73).
const U = {
  type: 'Polygon',
  coordinates: [
    [
      [-122.3, 37.7],
      [-122.0, 37.7],
      [-122.0, 38.0],
      [-122.1, 38.0],
      [-122.1, 37.79],
      [-122.2, 37.79],
      [-122.2, 38.0],
      [-122.3, 38.0],
      [-122.3, 37.7],
    ],
    [
      [-122.28, 37.72],
      [-122.26, 37.72],
      [-122.26, 37.74],
      [-122.28, 37.74],
      [-122.28, 37.72],
    ],
  ],
};

interface Address {
  line: string;
  zip: string;
  at?: [number, number];
  primary?: boolean;
}

async function person(name: string, unit: string, ...addresses: Address[]) {
  const id = newId();
  await t.db
    .insertInto('person')
    .values({
      org_id: orgId,
      id,
      given_name: name,
      family_name: 'Turf-Test',
      home_unit_path: sql`${unit}::ltree`,
    } as never)
    .execute();
  await t.db
    .insertInto('person_email')
    .values({
      org_id: orgId,
      id: newId(),
      person_id: id,
      address: `${name.toLowerCase()}@example.org`,
      is_primary: true,
      source_kind: 'import',
    } as never)
    .execute();
  for (const [i, a] of addresses.entries())
    await t.db
      .insertInto('person_address')
      .values({
        org_id: orgId,
        id: newId(),
        person_id: id,
        address_lines: [a.line],
        locality: 'Oakland',
        region: 'CA',
        postal_code: a.zip,
        latitude: a.at?.[1] ?? null,
        longitude: a.at?.[0] ?? null,
        address_key: `${a.line}|oakland|ca|${a.zip}|us`.toLowerCase(),
        is_primary: a.primary ?? i === 0,
        source_kind: 'import',
      })
      .execute();
  ids[name] = id;
  return id;
}

async function post(url: string, body: unknown, as: TestUser, status = 201) {
  const response = await t.call('POST', url, { as, body });
  expect(response.statusCode, response.body).toBe(status);
  return response.json();
}

beforeAll(async () => {
  t = await createTestApp();
  orgId = (await makeOrg(t.db)).id;
  eastId = newId();
  await t.db
    .insertInto('unit')
    .values({ org_id: orgId, id: eastId, path: 'east', name: 'east', kind: 'chapter' })
    .execute();
  await t.db
    .insertInto('unit')
    .values({ org_id: orgId, id: newId(), path: 'west', name: 'west', kind: 'chapter' })
    .execute();
  organizer = await makeUser(t.db, orgId, 'staff_organizer', 'east');
  canvasser = await makeUser(t.db, orgId, 'volunteer');
  bystander = await makeUser(t.db, orgId, 'volunteer');
  const main = (n: number): Address => ({
    line: `${n} Main St`,
    zip: '94601',
    at: [-122.25, 37.75 + n / 10000],
  });
  await person('Ana', 'east', main(101));
  await person('Abe', 'east', main(101)); // the same household as Ana
  await person('Cy', 'east', main(103));
  await person('Di', 'east', main(102));
  await person('Ed', 'east', main(104));
  await person('Zip', 'east', { line: '7 Elm St', zip: '94601' }); // no coordinates: 94601's centroid is inside
  await person('Far', 'east', { line: '1 Broadway', zip: '10001' }); // no coordinates, New York
  await person('Notch', 'east', { line: '9 Notch Rd', zip: '94601', at: [-122.15, 37.85] });
  await person('Hole', 'east', { line: '3 Hole Ct', zip: '94601', at: [-122.27, 37.73] });
  await person('Arm', 'east', { line: '200 Oak Ave', zip: '94610', at: [-122.05, 37.9] });
  // Primary address in the notch, a second one inside: where they live is the primary.
  await person(
    'Moved',
    'east',
    { line: '11 Notch Rd', zip: '94601', at: [-122.15, 37.86] },
    { line: '300 Main St', zip: '94601', at: [-122.25, 37.76], primary: false },
  );
  await person('West', 'west', main(105)); // inside, out of the organizer's reach
  const survey = await post(
    '/api/v1/surveys',
    {
      name: 'Doors',
      questions: [{ key: 'support', prompt: 'Do you support the union?', type: 'yes_no' }],
    },
    organizer,
  );
  surveyId = survey.id;
});
afterAll(async () => {
  await t.close();
});

describe('turf', () => {
  let polygonTurf: string;

  it('finds the people inside a concave polygon with a hole, by coordinates or by ZIP centroid', async () => {
    const turf = await post('/api/v1/turfs', { name: 'Fruitvale', unit_id: eastId, geometry: U }, organizer);
    polygonTurf = turf.id;
    const got = await t.call('GET', `/api/v1/turfs/${turf.id}/people`, { as: organizer });
    expect(got.statusCode, got.body).toBe(200);
    const body = got.json();
    const names = body.people.map((p: { person_id: string }) =>
      Object.keys(ids).find((k) => ids[k] === p.person_id),
    );
    expect(names.sort()).toEqual(['Abe', 'Ana', 'Arm', 'Cy', 'Di', 'Ed', 'Zip']);
    expect(body.by_zip_centroid).toBe(1);
    expect(body.households).toBe(6);
  });

  it('takes the people of a ZIP-code turf by their postal code', async () => {
    const turf = await post(
      '/api/v1/turfs',
      { name: 'Oak', unit_id: eastId, zip_codes: ['94610'] },
      organizer,
    );
    const body = (await t.call('GET', `/api/v1/turfs/${turf.id}/people`, { as: organizer })).json();
    expect(body.people.map((p: { person_id: string }) => p.person_id)).toEqual([ids.Arm]);
  });

  it('refuses a ring that is not closed, and both or neither of geometry and ZIP codes', async () => {
    const open = {
      type: 'Polygon',
      coordinates: [
        [
          [0, 0],
          [1, 0],
          [1, 1],
          [0, 1],
        ],
      ],
    };
    await post('/api/v1/turfs', { name: 'x', unit_id: eastId, geometry: open }, organizer, 400);
    await post('/api/v1/turfs', { name: 'x', unit_id: eastId }, organizer, 400);
    await post(
      '/api/v1/turfs',
      { name: 'x', unit_id: eastId, geometry: U, zip_codes: ['94601'] },
      organizer,
      400,
    );
  });

  describe('walk lists', () => {
    let walk: { id: string; list_id: string };

    it('groups households into doors in a walking order that is the same every time', async () => {
      walk = await post(
        '/api/v1/walk-lists',
        { name: 'Saturday', turf_id: polygonTurf, survey_id: surveyId },
        organizer,
      );
      expect(walk).toMatchObject({ progress: { doors: 6, done: 0, people: 7 } });
      const sheet = (await t.call('GET', `/api/v1/walk-lists/${walk.id}/sheet`, { as: organizer })).json();
      const route = sheet.doors.map((d: { address: { lines: string[] } }) => d.address.lines[0]);
      expect(route).toEqual([
        '7 Elm St',
        '101 Main St',
        '103 Main St',
        '104 Main St',
        '102 Main St',
        '200 Oak Ave',
      ]);
      expect(sheet.doors[1].people.map((p: { given_name: string }) => p.given_name).sort()).toEqual([
        'Abe',
        'Ana',
      ]);
      const again = await post('/api/v1/walk-lists', { name: 'Sunday', turf_id: polygonTurf }, organizer);
      const sheet2 = (await t.call('GET', `/api/v1/walk-lists/${again.id}/sheet`, { as: organizer })).json();
      expect(sheet2.doors.map((d: { address: { lines: string[] } }) => d.address.lines[0])).toEqual(route);
    });

    it('shows a canvasser first names and street addresses of the list only, and nobody off it', async () => {
      // Before the assignment a volunteer may read nobody (the route's policy refuses).
      expect((await t.call('GET', `/api/v1/walk-lists/${walk.id}`, { as: canvasser })).statusCode).toBe(403);
      await post(`/api/v1/walk-lists/${walk.id}/canvassers`, { user_id: canvasser.id }, organizer);
      const sheet = await t.call('GET', `/api/v1/walk-lists/${walk.id}/sheet`, { as: canvasser });
      expect(sheet.statusCode, sheet.body).toBe(200);
      const door = sheet.json().doors[1];
      expect(door.address.lines).toEqual(['101 Main St']);
      const ana = door.people.find((p: { given_name: string }) => p.given_name === 'Ana');
      expect(ana.family_name).toBeUndefined();
      expect(ana.emails).toBeUndefined();
      expect(ana.addresses[0].lines).toEqual(['101 Main St']);
      // Off the list: people of the organization the canvasser never sees.
      for (const name of ['Notch', 'Hole', 'Far', 'West', 'Moved'])
        expect((await t.call('GET', `/api/v1/people/${ids[name]}`, { as: canvasser })).statusCode).toBe(404);
      const on = await t.call('GET', `/api/v1/people/${ids.Ana}`, { as: canvasser });
      expect(on.statusCode, on.body).toBe(200);
      expect(on.json().family_name).toBeUndefined();
      const everyone = (await t.call('GET', '/api/v1/people?per_page=100', { as: canvasser })).json();
      expect(everyone.total).toBe(7);
      const csv = await t.call('GET', `/api/v1/walk-lists/${walk.id}/sheet.csv`, { as: canvasser });
      expect(csv.statusCode).toBe(200);
      expect(csv.headers['content-type']).toContain('text/csv');
      expect(csv.body.split('\n')[2]).toBe('2,101 Main St,Oakland,94601,Ana; Abe,,');
      const page = await t.call('GET', `/api/v1/walk-lists/${walk.id}/sheet.html`, { as: canvasser });
      expect(page.statusCode).toBe(200);
      expect(page.headers['content-type']).toContain('text/html');
      expect(page.body).toContain('<td>2</td><td>101 Main St 94601</td><td>Ana, Abe</td>');
      expect(page.body).not.toContain('Turf-Test');
      // Another volunteer sees neither the list nor its people.
      expect((await t.call('GET', `/api/v1/walk-lists/${walk.id}/sheet`, { as: bystander })).statusCode).toBe(
        403,
      );
      expect((await t.call('GET', `/api/v1/people/${ids.Ana}`, { as: bystander })).statusCode).toBe(403);
    });

    it('tells the canvasser in /auth/me what she may do and that she has a walk list', async () => {
      const me = (await t.call('GET', '/api/v1/auth/me', { as: canvasser })).json();
      expect(me.assignments).toEqual({ walk_lists: 1, call_lists: 0 });
      expect(me.actions).toContain('people.read');
      expect(me.actions).not.toContain('turf.manage');
      const organizers = (await t.call('GET', '/api/v1/auth/me', { as: organizer })).json();
      expect(organizers.assignments).toEqual({ walk_lists: 0, call_lists: 0 });
      expect(organizers.actions).toEqual(expect.arrayContaining(['calls.manage', 'turf.manage']));
    });

    it('records a door in one request: a door knock on every resident, answers via door', async () => {
      const sheet = (await t.call('GET', `/api/v1/walk-lists/${walk.id}/sheet`, { as: canvasser })).json();
      const [elm, main101] = sheet.doors;
      const talked = await post(
        `/api/v1/walk-lists/${walk.id}/doors/${main101.id}`,
        {
          result: 'talked',
          note: 'Ana will come Thursday',
          answers: [{ person_id: ids.Ana, answers: [{ question: 'support', value: true }] }],
        },
        canvasser,
      );
      expect(talked.activities).toHaveLength(2);
      expect(talked.answers).toBe(1);
      await post(`/api/v1/walk-lists/${walk.id}/doors/${elm.id}`, { result: 'not_home' }, canvasser);
      for (const [name, outcome] of [
        ['Ana', 'talked'],
        ['Abe', 'talked'],
        ['Zip', 'not_home'],
      ] as const) {
        const timeline = (
          await t.call('GET', `/api/v1/people/${ids[name]}/activities`, { as: organizer })
        ).json();
        expect(timeline.items[0]).toMatchObject({ kind: 'door_knock', outcome, actor_id: canvasser.id });
      }
      const answers = await t.db
        .selectFrom('survey_answer')
        .select(['person_id', 'via', 'value', 'activity_id'])
        .where('org_id', '=', orgId)
        .execute();
      expect(answers).toEqual([
        {
          person_id: ids.Ana,
          via: 'door',
          value: true,
          activity_id: talked.activities.find((a: { person_id: string }) => a.person_id === ids.Ana).id,
        },
      ]);
      const after = (await t.call('GET', `/api/v1/walk-lists/${walk.id}`, { as: organizer })).json();
      expect(after.progress).toMatchObject({ doors: 6, done: 2 });
      // Answers only for residents of the door; only canvassers record.
      await post(
        `/api/v1/walk-lists/${walk.id}/doors/${elm.id}`,
        {
          result: 'talked',
          answers: [{ person_id: ids.Ana, answers: [{ question: 'support', value: true }] }],
        },
        canvasser,
        400,
      );
      await post(`/api/v1/walk-lists/${walk.id}/doors/${elm.id}`, { result: 'moved' }, organizer, 403);
      await post(`/api/v1/walk-lists/${walk.id}/doors/${elm.id}`, { result: 'moved' }, bystander, 403);
    });

    it('ends the canvasser assignment when the list is closed', async () => {
      await post(`/api/v1/walk-lists/${walk.id}/close`, {}, organizer, 200);
      expect((await t.call('GET', `/api/v1/people/${ids.Ana}`, { as: canvasser })).statusCode).toBe(403);
      expect((await t.call('GET', '/api/v1/auth/me', { as: canvasser })).json().assignments.walk_lists).toBe(
        0,
      );
      expect((await t.call('GET', `/api/v1/walk-lists/${walk.id}`, { as: canvasser })).statusCode).toBe(403);
    });

    it('ends one canvasser assignment when they are removed, and leaves the others', async () => {
      const other = await post('/api/v1/walk-lists', { name: 'Monday', turf_id: polygonTurf }, organizer);
      await post(`/api/v1/walk-lists/${other.id}/canvassers`, { user_id: canvasser.id }, organizer);
      await post(`/api/v1/walk-lists/${other.id}/canvassers`, { user_id: bystander.id }, organizer);
      const removed = await t.call('DELETE', `/api/v1/walk-lists/${other.id}/canvassers/${canvasser.id}`, {
        as: organizer,
      });
      expect(removed.statusCode, removed.body).toBe(204);
      expect((await t.call('GET', `/api/v1/people/${ids.Ana}`, { as: canvasser })).statusCode).toBe(403);
      expect((await t.call('GET', `/api/v1/people/${ids.Ana}`, { as: bystander })).statusCode).toBe(200);
      const gone = await t.call('DELETE', `/api/v1/walk-lists/${other.id}/canvassers/${canvasser.id}`, {
        as: organizer,
      });
      expect(gone.statusCode).toBe(404);
    });
  });

  it("keeps another unit's organizer away from the turf and its walk lists", async () => {
    const westOrganizer = await makeUser(t.db, orgId, 'staff_organizer', 'west');
    expect((await t.call('GET', `/api/v1/turfs/${polygonTurf}`, { as: westOrganizer })).statusCode).toBe(404);
    expect((await t.call('GET', '/api/v1/turfs', { as: westOrganizer })).json().items).toEqual([]);
    await post('/api/v1/turfs', { name: 'x', unit_id: eastId, zip_codes: ['94601'] }, westOrganizer, 403);
    await post('/api/v1/walk-lists', { name: 'x', turf_id: polygonTurf }, westOrganizer, 404);
    expect((await t.call('GET', '/api/v1/walk-lists', { as: westOrganizer })).json().items).toEqual([]);
  });
  describe('editing and deleting', () => {
    const square = (lon: number, lat: number, d = 0.01) => ({
      type: 'Polygon',
      coordinates: [
        [
          [lon - d, lat - d],
          [lon + d, lat - d],
          [lon + d, lat + d],
          [lon - d, lat + d],
          [lon - d, lat - d],
        ],
      ],
    });
    const patch = (id: string, body: unknown, as: TestUser = organizer) =>
      t.call('PATCH', `/api/v1/turfs/${id}`, { as, body });
    const residents = async (id: string) =>
      (await t.call('GET', `/api/v1/turfs/${id}/people`, { as: organizer }))
        .json()
        .people.map((p: { person_id: string }) => Object.keys(ids).find((k) => ids[k] === p.person_id))
        .sort();

    it('renames a turf and gives it a new polygon or ZIP codes, and the people follow the new shape', async () => {
      const turf = await post(
        '/api/v1/turfs',
        { name: 'Arm only', unit_id: eastId, geometry: square(-122.05, 37.9) },
        organizer,
      );
      expect(await residents(turf.id)).toEqual(['Arm']);
      const renamed = await patch(turf.id, { name: '  Main Street  ' });
      expect(renamed.statusCode, renamed.body).toBe(200);
      expect(renamed.json()).toMatchObject({ name: 'Main Street', geometry: square(-122.05, 37.9) });
      const moved = await patch(turf.id, { geometry: square(-122.25, 37.7605, 0.001) });
      expect(moved.statusCode, moved.body).toBe(200);
      // 101 to 105 Main St; West (105) is out of the organizer's reach.
      expect(await residents(turf.id)).toEqual(['Abe', 'Ana', 'Cy', 'Di', 'Ed']);
      const zips = await patch(turf.id, { zip_codes: ['94610', '94610'] });
      expect(zips.json()).toMatchObject({ geometry: null, zip_codes: ['94610'] });
      expect(await residents(turf.id)).toEqual(['Arm']);
      const back = await patch(turf.id, { geometry: square(-122.05, 37.9) });
      expect(back.json()).toMatchObject({ zip_codes: [] });
      const row = await t.db
        .selectFrom('turf')
        .select(['min_lat', 'max_lat', 'min_lon', 'max_lon'])
        .where('id', '=', turf.id)
        .executeTakeFirstOrThrow();
      expect(row.min_lat).toBeCloseTo(37.89);
      expect(row.max_lon).toBeCloseTo(-122.04);
    });

    it('checks a change as it checks a new turf, and changes nothing it refuses', async () => {
      const turf = await post(
        '/api/v1/turfs',
        { name: 'Checked', unit_id: eastId, zip_codes: ['94601'] },
        organizer,
      );
      const open = {
        type: 'Polygon',
        coordinates: [
          [
            [0, 0],
            [1, 0],
            [1, 1],
            [0, 1],
          ],
        ],
      };
      const refusals: [unknown, number, string][] = [
        [{ geometry: open }, 400, 'geometry'],
        [{ geometry: square(0, 0), zip_codes: ['94601'] }, 400, 'geometry'],
        [{}, 400, 'name'],
        [{ name: '' }, 400, 'name'],
        [{ zip_codes: ['946'] }, 400, 'zip_codes'],
        [{ zip_codes: [] }, 400, 'zip_codes'],
        [{ colour: 'red' }, 400, ''],
        [{ unit_id: newId() }, 400, 'unit_id'],
      ];
      for (const [body, status, field] of refusals) {
        const response = await patch(turf.id, body);
        expect(response.statusCode, JSON.stringify(body)).toBe(status);
        if (field) expect(JSON.stringify(response.json().errors), JSON.stringify(body)).toContain(field);
      }
      const westUnit = await t.db
        .selectFrom('unit')
        .select('id')
        .where('org_id', '=', orgId)
        .where(sql<string>`path::text`, '=', 'west')
        .executeTakeFirstOrThrow();
      // Moving it to a unit the organizer does not manage turf in.
      expect((await patch(turf.id, { unit_id: westUnit.id })).statusCode).toBe(403);
      const westOrganizer = await makeUser(t.db, orgId, 'staff_organizer', 'west');
      expect((await patch(turf.id, { name: 'Mine now' }, westOrganizer)).statusCode).toBe(404);
      expect((await patch(turf.id, { name: 'Mine now' }, canvasser)).statusCode).toBe(403);
      expect((await t.call('GET', `/api/v1/turfs/${turf.id}`, { as: organizer })).json()).toMatchObject({
        name: 'Checked',
        zip_codes: ['94601'],
        geometry: null,
        unit_id: eastId,
      });
      // An admin over the whole organization may move it to west.
      const admin = await makeUser(t.db, orgId, 'org_admin');
      const moved = await patch(turf.id, { unit_id: westUnit.id }, admin);
      expect(moved.statusCode, moved.body).toBe(200);
      expect((await t.call('GET', `/api/v1/turfs/${turf.id}`, { as: organizer })).statusCode).toBe(404);
    });

    it('keeps the doors of a walk list already cut when the turf changes shape', async () => {
      const turf = await post(
        '/api/v1/turfs',
        { name: 'Snapshot', unit_id: eastId, zip_codes: ['94610'] },
        organizer,
      );
      const walk = await post('/api/v1/walk-lists', { name: 'Before', turf_id: turf.id }, organizer);
      expect(walk.progress).toMatchObject({ doors: 1, people: 1 });
      expect((await patch(turf.id, { zip_codes: ['94601'] })).statusCode).toBe(200);
      const after = (await t.call('GET', `/api/v1/walk-lists/${walk.id}`, { as: organizer })).json();
      expect(after.progress).toMatchObject({ doors: 1, people: 1 });
    });

    it('refuses to delete a turf while an open walk list uses it, then deletes it with its closed walk lists', async () => {
      const turf = await post(
        '/api/v1/turfs',
        { name: 'Doomed', unit_id: eastId, zip_codes: ['94610'] },
        organizer,
      );
      const walk = await post('/api/v1/walk-lists', { name: 'Last walk', turf_id: turf.id }, organizer);
      await post(`/api/v1/walk-lists/${walk.id}/canvassers`, { user_id: bystander.id }, organizer);
      const sheet = (await t.call('GET', `/api/v1/walk-lists/${walk.id}/sheet`, { as: bystander })).json();
      await post(
        `/api/v1/walk-lists/${walk.id}/doors/${sheet.doors[0].id}`,
        { result: 'refused' },
        bystander,
      );

      const refused = await t.call('DELETE', `/api/v1/turfs/${turf.id}`, { as: organizer });
      expect(refused.statusCode).toBe(409);
      expect(refused.json().detail).toBe('the turf has 1 open walk list ("Last walk"): close it first');
      expect((await t.call('GET', `/api/v1/walk-lists/${walk.id}`, { as: bystander })).statusCode).toBe(200);
      // Others are refused before anything is looked at.
      expect((await t.call('DELETE', `/api/v1/turfs/${turf.id}`, { as: bystander })).statusCode).toBe(403);
      const westOrganizer = await makeUser(t.db, orgId, 'staff_organizer', 'west');
      expect((await t.call('DELETE', `/api/v1/turfs/${turf.id}`, { as: westOrganizer })).statusCode).toBe(
        404,
      );

      await post(`/api/v1/walk-lists/${walk.id}/close`, {}, organizer, 200);
      const deleted = await t.call('DELETE', `/api/v1/turfs/${turf.id}`, { as: organizer });
      expect(deleted.statusCode, deleted.body).toBe(204);
      expect((await t.call('GET', `/api/v1/turfs/${turf.id}`, { as: organizer })).statusCode).toBe(404);
      expect((await t.call('GET', `/api/v1/walk-lists/${walk.id}`, { as: organizer })).statusCode).toBe(404);
      expect((await t.call('GET', `/api/v1/lists/${walk.list_id}`, { as: organizer })).statusCode).toBe(404);
      const { rows: left } = await sql<{ n: number }>`
        SELECT (SELECT count(*) FROM walk_list WHERE id = ${walk.id})
          + (SELECT count(*) FROM walk_door WHERE walk_list_id = ${walk.id})
          + (SELECT count(*) FROM list WHERE id = ${walk.list_id})
          + (SELECT count(*) FROM list_item WHERE list_id = ${walk.list_id}) AS n`.execute(t.db);
      expect(Number(left[0]?.n)).toBe(0);
      const tombstones = await t.db
        .selectFrom('tombstone')
        .select('entity')
        .where('id', 'in', [turf.id, walk.id])
        .orderBy('entity')
        .execute();
      expect(tombstones.map((r) => r.entity)).toEqual(['turf', 'walk_list']);
      // What the canvasser recorded stays on the person's timeline.
      const timeline = (
        await t.call('GET', `/api/v1/people/${ids.Arm}/activities`, { as: organizer })
      ).json();
      expect(timeline.items[0]).toMatchObject({
        kind: 'door_knock',
        outcome: 'refused',
        actor_id: bystander.id,
      });
      expect((await t.call('DELETE', `/api/v1/turfs/${turf.id}`, { as: organizer })).statusCode).toBe(404);
    });
  });
});
