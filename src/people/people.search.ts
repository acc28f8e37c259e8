import { type Expression, type Kysely, type RawBuilder, type SqlBool, sql } from 'kysely';
import { type ProjectedPerson, projectPeople } from '../access/people-access.js';
import {
  NOT_SENSITIVE,
  type PeopleScope,
  peopleScope,
  type ScopePart,
  scopeNamesPeople,
  scopeParts,
} from '../access/scope.js';
import type { Ctx } from '../context.js';
import type { DB } from '../db/schema.js';
import { type Action, accessOf, inSubtree } from '../policy/index.js';
import {
  familyNamed,
  filterClasses,
  fuzzyParts,
  fuzzyRank,
  nameAndEmail,
  nameHalves,
  namePrefixes,
  namesStarting,
  nameWords,
  PeopleFilter,
  type PeopleFilterInput,
  predicates,
  type Resolved,
  resolve,
  resolvedNames,
  unitRange,
} from './people.filter.js';
import { loadPeople } from './people.view.js';

export { PeopleFilter, type PeopleFilterInput } from './people.filter.js';

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  per_page: number;
}

export const MAX_PER_PAGE = 100;

interface SearchOptions {
  resolved?: Resolved;
  /** Who may be seen: null for everyone (the operator, an organization-wide grant). */
  scope?: PeopleScope;
}

function baseQuery(
  db: Kysely<DB>,
  orgId: string,
  filter: PeopleFilter,
  resolved: Resolved,
  scope: PeopleScope,
  /** Only among the organization's newest this many people (newestPageIds). */
  newest?: number,
) {
  // The LIMIT fences the subquery: the filters apply to the newest people as they are read.
  const from =
    newest === undefined
      ? db.selectFrom('person as p')
      : db.selectFrom(
          db
            .selectFrom('person')
            .selectAll()
            .where('org_id', '=', orgId)
            .where('merged_into', 'is', null)
            .orderBy('id', 'desc')
            .limit(newest)
            .as('p'),
        );
  let query = from.where('p.org_id', '=', orgId).where('p.merged_into', 'is', null);
  if (scope) query = query.where(scope as Expression<SqlBool>);
  for (const predicate of predicates(filter, resolved)) query = query.where(predicate);
  return query;
}

/** The search with no filter (the base of a search whose one filter is applied by hand). */
const NO_FILTER = PeopleFilter.parse({});

/** A page's size (1 to MAX_PER_PAGE) and how many matches come before it. */
function pageBounds(paging: { page: number; perPage: number }): { perPage: number; offset: number } {
  const perPage = Math.min(Math.max(paging.perPage, 1), MAX_PER_PAGE);
  return { perPage, offset: (Math.max(paging.page, 1) - 1) * perPage };
}

/** Whether the only filters given are these keys (sort does not count). */
const only = (filter: PeopleFilter, ...keys: (keyof PeopleFilter)[]): boolean =>
  Object.entries(filter).every(
    ([key, value]) => value === undefined || key === 'sort' || keys.includes(key as keyof PeopleFilter),
  );

/**
 * The scope of a search by this actor: a filter on contact fields needs grants with the contact
 * class, one on ladder levels grants with the status class (`filterClasses`).
 */
export async function searchScope(
  ctx: Ctx,
  filter: PeopleFilter,
  action: Action = 'people.read',
): Promise<PeopleScope> {
  return await peopleScope(ctx.db, accessOf(ctx.actor), action, filterClasses(filter));
}

/**
 * At most this many matches, a page collects them all and sorts (cheap: they come from the
 * filter's or the scope's own index); above it, the page walks the newest-first index until it
 * has enough. The planner cannot choose well between the two by itself: it assumes matches are
 * spread evenly over time, but a chapter's people arrive together (one import), so walking the
 * newest-first index for a small unit can read most of the table before finding fifty of them.
 */
export const COLLECT_FIRST_MAX = 20_000;

/**
 * Ids of matching people for one page, in the filter's order. With `matches` (the count, when
 * the caller already has it, or one that is kept) the page chooses its shape by it: among the
 * newest people when that is worth it (windowWorthIt), else collected (COLLECT_FIRST_MAX), else a
 * walk of the newest-first index.
 */
export async function searchPeopleIds(
  db: Kysely<DB>,
  orgId: string,
  filter: PeopleFilter,
  paging: { page: number; perPage: number },
  options: SearchOptions & {
    matches?: number;
    /**
     * How many of the newest people the page may look through first (NEWEST_WINDOW; 0 when the
     * caller has looked through them already).
     */
    window?: number;
  } = {},
): Promise<string[]> {
  const { perPage, offset } = pageBounds(paging);
  if (options.matches !== undefined && options.matches <= offset) return [];
  const resolved = options.resolved ?? (await resolve(db, orgId, filter));
  const exact =
    (await taggedPageIds(db, filter, resolved, paging, options.scope ?? null)) ??
    (await unitsPageIds(db, orgId, filter, resolved, paging, options.scope ?? null));
  if (exact) return exact;
  const keys = sortKeys(filter);
  if (filter.fuzzy) {
    // Its matches are few: each half of the search collects them from its own index.
    const from = fuzzyFrom(db, orgId, filter, resolved, options.scope ?? null);
    if (from.length === 0) return [];
    return (await collectedPage(db, from, keys, { perPage, offset }).execute()).map((r) => r.id);
  }
  // Without the count, a search whose count is kept (keptCount: a millisecond or two) takes it to
  // choose the page's shape.
  const matches = options.matches ?? (await keptCount(db, orgId, filter, resolved, options.scope ?? null));
  if (matches !== undefined && matches <= offset) return [];
  const base = baseQuery(db, orgId, filter, resolved, options.scope ?? null);
  if (matches !== undefined && matches <= COLLECT_FIRST_MAX) {
    const window = options.window ?? NEWEST_WINDOW;
    if (keys.length === 0 && window > 0 && (await windowWorthIt(db, orgId, matches, paging, window))) {
      const newest = await newestPageIds(db, orgId, filter, paging, {
        resolved,
        scope: options.scope ?? null,
        window,
      });
      if (windowHoldsPage(newest, paging, matches)) return newest;
    }
    // A name collects its two disjoint halves from their indexes alone (nameHalves).
    const words = soleNameWords(filter);
    let collect: BaseQuery[] = [base];
    if (words !== undefined) {
      const rest = baseQuery(db, orgId, NO_FILTER, resolved, options.scope ?? null);
      collect = nameHalves(orgId, words).map((half) => rest.where(half));
    }
    const rows = await collectedPage(db, collect, keys, { perPage, offset }).execute();
    return rows.map((r) => r.id);
  }
  let query = base.select('p.id');
  for (const [expr, direction] of keys) query = query.orderBy(expr, direction);
  const rows = await query.orderBy('p.id', 'desc').limit(perPage).offset(offset).execute();
  return rows.map((r) => r.id);
}

type BaseQuery = ReturnType<typeof baseQuery>;

/** A page's sort keys before the id (newest first, which breaks every tie). */
function sortKeys(filter: PeopleFilter): [Expression<unknown>, 'asc' | 'desc'][] {
  if (filter.fuzzy) return fuzzyRank(filter.fuzzy).map((rank) => [rank, 'desc']);
  if (filter.sort === 'name')
    return [
      [sql`lower(p.family_name)`, 'asc'],
      [sql`lower(p.given_name)`, 'asc'],
    ];
  return [];
}

/**
 * A page taken by collecting every match and sorting them: `from` are the matches' queries (their
 * UNION ALL), each selecting its sort keys. OFFSET 0 keeps a single one a fence, so the planner collects
 * the matches through the filter's or the scope's index rather than walking the primary key
 * backwards.
 */
function collectedPage(
  db: Kysely<DB>,
  from: BaseQuery[],
  keys: [Expression<unknown>, 'asc' | 'desc'][],
  bounds: { perPage: number; offset: number },
  /** Each row also carries the number of matches (a window over all of them: only when wanted). */
  withTotal = false,
) {
  const withKeys = (query: BaseQuery) => {
    let selected = query.select('p.id');
    keys.forEach(([expr], i) => {
      selected = selected.select(sql`${expr}`.as(`k${i}`));
    });
    return selected;
  };
  const [first, ...rest] = from.map(withKeys);
  // A UNION ALL is a fence already (and its operands cannot take an OFFSET).
  let inner = first as ReturnType<typeof withKeys>;
  if (rest.length === 0) inner = inner.offset(0);
  for (const more of rest) inner = inner.unionAll(more);
  let query = db
    .selectFrom(inner.as('m'))
    .select(sql<string>`m.id`.as('id'))
    .$if(withTotal, (q) => q.select(sql<number>`(count(*) OVER ())::int`.as('total')));
  keys.forEach(([, direction], i) => {
    query = query.orderBy(sql.ref(`m.k${i}`), direction);
  });
  return query.orderBy(sql.ref('m.id'), 'desc').limit(bounds.perPage).offset(bounds.offset);
}

/**
 * A fuzzy search's matches as one query per half of the search (fuzzyHalves), each from its own
 * index, with the other filters; none when no name resembles the words.
 */
function fuzzyFrom(
  db: Kysely<DB>,
  orgId: string,
  filter: PeopleFilter,
  resolved: Resolved,
  scope: PeopleScope,
): BaseQuery[] {
  const parts = fuzzyParts(filter.fuzzy ?? '', resolvedNames(resolved));
  const rest = { ...filter, fuzzy: undefined };
  return parts.map((part) => baseQuery(db, orgId, rest, resolved, scope).where(part));
}

/**
 * A fuzzy search's total and page in one pass over its matches: they are few (the thresholds keep
 * a few hundred in a million people) and sorted by similarity anyway, so each half of the search
 * (fuzzyHalves) collects its own from its index, and one sort over them all gives both.
 */
async function fuzzyTotalAndPage(
  db: Kysely<DB>,
  orgId: string,
  filter: PeopleFilter,
  options: { resolved: Resolved; scope: PeopleScope },
  paging: { page: number; perPage: number },
): Promise<{ total: number; ids: string[] }> {
  const bounds = pageBounds(paging);
  const from = fuzzyFrom(db, orgId, filter, options.resolved, options.scope);
  if (from.length === 0) return { total: 0, ids: [] };
  const rows = await collectedPage(db, from, sortKeys(filter), bounds, true).execute();
  const first = rows[0];
  // Past the last page no row carries the total.
  if (!first) return { total: await countPeople(db, orgId, filter, options), ids: [] };
  return { total: first.total ?? 0, ids: rows.map((r) => r.id) };
}

/**
 * How many of the organization's newest people a newest-first page looks through while the count
 * runs beside it. Fifty matches within them are the newest fifty overall; where they are not (a
 * filter or scope that matches few of the newest people), the page is taken the usual way once
 * the count is known.
 */
export const NEWEST_WINDOW = 20_000;

/**
 * The page among the organization's newest `window` people (newest first), for the default order
 * only: the outer LIMIT stops the walk at the page's last match.
 */
export async function newestPageIds(
  db: Kysely<DB>,
  orgId: string,
  filter: PeopleFilter,
  paging: { page: number; perPage: number },
  options: { resolved: Resolved; scope: PeopleScope; window: number },
): Promise<string[]> {
  const { perPage, offset } = pageBounds(paging);
  const rows = await baseQuery(db, orgId, filter, options.resolved, options.scope, options.window)
    .select('p.id')
    .orderBy('p.id', 'desc')
    .limit(perPage)
    .offset(offset)
    .execute();
  return rows.map((r) => r.id);
}

/**
 * Whether looking through the newest `window` people (NEWEST_WINDOW) for a page of `total` matches is
 * worth it. It is when the matches, spread evenly over the organization's people, would put twice
 * the page's depth in the window, and when walking to the page's last match would read fewer
 * people than there are matches to collect (depth × everyone / total < total). Below that the
 * matches are collected from their index: 3 ms for 3,500 of a million people, where the walk read
 * about 14,000 people for 10 ms; at 15,000 matches the walk took 3 ms and the collection 8 ms.
 * Arrivals are not even (a chapter's people come in one import), so a window chosen here can still
 * miss; one not chosen saves reading up to 20,000 people for nothing.
 */
async function windowWorthIt(
  db: Kysely<DB>,
  orgId: string,
  total: number,
  paging: { page: number; perPage: number },
  window: number,
): Promise<boolean> {
  const { perPage, offset } = pageBounds(paging);
  const depth = offset + perPage;
  if (total < 2 * depth) return false;
  const everyone = (await countEveryone(db, orgId, null)) ?? 0;
  return total * Math.min(window, everyone) >= 2 * depth * everyone && total * total > depth * everyone;
}

/**
 * Whether a page taken from the newest people is the page: a full one always is (its matches are
 * the newest overall); a short one when it ends at the last of `total` matches.
 */
export function windowHoldsPage(
  ids: string[],
  paging: { page: number; perPage: number },
  total: number,
): boolean {
  const { perPage, offset } = pageBounds(paging);
  return ids.length === perPage || offset + ids.length >= total;
}

/**
 * Everyone within a scope of organization-wide and unit grants (scopeParts), read instead of
 * counted: everyone (scope null) or everyone not marked sensitive (NOT_SENSITIVE) from
 * people_count (migration 0021), unit subtrees from unit_people_count (migration 0024);
 * undefined for any other scope.
 */
export async function countEveryone(
  db: Kysely<DB>,
  orgId: string,
  scope: PeopleScope,
): Promise<number | undefined> {
  if (scope === null || scope === NOT_SENSITIVE) {
    const row = await db
      .selectFrom('people_count')
      .select(
        scope === null ? sql<number>`people::int`.as('n') : sql<number>`(people - sensitive)::int`.as('n'),
      )
      .where('org_id', '=', orgId)
      .executeTakeFirst();
    return row?.n ?? 0;
  }
  const parts = scopeParts(scope);
  return parts === undefined ? undefined : await countInParts(db, orgId, parts);
}

/** The live people within these parts, summed from unit_people_count (migration 0024). */
async function countInParts(db: Kysely<DB>, orgId: string, parts: ScopePart[]): Promise<number> {
  return await sumKept(db, 'unit_people_count', 'org_id', orgId, parts);
}

/**
 * The people a count table kept by triggers (tag_count, unit_people_count: a row per unit path and
 * sensitivity) holds within these parts, for one tag or organization.
 */
async function sumKept(
  db: Kysely<DB>,
  table: 'tag_count' | 'unit_people_count',
  key: 'tag_id' | 'org_id',
  id: string,
  parts: ScopePart[],
): Promise<number> {
  if (parts.length === 0) return 0;
  const { rows } = await sql<{ n: number }>`SELECT coalesce(sum(c.people), 0)::int AS n
    FROM ${sql.table(table)} c WHERE ${sql.ref(`c.${key}`)} = ${id}
      AND ${partsPredicate(parts, sql.ref('c.unit_path'), sql.ref('c.sensitive'))}`.execute(db);
  return rows[0]?.n ?? 0;
}

/**
 * The scope's parts within a unit filter (`unit=PATH`): unit subtrees are nested or apart, so each
 * part keeps the narrower of the two subtrees or goes.
 */
function partsWithin(parts: ScopePart[], unit: string): ScopePart[] {
  return parts.flatMap((part) => {
    if (part.range === null) return [{ range: unitRange(unit), sensitive: part.sensitive }];
    const path = part.range[0];
    if (inSubtree(path, unit)) return [part];
    if (inSubtree(unit, path)) return [{ range: unitRange(unit), sensitive: part.sensitive }];
    return [];
  });
}

/**
 * A search of everyone, or of everyone in one unit subtree (`unit=` and no other filter), as scope
 * parts (scopeParts within the unit); undefined for any other search or scope.
 */
function everyoneParts(
  filter: PeopleFilter,
  resolved: Resolved,
  scope: PeopleScope,
): ScopePart[] | undefined {
  const parts = scopeParts(scope);
  if (parts === undefined) return undefined;
  if (filter.unit && only(filter, 'unit')) return partsWithin(parts, filter.unit);
  return predicates(filter, resolved).length === 0 ? parts : undefined;
}

/** Scope parts as a predicate over a home unit path and a sensitive flag (tag_count's or tagging's copies). */
function partsPredicate(
  parts: ScopePart[],
  path: Expression<string | null>,
  sensitive: Expression<boolean>,
): Expression<SqlBool> {
  if (parts.length === 0) return sql<SqlBool>`false`;
  return sql<SqlBool>`(${sql.join(
    parts.map(({ range, sensitive: reaches }) => {
      const within = range
        ? sql<SqlBool>`${path} >= ${range[0]}::ltree AND ${path} < ${range[1]}::ltree`
        : sql<SqlBool>`true`;
      return reaches ? sql<SqlBool>`(${within})` : sql<SqlBool>`(${within} AND NOT ${sensitive})`;
    }),
    sql` OR `,
  )})`;
}

/**
 * A newest-first page of a tag's people within a scope of unit subtrees or organization-wide
 * grants (scopeParts): a walk of the tag's unique index, which carries each person's unit and flag
 * (migration 0022), newest person first. Taggings are exactly the tag's live people. Undefined when
 * the search or the scope is of another kind.
 */
export async function taggedPageIds(
  db: Kysely<DB>,
  filter: PeopleFilter,
  resolved: Resolved,
  paging: { page: number; perPage: number },
  scope: PeopleScope,
): Promise<string[] | undefined> {
  const parts = scopeParts(scope);
  if (!filter.tag || !only(filter, 'tag') || filter.sort === 'name' || parts === undefined) return undefined;
  if (!resolved.tagId) return [];
  const { perPage, offset } = pageBounds(paging);
  const rows = await db
    .selectFrom('tagging as t')
    .select('t.person_id as id')
    .where('t.tag_id', '=', resolved.tagId)
    .where(partsPredicate(parts, sql.ref('t.person_unit_path'), sql.ref('t.person_sensitive')))
    .orderBy('t.person_id', 'desc')
    .limit(perPage)
    .offset(offset)
    .execute();
  return rows.map((r) => r.id);
}

/** At most this many units a page merges (unitsPageIds); a wider scope is walked as before. */
export const UNITS_PAGE_MAX = 64;
/** The deepest page unitsPageIds takes (each unit gives this many people at most). */
const UNITS_PAGE_DEPTH = 5_000;

/**
 * A newest-first page of everyone within a scope of unit subtrees (scopeParts, every part a unit
 * range), or within a unit filter and such a scope or everyone (everyoneParts): the newest people of each unit that holds any (unit_people_count says which), from the
 * scope index ordered by id within a unit (migration 0025), merged. It does not read past the
 * people outside the scope, as the organization's newest-first walk does. Undefined for a search
 * with filters, another order or scope, more than UNITS_PAGE_MAX units, or a deep page.
 */
export async function unitsPageIds(
  db: Kysely<DB>,
  orgId: string,
  filter: PeopleFilter,
  resolved: Resolved,
  paging: { page: number; perPage: number },
  scope: PeopleScope,
): Promise<string[] | undefined> {
  if (filter.fuzzy || filter.sort === 'name') return undefined;
  const parts = everyoneParts(filter, resolved, scope);
  if (parts === undefined || parts.some((p) => p.range === null)) return undefined;
  const { perPage, offset } = pageBounds(paging);
  if (offset + perPage > UNITS_PAGE_DEPTH) return undefined;
  if (parts.length === 0) return [];
  const units = await db
    .selectFrom('unit_people_count as c')
    .select([sql<string>`c.unit_path::text`.as('path'), 'c.sensitive'])
    .where('c.org_id', '=', orgId)
    .where('c.people', '>', sql<string>`0`)
    .where(partsPredicate(parts, sql.ref('c.unit_path'), sql.ref('c.sensitive')))
    .limit(UNITS_PAGE_MAX + 1)
    .execute();
  if (units.length > UNITS_PAGE_MAX) return undefined;
  if (units.length === 0) return [];
  const newest = units.map(
    ({ path, sensitive }) => sql`(SELECT p.id FROM person p
      WHERE p.org_id = ${orgId} AND p.merged_into IS NULL AND p.home_unit_path = ${path}::ltree
        AND p.sensitive = ${sensitive} ORDER BY p.id DESC LIMIT ${offset + perPage})`,
  );
  const { rows } = await sql<{ id: string }>`SELECT m.id FROM (${sql.join(newest, sql` UNION ALL `)}) m
    ORDER BY m.id DESC LIMIT ${perPage} OFFSET ${offset}`.execute(db);
  return rows.map((r) => r.id);
}

/**
 * The people holding a tag within a scope of unit subtrees or organization-wide grants
 * (scopeParts), summed from tag_count (kept by triggers, migration 0022) instead of counted;
 * undefined for any other scope.
 */
export async function countTagged(
  db: Kysely<DB>,
  tagId: string,
  scope: PeopleScope,
): Promise<number | undefined> {
  const parts = scopeParts(scope);
  return parts === undefined ? undefined : await sumKept(db, 'tag_count', 'tag_id', tagId, parts);
}

/** The words of a filter that is a name search and nothing else (countNameWords). */
function soleNameWords(filter: PeopleFilter): string[] | undefined {
  if (!only(filter, 'name', 'q')) return undefined;
  const { name, email } = nameAndEmail(filter);
  if (!name || email) return undefined;
  const words = nameWords(name);
  return words.length > 0 ? words : undefined;
}

/**
 * The people a name search finds, as two counts that each read one name index alone (nameHalves).
 * Their BitmapOr instead visits every person in the ranges of the words, matching or not.
 */
async function countNameWords(
  db: Kysely<DB>,
  orgId: string,
  words: string[],
  scope: PeopleScope,
): Promise<number> {
  const [word] = words;
  if (scope === null && word !== undefined && words.length === 1) {
    const { rows } = await nameWordCount(db, orgId, word).execute(db);
    return rows[0]?.n ?? 0;
  }
  const [a, b] = nameHalves(orgId, words);
  const part = (where: Expression<SqlBool>) =>
    baseQuery(db, orgId, NO_FILTER, {}, scope).where(where).select(sql<number>`count(*)`.as('n'));
  const { rows } = await sql<{ n: number }>`SELECT ((${part(a)}) + (${part(b)}))::int AS n`.execute(db);
  return rows[0]?.n ?? 0;
}

/**
 * Everyone a one-word name search finds, from the organization's names (person_name_count,
 * migration 0029): the people whose family name starts with the word, plus those whose given name
 * does, less those whose two names both do. Those last are read from the family-name index one
 * family name at a time (the names that start with the word), so only they are visited. The halves
 * of countNameWords read every person in the word's two ranges instead: 33,000 index entries and
 * 15 ms for "mar" in a million people, where this reads a few names and 282 entries.
 */
export function nameWordCount(db: Kysely<DB>, orgId: string, word: string): RawBuilder<{ n: number }> {
  const bearers = (part: 'given' | 'family') =>
    sql<number>`SELECT coalesce(sum(c.people), 0) FROM person_name_count c
      WHERE ${namesStarting(orgId, part, word)}`;
  const both = baseQuery(db, orgId, NO_FILTER, {}, null)
    .where(familyNamed(orgId, word))
    .where(namePrefixes(word).given)
    .select(sql<number>`count(*)`.as('n'));
  return sql<{ n: number }>`
    SELECT ((${bearers('family')}) + (${bearers('given')}) - (${both}))::int AS n`;
}

/**
 * The count of the searches that need not count their matches one by one: everyone (people_count),
 * a tag alone (tag_count) and a name (two index-only counts), each within a scope those
 * can answer; undefined for any other search.
 */
async function keptCount(
  db: Kysely<DB>,
  orgId: string,
  filter: PeopleFilter,
  resolved: Resolved,
  scope: PeopleScope,
): Promise<number | undefined> {
  if (filter.tag && only(filter, 'tag'))
    return resolved.tagId ? await countTagged(db, resolved.tagId, scope) : 0;
  const words = soleNameWords(filter);
  if (words !== undefined) return await countNameWords(db, orgId, words, scope);
  if (predicates(filter, resolved).length === 0) return await countEveryone(db, orgId, scope);
  const parts = everyoneParts(filter, resolved, scope);
  return parts === undefined ? undefined : await countInParts(db, orgId, parts);
}

export async function countPeople(
  db: Kysely<DB>,
  orgId: string,
  filter: PeopleFilter,
  options: SearchOptions = {},
): Promise<number> {
  const r = options.resolved ?? (await resolve(db, orgId, filter));
  const scope = options.scope ?? null;
  const kept = await keptCount(db, orgId, filter, r, scope);
  if (kept !== undefined) return kept;
  const row = await baseQuery(db, orgId, filter, r, scope)
    .select(sql<number>`count(*)::int`.as('n'))
    .executeTakeFirstOrThrow();
  return row.n;
}

/** How many people match, within the actor's reach (analysts count without seeing anyone). */
export async function countVisiblePeople(ctx: Ctx, filterInput: PeopleFilterInput): Promise<number> {
  const filter = PeopleFilter.parse(filterInput);
  const scope = await searchScope(ctx, filter, 'people.aggregate');
  return await countPeople(ctx.db, ctx.actor.orgId, filter, { scope });
}

/** One page of the people this actor may see that match the filter, with the total, each projected to the fields the actor may see. */
export async function searchPeople(
  ctx: Ctx,
  filterInput: PeopleFilterInput,
  paging: { page?: number; perPage?: number } = {},
): Promise<Page<ProjectedPerson>> {
  const filter = PeopleFilter.parse(filterInput);
  const page = Math.max(paging.page ?? 1, 1);
  const perPage = Math.min(Math.max(paging.perPage ?? 50, 1), MAX_PER_PAGE);
  const orgId = ctx.actor.orgId;
  const [resolved, scope] = await Promise.all([resolve(ctx.db, orgId, filter), searchScope(ctx, filter)]);
  if (filter.fuzzy) {
    const { total, ids } = await fuzzyTotalAndPage(
      ctx.db,
      orgId,
      filter,
      { resolved, scope },
      { page, perPage },
    );
    return {
      items: await projectPeople(ctx, await loadPeople(ctx.db, orgId, ids)),
      total,
      page,
      per_page: perPage,
    };
  }
  const bounds = { page, perPage };
  const newestFirst = filter.sort !== 'name';
  const exactPage = async () =>
    (await taggedPageIds(ctx.db, filter, resolved, bounds, scope)) ??
    (await unitsPageIds(ctx.db, orgId, filter, resolved, bounds, scope));
  const newestPage = () =>
    newestPageIds(ctx.db, orgId, filter, bounds, { resolved, scope, window: NEWEST_WINDOW });
  const byTotal = (total: number, window: number) =>
    searchPeopleIds(ctx.db, orgId, filter, bounds, { resolved, scope, matches: total, window });
  // A total that is kept, or one over a few named people (an assignment's lists and events), costs
  // a millisecond or two: it comes first and tells whether the newest people are worth looking
  // through for the page (windowWorthIt). Where they are not (a small unit's or a volunteer's
  // people, a rare name), the page is collected through the filter's or the scope's index.
  let total = await keptCount(ctx.db, orgId, filter, resolved, scope);
  if (total === undefined && scopeNamesPeople(scope))
    total = await countPeople(ctx.db, orgId, filter, { resolved, scope });
  let ids: string[];
  if (total !== undefined) {
    ids = await byTotal(total, NEWEST_WINDOW);
  } else {
    // A total that must be counted, and beside it (two connections of a server's pool) the page
    // from an index or among the newest people. When that window does not hold the page, the
    // count tells the page which shape to take (COLLECT_FIRST_MAX) without looking through them again.
    const early = async (): Promise<{ ids: string[]; exact: boolean } | null> => {
      const exact = await exactPage();
      if (exact) return { ids: exact, exact: true };
      if (!newestFirst) return null;
      return { ids: await newestPage(), exact: false };
    };
    const [counted, first] = await Promise.all([
      countPeople(ctx.db, orgId, filter, { resolved, scope }),
      early(),
    ]);
    total = counted;
    ids =
      first && (first.exact || windowHoldsPage(first.ids, bounds, counted))
        ? first.ids
        : await byTotal(counted, 0);
  }
  const items = await projectPeople(ctx, await loadPeople(ctx.db, orgId, ids));
  return { items, total, page, per_page: perPage };
}
