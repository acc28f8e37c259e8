import { type Kysely, type RawBuilder, sql } from 'kysely';
import type { DB } from '../db/schema.js';

/** What matching needs to know about an existing person. */
export interface MatchCandidate {
  id: string;
  given_name: string | null;
  family_name: string | null;
  additional_name: string | null;
  pronouns: string | null;
  preferred_language: string | null;
  birthdate: string | null;
  home_unit_id: string | null;
  home_unit_path: string | null;
  address_keys: string[];
  /** Whether the person already has a primary value of each kind (then no fix-up is needed). */
  primary_email: boolean;
  primary_phone: boolean;
  primary_address: boolean;
}

function group(rows: { key: string; person_id: string }[]): Map<string, string[]> {
  const map = new Map<string, string[]>();
  for (const row of rows) {
    const list = map.get(row.key);
    if (list) list.push(row.person_id);
    else map.set(row.key, [row.person_id]);
  }
  return map;
}

/**
 * People holding each of these values of one kind, oldest first (live people only): one probe of
 * the value's index per value, and of the person's key per hit. `OFFSET 0` keeps the probe a
 * subquery run once per value. Written as a join, the planner costed the batch as if every value
 * were held (a new list holds few) and, at least until an organization had 100,000 people, read
 * all of its values and all of its people into a hash instead: two such joins were a quarter of
 * the server's time in a 100k-row import, and grew with every batch.
 */
export function valuesLookup(
  table: 'person_email' | 'person_phone',
  column: 'address' | 'number',
  orgId: string,
  values: string[],
): RawBuilder<{ key: string; person_id: string }> {
  return sql<{ key: string; person_id: string }>`
    SELECT v.key, x.person_id
    FROM unnest(${[...new Set(values)]}::text[]) AS v(key)
    CROSS JOIN LATERAL (
      SELECT t.person_id FROM ${sql.table(table)} t JOIN person p ON p.id = t.person_id
      WHERE t.org_id = ${orgId} AND t.${sql.ref(column)} = v.key AND p.merged_into IS NULL
      OFFSET 0) x
    ORDER BY 1, 2`;
}

async function findByValues(
  db: Kysely<DB>,
  table: 'person_email' | 'person_phone',
  column: 'address' | 'number',
  orgId: string,
  values: string[],
): Promise<Map<string, string[]>> {
  if (values.length === 0) return new Map();
  const { rows } = await valuesLookup(table, column, orgId, values).execute(db);
  return group(rows);
}

export const findByEmails = (db: Kysely<DB>, orgId: string, emails: string[]) =>
  findByValues(db, 'person_email', 'address', orgId, emails);
export const findByPhones = (db: Kysely<DB>, orgId: string, phones: string[]) =>
  findByValues(db, 'person_phone', 'number', orgId, phones);

export async function findByIdentifiers(
  db: Kysely<DB>,
  orgId: string,
  identifiers: string[],
): Promise<Map<string, string>> {
  if (identifiers.length === 0) return new Map();
  const { rows } = await sql<{ identifier: string; entity_id: string }>`
    SELECT f.identifier, f.entity_id
    FROM foreign_identifier f JOIN person p ON p.id = f.entity_id
    WHERE f.org_id = ${orgId} AND f.entity = 'person' AND f.identifier = ANY(${identifiers}::text[])
      AND p.merged_into IS NULL`.execute(db);
  return new Map(rows.map((r) => [r.identifier, r.entity_id]));
}

/** People with exactly this (given, family) name, lower-cased; keyed "given\0family". */
export async function findByNames(
  db: Kysely<DB>,
  orgId: string,
  names: { given: string; family: string }[],
): Promise<Map<string, string[]>> {
  if (names.length === 0) return new Map();
  const { rows } = await sql<{ given: string; family: string; person_id: string }>`
    SELECT DISTINCT n.given, n.family, p.id AS person_id
    FROM unnest(${names.map((n) => n.given)}::text[], ${names.map((n) => n.family)}::text[]) AS n(given, family)
    JOIN person p ON p.org_id = ${orgId} AND lower(p.family_name) = n.family AND lower(p.given_name) = n.given
    WHERE p.merged_into IS NULL
    ORDER BY p.id`.execute(db);
  return group(rows.map((r) => ({ key: `${r.given}\u0000${r.family}`, person_id: r.person_id })));
}

/**
 * The candidates' current values. Whether each holds a primary is a correlated scalar subquery (at
 * most one row, by the one-primary unique index) rather than EXISTS: the planner may run an EXISTS
 * as one hashed scan of every primary in the table, which grows with the organization (330 ms a
 * batch at 200k people).
 */
export async function loadMatchCandidates(
  db: Kysely<DB>,
  orgId: string,
  ids: string[],
): Promise<Map<string, MatchCandidate>> {
  if (ids.length === 0) return new Map();
  const { rows } = await sql<MatchCandidate>`
    SELECT p.id, p.given_name, p.family_name, p.additional_name, p.pronouns, p.preferred_language,
      p.birthdate, p.home_unit_id, p.home_unit_path::text AS home_unit_path,
      coalesce((SELECT array_agg(a.address_key) FROM person_address a WHERE a.person_id = p.id), '{}') AS address_keys,
      coalesce((SELECT true FROM person_email e WHERE e.person_id = p.id AND e.is_primary), false) AS primary_email,
      coalesce((SELECT true FROM person_phone f WHERE f.person_id = p.id AND f.is_primary), false) AS primary_phone,
      coalesce((SELECT true FROM person_address a WHERE a.person_id = p.id AND a.is_primary), false) AS primary_address
    FROM person p
    WHERE p.org_id = ${orgId} AND p.id = ANY(${ids}::uuid[])`.execute(db);
  return new Map(rows.map((r) => [r.id, r]));
}
