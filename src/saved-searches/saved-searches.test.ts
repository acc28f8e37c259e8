import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  makeOrg,
  makeUser,
  type TestApp,
  type TestUser,
} from '../../test/support/fixtures.js';
import { newId } from '../db/ids.js';
import { PeopleFilter } from '../people/index.js';

let t: TestApp;
let adminA: TestUser;
let adminB: TestUser;
let organizerA: TestUser;
let volunteerA: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  const orgA = (await makeOrg(t.db)).id;
  const orgB = (await makeOrg(t.db)).id;
  adminA = await makeUser(t.db, orgA, 'org_admin');
  adminB = await makeUser(t.db, orgB, 'org_admin');
  organizerA = await makeUser(t.db, orgA, 'local_organizer');
  volunteerA = await makeUser(t.db, orgA, 'volunteer');
});
afterAll(async () => {
  await t.close();
});

describe('saved searches', () => {
  it('saves a query the people search reads back, lists by name, renames and deletes', async () => {
    const query = { tag: 'Volunteer', unit: 'east.oakland', zip: '94601', sort: 'name' };
    const created = await t.call('POST', '/api/v1/saved-searches', {
      as: organizerA,
      body: { name: 'Oakland volunteers', query },
    });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({
      name: 'Oakland volunteers',
      description: null,
      created_by: organizerA.id,
    });
    expect(PeopleFilter.parse(created.json().query)).toMatchObject(query);
    await t.call('POST', '/api/v1/saved-searches', {
      as: organizerA,
      body: { name: 'Alpha', query: { q: 'maria' } },
    });
    const list = await t.call('GET', '/api/v1/saved-searches', { as: adminA });
    expect(list.json().items.map((s: { name: string }) => s.name)).toEqual(['Alpha', 'Oakland volunteers']);
    const id = created.json().id;
    const renamed = await t.call('PATCH', `/api/v1/saved-searches/${id}`, {
      as: adminA,
      body: { name: 'East Oakland', query: { email: 'A@Example.org' } },
    });
    expect(renamed.json()).toMatchObject({
      name: 'East Oakland',
      query: { email: 'a@example.org', sort: 'newest' },
    });
    expect((await t.call('GET', `/api/v1/saved-searches/${id}`, { as: adminA })).json().name).toBe(
      'East Oakland',
    );
    expect((await t.call('DELETE', `/api/v1/saved-searches/${id}`, { as: adminA })).statusCode).toBe(204);
    expect((await t.call('GET', `/api/v1/saved-searches/${id}`, { as: adminA })).statusCode).toBe(404);
  });

  it('refuses unknown filters and bad values, naming the field', async () => {
    const cases: Array<[unknown, string]> = [
      [{ name: 'x', query: { colour: 'red' } }, 'colour'],
      [{ name: 'x', query: { unit: 'Not A Path!' } }, 'query.unit'],
      [{ name: 'x', query: { list: 'not-a-uuid' } }, 'query.list'],
      [{ name: '', query: {} }, 'name'],
      [{ name: 'x' }, 'query'],
    ];
    for (const [body, field] of cases) {
      const response = await t.call('POST', '/api/v1/saved-searches', { as: adminA, body });
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(response.headers['content-type']).toContain('application/problem+json');
      expect(JSON.stringify(response.json())).toContain(field);
    }
  });

  it('needs people.read', async () => {
    const response = await t.call('POST', '/api/v1/saved-searches', {
      as: volunteerA,
      body: { name: 'x', query: {} },
    });
    expect(response.statusCode).toBe(403);
  });

  it('keeps organizations apart', async () => {
    const mine = (
      await t.call('POST', '/api/v1/saved-searches', { as: adminA, body: { name: 'Private', query: {} } })
    ).json();
    expect((await t.call('GET', `/api/v1/saved-searches/${mine.id}`, { as: adminB })).statusCode).toBe(404);
    expect(
      (await t.call('PATCH', `/api/v1/saved-searches/${mine.id}`, { as: adminB, body: { name: 'x' } }))
        .statusCode,
    ).toBe(404);
    expect((await t.call('DELETE', `/api/v1/saved-searches/${mine.id}`, { as: adminB })).statusCode).toBe(
      404,
    );
    expect((await t.call('GET', '/api/v1/saved-searches', { as: adminB })).json().items).toEqual([]);
    expect((await t.call('GET', `/api/v1/saved-searches/${mine.id}`, { as: adminA })).json().name).toBe(
      'Private',
    );
  });

  it('lets only an access manager change or delete a saved search that gives an assignment its people', async () => {
    const orgId = adminA.orgId;
    await t.db
      .insertInto('unit')
      .values([
        { org_id: orgId, id: newId(), path: 'north', name: 'North', kind: 'chapter' },
        { org_id: orgId, id: newId(), path: 'south', name: 'South', kind: 'chapter' },
      ])
      .execute();
    const inNorth = await t.call('POST', '/api/v1/people', {
      as: adminA,
      body: { given_name: 'Nora', family_name: 'North', home_unit: 'north' },
    });
    const inSouth = await t.call('POST', '/api/v1/people', {
      as: adminA,
      body: { given_name: 'Sam', family_name: 'South', home_unit: 'south' },
    });
    const search = (
      await t.call('POST', '/api/v1/saved-searches', {
        as: adminA,
        body: { name: 'North canvass', query: { unit: 'north' } },
      })
    ).json();
    // A canvasser sees the first names of the people the search finds, and may read people at all
    // only through it.
    const canvasser = await makeUser(t.db, orgId, 'volunteer');
    await t.db
      .insertInto('assignment')
      .values({
        org_id: orgId,
        id: newId(),
        user_id: canvasser.id,
        target_kind: 'saved_search',
        target_id: search.id,
        actions: ['people.read'],
        field_classes: [],
        fields: ['given_name'],
        expires_at: null,
        created_by: null,
      })
      .execute();
    const reach = async () =>
      (await t.call('GET', '/api/v1/people', { as: canvasser }))
        .json()
        .items.map((p: { id: string }) => p.id);
    expect(await reach()).toEqual([inNorth.json().person.id]);

    // Widening the query would widen the canvasser's reach: neither they nor an organizer may.
    for (const as of [canvasser, organizerA]) {
      const widened = await t.call('PATCH', `/api/v1/saved-searches/${search.id}`, {
        as,
        body: { query: {} },
      });
      expect(widened.statusCode).toBe(403);
      expect((await t.call('DELETE', `/api/v1/saved-searches/${search.id}`, { as })).statusCode).toBe(403);
    }
    expect(await reach()).toEqual([inNorth.json().person.id]);
    // Renaming changes no one's access.
    const renamed = await t.call('PATCH', `/api/v1/saved-searches/${search.id}`, {
      as: organizerA,
      body: { name: 'North doors' },
    });
    expect(renamed.statusCode).toBe(200);
    // An admin who manages access may.
    const moved = await t.call('PATCH', `/api/v1/saved-searches/${search.id}`, {
      as: adminA,
      body: { query: { unit: 'south' } },
    });
    expect(moved.statusCode).toBe(200);
    expect(await reach()).toEqual([inSouth.json().person.id]);
  });
});
