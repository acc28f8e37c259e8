import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  ctxFor,
  makeOrg,
  makeUser,
  type TestApp,
  type TestUser,
} from '../../test/support/fixtures.js';
import { addMember, createGrouping } from './groupings.service.js';

let t: TestApp;
let admin: TestUser;
let volunteer: TestUser;
let outsider: TestUser;

async function person(as: TestUser, email: string): Promise<string> {
  const response = await t.call('POST', '/api/v1/people', {
    as,
    body: { given_name: email.split('@')[0], emails: [{ address: email }] },
  });
  expect(response.statusCode).toBe(201);
  return response.json().person.id;
}

beforeAll(async () => {
  t = await createTestApp();
  const org = await makeOrg(t.db, 'groupings-a');
  admin = await makeUser(t.db, org.id, 'org_admin');
  volunteer = await makeUser(t.db, org.id, 'volunteer');
  outsider = await makeUser(t.db, (await makeOrg(t.db, 'groupings-b')).id, 'org_admin');
});
afterAll(async () => {
  await t.close();
});

describe('tags over REST', () => {
  it('creates, reads, renames and deletes a tag; names are unique regardless of case', async () => {
    const created = await t.call('POST', '/api/v1/tags', { as: admin, body: { name: 'Tenant leader' } });
    expect(created.statusCode).toBe(201);
    const tag = created.json();
    expect(tag).toMatchObject({
      name: 'Tenant leader',
      description: null,
      total_members: 0,
      identifiers: [],
    });

    // The same name in another case is the same tag, not a second one.
    const again = await t.call('POST', '/api/v1/tags', { as: admin, body: { name: 'TENANT LEADER' } });
    expect(again.statusCode).toBe(200);
    expect(again.json().id).toBe(tag.id);

    const other = (await t.call('POST', '/api/v1/tags', { as: admin, body: { name: 'Canvasser' } })).json();
    const clash = await t.call('PATCH', `/api/v1/tags/${other.id}`, {
      as: admin,
      body: { name: 'tenant LEADER' },
    });
    expect(clash.statusCode).toBe(409);
    expect(clash.json().errors[0].field).toBe('name');

    const renamed = await t.call('PATCH', `/api/v1/tags/${tag.id}`, {
      as: admin,
      body: { name: 'Tenant leaders', description: 'Building captains' },
    });
    expect(renamed.json()).toMatchObject({ name: 'Tenant leaders', description: 'Building captains' });
    expect((await t.call('GET', `/api/v1/tags/${tag.id}`, { as: admin })).json().name).toBe('Tenant leaders');

    expect((await t.call('DELETE', `/api/v1/tags/${tag.id}`, { as: admin })).statusCode).toBe(204);
    expect((await t.call('GET', `/api/v1/tags/${tag.id}`, { as: admin })).statusCode).toBe(404);
    expect((await t.call('DELETE', `/api/v1/tags/${tag.id}`, { as: admin })).statusCode).toBe(404);
  });

  it('refuses an empty name, naming the field', async () => {
    const response = await t.call('POST', '/api/v1/tags', { as: admin, body: { name: '   ' } });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors[0].field).toContain('name');
  });

  it('tags a person once however often it is asked, lists the taggings and untags', async () => {
    const tag = (await t.call('POST', '/api/v1/tags', { as: admin, body: { name: 'Driver' } })).json();
    const ann = await person(admin, 'ann.driver@example.org');
    const first = await t.call('POST', `/api/v1/tags/${tag.id}/taggings`, {
      as: admin,
      body: { person_id: ann },
    });
    expect(first.statusCode).toBe(201);
    const second = await t.call('POST', `/api/v1/tags/${tag.id}/taggings`, {
      as: admin,
      body: { person_id: ann },
    });
    expect(second.statusCode).toBe(200);
    expect(second.json().id).toBe(first.json().id);

    const taggings = (await t.call('GET', `/api/v1/tags/${tag.id}/taggings`, { as: admin })).json();
    expect(taggings).toMatchObject({ total: 1, page: 1, per_page: 50 });
    expect(taggings.items[0]).toMatchObject({ person_id: ann, grouping_id: tag.id });
    expect((await t.call('GET', `/api/v1/tags/${tag.id}`, { as: admin })).json().total_members).toBe(1);

    const ofPerson = (await t.call('GET', `/api/v1/people/${ann}/tags`, { as: admin })).json();
    expect(ofPerson.items.map((g: { name: string }) => g.name)).toEqual(['Driver']);
    expect((await t.call('GET', `/api/v1/people/${ann}`, { as: admin })).json().tags).toEqual(['Driver']);

    const self = `/api/v1/tags/${tag.id}/taggings/${first.json().id}`;
    expect((await t.call('GET', self, { as: admin })).json().person_id).toBe(ann);
    expect((await t.call('DELETE', self, { as: admin })).statusCode).toBe(204);
    expect((await t.call('DELETE', self, { as: admin })).statusCode).toBe(404);
    expect((await t.call('GET', `/api/v1/people/${ann}/tags`, { as: admin })).json().total).toBe(0);
  });

  it('refuses to tag a person who does not exist', async () => {
    const tag = (await t.call('POST', '/api/v1/tags', { as: admin, body: { name: 'Ghosts' } })).json();
    const response = await t.call('POST', `/api/v1/tags/${tag.id}/taggings`, {
      as: admin,
      body: { person_id: '0190f5d6-0000-7000-8000-000000000000' },
    });
    expect(response.statusCode).toBe(404);
    const bad = await t.call('POST', `/api/v1/tags/${tag.id}/taggings`, {
      as: admin,
      body: { person_id: 'x' },
    });
    expect(bad.statusCode).toBe(400);
  });

  it('pages the collection with totals', async () => {
    for (const name of ['Page A', 'Page B', 'Page C']) {
      await t.call('POST', '/api/v1/tags', { as: admin, body: { name } });
    }
    const all = (await t.call('GET', '/api/v1/tags?per_page=100', { as: admin })).json();
    const pages = [];
    for (let page = 1; page <= Math.ceil(all.total / 2); page++) {
      pages.push(
        ...(await t.call('GET', `/api/v1/tags?per_page=2&page=${page}`, { as: admin })).json().items,
      );
    }
    expect(pages.map((g: { id: string }) => g.id)).toEqual(all.items.map((g: { id: string }) => g.id));
    expect((await t.call('GET', '/api/v1/tags?per_page=1000', { as: admin })).statusCode).toBe(400);
  });

  it('lets a volunteer read tags but not change them', async () => {
    expect((await t.call('GET', '/api/v1/tags', { as: volunteer })).statusCode).toBe(200);
    const response = await t.call('POST', '/api/v1/tags', { as: volunteer, body: { name: 'Nope' } });
    expect(response.statusCode).toBe(403);
    expect((await t.call('GET', '/api/v1/tags')).statusCode).toBe(401);
  });

  it('is idempotent when two taggings of one person race', async () => {
    const ctx = await ctxFor(t.db, admin);
    const { grouping } = await createGrouping(ctx, 'tag', { name: 'Racers' });
    const bea = await person(admin, 'bea.racer@example.org');
    const results = await Promise.all([1, 2, 3].map(() => addMember(ctx, 'tag', grouping.id, bea)));
    expect(new Set(results.map((r) => r.member.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
  });
});

describe('tag names under concurrency', () => {
  it('makes one tag when many requests create the same new name at once', async () => {
    const ctx = await ctxFor(t.db, admin);
    const results = await Promise.all(
      ['Night shift', 'NIGHT SHIFT', 'night shift', 'Night Shift'].map((name) =>
        createGrouping(ctx, 'tag', { name }),
      ),
    );
    expect(new Set(results.map((r) => r.grouping.id)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
  });
});

describe('lists over REST', () => {
  it('creates a list, adds and removes people, and deletes it without deleting them', async () => {
    const created = await t.call('POST', '/api/v1/lists', {
      as: admin,
      body: { name: 'Phone bank', description: 'Tuesday callers' },
    });
    expect(created.statusCode).toBe(201);
    const list = created.json();
    // List names need not be unique.
    expect(
      (await t.call('POST', '/api/v1/lists', { as: admin, body: { name: 'Phone bank' } })).statusCode,
    ).toBe(201);
    const cy = await person(admin, 'cy.caller@example.org');
    const item = await t.call('POST', `/api/v1/lists/${list.id}/items`, {
      as: admin,
      body: { person_id: cy },
    });
    expect(item.statusCode).toBe(201);
    expect(
      (await t.call('POST', `/api/v1/lists/${list.id}/items`, { as: admin, body: { person_id: cy } }))
        .statusCode,
    ).toBe(200);
    const items = (await t.call('GET', `/api/v1/lists/${list.id}/items`, { as: admin })).json();
    expect(items.total).toBe(1);
    expect((await t.call('GET', `/api/v1/people/${cy}/lists`, { as: admin })).json().items[0].id).toBe(
      list.id,
    );
    const patched = await t.call('PATCH', `/api/v1/lists/${list.id}`, {
      as: admin,
      body: { name: 'Callers' },
    });
    expect(patched.json()).toMatchObject({ name: 'Callers', total_members: 1 });
    expect(
      (await t.call('DELETE', `/api/v1/lists/${list.id}/items/${item.json().id}`, { as: admin })).statusCode,
    ).toBe(204);
    expect((await t.call('DELETE', `/api/v1/lists/${list.id}`, { as: admin })).statusCode).toBe(204);
    expect((await t.call('GET', `/api/v1/people/${cy}`, { as: admin })).statusCode).toBe(200);
  });
});

describe('members with names, for the web app', () => {
  it('names each member (by family name), counts only the people the reader may see, and gives the membership id per person', async () => {
    for (const [path, kind] of [
      ['north', 'chapter'],
      ['south', 'chapter'],
    ] as const)
      await t.call('POST', '/api/v1/units', { as: admin, body: { path, kind, name: path } });
    const add = async (given: string, family: string, unit: string) =>
      (
        await t.call('POST', '/api/v1/people', {
          as: admin,
          body: { given_name: given, family_name: family, home_unit: unit },
        })
      ).json().person.id as string;
    const zoe = await add('Zoe', 'Adams', 'north');
    const bo = await add('Bo', 'Zamora', 'north');
    const sam = await add('Sam', 'Marsh', 'south');
    const list = (await t.call('POST', '/api/v1/lists', { as: admin, body: { name: 'Captains' } })).json();
    for (const id of [bo, sam, zoe])
      await t.call('POST', `/api/v1/lists/${list.id}/items`, { as: admin, body: { person_id: id } });

    const all = (await t.call('GET', `/api/v1/lists/${list.id}/items`, { as: admin })).json();
    expect(all.total).toBe(3);
    expect(all.items.map((m: { person: { family_name: string } }) => m.person.family_name)).toEqual([
      'Adams',
      'Marsh',
      'Zamora',
    ]);
    expect(all.items[0]).toMatchObject({
      person_id: zoe,
      grouping_id: list.id,
      person: { id: zoe, given_name: 'Zoe', family_name: 'Adams' },
    });

    // A local organizer over north: two members, named; the list's own total agrees.
    const north = await makeUser(t.db, admin.orgId, 'local_organizer', 'north');
    const hers = (await t.call('GET', `/api/v1/lists/${list.id}/items`, { as: north })).json();
    expect(hers.total).toBe(2);
    expect(hers.items.map((m: { person_id: string }) => m.person_id)).toEqual([zoe, bo]);
    expect((await t.call('GET', `/api/v1/lists/${list.id}`, { as: north })).json().total_members).toBe(2);
    expect(
      (await t.call('GET', '/api/v1/lists?per_page=100', { as: north }))
        .json()
        .items.find((g: { id: string }) => g.id === list.id).total_members,
    ).toBe(2);

    // A person's lists carry the membership's id: enough to remove them.
    const ofSam = (await t.call('GET', `/api/v1/people/${sam}/lists`, { as: admin })).json();
    const membership = ofSam.items.find((g: { id: string }) => g.id === list.id);
    expect(membership.member_id).toBe(all.items.find((m: { person_id: string }) => m.person_id === sam).id);
    expect(
      (await t.call('DELETE', `/api/v1/lists/${list.id}/items/${membership.member_id}`, { as: admin }))
        .statusCode,
    ).toBe(204);
    expect((await t.call('GET', `/api/v1/lists/${list.id}`, { as: admin })).json().total_members).toBe(2);
  });
});

describe('isolation between organizations', () => {
  it('answers 404 for another organization’s tags, lists, taggings and people', async () => {
    const tag = (await t.call('POST', '/api/v1/tags', { as: admin, body: { name: 'Private' } })).json();
    const list = (await t.call('POST', '/api/v1/lists', { as: admin, body: { name: 'Private' } })).json();
    const dee = await person(admin, 'dee.private@example.org');
    const tagging = (
      await t.call('POST', `/api/v1/tags/${tag.id}/taggings`, { as: admin, body: { person_id: dee } })
    ).json();

    for (const url of [
      `/api/v1/tags/${tag.id}`,
      `/api/v1/tags/${tag.id}/taggings`,
      `/api/v1/tags/${tag.id}/taggings/${tagging.id}`,
      `/api/v1/lists/${list.id}`,
      `/api/v1/lists/${list.id}/items`,
      `/api/v1/people/${dee}/tags`,
    ]) {
      expect((await t.call('GET', url, { as: outsider })).statusCode, url).toBe(404);
    }
    expect(
      (await t.call('PATCH', `/api/v1/tags/${tag.id}`, { as: outsider, body: { name: 'x' } })).statusCode,
    ).toBe(404);
    expect(
      (await t.call('DELETE', `/api/v1/tags/${tag.id}/taggings/${tagging.id}`, { as: outsider })).statusCode,
    ).toBe(404);
    expect((await t.call('DELETE', `/api/v1/lists/${list.id}`, { as: outsider })).statusCode).toBe(404);

    // Their own tag cannot take our person either.
    const theirs = (await t.call('POST', '/api/v1/tags', { as: outsider, body: { name: 'Private' } })).json();
    expect(theirs.id).not.toBe(tag.id);
    const poach = await t.call('POST', `/api/v1/tags/${theirs.id}/taggings`, {
      as: outsider,
      body: { person_id: dee },
    });
    expect(poach.statusCode).toBe(404);
    const their = (await t.call('GET', '/api/v1/tags', { as: outsider })).json();
    expect(their.total).toBe(1);
    expect(their.items).toHaveLength(1);
    expect((await t.call('GET', `/api/v1/tags/${tag.id}`, { as: admin })).json().total_members).toBe(1);
  });
});
