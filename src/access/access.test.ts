import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  makeOrg,
  makeUser,
  systemCtx,
  type TestApp,
  type TestUser,
} from '../../test/support/fixtures.js';
import { newId } from '../db/ids.js';
import { signUpPerson } from '../people/index.js';

/**
 * Scenarios of the access model through the real HTTP API: who sees whom, which fields, masked
 * values and capabilities, deny rules, and the 404 that out-of-scope looks like.
 */
let t: TestApp;
let orgId: string;
let admin: TestUser;
let staff: TestUser;
let organizer: TestUser;
let host: TestUser;
let analyst: TestUser;
const ids: Record<string, string> = {};

beforeAll(async () => {
  t = await createTestApp();
  orgId = (await makeOrg(t.db, 'bay-coalition')).id;
  await t.db
    .insertInto('unit')
    .values([
      { org_id: orgId, id: newId(), path: 'east', name: 'East Bay', kind: 'chapter' },
      { org_id: orgId, id: newId(), path: 'east.oakland', name: 'Oakland', kind: 'local' },
      { org_id: orgId, id: newId(), path: 'east.berkeley', name: 'Berkeley', kind: 'local' },
      { org_id: orgId, id: newId(), path: 'eastside', name: 'Eastside', kind: 'chapter' },
      { org_id: orgId, id: newId(), path: 'fresno', name: 'Fresno', kind: 'chapter' },
    ])
    .execute();
  admin = await makeUser(t.db, orgId, 'org_admin');
  staff = await makeUser(t.db, orgId, 'staff_organizer', 'east');
  organizer = await makeUser(t.db, orgId, 'local_organizer', 'east.oakland');
  host = await makeUser(t.db, orgId, 'volunteer');
  analyst = await makeUser(t.db, orgId, 'analyst');
  const ctx = systemCtx(t.db, orgId);
  const add = async (key: string, unit: string | null, extra: Record<string, unknown> = {}) => {
    const { person } = await signUpPerson(ctx, {
      given_name: key,
      family_name: 'Example',
      emails: [{ address: `${key.toLowerCase()}@example.org` }],
      phones: [{ number: '+15105550100' }],
      addresses: [{ lines: ['1 Main St'], locality: 'Oakland', region: 'CA', postal_code: '94601' }],
      ...(unit ? { home_unit: unit } : {}),
      ...extra,
    });
    ids[key] = person.id;
  };
  await add('Ana', 'east.oakland');
  await add('Ben', 'east.berkeley');
  await add('Cora', 'eastside');
  await add('Dev', 'fresno');
  await add('Eli', null);
  await add('Fay', 'east.oakland');
  await t.db
    .updateTable('person')
    .set({ sensitive: true })
    .where('id', '=', ids.Fay as string)
    .execute();
  await t.db
    .updateTable('person')
    .set({ do_not_contact: true, legal_hold: true })
    .where('id', '=', ids.Ben as string)
    .execute();
  // The host is assigned a list holding Dev and Eli, with first names and messaging only.
  const listId = newId();
  await t.db
    .insertInto('list')
    .values({ org_id: orgId, id: listId, name: 'Phone bank', description: null, created_by: null })
    .execute();
  await t.db
    .insertInto('list_item')
    .values(
      [ids.Dev, ids.Eli].map((person_id) => ({
        org_id: orgId,
        id: newId(),
        list_id: listId,
        person_id: person_id as string,
      })),
    )
    .execute();
  await t.db
    .insertInto('assignment')
    .values({
      org_id: orgId,
      id: newId(),
      user_id: host.id,
      target_kind: 'list',
      target_id: listId,
      actions: ['people.read', 'person.message'],
      field_classes: [],
      fields: ['given_name'],
      expires_at: null,
      created_by: admin.id,
    })
    .execute();
});
afterAll(async () => {
  await t.close();
});

const names = (items: { given_name?: string }[]) => items.map((p) => p.given_name).sort();

async function people(as: TestUser, query = '') {
  const response = await t.call('GET', `/api/v1/people?per_page=100${query}`, { as });
  expect(response.statusCode).toBe(200);
  return response.json() as { items: Record<string, unknown>[]; total: number };
}

describe('who sees whom', () => {
  it('an org admin sees everyone, with every field', async () => {
    const page = await people(admin);
    expect(page.total).toBe(6);
    expect(names(page.items)).toEqual(['Ana', 'Ben', 'Cora', 'Dev', 'Eli', 'Fay']);
    const ana = page.items.find((p) => p.given_name === 'Ana') as Record<string, unknown>;
    expect((ana.emails as { address: string }[])[0]?.address).toBe('ana@example.org');
  });

  it('chapter staff see their subtree (not "eastside", whose name only starts alike), sensitive records held back', async () => {
    const page = await people(staff);
    expect(names(page.items)).toEqual(['Ana', 'Ben']);
    expect(page.total).toBe(2);
  });

  it('a local organizer sees her local only, names and flags but no contact values: masked, with capabilities', async () => {
    const page = await people(organizer);
    expect(names(page.items)).toEqual(['Ana']);
    const ana = page.items[0] as Record<string, unknown>;
    expect(ana.family_name).toBe('Example');
    expect(ana.birthdate).toBeUndefined();
    const email = (ana.emails as Record<string, unknown>[])[0] as Record<string, unknown>;
    expect(email.address).toBeUndefined();
    expect(email.address_masked).toBe('a•••@e•••.org');
    expect(email.status).toBe('subscribed');
    const phone = (ana.phones as Record<string, unknown>[])[0] as Record<string, unknown>;
    expect(phone.number).toBeUndefined();
    expect(phone.number_masked).toMatch(/^\+1•+00$/);
    const address = (ana.addresses as Record<string, unknown>[])[0] as Record<string, unknown>;
    expect(address.locality).toBe('Oakland');
    expect(address).not.toHaveProperty('lines');
    expect(address).not.toHaveProperty('postal_code');
    expect(ana.capabilities).toEqual({
      message: `/api/v1/people/${ids.Ana}/message`,
      call: `/api/v1/people/${ids.Ana}/call`,
    });
  });

  it('a volunteer host sees first names of their assigned people only, and may message them', async () => {
    const page = await people(host);
    expect(names(page.items)).toEqual(['Dev', 'Eli']);
    const dev = page.items.find((p) => p.given_name === 'Dev') as Record<string, unknown>;
    expect(Object.keys(dev).sort()).toEqual(
      ['capabilities', 'created_at', 'emails', 'given_name', 'id', 'origin', 'updated_at'].sort(),
    );
    expect(dev.capabilities).toEqual({ message: `/api/v1/people/${ids.Dev}/message` });
    expect((dev.emails as Record<string, unknown>[])[0]).toEqual({
      id: expect.any(String),
      primary: true,
      address_masked: 'd•••@e•••.org',
    });
  });

  it('an analyst counts without seeing anyone', async () => {
    expect((await t.call('GET', '/api/v1/people', { as: analyst })).statusCode).toBe(403);
    const count = await t.call('GET', '/api/v1/people/count?unit=east', { as: analyst });
    expect(count.statusCode).toBe(200);
    // Nobody in the analyst's reach is sensitive-cleared: Fay (sensitive) is not counted.
    expect(count.json()).toEqual({ total: 2 });
  });

  it('a filter on contact fields finds only people whose contact fields the user may read', async () => {
    expect((await people(organizer, '&email=ana@example.org')).total).toBe(0);
    expect((await people(staff, '&email=ana@example.org')).total).toBe(1);
    expect((await people(staff, '&zip=94601')).total).toBe(2);
  });
});

describe('single records', () => {
  it('answers 404 for a person outside the reader’s scope, exactly as for one that does not exist', async () => {
    const outside = await t.call('GET', `/api/v1/people/${ids.Dev}`, { as: organizer });
    const missing = await t.call('GET', `/api/v1/people/${newId()}`, { as: organizer });
    expect(outside.statusCode).toBe(404);
    expect(outside.json().detail).toBe(missing.json().detail);
    expect(
      (await t.call('PATCH', `/api/v1/people/${ids.Dev}`, { as: organizer, body: { given_name: 'X' } }))
        .statusCode,
    ).toBe(404);
    expect((await t.call('GET', `/api/v1/people/${ids.Fay}`, { as: staff })).statusCode).toBe(404);
    expect((await t.call('GET', `/api/v1/people/${ids.Fay}`, { as: admin })).statusCode).toBe(200);
  });

  it('refuses a write to a field the writer may not see, naming it', async () => {
    const response = await t.call('PATCH', `/api/v1/people/${ids.Ana}`, {
      as: organizer,
      body: { birthdate: '1990-01-01' },
    });
    expect(response.statusCode).toBe(403);
    expect(response.json().detail).toMatch(/birthdate/);
    const ok = await t.call('PATCH', `/api/v1/people/${ids.Ana}`, {
      as: organizer,
      body: { pronouns: 'she/her' },
    });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().pronouns).toBe('she/her');
  });

  it('lets deny rules win over an org admin: legal hold stops changes, do-not-contact stops messaging', async () => {
    const patch = await t.call('PATCH', `/api/v1/people/${ids.Ben}`, {
      as: admin,
      body: { pronouns: 'he/him' },
    });
    expect(patch.statusCode).toBe(403);
    expect(patch.json().detail).toMatch(/legal hold/);
    expect((await t.call('DELETE', `/api/v1/people/${ids.Ben}`, { as: admin })).statusCode).toBe(403);
    const ben = await t.call('GET', `/api/v1/people/${ids.Ben}`, { as: admin });
    expect(ben.json().capabilities).toBeUndefined();
  });

  it('homes the people a local organizer adds in her unit, so that she sees them', async () => {
    const response = await t.call('POST', '/api/v1/people', {
      as: organizer,
      body: { given_name: 'Gus', emails: [{ address: 'gus@example.org' }] },
    });
    expect(response.statusCode).toBe(201);
    expect(response.json().person.home_unit.path).toBe('east.oakland');
    const elsewhere = await t.call('POST', '/api/v1/people', {
      as: organizer,
      body: { given_name: 'Hal', home_unit: 'fresno' },
    });
    expect(elsewhere.statusCode).toBe(403);
  });
});

describe('OSDI and export', () => {
  it('OSDI omits what the reader may not see (never null, never masked) and totals agree', async () => {
    const response = await t.call('GET', '/osdi/v1/people?per_page=25', { as: organizer });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    const list = body._embedded['osdi:people'] as Record<string, unknown>[];
    expect(body.total_records).toBe(list.length);
    const ana = list.find((p) => p.given_name === 'Ana') as Record<string, unknown>;
    expect(ana.email_addresses).toEqual([]);
    expect(ana.phone_numbers).toEqual([]);
    expect(ana).not.toHaveProperty('birthdate');
    expect(JSON.stringify(body)).not.toContain('ana@example.org');
  });

  it('exports only people in scope, and refuses columns no grant shows', async () => {
    expect((await t.call('GET', '/api/v1/people.csv', { as: staff })).statusCode).toBe(403);
    const manager = await makeUser(t.db, orgId, 'data_manager', 'east');
    const csv = await t.call('GET', '/api/v1/people.csv?columns=given_name,email', { as: manager });
    expect(csv.statusCode).toBe(200);
    const rows = csv.body.trim().split('\n').slice(1).sort();
    // Data managers carry the restricted class, so the sensitive record in their chapter is theirs too.
    expect(rows.filter((r) => !r.startsWith('Gus'))).toEqual([
      'Ana,ana@example.org',
      'Ben,ben@example.org',
      'Fay,fay@example.org',
    ]);
    await t.db
      .insertInto('role')
      .values({
        org_id: orgId,
        id: newId(),
        key: 'list_puller',
        name: 'List puller',
        actions: ['people.read', 'people.export'],
        field_classes: ['basic'],
        builtin: false,
      })
      .execute();
    const puller = await makeUser(t.db, orgId, 'list_puller');
    const refused = await t.call('GET', '/api/v1/people.csv?columns=given_name,email', { as: puller });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().errors[0]).toMatchObject({ field: 'columns' });
    const basic = await t.call('GET', '/api/v1/people.csv', { as: puller });
    expect(basic.statusCode).toBe(200);
    expect(basic.body.split('\n')[0]).not.toMatch(/email|address_line1|zip|birthdate/);
  });
});
