import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordNow } from '../../src/audit/index.js';
import { newId } from '../../src/db/ids.js';
import { PersonInput, upsertPeople } from '../../src/people/index.js';
import {
  createTestApp,
  makeOrg,
  makeUser,
  systemCtx,
  type TestApp,
  type TestUser,
} from '../support/fixtures.js';

/**
 * Organizations never see or touch each other's data, on any route. Organization A holds one of
 * everything; B's admin calls every route in the router with A's ids in the path and the body.
 * No response may carry A's data, and none of A's rows may change. The sweep walks the live route
 * catalog, so a route added later is covered without editing this file.
 */
let t: TestApp;
let outsider: TestUser;
let orgA: string;
const ids: Record<string, string> = {};
const SECRETS = [
  'Secretia',
  'secret-a@example.org',
  '+14155550999',
  'Secret Tag',
  'Secret List',
  'Secret Unit',
  'secret_field',
  'Secret Purpose',
  'Secret Role',
];

async function snapshotOf(orgId: string): Promise<Record<string, string[]>> {
  const tables = await sql<{ name: string }>`
    SELECT c.table_name AS name FROM information_schema.columns c
    JOIN information_schema.tables t ON t.table_name = c.table_name AND t.table_schema = c.table_schema
    WHERE c.table_schema = 'public' AND c.column_name = 'org_id' AND t.table_type = 'BASE TABLE'
    ORDER BY c.table_name`.execute(t.db);
  const out: Record<string, string[]> = {};
  for (const { name } of tables.rows) {
    const rows = await sql<
      Record<string, unknown>
    >`SELECT * FROM ${sql.table(name)} WHERE org_id = ${orgId}`.execute(t.db);
    out[name] = rows.rows
      .map(({ last_used_at: _a, last_seen_at: _b, ...rest }) => JSON.stringify(rest))
      .sort();
  }
  return out;
}

beforeAll(async () => {
  t = await createTestApp();
  orgA = (await makeOrg(t.db, 'org-a')).id;
  const orgB = (await makeOrg(t.db, 'org-b')).id;
  const userA = await makeUser(t.db, orgA, 'org_admin');
  outsider = await makeUser(t.db, orgB, 'org_admin');
  ids.users = userA.id;
  ids.tokens = (
    await t.db.selectFrom('api_token').select('id').where('user_id', '=', userA.id).executeTakeFirstOrThrow()
  ).id;
  ids.units = newId();
  await t.db
    .insertInto('unit')
    .values({ org_id: orgA, id: ids.units, path: 'secret', name: 'Secret Unit', kind: 'chapter' })
    .execute();
  ids.fields = newId();
  await t.db
    .insertInto('custom_field')
    .values({
      org_id: orgA,
      id: ids.fields,
      key: 'secret_field',
      label: 'Secret',
      field_type: 'text',
      choices: null,
      archived_at: null,
    })
    .execute();
  const ctx = systemCtx(t.db, orgA);
  const people = await upsertPeople(
    ctx,
    [
      PersonInput.parse({
        given_name: 'Secretia',
        birthdate: '1970-01-01',
        emails: [{ address: 'secret-a@example.org' }],
        phones: [{ number: '+14155550999' }],
        addresses: [{ lines: ['1 Hidden Way'], postal_code: '94607' }],
        tags: ['Secret Tag'],
        custom_fields: { secret_field: 'hush' },
        home_unit: 'secret',
      }),
      PersonInput.parse({
        given_name: 'Secretia',
        birthdate: '1980-01-01',
        emails: [{ address: 'secret-a@example.org' }],
      }),
    ],
    { kind: 'import', ref: 'test' },
  );
  const [first, second] = people.map((p) => (p.outcome === 'rejected' ? '' : p.personId));
  ids.people = first as string;
  ids.people2 = second as string;
  ids.emails = (
    await t.db
      .selectFrom('person_email')
      .select('id')
      .where('person_id', '=', ids.people)
      .executeTakeFirstOrThrow()
  ).id;
  ids.phones = (
    await t.db
      .selectFrom('person_phone')
      .select('id')
      .where('person_id', '=', ids.people)
      .executeTakeFirstOrThrow()
  ).id;
  ids.addresses = (
    await t.db
      .selectFrom('person_address')
      .select('id')
      .where('person_id', '=', ids.people)
      .executeTakeFirstOrThrow()
  ).id;
  ids.tags = (
    await t.db.selectFrom('tag').select('id').where('org_id', '=', orgA).executeTakeFirstOrThrow()
  ).id;
  ids.taggings = (
    await t.db.selectFrom('tagging').select('id').where('org_id', '=', orgA).executeTakeFirstOrThrow()
  ).id;
  ids.lists = newId();
  await t.db
    .insertInto('list')
    .values({ org_id: orgA, id: ids.lists, name: 'Secret List', description: null, created_by: null })
    .execute();
  ids.items = newId();
  await t.db
    .insertInto('list_item')
    .values({ org_id: orgA, id: ids.items, list_id: ids.lists, person_id: ids.people })
    .execute();
  ids.duplicates = (
    await t.db
      .selectFrom('possible_duplicate')
      .select('id')
      .where('org_id', '=', orgA)
      .executeTakeFirstOrThrow()
  ).id;
  ids.notes = newId();
  await t.db
    .insertInto('note')
    .values({ org_id: orgA, id: ids.notes, person_id: ids.people, author_id: null, body: 'Secretia note' })
    .execute();
  ids.activities = newId();
  await t.db
    .insertInto('activity')
    .values({
      org_id: orgA,
      id: ids.activities,
      person_id: ids.people,
      kind: 'one_on_one',
      occurred_at: new Date(),
      actor_id: null,
      outcome: null,
      body: 'Secretia 1:1',
    })
    .execute();
  ids.imports = newId();
  await t.db
    .insertInto('import_job')
    .values({
      org_id: orgA,
      id: ids.imports,
      filename: 'secret.csv',
      file_sha256: 'x',
      file_size: 1,
      options: '{}',
      created_by: null,
      finished_at: null,
      error: null,
    })
    .execute();
  ids.roles = 'secret_role';
  await t.db
    .insertInto('role')
    .values({
      org_id: orgA,
      id: newId(),
      key: ids.roles,
      name: 'Secret Role',
      actions: ['people.read'],
      field_classes: ['basic'],
      builtin: false,
    })
    .execute();
  ids['role-bindings'] = (
    await t.db
      .selectFrom('role_binding')
      .select('id')
      .where('user_id', '=', userA.id)
      .executeTakeFirstOrThrow()
  ).id;
  ids.assignments = newId();
  await t.db
    .insertInto('assignment')
    .values({
      org_id: orgA,
      id: ids.assignments,
      user_id: userA.id,
      target_kind: 'list',
      target_id: ids.lists,
      actions: ['people.read'],
      field_classes: [],
      fields: ['given_name'],
      expires_at: null,
      created_by: null,
    })
    .execute();
  await t.db
    .insertInto('import_reject')
    .values({ org_id: orgA, import_id: ids.imports, line_no: 2, reason: 'x', raw: 'Secretia,bad' })
    .execute();
  // A's audit trail: who read Secretia, and why.
  await recordNow(t.db, {
    orgId: orgA,
    action: 'person.read',
    actor: { kind: 'user', userId: userA.id, via: 'session' },
    subjectIds: [ids.people],
    fields: ['email', 'phone'],
    purpose: 'Secret Purpose',
  });
});
afterAll(async () => {
  await t.close();
});

/** An id of A's for a path parameter: by the collection segment before it, else a person. */
function idFor(segments: string[], index: number): string {
  const param = (segments[index] as string).slice(1);
  const before = segments[index - 1] ?? '';
  const byName: Record<string, string> = {
    personId: 'people',
    tagId: 'tags',
    listId: 'lists',
    importId: 'imports',
    mergeId: 'merges',
  };
  const key = byName[param] ?? before;
  return ids[key] ?? ids.people ?? '';
}

function fillPath(url: string): string {
  const segments = url.split('/');
  return segments.map((s, i) => (s.startsWith(':') ? idFor(segments, i) : s === '*' ? 'x' : s)).join('/');
}

const bodyWithAIds = () => ({
  person_id: ids.people,
  related_person_id: ids.people2,
  survivor_id: ids.people,
  merged_id: ids.people2,
  tag_id: ids.tags,
  list_id: ids.lists,
  given_name: 'Intruder',
  name: 'Intruder',
  body: 'Intruder',
  _links: { 'osdi:person': { href: `http://localhost/osdi/v1/people/${ids.people}` } },
  user_id: ids.users,
  role: 'org_admin',
  target_kind: 'list',
  target_id: ids.lists,
  add: { binding: { role: 'org_admin' } },
  remove: { binding_id: ids['role-bindings'] },
});

/** Routes that take A's ids in their query string. */
const queryWithAIds = (url: string): string => {
  const byUrl: Record<string, string> = {
    '/api/v1/role-bindings': `?user=${ids.users}`,
    '/api/v1/assignments': `?user=${ids.users}`,
    '/api/v1/access/explain': `?user=${ids.users}&person=${ids.people}&field=emails`,
  };
  return byUrl[url] ?? '';
};

describe('organization isolation, on every route', () => {
  it('never shows or changes another organization’s data', async () => {
    const before = await snapshotOf(orgA);
    const leaks: string[] = [];
    const aIds = Object.values(ids);
    let calls = 0;
    for (const route of t.app.routeCatalog) {
      if (!route.policy || 'public' in route.policy) continue;
      const url = `${fillPath(route.url)}${route.method === 'GET' ? queryWithAIds(route.url) : ''}`;
      const response = await t.call(route.method, url, {
        as: outsider,
        body: route.method === 'GET' || route.method === 'DELETE' ? undefined : bodyWithAIds(),
      });
      calls++;
      const text = response.body;
      for (const secret of [...SECRETS, ...aIds]) {
        if (text.includes(secret))
          leaks.push(`${route.method} ${route.url} (${response.statusCode}) shows ${secret}`);
      }
      if (route.url.includes(':') && response.statusCode < 300) {
        leaks.push(
          `${route.method} ${route.url} answered ${response.statusCode} for another organization's id`,
        );
      }
      expect(response.statusCode, `${route.method} ${route.url}`).toBeLessThan(500);
    }
    expect(leaks).toEqual([]);
    expect(calls).toBeGreaterThan(5);
    expect(await snapshotOf(orgA)).toEqual(before);
  });

  it('never lets an admin view as another organization’s user, on any read', async () => {
    const leaks: string[] = [];
    for (const route of t.app.routeCatalog) {
      if (route.method !== 'GET' || !route.policy || 'public' in route.policy) continue;
      const url = `${fillPath(route.url)}${queryWithAIds(route.url)}`;
      const response = await t.call('GET', url, {
        as: outsider,
        headers: { 'x-rhizome-view-as': ids.users as string },
      });
      if (response.statusCode !== 404) leaks.push(`${route.url} answered ${response.statusCode}`);
      if (response.headers['x-rhizome-viewing-as']) leaks.push(`${route.url} says it viewed as A's user`);
      for (const secret of SECRETS)
        if (response.body.includes(secret)) leaks.push(`${route.url} shows ${secret}`);
    }
    expect(leaks).toEqual([]);
  });
});
