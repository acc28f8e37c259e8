import { type Kysely, sql } from 'kysely';
import { jsonArrayFrom } from 'kysely/helpers/postgres';
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

/** The provenance columns every contact value carries, as a page's statement reads them. */
const PROVENANCE = [
  'id',
  'is_primary',
  'source_kind',
  'source_ref',
  'observed_at',
  'confirmed_at',
  'confidence',
] as const;

/**
 * A contact value's provenance from its JSON form: timestamps arrive as ISO text, and become
 * Dates again here.
 */
const provenance = (r: {
  id: string;
  is_primary: boolean;
  source_kind: string;
  source_ref: string | null;
  observed_at: string;
  confirmed_at: string;
  confidence: number;
}): Provenanced => ({
  id: r.id,
  primary: r.is_primary,
  source: { kind: r.source_kind, ref: r.source_ref },
  observed_at: new Date(r.observed_at),
  confirmed_at: new Date(r.confirmed_at),
  confidence: r.confidence,
});

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
 * (or were merged away) are left out. One statement, whatever the number of people: each person's
 * e-mails, phones, addresses, tags, identifiers and custom fields come as JSON aggregates beside
 * the person's row (each an index lookup by person), so a page of fifty is one round trip, not
 * seven (on the embedded engine's one session they ran one after another).
 */
export async function loadPeople(db: Kysely<DB>, orgId: string, ids: string[]): Promise<PersonView[]> {
  if (ids.length === 0) return [];
  const [people, node] = await Promise.all([
    db
      .selectFrom('person as p')
      .leftJoin('unit as u', 'u.id', 'p.home_unit_id')
      .select((eb) => [
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
        // Primary first, then in the order they were first seen.
        jsonArrayFrom(
          eb
            .selectFrom('person_email as e')
            .select([...PROVENANCE.map((c) => `e.${c}` as const), 'e.address', 'e.status'])
            .where('e.org_id', '=', orgId)
            .whereRef('e.person_id', '=', 'p.id')
            .orderBy('e.is_primary', 'desc')
            .orderBy('e.observed_at')
            .orderBy('e.id'),
        ).as('emails'),
        jsonArrayFrom(
          eb
            .selectFrom('person_phone as ph')
            .select([
              ...PROVENANCE.map((c) => `ph.${c}` as const),
              'ph.number',
              'ph.number_type',
              'ph.sms_capable',
              'ph.do_not_call',
            ])
            .where('ph.org_id', '=', orgId)
            .whereRef('ph.person_id', '=', 'p.id')
            .orderBy('ph.is_primary', 'desc')
            .orderBy('ph.observed_at')
            .orderBy('ph.id'),
        ).as('phones'),
        jsonArrayFrom(
          eb
            .selectFrom('person_address as a')
            .select([
              ...PROVENANCE.map((c) => `a.${c}` as const),
              'a.address_lines',
              'a.locality',
              'a.region',
              'a.postal_code',
              'a.country',
              'a.latitude',
              'a.longitude',
            ])
            .where('a.org_id', '=', orgId)
            .whereRef('a.person_id', '=', 'p.id')
            .orderBy('a.is_primary', 'desc')
            .orderBy('a.observed_at')
            .orderBy('a.id'),
        ).as('addresses'),
        jsonArrayFrom(
          eb
            .selectFrom('tagging as tg')
            .innerJoin('tag as t', 't.id', 'tg.tag_id')
            .select('t.name')
            .where('tg.org_id', '=', orgId)
            .whereRef('tg.person_id', '=', 'p.id')
            .orderBy('t.name'),
        ).as('tags'),
        jsonArrayFrom(
          eb
            .selectFrom('foreign_identifier as fi')
            .select('fi.identifier')
            .where('fi.org_id', '=', orgId)
            .where('fi.entity', '=', 'person')
            .whereRef('fi.entity_id', '=', 'p.id')
            .orderBy('fi.identifier'),
        ).as('identifiers'),
        // Preferred (or newest) value first: the first seen for a key wins.
        jsonArrayFrom(
          eb
            .selectFrom('person_field_value as v')
            .innerJoin('custom_field as f', 'f.id', 'v.field_id')
            .select(['f.key', 'v.value'])
            .where('v.org_id', '=', orgId)
            .whereRef('v.person_id', '=', 'p.id')
            .where('f.archived_at', 'is', null)
            .orderBy('v.is_preferred', 'desc')
            .orderBy('v.observed_at', 'desc'),
        ).as('fields'),
      ])
      .where('p.org_id', '=', orgId)
      .where('p.id', 'in', ids)
      .where('p.merged_into', 'is', null)
      .execute(),
    localNodeId(db),
  ]);
  const views = new Map<string, PersonView>();
  for (const p of people) {
    const custom: Record<string, unknown> = {};
    for (const f of p.fields) if (!(f.key in custom)) custom[f.key] = f.value;
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
      emails: p.emails.map((e) => ({ ...provenance(e), address: e.address, status: e.status })),
      phones: p.phones.map((ph) => ({
        ...provenance(ph),
        number: ph.number,
        type: ph.number_type,
        sms_capable: ph.sms_capable,
        do_not_call: ph.do_not_call,
      })),
      addresses: p.addresses.map((a) => ({
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
      tags: p.tags.map((t) => t.name),
      identifiers: p.identifiers.map((i) => i.identifier),
      created_at: p.created_at,
      updated_at: p.updated_at,
      origin: { node: p.origin_node ?? node, id: p.origin_id ?? p.id },
    });
  }
  return ids.flatMap((id) => views.get(id) ?? []);
}
