import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  makeOrg,
  makeUser,
  type TestApp,
  type TestUser,
} from '../../test/support/fixtures.js';
import { snapshotDatabase } from '../../test/support/snapshot.js';
import { newId } from '../db/ids.js';

let t: TestApp;
let admin: TestUser;
let outsider: TestUser;
let analyst: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  const org = await makeOrg(t.db, 'eastside');
  const other = await makeOrg(t.db, 'westside');
  admin = await makeUser(t.db, org.id, 'org_admin');
  analyst = await makeUser(t.db, org.id, 'analyst');
  outsider = await makeUser(t.db, other.id, 'org_admin');
  await t.db
    .insertInto('unit')
    .values([
      { org_id: org.id, id: newId(), path: 'east', name: 'East', kind: 'chapter' },
      { org_id: org.id, id: newId(), path: 'east.oakland', name: 'Oakland', kind: 'local' },
      { org_id: org.id, id: newId(), path: 'west', name: 'West', kind: 'chapter' },
    ])
    .execute();
});
afterAll(async () => {
  await t.close();
});

async function create(body: unknown, as: TestUser = admin) {
  return await t.call('POST', '/api/v1/people', { as, body });
}

describe('/api/v1/people', () => {
  it('creates a person (201), then matches the same email (200) and merges arrays', async () => {
    const first = await create({
      given_name: 'Maria',
      family_name: 'Lopez',
      emails: [{ address: 'maria@example.org' }],
    });
    expect(first.statusCode).toBe(201);
    const id = first.json().person.id;
    const second = await create({
      given_name: 'Maria',
      emails: [{ address: 'MARIA@example.org' }],
      phones: [{ number: '510 555 0100' }],
    });
    expect(second.statusCode).toBe(200);
    expect(second.json().person.id).toBe(id);
    expect(second.json().person.phones[0].number).toBe('+15105550100');
    expect(second.json().person.emails[0].source.kind).toBe('api');
  });

  it('names the offending field in a problem document and stores nothing', async () => {
    const before = await snapshotDatabase(t.db);
    const response = await create({ given_name: 'X', emails: [{ address: 'not-an-email' }] });
    expect(response.statusCode).toBe(400);
    expect(response.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(response.json()).toMatchObject({
      code: 'validation_failed',
      errors: [{ field: 'emails.0.address', message: 'not a valid email address' }],
    });
    const bad = await create({ given_name: 'X', birthdate: '2001-02-30' });
    expect(bad.json().errors[0].field).toBe('birthdate');
    const unknownUnit = await create({ given_name: 'X', home_unit: 'nowhere' });
    expect(unknownUnit.statusCode).toBe(400);
    expect(unknownUnit.json().errors[0].field).toBe('home_unit');
    expect(await snapshotDatabase(t.db)).toEqual(before);
  });

  it('answers 404 for another organization’s person, on every method', async () => {
    const id = (
      await create({ given_name: 'Only', family_name: 'Ours', emails: [{ address: 'only@example.org' }] })
    ).json().person.id;
    const before = await snapshotDatabase(t.db);
    for (const [method, body] of [
      ['GET', undefined],
      ['PATCH', { given_name: 'Stolen' }],
      ['DELETE', undefined],
    ] as const) {
      const response = await t.call(method, `/api/v1/people/${id}`, { as: outsider, body });
      expect(response.statusCode, method).toBe(404);
    }
    const list = await t.call('GET', '/api/v1/people?email=only@example.org', { as: outsider });
    expect(list.json()).toMatchObject({ items: [], total: 0 });
    expect(await snapshotDatabase(t.db)).toEqual(before);
  });

  it('refuses roles without the permission (403) and changes nothing', async () => {
    const before = await snapshotDatabase(t.db);
    expect((await t.call('GET', '/api/v1/people', { as: analyst })).statusCode).toBe(403);
    expect((await create({ given_name: 'Nope' }, analyst)).statusCode).toBe(403);
    expect(await snapshotDatabase(t.db)).toEqual(before);
  });

  it('patches a person’s own fields and home unit, and clears with null', async () => {
    const id = (
      await create({ given_name: 'Pat', birthdate: '1980-01-01', emails: [{ address: 'pat@example.org' }] })
    ).json().person.id;
    const patched = await t.call('PATCH', `/api/v1/people/${id}`, {
      as: admin,
      body: { family_name: 'Quinn', birthdate: null, home_unit: 'east.oakland', do_not_contact: true },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({
      family_name: 'Quinn',
      birthdate: null,
      home_unit: { path: 'east.oakland' },
      do_not_contact: true,
    });
    const unknown = await t.call('PATCH', `/api/v1/people/${id}`, { as: admin, body: { shoe_size: 9 } });
    expect(unknown.statusCode).toBe(400);
  });

  it('searches by name prefix, email, tag, unit subtree and ZIP, with totals that agree', async () => {
    await create({
      given_name: 'Zelda',
      family_name: 'Marquez',
      emails: [{ address: 'zelda@example.org' }],
      tags: ['Canvasser'],
      home_unit: 'east.oakland',
      addresses: [{ lines: ['1 A St'], postal_code: '94607' }],
    });
    await create({
      given_name: 'Zeke',
      family_name: 'Marsh',
      emails: [{ address: 'zeke@example.org' }],
      home_unit: 'west',
      addresses: [{ lines: ['2 B St'], postal_code: '94110' }],
    });
    const q = async (query: string) => (await t.call('GET', `/api/v1/people?${query}`, { as: admin })).json();
    // "mar" prefixes Maria's given name as well as the two family names.
    expect((await q('name=mar')).items.map((p: { given_name: string }) => p.given_name).sort()).toEqual([
      'Maria',
      'Zeke',
      'Zelda',
    ]);
    expect((await q('name=zel%20mar')).total).toBe(1);
    expect((await q('q=ZEKE@example.org')).items[0].given_name).toBe('Zeke');
    expect((await q('tag=canvasser')).total).toBe(1);
    expect((await q('unit=east')).items.map((p: { given_name: string }) => p.given_name)).toContain('Zelda');
    expect((await q('unit=east')).items.map((p: { given_name: string }) => p.given_name)).not.toContain(
      'Zeke',
    );
    expect((await q('zip=94110')).items.map((p: { given_name: string }) => p.given_name)).toEqual(['Zeke']);
    expect((await q('fuzzy=zelda%20markez')).items[0]?.given_name).toBe('Zelda');
    const paged = await q('name=ze%20mar&per_page=1&page=2');
    expect(paged).toMatchObject({ total: 2, page: 2, per_page: 1 });
    expect(paged.items).toHaveLength(1);
    const bad = await t.call('GET', '/api/v1/people?per_page=1000', { as: admin });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().errors[0].field).toBe('per_page');
  });

  it('deletes a person and leaves a tombstone', async () => {
    const id = (await create({ given_name: 'Gone', emails: [{ address: 'gone@example.org' }] })).json().person
      .id;
    expect((await t.call('DELETE', `/api/v1/people/${id}`, { as: admin })).statusCode).toBe(204);
    expect((await t.call('GET', `/api/v1/people/${id}`, { as: admin })).statusCode).toBe(404);
    const tomb = await t.db
      .selectFrom('tombstone')
      .selectAll()
      .where('entity', '=', 'person')
      .where('id', '=', id)
      .executeTakeFirst();
    expect(tomb).toBeDefined();
  });

  it('adds, changes and removes contact values, keeping exactly one primary', async () => {
    const id = (await create({ given_name: 'Cam', emails: [{ address: 'cam@example.org' }] })).json().person
      .id;
    const added = await t.call('POST', `/api/v1/people/${id}/emails`, {
      as: admin,
      body: { address: 'Cam.Work@Example.org' },
    });
    expect(added.statusCode).toBe(201);
    const work = added.json().emails.find((e: { address: string }) => e.address === 'cam.work@example.org');
    expect(work).toMatchObject({ primary: false, source: { kind: 'api' } });
    const promoted = await t.call('PATCH', `/api/v1/people/${id}/emails/${work.id}`, {
      as: admin,
      body: { primary: true, status: 'unsubscribed' },
    });
    expect(
      promoted
        .json()
        .emails.filter((e: { primary: boolean }) => e.primary)
        .map((e: { address: string }) => e.address),
    ).toEqual(['cam.work@example.org']);
    expect(promoted.json().emails[0].status).toBe('unsubscribed');
    const removed = await t.call('DELETE', `/api/v1/people/${id}/emails/${work.id}`, { as: admin });
    expect(removed.json().emails).toEqual([
      expect.objectContaining({ address: 'cam@example.org', primary: true }),
    ]);
    const phone = await t.call('POST', `/api/v1/people/${id}/phones`, {
      as: admin,
      body: { number: '(415) 555-0188', do_not_call: true },
    });
    expect(phone.json().phones).toEqual([
      expect.objectContaining({ number: '+14155550188', primary: true, do_not_call: true }),
    ]);
    const badPhone = await t.call('POST', `/api/v1/people/${id}/phones`, {
      as: admin,
      body: { number: '12' },
    });
    expect(badPhone.json().errors[0]).toEqual({ field: 'number', message: 'not a valid phone number' });
    const address = await t.call('POST', `/api/v1/people/${id}/addresses`, {
      as: admin,
      body: { lines: ['5 Pine St'], postal_code: '94607' },
    });
    expect(address.json().addresses[0]).toMatchObject({ lines: ['5 Pine St'], primary: true });
    const elsewhere = await t.call('DELETE', `/api/v1/people/${id}/phones/${phone.json().phones[0].id}`, {
      as: outsider,
    });
    expect(elsewhere.statusCode).toBe(404);
  });
});
