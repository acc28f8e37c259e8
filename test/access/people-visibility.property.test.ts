import { randomBytes } from 'node:crypto';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, it } from 'vitest';
import { newId } from '../../src/db/ids.js';
import { createTestApp, makeOrg, makeUser, type TestApp, type TestUser } from '../support/fixtures.js';
import {
  type Canon,
  CSV_COLUMNS,
  exportableColumns,
  exportRows,
  FIELD_CLASSES,
  type FieldClass,
  type Model,
  type ModelGrant,
  type ModelPerson,
  mayAtAll,
  mayShow,
  osdiCanon,
  personAccess,
  ROLES,
  reaching,
  readable,
  restCanon,
  type SearchQuery,
  secretsOf,
  sight,
} from './visibility-oracle.js';

/**
 * The property: for random organizations (a unit tree two or three levels deep, people homed
 * across it with every kind of field, some sensitive or do-not-contact, lists and saved searches)
 * and random users (built-in roles at random units or over the whole organization, some expired,
 * and assignments to lists, saved searches and events with random actions, classes and single fields),
 * every read API shows each user exactly what an independent oracle (visibility-oracle.ts) allows:
 * the same people (none missing, none extra, totals that agree with the items), and of each person
 * exactly the visible fields, absent when forbidden, masked where the user may reach but not read.
 * No response may hold a value of a field the user may not see, anywhere in its text.
 *
 * Reproduce a failure with RHIZOME_PROPERTY_SEED=<seed> (printed on failure); RHIZOME_PROPERTY_RUNS
 * sets the number of cases, RHIZOME_PROPERTY_SHRINK=1 shrinks a failure to a small case (slow).
 */

const SEED = Number(process.env.RHIZOME_PROPERTY_SEED ?? randomBytes(4).readUInt32BE() >>> 1);
const RUNS = Number(process.env.RHIZOME_PROPERTY_RUNS ?? 18);
const SHRINK = process.env.RHIZOME_PROPERTY_SHRINK === '1';
const NAMESPACE = 'rhizome';
const PER_PAGE = 3;

// ---------------------------------------------------------------------------------------------
// Random specifications (plain data; ids and values are made when the case is built)

const UNIT_LABELS = [
  ['east', 'eastside', 'west'],
  ['oak', 'oakland'],
  ['f', 'fr'],
] as const;
const ALL_PATHS: string[] = (() => {
  const out: string[] = [];
  for (const a of UNIT_LABELS[0]) {
    out.push(a);
    for (const b of UNIT_LABELS[1]) {
      out.push(`${a}.${b}`);
      for (const c of UNIT_LABELS[2]) out.push(`${a}.${b}.${c}`);
    }
  }
  return out;
})();

/** A set of unit paths closed under parents, at least two levels deep. */
const unitsArb = fc
  .subarray(ALL_PATHS, { minLength: 2, maxLength: 9 })
  .map((paths) => {
    const all = new Set<string>();
    for (const path of paths) {
      const labels = path.split('.');
      for (let i = 1; i <= labels.length; i++) all.add(labels.slice(0, i).join('.'));
    }
    return [...all].sort();
  })
  .filter((paths) => paths.some((p) => p.includes('.')));

const CUSTOM_KEYS = FIELD_CLASSES.map((c) => `f_${c}`);
const TAGS = ['Alpha', 'Beta'];
const flag = (oneIn: number) => fc.integer({ min: 1, max: oneIn }).map((n) => n === 1);

const personArb = fc.record({
  home: fc.option(fc.nat(), { freq: 6 }),
  given: flag(8).map((b) => !b),
  family: fc.boolean(),
  additional: flag(3),
  pronouns: flag(3),
  language: flag(3),
  birthdate: fc.boolean(),
  sensitive: flag(4),
  doNotContact: flag(4),
  legalHold: flag(6),
  emails: fc.array(fc.constantFrom('subscribed', 'unsubscribed', 'bouncing' as const), { maxLength: 2 }),
  phones: fc.array(
    fc.record({ type: fc.constantFrom('mobile', 'home', 'other' as const), sms: fc.boolean(), dnc: flag(3) }),
    { maxLength: 2 },
  ),
  address: fc.option(
    fc.record({ twoLines: fc.boolean(), locality: fc.boolean(), postal: fc.boolean(), geo: fc.boolean() }),
    { freq: 3 },
  ),
  custom: fc.subarray(CUSTOM_KEYS),
  tags: fc.subarray(TAGS),
  identifier: fc.boolean(),
});

const SINGLE_FIELDS = [
  'given_name',
  'family_name',
  'birthdate',
  'emails',
  'email_status',
  'phones',
  'street_address',
  'locality',
  'tags',
  'do_not_contact',
  'custom_fields.f_restricted',
  'custom_fields.f_contact',
];

const userArb = fc.record({
  bindings: fc.array(
    fc.record({
      role: fc.constantFrom(...Object.keys(ROLES)),
      unit: fc.option(fc.nat(), { freq: 2 }),
      expired: flag(6),
    }),
    { maxLength: 2 },
  ),
  assignments: fc.array(
    fc.record({
      target: fc.oneof(
        fc.record({ list: fc.nat() }),
        fc.record({ search: fc.nat() }),
        fc.record({ event: fc.nat() }),
      ),
      actions: fc.subarray(['people.read', 'person.message', 'person.call', 'people.export'], {
        minLength: 1,
      }),
      classes: fc.subarray([...FIELD_CLASSES]),
      fields: fc.subarray(SINGLE_FIELDS, { maxLength: 3 }),
      expired: flag(6),
    }),
    { maxLength: 2 },
  ),
});

const specArb = fc.record({
  units: unitsArb,
  people: fc.array(personArb, { minLength: 2, maxLength: 8 }),
  lists: fc.array(fc.uniqueArray(fc.nat({ max: 7 }), { maxLength: 5 }), { minLength: 1, maxLength: 2 }),
  searches: fc.array(fc.oneof(fc.record({ unit: fc.nat() }), fc.record({ tag: fc.constantFrom(...TAGS) })), {
    maxLength: 1,
  }),
  users: fc.array(userArb, { minLength: 2, maxLength: 4 }),
  // Events with their RSVPs: person index → cancelled or not (a cancelled RSVP is no attendee).
  events: fc.array(
    fc.dictionary(fc.constantFrom('0', '1', '2', '3', '4', '5', '6', '7'), fc.boolean(), { maxKeys: 5 }),
    {
      minLength: 1,
      maxLength: 2,
    },
  ),
});
type Spec = typeof specArb extends fc.Arbitrary<infer T> ? T : never;

// ---------------------------------------------------------------------------------------------
// Building a case in the database

interface World {
  orgId: string;
  model: Model;
  users: { user: TestUser; grants: ModelGrant[]; label: string }[];
}

const pick = <T>(items: readonly T[], n: number): T => items[n % items.length] as T;
const PAST = new Date('2020-01-01T00:00:00Z');

async function build(t: TestApp, spec: Spec, caseNo: number): Promise<World> {
  const db = t.db;
  const org = await makeOrg(db, `prop-${caseNo}-${newId().slice(-6)}`);
  const orgId = org.id;
  // Values are unique strings ending in "q", so that one never holds another.
  const nonce = randomBytes(3).toString('hex');
  const token = (code: string, i: number, k = 0) => `${code}${nonce}${String(i).padStart(2, '0')}${k}q`;

  const unitIds = new Map<string, string>();
  for (const path of spec.units) unitIds.set(path, newId());
  await db
    .insertInto('unit')
    .values(
      spec.units.map((path) => ({
        org_id: orgId,
        id: unitIds.get(path) as string,
        path,
        name: `Unit ${path}`,
        kind: path.includes('.') ? 'local' : 'chapter',
      })),
    )
    .execute();

  const customFields: Record<string, FieldClass> = {};
  const fieldIds = new Map<string, string>();
  for (const fieldClass of FIELD_CLASSES) {
    const key = `f_${fieldClass}`;
    customFields[key] = fieldClass;
    fieldIds.set(key, newId());
  }
  await db
    .insertInto('custom_field')
    .values(
      Object.entries(customFields).map(([key, fieldClass]) => ({
        org_id: orgId,
        id: fieldIds.get(key) as string,
        key,
        label: key,
        field_type: 'text',
        choices: null,
        field_class: fieldClass,
        archived_at: null,
      })),
    )
    .execute();

  const people: ModelPerson[] = spec.people.map((p, i) => ({
    id: newId(),
    givenName: p.given ? token('Gi', i) : null,
    familyName: p.family ? token('Fa', i) : null,
    additionalName: p.additional ? token('Ad', i) : null,
    pronouns: p.pronouns ? token('Pr', i) : null,
    preferredLanguage: p.language ? token('La', i) : null,
    birthdate: p.birthdate ? `19${String(10 + i).padStart(2, '0')}-0${1 + (caseNo % 9)}-1${i % 10}` : null,
    home: p.home === null ? null : pick(spec.units, p.home),
    doNotContact: p.doNotContact,
    sensitive: p.sensitive,
    legalHold: p.legalHold,
    emails: p.emails.map((status, k) => ({ address: `${token('em', i, k)}@ex${i}.org`, status })),
    phones: p.phones.map((ph, k) => ({
      number: `+1415${String(caseNo % 1000).padStart(3, '0')}${String(i).padStart(2, '0')}${k}`,
      type: ph.type,
      smsCapable: ph.sms,
      doNotCall: ph.dnc,
    })),
    address: p.address
      ? {
          lines: p.address.twoLines ? [token('St', i), token('Ap', i)] : [token('St', i)],
          locality: p.address.locality ? token('Lo', i) : null,
          region: p.address.locality ? 'CA' : null,
          postalCode: p.address.postal ? token('Po', i) : null,
          country: 'US',
          latitude: p.address.geo ? 37.5 + i / 100 : null,
          longitude: p.address.geo ? -122.25 - i / 100 : null,
        }
      : null,
    custom: Object.fromEntries(p.custom.map((key) => [key, token(`c${key.slice(2, 4)}`, i)])),
    tags: p.tags,
    identifiers: p.identifier ? [`ext:${token('Id', i)}`] : [],
  }));

  await db
    .insertInto('person')
    .values(
      people.map((p) => ({
        org_id: orgId,
        id: p.id,
        given_name: p.givenName,
        family_name: p.familyName,
        additional_name: p.additionalName,
        pronouns: p.pronouns,
        preferred_language: p.preferredLanguage,
        birthdate: p.birthdate,
        home_unit_id: p.home ? (unitIds.get(p.home) as string) : null,
        home_unit_path: p.home ? sql`${p.home}::ltree` : null,
        do_not_contact: p.doNotContact,
        sensitive: p.sensitive,
        legal_hold: p.legalHold,
      })) as never,
    )
    .execute();
  const source = { source_kind: 'import', source_ref: null };
  const emails = people.flatMap((p) =>
    p.emails.map((e, k) => ({
      org_id: orgId,
      id: newId(),
      person_id: p.id,
      address: e.address,
      status: e.status,
      is_primary: k === 0,
      ...source,
    })),
  );
  if (emails.length > 0) await db.insertInto('person_email').values(emails).execute();
  const phones = people.flatMap((p) =>
    p.phones.map((ph, k) => ({
      org_id: orgId,
      id: newId(),
      person_id: p.id,
      number: ph.number,
      number_type: ph.type,
      sms_capable: ph.smsCapable,
      do_not_call: ph.doNotCall,
      is_primary: k === 0,
      ...source,
    })),
  );
  if (phones.length > 0) await db.insertInto('person_phone').values(phones).execute();
  const addresses = people.flatMap((p) =>
    p.address
      ? [
          {
            org_id: orgId,
            id: newId(),
            person_id: p.id,
            address_lines: p.address.lines,
            locality: p.address.locality,
            region: p.address.region,
            postal_code: p.address.postalCode,
            country: p.address.country,
            latitude: p.address.latitude,
            longitude: p.address.longitude,
            address_key: p.address.lines.join(' ').toLowerCase(),
            is_primary: true,
            ...source,
          },
        ]
      : [],
  );
  if (addresses.length > 0) await db.insertInto('person_address').values(addresses).execute();
  const values = people.flatMap((p) =>
    Object.entries(p.custom).map(([key, value]) => ({
      org_id: orgId,
      id: newId(),
      person_id: p.id,
      field_id: fieldIds.get(key) as string,
      value: JSON.stringify(value),
      is_preferred: true,
      ...source,
    })),
  );
  if (values.length > 0) await db.insertInto('person_field_value').values(values).execute();
  const tagIds = new Map(TAGS.map((name) => [name, newId()]));
  await db
    .insertInto('tag')
    .values(TAGS.map((name) => ({ org_id: orgId, id: tagIds.get(name) as string, name, description: null })))
    .execute();
  const taggings = people.flatMap((p) =>
    p.tags.map((name) => ({
      org_id: orgId,
      id: newId(),
      tag_id: tagIds.get(name) as string,
      person_id: p.id,
      ...source,
    })),
  );
  if (taggings.length > 0) await db.insertInto('tagging').values(taggings).execute();
  const identifiers = people.flatMap((p) =>
    p.identifiers.map((identifier) => ({
      org_id: orgId,
      entity: 'person' as const,
      entity_id: p.id,
      identifier,
    })),
  );
  if (identifiers.length > 0) await db.insertInto('foreign_identifier').values(identifiers).execute();

  const lists = new Map<string, Set<string>>();
  for (const members of spec.lists) {
    const id = newId();
    const ids = new Set(members.filter((n) => n < people.length).map((n) => (people[n] as ModelPerson).id));
    lists.set(id, ids);
    await db
      .insertInto('list')
      .values({ org_id: orgId, id, name: `List ${id}`, description: null, created_by: null })
      .execute();
    if (ids.size > 0)
      await db
        .insertInto('list_item')
        .values([...ids].map((person_id) => ({ org_id: orgId, id: newId(), list_id: id, person_id })))
        .execute();
  }
  const searches = new Map<string, SearchQuery>();
  for (const s of spec.searches) {
    const id = newId();
    const query: SearchQuery = 'unit' in s ? { unit: pick(spec.units, s.unit) } : { tag: s.tag };
    searches.set(id, query);
    await db
      .insertInto('saved_search')
      .values({
        org_id: orgId,
        id,
        name: `Search ${id}`,
        description: null,
        query: JSON.stringify(query),
        created_by: null,
      })
      .execute();
  }
  const events = new Map<string, Set<string>>();
  for (const rsvps of spec.events) {
    const id = newId();
    const start = new Date('2030-01-01T18:00:00Z');
    await db
      .insertInto('event')
      .values({
        org_id: orgId,
        id,
        unit_id: unitIds.get(spec.units[0] as string) as string,
        campaign_id: null,
        title: `Event ${id}`,
        description: null,
        starts_at: start,
        ends_at: new Date(start.getTime() + 3_600_000),
        timezone: 'UTC',
        location_name: null,
        locality: null,
        region: null,
        postal_code: null,
        country: null,
        latitude: null,
        longitude: null,
        virtual_url: null,
        capacity: null,
        visibility: 'unit',
        status: 'published',
        proposed_by: null,
        created_by: null,
      })
      .execute();
    const rows = Object.entries(rsvps)
      .filter(([n]) => Number(n) < people.length)
      .map(([n, cancelled]) => ({ person: people[Number(n)] as ModelPerson, cancelled }));
    events.set(id, new Set(rows.filter((r) => !r.cancelled).map((r) => r.person.id)));
    if (rows.length > 0)
      await db
        .insertInto('event_rsvp')
        .values(
          rows.map((r) => ({
            org_id: orgId,
            id: newId(),
            event_id: id,
            person_id: r.person.id,
            shift_id: null,
            status: r.cancelled ? ('cancelled' as const) : ('going' as const),
            attendance: null,
            checked_in_at: null,
            source: 'organizer' as const,
            referrer: null,
            consent: '{}',
          })),
        )
        .execute();
  }
  const model: Model = { people, lists, searches, customFields, events };

  const roleIds = new Map(
    (await db.selectFrom('role').select(['id', 'key']).where('org_id', '=', orgId).execute()).map((r) => [
      r.key,
      r.id,
    ]),
  );
  const users: World['users'] = [];
  for (const [u, userSpec] of spec.users.entries()) {
    const user = await makeUser(db, orgId, null);
    const grants: ModelGrant[] = [];
    const seen = new Set<string>();
    for (const b of userSpec.bindings) {
      const unit = b.unit === null ? null : pick(spec.units, b.unit);
      const key = `${b.role}|${unit}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const id = newId();
      await db
        .insertInto('role_binding')
        .values({
          org_id: orgId,
          id,
          user_id: user.id,
          role_id: roleIds.get(b.role) as string,
          unit_id: unit === null ? null : (unitIds.get(unit) as string),
          expires_at: b.expired ? PAST : null,
          created_by: null,
        })
        .execute();
      const role = ROLES[b.role] as { actions: string[]; classes: FieldClass[] };
      grants.push({
        id,
        scope: unit === null ? { kind: 'org' } : { kind: 'unit', path: unit },
        actions: role.actions,
        classes: role.classes,
        fields: [],
        expired: b.expired,
      });
    }
    for (const a of userSpec.assignments) {
      const kind =
        'event' in a.target ? 'event' : 'list' in a.target || searches.size === 0 ? 'list' : 'search';
      const targets = [
        ...(kind === 'event' ? events.keys() : kind === 'list' ? lists.keys() : searches.keys()),
      ];
      const n = 'event' in a.target ? a.target.event : 'list' in a.target ? a.target.list : a.target.search;
      const target = pick(targets, n);
      const key = `${kind}|${target}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const id = newId();
      await db
        .insertInto('assignment')
        .values({
          org_id: orgId,
          id,
          user_id: user.id,
          target_kind: kind === 'search' ? 'saved_search' : kind,
          target_id: target,
          actions: a.actions,
          field_classes: a.classes,
          fields: a.fields,
          expires_at: a.expired ? PAST : null,
          created_by: null,
        })
        .execute();
      grants.push({
        id,
        scope: { kind, id: target },
        actions: a.actions,
        classes: a.classes,
        fields: a.fields,
        expired: a.expired,
      });
    }
    const label = `user ${u}: ${JSON.stringify(userSpec)}`;
    users.push({ user, grants, label });
  }
  return { orgId, model, users };
}

// ---------------------------------------------------------------------------------------------
// Reading what the APIs show, in the oracle's canonical form

const REST_KEYS = new Set([
  'id',
  'given_name',
  'family_name',
  'additional_name',
  'pronouns',
  'preferred_language',
  'birthdate',
  'home_unit',
  'do_not_contact',
  'sensitive',
  'legal_hold',
  'emails',
  'phones',
  'addresses',
  'custom_fields',
  'tags',
  'identifiers',
  'capabilities',
  'created_at',
  'updated_at',
  'origin',
]);
const PROVENANCE = ['id', 'primary', 'source', 'observed_at', 'confirmed_at', 'confidence'];
const VALUE_KEYS = {
  emails: new Set([...PROVENANCE, 'address', 'address_masked', 'status']),
  phones: new Set([...PROVENANCE, 'number', 'number_masked', 'type', 'sms_capable', 'do_not_call']),
  addresses: new Set([
    ...PROVENANCE,
    'lines',
    'locality',
    'region',
    'postal_code',
    'country',
    'latitude',
    'longitude',
  ]),
};

type Json = Record<string, unknown>;

/** JSON with object members in a fixed order, so that two canonical forms compare as text. */
function stable(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)))
      : v,
  );
}
const only = (value: Json, keys: string[], rename: Record<string, string> = {}): Json => {
  const out: Json = {};
  for (const key of keys) if (key in value) out[rename[key] ?? key] = value[key];
  return out;
};

function restActual(item: Json, problems: string[]): Canon {
  for (const key of Object.keys(item)) if (!REST_KEYS.has(key)) problems.push(`unexpected member ${key}`);
  const out: Canon = only(item, [
    'id',
    'given_name',
    'family_name',
    'additional_name',
    'pronouns',
    'preferred_language',
    'birthdate',
    'do_not_contact',
    'sensitive',
    'legal_hold',
    'capabilities',
  ]);
  if ('home_unit' in item) out.home_unit = (item.home_unit as { path: string } | null)?.path ?? null;
  if ('tags' in item) out.tags = [...(item.tags as string[])].sort();
  if ('identifiers' in item) out.identifiers = [...(item.identifiers as string[])].sort();
  for (const kind of ['emails', 'phones', 'addresses'] as const) {
    if (!(kind in item)) continue;
    out[kind] = (item[kind] as Json[]).map((v) => {
      for (const key of Object.keys(v))
        if (!VALUE_KEYS[kind].has(key)) problems.push(`${kind}: unexpected ${key}`);
      if (kind === 'emails')
        return only(v, ['primary', 'address', 'address_masked', 'status'], { address_masked: 'masked' });
      if (kind === 'phones')
        return only(v, ['primary', 'number', 'number_masked', 'type', 'sms_capable', 'do_not_call'], {
          number_masked: 'masked',
        });
      return only(v, [
        'primary',
        'lines',
        'postal_code',
        'latitude',
        'longitude',
        'locality',
        'region',
        'country',
      ]);
    });
  }
  if (item.custom_fields === null) problems.push('custom_fields is null');
  out.custom_fields = item.custom_fields ?? {};
  return out;
}

const OSDI_KEYS = new Set([
  'identifiers',
  'origin_system',
  'created_date',
  'modified_date',
  'given_name',
  'family_name',
  'additional_name',
  'birthdate',
  'preferred_language',
  'languages_spoken',
  'email_addresses',
  'phone_numbers',
  'postal_addresses',
  'custom_fields',
  '_links',
]);

function osdiActual(item: Json, problems: string[]): Canon {
  for (const [key, value] of Object.entries(item)) {
    if (!OSDI_KEYS.has(key)) problems.push(`unexpected member ${key}`);
    if (value === null) problems.push(`${key} is null (OSDI reads null as "delete")`);
  }
  const out = only(item, [
    'identifiers',
    'given_name',
    'family_name',
    'additional_name',
    'preferred_language',
    'languages_spoken',
    'birthdate',
    'email_addresses',
    'phone_numbers',
    'postal_addresses',
    'custom_fields',
  ]);
  if (Array.isArray(out.identifiers)) {
    const [own, ...rest] = out.identifiers as string[];
    out.identifiers = [own, ...rest.sort()];
  }
  return out;
}

const osdiPersonId = (item: Json): string =>
  ((item.identifiers as string[])[0] as string).slice(`${NAMESPACE}:`.length);

// ---------------------------------------------------------------------------------------------
// The check for one user

interface Failure {
  where: string;
  problem: string;
}

/** Values of fields this user may not see, found in a response's text. */
function leaks(
  model: Model,
  text: string,
  allowed: (person: ModelPerson) => ((field: string) => boolean) | null,
): string[] {
  const out: string[] = [];
  for (const person of model.people) {
    const may = allowed(person);
    for (const secret of secretsOf(person)) {
      if (text.includes(secret.value) && !(may?.(secret.field) ?? false))
        out.push(`shows ${secret.field} of ${person.id} (${secret.value})`);
    }
  }
  return out;
}

async function checkUser(t: TestApp, world: World, entry: World['users'][number]): Promise<Failure[]> {
  const { model } = world;
  const { user, grants } = entry;
  const failures: Failure[] = [];
  const fail = (where: string, problem: string) => failures.push({ where, problem });
  const access = new Map(model.people.map((p) => [p.id, personAccess(model, grants, p)]));
  const visible = readable(model, grants);
  const visibleIds = new Set(visible.map((p) => p.id));
  const byId = new Map(model.people.map((p) => [p.id, p]));
  const readLeak = (person: ModelPerson) => {
    const a = access.get(person.id);
    return a?.read ? (field: string) => mayShow(model, a.sight, field) : null;
  };

  if (!mayAtAll(grants, 'people.read')) {
    for (const url of ['/api/v1/people', '/osdi/v1/people', `/api/v1/people/${model.people[0]?.id}`]) {
      const r = await t.call('GET', url, { as: user });
      if (r.statusCode !== 403) fail(`GET ${url}`, `expected 403 without people.read, got ${r.statusCode}`);
    }
  } else {
    // REST list, every page.
    const seen: string[] = [];
    for (let page = 1; page <= Math.ceil(visible.length / PER_PAGE) + 1; page++) {
      const url = `/api/v1/people?per_page=${PER_PAGE}&page=${page}`;
      const r = await t.call('GET', url, { as: user });
      if (r.statusCode !== 200) {
        fail(`GET ${url}`, `status ${r.statusCode}: ${r.body}`);
        break;
      }
      const body = r.json() as { items: Json[]; total: number };
      if (body.total !== visible.length) fail(`GET ${url}`, `total ${body.total}, oracle ${visible.length}`);
      for (const leak of leaks(model, r.body, readLeak)) fail(`GET ${url}`, leak);
      for (const item of body.items) {
        const id = item.id as string;
        seen.push(id);
        const person = byId.get(id);
        if (!person || !visibleIds.has(id)) {
          fail(`GET ${url}`, `lists ${id}, which the oracle hides`);
          continue;
        }
        const problems: string[] = [];
        const actual = restActual(item, problems);
        const expected = restCanon(model, person, access.get(id) as never);
        for (const problem of problems) fail(`GET ${url} ${id}`, problem);
        if (stable(actual) !== stable(expected))
          fail(`GET ${url} ${id}`, `shows ${stable(actual)}\n   oracle ${stable(expected)}`);
      }
      if (body.items.length === 0) break;
    }
    if (new Set(seen).size !== seen.length) fail('GET /api/v1/people', `a person on two pages: ${seen}`);
    const missing = visible.filter((p) => !seen.includes(p.id)).map((p) => p.id);
    if (missing.length > 0) fail('GET /api/v1/people', `missing ${missing.join(', ')}`);

    // Searching by email reads a contact field: only grants with the contact class may find
    // someone by it (else the search would tell who has an address the user may not see).
    for (const person of model.people.filter((p) => p.emails.length > 0).slice(0, 3)) {
      const address = (person.emails[person.emails.length - 1] as { address: string }).address;
      const url = `/api/v1/people?email=${encodeURIComponent(address)}`;
      const r = await t.call('GET', url, { as: user });
      const findable = reaching(model, grants, 'people.read', person).some((g) =>
        g.classes.includes('contact'),
      );
      const ids =
        r.statusCode === 200 ? (r.json() as { items: Json[] }).items.map((i) => i.id) : r.statusCode;
      if (stable(ids) !== stable(findable ? [person.id] : []))
        fail(`GET ${url}`, `found ${stable(ids)}, oracle ${findable ? person.id : 'nobody'}`);
    }

    // REST, one person at a time: each person of the organization.
    for (const person of model.people) {
      const url = `/api/v1/people/${person.id}`;
      const r = await t.call('GET', url, { as: user });
      const a = access.get(person.id);
      if (!a?.read) {
        if (r.statusCode !== 404) fail(`GET ${url}`, `expected 404 (out of reach), got ${r.statusCode}`);
        continue;
      }
      if (r.statusCode !== 200) {
        fail(`GET ${url}`, `status ${r.statusCode}: ${r.body}`);
        continue;
      }
      for (const leak of leaks(model, r.body, (p) => (p.id === person.id ? readLeak(p) : null)))
        fail(`GET ${url}`, leak);
      const problems: string[] = [];
      const actual = restActual(r.json(), problems);
      for (const problem of problems) fail(`GET ${url}`, problem);
      const expected = restCanon(model, person, a);
      if (stable(actual) !== stable(expected))
        fail(`GET ${url}`, `shows ${stable(actual)}\n   oracle ${stable(expected)}`);
    }

    // OSDI, following next links from the first page.
    const osdiSeen: string[] = [];
    let url: string | undefined = `/osdi/v1/people?per_page=${PER_PAGE}`;
    for (let hops = 0; url && hops <= visible.length + 1; hops++) {
      const r = await t.call('GET', url, { as: user });
      if (r.statusCode !== 200) {
        fail(`GET ${url}`, `status ${r.statusCode}: ${r.body}`);
        break;
      }
      const body = r.json() as {
        total_records: number;
        _embedded: { 'osdi:people': Json[] };
        _links: { next?: { href: string } };
      };
      if (body.total_records !== visible.length)
        fail(`GET ${url}`, `total_records ${body.total_records}, oracle ${visible.length}`);
      for (const leak of leaks(model, r.body, readLeak)) fail(`GET ${url}`, leak);
      for (const item of body._embedded['osdi:people']) {
        const id = osdiPersonId(item);
        osdiSeen.push(id);
        const person = byId.get(id);
        if (!person || !visibleIds.has(id)) {
          fail(`GET ${url}`, `lists ${id}, which the oracle hides`);
          continue;
        }
        const problems: string[] = [];
        const actual = osdiActual(item, problems);
        for (const problem of problems) fail(`GET ${url} ${id}`, problem);
        const expected = osdiCanon(model, person, access.get(id) as never, NAMESPACE);
        if (stable(actual) !== stable(expected))
          fail(`GET ${url} ${id}`, `shows ${stable(actual)}\n   oracle ${stable(expected)}`);
      }
      const next = body._links.next?.href;
      url = next ? next.slice(next.indexOf('/osdi/v1/')) : undefined;
    }
    if (new Set(osdiSeen).size !== osdiSeen.length) fail('GET /osdi/v1/people', `a person on two pages`);
    const osdiMissing = visible.filter((p) => !osdiSeen.includes(p.id)).map((p) => p.id);
    if (osdiMissing.length > 0) fail('GET /osdi/v1/people', `missing ${osdiMissing.join(', ')}`);
  }

  // The CSV export.
  const everyColumn = [
    ...Object.keys(CSV_COLUMNS),
    ...Object.keys(model.customFields).map((k) => `field:${k}`),
  ];
  if (!mayAtAll(grants, 'people.export')) {
    const r = await t.call('GET', '/api/v1/people.csv', { as: user });
    if (r.statusCode !== 403)
      fail('GET /api/v1/people.csv', `expected 403 without people.export, got ${r.statusCode}`);
  } else {
    const columns = exportableColumns(model, grants, everyColumn);
    const url = `/api/v1/people.csv?columns=${encodeURIComponent(columns.join(','))}`;
    const r = await t.call('GET', url, { as: user });
    if (r.statusCode !== 200) fail(`GET ${url}`, `status ${r.statusCode}: ${r.body}`);
    else {
      const [header, ...rows] = parse(r.body) as string[][];
      if (JSON.stringify(header) !== JSON.stringify(columns))
        fail('GET /api/v1/people.csv', `columns ${header}, oracle ${columns}`);
      const expected = exportRows(model, grants, columns);
      const actual = rows.map((row) => row.map((cell, i) => (expected[0]?.[i] === null ? null : cell)));
      for (const row of rows)
        for (const [i, column] of columns.entries())
          if ((column === 'created_at' || column === 'updated_at') && !/^\d{4}-\d\d-\d\dT/.test(row[i] ?? ''))
            fail('GET /api/v1/people.csv', `${column} is ${row[i]}`);
      if (stable(actual) !== stable(expected))
        fail(
          'GET /api/v1/people.csv',
          `rows\n   ${JSON.stringify(actual)}\n   oracle ${JSON.stringify(expected)}`,
        );
      const exportLeak = (person: ModelPerson) => {
        const reach = reaching(model, grants, 'people.export', person);
        if (reach.length === 0) return null;
        const s = sight(reach);
        return (field: string) => mayShow(model, s, field);
      };
      for (const leak of leaks(model, r.body, exportLeak)) fail('GET /api/v1/people.csv', leak);
    }
    const hidden = everyColumn.filter((c) => !columns.includes(c));
    if (hidden.length > 0) {
      const refusedUrl = `/api/v1/people.csv?columns=id,${hidden[0]}`;
      const refused = await t.call('GET', refusedUrl, { as: user });
      if (refused.statusCode !== 403)
        fail(`GET ${refusedUrl}`, `expected 403 for a hidden column, got ${refused.statusCode}`);
    }
  }
  return failures;
}

// ---------------------------------------------------------------------------------------------

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t.close();
});

describe('what each user sees of people, against an independent oracle', () => {
  it(`every read API shows exactly what the oracle allows (seed ${SEED}, ${RUNS} cases)`, async () => {
    let caseNo = 0;
    const property = fc.asyncProperty(specArb, async (spec) => {
      const world = await build(t, spec, caseNo++);
      const failures: string[] = [];
      for (const entry of world.users) {
        for (const f of await checkUser(t, world, entry))
          failures.push(`${entry.label}\n  ${f.where}: ${f.problem}`);
      }
      if (failures.length > 0) {
        const people = world.model.people.map((p) => ({
          id: p.id,
          home: p.home,
          sensitive: p.sensitive,
          dnc: p.doNotContact,
          lists: [...world.model.lists.entries()].filter(([, m]) => m.has(p.id)).map(([id]) => id),
        }));
        throw new Error(
          `RHIZOME_PROPERTY_SEED=${SEED}\npeople: ${JSON.stringify(people)}\nsearches: ${JSON.stringify([
            ...world.model.searches,
          ])}\n${failures.slice(0, 12).join('\n')}${failures.length > 12 ? `\n… and ${failures.length - 12} more` : ''}`,
        );
      }
    });
    const result = await fc.check(property, { seed: SEED, numRuns: RUNS, endOnFailure: !SHRINK });
    if (result.failed) {
      const error =
        result.errorInstance instanceof Error ? result.errorInstance.message : String(result.errorInstance);
      throw new Error(`property failed (seed ${SEED}, path ${result.counterexamplePath}):\n${error}`);
    }
  }, 600_000);
});
