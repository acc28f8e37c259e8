import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  ctxFor,
  makeOrg,
  makeUser,
  type TestApp,
  type TestUser,
} from '../../test/support/fixtures.js';
import { insertPerson } from '../../test/support/people-factory.js';
import { mergePeople, undoMerge } from '../merges/index.js';

let t: TestApp;
let adminA: TestUser;
let adminB: TestUser;
let volunteerA: TestUser;
let personA: string;
let personB: string;

beforeAll(async () => {
  t = await createTestApp();
  const orgA = (await makeOrg(t.db)).id;
  const orgB = (await makeOrg(t.db)).id;
  adminA = await makeUser(t.db, orgA, 'org_admin');
  adminB = await makeUser(t.db, orgB, 'org_admin');
  volunteerA = await makeUser(t.db, orgA, 'volunteer');
  personA = await insertPerson(t.db, orgA, { given_name: 'Ana' });
  personB = await insertPerson(t.db, orgB, { given_name: 'Bo' });
});
afterAll(async () => {
  await t.close();
});

describe('notes', () => {
  it('adds, lists newest first with paging, edits and deletes a person’s notes', async () => {
    const person = await insertPerson(t.db, adminA.orgId);
    const ids: string[] = [];
    for (const body of ['first', 'second', 'third']) {
      const response = await t.call('POST', `/api/v1/people/${person}/notes`, { as: adminA, body: { body } });
      expect(response.statusCode).toBe(201);
      expect(response.json()).toMatchObject({ body, person_id: person, author_id: adminA.id });
      ids.push(response.json().id);
    }
    const page1 = await t.call('GET', `/api/v1/people/${person}/notes?per_page=2`, { as: adminA });
    expect(page1.json()).toMatchObject({ total: 3, page: 1, per_page: 2 });
    expect(page1.json().items.map((n: { body: string }) => n.body)).toEqual(['third', 'second']);
    const page2 = await t.call('GET', `/api/v1/people/${person}/notes?per_page=2&page=2`, { as: adminA });
    expect(page2.json().items.map((n: { body: string }) => n.body)).toEqual(['first']);
    const edited = await t.call('PATCH', `/api/v1/people/${person}/notes/${ids[0]}`, {
      as: adminA,
      body: { body: 'first, edited' },
    });
    expect(edited.json().body).toBe('first, edited');
    expect(
      (await t.call('DELETE', `/api/v1/people/${person}/notes/${ids[1]}`, { as: adminA })).statusCode,
    ).toBe(204);
    const after = await t.call('GET', `/api/v1/people/${person}/notes`, { as: adminA });
    expect(after.json().items.map((n: { body: string }) => n.body)).toEqual(['third', 'first, edited']);
  });

  it('refuses an empty note naming body, and a role without people.write', async () => {
    const empty = await t.call('POST', `/api/v1/people/${personA}/notes`, {
      as: adminA,
      body: { body: '  ' },
    });
    expect(empty.statusCode).toBe(400);
    expect(empty.headers['content-type']).toContain('application/problem+json');
    expect(JSON.stringify(empty.json())).toContain('body');
    const denied = await t.call('POST', `/api/v1/people/${personA}/notes`, {
      as: volunteerA,
      body: { body: 'x' },
    });
    expect(denied.statusCode).toBe(403);
  });

  it('answers 404 for a person or note of another organization, and changes nothing', async () => {
    const note = (
      await t.call('POST', `/api/v1/people/${personA}/notes`, { as: adminA, body: { body: 'private' } })
    ).json();
    expect((await t.call('GET', `/api/v1/people/${personA}/notes`, { as: adminB })).statusCode).toBe(404);
    expect(
      (await t.call('POST', `/api/v1/people/${personA}/notes`, { as: adminB, body: { body: 'x' } }))
        .statusCode,
    ).toBe(404);
    expect(
      (
        await t.call('PATCH', `/api/v1/people/${personB}/notes/${note.id}`, {
          as: adminB,
          body: { body: 'x' },
        })
      ).statusCode,
    ).toBe(404);
    expect(
      (await t.call('DELETE', `/api/v1/people/${personB}/notes/${note.id}`, { as: adminB })).statusCode,
    ).toBe(404);
    const still = await t.call('GET', `/api/v1/people/${personA}/notes`, { as: adminA });
    expect(still.json().items.map((n: { body: string }) => n.body)).toContain('private');
  });

  it('treats a person merged away as gone', async () => {
    const survivor = await insertPerson(t.db, adminA.orgId);
    const merged = await insertPerson(t.db, adminA.orgId);
    await t.db.updateTable('person').set({ merged_into: survivor }).where('id', '=', merged).execute();
    expect((await t.call('GET', `/api/v1/people/${merged}/notes`, { as: adminA })).statusCode).toBe(404);
  });
});

describe('activities', () => {
  it('logs activities and lists them newest occurred_at first, the caller as actor by default', async () => {
    const person = await insertPerson(t.db, adminA.orgId);
    for (const [kind, day] of [
      ['call', '2024-03-02'],
      ['door_knock', '2024-03-05'],
      ['one_on_one', '2024-03-01'],
    ] as const) {
      const response = await t.call('POST', `/api/v1/people/${person}/activities`, {
        as: adminA,
        body: { kind, occurred_at: `${day}T10:00:00Z`, outcome: 'reached', body: `${kind} notes` },
      });
      expect(response.statusCode, response.body).toBe(201);
      expect(response.json()).toMatchObject({ kind, actor_id: adminA.id, outcome: 'reached' });
    }
    const list = await t.call('GET', `/api/v1/people/${person}/activities`, { as: adminA });
    expect(list.json().total).toBe(3);
    expect(list.json().items.map((a: { kind: string }) => a.kind)).toEqual([
      'door_knock',
      'call',
      'one_on_one',
    ]);
    const first = list.json().items[0];
    const edited = await t.call('PATCH', `/api/v1/people/${person}/activities/${first.id}`, {
      as: adminA,
      body: { outcome: 'not home', actor_id: null },
    });
    expect(edited.json()).toMatchObject({ outcome: 'not home', actor_id: null, kind: 'door_knock' });
    expect(
      (await t.call('DELETE', `/api/v1/people/${person}/activities/${first.id}`, { as: adminA })).statusCode,
    ).toBe(204);
    expect((await t.call('GET', `/api/v1/people/${person}/activities`, { as: adminA })).json().total).toBe(2);
  });

  it('refuses an unknown kind, a bad date and another organization’s user as actor, naming the field', async () => {
    const cases: Array<[unknown, string]> = [
      [{ kind: 'phonebank', occurred_at: '2024-01-01T00:00:00Z' }, 'kind'],
      [{ kind: 'call', occurred_at: 'yesterday' }, 'occurred_at'],
      [{ kind: 'call', occurred_at: '2024-01-01T00:00:00Z', actor_id: adminB.id }, 'actor_id'],
      [{ kind: 'call', occurred_at: '2024-01-01T00:00:00Z', extra: 1 }, 'extra'],
    ];
    for (const [body, field] of cases) {
      const response = await t.call('POST', `/api/v1/people/${personA}/activities`, { as: adminA, body });
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(response.json())).toContain(field);
    }
  });

  it('answers 404 for another organization’s person or activity', async () => {
    const activity = (
      await t.call('POST', `/api/v1/people/${personA}/activities`, {
        as: adminA,
        body: { kind: 'meeting', occurred_at: '2024-05-01T18:00:00Z' },
      })
    ).json();
    expect((await t.call('GET', `/api/v1/people/${personA}/activities`, { as: adminB })).statusCode).toBe(
      404,
    );
    expect(
      (
        await t.call('PATCH', `/api/v1/people/${personB}/activities/${activity.id}`, {
          as: adminB,
          body: { outcome: 'x' },
        })
      ).statusCode,
    ).toBe(404);
    expect(
      (await t.call('DELETE', `/api/v1/people/${personB}/activities/${activity.id}`, { as: adminB }))
        .statusCode,
    ).toBe(404);
    const still = await t.call('GET', `/api/v1/people/${personA}/activities`, { as: adminA });
    expect(still.json().items.map((a: { id: string }) => a.id)).toContain(activity.id);
  });
});

describe('timeline', () => {
  it('interleaves notes and activities newest first, paged', async () => {
    const person = await insertPerson(t.db, adminA.orgId);
    await t.call('POST', `/api/v1/people/${person}/activities`, {
      as: adminA,
      body: { kind: 'call', occurred_at: '2000-01-01T00:00:00Z', outcome: 'left message' },
    });
    await t.call('POST', `/api/v1/people/${person}/notes`, { as: adminA, body: { body: 'today' } });
    await t.call('POST', `/api/v1/people/${person}/activities`, {
      as: adminA,
      body: { kind: 'meeting', occurred_at: '2999-01-01T00:00:00Z' },
    });
    const response = await t.call('GET', `/api/v1/people/${person}/timeline`, { as: adminA });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json().total).toBe(3);
    expect(response.json().items.map((e: { type: string; kind: string | null }) => [e.type, e.kind])).toEqual(
      [
        ['activity', 'meeting'],
        ['note', null],
        ['activity', 'call'],
      ],
    );
    expect(response.json().items[1]).toMatchObject({ body: 'today', actor_id: adminA.id });
    const page2 = await t.call('GET', `/api/v1/people/${person}/timeline?per_page=2&page=2`, { as: adminA });
    expect(page2.json().items.map((e: { outcome: string | null }) => e.outcome)).toEqual(['left message']);
    expect((await t.call('GET', `/api/v1/people/${person}/timeline`, { as: adminB })).statusCode).toBe(404);
  });
});

describe('notes and activities across a merge', () => {
  it('follow the merged person to the survivor and come back on undo', async () => {
    const survivor = await insertPerson(t.db, adminA.orgId, { given_name: 'Sam' });
    const merged = await insertPerson(t.db, adminA.orgId, { given_name: 'Samuel' });
    await t.call('POST', `/api/v1/people/${merged}/notes`, { as: adminA, body: { body: 'met at rally' } });
    await t.call('POST', `/api/v1/people/${merged}/activities`, {
      as: adminA,
      body: { kind: 'one_on_one', occurred_at: '2024-06-01T17:00:00Z' },
    });
    const result = await mergePeople(await ctxFor(t.db, adminA), survivor, merged);
    const onSurvivor = await t.call('GET', `/api/v1/people/${survivor}/timeline`, { as: adminA });
    expect(
      onSurvivor
        .json()
        .items.map((e: { type: string }) => e.type)
        .sort(),
    ).toEqual(['activity', 'note']);
    expect((await t.call('GET', `/api/v1/people/${merged}/notes`, { as: adminA })).statusCode).toBe(404);
    await undoMerge(await ctxFor(t.db, adminA), result.merge_id);
    expect((await t.call('GET', `/api/v1/people/${survivor}/timeline`, { as: adminA })).json().total).toBe(0);
    expect((await t.call('GET', `/api/v1/people/${merged}/timeline`, { as: adminA })).json().total).toBe(2);
  });
});
