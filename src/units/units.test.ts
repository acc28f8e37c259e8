import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  makeOrg,
  makeUser,
  systemCtx,
  type TestApp,
  type TestUser,
} from '../../test/support/fixtures.js';
import { addUnit, getUnitByPath, listUnits } from './units.service.js';

let t: TestApp;
let orgA: { id: string; slug: string };
let orgB: { id: string; slug: string };
let adminA: TestUser;
let adminB: TestUser;
let volunteerA: TestUser;

beforeAll(async () => {
  t = await createTestApp();
  orgA = await makeOrg(t.db);
  orgB = await makeOrg(t.db);
  adminA = await makeUser(t.db, orgA.id, 'org_admin');
  adminB = await makeUser(t.db, orgB.id, 'org_admin');
  volunteerA = await makeUser(t.db, orgA.id, 'volunteer');
});
afterAll(async () => {
  await t.close();
});

describe('units', () => {
  it('are added under an existing parent and listed in tree order', async () => {
    const ctx = systemCtx(t.db, orgA.id);
    await addUnit(ctx, { path: 'west', name: 'West', kind: 'chapter' });
    await addUnit(ctx, { path: 'east', name: 'East', kind: 'chapter' });
    await addUnit(ctx, { path: 'east.oakland', name: 'Oakland' });
    await addUnit(ctx, { path: 'east.alameda', name: 'Alameda', kind: 'team' });
    await addUnit(ctx, { path: 'east.oakland.fruitvale', name: 'Fruitvale' });
    const units = await listUnits(ctx);
    expect(units.map((u) => u.path)).toEqual([
      'east',
      'east.alameda',
      'east.oakland',
      'east.oakland.fruitvale',
      'west',
    ]);
    expect(units.find((u) => u.path === 'east.oakland')?.kind).toBe('local');
    const found = await getUnitByPath(ctx, 'east.oakland.fruitvale');
    expect(found.name).toBe('Fruitvale');
  });

  it('refuse a missing parent, a duplicate path, a bad path and an unknown kind, naming the field', async () => {
    const ctx = systemCtx(t.db, orgA.id);
    await expect(addUnit(ctx, { path: 'north.berkeley', name: 'Berkeley' })).rejects.toMatchObject({
      code: 'validation_failed',
      fields: [{ field: 'path' }],
    });
    await expect(addUnit(ctx, { path: 'east', name: 'East again' })).rejects.toMatchObject({
      code: 'conflict',
    });
    await expect(addUnit(ctx, { path: 'East Side', name: 'x' })).rejects.toMatchObject({
      code: 'validation_failed',
    });
    await expect(
      addUnit(ctx, { path: 'south', name: 'South', kind: 'empire' as 'local' }),
    ).rejects.toMatchObject({ code: 'validation_failed' });
    expect((await listUnits(ctx)).map((u) => u.path)).not.toContain('south');
  });

  it("are each organization's own: the same path in two organizations, and another's unit is not found", async () => {
    const ctxB = systemCtx(t.db, orgB.id);
    const eastB = await addUnit(ctxB, { path: 'east', name: 'East of B' });
    expect((await listUnits(ctxB)).map((u) => u.path)).toEqual(['east']);
    await expect(getUnitByPath(ctxB, 'east.oakland')).rejects.toMatchObject({ code: 'not_found' });
    const asA = await t.call('GET', `/api/v1/units/${eastB.id}`, { as: adminA });
    expect(asA.statusCode).toBe(404);
    expect(asA.headers['content-type']).toContain('application/problem+json');
    const byPath = await t.call('GET', '/api/v1/units/east', { as: adminB });
    expect(byPath.json()).toMatchObject({ id: eastB.id, name: 'East of B' });
  });
});

describe('units over HTTP', () => {
  it('are listed for anyone who may read them and added by an admin', async () => {
    const list = await t.call('GET', '/api/v1/units', { as: volunteerA });
    expect(list.statusCode).toBe(200);
    expect(list.json().items.map((u: { path: string }) => u.path)).toContain('east.oakland');
    const added = await t.call('POST', '/api/v1/units', {
      as: adminA,
      body: { path: 'east.oakland.temescal', name: 'Temescal', kind: 'team' },
    });
    expect(added.statusCode).toBe(201);
    expect(added.json()).toMatchObject({ path: 'east.oakland.temescal', kind: 'team' });
    const byId = await t.call('GET', `/api/v1/units/${added.json().id}`, { as: volunteerA });
    expect(byId.json().name).toBe('Temescal');
    const byPath = await t.call('GET', '/api/v1/units/east.oakland.temescal', { as: volunteerA });
    expect(byPath.json().id).toBe(added.json().id);
  });

  it('are listed within the caller’s reach on request: the subtrees of their grants, all for an admin', async () => {
    const organizer = await makeUser(t.db, orgA.id, 'local_organizer', 'east.oakland');
    const paths = async (as: TestUser, query = '?reach=people.read') =>
      (await t.call('GET', `/api/v1/units${query}`, { as }))
        .json()
        .items.map((u: { path: string }) => u.path);
    const mine = await paths(organizer);
    expect(mine).toContain('east.oakland');
    expect(mine).toContain('east.oakland.fruitvale');
    expect(mine.every((p: string) => p === 'east.oakland' || p.startsWith('east.oakland.'))).toBe(true);
    // Without the parameter the whole tree is listed, as before.
    expect(await paths(organizer, '')).toContain('west');
    expect(await paths(adminA)).toEqual(await paths(adminA, ''));
    // A volunteer reads no one's record by a unit: no unit is in reach.
    expect(await paths(volunteerA)).toEqual([]);
    expect((await t.call('GET', '/api/v1/units?reach=units.manage', { as: adminA })).statusCode).toBe(400);
  });

  it('are not added by a volunteer, nor without a parent', async () => {
    const denied = await t.call('POST', '/api/v1/units', {
      as: volunteerA,
      body: { path: 'east.piedmont', name: 'Piedmont' },
    });
    expect(denied.statusCode).toBe(403);
    const orphan = await t.call('POST', '/api/v1/units', {
      as: adminA,
      body: { path: 'nowhere.town', name: 'Town' },
    });
    expect(orphan.statusCode).toBe(400);
    expect(JSON.stringify(orphan.json())).toContain('path');
    const anonymous = await t.call('GET', '/api/v1/units');
    expect(anonymous.statusCode).toBe(401);
  });
});

describe('renaming a unit', () => {
  it('changes its name and keeps its path; a volunteer may not, and another organization finds nothing', async () => {
    const ctx = systemCtx(t.db, orgA.id);
    const unit = await addUnit(ctx, { path: 'renamed', name: 'Before', kind: 'chapter' });
    const denied = await t.call('PATCH', `/api/v1/units/${unit.id}`, {
      as: volunteerA,
      body: { name: 'Nope' },
    });
    expect(denied.statusCode).toBe(403);
    const other = await t.call('PATCH', `/api/v1/units/${unit.id}`, { as: adminB, body: { name: 'Nope' } });
    expect(other.statusCode).toBe(404);
    const empty = await t.call('PATCH', `/api/v1/units/${unit.id}`, { as: adminA, body: { name: ' ' } });
    expect(empty.statusCode).toBe(400);
    const renamed = await t.call('PATCH', `/api/v1/units/${unit.id}`, {
      as: adminA,
      body: { name: 'After' },
    });
    expect(renamed.statusCode).toBe(200);
    expect(renamed.json()).toMatchObject({ id: unit.id, path: 'renamed', name: 'After' });
    expect((await getUnitByPath(ctx, 'renamed')).name).toBe('After');
  });
});
