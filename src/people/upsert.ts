import { type Kysely, sql, type Transaction } from 'kysely';
import type { Ctx } from '../context.js';
import { newId } from '../db/ids.js';
import type { DB } from '../db/schema.js';
import type { FieldProblem } from '../errors.js';
import { type FieldDefinition, loadFieldDefinitions, validateFieldValues } from './field-values.js';
import { addressKey } from './normalize.js';
import type { PersonInput, Source, UpsertResult } from './people.schemas.js';
import {
  findByEmails,
  findByIdentifiers,
  findByNames,
  findByPhones,
  loadMatchCandidates,
  type MatchCandidate,
} from './upsert.queries.js';
import { type BatchWrites, writeBatch } from './upsert.writes.js';

/** What upsertPeople says of one input that could not be taken (the rest of the batch goes on). */
export interface UpsertRejection {
  outcome: 'rejected';
  problems: FieldProblem[];
}
export type UpsertOutcome = UpsertResult | UpsertRejection;

export interface UpsertOptions {
  /** Tag names added to every person in the batch. */
  tags?: string[];
  /** Home unit path for people who have none (an input's own home_unit wins). */
  unitPath?: string;
}

/**
 * The one way people enter Rhizome: every signup path (REST, OSDI signup helper, import, forms)
 * matches each incoming person to an existing one and merges arrays into it, or creates a person.
 *
 * Matching, in order: a foreign identifier (authoritative); then each email; then each phone; and,
 * for an input with none of those, the same full name at the same address or birth date. A
 * candidate whose strong identifiers conflict with the input (a different birth date, a clearly
 * different given name) is never merged: the input becomes a new person, flagged with the
 * candidate as a possible duplicate, because merging two different people loses data.
 *
 * Inputs are matched in order, so later inputs in the batch also match people created earlier in
 * it. All writes are set-based (one statement per table per batch) in one transaction, under an
 * organization-wide advisory lock so that concurrent batches cannot both create the same person.
 * If ctx.db is already a transaction the batch joins it (so an importer can commit its cursor with
 * the batch).
 */
export async function upsertPeople(
  ctx: Ctx,
  inputs: PersonInput[],
  source: Source,
  options: UpsertOptions = {},
): Promise<UpsertOutcome[]> {
  if (inputs.length === 0) return [];
  if (ctx.db.isTransaction)
    return await upsertInTransaction(ctx.db as Transaction<DB>, ctx, inputs, source, options);
  return await ctx.db
    .transaction()
    .execute(async (trx) => await upsertInTransaction(trx, ctx, inputs, source, options));
}

/** Serializes people writes within one organization (all signup paths take it). */
export async function lockOrgPeople(db: Kysely<DB>, orgId: string): Promise<void> {
  await sql`SELECT pg_advisory_xact_lock(hashtextextended(${`rhizome.people.${orgId}`}, 0))`.execute(db);
}

/** A person as the batch sees it: an existing record (its current values) or one created here. */
interface Slot {
  id: string;
  isNew: boolean;
  given_name: string | null;
  family_name: string | null;
  additional_name: string | null;
  pronouns: string | null;
  preferred_language: string | null;
  birthdate: string | null;
  home_unit_id: string | null;
  home_unit_path: string | null;
  dirty: boolean;
}

const SCALARS = [
  'given_name',
  'family_name',
  'additional_name',
  'pronouns',
  'preferred_language',
  'birthdate',
] as const;

function fold(name: string | null | undefined): string {
  return (name ?? '')
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]/g, '');
}

/**
 * Why this candidate must not absorb this input, or null. Strong identifiers: birth date and given
 * name. Given names conflict when neither is a prefix of the other ("Al"/"Alan" agree, "Jane"/"John"
 * do not); nicknames ("Bob"/"Robert") are flagged rather than merged, which errs on the safe side.
 */
export function conflictReason(
  candidate: Pick<Slot, 'birthdate' | 'given_name'>,
  input: PersonInput,
): string | null {
  if (candidate.birthdate && input.birthdate && candidate.birthdate !== input.birthdate) {
    return `different birth dates (${candidate.birthdate} and ${input.birthdate})`;
  }
  const a = fold(candidate.given_name);
  const b = fold(input.given_name);
  if (a && b && !a.startsWith(b) && !b.startsWith(a)) return 'different given names';
  return null;
}

const nameKey = (given: string | null | undefined, family: string | null | undefined): string =>
  `${(given ?? '').trim().toLowerCase()}\u0000${(family ?? '').trim().toLowerCase()}`;

async function upsertInTransaction(
  trx: Transaction<DB>,
  ctx: Ctx,
  inputs: PersonInput[],
  source: Source,
  options: UpsertOptions,
): Promise<UpsertOutcome[]> {
  const orgId = ctx.actor.orgId;
  const now = ctx.now();
  await lockOrgPeople(trx, orgId);

  // Units named in the batch.
  const unitPaths = new Set<string>();
  if (options.unitPath) unitPaths.add(options.unitPath);
  for (const input of inputs) if (input.home_unit) unitPaths.add(input.home_unit);
  const units = new Map<string, { id: string; path: string }>();
  if (unitPaths.size > 0) {
    const rows = await trx
      .selectFrom('unit')
      .select(['id', 'path'])
      .where('org_id', '=', orgId)
      .where(sql<string>`path::text`, 'in', [...unitPaths])
      .execute();
    for (const row of rows) units.set(row.path, row);
  }
  const definitions: Map<string, FieldDefinition> = inputs.some(
    (i) => Object.keys(i.custom_fields).length > 0,
  )
    ? await loadFieldDefinitions(trx, orgId)
    : new Map();
  const defaultUnit = options.unitPath ? units.get(options.unitPath) : undefined;
  if (options.unitPath && !defaultUnit) {
    return inputs.map(() => ({
      outcome: 'rejected',
      problems: [{ field: 'unit', message: `no unit with path ${options.unitPath}` }],
    }));
  }

  // Everyone the batch could match, in three indexed look-ups (plus names for contactless inputs).
  const emails = new Set<string>();
  const phones = new Set<string>();
  const identifiers = new Set<string>();
  const names: { given: string; family: string }[] = [];
  for (const input of inputs) {
    for (const e of input.emails) emails.add(e.address);
    for (const p of input.phones) phones.add(p.number);
    for (const i of input.identifiers) identifiers.add(i);
    if (
      input.emails.length + input.phones.length + input.identifiers.length === 0 &&
      input.given_name &&
      input.family_name
    ) {
      names.push({ given: input.given_name.toLowerCase(), family: input.family_name.toLowerCase() });
    }
  }
  const [byEmail, byPhone, byIdentifier, byName] = await Promise.all([
    findByEmails(trx, orgId, [...emails]),
    findByPhones(trx, orgId, [...phones]),
    findByIdentifiers(trx, orgId, [...identifiers]),
    findByNames(trx, orgId, names),
  ]);
  const candidateIds = new Set<string>();
  for (const map of [byEmail, byPhone, byName])
    for (const ids of map.values()) for (const id of ids) candidateIds.add(id);
  for (const id of byIdentifier.values()) candidateIds.add(id);
  const existing = await loadMatchCandidates(trx, orgId, [...candidateIds]);

  const slots = new Map<string, Slot>();
  const slotFor = (candidate: MatchCandidate): Slot => {
    let slot = slots.get(candidate.id);
    if (!slot) {
      slot = { ...candidate, isNew: false, dirty: false };
      slots.set(candidate.id, slot);
    }
    return slot;
  };
  // Known facts about candidates (addresses and names for the contactless fallback).
  const addressKeysOf = new Map<string, Set<string>>();
  for (const candidate of existing.values()) addressKeysOf.set(candidate.id, new Set(candidate.address_keys));

  const writes: BatchWrites = {
    orgId,
    source,
    now,
    newPeople: [],
    updatedPeople: [],
    emails: new Map(),
    phones: new Map(),
    addresses: new Map(),
    identifiers: new Map(),
    taggings: [],
    duplicates: new Map(),
    fieldValues: new Map(),
    touchedExisting: new Set(),
    primaryHeld: new Map(
      [...existing.values()].map((c) => [
        c.id,
        { person_email: c.primary_email, person_phone: c.primary_phone, person_address: c.primary_address },
      ]),
    ),
  };
  const results: UpsertOutcome[] = [];
  // Which people already have a primary email/phone/address among this batch's writes.
  const primaryTaken = { email: new Set<string>(), phone: new Set<string>(), address: new Set<string>() };
  // First primary wins within a batch: a person never ends up with two.
  const takePrimary = (
    kind: keyof typeof primaryTaken,
    personId: string,
    wanted: boolean | undefined,
    first: boolean,
    isNew: boolean,
  ): boolean => {
    if (primaryTaken[kind].has(personId)) return false;
    const primary = wanted ?? (isNew && first);
    if (primary) primaryTaken[kind].add(personId);
    return primary;
  };

  for (const input of inputs) {
    if (input.home_unit && !units.has(input.home_unit)) {
      results.push({
        outcome: 'rejected',
        problems: [{ field: 'home_unit', message: `no unit with path ${input.home_unit}` }],
      });
      continue;
    }
    const fields = validateFieldValues(definitions, input.custom_fields);
    if (fields.problems.length > 0) {
      results.push({ outcome: 'rejected', problems: fields.problems });
      continue;
    }
    // Candidates in order of strength, each once.
    const ordered: string[] = [];
    const push = (id: string | undefined) => {
      if (id && !ordered.includes(id)) ordered.push(id);
    };
    let viaIdentifier: string | undefined;
    for (const i of input.identifiers) {
      const id = byIdentifier.get(i);
      if (id && !viaIdentifier) viaIdentifier = id;
    }
    for (const e of input.emails) for (const id of byEmail.get(e.address) ?? []) push(id);
    for (const p of input.phones) for (const id of byPhone.get(p.number) ?? []) push(id);
    if (input.emails.length + input.phones.length + input.identifiers.length === 0) {
      const key = nameKey(input.given_name, input.family_name);
      const inputAddresses = new Set(input.addresses.map(addressKey));
      for (const id of byName.get(key) ?? []) {
        const slot = slots.get(id) ?? existing.get(id);
        const sameBirth = !!slot?.birthdate && slot.birthdate === input.birthdate;
        const sameAddress = [...(addressKeysOf.get(id) ?? [])].some((k) => inputAddresses.has(k));
        if (sameBirth || sameAddress) push(id);
      }
    }

    let target: Slot | undefined;
    const conflicts: { id: string; reason: string }[] = [];
    if (viaIdentifier) {
      const candidate = slots.get(viaIdentifier) ?? existing.get(viaIdentifier);
      if (candidate) target = 'isNew' in candidate ? (candidate as Slot) : slotFor(candidate);
    }
    if (!target) {
      for (const id of ordered) {
        const candidate = slots.get(id) ?? existing.get(id);
        if (!candidate) continue;
        const reason = conflictReason(candidate, input);
        if (reason) {
          conflicts.push({ id, reason });
          continue;
        }
        target = 'isNew' in candidate ? (candidate as Slot) : slotFor(candidate);
        break;
      }
    }

    const unit = input.home_unit ? units.get(input.home_unit) : undefined;
    let outcome: 'created' | 'updated';
    if (target) {
      outcome = 'updated';
      for (const key of SCALARS) {
        const value = input[key];
        if (value !== undefined && value !== target[key]) {
          target[key] = value;
          target.dirty = true;
        }
      }
      const homeUnit = unit ?? (target.home_unit_id ? undefined : defaultUnit);
      if (homeUnit && homeUnit.id !== target.home_unit_id) {
        target.home_unit_id = homeUnit.id;
        target.home_unit_path = homeUnit.path;
        target.dirty = true;
      }
      if (!target.isNew) writes.touchedExisting.add(target.id);
    } else {
      outcome = 'created';
      const homeUnit = unit ?? defaultUnit;
      target = {
        id: newId(),
        isNew: true,
        given_name: input.given_name ?? null,
        family_name: input.family_name ?? null,
        additional_name: input.additional_name ?? null,
        pronouns: input.pronouns ?? null,
        preferred_language: input.preferred_language ?? null,
        birthdate: input.birthdate ?? null,
        home_unit_id: homeUnit?.id ?? null,
        home_unit_path: homeUnit?.path ?? null,
        dirty: false,
      };
      slots.set(target.id, target);
      writes.newPeople.push(target);
      // Later inputs in this batch can match the new person by name too.
      const key = nameKey(target.given_name, target.family_name);
      byName.set(key, [...(byName.get(key) ?? []), target.id]);
    }
    const personId = target.id;

    // Anyone else who already holds one of these emails or phones is flagged with this person:
    // either the strong identifiers conflicted, or two records now share a value.
    const flagged: string[] = [];
    const flag = (other: string, reason: string) => {
      if (other === personId || flagged.includes(other)) return;
      flagged.push(other);
      const [a, b] = other < personId ? [other, personId] : [personId, other];
      if (!writes.duplicates.has(`${a}|${b}`)) writes.duplicates.set(`${a}|${b}`, { a, b, reason });
    };
    for (const conflict of conflicts) flag(conflict.id, conflict.reason);
    for (const e of input.emails)
      for (const id of byEmail.get(e.address) ?? []) flag(id, `share the email ${e.address}`);
    for (const p of input.phones)
      for (const id of byPhone.get(p.number) ?? []) flag(id, `share the phone ${p.number}`);

    // Arrays merge: each value is added (or re-confirmed) on the matched person.
    const isNew = target.isNew;
    input.emails.forEach((e, i) => {
      const key = `${personId}|${e.address}`;
      const prior = writes.emails.get(key);
      writes.emails.set(key, {
        person_id: personId,
        address: e.address,
        status: e.status ?? prior?.status ?? null,
        primary: takePrimary('email', personId, e.primary, i === 0, isNew) || !!prior?.primary,
      });
      const list = byEmail.get(e.address) ?? [];
      if (!list.includes(personId)) byEmail.set(e.address, [...list, personId]);
    });
    input.phones.forEach((p, i) => {
      const key = `${personId}|${p.number}`;
      const prior = writes.phones.get(key);
      writes.phones.set(key, {
        person_id: personId,
        number: p.number,
        number_type: p.type ?? prior?.number_type ?? null,
        sms_capable: p.sms_capable ?? prior?.sms_capable ?? null,
        do_not_call: p.do_not_call ?? prior?.do_not_call ?? null,
        primary: takePrimary('phone', personId, p.primary, i === 0, isNew) || !!prior?.primary,
      });
      const list = byPhone.get(p.number) ?? [];
      if (!list.includes(personId)) byPhone.set(p.number, [...list, personId]);
    });
    input.addresses.forEach((a, i) => {
      const key = addressKey(a);
      const mapKey = `${personId}|${key}`;
      const prior = writes.addresses.get(mapKey);
      writes.addresses.set(mapKey, {
        person_id: personId,
        address_key: key,
        lines: a.lines,
        locality: a.locality ?? null,
        region: a.region ?? null,
        postal_code: a.postal_code ?? null,
        country: a.country ?? null,
        latitude: a.latitude ?? prior?.latitude ?? null,
        longitude: a.longitude ?? prior?.longitude ?? null,
        primary: takePrimary('address', personId, a.primary, i === 0, isNew) || !!prior?.primary,
      });
      const keys = addressKeysOf.get(personId) ?? new Set<string>();
      keys.add(key);
      addressKeysOf.set(personId, keys);
    });
    for (const identifier of input.identifiers) {
      if (!byIdentifier.has(identifier)) {
        byIdentifier.set(identifier, personId);
        writes.identifiers.set(identifier, personId);
      }
    }
    for (const tag of [...(options.tags ?? []), ...input.tags])
      writes.taggings.push({ person_id: personId, tag });
    for (const { field, value } of fields.values) {
      writes.fieldValues.set(`${personId}|${field.id}`, { person_id: personId, field_id: field.id, value });
    }

    results.push({ personId, outcome, flaggedWith: flagged });
  }

  for (const slot of slots.values()) if (!slot.isNew && slot.dirty) writes.updatedPeople.push(slot);
  const newPairs = await writeBatch(trx, writes);
  // Report only pairs flagged for the first time (a re-import flags nothing again).
  for (const result of results) {
    if (result.outcome === 'rejected') continue;
    const id = result.personId;
    result.flaggedWith = result.flaggedWith.filter((other) =>
      newPairs.has(other < id ? `${other}|${id}` : `${id}|${other}`),
    );
  }
  return results;
}
