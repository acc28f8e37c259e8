import { type Kysely, sql, type Transaction } from 'kysely';
import { z } from 'zod';
import { assertFieldsWritable, type ProjectedPerson, requirePerson } from '../access/people-access.js';
import { actorSource, type Ctx } from '../context.js';
import { newId } from '../db/ids.js';
import type { DB } from '../db/schema.js';
import { AppError, notFound } from '../errors.js';
import { PERSON_FIELDS, type PersonField } from '../policy/index.js';
import { addressKey } from './normalize.js';
import { AddressInput, EMAIL_STATUSES, EmailInput, PHONE_TYPES, PhoneInput } from './people.schemas.js';
import { getPerson } from './people.service.js';
import { lockOrgPeople } from './upsert.js';

/**
 * A person's contact values (emails, phones, postal addresses) edited one at a time by a user or
 * an API client. Each value keeps its provenance; the person always has at most one primary of
 * each kind, and gets a new primary when the primary is removed.
 */
export type ContactKind = 'emails' | 'phones' | 'addresses';
const TABLE = { emails: 'person_email', phones: 'person_phone', addresses: 'person_address' } as const;

export const EmailPatch = z
  .object({ status: z.enum(EMAIL_STATUSES), primary: z.literal(true) })
  .partial()
  .strict();
export const PhonePatch = z
  .object({
    type: z.enum(PHONE_TYPES),
    sms_capable: z.boolean(),
    do_not_call: z.boolean(),
    primary: z.literal(true),
  })
  .partial()
  .strict();
export const AddressPatch = z
  .object({
    latitude: z.number().min(-90).max(90).nullable(),
    longitude: z.number().min(-180).max(180).nullable(),
    primary: z.literal(true),
  })
  .partial()
  .strict();

async function lockPerson(trx: Transaction<DB>, orgId: string, personId: string): Promise<void> {
  await lockOrgPeople(trx, orgId);
  const person = await trx
    .selectFrom('person')
    .select('id')
    .where('org_id', '=', orgId)
    .where('id', '=', personId)
    .where('merged_into', 'is', null)
    .executeTakeFirst();
  if (!person) throw notFound('person');
}

async function hasPrimary(db: Kysely<DB>, kind: ContactKind, personId: string): Promise<boolean> {
  const row = await db
    .selectFrom(TABLE[kind])
    .select('id')
    .where('person_id', '=', personId)
    .where('is_primary', '=', true)
    .executeTakeFirst();
  return !!row;
}

async function makePrimary(
  db: Kysely<DB>,
  kind: ContactKind,
  personId: string,
  valueId: string,
): Promise<void> {
  await db
    .updateTable(TABLE[kind])
    .set({ is_primary: false })
    .where('person_id', '=', personId)
    .where('is_primary', '=', true)
    .execute();
  await db
    .updateTable(TABLE[kind])
    .set({ is_primary: true })
    .where('person_id', '=', personId)
    .where('person_id', '=', personId)
    .where('id', '=', valueId)
    .execute();
}

const VALUE_FIELD: Record<ContactKind, PersonField> = {
  emails: 'emails',
  phones: 'phones',
  addresses: 'street_address',
};

/** The actor must reach the person and be allowed to write this field of theirs. */
async function guard(ctx: Ctx, personId: string, field: PersonField): Promise<void> {
  const facts = await requirePerson(ctx, personId, 'people.write');
  await assertFieldsWritable(ctx, facts, [{ name: field, fieldClass: PERSON_FIELDS[field] }]);
}

/** Which field a patch touches: flags alone (subscription, do-not-call) are status; anything else is the value. */
function patchField(kind: ContactKind, raw: unknown): PersonField {
  const keys = raw && typeof raw === 'object' ? Object.keys(raw) : [];
  if (kind === 'emails' && keys.every((k) => k === 'status')) return 'email_status';
  if (kind === 'phones' && keys.every((k) => ['do_not_call', 'sms_capable', 'type'].includes(k)))
    return 'phone_flags';
  return VALUE_FIELD[kind];
}

/** Adds a value; a value the person already has is re-confirmed instead (409 never: it is the same fact). */
export async function addContactValue(
  ctx: Ctx,
  personId: string,
  kind: ContactKind,
  raw: unknown,
): Promise<ProjectedPerson> {
  await guard(ctx, personId, VALUE_FIELD[kind]);
  const orgId = ctx.actor.orgId;
  const source = actorSource(ctx.actor);
  const now = ctx.now();
  const provenance = {
    source_kind: source.kind,
    source_ref: source.ref,
    observed_at: now,
    confirmed_at: now,
    confidence: 1,
  };
  await ctx.db.transaction().execute(async (trx) => {
    await lockPerson(trx, orgId, personId);
    const primaryTaken = await hasPrimary(trx, kind, personId);
    let id: string;
    let wantsPrimary: boolean | undefined;
    if (kind === 'emails') {
      const value = parse(EmailInput, raw);
      wantsPrimary = value.primary;
      id = (
        await trx
          .insertInto('person_email')
          .values({
            org_id: orgId,
            id: newId(),
            person_id: personId,
            address: value.address,
            status: value.status ?? 'subscribed',
            ...provenance,
          })
          .onConflict((oc) =>
            oc
              .constraint('person_email_org_address_person_key')
              .doUpdateSet({ confirmed_at: now, ...(value.status ? { status: value.status } : {}) }),
          )
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    } else if (kind === 'phones') {
      const value = parse(PhoneInput, raw);
      wantsPrimary = value.primary;
      id = (
        await trx
          .insertInto('person_phone')
          .values({
            org_id: orgId,
            id: newId(),
            person_id: personId,
            number: value.number,
            number_type: value.type ?? 'other',
            sms_capable: value.sms_capable ?? false,
            do_not_call: value.do_not_call ?? false,
            ...provenance,
          })
          .onConflict((oc) =>
            oc.constraint('person_phone_org_number_person_key').doUpdateSet({ confirmed_at: now }),
          )
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    } else {
      const value = parse(AddressInput, raw);
      wantsPrimary = value.primary;
      id = (
        await trx
          .insertInto('person_address')
          .values({
            org_id: orgId,
            id: newId(),
            person_id: personId,
            address_lines: value.lines,
            locality: value.locality ?? null,
            region: value.region ?? null,
            postal_code: value.postal_code ?? null,
            country: value.country ?? null,
            latitude: value.latitude ?? null,
            longitude: value.longitude ?? null,
            address_key: addressKey(value),
            ...provenance,
          })
          .onConflict((oc) =>
            oc.constraint('person_address_person_key_key').doUpdateSet({ confirmed_at: now }),
          )
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
    }
    if (wantsPrimary || !primaryTaken) await makePrimary(trx, kind, personId, id);
  });
  return await getPerson(ctx, personId);
}

export async function updateContactValue(
  ctx: Ctx,
  personId: string,
  kind: ContactKind,
  valueId: string,
  raw: unknown,
): Promise<ProjectedPerson> {
  await guard(ctx, personId, patchField(kind, raw));
  const orgId = ctx.actor.orgId;
  await ctx.db.transaction().execute(async (trx) => {
    await lockPerson(trx, orgId, personId);
    await findValue(trx, kind, orgId, personId, valueId);
    let primary: true | undefined;
    if (kind === 'emails') {
      const patch = parse(EmailPatch, raw);
      primary = patch.primary;
      if (patch.status)
        await trx
          .updateTable('person_email')
          .set({ status: patch.status })
          .where('id', '=', valueId)
          .execute();
    } else if (kind === 'phones') {
      const { primary: p, type, ...rest } = parse(PhonePatch, raw);
      primary = p;
      const set = { ...rest, ...(type ? { number_type: type } : {}) };
      if (Object.keys(set).length > 0)
        await trx
          .updateTable('person_phone')
          .set(set)
          .where('person_id', '=', personId)
          .where('id', '=', valueId)
          .execute();
    } else {
      const { primary: p, ...rest } = parse(AddressPatch, raw);
      primary = p;
      if (Object.keys(rest).length > 0)
        await trx
          .updateTable('person_address')
          .set(rest)
          .where('person_id', '=', personId)
          .where('id', '=', valueId)
          .execute();
    }
    if (primary) await makePrimary(trx, kind, personId, valueId);
  });
  return await getPerson(ctx, personId);
}

export async function removeContactValue(
  ctx: Ctx,
  personId: string,
  kind: ContactKind,
  valueId: string,
): Promise<ProjectedPerson> {
  await guard(ctx, personId, VALUE_FIELD[kind]);
  const orgId = ctx.actor.orgId;
  await ctx.db.transaction().execute(async (trx) => {
    await lockPerson(trx, orgId, personId);
    const value = await findValue(trx, kind, orgId, personId, valueId);
    await trx.deleteFrom(TABLE[kind]).where('person_id', '=', personId).where('id', '=', valueId).execute();
    if (value.is_primary) {
      // The oldest remaining value becomes primary.
      await sql`UPDATE ${sql.table(TABLE[kind])} SET is_primary = true WHERE person_id = ${personId} AND id = (
        SELECT id FROM ${sql.table(TABLE[kind])} WHERE person_id = ${personId} ORDER BY observed_at, id LIMIT 1)`.execute(
        trx,
      );
    }
  });
  return await getPerson(ctx, personId);
}

async function findValue(
  db: Kysely<DB>,
  kind: ContactKind,
  orgId: string,
  personId: string,
  valueId: string,
) {
  const value = await db
    .selectFrom(TABLE[kind])
    .select(['id', 'is_primary'])
    .where('org_id', '=', orgId)
    .where('person_id', '=', personId)
    .where('id', '=', valueId)
    .executeTakeFirst();
  if (!value) throw notFound(kind.slice(0, -1).replace('addresse', 'address'));
  return value;
}

function parse<T extends z.ZodType>(schema: T, raw: unknown): z.infer<T> {
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => ({
      field: i.path.map(String).join('.') || 'body',
      message: i.message,
    }));
    throw new AppError('validation_failed', `${fields[0]?.field}: ${fields[0]?.message}`, { fields });
  }
  return parsed.data;
}
