import { type Kysely, type SqlBool, sql } from 'kysely';
import type { PeopleScope } from '../access/scope.js';
import type { DB } from '../db/schema.js';

/** Which people an export holds; every filter given must hold. */
export interface ExportFilters {
  /** A tag name (case-insensitive). */
  tag?: string;
  /** A unit path: people whose home unit is this one or under it. */
  unit?: string;
  /** A list id. */
  list?: string;
  /** Only people changed after this moment. */
  updatedSince?: Date;
}

export interface PersonRow {
  id: string;
  given_name: string | null;
  family_name: string | null;
  additional_name: string | null;
  pronouns: string | null;
  preferred_language: string | null;
  birthdate: string | null;
  home_unit: string | null;
  do_not_contact: boolean;
  created_at: Date;
  updated_at: Date;
}

/** One page of people after `afterId`, in id order (keyset: constant cost per page at any depth). */
export async function peoplePage(
  db: Kysely<DB>,
  orgId: string,
  filters: ExportFilters,
  afterId: string | null,
  limit: number,
  scope: PeopleScope = null,
): Promise<PersonRow[]> {
  let query = db
    .selectFrom('person as p')
    .select([
      'p.id',
      'p.given_name',
      'p.family_name',
      'p.additional_name',
      'p.pronouns',
      'p.preferred_language',
      'p.birthdate',
      sql<string | null>`p.home_unit_path::text`.as('home_unit'),
      'p.do_not_contact',
      'p.created_at',
      'p.updated_at',
    ])
    .where('p.org_id', '=', orgId)
    .where('p.merged_into', 'is', null);
  if (scope) query = query.where(scope);
  if (afterId) query = query.where('p.id', '>', afterId);
  if (filters.tag) {
    const tag = filters.tag.toLowerCase();
    query = query.where(
      sql<SqlBool>`EXISTS (SELECT 1 FROM tagging tg JOIN tag t ON t.id = tg.tag_id
        WHERE tg.person_id = p.id AND t.org_id = p.org_id AND lower(t.name) = ${tag})`,
    );
  }
  if (filters.unit) query = query.where(sql<SqlBool>`p.home_unit_path <@ ${filters.unit}::ltree`);
  if (filters.list) {
    const list = filters.list;
    query = query.where(
      sql<SqlBool>`EXISTS (SELECT 1 FROM list_item li WHERE li.person_id = p.id AND li.org_id = p.org_id AND li.list_id = ${list})`,
    );
  }
  if (filters.updatedSince) query = query.where('p.updated_at', '>', filters.updatedSince);
  return (await query.orderBy('p.id').limit(limit).execute()) as PersonRow[];
}

type ByPerson<T> = Map<string, T[]>;

// One array parameter instead of one parameter per id: a page of 2,000 ids binds in one value.
const anyOf = (ids: string[]) => sql<string>`ANY(${ids}::uuid[])`;

function group<T extends { person_id: string }>(rows: T[]): ByPerson<T> {
  const map: ByPerson<T> = new Map();
  for (const row of rows) {
    const list = map.get(row.person_id);
    if (list) list.push(row);
    else map.set(row.person_id, [row]);
  }
  return map;
}

export async function emailsOf(db: Kysely<DB>, orgId: string, ids: string[]) {
  return group(
    await db
      .selectFrom('person_email')
      .select(['person_id', 'address'])
      .where('org_id', '=', orgId)
      .where('person_id', '=', anyOf(ids))
      .orderBy('person_id')
      .orderBy('is_primary', 'desc')
      .orderBy('created_at')
      .execute(),
  );
}

export async function phonesOf(db: Kysely<DB>, orgId: string, ids: string[]) {
  return group(
    await db
      .selectFrom('person_phone')
      .select(['person_id', 'number'])
      .where('org_id', '=', orgId)
      .where('person_id', '=', anyOf(ids))
      .orderBy('person_id')
      .orderBy('is_primary', 'desc')
      .orderBy('created_at')
      .execute(),
  );
}

export async function addressesOf(db: Kysely<DB>, orgId: string, ids: string[]) {
  return group(
    await db
      .selectFrom('person_address')
      .select(['person_id', 'address_lines', 'locality', 'region', 'postal_code', 'country'])
      .where('org_id', '=', orgId)
      .where('person_id', '=', anyOf(ids))
      .orderBy('person_id')
      .orderBy('is_primary', 'desc')
      .orderBy('created_at')
      .execute(),
  );
}

export async function tagsOf(db: Kysely<DB>, orgId: string, ids: string[]) {
  return group(
    await db
      .selectFrom('tagging as tg')
      .innerJoin('tag as t', 't.id', 'tg.tag_id')
      .select(['tg.person_id', 't.name'])
      .where('tg.org_id', '=', orgId)
      .where('tg.person_id', '=', anyOf(ids))
      .orderBy('tg.person_id')
      .orderBy('t.name')
      .execute(),
  );
}

export async function identifiersOf(db: Kysely<DB>, orgId: string, ids: string[]) {
  return group(
    await db
      .selectFrom('foreign_identifier')
      .select(['entity_id as person_id', 'identifier'])
      .where('org_id', '=', orgId)
      .where('entity', '=', 'person')
      .where('entity_id', '=', anyOf(ids))
      .orderBy('entity_id')
      .orderBy('identifier')
      .execute(),
  );
}

/** Preferred custom-field values of the given keys. */
export async function fieldValuesOf(db: Kysely<DB>, orgId: string, ids: string[], keys: string[]) {
  return group(
    await db
      .selectFrom('person_field_value as v')
      .innerJoin('custom_field as f', 'f.id', 'v.field_id')
      .select(['v.person_id', 'f.key', 'v.value'])
      .where('v.org_id', '=', orgId)
      .where('v.person_id', '=', anyOf(ids))
      .where('f.key', 'in', keys)
      .orderBy('v.person_id')
      .orderBy('v.is_preferred', 'desc')
      .orderBy('v.observed_at', 'desc')
      .execute(),
  );
}

export async function customFieldKeys(db: Kysely<DB>, orgId: string): Promise<Set<string>> {
  const rows = await db.selectFrom('custom_field').select('key').where('org_id', '=', orgId).execute();
  return new Set(rows.map((r) => r.key));
}
