import fc from 'fast-check';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/db.js';
import { makeOrg } from '../../test/support/fixtures.js';
import type { Database } from '../db/connect.js';
import { newId } from '../db/ids.js';
import type { DB } from '../db/schema.js';
import { tenantDb } from '../db/tenant.js';
import { type AddressView, type EmailView, loadPeople, localNodeId, type PhoneView } from './people.view.js';

/**
 * loadPeople reads a page of people in one statement. These tests store random people directly
 * and work out, in JavaScript, what each view must hold: every value, in the documented order,
 * with its provenance (timestamps as Dates), and nothing of anyone else.
 */

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.close();
});

const BASE = Date.UTC(2025, 0, 1);
/**
 * Distinct instants (whole milliseconds), so that "in the order first seen" has one answer, in an
 * order of the generator's choosing (`age`), not the order the values were made in (their ids).
 */
let tick = 0;
const instant = (age: number) => new Date(BASE + age * 60_000 + (++tick % 60_000));

interface Provenance {
  id: string;
  age: number;
  primary: boolean;
  observed: Date;
  confirmed: Date;
  confidence: number;
  ref: string | null;
}
interface GenPerson {
  id: string;
  given: string | null;
  origin: { node: string; id: string } | null;
  emails: (Provenance & { address: string; status: EmailView['status'] })[];
  phones: (Provenance & { number: string; type: PhoneView['type']; sms: boolean; dnc: boolean })[];
  addresses: (Provenance & { lines: string[]; postal: string | null; lat: number | null })[];
  tags: string[];
  identifiers: string[];
  /** key -> values, with whether each is preferred */
  values: { key: string; value: unknown; preferred: boolean; age: number; observed: Date }[];
}

const CONFIDENCES = [0.25, 0.5, 0.75, 1];
const STATUSES: EmailView['status'][] = ['subscribed', 'unsubscribed', 'bouncing', 'spam_complaint'];
const TYPES: PhoneView['type'][] = ['mobile', 'home', 'work', 'other'];
const TAGS = ['canvasser', 'donor', 'host', 'tenant', 'volunteer'];
const FIELDS = ['shirt', 'shifts', 'old_field'] as const; // old_field is archived

/** What fresh() makes for each stored value: an id and instants of its own. */
type Made = 'id' | 'observed' | 'confirmed';
type Drawn<T> = Omit<T, Made>;
/** A person as fast-check draws it; fresh() gives it ids, addresses, numbers and instants. */
interface DrawnPerson {
  given: string | null;
  fromElsewhere: boolean;
  emails: Drawn<Omit<GenPerson['emails'][number], 'address'>>[];
  phones: Drawn<Omit<GenPerson['phones'][number], 'number'>>[];
  addresses: Drawn<GenPerson['addresses'][number]>[];
  tags: string[];
  identifiers: string[];
  values: Omit<GenPerson['values'][number], 'observed'>[];
}

const provenance = (primary: boolean) =>
  fc
    .record({
      confidence: fc.constantFrom(...CONFIDENCES),
      ref: fc.option(fc.constantFrom('import-1', 'form-2'), { nil: null }),
      age: fc.nat(1000),
    })
    .map((p) => ({ ...p, primary }));

/** Up to `max` values, at most one of them primary. */
const values = <T>(max: number, make: (primary: boolean) => fc.Arbitrary<T>) =>
  fc
    .tuple(fc.integer({ min: 0, max }), fc.integer({ min: -1, max: max - 1 }))
    .chain(([n, primaryAt]) => fc.tuple(...Array.from({ length: n }, (_, i) => make(i === primaryAt))));

const genPerson: fc.Arbitrary<DrawnPerson> = fc
  .record({
    given: fc.option(fc.constantFrom('Ana', 'Bo', 'Chidi'), { nil: null }),
    fromElsewhere: fc.boolean(),
    emails: values(3, (primary) =>
      fc.tuple(provenance(primary), fc.constantFrom(...STATUSES)).map(([p, status]) => ({ ...p, status })),
    ),
    phones: values(2, (primary) =>
      fc
        .tuple(provenance(primary), fc.constantFrom(...TYPES), fc.boolean(), fc.boolean())
        .map(([p, type, sms, dnc]) => ({ ...p, type, sms, dnc })),
    ),
    addresses: values(2, (primary) =>
      fc
        .tuple(
          provenance(primary),
          fc.array(fc.constantFrom('1 Main St', 'Apt 2', 'Rear'), { maxLength: 2 }),
          fc.option(fc.constantFrom('02139', '60601'), { nil: null }),
          fc.option(fc.constantFrom(41.5, -12.25), { nil: null }),
        )
        .map(([p, lines, postal, lat]) => ({ ...p, lines, postal, lat })),
    ),
    tags: fc.shuffledSubarray(TAGS),
    identifiers: fc.shuffledSubarray(['actionnetwork:1', 'crm:abc', 'van:42']),
    // A person holds a value of a field once (the schema's key).
    values: fc.uniqueArray(
      fc.record({
        key: fc.constantFrom(...FIELDS),
        value: fc.oneof(fc.constantFrom('M', 'L', 'über'), fc.integer({ min: 0, max: 9 })),
        preferred: fc.boolean(),
        age: fc.nat(1000),
      }),
      { maxLength: 4, selector: (v) => `${v.key}=${JSON.stringify(v.value)}` },
    ),
  })
  .map((g) => {
    // At most one preferred value per field, as the schema holds.
    const preferred = new Set<string>();
    return {
      ...g,
      values: g.values.map((v) => {
        const isPreferred = v.preferred && !preferred.has(v.key);
        if (isPreferred) preferred.add(v.key);
        return { ...v, preferred: isPreferred };
      }),
    };
  });

/**
 * The drawn person with ids, addresses, numbers and instants of its own, made here rather than
 * drawn: fast-check reuses a drawn value while it shrinks, and what was stored once cannot be
 * stored again.
 */
function fresh(d: DrawnPerson): GenPerson {
  const id = newId();
  const made = <T extends { age: number }>(v: T) => ({
    ...v,
    id: newId(),
    observed: instant(v.age),
    confirmed: instant(v.age + 1),
  });
  return {
    id,
    given: d.given,
    origin: d.fromElsewhere ? { node: newId(), id: newId() } : null,
    emails: d.emails.map((e) => ({ ...made(e), address: `${newId()}@example.org` })),
    phones: d.phones.map((ph) => ({ ...made(ph), number: `+1555${1_000_000 + ++tick}` })),
    addresses: d.addresses.map(made),
    tags: d.tags,
    identifiers: d.identifiers.map((i) => `${i}-${id.slice(-12)}`),
    values: d.values.map((v) => ({ ...v, observed: instant(v.age) })),
  };
}

async function store(
  db: Kysely<DB>,
  orgId: string,
  people: GenPerson[],
  fieldIds: Map<string, string>,
  tagIds: Map<string, string>,
) {
  for (const p of people) {
    await db
      .insertInto('person')
      .values({
        org_id: orgId,
        id: p.id,
        given_name: p.given,
        family_name: 'Q',
        origin_node: p.origin?.node ?? null,
        origin_id: p.origin?.id ?? null,
      })
      .execute();
    const prov = (v: Provenance) => ({
      org_id: orgId,
      id: v.id,
      person_id: p.id,
      is_primary: v.primary,
      source_kind: 'import',
      source_ref: v.ref,
      observed_at: v.observed,
      confirmed_at: v.confirmed,
      confidence: v.confidence,
    });
    for (const e of p.emails)
      await db
        .insertInto('person_email')
        .values({ ...prov(e), address: e.address, status: e.status })
        .execute();
    for (const ph of p.phones)
      await db
        .insertInto('person_phone')
        .values({
          ...prov(ph),
          number: ph.number,
          number_type: ph.type,
          sms_capable: ph.sms,
          do_not_call: ph.dnc,
        })
        .execute();
    for (const a of p.addresses)
      await db
        .insertInto('person_address')
        .values({
          ...prov(a),
          address_lines: a.lines,
          locality: null,
          region: null,
          postal_code: a.postal,
          country: 'US',
          latitude: a.lat,
          longitude: a.lat === null ? null : 7.5,
          address_key: a.id,
        })
        .execute();
    for (const t of p.tags)
      await db
        .insertInto('tagging')
        .values({
          org_id: orgId,
          id: newId(),
          tag_id: tagIds.get(t) as string,
          person_id: p.id,
          source_ref: null,
        })
        .execute();
    for (const identifier of p.identifiers)
      await db
        .insertInto('foreign_identifier')
        .values({ org_id: orgId, entity: 'person', entity_id: p.id, identifier })
        .execute();
    for (const v of p.values)
      await db
        .insertInto('person_field_value')
        .values({
          org_id: orgId,
          id: newId(),
          person_id: p.id,
          field_id: fieldIds.get(v.key) as string,
          value: JSON.stringify(v.value),
          is_preferred: v.preferred,
          source_kind: 'import',
          source_ref: null,
          observed_at: v.observed,
          confirmed_at: v.observed,
        })
        .execute();
  }
}

/** Primary first, then in the order first seen (the id breaks a tie). */
const inOrder = <T extends Provenance>(list: T[]) =>
  [...list].sort(
    (a, b) =>
      Number(b.primary) - Number(a.primary) ||
      a.observed.getTime() - b.observed.getTime() ||
      (a.id < b.id ? -1 : 1),
  );
const expectProvenance = (v: Provenance) => ({
  id: v.id,
  primary: v.primary,
  source: { kind: 'import', ref: v.ref },
  observed_at: v.observed,
  confirmed_at: v.confirmed,
  confidence: v.confidence,
});

function expectedView(p: GenPerson, node: string) {
  const custom: Record<string, unknown> = {};
  // The preferred value of a field, else its newest; archived fields are not shown.
  const live = p.values.filter((v) => v.key !== 'old_field');
  for (const v of [...live].sort(
    (a, b) => Number(b.preferred) - Number(a.preferred) || b.observed.getTime() - a.observed.getTime(),
  ))
    if (!(v.key in custom)) custom[v.key] = v.value;
  return {
    id: p.id,
    given_name: p.given,
    emails: inOrder(p.emails).map(
      (e): EmailView => ({ ...expectProvenance(e), address: e.address, status: e.status }),
    ),
    phones: inOrder(p.phones).map(
      (ph): PhoneView => ({
        ...expectProvenance(ph),
        number: ph.number,
        type: ph.type,
        sms_capable: ph.sms,
        do_not_call: ph.dnc,
      }),
    ),
    addresses: inOrder(p.addresses).map(
      (a): AddressView => ({
        ...expectProvenance(a),
        lines: a.lines,
        locality: null,
        region: null,
        postal_code: a.postal,
        country: 'US',
        latitude: a.lat,
        longitude: a.lat === null ? null : 7.5,
      }),
    ),
    tags: [...p.tags].sort(),
    identifiers: [...p.identifiers].sort(),
    custom_fields: custom,
    origin: p.origin ?? { node, id: p.id },
  };
}

describe('loadPeople', () => {
  it('gives each person every value in order, with its provenance, and nobody else', async () => {
    const owner = database.db;
    const org = await makeOrg(owner);
    const other = await makeOrg(owner);
    const fieldIds = new Map<string, string>();
    for (const key of FIELDS) {
      const id = newId();
      fieldIds.set(key, id);
      await owner
        .insertInto('custom_field')
        .values({
          org_id: org.id,
          id,
          key,
          label: key,
          field_type: 'text',
          choices: null,
          archived_at: key === 'old_field' ? new Date() : null,
        })
        .execute();
    }
    const tagIds = new Map<string, string>();
    for (const name of TAGS) {
      const id = newId();
      tagIds.set(name, id);
      await owner.insertInto('tag').values({ org_id: org.id, id, name, description: null }).execute();
    }
    const db = tenantDb(owner, org.id);
    const node = await localNodeId(db);
    // Someone of another organization, asked for by id.
    const nothing = { emails: [], phones: [], addresses: [], tags: [], identifiers: [], values: [] };
    const stranger = fresh({ given: 'Elsewhere', fromElsewhere: false, ...nothing });
    await store(owner, other.id, [stranger], fieldIds, tagIds);

    await fc.assert(
      fc.asyncProperty(
        fc.array(genPerson, { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        async (generated, mergeOne) => {
          const people = generated.map(fresh);
          await store(owner, org.id, people, fieldIds, tagIds);
          const merged = mergeOne && people.length > 1 ? (people[0] as GenPerson) : undefined;
          if (merged)
            await owner
              .updateTable('person')
              .set({ merged_into: (people[1] as GenPerson).id })
              .where('id', '=', merged.id)
              .execute();
          // Asked in reverse, with a repeat, an unknown id and another organization's person.
          const asked = [...people.map((p) => p.id).reverse(), people[0]?.id as string, newId(), stranger.id];
          const views = await loadPeople(db, org.id, asked);
          const expected = asked.flatMap((id) => {
            const p = people.find((x) => x.id === id);
            return p && p !== merged ? [expectedView(p, node)] : [];
          });
          expect(views.map((v) => v.id)).toEqual(expected.map((v) => v.id));
          for (const [i, view] of views.entries()) {
            expect(view).toMatchObject(expected[i] as object);
            for (const value of [...view.emails, ...view.phones, ...view.addresses]) {
              expect(value.observed_at).toBeInstanceOf(Date);
              expect(value.confirmed_at).toBeInstanceOf(Date);
            }
            expect(view.created_at).toBeInstanceOf(Date);
          }
        },
      ),
      { numRuns: 25 },
    );
  });

  it('reads nothing for no ids', async () => {
    const org = await makeOrg(database.db);
    expect(await loadPeople(tenantDb(database.db, org.id), org.id, [])).toEqual([]);
  });
});
