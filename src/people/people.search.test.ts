import { type SqlBool, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/db.js';
import { makeOrg } from '../../test/support/fixtures.js';
import type { PeopleScope } from '../access/scope.js';
import type { Database } from '../db/connect.js';
import { newIds } from '../db/ids.js';
import { tenantDb } from '../db/tenant.js';
import { resolve } from './people.filter.js';
import {
  COLLECT_FIRST_MAX,
  countPeople,
  newestPageIds,
  PeopleFilter,
  type PeopleFilterInput,
  searchPeopleIds,
  windowHoldsPage,
} from './people.search.js';

/**
 * A page of people takes one of two shapes, chosen by how many match (COLLECT_FIRST_MAX): collect
 * the matches and sort them, or walk the newest-first index. Both must give exactly the same
 * pages, in every order and scope, whatever the planner does with them.
 */
describe('people search pages', () => {
  let database: Database;
  let orgId: string;
  const scopes: Record<string, PeopleScope> = {
    everyone: null,
    east: sql<SqlBool>`(p.home_unit_path >= 'east'::ltree AND p.home_unit_path < 'east0'::ltree AND NOT p.sensitive)`,
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    const org = await makeOrg(database.db);
    orgId = org.id;
    const families = ['Garcia', 'Garner', 'Smith', 'Smithers', 'Nguyen', null];
    const givens = ['Ana', 'Ben', 'Maria', 'Mario', null];
    const ids = newIds(240);
    await database.db
      .insertInto('person')
      .values(
        ids.map((id, i) => ({
          org_id: orgId,
          id,
          given_name: givens[i % givens.length] ?? null,
          family_name: families[(i * 7) % families.length] ?? null,
          home_unit_path: i % 3 === 0 ? 'east.oakland' : i % 3 === 1 ? 'west' : 'east',
          sensitive: i % 17 === 0,
        })),
      )
      .execute();
  });
  afterAll(async () => {
    await database.close();
  });

  const filters: PeopleFilterInput[] = [
    {},
    { name: 'gar' },
    { name: 'mar' },
    { name: 'smith', sort: 'name' },
    { sort: 'name' },
    { fuzzy: 'maria garsia' },
    { unit: 'east' },
  ];

  it('gives the same pages whether it collects the matches first or walks the index', async () => {
    const db = tenantDb(database.db, orgId);
    expect(COLLECT_FIRST_MAX).toBeGreaterThan(240);
    for (const input of filters) {
      const filter = PeopleFilter.parse(input);
      for (const [name, scope] of Object.entries(scopes)) {
        const total = await countPeople(db, orgId, filter, { scope });
        expect(total, `${JSON.stringify(input)} ${name}`).toBeGreaterThan(0);
        for (const paging of [
          { page: 1, perPage: 7 },
          { page: 2, perPage: 7 },
          { page: 1, perPage: 100 },
          { page: Math.ceil(total / 7) + 1, perPage: 7 },
        ]) {
          // A count above COLLECT_FIRST_MAX makes the page walk the index.
          const walked = await searchPeopleIds(db, orgId, filter, paging, {
            scope,
            matches: Number.MAX_SAFE_INTEGER,
          });
          const label = `${JSON.stringify(input)} ${name} ${JSON.stringify(paging)}`;
          const collected = await searchPeopleIds(db, orgId, filter, paging, {
            scope,
            matches: total,
            window: 0,
          });
          expect(collected, label).toEqual(walked);
          expect(new Set(collected).size).toBe(collected.length);
          // Looking through the newest people first, where that is worth it (windowWorthIt), gives
          // the same page whether they hold it or not.
          for (const window of [5, 40, 240, undefined]) {
            const first = await searchPeopleIds(db, orgId, filter, paging, { scope, matches: total, window });
            expect(first, `${label} window ${window}`).toEqual(collected);
          }
        }
        // Every match appears on exactly one page, in one of the two shapes as in the other.
        const all = await searchPeopleIds(
          db,
          orgId,
          filter,
          { page: 1, perPage: 100 },
          { scope, matches: total },
        );
        if (total <= 100) expect(all).toHaveLength(total);
      }
    }
  });

  it('takes a page from the newest people only when they hold it', async () => {
    const db = tenantDb(database.db, orgId);
    let held = 0;
    let notHeld = 0;
    for (const input of [...filters, { name: 'smith' }, { unit: 'east.oakland' }, { name: 'zzz' }]) {
      const filter = PeopleFilter.parse(input);
      if (filter.fuzzy || filter.sort === 'name') continue;
      const resolved = await resolve(db, orgId, filter);
      for (const [name, scope] of Object.entries(scopes)) {
        const total = await countPeople(db, orgId, filter, { scope });
        for (const paging of [
          { page: 1, perPage: 7 },
          { page: 3, perPage: 7 },
          { page: 1, perPage: 100 },
          { page: Math.ceil(total / 7), perPage: 7 },
        ]) {
          const expected = await searchPeopleIds(db, orgId, filter, paging, {
            scope,
            matches: total,
            window: 0,
          });
          for (const window of [5, 40, 240]) {
            const ids = await newestPageIds(db, orgId, filter, paging, { resolved, scope, window });
            const label = `${JSON.stringify(input)} ${name} ${JSON.stringify(paging)} window ${window}`;
            if (windowHoldsPage(ids, paging, total)) {
              held++;
              expect(ids, label).toEqual(expected);
            } else {
              notHeld++;
              // Only a window smaller than the organization can miss the page.
              expect(window, label).toBeLessThan(240);
            }
          }
        }
      }
    }
    expect(held).toBeGreaterThan(0);
    expect(notHeld).toBeGreaterThan(0);
  });

  it('collects the page when the newest people, though worth looking through, do not hold it', async () => {
    // A chapter's people arrive together: every Garcia is older than every Newman.
    const org = await makeOrg(database.db);
    const db = tenantDb(database.db, org.id);
    const ids = newIds(240);
    await db
      .insertInto('person')
      .values(
        ids.map((id, i) => ({
          org_id: org.id,
          id,
          given_name: 'Ana',
          family_name: i < 100 ? 'Garcia' : 'Newman',
        })),
      )
      .execute();
    const filter = PeopleFilter.parse({ name: 'gar' });
    const garcias = ids.slice(0, 100).reverse();
    for (const paging of [
      { page: 1, perPage: 7 },
      { page: 2, perPage: 7 },
      { page: 15, perPage: 7 },
    ]) {
      const offset = (paging.page - 1) * paging.perPage;
      const expected = garcias.slice(offset, offset + paging.perPage);
      // 100 of 240 matches: the 40 newest should hold 16 of them, twice a page's depth (windowWorthIt).
      for (const window of [40, 0])
        expect(await searchPeopleIds(db, org.id, filter, paging, { matches: 100, window })).toEqual(expected);
    }
  });

  it('asks nothing more when nothing matches or the page is past the end', async () => {
    const db = tenantDb(database.db, orgId);
    const filter = PeopleFilter.parse({ name: 'zzz' });
    expect(await searchPeopleIds(db, orgId, filter, { page: 1, perPage: 50 }, { matches: 0 })).toEqual([]);
    expect(
      await searchPeopleIds(db, orgId, PeopleFilter.parse({}), { page: 9, perPage: 50 }, { matches: 240 }),
    ).toEqual([]);
  });
});
