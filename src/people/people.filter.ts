import { type Expression, type Kysely, type RawBuilder, type SqlBool, sql } from 'kysely';
import { z } from 'zod';
import type { DB } from '../db/schema.js';
import { AppError, invalid } from '../errors.js';
import { type Point, withinKm, zipCentroid, zipsWithin } from '../geo/index.js';
import type { FieldClass } from '../policy/index.js';
import { normalizePhone } from './normalize.js';

const UNIT_PATH = /^[a-z0-9_]+(\.[a-z0-9_]+)*$/;

/** The radius of a near_zip filter given without radius_km. */
export const DEFAULT_RADIUS_KM = 10;

/**
 * What counts as contact with a person, on their timeline (`activity`): a one-on-one; a call whose
 * outcome is reached or refused (call lists and phone trees record these); a door knock whose
 * result is talked or refused (walk lists). A call nobody answered, a message left or a door
 * nobody opened is an attempt, not contact; notes, meetings and event RSVPs are not contact either.
 */
const CONTACT_MEANS =
  'Contact: a one-on-one, a call reached or refused, or a door knock talked or refused (not an attempt nobody answered).';

/**
 * People-search filters: every one given must hold. Used by the REST list, saved searches,
 * exports and the benchmarks.
 */
export const PeopleFilter = z.object({
  q: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .describe('Free text: an email if it has an @, else name prefixes'),
  name: z.string().trim().min(1).max(200).optional().describe('Every word prefixes the given or family name'),
  fuzzy: z
    .string()
    .trim()
    .min(2)
    .max(200)
    .optional()
    .describe('Similar names: every word resembles a word of the name (a typo or two), best first'),
  email: z.string().trim().toLowerCase().min(3).max(254).optional(),
  phone: z.string().trim().min(3).max(40).optional(),
  tag: z.string().trim().min(1).max(100).optional().describe('A tag name'),
  list: z.uuid().optional().describe('A list id'),
  unit: z
    .string()
    .regex(UNIT_PATH, 'a unit path like east.oakland')
    .optional()
    .describe('This unit and every unit under it'),
  zip: z.string().trim().min(2).max(20).optional().describe('Postal code of any address'),
  updated_since: z.coerce.date().optional(),
  ladder_level: z
    .uuid()
    .optional()
    .describe(
      "A ladder level's id: people whose current level on its ladder (their latest assessment) is this one",
    ),
  near_zip: z
    .string()
    .trim()
    .refine((zip) => zipCentroid(zip) !== null, 'not a known US ZIP code')
    .optional()
    .describe(
      'A US ZIP code: people with any address within radius_km of its centroid (an address without coordinates is placed at its own ZIP code’s centroid)',
    ),
  radius_km: z.coerce
    .number()
    .positive()
    .max(500)
    .optional()
    .describe(`With near_zip: how far, in kilometres (default ${DEFAULT_RADIUS_KM})`),
  contacted_since: z.coerce
    .date()
    .optional()
    .describe(`People contacted at or after this moment. ${CONTACT_MEANS}`),
  not_contacted_since: z.coerce
    .date()
    .optional()
    .describe(`People not contacted at or after this moment, the never contacted included. ${CONTACT_MEANS}`),
  sort: z.enum(['newest', 'name']).default('newest'),
});
export type PeopleFilter = z.infer<typeof PeopleFilter>;
export type PeopleFilterInput = z.input<typeof PeopleFilter>;

/**
 * The full name, lowered, as fuzzy search compares and ranks it and a name search of three words
 * or more finds its middle words in it. CASE rather than coalesce: under row-level security the
 * planner evaluates a predicate on an index's entries only if every node in it is leakproof, and it
 * counts COALESCE as never leakproof (CASE and IS NULL are).
 */
const fullName = (given: RawBuilder<unknown>, family: RawBuilder<unknown>) =>
  sql<string>`lower(CASE WHEN ${given} IS NULL THEN '' ELSE ${given} END || ' ' || CASE WHEN ${family} IS NULL THEN '' ELSE ${family} END)`;
export const nameExpr = fullName(sql`p.given_name`, sql`p.family_name`);
const escapeLike = (s: string): string => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/** The words of a name search (at most four, lowered). */
export const nameWords = (name: string): string[] =>
  name.toLowerCase().split(/\s+/).filter(Boolean).slice(0, 4);

/** The LIKE pattern of the names that start with a (lowered) word. */
export const prefixPattern = (word: string): string => `${escapeLike(word)}%`;

/**
 * A word as the prefix of the family name and of the given name, over the btrees that hold them
 * (person_family_scope_idx, person_given_scope_idx: migration 0023). The given name starts with a
 * word exactly when the full name does (a word has no space).
 */
export function namePrefixes(word: string): { family: Expression<SqlBool>; given: Expression<SqlBool> } {
  const prefix = prefixPattern(word);
  return {
    family: sql<SqlBool>`lower(p.family_name) LIKE ${prefix}`,
    given: sql<SqlBool>`lower(p.given_name) LIKE ${prefix}`,
  };
}

/**
 * Name words as prefixes. One word: the given or the family name starts with it. Several: the first
 * and last words prefix the given and family names (in either order) and any middle word is
 * somewhere in the name, which keeps the family-name index usable for "maria gar" or "garcia m".
 */
function namePredicate(name: string): Expression<SqlBool> {
  const words = nameWords(name);
  const first = namePrefixes(words[0] as string);
  if (words.length === 1) return sql<SqlBool>`(${first.family} OR ${first.given})`;
  // Several words: the family-name range, and the first word as a prefix of the full name checked
  // on its entries. A BitmapAnd of the given- and family-name btrees was tried and was slower.
  const lastWord = words[words.length - 1] as string;
  const last = namePrefixes(lastWord);
  const fullStarts = (w: string) => sql<SqlBool>`${nameExpr} LIKE ${prefixPattern(w)}`;
  return sql<SqlBool>`((${last.family} AND ${fullStarts(words[0] as string)}) OR (${first.family} AND ${fullStarts(lastWord)}))${middleWords(words)}`;
}

/** ` AND` each word between the first and the last is somewhere in the name (empty for two or fewer). */
function middleWords(words: string[]): Expression<SqlBool> {
  return sql.join(
    words.slice(1, -1).map((w) => sql<SqlBool>` AND ${nameExpr} LIKE ${`%${escapeLike(w)}%`}`),
    sql``,
  );
}

/**
 * A name search as two disjoint predicates whose union is namePredicate's, each answered by one
 * name index alone (person_family_scope_idx and person_given_scope_idx carry both names: migrations
 * 0023 and 0028), so that a count or a page reads index entries and no table rows. One word: the
 * family name starts with it; or the given name does and the family name does not. Several: the
 * family name starts with the last word and the given name with the first; or the other way round,
 * and not the first way (each family name from the organization's names: familyNamed). Middle
 * words are somewhere in the name, in both halves.
 */
export function nameHalves(orgId: string, words: string[]): [Expression<SqlBool>, Expression<SqlBool>] {
  const firstWord = words[0] as string;
  const first = namePrefixes(firstWord);
  if (words.length === 1)
    return [
      first.family,
      sql<SqlBool>`${first.given} AND NOT (p.family_name IS NOT NULL AND ${first.family})`,
    ];
  const lastWord = words[words.length - 1] as string;
  const last = namePrefixes(lastWord);
  const rest = middleWords(words);
  // In the second half both names are present, so the negation of the first is never NULL.
  return [
    sql<SqlBool>`${familyNamed(orgId, lastWord)} AND ${first.given}${rest}`,
    sql<SqlBool>`${familyNamed(orgId, firstWord)} AND ${last.given} AND NOT (${last.family} AND ${first.given})${rest}`,
  ];
}

/**
 * The family name starts with the word, as one of the organization's family names that do
 * (person_name_count, migration 0029): the family-name btree is then read one family name at a
 * time with the given name's prefix as a range within it, so that "mar gar" visits the Marias
 * Garcia and not every Garcia.
 */
export function familyNamed(orgId: string, word: string): Expression<SqlBool> {
  return sql<SqlBool>`lower(p.family_name) = ANY(ARRAY(SELECT c.name FROM person_name_count c
    WHERE ${namesStarting(orgId, 'family', word)}))`;
}

/** The organization's given or family names (person_name_count as c) that start with the word. */
export function namesStarting(orgId: string, part: 'given' | 'family', word: string): Expression<SqlBool> {
  return sql<SqlBool>`c.org_id = ${orgId} AND c.part = ${part} AND c.name LIKE ${prefixPattern(word)}`;
}

/**
 * The words of a fuzzy search (at most four, lowered): the ones with a letter or digit, since
 * trigrams are made of those alone.
 */
export const fuzzyWords = (fuzzy: string): string[] =>
  fuzzy
    .toLowerCase()
    .split(/\s+/)
    .filter((w) => /[\p{L}\p{N}]/u.test(w))
    .slice(0, 4);

/** How similar a whole name must be to a fuzzy search of several words (pg_trgm's similarity). */
export const FUZZY_NAME_SIMILARITY = 0.45;

/**
 * The organization's names (lowered) through which a fuzzy search finds people (fuzzyNames). One
 * word: `given` and `family` are the names it resembles. Several: `given` and `family` are the names
 * of the (given, family) pairs that pass the search's test, `givenAlone` and `familyAlone` the names
 * that pass it with the other name missing.
 */
export interface FuzzyNames {
  given: string[];
  family: string[];
  givenAlone: string[];
  familyAlone: string[];
}

/**
 * Similar names, by pg_trgm's trigram similarities (the word thresholds are set for every session
 * in db/connect.ts). One word: it resembles a whole word of the name (`%>>`, at least 0.3), so
 * "garsia" finds Maria Garcia (0.4) and Ben Garza (0.3), whom a whole-name similarity (0.27) missed.
 * Several words: each word loosely resembles part of the name (`%>`, at least 0.25: one wrong
 * letter even in a word of four), and the whole name is at least 0.45 similar to the search, which
 * finds "Maria Garcix" for "Maria Garcia" and not Maria Smith (0.33).
 */
function fuzzyTest(words: string[], name: RawBuilder<string> = nameExpr): Expression<SqlBool> {
  if (words.length === 1) return sql<SqlBool>`${name} %>> ${words[0]}`;
  const each = words.map((w) => sql<SqlBool>`${name} %> ${w} AND `);
  return sql<SqlBool>`(${sql.join(each, sql``)}similarity(${name}, ${words.join(' ')}) >= ${sql.lit(FUZZY_NAME_SIMILARITY)})`;
}

/**
 * Above this many (given, family) pairs of resembled names (a few microseconds each to test),
 * fuzzyNames leaves the test to the people: a word of two letters resembles every name that
 * starts like it.
 */
export const FUZZY_PAIRS_MAX = 5_000;

const unique = (xs: (string | null)[]): string[] => [...new Set(xs.filter((x): x is string => x !== null))];

/**
 * The organization's names that the words of a fuzzy search resemble, read from person_name_count
 * (migration 0029) through its trigram index by the operator the people are then tested with:
 * one word, the names it resembles as a whole word (`%>>`); several, the names any of the words
 * resembles part of (`%>`). An organization's names are a few thousand where its people are a
 * million, so finding them costs a millisecond or two whatever the words. For several words, the pairs of
 * those names (and each name alone) are then held to the search's test themselves: a person's full
 * name is their pair's, so the people are read by the pairs that pass. The names of common pairs
 * that do not ("jason anderson" for "willie jonnson") were most of what the people's index read.
 */
export async function fuzzyNames(
  db: Kysely<DB>,
  orgId: string,
  words: string[],
  pairsMax = FUZZY_PAIRS_MAX,
): Promise<FuzzyNames> {
  const none: FuzzyNames = { given: [], family: [], givenAlone: [], familyAlone: [] };
  if (words.length === 0) return none;
  const operator = sql.raw(words.length === 1 ? '%>>' : '%>');
  const resembled = sql`SELECT part, name FROM person_name_count
    WHERE org_id = ${orgId} AND (${sql.join(
      words.map((w) => sql`name ${operator} ${w}`),
      sql` OR `,
    )})`;
  if (words.length === 1) {
    const { rows } = await sql<{ part: 'given' | 'family'; name: string }>`${resembled}`.execute(db);
    const part = (which: 'given' | 'family') => rows.filter((r) => r.part === which).map((r) => r.name);
    return { ...none, given: part('given'), family: part('family') };
  }
  // One statement (a round trip matters here): the names, and the pairs of them that pass, unless
  // they are too many to pair, when the names come back alone (`paired` false).
  const { rows } = await sql<{ g: string | null; f: string | null; paired: boolean }>`
    WITH n AS MATERIALIZED (${resembled}),
      size AS (SELECT (count(*) FILTER (WHERE part = 'given') + 1)
        * (count(*) FILTER (WHERE part = 'family') + 1) AS pairs FROM n),
      gv AS (SELECT name AS g FROM n WHERE part = 'given' UNION ALL SELECT NULL),
      fv AS (SELECT name AS f FROM n WHERE part = 'family' UNION ALL SELECT NULL)
    SELECT gv.g, fv.f, true AS paired FROM gv, fv, size
    WHERE size.pairs <= ${pairsMax} AND (gv.g IS NOT NULL OR fv.f IS NOT NULL)
      AND ${fuzzyTest(words, fullName(sql`gv.g`, sql`fv.f`))}
    UNION ALL
    SELECT CASE WHEN part = 'given' THEN name END, CASE WHEN part = 'family' THEN name END, false
    FROM n, size WHERE size.pairs > ${pairsMax}`.execute(db);
  if (rows.some((r) => !r.paired)) {
    const given = unique(rows.map((r) => r.g));
    const family = unique(rows.map((r) => r.f));
    return { given, family, givenAlone: given, familyAlone: family };
  }
  const both = rows.filter((p) => p.g !== null && p.f !== null);
  return {
    given: unique(both.map((p) => p.g)),
    family: unique(both.map((p) => p.f)),
    givenAlone: unique(rows.filter((p) => p.f === null).map((p) => p.g)),
    familyAlone: unique(rows.filter((p) => p.g === null).map((p) => p.f)),
  };
}

/**
 * The people who may match a fuzzy search, as disjoint predicates over the names `fuzzyNames`
 * found, each a set of exact keys of a name btree, checked on the index entries alone
 * (person_family_scope_idx: family name, then given name; person_given_scope_idx). One word: the
 * family name is one of the names, or else the given name is. Several: the family name and the
 * given name are both among the pairs' names, or one is among the names that pass alone and the
 * person has no other. A name that matches the search has each of its parts resembled by a word
 * (or missing), so nobody the test would keep is left out, save a word that only resembles the two
 * names read together.
 */
export function fuzzyHalves(words: string[], names: FuzzyNames): Expression<SqlBool>[] {
  const given = sql`lower(p.given_name)`;
  const family = sql`lower(p.family_name)`;
  const among = (part: RawBuilder<unknown>, list: string[]) => sql<SqlBool>`${part} = ANY(${list}::text[])`;
  const halves: Expression<SqlBool>[] = [];
  if (words.length === 1) {
    const inFamily = among(family, names.family);
    if (names.family.length > 0) halves.push(inFamily);
    if (names.given.length > 0)
      halves.push(
        names.family.length > 0
          ? sql<SqlBool>`${among(given, names.given)} AND (${inFamily}) IS NOT TRUE`
          : among(given, names.given),
      );
    return halves;
  }
  if (names.family.length > 0 && names.given.length > 0)
    halves.push(sql<SqlBool>`${among(family, names.family)} AND ${among(given, names.given)}`);
  if (names.givenAlone.length > 0)
    halves.push(sql<SqlBool>`${family} IS NULL AND ${among(given, names.givenAlone)}`);
  if (names.familyAlone.length > 0)
    halves.push(sql<SqlBool>`${given} IS NULL AND ${among(family, names.familyAlone)}`);
  return halves;
}

/** A fuzzy search as one predicate: any of its parts (fuzzyParts). */
export function fuzzyPredicate(fuzzy: string, names: FuzzyNames): Expression<SqlBool> {
  const parts = fuzzyParts(fuzzy, names);
  return parts.length === 0 ? sql<SqlBool>`false` : sql<SqlBool>`(${sql.join(parts, sql` OR `)})`;
}

/** The names `resolve` found for a fuzzy filter (a search built without them is a bug). */
export function resolvedNames(resolved: Resolved): FuzzyNames {
  if (!resolved.fuzzy)
    throw new AppError('internal', 'the search failed', { internal: 'fuzzy names not resolved' });
  return resolved.fuzzy;
}

/**
 * Each half of a fuzzy search (fuzzyHalves) with the similarity test (fuzzyTest), which its
 * candidates are held to on their index entries; a page collects them (fuzzyTotalAndPage).
 */
export function fuzzyParts(fuzzy: string, names: FuzzyNames): Expression<SqlBool>[] {
  const words = fuzzyWords(fuzzy);
  if (words.length === 0) return [];
  const test = fuzzyTest(words);
  return fuzzyHalves(words, names).map((half) => sql<SqlBool>`${half} AND ${test}`);
}

/** How close a name is to a fuzzy search, as sort keys (best first; the newest breaks ties). */
export function fuzzyRank(fuzzy: string): Expression<number>[] {
  const words = fuzzyWords(fuzzy);
  const text = words.join(' ');
  const whole = sql<number>`similarity(${nameExpr}, ${text})`;
  return words.length === 1 ? [sql<number>`strict_word_similarity(${text}, ${nameExpr})`, whole] : [whole];
}

/** The subtree of a unit path as a btree range: [path, path + '0'). See person_scope_idx (migration 0019). */
export function unitRange(path: string): [string, string] {
  return [path, `${path}0`];
}

/** Filters resolved against the database before the query is built (a tag name to its id). */
export interface Resolved {
  tagId?: string | null;
  /** The ladder of the level asked for; null when the organization has no such level. */
  ladder?: { ladderId: string; levelId: string } | null;
  /** A near_zip filter: its centroid, the radius, and the ZIP codes whose centroid is within it. */
  near?: { center: Point; radiusKm: number; zips: string[] };
  /** The names a fuzzy filter's words resemble (fuzzyNames). */
  fuzzy?: FuzzyNames;
}

/** The timeline entry `c` is contact with the person (CONTACT_MEANS). */
const isContact = sql<SqlBool>`(c.kind = 'one_on_one'
  OR (c.kind = 'call' AND c.outcome IN ('reached', 'refused'))
  OR (c.kind = 'door_knock' AND c.outcome IN ('talked', 'refused')))`;
const contactSince = (since: Date) =>
  sql<SqlBool>`EXISTS (SELECT 1 FROM activity c WHERE c.person_id = p.id AND c.org_id = p.org_id
    AND c.occurred_at >= ${since} AND ${isContact})`;

/** The name and e-mail a filter searches for, `q` included (an address when it has an @, else name words). */
export function nameAndEmail(filter: PeopleFilter): { name?: string; email?: string } {
  let name = filter.name;
  let email = filter.email;
  if (filter.q) {
    if (filter.q.includes('@')) email = filter.q.toLowerCase();
    else name = name ? `${name} ${filter.q}` : filter.q;
  }
  return { name, email };
}

/** The filters as SQL predicates over `person as p` (already scoped to the organization). */
export function predicates(filter: PeopleFilter, resolved: Resolved): Expression<SqlBool>[] {
  const where: Expression<SqlBool>[] = [];
  const { name, email } = nameAndEmail(filter);
  if (name) where.push(namePredicate(name));
  if (filter.fuzzy) where.push(fuzzyPredicate(filter.fuzzy, resolvedNames(resolved)));
  if (email) {
    where.push(
      sql<SqlBool>`EXISTS (SELECT 1 FROM person_email e WHERE e.person_id = p.id AND e.org_id = p.org_id AND e.address = ${email})`,
    );
  }
  if (filter.phone) {
    const number = normalizePhone(filter.phone) ?? filter.phone;
    where.push(
      sql<SqlBool>`EXISTS (SELECT 1 FROM person_phone ph WHERE ph.person_id = p.id AND ph.org_id = p.org_id AND ph.number = ${number})`,
    );
  }
  if (filter.tag) {
    where.push(
      resolved.tagId
        ? sql<SqlBool>`EXISTS (SELECT 1 FROM tagging tg WHERE tg.tag_id = ${resolved.tagId} AND tg.person_id = p.id)`
        : sql<SqlBool>`false`,
    );
  }
  if (filter.list) {
    where.push(
      sql<SqlBool>`EXISTS (SELECT 1 FROM list_item li WHERE li.person_id = p.id AND li.list_id = ${filter.list})`,
    );
  }
  if (filter.unit) {
    const [from, to] = unitRange(filter.unit);
    where.push(sql<SqlBool>`p.home_unit_path >= ${from}::ltree AND p.home_unit_path < ${to}::ltree`);
  }
  if (filter.zip) {
    where.push(
      sql<SqlBool>`EXISTS (SELECT 1 FROM person_address a WHERE a.person_id = p.id AND a.org_id = p.org_id AND a.postal_code = ${filter.zip})`,
    );
  }
  if (filter.updated_since) where.push(sql<SqlBool>`p.updated_at > ${filter.updated_since}`);
  if (filter.ladder_level) {
    const l = resolved.ladder;
    // The latest assessment on the ladder (assessed_at, then id: as src/ladder orders them) is of
    // this level. Both reads are on ladder_assessment_latest_idx (ladder, person, newest first).
    where.push(
      l
        ? sql<SqlBool>`EXISTS (SELECT 1 FROM ladder_assessment la
            WHERE la.ladder_id = ${l.ladderId} AND la.person_id = p.id AND la.level_id = ${l.levelId}
              AND NOT EXISTS (SELECT 1 FROM ladder_assessment lb
                WHERE lb.ladder_id = ${l.ladderId} AND lb.person_id = p.id
                  AND (lb.assessed_at > la.assessed_at OR (lb.assessed_at = la.assessed_at AND lb.id > la.id))))`
        : sql<SqlBool>`false`,
    );
  }
  if (filter.near_zip && resolved.near) {
    const { center, radiusKm, zips } = resolved.near;
    const byZip =
      zips.length > 0
        ? sql<SqlBool>`((a.latitude IS NULL OR a.longitude IS NULL) AND left(a.postal_code, 5) = ANY(${zips}::text[]))`
        : sql<SqlBool>`false`;
    where.push(
      sql<SqlBool>`EXISTS (SELECT 1 FROM person_address a WHERE a.person_id = p.id AND a.org_id = p.org_id
        AND ((a.latitude IS NOT NULL AND a.longitude IS NOT NULL
          AND ${withinKm(sql.ref('a.latitude'), sql.ref('a.longitude'), center, radiusKm)}) OR ${byZip}))`,
    );
  }
  if (filter.contacted_since) where.push(contactSince(filter.contacted_since));
  if (filter.not_contacted_since) where.push(sql<SqlBool>`NOT ${contactSince(filter.not_contacted_since)}`);
  return where;
}

export async function resolve(db: Kysely<DB>, orgId: string, filter: PeopleFilter): Promise<Resolved> {
  if (filter.radius_km !== undefined && !filter.near_zip) throw invalid('radius_km', 'give near_zip with it');
  const resolved: Resolved = {};
  if (filter.tag) {
    const tag = await db
      .selectFrom('tag')
      .select('id')
      .where('org_id', '=', orgId)
      .where(sql<string>`lower(name)`, '=', filter.tag.toLowerCase())
      .executeTakeFirst();
    resolved.tagId = tag?.id ?? null;
  }
  if (filter.ladder_level) {
    const level = await db
      .selectFrom('ladder_level')
      .select(['ladder_id', 'id'])
      .where('org_id', '=', orgId)
      .where('id', '=', filter.ladder_level)
      .executeTakeFirst();
    resolved.ladder = level ? { ladderId: level.ladder_id, levelId: level.id } : null;
  }
  if (filter.fuzzy) resolved.fuzzy = await fuzzyNames(db, orgId, fuzzyWords(filter.fuzzy));
  if (filter.near_zip) {
    const center = zipCentroid(filter.near_zip);
    if (!center) throw invalid('near_zip', 'not a known US ZIP code');
    const radiusKm = filter.radius_km ?? DEFAULT_RADIUS_KM;
    resolved.near = { center, radiusKm, zips: await zipsWithin(db, center, radiusKm) };
  }
  return resolved;
}

/**
 * The field classes a grant needs for this filter to count it: a filter on contact fields (email,
 * phone, postal code, where someone lives) or on ladder levels (status) must not reveal them.
 */
export function filterClasses(filter: PeopleFilter): FieldClass[] {
  const classes: FieldClass[] = [];
  if (filter.email || filter.phone || filter.zip || filter.near_zip || filter.q?.includes('@'))
    classes.push('contact');
  if (filter.ladder_level) classes.push('status');
  return classes;
}

/** The filter's predicates, with tag names resolved (saved searches used as a scope). */
export async function filterPredicates(
  db: Kysely<DB>,
  orgId: string,
  filter: PeopleFilter,
): Promise<Expression<SqlBool>[]> {
  return predicates(filter, await resolve(db, orgId, filter));
}

/**
 * The predicates of these saved searches, by id (a search whose stored query no longer parses is
 * left out: it selects nobody). Used where a saved search is a scope (assignments).
 */
export async function savedSearchPredicates(
  db: Kysely<DB>,
  orgId: string,
  ids: string[],
): Promise<Map<string, Expression<SqlBool>[]>> {
  const out = new Map<string, Expression<SqlBool>[]>();
  if (ids.length === 0) return out;
  const saved = await db
    .selectFrom('saved_search')
    .select(['id', 'query'])
    .where('org_id', '=', orgId)
    .where('id', 'in', [...new Set(ids)])
    .execute();
  for (const row of saved) {
    const parsed = PeopleFilter.safeParse(typeof row.query === 'string' ? JSON.parse(row.query) : row.query);
    if (!parsed.success) continue;
    try {
      out.set(row.id, await filterPredicates(db, orgId, parsed.data));
    } catch (error) {
      // A stored query the filters refuse (radius_km without near_zip) selects nobody, as above.
      if (!(error instanceof AppError && error.code === 'validation_failed')) throw error;
    }
  }
  return out;
}
