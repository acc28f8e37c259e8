import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/db.js';
import { ctxFor } from '../../test/support/fixtures.js';
import { chapterOrg, insertPersonIn } from '../../test/support/units.js';
import type { Database } from '../db/connect.js';
import { tenantDb } from '../db/tenant.js';
import { fuzzyPredicate } from './people.filter.js';
import { countPeople, PeopleFilter, searchPeople } from './people.search.js';

/**
 * Fuzzy name search: a typo in a name still finds the person, closest first; a family name alone
 * finds everyone of that name; totals agree with the pages in every scope; and the trigram index
 * serves the search under row-level security.
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

  it('reads the trigram index under row-level security', async () => {
    // Enough other people that the index is the cheaper way, with fresh statistics.
    const filler = await insertPersonIn(database.db, org.orgId, org.units.fresno as string, 'fresno', {});
    await sql`INSERT INTO person (org_id, id, given_name, family_name, home_unit_id, home_unit_path)
      SELECT p.org_id, uuid_v7(), 'Given' || n, md5(n::text), p.home_unit_id, p.home_unit_path
      FROM person p, generate_series(1, 20000) AS n WHERE p.id = ${filler}`.execute(database.db);
    await sql`ANALYZE person`.execute(database.db);
    const db = tenantDb(database.db, org.orgId);
    const conditions: Record<string, string[]> = {
      garsia: ["%>> 'garsia'"],
      'maria garsia': ["%> 'maria'", "%> 'garsia'"],
    };
    for (const [fuzzy, operators] of Object.entries(conditions)) {
      const plan = await db.transaction().execute(async (trx) => {
        await sql`SET LOCAL enable_seqscan = off`.execute(trx);
        const { rows } = await sql<{ 'QUERY PLAN': string }>`EXPLAIN SELECT count(*) FROM person p
          WHERE p.org_id = ${org.orgId} AND ${fuzzyPredicate(fuzzy)}`.execute(trx);
        return rows.map((r) => r['QUERY PLAN']);
      });
      // Were an operator not LEAKPROOF, it would be a filter over every person of the organization.
      const scan = plan.findIndex((line) => line.includes('Index Scan on person_name_trgm_idx'));
      expect(scan, plan.join('\n')).toBeGreaterThan(-1);
      const condition = plan[scan + 1] ?? '';
      expect(condition).toContain('Index Cond:');
      for (const operator of operators) expect(condition, fuzzy).toContain(operator);
    }
  });
});
