import fc from 'fast-check';
import { type Expression, type RawBuilder, type SqlBool, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, explainIndexed } from '../../test/support/db.js';
import { makeOrg } from '../../test/support/fixtures.js';
import { insertPeople } from '../../test/support/units.js';
import type { PeopleScope } from '../access/scope.js';
import type { Database } from '../db/connect.js';
import { tenantDb } from '../db/tenant.js';
import { nameExpr, nameHalves } from './people.filter.js';
import { countPeople, nameWordCount, PeopleFilter, searchPeopleIds } from './people.search.js';

const GIVEN = ['Ana', 'ana', 'Anabel', 'Har', 'Harriet', '100%', 'a_b', '', null] as const;
const FAMILY = ['Harris', 'Anders', 'harper', 'Ng', '50%off', 'a_c', '', null] as const;
const WORDS = ['a', 'an', 'ana', 'har', 'harr', 'ng', '100%', '50%', 'a_', 'a_b', '%', '_', 'x'];

/**
 * A name search is counted and paged as two disjoint index-only halves (nameHalves: migrations 0023
 * and 0028). Whatever the names (missing, empty, holding LIKE's wildcards) and the words (one to
 * three, repeated or not), the count and the people a search finds must equal a plain query of what
 * a name search means: one word prefixes the family name or the full name; several words prefix
 * the given and family names in either order, and any middle word is somewhere in the name.
 */
describe('name search counts', () => {
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

  const word = fc.record({
    listed: fc.constantFrom(...WORDS),
    from: fc.nat(),
    part: fc.constantFrom('given', 'family', 'listed'),
    length: fc.integer({ min: 1, max: 4 }),
  });

  it('equals the people the words find, in every scope', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(person, { minLength: 1, maxLength: 30 }),
        fc.array(word, { minLength: 1, maxLength: 3 }),
        fc.boolean(),
        async (people, picks, asQ) => {
          // A word is a listed one, or the start of a generated person's given or family name (so
          // that searches of several words find someone).
          const words = picks.map(({ listed, from, part, length }) => {
            const name = part === 'listed' ? null : people[from % people.length]?.[part];
            return name ? name.slice(0, length).toLowerCase() : listed;
          });
          const orgId = (await makeOrg(database.db)).id;
          const db = tenantDb(database.db, orgId);
          const ids = await insertPeople(
            db,
            orgId,
            people.map((p) => ({
              given_name: p.given,
              family_name: p.family,
              home_unit_path: p.unit,
              sensitive: p.sensitive,
            })),
          );
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
          const like = (w: string) => w.replace(/[\\%_]/g, (c) => `\\${c}`);
          const family = (w: string) => sql<SqlBool>`lower(p.family_name) LIKE ${`${like(w)}%`}`;
          const full = (w: string) => sql<SqlBool>`${nameExpr} LIKE ${`${like(w)}%`}`;
          const first = words[0] as string;
          const last = words[words.length - 1] as string;
          const meaning =
            words.length === 1
              ? sql<SqlBool>`(${family(first)} OR ${full(first)})`
              : sql<SqlBool>`((${family(last)} AND ${full(first)}) OR (${family(first)} AND ${full(last)}))${sql.join(
                  words.slice(1, -1).map((w) => sql` AND ${nameExpr} LIKE ${`%${like(w)}%`}`),
                  sql``,
                )}`;
          const text = words.join(' ');
          const filter = PeopleFilter.parse(asQ ? { q: text.toUpperCase() } : { name: ` ${text} ` });
          for (const scope of scopes) {
            let reference = db
              .selectFrom('person as p')
              .select('p.id')
              .where('p.org_id', '=', orgId)
              .where('p.merged_into', 'is', null)
              .where(meaning);
            if (scope) reference = reference.where(scope as Expression<SqlBool>);
            const expected = (await reference.execute()).map((r) => r.id).sort();
            const label = `${text} ${JSON.stringify(people)}`;
            expect(await countPeople(db, orgId, filter, { scope }), label).toBe(expected.length);
            const found = await searchPeopleIds(db, orgId, filter, { page: 1, perPage: 100 }, { scope });
            expect([...found].sort(), label).toEqual(expected);
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it("counts one word from the organization's names, visiting only the people whose two names it starts", async () => {
    const orgId = (await makeOrg(database.db)).id;
    const db = tenantDb(database.db, orgId);
    await insertPeople(db, orgId, [
      { given_name: 'Mara', family_name: 'Marsh' },
      { given_name: 'Mark', family_name: 'Ng' },
      { given_name: 'Ana', family_name: 'Martin' },
      { given_name: 'Mar', family_name: null },
    ]);
    // Enough other people, with fresh statistics, that the indexes are the cheaper way.
    await sql`INSERT INTO person (org_id, id, given_name, family_name)
      SELECT ${orgId}, uuid_v7(), 'Given' || n, md5(n::text) FROM generate_series(1, 20000) AS n`.execute(db);
    await sql`ANALYZE person`.execute(database.db);
    await sql`ANALYZE person_name_count`.execute(database.db);
    const explain = (query: RawBuilder<unknown>) => explainIndexed(db, query);
    expect((await nameWordCount(db, orgId, 'mar').execute(db)).rows[0]?.n).toBe(4);
    expect(await countPeople(db, orgId, PeopleFilter.parse({ name: 'MAR' }))).toBe(4);
    const plan = await explain(nameWordCount(db, orgId, 'mar'));
    // The names, as a range of an index (under row-level security: LIKE is LEAKPROOF). Under a
    // collation other than C only the prefix index orders them byte by byte (migration 0030).
    const names =
      /Index (Only )?Scan using (person_name_count_\w+).*\n\s*Index Cond: .*\(name (~>=~|>=) 'mar'::text\)/g;
    const ranges = [...plan.matchAll(names)];
    expect(ranges).toHaveLength(3);
    const collation = await sql<{ c: string }>`SELECT datcollate AS c FROM pg_database
      WHERE datname = current_database()`.execute(db);
    if (!['C', 'POSIX'].includes(collation.rows[0]?.c ?? ''))
      for (const range of ranges) expect(range[2]).toBe('person_name_count_prefix_idx');
    // The people with both names, one family name at a time, and no pass over the given names.
    expect(plan).toMatch(
      /Index Only Scan using person_family_scope_idx.*\n\s*Index Cond: .*= ANY .*~>=~ 'mar'/,
    );
    expect(plan).not.toMatch(/person_given_scope_idx|Seq Scan on person /);
    // Two words: each half reads the family-name btree one family name at a time, the given
    // name's prefix a range within it ("mar mar" visits the Marsh Maras, not every Marsh).
    for (const half of nameHalves(orgId, ['mar', 'mar'])) {
      const halfPlan = await explain(sql`SELECT count(*) FROM person p
        WHERE p.org_id = ${orgId} AND p.merged_into IS NULL AND ${half}`);
      expect(halfPlan).toMatch(
        /Index Only Scan using person_family_scope_idx.*\n\s*Index Cond: .*= ANY .*~>=~ 'mar'/,
      );
    }
    expect(await countPeople(db, orgId, PeopleFilter.parse({ name: 'mar mar' }))).toBe(1);
    expect(await countPeople(db, orgId, PeopleFilter.parse({ name: 'mart an' }))).toBe(1);
  });
});
