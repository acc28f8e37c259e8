import { sql } from 'kysely';
import { z } from 'zod';
import { actorSource, type Ctx } from '../context.js';
import { AppError, notFound } from '../errors.js';
import { loadFieldDefinitions, validateFieldValues } from './field-values.js';
import { PersonInput, type PersonInputRaw, type Source } from './people.schemas.js';
import { loadPeople, type PersonView } from './people.view.js';
import { lockOrgPeople, type UpsertOutcome, upsertPeople } from './upsert.js';
import { writeBatch } from './upsert.writes.js';

/** One person, or 404 (also for another organization's id, or a person merged away). */
export async function getPerson(ctx: Ctx, id: string): Promise<PersonView> {
  const [person] = await loadPeople(ctx.db, ctx.actor.orgId, [id]);
  if (!person) throw notFound('person');
  return person;
}

function sourceOf(ctx: Ctx): Source {
  const { kind, ref } = actorSource(ctx.actor);
  return { kind: kind === 'system' ? 'system' : kind === 'api' ? 'api' : 'user', ref };
}

/**
 * Adds a person through the signup path: matched to an existing person (arrays merge) or created.
 * Returns the person and whether it was created.
 */
export async function signUpPerson(
  ctx: Ctx,
  raw: PersonInputRaw,
  source: Source = sourceOf(ctx),
  options: { tags?: string[] } = {},
): Promise<{ person: PersonView; created: boolean; flaggedWith: string[] }> {
  const parsed = PersonInput.safeParse(raw);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => ({
      field: i.path.map(String).join('.') || 'person',
      message: i.message,
    }));
    throw new AppError('validation_failed', `${fields[0]?.field}: ${fields[0]?.message}`, { fields });
  }
  const [result] = (await upsertPeople(ctx, [parsed.data], source, options)) as [UpsertOutcome];
  if (result.outcome === 'rejected') {
    const first = result.problems[0];
    throw new AppError('validation_failed', `${first?.field}: ${first?.message}`, {
      fields: result.problems,
    });
  }
  return {
    person: await getPerson(ctx, result.personId),
    created: result.outcome === 'created',
    flaggedWith: result.flaggedWith,
  };
}

/** Fields a PATCH may set on the person itself; null clears. Contact values have their own routes. */
export const PersonPatch = z
  .object({
    given_name: z.string().trim().max(200).nullable(),
    family_name: z.string().trim().max(200).nullable(),
    additional_name: z.string().trim().max(200).nullable(),
    pronouns: z.string().trim().max(50).nullable(),
    preferred_language: z.string().trim().max(35).nullable(),
    birthdate: PersonInput.shape.birthdate.unwrap().nullable(),
    do_not_contact: z.boolean(),
    sensitive: z.boolean(),
    home_unit: z
      .string()
      .regex(/^[a-z0-9_]+(\.[a-z0-9_]+)*$/, 'a unit path like east.oakland')
      .nullable(),
  })
  .partial()
  .strict();
export type PersonPatch = z.infer<typeof PersonPatch>;

export async function updatePerson(ctx: Ctx, id: string, patch: PersonPatch): Promise<PersonView> {
  const orgId = ctx.actor.orgId;
  await ctx.db.transaction().execute(async (trx) => {
    await lockOrgPeople(trx, orgId);
    const current = await trx
      .selectFrom('person')
      .select('id')
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .where('merged_into', 'is', null)
      .forUpdate()
      .executeTakeFirst();
    if (!current) throw notFound('person');
    const { home_unit, ...rest } = patch;
    const set: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(rest))
      set[key] = typeof value === 'string' && value === '' ? null : value;
    if (home_unit !== undefined) {
      if (home_unit === null) {
        set.home_unit_id = null;
        set.home_unit_path = null;
      } else {
        const unit = await trx
          .selectFrom('unit')
          .select(['id', sql<string>`path::text`.as('path')])
          .where('org_id', '=', orgId)
          .where(sql<string>`path::text`, '=', home_unit)
          .executeTakeFirst();
        if (!unit)
          throw new AppError('validation_failed', `home_unit: no unit with path ${home_unit}`, {
            fields: [{ field: 'home_unit', message: `no unit with path ${home_unit}` }],
          });
        set.home_unit_id = unit.id;
        set.home_unit_path = sql`${unit.path}::ltree`;
      }
    }
    if (Object.keys(set).length > 0)
      await trx.updateTable('person').set(set).where('id', '=', id).where('org_id', '=', orgId).execute();
  });
  return await getPerson(ctx, id);
}

/** Deletes a person and everything hanging off them; a tombstone records the deletion. */
export async function deletePerson(ctx: Ctx, id: string): Promise<void> {
  const result = await ctx.db
    .deleteFrom('person')
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', '=', id)
    .where('merged_into', 'is', null)
    .executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw notFound('person');
}

/**
 * Adds custom field values (each becomes the preferred value, older ones kept) and foreign
 * identifiers to a known person, with the engine's own writes. An identifier that already belongs
 * to someone else is refused, naming it.
 */
export async function addPersonFacts(
  ctx: Ctx,
  id: string,
  facts: { custom_fields?: Record<string, unknown>; identifiers?: string[] },
  source: Source = sourceOf(ctx),
): Promise<void> {
  const orgId = ctx.actor.orgId;
  const run = async (db: Ctx['db']) => {
    await lockOrgPeople(db, orgId);
    const person = await db
      .selectFrom('person')
      .select('id')
      .where('org_id', '=', orgId)
      .where('id', '=', id)
      .where('merged_into', 'is', null)
      .executeTakeFirst();
    if (!person) throw notFound('person');
    const { values, problems } = validateFieldValues(
      await loadFieldDefinitions(db, orgId),
      facts.custom_fields ?? {},
    );
    const identifiers = facts.identifiers ?? [];
    if (identifiers.length > 0) {
      const owned = await db
        .selectFrom('foreign_identifier')
        .select(['identifier', 'entity_id'])
        .where('org_id', '=', orgId)
        .where('entity', '=', 'person')
        .where('identifier', 'in', identifiers)
        .execute();
      for (const o of owned)
        if (o.entity_id !== id)
          problems.push({ field: 'identifiers', message: `${o.identifier} belongs to another person` });
    }
    if (problems.length > 0)
      throw new AppError('validation_failed', `${problems[0]?.field}: ${problems[0]?.message}`, {
        fields: problems,
      });
    await writeBatch(db, {
      orgId,
      source,
      now: ctx.now(),
      newPeople: [],
      updatedPeople: [],
      emails: new Map(),
      phones: new Map(),
      addresses: new Map(),
      identifiers: new Map(identifiers.map((i) => [i, id])),
      taggings: [],
      duplicates: new Map(),
      fieldValues: new Map(
        values.map((v) => [`${id}|${v.field.id}`, { person_id: id, field_id: v.field.id, value: v.value }]),
      ),
      touchedExisting: new Set(),
    });
  };
  if (ctx.db.isTransaction) await run(ctx.db);
  else await ctx.db.transaction().execute(run);
}
