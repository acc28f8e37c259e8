import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  makeOrg,
  makeUser,
  type TestApp,
  type TestUser,
} from '../../test/support/fixtures.js';
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
});
