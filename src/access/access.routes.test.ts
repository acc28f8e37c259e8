import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  makeOrg,
  makeUser,
  systemCtx,
  type TestApp,
  type TestUser,
} from '../../test/support/fixtures.js';
import { snapshotDatabase } from '../../test/support/snapshot.js';
import { addMember, createGrouping } from '../groupings/index.js';
import { PersonInput, upsertPeople } from '../people/index.js';
import { addUnit } from '../units/index.js';

/**
 * The access routes: roles, bindings, assignments, explain, preview, and view as. Personas: an
 * organization admin, Maria (local organizer over east.oakland), Vic (a volunteer, no people at
 * all), and another organization's admin.
 */
let t: TestApp;
let orgId: string;
let admin: TestUser;
let maria: TestUser;
let vic: TestUser;
let outsider: TestUser;
const people: Record<string, string> = {};
let fresnoList: string;

async function counts(): Promise<{ bindings: number; assignments: number }> {
  const row = await sql<{ bindings: number; assignments: number }>`
    SELECT (SELECT count(*)::int FROM role_binding) AS bindings,
      (SELECT count(*)::int FROM assignment) AS assignments`.execute(t.db);
  return row.rows[0] as { bindings: number; assignments: number };
}

beforeAll(async () => {
  t = await createTestApp();
  orgId = (await makeOrg(t.db)).id;
  const ctx = systemCtx(t.db, orgId);
  await addUnit(ctx, { path: 'east', name: 'East Bay', kind: 'chapter' });
  await addUnit(ctx, { path: 'east.oakland', name: 'Oakland' });
  await addUnit(ctx, { path: 'fresno', name: 'Fresno', kind: 'chapter' });
  const inputs: [string, Record<string, unknown>][] = [
    [
      'ana',
      {
        given_name: 'Ana',
        family_name: 'Lima',
        home_unit: 'east.oakland',
        emails: [{ address: 'ana@example.org' }],
      },
    ],
    [
      'oli',
      {
        given_name: 'Oli',
        family_name: 'Park',
        home_unit: 'east.oakland',
        phones: [{ number: '+14155550101' }],
      },
    ],
    [
      'eb',
      { given_name: 'Eb', family_name: 'Stone', home_unit: 'east', emails: [{ address: 'eb@example.org' }] },
    ],
    [
      'ben',
      {
        given_name: 'Ben',
        family_name: 'Fresno',
        home_unit: 'fresno',
        emails: [{ address: 'ben@example.org' }],
      },
    ],
    ['fay', { given_name: 'Fay', family_name: 'Fresno', home_unit: 'fresno' }],
    ['cy', { given_name: 'Cy', family_name: 'Nowhere' }],
  ];
  const results = await upsertPeople(
    ctx,
    inputs.map(([, input]) => PersonInput.parse(input)),
    { kind: 'import', ref: 'test' },
  );
  results.forEach((r, i) => {
    if (r.outcome === 'rejected') throw new Error('fixture rejected');
    people[(inputs[i] as [string, unknown])[0]] = r.personId;
  });
  admin = await makeUser(t.db, orgId, 'org_admin');
  maria = await makeUser(t.db, orgId, 'local_organizer', 'east.oakland');
  vic = await makeUser(t.db, orgId, 'volunteer');
  outsider = await makeUser(t.db, (await makeOrg(t.db)).id, 'org_admin');
  fresnoList = (await createGrouping(ctx, 'list', { name: 'Fresno canvass' })).grouping.id;
  await addMember(ctx, 'list', fresnoList, people.ben as string);
});
afterAll(async () => {
  await t.close();
});

describe('roles', () => {
  it('lists the built-in roles first, for access.manage only', async () => {
    const list = await t.call('GET', '/api/v1/roles', { as: admin });
    expect(list.statusCode).toBe(200);
    const keys = list.json().items.map((r: { key: string }) => r.key);
    expect(keys.slice(0, 6).sort()).toEqual(
      ['analyst', 'data_manager', 'local_organizer', 'org_admin', 'staff_organizer', 'volunteer'].sort(),
    );
    for (const who of [maria, vic])
      expect((await t.call('GET', '/api/v1/roles', { as: who })).statusCode).toBe(403);
  });

  it('creates a custom role, refuses a duplicate key or an unknown action, and edits it by key', async () => {
    const body = {
      key: 'door_captain',
      name: 'Door captain',
      actions: ['people.read'],
      field_classes: ['basic'],
    };
    const created = await t.call('POST', '/api/v1/roles', { as: admin, body });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({ key: 'door_captain', builtin: false, actions: ['people.read'] });
    const again = await t.call('POST', '/api/v1/roles', { as: admin, body });
    expect(again.statusCode).toBe(400);
    expect(again.json().errors).toEqual([{ field: 'key', message: 'a role with this key exists' }]);
    const badAction = await t.call('POST', '/api/v1/roles', {
      as: admin,
      body: { ...body, key: 'emperor', actions: ['everything'] },
    });
    expect(badAction.statusCode).toBe(400);
    expect(badAction.json().errors[0].field).toBe('actions.0');

    const patched = await t.call('PATCH', '/api/v1/roles/door_captain', {
      as: admin,
      body: { name: 'Door captain (turf)', field_classes: ['basic', 'status'] },
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({ name: 'Door captain (turf)', field_classes: ['basic', 'status'] });
    expect((await t.call('PATCH', '/api/v1/roles/nope', { as: admin, body: { name: 'x' } })).statusCode).toBe(
      404,
    );
    expect(
      (await t.call('PATCH', '/api/v1/roles/door_captain', { as: maria, body: { name: 'x' } })).statusCode,
    ).toBe(403);
  });
});

describe('role bindings', () => {
  it('grant a role over a unit (201), re-grant updates the expiry (200), and revoke (204, then 404)', async () => {
    // A volunteer reads no people at all.
    expect((await t.call('GET', `/api/v1/people/${people.ben}`, { as: vic })).statusCode).toBe(403);

    const body = { user_id: vic.id, role: 'local_organizer', unit: 'fresno' };
    const granted = await t.call('POST', '/api/v1/role-bindings', { as: admin, body });
    expect(granted.statusCode).toBe(201);
    expect(granted.json()).toMatchObject({
      user_id: vic.id,
      role: 'local_organizer',
      unit: 'fresno',
      expires_at: null,
    });
    const id = granted.json().binding_id as string;
    expect((await t.call('GET', `/api/v1/people/${people.ben}`, { as: vic })).statusCode).toBe(200);

    const expires = new Date(Date.now() + 86_400_000).toISOString();
    const regranted = await t.call('POST', '/api/v1/role-bindings', {
      as: admin,
      body: { ...body, expires_at: expires },
    });
    expect(regranted.statusCode).toBe(200);
    expect(regranted.json()).toMatchObject({ binding_id: id, expires_at: expires });

    const listed = await t.call('GET', `/api/v1/role-bindings?user=${vic.id}`, { as: admin });
    expect(listed.statusCode).toBe(200);
    expect(listed.json().items.map((b: { role: string; unit: string | null }) => [b.role, b.unit])).toEqual([
      ['local_organizer', 'fresno'],
      ['volunteer', null],
    ]);
    const all = await t.call('GET', '/api/v1/role-bindings', { as: admin });
    expect(all.json().items.length).toBeGreaterThanOrEqual(4);

    expect((await t.call('DELETE', `/api/v1/role-bindings/${id}`, { as: admin })).statusCode).toBe(204);
    expect((await t.call('DELETE', `/api/v1/role-bindings/${id}`, { as: admin })).statusCode).toBe(404);
    expect((await t.call('GET', `/api/v1/people/${people.ben}`, { as: vic })).statusCode).toBe(403);
  });

  it('refuse an unknown unit or role, another organization’s user, and callers without access.manage', async () => {
    const before = await counts();
    const badUnit = await t.call('POST', '/api/v1/role-bindings', {
      as: admin,
      body: { user_id: vic.id, role: 'volunteer', unit: 'nowhere' },
    });
    expect(badUnit.statusCode).toBe(400);
    expect(badUnit.json().errors).toEqual([{ field: 'unit', message: 'no unit with path nowhere' }]);
    const badRole = await t.call('POST', '/api/v1/role-bindings', {
      as: admin,
      body: { user_id: vic.id, role: 'emperor' },
    });
    expect(badRole.json().errors[0].field).toBe('role');
    const foreign = await t.call('POST', '/api/v1/role-bindings', {
      as: admin,
      body: { user_id: outsider.id, role: 'org_admin' },
    });
    expect(foreign.statusCode).toBe(400);
    expect(foreign.json().errors[0].field).toBe('user_id');
    const self = await t.call('POST', '/api/v1/role-bindings', {
      as: maria,
      body: { user_id: maria.id, role: 'org_admin' },
    });
    expect(self.statusCode).toBe(403);
    expect(await counts()).toEqual(before);
  });
});

describe('assignments', () => {
  it('give a user exactly a list’s people with the fields named, and go away again', async () => {
    const body = { user_id: vic.id, target_kind: 'list', target_id: fresnoList };
    const created = await t.call('POST', '/api/v1/assignments', { as: admin, body });
    expect(created.statusCode).toBe(201);
    expect(created.json()).toMatchObject({
      actions: ['people.read', 'person.message'],
      fields: ['given_name'],
    });
    const replaced = await t.call('POST', '/api/v1/assignments', {
      as: admin,
      body: { ...body, actions: ['people.read'], fields: ['given_name', 'family_name'] },
    });
    expect(replaced.statusCode).toBe(200);
    expect(replaced.json()).toMatchObject({ id: created.json().id, fields: ['given_name', 'family_name'] });

    const seen = await t.call('GET', '/api/v1/people', { as: vic });
    expect(seen.statusCode).toBe(200);
    expect(seen.json().items.map((p: { id: string }) => p.id)).toEqual([people.ben]);
    expect(seen.json().items[0].given_name).toBe('Ben');
    expect(seen.json().items[0].emails).toBeUndefined();

    const listed = await t.call('GET', `/api/v1/assignments?user=${vic.id}`, { as: admin });
    expect(listed.json().items).toHaveLength(1);
    expect((await t.call('GET', `/api/v1/assignments?user=${maria.id}`, { as: admin })).json().items).toEqual(
      [],
    );
    expect((await t.call('GET', '/api/v1/assignments', { as: maria })).statusCode).toBe(403);

    const id = created.json().id as string;
    expect((await t.call('DELETE', `/api/v1/assignments/${id}`, { as: maria })).statusCode).toBe(403);
    expect((await t.call('DELETE', `/api/v1/assignments/${id}`, { as: admin })).statusCode).toBe(204);
    expect((await t.call('DELETE', `/api/v1/assignments/${id}`, { as: admin })).statusCode).toBe(404);
    expect((await t.call('GET', '/api/v1/people', { as: vic })).statusCode).toBe(403);
  });

  it('refuse a target that is not this organization’s', async () => {
    const response = await t.call('POST', '/api/v1/assignments', {
      as: admin,
      body: { user_id: vic.id, target_kind: 'list', target_id: '01900000-0000-7000-8000-0000000000ff' },
    });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors[0].field).toBe('target_id');
  });
});

describe('GET /api/v1/access/explain', () => {
  it('explains another user’s decision to an admin, with the chain of reasons and the live grants', async () => {
    const allowed = await t.call(
      'GET',
      `/api/v1/access/explain?user=${maria.email}&person=${people.ana}&field=given_name`,
      { as: admin },
    );
    expect(allowed.statusCode).toBe(200);
    const body = allowed.json();
    expect(body).toMatchObject({
      allowed: true,
      action: 'people.read',
      user: { id: maria.id, email: maria.email },
      person: people.ana,
      field: { name: 'given_name', class: 'basic' },
    });
    expect(body.reasons.map((r: { kind: string }) => r.kind)).toEqual(['grant', 'scope', 'field']);
    expect(body.reasons[1].message).toBe("the person's home unit east.oakland is east.oakland");
    expect(body.grants).toHaveLength(1);
    expect(body.grants[0].description).toMatch(/^role local_organizer over unit east.oakland/);

    const outside = await t.call(
      'GET',
      `/api/v1/access/explain?user=${maria.id}&person=${people.ben}&field=emails`,
      {
        as: admin,
      },
    );
    expect(outside.json()).toMatchObject({
      allowed: false,
      reasons: [{ kind: 'none', message: expect.stringContaining('outside every grant of people.read') }],
    });
  });

  it('lets anyone explain their own access, about people they may read', async () => {
    const own = await t.call('GET', `/api/v1/access/explain?person=${people.ana}&field=emails`, {
      as: maria,
    });
    expect(own.statusCode).toBe(200);
    expect(own.json()).toMatchObject({ allowed: false, user: { id: maria.id } });
    expect(own.json().reasons.at(-1)).toMatchObject({ kind: 'field', fieldClass: 'contact' });
    const byEmail = await t.call(
      'GET',
      `/api/v1/access/explain?user=${maria.email.toUpperCase()}&action=people.write`,
      {
        as: maria,
      },
    );
    expect(byEmail.json()).toMatchObject({ allowed: true, action: 'people.write', person: null });
    // Out of her reach looks exactly like absent.
    const hidden = await t.call('GET', `/api/v1/access/explain?person=${people.ben}`, { as: maria });
    expect(hidden.statusCode).toBe(404);
    const other = await t.call('GET', `/api/v1/access/explain?user=${admin.email}`, { as: maria });
    expect(other.statusCode).toBe(403);
    const otherById = await t.call('GET', `/api/v1/access/explain?user=${admin.id}`, { as: maria });
    expect(otherById.statusCode).toBe(403);
  });

  it('answers an unknown user 404, an unknown field or action 400, and anonymous callers 401', async () => {
    expect(
      (await t.call('GET', '/api/v1/access/explain?user=ghost@example.org', { as: admin })).statusCode,
    ).toBe(404);
    const field = await t.call(
      'GET',
      `/api/v1/access/explain?user=${maria.id}&person=${people.ana}&field=shoe_size`,
      {
        as: admin,
      },
    );
    expect(field.statusCode).toBe(400);
    expect(field.json().errors[0].field).toBe('field');
    const action = await t.call('GET', `/api/v1/access/explain?user=${maria.id}&action=people.fly`, {
      as: admin,
    });
    expect(action.statusCode).toBe(400);
    expect(action.json().errors[0].field).toBe('action');
    expect((await t.call('GET', '/api/v1/access/explain')).statusCode).toBe(401);
  });
});

describe('POST /api/v1/access/preview', () => {
  const ids = (sample: { id: string }[]) => sample.map((p) => p.id).sort();

  it('shows what a new binding would give, by top-level unit, and saves nothing', async () => {
    const before = await counts();
    const snapshot = await snapshotDatabase(t.db);
    const response = await t.call('POST', '/api/v1/access/preview', {
      as: admin,
      body: { user_id: maria.id, add: { binding: { role: 'staff_organizer', unit: 'fresno' } } },
    });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.user).toEqual({ id: maria.id, email: maria.email });
    expect(body.add).toBe('role staff_organizer over unit fresno and the units under it');
    expect(body.remove).toBeNull();
    expect(body.people).toMatchObject({
      before: 2,
      after: 4,
      by_unit: [
        { unit: 'east', name: 'East Bay', before: 2, after: 2 },
        { unit: 'fresno', name: 'Fresno', before: 0, after: 2 },
      ],
      gained: { count: 2 },
      lost: { count: 0, sample: [] },
    });
    expect(ids(body.people.gained.sample)).toEqual([people.ben, people.fay].sort());
    expect(body.people.gained.sample[0]).toHaveProperty('given_name');
    expect(body.field_classes).toEqual({
      before: ['basic', 'status'],
      after: ['basic', 'contact', 'status'],
    });
    expect(body.actions.after).toContain('tags.write');
    expect(body.actions.before).not.toContain('tags.write');
    expect(await counts()).toEqual(before);
    expect(await snapshotDatabase(t.db)).toEqual(snapshot);
  });

  it('shows what removing a binding would take away, and an assignment added at the same time', async () => {
    const before = await counts();
    const binding = (await t.call('GET', `/api/v1/role-bindings?user=${maria.id}`, { as: admin })).json()
      .items[0];
    const response = await t.call('POST', '/api/v1/access/preview', {
      as: admin,
      body: {
        user_id: maria.id,
        remove: { binding_id: binding.binding_id },
        add: { assignment: { target_kind: 'list', target_id: fresnoList } },
      },
    });
    expect(response.statusCode).toBe(200);
    const body = response.json();
    expect(body.remove).toBe('role local_organizer over unit east.oakland and the units under it');
    expect(body.add).toBe(`assignment to list ${fresnoList}`);
    expect(body.people).toMatchObject({
      before: 2,
      after: 1,
      by_unit: [
        { unit: 'east', before: 2, after: 0 },
        { unit: 'fresno', before: 0, after: 1 },
      ],
      gained: { count: 1 },
      lost: { count: 2 },
    });
    expect(ids(body.people.lost.sample)).toEqual([people.ana, people.oli].sort());
    expect(body.field_classes.after).toEqual([]);
    expect(body.fields).toEqual({ before: [], after: ['given_name'] });
    expect(await counts()).toEqual(before);
  });

  it('counts people with no home unit under unit null, and an expired grant gives nothing', async () => {
    const wide = await t.call('POST', '/api/v1/access/preview', {
      as: admin,
      body: { user_id: vic.id, add: { binding: { role: 'local_organizer' } } },
    });
    expect(wide.json().people.by_unit).toEqual([
      { unit: 'east', name: 'East Bay', before: 0, after: 3 },
      { unit: 'fresno', name: 'Fresno', before: 0, after: 2 },
      { unit: null, name: null, before: 0, after: 1 },
    ]);
    const expired = await t.call('POST', '/api/v1/access/preview', {
      as: admin,
      body: {
        user_id: vic.id,
        add: { binding: { role: 'local_organizer', expires_at: '2000-01-01T00:00:00Z' } },
      },
    });
    expect(expired.json().add).toMatch(/already expired/);
    expect(expired.json().people).toMatchObject({ before: 0, after: 0, gained: { count: 0 } });
  });

  it('refuses a body without a change, a binding of another user, two additions at once, and non-admins', async () => {
    const before = await counts();
    const empty = await t.call('POST', '/api/v1/access/preview', { as: admin, body: { user_id: maria.id } });
    expect(empty.statusCode).toBe(400);
    expect(empty.json().errors[0].field).toBe('add');
    const adminBinding = (await t.call('GET', `/api/v1/role-bindings?user=${admin.id}`, { as: admin })).json()
      .items[0];
    const notHers = await t.call('POST', '/api/v1/access/preview', {
      as: admin,
      body: { user_id: maria.id, remove: { binding_id: adminBinding.binding_id } },
    });
    expect(notHers.statusCode).toBe(400);
    expect(notHers.json().errors[0].field).toBe('remove.binding_id');
    const both = await t.call('POST', '/api/v1/access/preview', {
      as: admin,
      body: {
        user_id: maria.id,
        add: { binding: { role: 'volunteer' }, assignment: { target_kind: 'list', target_id: fresnoList } },
      },
    });
    expect(both.statusCode).toBe(400);
    const unknownRole = await t.call('POST', '/api/v1/access/preview', {
      as: admin,
      body: { user_id: maria.id, add: { binding: { role: 'emperor' } } },
    });
    expect(unknownRole.json().errors[0].field).toBe('add.binding.role');
    const unknownUnit = await t.call('POST', '/api/v1/access/preview', {
      as: admin,
      body: { user_id: maria.id, add: { binding: { role: 'volunteer', unit: 'atlantis' } } },
    });
    expect(unknownUnit.json().errors).toEqual([
      { field: 'add.binding.unit', message: 'no unit with path atlantis' },
    ]);
    const asMaria = await t.call('POST', '/api/v1/access/preview', {
      as: maria,
      body: { user_id: maria.id, add: { binding: { role: 'org_admin' } } },
    });
    expect(asMaria.statusCode).toBe(403);
    expect(await counts()).toEqual(before);
  });
});

describe('view as (X-Rhizome-View-As)', () => {
  const viewAs = (user: TestUser) => ({ 'x-rhizome-view-as': user.id });

  it('shows an admin exactly what the user sees, and says whose view it is', async () => {
    const urls = [
      '/api/v1/people',
      '/api/v1/people?per_page=1&page=2',
      ...Object.values(people).map((id) => `/api/v1/people/${id}`),
      '/api/v1/units',
      '/api/v1/lists',
      '/api/v1/auth/me',
      '/api/v1/roles',
      `/api/v1/access/explain?person=${people.ana}&field=emails`,
      '/osdi/v1/people',
    ];
    for (const url of urls) {
      const own = await t.call('GET', url, { as: maria });
      const viewed = await t.call('GET', url, { as: admin, headers: viewAs(maria) });
      expect(viewed.statusCode, url).toBe(own.statusCode);
      expect(viewed.body, url).toBe(own.body);
      expect(viewed.headers['x-rhizome-viewing-as'], url).toBe(maria.id);
    }
    const asAdmin = await t.call('GET', '/api/v1/people', { as: admin });
    expect(asAdmin.json().total).toBe(6);
    expect(asAdmin.headers['x-rhizome-viewing-as']).toBeUndefined();
  });

  it('refuses writes, callers without access.manage, and users of another organization', async () => {
    const snapshot = await snapshotDatabase(t.db);
    const write = await t.call('POST', '/api/v1/people', {
      as: admin,
      headers: viewAs(maria),
      body: { given_name: 'Written', home_unit: 'east.oakland' },
    });
    expect(write.statusCode).toBe(403);
    expect(write.json().detail).toMatch(/read-only/);
    const patch = await t.call('PATCH', `/api/v1/people/${people.ana}`, {
      as: admin,
      headers: viewAs(maria),
      body: { given_name: 'Changed' },
    });
    expect(patch.statusCode).toBe(403);
    const byOrganizer = await t.call('GET', '/api/v1/people', { as: maria, headers: viewAs(admin) });
    expect(byOrganizer.statusCode).toBe(403);
    const foreign = await t.call('GET', '/api/v1/people', { as: outsider, headers: viewAs(maria) });
    expect(foreign.statusCode).toBe(404);
    expect(foreign.body).not.toContain('Ana');
    const garbage = await t.call('GET', '/api/v1/people', {
      as: admin,
      headers: { 'x-rhizome-view-as': 'maria' },
    });
    expect(garbage.statusCode).toBe(400);
    const anonymous = await t.call('GET', '/api/v1/people', { headers: viewAs(maria) });
    expect(anonymous.statusCode).toBe(401);
    expect(await snapshotDatabase(t.db)).toEqual(snapshot);
  });

  it('runs with the target’s live grants: a change shows on the next request', async () => {
    const before = await t.call('GET', '/api/v1/people', { as: admin, headers: viewAs(vic) });
    expect(before.statusCode).toBe(403);
    const granted = await t.call('POST', '/api/v1/role-bindings', {
      as: admin,
      body: { user_id: vic.id, role: 'local_organizer', unit: 'east' },
    });
    const after = await t.call('GET', '/api/v1/people', { as: admin, headers: viewAs(vic) });
    expect(after.statusCode).toBe(200);
    expect(after.json().total).toBe(3);
    await t.call('DELETE', `/api/v1/role-bindings/${granted.json().binding_id}`, { as: admin });
  });
});

describe('changing and deleting a custom role', () => {
  it('previews a role change for everyone who holds it, and saves nothing', async () => {
    const created = await t.call('POST', '/api/v1/roles', {
      as: admin,
      body: { key: 'fresno_reader', name: 'Fresno reader', actions: ['people.aggregate'], field_classes: [] },
    });
    expect(created.statusCode, created.body).toBe(201);
    const holder = await makeUser(t.db, orgId, 'fresno_reader', 'fresno');
    const before = await counts();
    const preview = await t.call('POST', '/api/v1/roles/fresno_reader/preview', {
      as: admin,
      body: { actions: ['people.aggregate', 'people.read'], field_classes: ['basic'] },
    });
    expect(preview.statusCode, preview.body).toBe(200);
    const body = preview.json();
    expect(body).toMatchObject({
      role: 'fresno_reader',
      actions: ['people.read', 'people.aggregate'],
      field_classes: ['basic'],
      total_users: 1,
    });
    expect(body.users).toHaveLength(1);
    const [one] = body.users;
    expect(one.user).toEqual({ id: holder.id, email: holder.email });
    // Fresno holds Ben and Fay: the holder would read both, by name only.
    expect(one.people).toMatchObject({ before: 0, after: 2, gained: { count: 2 }, lost: { count: 0 } });
    expect(one.people.gained.sample.map((p: { given_name: string }) => p.given_name).sort()).toEqual([
      'Ben',
      'Fay',
    ]);
    expect(one.field_classes).toEqual({ before: [], after: ['basic'] });
    expect(one.actions.after).toContain('people.read');
    expect(one.actions.before).not.toContain('people.read');
    // Nothing changed: the role is as it was and the holder still reads nobody.
    expect(await counts()).toEqual(before);
    const roles = (await t.call('GET', '/api/v1/roles', { as: admin })).json().items;
    expect(roles.find((r: { key: string }) => r.key === 'fresno_reader').actions).toEqual([
      'people.aggregate',
    ]);
    expect((await t.call('GET', `/api/v1/people/${people.ben}`, { as: holder })).statusCode).toBe(403);

    expect(
      (await t.call('POST', '/api/v1/roles/nope/preview', { as: admin, body: { name: 'x' } })).statusCode,
    ).toBe(404);
    expect(
      (await t.call('POST', '/api/v1/roles/fresno_reader/preview', { as: maria, body: { name: 'x' } }))
        .statusCode,
    ).toBe(403);
    expect(
      (await t.call('POST', '/api/v1/roles/fresno_reader/preview', { as: admin, body: { actions: ['all'] } }))
        .statusCode,
    ).toBe(400);
  });

  it('refuses to delete a built-in role or one someone holds, then deletes it once revoked', async () => {
    const builtin = await t.call('DELETE', '/api/v1/roles/volunteer', { as: admin });
    expect(builtin.statusCode).toBe(409);
    expect(builtin.json().detail).toMatch(/built-in role: it cannot be deleted/);

    await t.call('POST', '/api/v1/roles', {
      as: admin,
      body: { key: 'greeter', name: 'Greeter', actions: ['events.read'], field_classes: [] },
    });
    const granted = await t.call('POST', '/api/v1/role-bindings', {
      as: admin,
      body: { user_id: vic.id, role: 'greeter', unit: 'fresno' },
    });
    expect(granted.statusCode, granted.body).toBe(201);
    const held = await t.call('DELETE', '/api/v1/roles/greeter', { as: admin });
    expect(held.statusCode).toBe(409);
    expect(held.json().detail).toBe('Greeter is given to 1 user: revoke it from them first, then delete it');
    expect((await t.call('DELETE', '/api/v1/roles/greeter', { as: maria })).statusCode).toBe(403);

    await t.call('DELETE', `/api/v1/role-bindings/${granted.json().binding_id}`, { as: admin });
    expect((await t.call('DELETE', '/api/v1/roles/greeter', { as: admin })).statusCode).toBe(204);
    expect((await t.call('DELETE', '/api/v1/roles/greeter', { as: admin })).statusCode).toBe(404);
    const keys = (await t.call('GET', '/api/v1/roles', { as: admin }))
      .json()
      .items.map((r: { key: string }) => r.key);
    expect(keys).not.toContain('greeter');
  });
});
