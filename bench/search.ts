import { type Kysely, sql } from 'kysely';
import type { Ctx } from '../src/context.js';
import type { DB } from '../src/db/schema.js';
import { PeopleFilter, type PeopleFilterInput, searchPeople, searchPeopleIds } from '../src/people/index.js';
import { mulberry32, TAGS } from './generate.js';
import type { Result } from './report.js';
import { percentile } from './steps.js';

type Kind =
  | 'name prefix'
  | 'two-word name prefix'
  | 'fuzzy name'
  | 'email'
  | 'tag'
  | 'unit region (10%)'
  | 'unit local (1%)'
  | 'zip';

/** One letter of a name replaced: a plausible typo for the fuzzy search. */
function typo(rand: () => number, s: string): string {
  if (s.length < 4) return s;
  const i = 1 + Math.floor(rand() * (s.length - 2));
  const letters = 'abcdefghijklmnopqrstuvwxyz';
  return s.slice(0, i) + letters[Math.floor(rand() * 26)] + s.slice(i + 1);
}

/** Filters drawn from the imported data: n of each kind, varied (different names, e-mails, ZIPs). */
async function drawQueries(
  ctx: Ctx,
  n: number,
): Promise<{ queries: Map<Kind, PeopleFilterInput[]>; fuzzyTargets: string[] }> {
  const { db } = ctx;
  const orgId = ctx.actor.orgId;
  const rand = mulberry32(4242);
  const names = (
    await sql<{ g: string; f: string }>`SELECT given_name AS g, family_name AS f FROM person
      WHERE org_id = ${orgId} AND given_name IS NOT NULL AND family_name IS NOT NULL
      ORDER BY random() LIMIT ${2 * n}`.execute(db)
  ).rows;
  const emails = (
    await sql<{ a: string }>`SELECT address AS a FROM person_email WHERE org_id = ${orgId}
      ORDER BY random() LIMIT ${n}`.execute(db)
  ).rows;
  const zips = (
    await sql<{ z: string }>`SELECT DISTINCT postal_code AS z FROM person_address
      WHERE org_id = ${orgId} AND postal_code IS NOT NULL`.execute(db)
  ).rows;
  const units = (
    await sql<{ p: string }>`SELECT path::text AS p FROM unit WHERE org_id = ${orgId}`.execute(db)
  ).rows;
  const at = <T>(xs: T[], i: number): T => xs[i % xs.length] as T;
  const q = new Map<Kind, PeopleFilterInput[]>();
  const list = (f: (i: number) => PeopleFilterInput) => Array.from({ length: n }, (_, i) => f(i));
  const prefix = (w: string) => w.slice(0, 3 + Math.floor(rand() * 2));
  // One word: alternately a given-name and a family-name prefix ("mar", "garc").
  q.set(
    'name prefix',
    list((i) => {
      const { g, f } = at(names, i);
      return { name: prefix(i % 2 ? f : g) };
    }),
  );
  q.set(
    'two-word name prefix',
    list((i) => {
      const { g, f } = at(names, n + i);
      return { name: `${prefix(g)} ${prefix(f)}` };
    }),
  );
  q.set(
    'fuzzy name',
    list((i) => {
      const { g, f } = at(names, i);
      return { fuzzy: `${g} ${typo(rand, f)}` };
    }),
  );
  // The name each fuzzy search means, lowered.
  const fuzzyTargets = Array.from({ length: n }, (_, i) => {
    const { g, f } = at(names, i);
    return `${g} ${f}`.toLowerCase();
  });
  q.set(
    'email',
    list((i) => ({ email: at(emails, i).a })),
  );
  q.set(
    'tag',
    list((i) => ({ tag: at(TAGS, i)[0] })),
  );
  const regions = units.filter((u) => !u.p.includes('.'));
  const locals = units.filter((u) => u.p.includes('.'));
  q.set(
    'unit region (10%)',
    list((i) => ({ unit: at(regions, i).p })),
  );
  q.set(
    'unit local (1%)',
    list(() => ({ unit: at(locals, Math.floor(rand() * locals.length)).p })),
  );
  q.set(
    'zip',
    list(() => ({ zip: at(zips, Math.floor(rand() * zips.length)).z })),
  );
  return { queries: q, fuzzyTargets };
}

async function time(fn: () => Promise<unknown>): Promise<number> {
  const t0 = performance.now();
  await fn();
  return performance.now() - t0;
}

/**
 * The naive baseline for the one-word name prefix, the way a simple CRM searches: ILIKE on the raw
 * columns (no index can serve it), the filtered count and the first page of 50 ids.
 */
async function naiveNamePrefix(ctx: Ctx, name: string): Promise<number> {
  const pattern = `${name.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
  const where = sql`org_id = ${ctx.actor.orgId} AND merged_into IS NULL
    AND (given_name ILIKE ${pattern} OR family_name ILIKE ${pattern})`;
  const [count] = await Promise.all([
    sql<{ n: number }>`SELECT count(*)::int AS n FROM person WHERE ${where}`.execute(ctx.db),
    sql`SELECT id FROM person WHERE ${where} ORDER BY id DESC LIMIT 50`.execute(ctx.db),
  ]);
  return count.rows[0]?.n ?? 0;
}

const WARM_UPS = 10;

/**
 * Search latencies per query kind, after WARM_UPS untimed queries: "search" is one page of 50
 * matching ids (searchPeopleIds); "count+page" is searchPeople (the filtered total, the first 50
 * ids and their full records). Each figure is logged as it comes in.
 */
export async function runSearches(
  ctx: Ctx,
  perKind: number,
  add: (r: Omit<Result, 'engine'>) => void,
  log: (m: string) => void,
  /** The owner's database (no row-level security): each kind's page of ids is also timed on it. */
  ownerDb?: Kysely<DB>,
): Promise<void> {
  const { queries, fuzzyTargets } = await drawQueries(ctx, perKind);
  const orgId = ctx.actor.orgId;
  const row = (name: string, value: number, baseline: number | null = null): Omit<Result, 'engine'> => ({
    name,
    value,
    unit: 'ms',
    baseline,
    ratio: baseline === null ? null : baseline / value,
  });
  let namePrefixPageP95: number | null = null;
  for (const [kind, filters] of queries) {
    for (const f of filters.slice(0, WARM_UPS)) {
      await searchPeople(ctx, f, { page: 1, perPage: 50 });
    }
    const search: number[] = [];
    const page: number[] = [];
    const owner: number[] = [];
    let matched = 0;
    // Fuzzy searches whose first page holds someone of the name meant.
    let meant = 0;
    for (const [i, f] of filters.entries()) {
      const filter = PeopleFilter.parse(f);
      const asOwner = async () => {
        if (ownerDb)
          owner.push(await time(() => searchPeopleIds(ownerDb, orgId, filter, { page: 1, perPage: 50 })));
      };
      // Whichever runs a query second finds its pages in memory: each goes first half the time
      // (in pairs, since name prefixes alternate between given and family names).
      const ownerFirst = Math.floor(i / 2) % 2 === 1;
      if (ownerFirst) await asOwner();
      search.push(await time(() => searchPeopleIds(ctx.db, orgId, filter, { page: 1, perPage: 50 })));
      if (!ownerFirst) await asOwner();
      let first: Awaited<ReturnType<typeof searchPeople>> | undefined;
      page.push(
        await time(async () => {
          first = await searchPeople(ctx, f, { page: 1, perPage: 50 });
        }),
      );
      matched += first?.total ?? 0;
      const target = kind === 'fuzzy name' ? fuzzyTargets[i] : undefined;
      const named = (p: { given_name?: unknown; family_name?: unknown }) =>
        `${p.given_name ?? ''} ${p.family_name ?? ''}`.toLowerCase() === target;
      if (target && first?.items.some(named)) meant++;
    }
    search.sort((a, b) => a - b);
    page.sort((a, b) => a - b);
    owner.sort((a, b) => a - b);
    log(`  ${kind}: ${filters.length} queries, mean matches ${Math.round(matched / filters.length)}`);
    add(row(`search ${kind} p50`, percentile(search, 50)));
    add(row(`search ${kind} p95`, percentile(search, 95)));
    if (owner.length) {
      // Ratio = owner p95 / rhizome_app p95: below 1 is what row-level security costs.
      add(row(`search ${kind} p95 as owner (no RLS)`, percentile(owner, 95)));
      add(row(`search ${kind} p95 under RLS vs owner`, percentile(search, 95), percentile(owner, 95)));
    }
    add(row(`search count+page ${kind} p50`, percentile(page, 50)));
    add(row(`search count+page ${kind} p95`, percentile(page, 95)));
    if (kind === 'name prefix') namePrefixPageP95 = percentile(page, 95);
    if (kind === 'fuzzy name')
      add({
        name: 'search fuzzy name recall (meant name on page 1)',
        value: (100 * meant) / filters.length,
        unit: '%',
        baseline: null,
        ratio: null,
      });
  }
  const names = queries.get('name prefix') ?? [];
  if (namePrefixPageP95 !== null && names.length) {
    for (const f of names.slice(0, WARM_UPS)) await naiveNamePrefix(ctx, f.name as string);
    const naive: number[] = [];
    for (const f of names) naive.push(await time(() => naiveNamePrefix(ctx, f.name as string)));
    naive.sort((a, b) => a - b);
    const p95 = percentile(naive, 95);
    add(row('search count+page name prefix p95, naive ILIKE baseline', p95));
    // Ratio: how many times faster Rhizome's count+page is than the naive query.
    add(row('search count+page name prefix p95 vs naive', namePrefixPageP95, p95));
  }
}
