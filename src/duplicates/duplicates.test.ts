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
import { newId } from '../db/ids.js';
import { mergePeople } from '../merges/index.js';

let t: TestApp;
let adminA: TestUser;
let adminB: TestUser;
let organizerA: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  const orgA = (await makeOrg(t.db)).id;
  const orgB = (await makeOrg(t.db)).id;
  adminA = await makeUser(t.db, orgA, 'org_admin');
  adminB = await makeUser(t.db, orgB, 'org_admin');
  organizerA = await makeUser(t.db, orgA, 'staff_organizer');
});
afterAll(async () => {
  await t.close();
});

/** Two people flagged as possible duplicates (as the matching engine would), ordered a < b. */
async function flaggedPair(orgId: string, reason = 'same email, different birthdate') {
  const x = await insertPerson(t.db, orgId, {
    given_name: 'Maria',
    birthdate: '1980-01-02',
    email: `m${newId().slice(-6)}@example.org`,
  });
  const y = await insertPerson(t.db, orgId, { given_name: 'María', birthdate: '1981-03-04' });
  const [a, b] = [x, y].sort() as [string, string];
  const id = newId();
  await t.db
    .insertInto('possible_duplicate')
    .values({ org_id: orgId, id, person_a: a, person_b: b, reason })
    .execute();
  return { id, a, b, withEmail: x };
}

describe('possible duplicates', () => {
  it('lists open pairs oldest first with both people summarized, paged', async () => {
    const first = await flaggedPair(adminA.orgId);
    const second = await flaggedPair(adminA.orgId, 'same phone, different name');
    const page1 = await t.call('GET', '/api/v1/duplicates?per_page=1', { as: organizerA });
    expect(page1.statusCode, page1.body).toBe(200);
    expect(page1.json()).toMatchObject({ total: 2, page: 1, per_page: 1 });
    const [item] = page1.json().items;
    expect(item).toMatchObject({ id: first.id, status: 'open', reason: 'same email, different birthdate' });
    const people = item.people as Array<{ id: string; email: string | null; birthdate: string | null }>;
    expect(people.map((p) => p.id)).toEqual([first.a, first.b]);
    const withEmail = people.find((p) => p.id === first.withEmail);
    expect(withEmail?.email).toMatch(/@example\.org$/);
    expect(people.map((p) => p.birthdate).sort()).toEqual(['1980-01-02', '1981-03-04']);
    const page2 = await t.call('GET', '/api/v1/duplicates?per_page=1&page=2', { as: organizerA });
    expect(page2.json().items[0].id).toBe(second.id);
  });

  it('dismissing takes a pair off the open list (twice is fine) and needs people.merge', async () => {
    const pair = await flaggedPair(adminA.orgId);
    expect(
      (await t.call('POST', `/api/v1/duplicates/${pair.id}/dismiss`, { as: organizerA })).statusCode,
    ).toBe(403);
    expect((await t.call('POST', `/api/v1/duplicates/${pair.id}/dismiss`, { as: adminA })).statusCode).toBe(
      204,
    );
    expect((await t.call('POST', `/api/v1/duplicates/${pair.id}/dismiss`, { as: adminA })).statusCode).toBe(
      204,
    );
    const open = await t.call('GET', '/api/v1/duplicates?per_page=100', { as: adminA });
    expect(open.json().items.map((d: { id: string }) => d.id)).not.toContain(pair.id);
    const dismissed = await t.call('GET', '/api/v1/duplicates?status=dismissed', { as: adminA });
    expect(dismissed.json().items.map((d: { id: string }) => d.id)).toContain(pair.id);
  });

  it('leaves out open pairs whose person was merged away since', async () => {
    const pair = await flaggedPair(adminA.orgId);
    const survivor = await insertPerson(t.db, adminA.orgId);
    await t.db.updateTable('person').set({ merged_into: survivor }).where('id', '=', pair.b).execute();
    const open = await t.call('GET', '/api/v1/duplicates?per_page=100', { as: adminA });
    expect(open.json().items.map((d: { id: string }) => d.id)).not.toContain(pair.id);
  });

  it('keeps organizations apart: B sees none of A’s pairs and cannot dismiss them', async () => {
    const pair = await flaggedPair(adminA.orgId);
    expect((await t.call('GET', '/api/v1/duplicates', { as: adminB })).json()).toMatchObject({
      items: [],
      total: 0,
    });
    expect((await t.call('POST', `/api/v1/duplicates/${pair.id}/dismiss`, { as: adminB })).statusCode).toBe(
      404,
    );
    const row = await t.db
      .selectFrom('possible_duplicate')
      .select('status')
      .where('id', '=', pair.id)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('open');
  });

  it('refuses a bad status filter naming it', async () => {
    const response = await t.call('GET', '/api/v1/duplicates?status=maybe', { as: adminA });
    expect(response.statusCode).toBe(400);
    expect(JSON.stringify(response.json())).toContain('status');
  });
});

describe('possible duplicates and merging', () => {
  it('a merged pair leaves the open list and shows under status=merged', async () => {
    const pair = await flaggedPair(adminA.orgId);
    await mergePeople(await ctxFor(t.db, adminA), pair.a, pair.b);
    const open = await t.call('GET', '/api/v1/duplicates?per_page=100', { as: adminA });
    expect(open.json().items.map((d: { id: string }) => d.id)).not.toContain(pair.id);
    const merged = await t.call('GET', '/api/v1/duplicates?status=merged', { as: adminA });
    expect(merged.json().items.map((d: { id: string }) => d.id)).toContain(pair.id);
  });
});
