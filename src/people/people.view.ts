import { type Kysely, type Selectable, sql } from 'kysely';
import type { DB, EmailStatus, PhoneType } from '../db/schema.js';

export interface ValueSource {
  kind: string;
  ref: string | null;
}

interface Provenanced {
  id: string;
  primary: boolean;
  source: ValueSource;
  observed_at: Date;
  confirmed_at: Date;
  confidence: number;
}

export interface EmailView extends Provenanced {
  address: string;
  status: EmailStatus;
}
export interface PhoneView extends Provenanced {
  number: string;
  type: PhoneType;
  sms_capable: boolean;
  do_not_call: boolean;
}
export interface AddressView extends Provenanced {
  lines: string[];
  locality: string | null;
  region: string | null;
  postal_code: string | null;
  country: string | null;
  latitude: number | null;
  longitude: number | null;
}

/** A person as every API sees it (REST directly; OSDI and CSV map from it). */
export interface PersonView {
  id: string;
  given_name: string | null;
  family_name: string | null;
  additional_name: string | null;
  pronouns: string | null;
  preferred_language: string | null;
  birthdate: string | null;
  home_unit: { id: string; path: string; name: string } | null;
  do_not_contact: boolean;
  sensitive: boolean;
  legal_hold: boolean;
  emails: EmailView[];
  phones: PhoneView[];
  addresses: AddressView[];
  custom_fields: Record<string, unknown>;
  tags: string[];
  identifiers: string[];
  created_at: Date;
  updated_at: Date;
  origin: { node: string; id: string };
}

const byPerson = <T extends { person_id: string }>(rows: T[]): Map<string, T[]> => {
  const map = new Map<string, T[]>();
  for (const row of rows) {
    const list = map.get(row.person_id);
    if (list) list.push(row);
    else map.set(row.person_id, [row]);
  }
  return map;
};

/** A person's values of one kind, primary first, then in the order they were first seen. */
function valuesOf<T extends 'person_email' | 'person_phone' | 'person_address'>(
  db: Kysely<DB>,
  table: T,
  orgId: string,
  ids: string[],
) {
  return db
    .selectFrom(table as 'person_email')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('person_id', 'in', ids)
    .orderBy('is_primary', 'desc')
    .orderBy('observed_at')
    .orderBy('id')
    .execute() as Promise<Selectable<DB[T]>[]>;
}

const localNodes = new WeakMap<object, Promise<string>>();
/** This node's id (cached per database handle: it never changes). */
export async function localNodeId(db: Kysely<DB>): Promise<string> {
  let id = localNodes.get(db);
  if (!id) {
    id = db
      .selectFrom('node_self')
      .select('id')
      .executeTakeFirstOrThrow()
      .then((r) => r.id);
    localNodes.set(db, id);
  }
  return await id;
}

/**
 * The people with these ids in this organization, in the order given; ids that do not exist here
 * (or were merged away) are left out. Seven indexed queries, whatever the number of people.
 */
export async function loadPeople(db: Kysely<DB>, orgId: string, ids: string[]): Promise<PersonView[]> {
  if (ids.length === 0) return [];
  const [people, emails, phones, addresses, tags, identifiers, fields, node] = await Promise.all([
    db
      .selectFrom('person as p')
      .leftJoin('unit as u', 'u.id', 'p.home_unit_id')
      .select([
        'p.id',
        'p.given_name',
        'p.family_name',
        'p.additional_name',
        'p.pronouns',
        'p.preferred_language',
        'p.birthdate',
        'p.do_not_contact',
        'p.sensitive',
        'p.legal_hold',
        'p.created_at',
        'p.updated_at',
        'p.origin_node',
        'p.origin_id',
        'u.id as unit_id',
        sql<string | null>`u.path::text`.as('unit_path'),
        'u.name as unit_name',
      ])
      .where('p.org_id', '=', orgId)
      .where('p.id', 'in', ids)
      .where('p.merged_into', 'is', null)
      .execute(),
    valuesOf(db, 'person_email', orgId, ids),
    valuesOf(db, 'person_phone', orgId, ids),
    valuesOf(db, 'person_address', orgId, ids),
    db
      .selectFrom('tagging as tg')
      .innerJoin('tag as t', 't.id', 'tg.tag_id')
      .select(['tg.person_id', 't.name'])
      .where('tg.org_id', '=', orgId)
      .where('tg.person_id', 'in', ids)
      .orderBy('t.name')
      .execute(),
    db
      .selectFrom('foreign_identifier')
      .select(['entity_id as person_id', 'identifier'])
      .where('org_id', '=', orgId)
      .where('entity', '=', 'person')
      .where('entity_id', 'in', ids)
      .orderBy('identifier')
      .execute(),
    db
      .selectFrom('person_field_value as v')
      .innerJoin('custom_field as f', 'f.id', 'v.field_id')
      .select(['v.person_id', 'f.key', 'v.value', 'v.is_preferred'])
      .where('v.org_id', '=', orgId)
      .where('v.person_id', 'in', ids)
      .where('f.archived_at', 'is', null)
      .orderBy('v.is_preferred', 'desc')
      .orderBy('v.observed_at', 'desc')
      .execute(),
    localNodeId(db),
  ]);
  const emailsOf = byPerson(emails);
  const phonesOf = byPerson(phones);
  const addressesOf = byPerson(addresses);
  const tagsOf = byPerson(tags);
  const identifiersOf = byPerson(identifiers);
  const fieldsOf = byPerson(fields);
  const provenance = (r: {
    id: string;
    is_primary: boolean;
    source_kind: string;
    source_ref: string | null;
    observed_at: Date;
    confirmed_at: Date;
    confidence: number;
  }): Provenanced => ({
    id: r.id,
    primary: r.is_primary,
    source: { kind: r.source_kind, ref: r.source_ref },
    observed_at: r.observed_at,
    confirmed_at: r.confirmed_at,
    confidence: r.confidence,
  });
  const views = new Map<string, PersonView>();
  for (const p of people) {
    const custom: Record<string, unknown> = {};
    // Preferred (or newest) value first: the first seen for a key wins.
    for (const f of fieldsOf.get(p.id) ?? []) if (!(f.key in custom)) custom[f.key] = f.value;
    views.set(p.id, {
      id: p.id,
      given_name: p.given_name,
      family_name: p.family_name,
      additional_name: p.additional_name,
      pronouns: p.pronouns,
      preferred_language: p.preferred_language,
      birthdate: p.birthdate,
      home_unit: p.unit_id ? { id: p.unit_id, path: p.unit_path ?? '', name: p.unit_name ?? '' } : null,
      do_not_contact: p.do_not_contact,
      sensitive: p.sensitive,
      legal_hold: p.legal_hold,
      emails: (emailsOf.get(p.id) ?? []).map((e) => ({
        ...provenance(e),
        address: e.address,
        status: e.status,
      })),
      phones: (phonesOf.get(p.id) ?? []).map((ph) => ({
        ...provenance(ph),
        number: ph.number,
        type: ph.number_type,
        sms_capable: ph.sms_capable,
        do_not_call: ph.do_not_call,
      })),
      addresses: (addressesOf.get(p.id) ?? []).map((a) => ({
        ...provenance(a),
        lines: a.address_lines,
        locality: a.locality,
        region: a.region,
        postal_code: a.postal_code,
        country: a.country,
        latitude: a.latitude,
        longitude: a.longitude,
      })),
      custom_fields: custom,
      tags: (tagsOf.get(p.id) ?? []).map((t) => t.name),
      identifiers: (identifiersOf.get(p.id) ?? []).map((i) => i.identifier),
      created_at: p.created_at,
      updated_at: p.updated_at,
      origin: { node: p.origin_node ?? node, id: p.origin_id ?? p.id },
    });
  }
  return ids.flatMap((id) => views.get(id) ?? []);
}
