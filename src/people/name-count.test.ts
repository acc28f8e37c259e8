import fc from 'fast-check';
import { type Expression, type SqlBool, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/db.js';
import { makeOrg } from '../../test/support/fixtures.js';
import type { PeopleScope } from '../access/scope.js';
import type { Database } from '../db/connect.js';
import { newIds } from '../db/ids.js';
import { tenantDb } from '../db/tenant.js';
import { nameExpr } from './people.filter.js';
import { countPeople, PeopleFilter, searchPeopleIds } from './people.search.js';

const GIVEN = ['Ana', 'ana', 'Anabel', 'Har', 'Harriet', '100%', 'a_b', '', null] as const;
const FAMILY = ['Harris', 'Anders', 'harper', 'Ng', '50%off', 'a_c', '', null] as const;
const WORDS = ['a', 'an', 'ana', 'har', 'harr', 'ng', '100%', '50%', 'a_', 'a_b', '%', '_', 'x'];

/**
 * A one-word name is counted as two index-only halves (family prefix, then given prefix without a
 * family match: migration 0023). Whatever the names (missing, empty, holding LIKE's wildcards),
 * the count must equal the people a search by that word finds, and a plain count of "the family
 * name or the full name starts with the word".
 */
describe('one-word name counts', () => {
  let database: Database;

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.close();
  });

  const person = fc.record({
    given: fc.constantFrom(...GIVEN),
    family: fc.constantFrom(...FAMILY),
    unit: fc.constantFrom('east', 'east.oak', 'west', null),
    sensitive: fc.boolean(),
    merged: fc.boolean(),
  });

  it('equals the people the word finds, in every scope', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(person, { minLength: 1, maxLength: 30 }),
        fc.constantFrom(...WORDS),
        fc.boolean(),
        async (people, word, asQ) => {
          const orgId = (await makeOrg(database.db)).id;
          const db = tenantDb(database.db, orgId);
          const ids = newIds(people.length);
          await db
            .insertInto('person')
            .values(
              people.map((p, i) => ({
                org_id: orgId,
                id: ids[i] as string,
                given_name: p.given,
                family_name: p.family,
                home_unit_path: p.unit,
                sensitive: p.sensitive,
              })),
            )
            .execute();
          const merged = ids.filter((_, i) => people[i]?.merged && i > 0);
          if (merged.length > 0)
            await db
              .updateTable('person')
              .set({ merged_into: ids[0] as string })
              .where('id', 'in', merged)
              .execute();
          const scopes: PeopleScope[] = [
            null,
            sql<SqlBool>`NOT p.sensitive`,
            sql<SqlBool>`(p.home_unit_path >= 'east'::ltree AND p.home_unit_path < 'east0'::ltree)`,
            sql<SqlBool>`p.id IN (${sql.join(ids.slice(0, 5).map((id) => sql`${id}::uuid`))})`,
          ];
          const prefix = `${word.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
          const filter = PeopleFilter.parse(asQ ? { q: word.toUpperCase() } : { name: ` ${word} ` });
          for (const scope of scopes) {
            let reference = db
              .selectFrom('person as p')
              .select(sql<number>`count(*)::int`.as('n'))
              .where('p.org_id', '=', orgId)
              .where('p.merged_into', 'is', null)
              .where(sql<SqlBool>`(lower(p.family_name) LIKE ${prefix} OR ${nameExpr} LIKE ${prefix})`);
            if (scope) reference = reference.where(scope as Expression<SqlBool>);
            const { n } = await reference.executeTakeFirstOrThrow();
            const label = `${word} ${JSON.stringify(people)}`;
            expect(await countPeople(db, orgId, filter, { scope }), label).toBe(n);
            const found = await searchPeopleIds(db, orgId, filter, { page: 1, perPage: 100 }, { scope });
            expect(found, label).toHaveLength(n);
          }
        },
      ),
      { numRuns: 40 },
    );
  });
});
