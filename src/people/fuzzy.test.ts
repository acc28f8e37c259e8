import fc from 'fast-check';
import { type RawBuilder, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, explainIndexed } from '../../test/support/db.js';
import { ctxFor, makeOrg, systemCtx } from '../../test/support/fixtures.js';
import { chapterOrg, insertPeople, insertPersonIn } from '../../test/support/units.js';
import type { Database } from '../db/connect.js';
import { tenantDb } from '../db/tenant.js';
import { fuzzyNames, fuzzyParts, fuzzyWords } from './people.filter.js';
import { countPeople, PeopleFilter, searchPeople } from './people.search.js';

/**
 * Fuzzy name search: a typo in a name still finds the person, closest first; a family name alone
 * finds everyone of that name; totals agree with the pages in every scope; and the indexes serve
 * the search under row-level security.
 */
describe('fuzzy name search', () => {
  let database: Database;
  let org: Awaited<ReturnType<typeof chapterOrg>>;
  const names = new Map<string, string>();

  beforeAll(async () => {
    database = await createTestDatabase();
    org = await chapterOrg(database.db);
    const add = async (
      unit: 'east.oakland' | 'fresno',
      given: string | undefined,
      family: string | undefined,
    ) => {
      const id = await insertPersonIn(database.db, org.orgId, org.units[unit] as string, unit, {});
      await database.db
        .updateTable('person')
        .set({ given_name: given ?? null, family_name: family ?? null })
        .where('id', '=', id)
        .execute();
      names.set(id, `${given ?? ''} ${family ?? ''}`.trim());
    };
    for (const [given, family] of [
      ['Maria', 'Garcia'],
      ['Mario', 'Garcia'],
      ['Maria', 'Smith'],
      ['Maria', 'Schmidt'],
      ['Ana', 'Garcia'],
      ['Ana', 'Smith'],
      ['Kyle', 'Hill'],
      ['Zelda', 'Marquez'],
      [undefined, 'Garcia'],
      ['Maria', undefined],
    ] as const)
      await add('east.oakland', given, family);
    await add('fresno', 'Maria', 'Garcia');
    await add('fresno', 'Ben', 'Garza');
  });
  afterAll(async () => {
    await database.close();
  });

  const found = async (fuzzy: string, user = org.admin) => {
    const ctx = await ctxFor(tenantDb(database.db, org.orgId), user);
    const page = await searchPeople(ctx, { fuzzy }, { perPage: 100 });
    return { names: page.items.map((p) => names.get(p.id)), total: page.total };
  };

  it('finds a family name with one wrong letter, whatever the given name, closest first', async () => {
    const { names: hits, total } = await found('garsia');
    // Every Garcia (0.4), then Garza (0.3); no Smith, Hill or Marquez.
    expect(hits).toHaveLength(6);
    expect(total).toBe(6);
    expect(new Set(hits.slice(0, 5))).toEqual(
      new Set(['Maria Garcia', 'Mario Garcia', 'Ana Garcia', 'Garcia']),
    );
    expect(hits.filter((n) => n === 'Maria Garcia')).toHaveLength(2);
    expect(hits[5]).toBe('Ben Garza');
    // Among equally close words, the closest whole name first: the person named Garcia alone.
    expect(hits[0]).toBe('Garcia');
  });

  it('puts the closest full name first and leaves out people who share only a given name', async () => {
    const { names: hits } = await found('maria garsia');
    expect(hits.slice(0, 2)).toEqual(['Maria Garcia', 'Maria Garcia']);
    expect(hits).toContain('Mario Garcia');
    expect(hits).not.toContain('Maria Smith');
    expect(hits).not.toContain('Maria Schmidt');
    expect(hits).not.toContain('Ana Smith');
    expect((await found('zelda markez')).names[0]).toBe('Zelda Marquez');
    // One wrong letter in a name of four.
    expect((await found('kyle hcll')).names).toEqual(['Kyle Hill']);
  });

  it('matches nobody for words without a letter or digit', async () => {
    expect(await found('-- ..')).toEqual({ names: [], total: 0 });
  });

  it('keeps totals and pages within the scope, one page after another', async () => {
    const ctx = await ctxFor(tenantDb(database.db, org.orgId), org.organizer);
    const first = await searchPeople(ctx, { fuzzy: 'maria garsia' }, { perPage: 1 });
    expect(first.total).toBe(2);
    const seen: string[] = [];
    for (let page = 1; page <= first.total + 1; page++) {
      const { items, total } = await searchPeople(ctx, { fuzzy: 'maria garsia' }, { page, perPage: 1 });
      // Past the last page the total still comes back.
      expect(total).toBe(first.total);
      seen.push(...items.map((p) => p.id));
    }
    expect(seen.map((id) => names.get(id))).toEqual(['Maria Garcia', 'Mario Garcia']);
    // Oakland's organizer never sees Fresno's Maria Garcia.
    const db = tenantDb(database.db, org.orgId);
    const everyone = await countPeople(db, org.orgId, PeopleFilter.parse({ fuzzy: 'maria garsia' }));
    expect(everyone).toBe(3);
  });

  it('finds names through their trigram index and people through the name btrees, under row-level security', async () => {
    // Enough other people that the indexes are the cheaper way, with fresh statistics.
    const filler = await insertPersonIn(database.db, org.orgId, org.units.fresno as string, 'fresno', {});
    await sql`INSERT INTO person (org_id, id, given_name, family_name, home_unit_id, home_unit_path)
      SELECT p.org_id, uuid_v7(), 'Given' || n, md5(n::text), p.home_unit_id, p.home_unit_path
      FROM person p, generate_series(1, 20000) AS n WHERE p.id = ${filler}`.execute(database.db);
    await sql`ANALYZE person`.execute(database.db);
    await sql`ANALYZE person_name_count`.execute(database.db);
    const db = tenantDb(database.db, org.orgId);
    const explain = (query: RawBuilder<unknown>) => explainIndexed(db, query);
    for (const [fuzzy, operator, halves] of [
      // No given name resembles the one, no family name the other.
      ['garsia', "%>> 'garsia'", 1],
      ['maria', "%>> 'maria'", 1],
      // Of the pairs of names, only those with both names pass the test.
      ['maria garsia', "%> 'maria'", 1],
    ] as const) {
      // The names, from the trigram index: were the operator not LEAKPROOF, a filter over every name.
      const names = await fuzzyNames(db, org.orgId, fuzzyWords(fuzzy));
      expect([...names.family, ...names.given]).toContain(fuzzy.startsWith('garsia') ? 'garcia' : 'maria');
      const lookup = await explain(sql`SELECT name FROM person_name_count
        WHERE org_id = ${org.orgId} AND name ${sql.raw(operator.split(' ')[0] as string)} ${fuzzyWords(fuzzy)[0]}`);
      expect(lookup).toMatch(/Index Scan on person_name_count_trgm_idx.*\n\s*Index Cond: \(name %>>? /);
      // Each half of the search, from a name btree's entries alone (no person row read).
      const parts = fuzzyParts(fuzzy, names);
      expect(parts.length, fuzzy).toBe(halves);
      for (const part of parts) {
        const plan = await explain(sql`SELECT count(*) FROM person p
          WHERE p.org_id = ${org.orgId} AND p.merged_into IS NULL AND ${part}`);
        expect(plan, fuzzy).toMatch(/Index Only Scan using person_(family|given)_scope_idx/);
        expect(plan, fuzzy).toMatch(/Index Cond: .*= ANY/);
      }
    }
  });
});

/**
 * Whatever the names and the words, a fuzzy search finds exactly the live people a scan of every
 * person finds by the rule it states (fuzzyHalves): the whole name passes the similarity test, and
 * each part of it is resembled by a word of the search or missing. The scan reads the people
 * themselves, so the names the search reads first (person_name_count) must be complete and current.
 */
describe('fuzzy name search against a scan of every person', () => {
  let database: Database;
  let orgId: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    orgId = (await makeOrg(database.db)).id;
  });
  afterAll(async () => {
    await database.close();
  });

  const BASE = ['maria', 'mario', 'garcia', 'garza', 'ana', 'kyle', 'hill', 'lee', 'de la cruz', 'smith'];
  /** A base name, perhaps with one letter changed and in another case. */
  const spelled = fc
    .tuple(fc.constantFrom(...BASE), fc.nat(12), fc.constantFrom('a', 'e', 'x', 'c'), fc.boolean())
    .map(([name, at, letter, upper]) => {
      const typo = at < name.length ? `${name.slice(0, at)}${letter}${name.slice(at + 1)}` : name;
      return upper ? typo.toUpperCase() : typo;
    });
  const part = fc.option(spelled, { nil: null, freq: 5 });

  it('finds every person whose name the words resemble, and nobody else', async () => {
    const db = tenantDb(database.db, orgId);
    const ctx = systemCtx(db, orgId);
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ given: part, family: part }), { minLength: 1, maxLength: 12 }),
        fc.array(spelled, { minLength: 1, maxLength: 3 }),
        fc.nat(11),
        async (people, words, rename) => {
          await db.deleteFrom('person').where('org_id', '=', orgId).execute();
          const ids = await insertPeople(
            db,
            orgId,
            people.map((p) => ({ given_name: p.given, family_name: p.family })),
          );
          // A rename and a merge after the insert, which the names must follow.
          const renamed = ids[rename % ids.length] as string;
          await db.updateTable('person').set({ family_name: 'Garcia' }).where('id', '=', renamed).execute();
          if (ids.length > 1)
            await db
              .updateTable('person')
              .set({ merged_into: ids[0] as string })
              .where('id', '=', ids[1] as string)
              .execute();

          const fuzzy = words.join(' ').toLowerCase();
          const page = await searchPeople(ctx, { fuzzy }, { perPage: 100 });
          const found = page.items.map((p) => p.id);
          const w = fuzzyWords(fuzzy);
          const whole = sql`lower(coalesce(given_name, '') || ' ' || coalesce(family_name, ''))`;
          const resembled = (name: RawBuilder<unknown>) =>
            w.length === 1
              ? sql`strict_word_similarity(${w[0]}, ${name}) >= 0.3`
              : sql`(${sql.join(
                  w.map((x) => sql`word_similarity(${x}, ${name}) >= 0.25`),
                  sql` OR `,
                )})`;
          const test =
            w.length === 1
              ? resembled(whole)
              : sql`(${sql.join(
                  w.map((x) => sql`word_similarity(${x}, ${whole}) >= 0.25`),
                  sql` AND `,
                )})
                  AND similarity(${whole}, ${w.join(' ')}) >= 0.45`;
          const given = sql`lower(given_name)`;
          const family = sql`lower(family_name)`;
          const parts =
            w.length === 1
              ? sql`(${resembled(family)} OR ${resembled(given)})`
              : sql`(given_name IS NOT NULL OR family_name IS NOT NULL)
                  AND (given_name IS NULL OR ${resembled(given)}) AND (family_name IS NULL OR ${resembled(family)})`;
          const { rows } = await sql<{ id: string }>`SELECT id FROM person
            WHERE org_id = ${orgId} AND merged_into IS NULL AND ${test} AND ${parts}`.execute(db);
          const label = JSON.stringify({ people, fuzzy });
          expect(new Set(found).size, label).toBe(found.length);
          expect([...found].sort(), label).toEqual(rows.map((r) => r.id).sort());
          expect(page.total, label).toBe(rows.length);
          // Names too many to pair (FUZZY_PAIRS_MAX): the people are tested instead, with the same result.
          const unpaired = fuzzyParts(fuzzy, await fuzzyNames(db, orgId, w, 0));
          const byParts = await Promise.all(
            unpaired.map(
              async (part) =>
                (
                  await sql<{ id: string }>`SELECT p.id FROM person p
                    WHERE p.org_id = ${orgId} AND p.merged_into IS NULL AND ${part}`.execute(db)
                ).rows,
            ),
          );
          expect(
            byParts
              .flat()
              .map((r) => r.id)
              .sort(),
            `${label} unpaired`,
          ).toEqual(rows.map((r) => r.id).sort());
        },
      ),
      { numRuns: 150 },
    );
  });
});
