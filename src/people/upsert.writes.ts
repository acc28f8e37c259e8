import { type Kysely, sql } from 'kysely';
import { column as col } from '../db/columns.js';
import { newIds } from '../db/ids.js';
import type { DB } from '../db/schema.js';
import type { Source } from './people.schemas.js';

interface PersonRow {
  id: string;
  given_name: string | null;
  family_name: string | null;
  additional_name: string | null;
  pronouns: string | null;
  preferred_language: string | null;
  birthdate: string | null;
  home_unit_id: string | null;
  home_unit_path: string | null;
}

/** Everything one batch writes, collected by the matcher and applied set-based. */
export interface BatchWrites {
  orgId: string;
  source: Source;
  now: Date;
  newPeople: PersonRow[];
  updatedPeople: PersonRow[];
  /** Keyed person|address; status null means "not given: keep what is stored". */
  emails: Map<string, { person_id: string; address: string; status: string | null; primary: boolean }>;
  phones: Map<
    string,
    {
      person_id: string;
      number: string;
      number_type: string | null;
      sms_capable: boolean | null;
      do_not_call: boolean | null;
      primary: boolean;
    }
  >;
  addresses: Map<
    string,
    {
      person_id: string;
      address_key: string;
      lines: string[];
      locality: string | null;
      region: string | null;
      postal_code: string | null;
      country: string | null;
      latitude: number | null;
      longitude: number | null;
      primary: boolean;
    }
  >;
  identifiers: Map<string, string>;
  taggings: { person_id: string; tag: string }[];
  duplicates: Map<string, { a: string; b: string; reason: string }>;
  /** The newest value per (person, field) in this batch; it becomes the preferred value. */
  fieldValues: Map<string, { person_id: string; field_id: string; value: unknown }>;
  /** Existing people the batch added values to (their primaries are fixed up afterwards). */
  touchedExisting: Set<string>;
  /**
   * Of those, the kinds each already had a primary value of when matched: they keep one (a value
   * given as primary replaces it), so their fix-up is skipped. Unknown people are fixed up.
   */
  primaryHeld?: Map<string, { person_email: boolean; person_phone: boolean; person_address: boolean }>;
}

/** PostgreSQL array literal for text[][]-free transport of address lines: one JSON text per row. */
const json = (value: unknown): string => JSON.stringify(value);

/**
 * A batch's values split by whose they are: people created in this batch hold nothing yet, so
 * their values are plain INSERTs; people who exist are merged into (ON CONFLICT). The conflict
 * check costs a probe of the arbiter index before each row: in a 200k-row import into an empty
 * organization, a quarter of the contact tables' insert time, spent on people who cannot conflict.
 */
function byOwner<T extends { person_id: string }>(
  rows: T[],
  created: Set<string>,
): { rows: T[]; merge: boolean }[] {
  const fresh = rows.filter((r) => created.has(r.person_id));
  const known = rows.filter((r) => !created.has(r.person_id));
  return [
    { rows: fresh, merge: false },
    { rows: known, merge: true },
  ].filter((part) => part.rows.length > 0);
}

/**
 * Applies the batch. Returns the possible-duplicate pairs ("a|b") that are new. Row ids come from
 * newIds() rather than uuid_v7() in SQL: that function cost 8-17 µs a row on the server, a third
 * of a contact value's insert.
 */
export async function writeBatch(db: Kysely<DB>, w: BatchWrites): Promise<Set<string>> {
  const newPairs = new Set<string>();
  const { orgId, now } = w;
  const kind = w.source.kind;
  const ref = w.source.ref;
  const confidence = w.source.confidence ?? 1;
  const created = new Set(w.newPeople.map((p) => p.id));

  if (w.newPeople.length > 0) {
    const p = w.newPeople;
    await sql`
      INSERT INTO person (org_id, id, given_name, family_name, additional_name, pronouns, preferred_language,
        birthdate, home_unit_id, home_unit_path, created_at, updated_at)
      SELECT ${orgId}::uuid, u.id, u.given_name, u.family_name, u.additional_name, u.pronouns, u.preferred_language,
        u.birthdate, u.home_unit_id, u.home_unit_path::ltree, ${now}::timestamptz, ${now}::timestamptz
      FROM unnest(${col(p, 'id')}::uuid[], ${col(p, 'given_name')}::text[], ${col(p, 'family_name')}::text[],
        ${col(p, 'additional_name')}::text[], ${col(p, 'pronouns')}::text[], ${col(p, 'preferred_language')}::text[],
        ${col(p, 'birthdate')}::date[], ${col(p, 'home_unit_id')}::uuid[], ${col(p, 'home_unit_path')}::text[])
        AS u(id, given_name, family_name, additional_name, pronouns, preferred_language, birthdate, home_unit_id, home_unit_path)
    `.execute(db);
  }

  if (w.updatedPeople.length > 0) {
    const p = w.updatedPeople;
    await sql`
      UPDATE person SET given_name = u.given_name, family_name = u.family_name, additional_name = u.additional_name,
        pronouns = u.pronouns, preferred_language = u.preferred_language, birthdate = u.birthdate,
        home_unit_id = u.home_unit_id, home_unit_path = u.home_unit_path::ltree
      FROM unnest(${col(p, 'id')}::uuid[], ${col(p, 'given_name')}::text[], ${col(p, 'family_name')}::text[],
        ${col(p, 'additional_name')}::text[], ${col(p, 'pronouns')}::text[], ${col(p, 'preferred_language')}::text[],
        ${col(p, 'birthdate')}::date[], ${col(p, 'home_unit_id')}::uuid[], ${col(p, 'home_unit_path')}::text[])
        AS u(id, given_name, family_name, additional_name, pronouns, preferred_language, birthdate, home_unit_id, home_unit_path)
      WHERE person.id = u.id AND person.org_id = ${orgId}
    `.execute(db);
  }

  // A value given as primary for someone who already has one takes over: clear the old first.
  const clearPrimary = async (
    table: 'person_email' | 'person_phone' | 'person_address',
    personIds: string[],
  ) => {
    if (personIds.length === 0) return;
    await sql`UPDATE ${sql.table(table)} SET is_primary = false
      WHERE org_id = ${orgId} AND person_id = ANY(${personIds}::uuid[]) AND is_primary`.execute(db);
  };

  if (w.emails.size > 0) {
    const e = [...w.emails.values()];
    await clearPrimary(
      'person_email',
      e.filter((x) => x.primary && w.touchedExisting.has(x.person_id)).map((x) => x.person_id),
    );
    for (const { rows, merge } of byOwner(e, created)) {
      await sql`
        INSERT INTO person_email (org_id, id, person_id, address, status, is_primary, source_kind, source_ref,
          observed_at, confirmed_at, confidence, created_at, updated_at)
        SELECT ${orgId}::uuid, u.id, u.person_id, u.address, coalesce(u.status, 'subscribed'), u.is_primary,
          ${kind}, ${ref}, ${now}::timestamptz, ${now}::timestamptz, ${confidence}::real, ${now}::timestamptz, ${now}::timestamptz
        FROM unnest(${newIds(rows.length)}::uuid[], ${col(rows, 'person_id')}::uuid[], ${col(rows, 'address')}::text[],
          ${col(rows, 'status')}::text[], ${col(rows, 'primary')}::boolean[]) AS u(id, person_id, address, status, is_primary)
        ${
          merge
            ? sql`ON CONFLICT ON CONSTRAINT person_email_org_address_person_key DO UPDATE SET
          confirmed_at = excluded.confirmed_at,
          is_primary = person_email.is_primary OR excluded.is_primary`
            : sql``
        }
      `.execute(db);
    }
    // A status given explicitly updates a stored address. A file's "subscribed" never resubscribes
    // someone who opted out or bounced: only the person's own action (a signup or form) or an
    // explicit edit by a user or API client does.
    const given = e.filter((x) => x.status !== null);
    if (given.length > 0) {
      const resubscribes = ['signup', 'form', 'api', 'user'].includes(kind);
      await sql`
        UPDATE person_email SET status = u.status
        FROM unnest(${col(given, 'person_id')}::uuid[], ${col(given, 'address')}::text[], ${col(given, 'status')}::text[])
          AS u(person_id, address, status)
        WHERE person_email.org_id = ${orgId} AND person_email.address = u.address AND person_email.person_id = u.person_id
          AND person_email.status <> u.status AND (u.status <> 'subscribed' OR ${resubscribes}::boolean)
      `.execute(db);
    }
  }

  if (w.phones.size > 0) {
    const p = [...w.phones.values()];
    await clearPrimary(
      'person_phone',
      p.filter((x) => x.primary && w.touchedExisting.has(x.person_id)).map((x) => x.person_id),
    );
    for (const { rows, merge } of byOwner(p, created)) {
      await sql`
        INSERT INTO person_phone (org_id, id, person_id, number, number_type, sms_capable, do_not_call, is_primary,
          source_kind, source_ref, observed_at, confirmed_at, confidence, created_at, updated_at)
        SELECT ${orgId}::uuid, u.id, u.person_id, u.number, coalesce(u.number_type, 'other'),
          coalesce(u.sms_capable, false), coalesce(u.do_not_call, false), u.is_primary,
          ${kind}, ${ref}, ${now}::timestamptz, ${now}::timestamptz, ${confidence}::real, ${now}::timestamptz, ${now}::timestamptz
        FROM unnest(${newIds(rows.length)}::uuid[], ${col(rows, 'person_id')}::uuid[], ${col(rows, 'number')}::text[],
          ${col(rows, 'number_type')}::text[], ${col(rows, 'sms_capable')}::boolean[], ${col(rows, 'do_not_call')}::boolean[],
          ${col(rows, 'primary')}::boolean[])
          AS u(id, person_id, number, number_type, sms_capable, do_not_call, is_primary)
        ${
          merge
            ? sql`ON CONFLICT ON CONSTRAINT person_phone_org_number_person_key DO UPDATE SET
          confirmed_at = excluded.confirmed_at,
          number_type = CASE WHEN excluded.number_type = 'other' THEN person_phone.number_type ELSE excluded.number_type END,
          sms_capable = person_phone.sms_capable OR excluded.sms_capable,
          -- a do-not-call flag is only ever raised by a sync; lowering it takes an explicit edit
          do_not_call = person_phone.do_not_call OR excluded.do_not_call,
          is_primary = person_phone.is_primary OR excluded.is_primary`
            : sql``
        }
      `.execute(db);
    }
  }

  if (w.addresses.size > 0) {
    const a = [...w.addresses.values()];
    await clearPrimary(
      'person_address',
      a.filter((x) => x.primary && w.touchedExisting.has(x.person_id)).map((x) => x.person_id),
    );
    for (const { rows, merge } of byOwner(a, created)) {
      await sql`
        INSERT INTO person_address (org_id, id, person_id, address_lines, locality, region, postal_code, country,
          latitude, longitude, address_key, is_primary, source_kind, source_ref, observed_at, confirmed_at, confidence,
          created_at, updated_at)
        SELECT ${orgId}::uuid, u.id, u.person_id, string_to_array(u.lines, chr(31)),
          u.locality, u.region, u.postal_code, u.country, u.latitude, u.longitude, u.address_key, u.is_primary,
          ${kind}, ${ref}, ${now}::timestamptz, ${now}::timestamptz, ${confidence}::real, ${now}::timestamptz, ${now}::timestamptz
        FROM unnest(${newIds(rows.length)}::uuid[], ${col(rows, 'person_id')}::uuid[],
          ${rows.map((x) => x.lines.join('\u001f'))}::text[], ${col(rows, 'locality')}::text[],
          ${col(rows, 'region')}::text[], ${col(rows, 'postal_code')}::text[], ${col(rows, 'country')}::text[],
          ${col(rows, 'latitude')}::float8[], ${col(rows, 'longitude')}::float8[], ${col(rows, 'address_key')}::text[],
          ${col(rows, 'primary')}::boolean[])
          AS u(id, person_id, lines, locality, region, postal_code, country, latitude, longitude, address_key, is_primary)
        ${
          merge
            ? sql`ON CONFLICT ON CONSTRAINT person_address_person_key_key DO UPDATE SET
          confirmed_at = excluded.confirmed_at,
          latitude = coalesce(excluded.latitude, person_address.latitude),
          longitude = coalesce(excluded.longitude, person_address.longitude),
          is_primary = person_address.is_primary OR excluded.is_primary`
            : sql``
        }
      `.execute(db);
    }
  }

  if (w.fieldValues.size > 0) {
    const v = [...w.fieldValues.values()];
    const values = v.map((x) => json(x.value));
    // Values from other sources are kept; the one just observed becomes the preferred one.
    await sql`
      UPDATE person_field_value pv SET is_preferred = false
      FROM unnest(${col(v, 'person_id')}::uuid[], ${col(v, 'field_id')}::uuid[], ${values}::text[]) AS u(person_id, field_id, value)
      WHERE pv.org_id = ${orgId} AND pv.person_id = u.person_id AND pv.field_id = u.field_id AND pv.is_preferred
        AND pv.value <> u.value::jsonb
    `.execute(db);
    await sql`
      INSERT INTO person_field_value (org_id, id, person_id, field_id, value, is_preferred, source_kind, source_ref,
        observed_at, confirmed_at, confidence, created_at, updated_at)
      SELECT ${orgId}::uuid, u.id, u.person_id, u.field_id, u.value::jsonb, true, ${kind}, ${ref},
        ${now}::timestamptz, ${now}::timestamptz, ${confidence}::real, ${now}::timestamptz, ${now}::timestamptz
      FROM unnest(${newIds(v.length)}::uuid[], ${col(v, 'person_id')}::uuid[], ${col(v, 'field_id')}::uuid[], ${values}::text[])
        AS u(id, person_id, field_id, value)
      ON CONFLICT ON CONSTRAINT person_field_value_person_field_value_key DO UPDATE SET
        confirmed_at = excluded.confirmed_at, is_preferred = true
    `.execute(db);
  }

  if (w.identifiers.size > 0) {
    await sql`
      INSERT INTO foreign_identifier (org_id, entity, entity_id, identifier)
      SELECT ${orgId}::uuid, 'person', u.entity_id, u.identifier
      FROM unnest(${[...w.identifiers.values()]}::uuid[], ${[...w.identifiers.keys()]}::text[]) AS u(entity_id, identifier)
      ON CONFLICT ON CONSTRAINT foreign_identifier_pkey DO NOTHING
    `.execute(db);
  }

  if (w.taggings.length > 0) {
    const names = [...new Set(w.taggings.map((t) => t.tag))];
    await sql`
      INSERT INTO tag (org_id, id, name)
      SELECT DISTINCT ON (lower(n)) ${orgId}::uuid, uuid_v7(), n FROM unnest(${names}::text[]) AS n
      ON CONFLICT (org_id, lower(name)) DO NOTHING
    `.execute(db);
    const tags = await db
      .selectFrom('tag')
      .select(['id', sql<string>`lower(name)`.as('key')])
      .where('org_id', '=', orgId)
      .where(
        sql<string>`lower(name)`,
        'in',
        names.map((n) => n.toLowerCase()),
      )
      .execute();
    const tagIds = new Map(tags.map((t) => [t.key, t.id]));
    const pairs = new Map<string, { tag_id: string; person_id: string }>();
    for (const t of w.taggings) {
      const tagId = tagIds.get(t.tag.toLowerCase());
      if (tagId) pairs.set(`${tagId}|${t.person_id}`, { tag_id: tagId, person_id: t.person_id });
    }
    for (const { rows, merge } of byOwner([...pairs.values()], created)) {
      await sql`
        INSERT INTO tagging (org_id, id, tag_id, person_id, source_kind, source_ref)
        SELECT ${orgId}::uuid, u.id, u.tag_id, u.person_id, ${kind}, ${ref}
        FROM unnest(${newIds(rows.length)}::uuid[], ${col(rows, 'tag_id')}::uuid[], ${col(rows, 'person_id')}::uuid[])
          AS u(id, tag_id, person_id)
        ${merge ? sql`ON CONFLICT ON CONSTRAINT tagging_tag_person_key DO NOTHING` : sql``}
      `.execute(db);
    }
  }

  if (w.duplicates.size > 0) {
    const d = [...w.duplicates.values()];
    const inserted = await sql<{ person_a: string; person_b: string }>`
      INSERT INTO possible_duplicate (org_id, id, person_a, person_b, reason)
      SELECT ${orgId}::uuid, uuid_v7(), u.a, u.b, u.reason
      FROM unnest(${col(d, 'a')}::uuid[], ${col(d, 'b')}::uuid[], ${col(d, 'reason')}::text[]) AS u(a, b, reason)
      ON CONFLICT ON CONSTRAINT possible_duplicate_pair_key DO NOTHING
      RETURNING person_a, person_b
    `.execute(db);
    for (const row of inserted.rows) newPairs.add(`${row.person_a}|${row.person_b}`);
  }

  // An existing person who had no email (phone, address) and got one here: the oldest becomes primary.
  // Only people given a value of that kind can have gained one (a re-import of known people spent
  // as long here as in its inserts when every touched person was checked in all three tables).
  if (w.touchedExisting.size > 0) {
    const given = {
      person_email: w.emails,
      person_phone: w.phones,
      person_address: w.addresses,
    } as const;
    for (const table of ['person_email', 'person_phone', 'person_address'] as const) {
      const ids = [...new Set([...given[table].values()].map((v) => v.person_id))].filter(
        (id) => w.touchedExisting.has(id) && !w.primaryHeld?.get(id)?.[table],
      );
      if (ids.length === 0) continue;
      await sql`
        UPDATE ${sql.table(table)} t SET is_primary = true
        FROM (
          SELECT DISTINCT ON (person_id) id, person_id FROM ${sql.table(table)}
          WHERE org_id = ${orgId} AND person_id = ANY(${ids}::uuid[])
          ORDER BY person_id, is_primary DESC, observed_at, id
        ) first
        WHERE t.id = first.id AND NOT t.is_primary
      `.execute(db);
    }
  }
  return newPairs;
}
