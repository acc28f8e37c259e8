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
let analystA: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  const orgA = (await makeOrg(t.db)).id;
  const orgB = (await makeOrg(t.db)).id;
  adminA = await makeUser(t.db, orgA, 'org_admin');
  adminB = await makeUser(t.db, orgB, 'org_admin');
  analystA = await makeUser(t.db, orgA, 'analyst');
});
afterAll(async () => {
  await t.close();
});

const relate = (from: string, body: unknown, as = adminA) =>
  t.call('POST', `/api/v1/people/${from}/relationships`, { as, body });

describe('relationships', () => {
  it('shows a relationship from both sides, with the other person named', async () => {
    const ana = await insertPerson(t.db, adminA.orgId, { given_name: 'Ana' });
    const bo = await insertPerson(t.db, adminA.orgId, { given_name: 'Bo' });
    const created = await relate(ana, { related_person_id: bo, kind: 'recruited_by' });
    expect(created.statusCode, created.body).toBe(201);
    expect(created.json()).toMatchObject({
      person_id: ana,
      related_person_id: bo,
      kind: 'recruited_by',
      custom_label: null,
      direction: 'outgoing',
      other: { id: bo, given_name: 'Bo' },
    });
    await relate(bo, { related_person_id: ana, kind: 'custom', custom_label: 'mentor of' });
    const fromBo = await t.call('GET', `/api/v1/people/${bo}/relationships`, { as: adminA });
    expect(fromBo.json().total).toBe(2);
    expect(
      fromBo.json().items.map((r: { direction: string; other: { id: string } }) => [r.direction, r.other.id]),
    ).toEqual([
      ['incoming', ana],
      ['outgoing', ana],
    ]);
    const removed = await t.call('DELETE', `/api/v1/people/${bo}/relationships/${created.json().id}`, {
      as: adminA,
    });
    expect(removed.statusCode).toBe(204);
    expect((await t.call('GET', `/api/v1/people/${ana}/relationships`, { as: adminA })).json().total).toBe(1);
  });

  it('refuses self-relationships, a missing or extra label, and the same relationship twice', async () => {
    const ana = await insertPerson(t.db, adminA.orgId);
    const bo = await insertPerson(t.db, adminA.orgId);
    const self = await relate(ana, { related_person_id: ana, kind: 'household' });
    expect(self.statusCode).toBe(400);
    expect(JSON.stringify(self.json())).toContain('related_person_id');
    const noLabel = await relate(ana, { related_person_id: bo, kind: 'custom' });
    expect(noLabel.statusCode).toBe(400);
    expect(JSON.stringify(noLabel.json())).toContain('custom_label');
    const extraLabel = await relate(ana, { related_person_id: bo, kind: 'household', custom_label: 'x' });
    expect(extraLabel.statusCode).toBe(400);
    const badKind = await relate(ana, { related_person_id: bo, kind: 'sibling' });
    expect(badKind.statusCode).toBe(400);
    expect((await relate(ana, { related_person_id: bo, kind: 'works_with' })).statusCode).toBe(201);
    const twice = await relate(ana, { related_person_id: bo, kind: 'works_with' });
    expect(twice.statusCode).toBe(409);
  });

  it('needs people.write to relate people', async () => {
    const ana = await insertPerson(t.db, adminA.orgId);
    const bo = await insertPerson(t.db, adminA.orgId);
    expect((await relate(ana, { related_person_id: bo, kind: 'household' }, analystA)).statusCode).toBe(403);
  });

  it('never relates across organizations and answers 404 for another organization’s ids', async () => {
    const ana = await insertPerson(t.db, adminA.orgId);
    const bo = await insertPerson(t.db, adminA.orgId);
    const outsider = await insertPerson(t.db, adminB.orgId);
    const rel = (await relate(ana, { related_person_id: bo, kind: 'household' })).json();
    const across = await relate(ana, { related_person_id: outsider, kind: 'household' });
    expect(across.statusCode).toBe(400);
    expect(JSON.stringify(across.json())).toContain('related_person_id');
    const reverse = await relate(outsider, { related_person_id: ana, kind: 'household' }, adminB);
    expect(reverse.statusCode).toBe(400);
    expect((await t.call('GET', `/api/v1/people/${ana}/relationships`, { as: adminB })).statusCode).toBe(404);
    expect(
      (await t.call('DELETE', `/api/v1/people/${outsider}/relationships/${rel.id}`, { as: adminB }))
        .statusCode,
    ).toBe(404);
    expect((await t.call('GET', `/api/v1/people/${ana}/relationships`, { as: adminA })).json().total).toBe(1);
  });
});

describe('relationships across a merge', () => {
  it('move to the survivor, drop the one between the two, and all come back on undo', async () => {
    const survivor = await insertPerson(t.db, adminA.orgId, { given_name: 'Sam' });
    const merged = await insertPerson(t.db, adminA.orgId, { given_name: 'Samuel' });
    const recruiter = await insertPerson(t.db, adminA.orgId, { given_name: 'Rita' });
    await relate(merged, { related_person_id: recruiter, kind: 'recruited_by' });
    await relate(survivor, { related_person_id: merged, kind: 'household' });
    const list = async (id: string) =>
      (await t.call('GET', `/api/v1/people/${id}/relationships`, { as: adminA }))
        .json()
        .items.map(
          (r: { kind: string; direction: string; other: { id: string } }) =>
            `${r.direction} ${r.kind} ${r.other.id}`,
        );
    const before = {
      survivor: await list(survivor),
      merged: await list(merged),
      recruiter: await list(recruiter),
    };
    const result = await mergePeople(await ctxFor(t.db, adminA), survivor, merged);
    expect(await list(survivor)).toEqual([`outgoing recruited_by ${recruiter}`]);
    expect(await list(recruiter)).toEqual([`incoming recruited_by ${survivor}`]);
    await undoMerge(await ctxFor(t.db, adminA), result.merge_id);
    expect({
      survivor: await list(survivor),
      merged: await list(merged),
      recruiter: await list(recruiter),
    }).toEqual(before);
  });
});
