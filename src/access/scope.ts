import { type Expression, type Kysely, type SqlBool, sql } from 'kysely';
import type { DB } from '../db/schema.js';
import { savedSearchPredicates, unitRange } from '../people/people.filter.js';
import {
  type Access,
  type Action,
  type FieldClass,
  type Grant,
  inSubtree,
  reachesSensitive,
} from '../policy/index.js';

/**
 * A people scope compiled to SQL over `person AS p`: null means everyone (no predicate at all);
 * otherwise a predicate the query adds. Shapes follow what was measured fast on 1M people: no
 * predicate for organization-wide grants, constant btree ranges for unit subtrees, and a
 * semi-join on the assignment's list or event's RSVPs (never a per-row EXISTS over the user's units).
 */
export type PeopleScope = Expression<SqlBool> | null;

/**
 * One part of a scope that counts kept per unit can answer: the people homed in a unit subtree (a
 * btree range of home_unit_path; null for everyone, in a unit or not), with or without those
 * marked sensitive.
 */
export interface ScopePart {
  range: [string, string] | null;
  sensitive: boolean;
}

/** The parts of the scopes peopleScope built from unit subtrees and organization-wide grants alone. */
const partsOf = new WeakMap<object, ScopePart[]>();

const withParts = <T extends Expression<SqlBool>>(scope: T, parts: ScopePart[] | undefined): T => {
  if (parts) partsOf.set(scope, parts);
  return scope;
};

const FALSE = withParts(sql<SqlBool>`false`, []);

/**
 * The scope of organization-wide grants without the restricted class: everyone not marked
 * sensitive. One constant, so that a count can recognise it (countPeople reads its total from
 * people_count).
 */
export const NOT_SENSITIVE: Expression<SqlBool> = withParts(sql<SqlBool>`NOT p.sensitive`, [
  { range: null, sensitive: false },
]);

/**
 * The scope as the union of parts (ScopePart), when it is made of unit subtrees and
 * organization-wide grants only; undefined when it names people some other way (a list, an event,
 * a saved search). The counts per unit (tag_count) answer a scope with parts.
 */
export function scopeParts(scope: PeopleScope): ScopePart[] | undefined {
  if (scope === null) return [{ range: null, sensitive: true }];
  return partsOf.get(scope);
}

/** Unit subtrees with those inside another dropped (east covers east.oakland). */
export function outermostPaths(paths: string[]): string[] {
  const sorted = [...new Set(paths)].sort();
  const kept: string[] = [];
  for (const path of sorted) if (!kept.some((root) => inSubtree(path, root))) kept.push(path);
  return kept;
}

/**
 * Scopes made of lists and events alone (assignments): the people they hold are named one by
 * one, so there are few of them, and counting them is cheap.
 */
const namedOnly = new WeakSet<object>();

/** Whether the scope holds only people named by lists and events (no unit, saved search or everyone). */
export function scopeNamesPeople(scope: PeopleScope): boolean {
  return scope !== null && namedOnly.has(scope);
}

/** What a set of grants covers: its predicate, its unit ranges when it is nothing else, and whether it is lists and events alone. */
interface Cover {
  scope: PeopleScope;
  ranges?: [string, string][];
  named?: boolean;
}

async function coverOf(db: Kysely<DB>, orgId: string, grants: Grant[]): Promise<Cover | undefined> {
  if (grants.length === 0) return undefined;
  if (grants.some((g) => g.scope.kind === 'org')) return { scope: null };
  const parts: Expression<SqlBool>[] = [];
  const ranges = outermostPaths(grants.flatMap((g) => (g.scope.kind === 'unit' ? [g.scope.path] : []))).map(
    unitRange,
  );
  for (const [from, to] of ranges) {
    parts.push(sql<SqlBool>`(p.home_unit_path >= ${from}::ltree AND p.home_unit_path < ${to}::ltree)`);
  }
  const lists = [...new Set(grants.flatMap((g) => (g.scope.kind === 'list' ? [g.scope.listId] : [])))];
  if (lists.length > 0) {
    parts.push(
      sql<SqlBool>`p.id IN (SELECT li.person_id FROM list_item li WHERE li.list_id IN (${sql.join(lists.map((id) => sql`${id}::uuid`))}))`,
    );
  }
  const events = [...new Set(grants.flatMap((g) => (g.scope.kind === 'event' ? [g.scope.eventId] : [])))];
  if (events.length > 0) {
    parts.push(
      sql<SqlBool>`p.id IN (SELECT r.person_id FROM event_rsvp r WHERE r.event_id IN (${sql.join(events.map((id) => sql`${id}::uuid`))}) AND r.status <> 'cancelled')`,
    );
  }
  const searchIds = [
    ...new Set(grants.flatMap((g) => (g.scope.kind === 'saved_search' ? [g.scope.searchId] : []))),
  ];
  for (const predicates of (await savedSearchPredicates(db, orgId, searchIds)).values()) {
    parts.push(
      predicates.length > 0 ? sql<SqlBool>`(${sql.join(predicates, sql` AND `)})` : sql<SqlBool>`true`,
    );
  }
  const unitsOnly = parts.length === ranges.length ? ranges : undefined;
  if (parts.length === 0) return { scope: FALSE, ranges: [] };
  return {
    scope:
      parts.length === 1 ? (parts[0] as Expression<SqlBool>) : sql<SqlBool>`(${sql.join(parts, sql` OR `)})`,
    ranges: unitsOnly,
    named: ranges.length === 0 && searchIds.length === 0,
  };
}

/**
 * The people this access may perform `action` on, as SQL. With `classes`, only grants that also
 * give those field classes count (a search by email needs the contact class, so that a filter
 * cannot reveal what the user may not read). A sensitive record is reached only through grants
 * with the restricted class.
 */
export async function peopleScope(
  db: Kysely<DB>,
  access: Access,
  action: Action,
  classes: FieldClass[] = [],
): Promise<PeopleScope> {
  const qualifying = access.grants.filter(
    (g) => g.actions.has(action) && classes.every((c) => g.classes.has(c)),
  );
  if (qualifying.length === 0) return FALSE;
  const reaching = await coverOf(db, access.orgId, qualifying.filter(reachesSensitive));
  const ordinary = await coverOf(
    db,
    access.orgId,
    qualifying.filter((g) => !reachesSensitive(g)),
  );
  const scope = combine(reaching, ordinary);
  if (
    scope !== null &&
    scope !== FALSE &&
    [reaching, ordinary].every((cover) => cover === undefined || cover.named)
  )
    namedOnly.add(scope);
  return scope;
}

/** The people of the grants that reach sensitive records, and those not marked sensitive of the others. */
function combine(reaching: Cover | undefined, ordinary: Cover | undefined): PeopleScope {
  // reaching covers everyone it holds; ordinary grants hold only records not marked sensitive.
  if (reaching?.scope === null) return null;
  const reachingParts = reaching?.ranges?.map((range) => ({ range, sensitive: true }));
  const ordinaryPart =
    ordinary === undefined
      ? undefined
      : ordinary.scope === null
        ? NOT_SENSITIVE
        : withParts(
            sql<SqlBool>`(${ordinary.scope} AND NOT p.sensitive)`,
            ordinary.ranges?.map((range) => ({ range, sensitive: false })),
          );
  if (reaching === undefined) return ordinaryPart ?? FALSE;
  if (ordinaryPart === undefined) return withParts(reaching.scope, reachingParts);
  const ordinaryParts = partsOf.get(ordinaryPart);
  return withParts(
    sql<SqlBool>`(${reaching.scope} OR ${ordinaryPart})`,
    reachingParts && ordinaryParts ? [...reachingParts, ...ordinaryParts] : undefined,
  );
}
