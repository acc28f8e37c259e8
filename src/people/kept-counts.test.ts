import fc from 'fast-check';
import { type Expression, type Kysely, type SqlBool, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/db.js';
import { makeOrg, systemCtx } from '../../test/support/fixtures.js';
import {
  NOT_SENSITIVE,
  type PeopleScope,
  peopleScope,
  scopeNamesPeople,
  scopeParts,
} from '../access/scope.js';
import type { Database } from '../db/connect.js';
import { newId, newIds } from '../db/ids.js';
import type { DB } from '../db/schema.js';
import { tenantDb } from '../db/tenant.js';
import { mergePeople, undoMerge } from '../merges/index.js';
import type { Access, FieldClass, Grant, Scope } from '../policy/index.js';
import {
  countEveryone,
  countPeople,
  countTagged,
  PeopleFilter,
  taggedPageIds,
  unitsPageIds,
} from './people.search.js';

const PATHS = [null, 'east', 'east.oak', 'east.oak.team', 'eastern', 'west'] as const;
/** Names people are given or renamed to: shared, differing in case alone, missing or empty. */
const NAMES: { given_name: string | null; family_name: string | null }[] = [
  { given_name: 'Maria', family_name: 'Garcia' },
  { given_name: 'maria', family_name: 'GARCIA' },
  { given_name: 'Ana', family_name: 'Garcia' },
  { given_name: null, family_name: 'Lopez' },
  { given_name: 'Kim', family_name: null },
  { given_name: '', family_name: 'de la Cruz' },
  { given_name: null, family_name: null },
];

function grant(scope: Scope, restricted: boolean): Grant {
  const classes: FieldClass[] = restricted ? ['basic', 'restricted'] : ['basic'];
  return {
    id: newId(),
    via: 'binding',
    role: 'test',
    scope,
    actions: new Set(['people.read']),
    classes: new Set(classes),
    fields: new Set(),
    expiresAt: null,
  };
}
const unit = (path: string): Scope => ({ kind: 'unit', unitId: newId(), path });

/**
 * tag_count (migration 0022), unit_people_count (0024) and person_name_count (0029) are bookkeeping
 * the database keeps with triggers on tagging and person: after any sequence of writes they must
 * equal a count of the taggings of live people, of live people by home unit and sensitivity, and of
 * live people by given and by family name, and every total or page read from them must equal what
 * a query over people gives.
 */
describe('tag_count, unit_people_count and person_name_count', () => {
  let database: Database;
  let orgs: string[];
  const merges: { org: number; id: string }[] = [];

  beforeAll(async () => {
    database = await createTestDatabase();
    orgs = [(await makeOrg(database.db, 'north')).id, (await makeOrg(database.db, 'south')).id];
  });
  afterAll(async () => {
    await database.close();
  });

  /** Scopes of organization-wide and unit grants, with and without the restricted class. */
  function accesses(orgId: string): Access[] {
    const of = (...grants: Grant[]): Access => ({ orgId, userId: null, grants });
    return [
      of(grant({ kind: 'org' }, true)),
      of(grant({ kind: 'org' }, false)),
      of(grant(unit('east'), true)),
      of(grant(unit('east'), false)),
      of(grant(unit('east.oak'), true), grant(unit('west'), false)),
      of(grant({ kind: 'org' }, false), grant(unit('west'), true)),
      of(grant(unit('east.oak.team'), false), grant(unit('east'), true), grant(unit('eastern'), false)),
      of(),
    ];
  }

  async function expectExact(db: Kysely<DB>, orgId: string, label: string) {
    const kept = await sql<{ tag_id: string; unit_path: string | null; sensitive: boolean; people: number }>`
      SELECT tag_id, unit_path::text AS unit_path, sensitive, people::int AS people FROM tag_count
      WHERE org_id = ${orgId} AND people > 0 ORDER BY 1, 2, 3`.execute(db);
    const actual = await sql<{
      tag_id: string;
      unit_path: string | null;
      sensitive: boolean;
      people: number;
    }>`
      SELECT t.tag_id, p.home_unit_path::text AS unit_path, p.sensitive, count(*)::int AS people
      FROM tagging t JOIN person p ON p.id = t.person_id
      WHERE t.org_id = ${orgId} AND p.merged_into IS NULL GROUP BY 1, 2, 3 ORDER BY 1, 2, 3`.execute(db);
    expect(kept.rows, label).toEqual(actual.rows);
    const dead = await sql<{
      n: number;
    }>`SELECT count(*)::int AS n FROM tagging t JOIN person p ON p.id = t.person_id
      WHERE t.org_id = ${orgId} AND p.merged_into IS NOT NULL`.execute(db);
    expect(dead.rows[0]?.n, `${label}: taggings of merged people`).toBe(0);

    const units = await sql<{ unit_path: string | null; sensitive: boolean; people: number }>`
      SELECT unit_path::text AS unit_path, sensitive, people::int AS people FROM unit_people_count
      WHERE org_id = ${orgId} AND people > 0 ORDER BY 1, 2`.execute(db);
    const live = await sql<{ unit_path: string | null; sensitive: boolean; people: number }>`
      SELECT home_unit_path::text AS unit_path, sensitive, count(*)::int AS people FROM person
      WHERE org_id = ${orgId} AND merged_into IS NULL GROUP BY 1, 2 ORDER BY 1, 2`.execute(db);
    expect(units.rows, `${label}: unit_people_count`).toEqual(live.rows);

    const names = await sql<{ part: string; name: string; people: number }>`
      SELECT part, name, people::int AS people FROM person_name_count WHERE org_id = ${orgId} ORDER BY 1, 2`.execute(
      db,
    );
    const bearing = await sql<{ part: string; name: string; people: number }>`
      SELECT part, name, count(*)::int AS people FROM (
        SELECT 'family' AS part, lower(family_name) AS name FROM person
        WHERE org_id = ${orgId} AND merged_into IS NULL AND family_name <> ''
        UNION ALL
        SELECT 'given', lower(given_name) FROM person
        WHERE org_id = ${orgId} AND merged_into IS NULL AND given_name <> ''
      ) n GROUP BY 1, 2 ORDER BY 1, 2`.execute(db);
    // No row for a name nobody bears any more (an erased person's name goes with them).
    expect(names.rows, `${label}: person_name_count`).toEqual(bearing.rows);

    const tenant = tenantDb(db, orgId);
    /** What the kept data must agree with: the live people in the scope matching `where`, newest first. */
    const liveIds = async (scope: PeopleScope, where: Expression<SqlBool> = sql<SqlBool>`true`) =>
      (
        await tenant
          .selectFrom('person as p')
          .select('p.id')
          .where('p.org_id', '=', orgId)
          .where('p.merged_into', 'is', null)
          .where(where)
          .where(scope ?? sql<SqlBool>`true`)
          .orderBy('p.id', 'desc')
          .execute()
      ).map((r) => r.id);
    for (const access of accesses(orgId)) {
      const scope = await peopleScope(tenant, access, 'people.read');
      const all = await liveIds(scope);
      expect(await countEveryone(tenant, orgId, scope), `${label}: everyone in scope`).toBe(all.length);
      // A scope of units alone: its page merges the newest people of each unit.
      const unitsOnly = scopeParts(scope)?.every((part) => part.range !== null) ?? false;
      for (const paging of [
        { page: 1, perPage: 3 },
        { page: 3, perPage: 2 },
        { page: 1, perPage: 100 },
      ]) {
        const page = await unitsPageIds(tenant, orgId, PeopleFilter.parse({}), {}, paging, scope);
        if (!unitsOnly) {
          expect(page, `${label}: not a scope of units`).toBeUndefined();
          continue;
        }
        const from = (paging.page - 1) * paging.perPage;
        expect(page, `${label}: units page`).toEqual(all.slice(from, from + paging.perPage));
      }
      // A unit filter within the scope: its total and its page.
      for (const unit of ['east', 'east.oak', 'eastern', 'west']) {
        const filter = PeopleFilter.parse({ unit });
        const inUnit = await liveIds(
          scope,
          sql<SqlBool>`(p.home_unit_path = ${unit}::ltree OR p.home_unit_path <@ ${unit}::ltree)`,
        );
        expect(await countPeople(tenant, orgId, filter, { scope }), `${label}: unit ${unit}`).toBe(
          inUnit.length,
        );
        const page = await unitsPageIds(tenant, orgId, filter, {}, { page: 2, perPage: 2 }, scope);
        expect(page, `${label}: unit ${unit} page`).toEqual(inUnit.slice(2, 4));
      }
      if (unitsOnly) {
        const filtered = PeopleFilter.parse({ name: 'x' });
        expect(
          await unitsPageIds(tenant, orgId, filtered, {}, { page: 1, perPage: 3 }, scope),
        ).toBeUndefined();
      }
    }
    const tags = await tenant.selectFrom('tag').select(['id', 'name']).where('org_id', '=', orgId).execute();
    for (const access of accesses(orgId)) {
      const scope: PeopleScope = await peopleScope(tenant, access, 'people.read');
      expect(scopeParts(scope), label).toBeDefined();
      for (const tag of tags) {
        const all = await liveIds(
          scope,
          sql<SqlBool>`EXISTS (SELECT 1 FROM tagging tg WHERE tg.tag_id = ${tag.id} AND tg.person_id = p.id)`,
        );
        expect(await countTagged(tenant, tag.id, scope), `${label}: ${tag.name}`).toBe(all.length);
        const filter = PeopleFilter.parse({ tag: tag.name });
        expect(await countPeople(tenant, orgId, filter, { scope }), `${label}: ${tag.name}`).toBe(all.length);
        // The tag's page, walked on its own index, is the page a query over people gives.
        const resolved = { tagId: tag.id };
        for (const paging of [
          { page: 1, perPage: 3 },
          { page: 2, perPage: 3 },
          { page: 1, perPage: 100 },
        ]) {
          const page = await taggedPageIds(tenant, filter, resolved, paging, scope);
          const from = (paging.page - 1) * paging.perPage;
          expect(page, `${label}: ${tag.name} page`).toEqual(all.slice(from, from + paging.perPage));
        }
      }
    }
  }

  type Op =
    | { kind: 'insert'; org: number; n: number; path: number; sensitive: boolean; name: number }
    | { kind: 'rename'; org: number; pick: number; name: number }
    | { kind: 'tag'; org: number; pick: number; tag: number }
    | { kind: 'untag'; org: number; pick: number }
    | { kind: 'move'; org: number; pick: number; path: number }
    | { kind: 'sensitive'; org: number; pick: number; value: boolean }
    | { kind: 'merge'; org: number; pick: number }
    | { kind: 'unmerge'; pick: number }
    | { kind: 'delete'; org: number; pick: number }
    | { kind: 'drop-tag'; org: number; tag: number };

  const org = fc.nat(1);
  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({
      kind: fc.constant('insert' as const),
      org,
      n: fc.integer({ min: 1, max: 4 }),
      path: fc.nat(PATHS.length - 1),
      sensitive: fc.boolean(),
      name: fc.nat(NAMES.length - 1),
    }),
    fc.record({ kind: fc.constant('rename' as const), org, pick: fc.nat(), name: fc.nat(NAMES.length - 1) }),
    fc.record({ kind: fc.constant('tag' as const), org, pick: fc.nat(), tag: fc.nat(2) }),
    fc.record({ kind: fc.constant('tag' as const), org, pick: fc.nat(), tag: fc.nat(2) }),
    fc.record({ kind: fc.constant('untag' as const), org, pick: fc.nat() }),
    fc.record({ kind: fc.constant('move' as const), org, pick: fc.nat(), path: fc.nat(PATHS.length - 1) }),
    fc.record({ kind: fc.constant('sensitive' as const), org, pick: fc.nat(), value: fc.boolean() }),
    fc.record({ kind: fc.constant('merge' as const), org, pick: fc.nat() }),
    fc.record({ kind: fc.constant('unmerge' as const), pick: fc.nat() }),
    fc.record({ kind: fc.constant('delete' as const), org, pick: fc.nat() }),
    fc.record({ kind: fc.constant('drop-tag' as const), org, tag: fc.nat(2) }),
  );

  async function apply(o: Op): Promise<void> {
    if (o.kind === 'unmerge') {
      const merge = merges.splice(o.pick % Math.max(merges.length, 1), 1)[0];
      if (!merge) return;
      const orgId = orgs[merge.org] as string;
      // An undo the later writes make impossible (a person since deleted) is refused, and changes nothing.
      await undoMerge(systemCtx(tenantDb(database.db, orgId), orgId), merge.id).catch(() => undefined);
      return;
    }
    const orgId = orgs[o.org] as string;
    const db = tenantDb(database.db, orgId);
    const live = (
      await sql<{
        id: string;
      }>`SELECT id FROM person WHERE org_id = ${orgId} AND merged_into IS NULL ORDER BY id`.execute(db)
    ).rows.map((r) => r.id);
    const pick = (i: number) => (live.length > 0 ? live[i % live.length] : undefined);
    const tagId = async (i: number) => {
      const name = `tag${i}`;
      await sql`INSERT INTO tag (org_id, id, name) VALUES (${orgId}, ${newId()}, ${name}) ON CONFLICT DO NOTHING`.execute(
        db,
      );
      return (await db.selectFrom('tag').select('id').where('name', '=', name).executeTakeFirstOrThrow()).id;
    };
    const id = 'pick' in o ? pick(o.pick) : undefined;
    switch (o.kind) {
      case 'insert':
        await db
          .insertInto('person')
          .values(
            newIds(o.n).map((pid) => ({
              org_id: orgId,
              id: pid,
              home_unit_path: PATHS[o.path] ?? null,
              sensitive: o.sensitive,
              ...(NAMES[o.name] ?? NAMES[0]),
            })),
          )
          .execute();
        return;
      case 'tag':
        if (id)
          await db
            .insertInto('tagging')
            .values({ org_id: orgId, id: newId(), tag_id: await tagId(o.tag), person_id: id })
            .onConflict((oc) => oc.constraint('tagging_tag_person_key').doNothing())
            .execute();
        return;
      case 'untag': {
        const taggings = await db.selectFrom('tagging').select('id').orderBy('id').execute();
        const t = taggings[o.pick % Math.max(taggings.length, 1)];
        if (t) await db.deleteFrom('tagging').where('id', '=', t.id).execute();
        return;
      }
      case 'move':
        if (id)
          await db
            .updateTable('person')
            .set({ home_unit_path: PATHS[o.path] ?? null })
            .where('id', '=', id)
            .execute();
        return;
      case 'rename':
        if (id)
          await db
            .updateTable('person')
            .set(NAMES[o.name] ?? {})
            .where('id', '=', id)
            .execute();
        return;
      case 'sensitive':
        if (id) await db.updateTable('person').set({ sensitive: o.value }).where('id', '=', id).execute();
        return;
      case 'merge': {
        const into = pick(o.pick + 1);
        if (id && into && id !== into) {
          const { merge_id } = await mergePeople(systemCtx(db, orgId), into, id);
          merges.push({ org: o.org, id: merge_id });
        }
        return;
      }
      case 'delete':
        if (id) {
          await db.updateTable('person').set({ merged_into: null }).where('merged_into', '=', id).execute();
          await db.deleteFrom('person').where('id', '=', id).execute();
        }
        return;
      case 'drop-tag':
        await db.deleteFrom('tag').where('name', '=', `tag${o.tag}`).execute();
        return;
    }
  }

  it('equals a count of tagged live people, and answers scoped totals, after any writes', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 14 }), async (ops) => {
        for (const o of ops) await apply(o);
        for (const orgId of orgs) await expectExact(database.db, orgId, JSON.stringify(ops));
      }),
      { numRuns: 25 },
    );
  });

  it('leaves a scope that names people another way (a list) to a count', async () => {
    const orgId = orgs[0] as string;
    const access: Access = { orgId, userId: null, grants: [grant({ kind: 'list', listId: newId() }, true)] };
    const scope = await peopleScope(tenantDb(database.db, orgId), access, 'people.read');
    expect(scopeParts(scope)).toBeUndefined();
    const db = tenantDb(database.db, orgId);
    expect(await countTagged(db, newId(), scope)).toBeUndefined();
    expect(await countEveryone(db, orgId, scope)).toBeUndefined();
    const filter = PeopleFilter.parse({ tag: 'any' });
    expect(
      await taggedPageIds(db, filter, { tagId: newId() }, { page: 1, perPage: 5 }, scope),
    ).toBeUndefined();
  });

  it('knows a scope of lists and events alone, which a search counts before its page', async () => {
    const orgId = orgs[0] as string;
    const db = tenantDb(database.db, orgId);
    const scopeOf = async (grants: Grant[]) =>
      await peopleScope(db, { orgId, userId: null, grants }, 'people.read');
    const list = grant({ kind: 'list', listId: newId() }, false);
    const event = grant({ kind: 'event', eventId: newId() }, true);
    const unit = grant({ kind: 'unit', unitId: newId(), path: 'east' }, false);
    const everyone = grant({ kind: 'org' }, false);
    expect(scopeNamesPeople(await scopeOf([list]))).toBe(true);
    expect(scopeNamesPeople(await scopeOf([list, event]))).toBe(true);
    expect(scopeNamesPeople(await scopeOf([list, unit]))).toBe(false);
    expect(scopeNamesPeople(await scopeOf([event, everyone]))).toBe(false);
    expect(scopeNamesPeople(await scopeOf([unit]))).toBe(false);
    expect(scopeNamesPeople(await scopeOf([]))).toBe(false);
    expect(scopeNamesPeople(null)).toBe(false);
    expect(scopeNamesPeople(NOT_SENSITIVE)).toBe(false);
  });

  it('copies the person into each tagging whatever the writer gives, and is written by the triggers only', async () => {
    const orgId = orgs[1] as string;
    const db = tenantDb(database.db, orgId);
    const person = newId();
    await db
      .insertInto('person')
      .values({ org_id: orgId, id: person, home_unit_path: 'west', sensitive: true })
      .execute();
    const tag = newId();
    await db.insertInto('tag').values({ org_id: orgId, id: tag, name: 'copied' }).execute();
    await sql`INSERT INTO tagging (org_id, id, tag_id, person_id, person_unit_path, person_sensitive)
      VALUES (${orgId}, ${newId()}, ${tag}, ${person}, 'east', false)`.execute(db);
    await sql`UPDATE tagging SET person_unit_path = 'east', person_sensitive = false WHERE tag_id = ${tag}`.execute(
      db,
    );
    const row = await sql<{ path: string; sensitive: boolean }>`
      SELECT person_unit_path::text AS path, person_sensitive AS sensitive FROM tagging WHERE tag_id = ${tag}`.execute(
      db,
    );
    expect(row.rows).toEqual([{ path: 'west', sensitive: true }]);
    await expect(sql`UPDATE tag_count SET people = 0`.execute(db)).rejects.toThrow();
    await expect(sql`UPDATE unit_people_count SET people = 0`.execute(db)).rejects.toThrow();
    await expect(
      sql`INSERT INTO tag_count (org_id, tag_id, unit_path, sensitive, people) VALUES (${orgId}, ${tag}, NULL, false, 1)`.execute(
        db,
      ),
    ).rejects.toThrow();
    await expectExact(database.db, orgId, 'after writes that tried to set the copies');
  });

  it('goes with its organization', async () => {
    const gone = (await makeOrg(database.db, 'gone')).id;
    const db = tenantDb(database.db, gone);
    const [a, b] = newIds(2) as [string, string];
    await db
      .insertInto('person')
      .values([
        { org_id: gone, id: a, home_unit_path: 'east' },
        { org_id: gone, id: b, sensitive: true },
      ])
      .execute();
    const tag = newId();
    await db.insertInto('tag').values({ org_id: gone, id: tag, name: 'leaving' }).execute();
    await db.insertInto('tagging').values({ org_id: gone, id: newId(), tag_id: tag, person_id: a }).execute();
    await expectExact(database.db, gone, 'before the organization goes');
    await database.db.deleteFrom('org').where('id', '=', gone).execute();
    for (const table of ['tag_count', 'unit_people_count'] as const) {
      const left = await database.db.selectFrom(table).select('org_id').where('org_id', '=', gone).execute();
      expect(left, table).toEqual([]);
    }
  });
});
