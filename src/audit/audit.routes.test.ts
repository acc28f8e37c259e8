import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  ctxFor,
  makeOrg,
  makeUser,
  type TestApp,
  type TestUser,
} from '../../test/support/fixtures.js';
import { newId } from '../db/ids.js';
import { auditPeopleRead } from './index.js';

let t: TestApp;
let admin: TestUser;
let organizer: TestUser;
let outsider: TestUser;
const ana = newId();
const bo = newId();

interface Item {
  seq: number;
  action: string;
  actor: { id: string | null };
  subject_ids: string[];
  purpose: string | null;
}

beforeAll(async () => {
  t = await createTestApp();
  const org = (await makeOrg(t.db)).id;
  admin = await makeUser(t.db, org, 'org_admin');
  organizer = await makeUser(t.db, org, 'local_organizer');
  const other = (await makeOrg(t.db)).id;
  outsider = await makeUser(t.db, other, 'org_admin');
  const asOrganizer = await ctxFor(t.db, organizer);
  const asAdmin = await ctxFor(t.db, admin);
  // seq 1..6, at 2026-01-01 .. 2026-01-06
  const reads: [typeof asAdmin, string[], string][] = [
    [asOrganizer, [ana], 'canvass'],
    [asOrganizer, [ana, bo], 'phone bank'],
    [asAdmin, [bo], 'cleanup'],
    [asOrganizer, [bo], 'canvass'],
    [asAdmin, [ana], 'cleanup'],
  ];
  reads.forEach(([ctx, people, purpose], i) => {
    ctx.audit.record({
      orgId: org,
      action: 'person.read',
      actor: ctx.actor,
      subjectIds: people,
      fields: ['email'],
      purpose,
      at: new Date(`2026-01-0${i + 1}T12:00:00Z`),
    });
  });
  asAdmin.audit.record({
    orgId: org,
    action: 'people.export',
    actor: asAdmin.actor,
    fields: ['email'],
    at: new Date('2026-01-06T12:00:00Z'),
  });
  // Another organization's read of the same people ids must never show.
  auditPeopleRead(await ctxFor(t.db, outsider), [ana, bo], ['email'], 'outsider');
  await t.audit.flush();
});
afterAll(async () => {
  await t.close();
});

async function list(query = '', as: TestUser = admin): Promise<{ items: Item[]; next: string | null }> {
  const response = await t.call('GET', `/api/v1/audit${query}`, { as });
  expect(response.statusCode, response.body).toBe(200);
  return response.json();
}

describe('GET /api/v1/audit', () => {
  it("lists the organization's entries, newest first", async () => {
    const { items, next } = await list();
    expect(items.map((i) => i.seq)).toEqual([6, 5, 4, 3, 2, 1]);
    expect(items.map((i) => i.purpose)).not.toContain('outsider');
    expect(next).toBeNull();
    expect(items[5]).toMatchObject({
      action: 'person.read',
      actor: { kind: 'user', id: organizer.id },
      subject_ids: [ana],
      fields: ['email'],
      purpose: 'canvass',
    });
  });

  it('filters by action, actor, person and time', async () => {
    const seqs = async (q: string) => (await list(q)).items.map((i) => i.seq);
    expect(await seqs('?action=people.export')).toEqual([6]);
    expect(await seqs(`?actor=${organizer.id}`)).toEqual([4, 2, 1]);
    expect(await seqs(`?person=${ana}`)).toEqual([5, 2, 1]);
    expect(await seqs(`?person=${bo}&actor=${admin.id}`)).toEqual([3]);
    expect(await seqs('?since=2026-01-02T00:00:00Z&until=2026-01-04T00:00:00Z')).toEqual([3, 2]);
    expect(await seqs(`?person=${newId()}`)).toEqual([]);
  });

  it('pages by seq with a next cursor until the end', async () => {
    const seen: number[] = [];
    let query = '?limit=4&action=person.read';
    for (let i = 0; i < 5; i++) {
      const page = await list(query);
      seen.push(...page.items.map((x) => x.seq));
      if (!page.next) break;
      query = `?limit=4&action=person.read&cursor=${page.next}`;
    }
    expect(seen).toEqual([5, 4, 3, 2, 1]);
    const first = await list('?limit=2');
    expect(first.next).toBe('5');
    expect((await list('?limit=2&cursor=5')).items.map((i) => i.seq)).toEqual([4, 3]);
  });

  it('names a bad filter with a 400', async () => {
    const response = await t.call('GET', '/api/v1/audit?action=person.eat&limit=0', { as: admin });
    expect(response.statusCode).toBe(400);
    expect(
      response
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['action', 'limit']);
  });

  it('is for organization admins only', async () => {
    const org = admin.orgId;
    const roles: string[] = ['data_manager', 'staff_organizer', 'local_organizer', 'volunteer', 'analyst'];
    for (const role of roles) {
      const someone = await makeUser(t.db, org, role);
      expect((await t.call('GET', '/api/v1/audit', { as: someone })).statusCode, role).toBe(403);
      expect((await t.call('GET', '/api/v1/audit/verify', { as: someone })).statusCode, role).toBe(403);
    }
  });

  it("shows an organization only its own entries, even by another's person id", async () => {
    const theirs = await list(`?person=${ana}`, outsider);
    expect(theirs.items.map((i) => i.purpose)).toEqual(['outsider']);
  });
});

describe('GET /api/v1/audit/verify', () => {
  it("verifies the caller's chain and reports tampering at its seq", async () => {
    const intact = await t.call('GET', '/api/v1/audit/verify', { as: admin });
    expect(intact.json()).toMatchObject({ ok: true, checked: 6, problems: [], heads: [{ seq: 6 }] });
    await sql`ALTER TABLE audit_event DISABLE TRIGGER USER`.execute(t.db);
    try {
      await sql`DELETE FROM audit_event WHERE org_id = ${admin.orgId} AND seq = 3`.execute(t.db);
    } finally {
      await sql`ALTER TABLE audit_event ENABLE TRIGGER USER`.execute(t.db);
    }
    const broken = (await t.call('GET', '/api/v1/audit/verify', { as: admin })).json();
    expect(broken).toMatchObject({
      ok: false,
      checked: 5,
      problems: [{ orgId: admin.orgId, seq: 3, problem: 'missing' }],
    });
    // The other organization's chain is untouched, and its admin sees only it.
    expect((await t.call('GET', '/api/v1/audit/verify', { as: outsider })).json()).toMatchObject({
      ok: true,
      checked: 1,
      heads: [{ orgId: outsider.orgId }],
    });
  });
});
