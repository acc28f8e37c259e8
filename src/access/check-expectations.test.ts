import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/db.js';
import { makeOrg, makeUser, systemCtx, type TestUser } from '../../test/support/fixtures.js';
import type { Database } from '../db/connect.js';
import { newId } from '../db/ids.js';
import { createField } from '../fields/index.js';
import { addMember, createGrouping } from '../groupings/index.js';
import { PersonInput, upsertPeople } from '../people/index.js';
import { type Action, decide, type FieldClass, fieldClassOf } from '../policy/index.js';
import { createSavedSearch } from '../saved-searches/index.js';
import { addUnit } from '../units/index.js';
import { checkExpectations } from './check-expectations.js';
import { type Expectation, parseExpectations, type Target } from './expectations.js';
import { loadAccess } from './load.js';
import { loadFacts } from './people-access.js';

/**
 * `access test` checks "people in UNIT" in SQL, counting violations. It must answer exactly what
 * decide() answers person by person: the table below compares the two for every combination of
 * persona, action, field and target over people with every deny flag.
 */
let database: Database;
let orgId: string;
const users: Record<string, TestUser> = {};
const ids: string[] = [];
const NOW = new Date();

beforeAll(async () => {
  database = await createTestDatabase();
  const db = database.db;
  orgId = (await makeOrg(db)).id;
  const ctx = systemCtx(db, orgId);
  for (const [path, name] of [
    ['east', 'East'],
    ['east.oakland', 'Oakland'],
    ['east.oakland.fruitvale', 'Fruitvale'],
    ['fresno', 'Fresno'],
  ] as const)
    await addUnit(ctx, { path, name, kind: path.includes('.') ? 'local' : 'chapter' });
  await createField(ctx, { key: 'dues', label: 'Dues', type: 'number', field_class: 'financial' });
  const homes = [null, 'east', 'east.oakland', 'east.oakland.fruitvale', 'fresno'];
  const inputs = [];
  // Every home unit with every combination of flags.
  for (const [h, home] of homes.entries())
    for (let flags = 0; flags < 8; flags++)
      inputs.push(
        PersonInput.parse({
          given_name: `P${h}${flags}`,
          family_name: 'Test',
          ...(home ? { home_unit: home } : {}),
          emails: [{ address: `p${h}${flags}@example.org` }],
        }),
      );
  const results = await upsertPeople(ctx, inputs, { kind: 'import', ref: 'test' });
  for (const r of results) if (r.outcome !== 'rejected') ids.push(r.personId);
  users.maria = await makeUser(db, orgId, 'local_organizer', 'east.oakland');
  users.staff = await makeUser(db, orgId, 'staff_organizer', 'east');
  users.manager = await makeUser(db, orgId, 'data_manager', 'fresno');
  users.admin = await makeUser(db, orgId, 'org_admin');
  users.vic = await makeUser(db, orgId, 'volunteer');
  // Hosts: one through a list, one through a saved search (everyone in Fruitvale).
  users.host = await makeUser(db, orgId, 'volunteer');
  const list = (await createGrouping(ctx, 'list', { name: 'Phone bank' })).grouping.id;
  for (const id of ids.filter((_, i) => i % 3 === 0)) await addMember(ctx, 'list', list, id);
  // Flags last: a record under legal hold cannot be added to a list.
  for (const [i, id] of ids.entries()) {
    const flags = i % 8;
    await db
      .updateTable('person')
      .set({ sensitive: (flags & 1) > 0, do_not_contact: (flags & 2) > 0, legal_hold: (flags & 4) > 0 })
      .where('id', '=', id)
      .execute();
  }
  const search = await createSavedSearch(ctx, {
    name: 'Fruitvale',
    query: { unit: 'east.oakland.fruitvale', sort: 'newest' },
  });
  for (const [target_kind, target_id, host] of [
    ['list', list, users.host],
    ['saved_search', search.id, users.vic],
  ] as const)
    await db
      .insertInto('assignment')
      .values({
        org_id: orgId,
        id: newId(),
        user_id: (host as TestUser).id,
        target_kind,
        target_id,
        actions: ['people.read', 'person.message'],
        field_classes: [],
        fields: ['given_name'],
        expires_at: null,
        created_by: null,
      })
      .execute();
});
afterAll(async () => {
  await database?.close();
});

async function peopleIn(target: Target): Promise<string[]> {
  const rows = await sql<{ id: string }>`
    SELECT id FROM person WHERE org_id = ${orgId} AND merged_into IS NULL
    ${target.kind === 'unit' ? sql`AND home_unit_path <@ ${target.path}::ltree` : sql``}
    ORDER BY id`.execute(database.db);
  return rows.rows.map((r) => r.id);
}

describe('checkExpectations over people in a unit', () => {
  it('agrees with decide() for every person, persona, action, field and target', async () => {
    const actions: Action[] = ['people.read', 'people.write', 'person.message', 'people.delete'];
    const fields = [null, 'given_name', 'emails', 'sensitive', 'custom_fields.dues'];
    const targets: Target[] = [
      { kind: 'everyone' },
      { kind: 'unit', path: 'east' },
      { kind: 'unit', path: 'east.oakland' },
      { kind: 'unit', path: 'fresno' },
    ];
    const expectations: Expectation[] = [];
    for (const user of Object.values(users))
      for (const action of actions)
        for (const field of fields)
          for (const target of targets)
            expectations.push({
              line: expectations.length + 1,
              effect: 'allow',
              user: user.email,
              action,
              field,
              target,
            });
    const { results, problems } = await checkExpectations(database.db, orgId, expectations, NOW);
    expect(problems).toEqual([]);
    expect(results).toHaveLength(expectations.length);

    const mismatches: string[] = [];
    const memo = new Map<string, Awaited<ReturnType<typeof peopleIn>>>();
    let someAllowed = 0;
    let someDenied = 0;
    for (const r of results) {
      const e = r.expectation;
      const user = Object.values(users).find((u) => u.email === e.user) as TestUser;
      const access = await loadAccess(database.db, orgId, user.id, NOW);
      const key = JSON.stringify(e.target);
      const inTarget = memo.get(key) ?? (await peopleIn(e.target as Target));
      memo.set(key, inTarget);
      const facts = await loadFacts(database.db, access, inTarget);
      const field = e.field
        ? { name: e.field, fieldClass: (fieldClassOf(e.field) ?? 'financial') as FieldClass }
        : undefined;
      const denied = inTarget.filter((id) => !decide(access, e.action, facts.get(id), field).allowed);
      if (denied.length < inTarget.length) someAllowed++;
      if (denied.length > 0) someDenied++;
      if (r.people !== inTarget.length || r.violations !== denied.length)
        mismatches.push(
          `${user.email} ${e.action} ${e.field} ${key}: SQL ${r.violations}/${r.people}, decide ${denied.length}/${inTarget.length}`,
        );
      else expect(r.examples).toEqual(denied.slice(0, 5));
      expect(r.holds).toBe(denied.length === 0);
    }
    expect(mismatches).toEqual([]);
    // The table is not trivially one-sided.
    expect(someAllowed).toBeGreaterThan(50);
    expect(someDenied).toBeGreaterThan(50);
  });

  it('counts a deny expectation’s violations as the people allowed', async () => {
    const { expectations } = parseExpectations(
      [
        `deny ${users.maria?.email} read emails of people in east.oakland`,
        `deny ${users.maria?.email} read given_name of people in fresno`,
        `deny ${users.host?.email} read emails of everyone`,
        `allow ${users.host?.email} read given_name of people in fresno`,
      ].join('\n'),
    );
    const { results } = await checkExpectations(database.db, orgId, expectations, NOW);
    expect(results.map((r) => [r.holds, r.people, r.violations])).toEqual([
      [true, 16, 0],
      [true, 8, 0],
      [true, 40, 0],
      // The host sees only the Fresno people on the phone-bank list (every third id), never the sensitive ones.
      [false, 8, expect.any(Number)],
    ]);
    expect(results[3]?.examples.length).toBeGreaterThan(0);
  });
});

describe('checkExpectations about one person, or "at all"', () => {
  it('decides with the reasons of explain', async () => {
    const person = ids[16] as string; // east.oakland, no flags
    const { expectations } = parseExpectations(
      [
        `allow ${users.maria?.email} read given_name of person ${person}`,
        `deny ${users.maria?.email} read given_name of person ${person}`,
        `deny ${users.maria?.email} access.manage`,
        `allow ${users.admin?.email} access.manage`,
        `allow ${users.vic?.email} read`,
      ].join('\n'),
    );
    const { results } = await checkExpectations(database.db, orgId, expectations, NOW);
    expect(results.map((r) => r.holds)).toEqual([true, false, true, true, true]);
    expect(results[1]).toMatchObject({ people: 1, violations: 1, examples: [person] });
    expect(results[1]?.reasons[0]).toMatch(/^role local_organizer over unit east.oakland/);
    expect(results[2]?.reasons).toEqual(['no role or assignment grants access.manage']);
  });
});

describe('checkExpectations with references that do not exist', () => {
  it('reports each as a problem on its line and checks nothing', async () => {
    const { expectations } = parseExpectations(
      [
        '# comment',
        'deny ghost@example.org read emails of everyone',
        `deny ${users.maria?.email} read emails of people in atlantis`,
        `deny ${users.maria?.email} read custom_fields.shoe_size of everyone`,
        `deny ${users.maria?.email} read person 0193c2a4-5b6c-7d8e-9f01-23456789abcd`,
        `allow ${users.admin?.email} read everyone`,
      ].join('\n'),
    );
    const { results, problems } = await checkExpectations(database.db, orgId, expectations, NOW);
    expect(results).toEqual([]);
    expect(problems).toEqual([
      { line: 2, column: 1, message: 'user ghost@example.org not found' },
      { line: 3, column: 1, message: 'no unit atlantis' },
      { line: 4, column: 1, message: 'no custom field shoe_size' },
      { line: 5, column: 1, message: 'no person 0193c2a4-5b6c-7d8e-9f01-23456789abcd' },
    ]);
  });
});
