import { sql } from 'kysely';
import { z } from 'zod';
import {
  assertFieldsWritable,
  customFieldClasses,
  type ProjectedPerson,
  projectPeople,
  requirePerson,
} from '../access/people-access.js';
import { outermostPaths } from '../access/scope.js';
import { actorSource, type Ctx } from '../context.js';
import { AppError, notFound } from '../errors.js';
import { accessOf, type FieldClass, inSubtree, PERSON_FIELDS, type PersonField } from '../policy/index.js';
import { loadFieldDefinitions, validateFieldValues } from './field-values.js';
import { PersonInput, type PersonInputRaw, type Source } from './people.schemas.js';
import { loadPeople } from './people.view.js';
import { lockOrgPeople, type UpsertOutcome, upsertPeople } from './upsert.js';
import { writeBatch } from './upsert.writes.js';

/**
 * One person as the actor may see them, or 404: also for another organization's id, a person
 * merged away, or a person outside the actor's reach.
 */
export async function getPerson(ctx: Ctx, id: string): Promise<ProjectedPerson> {
  await requirePerson(ctx, id, 'people.read');
  const [person] = await projectPeople(ctx, await loadPeople(ctx.db, ctx.actor.orgId, [id]));
  if (!person) throw notFound('person');
  return person;
}

/**
 * Where people added by this actor live when the input names no home unit: nowhere in particular
 * for someone who may write across the organization, else the actor's own unit (the first of
 * their units), so that a local organizer can see the people she adds.
 */
function defaultUnitFor(ctx: Ctx): string | undefined {
  const grants = accessOf(ctx.actor).grants.filter((g) => g.actions.has('people.write'));
  if (grants.some((g) => g.scope.kind === 'org')) return undefined;
  return outermostPaths(grants.flatMap((g) => (g.scope.kind === 'unit' ? [g.scope.path] : [])))[0];
}

/** Refuses a home unit outside every unit the actor may write in. */
function assertUnitWritable(ctx: Ctx, path: string | null): void {
  const grants = accessOf(ctx.actor).grants.filter((g) => g.actions.has('people.write'));
  if (grants.some((g) => g.scope.kind === 'org')) return;
  const roots = grants.flatMap((g) => (g.scope.kind === 'unit' ? [g.scope.path] : []));
  if (roots.some((root) => inSubtree(path, root))) return;
  throw new AppError('forbidden', `home_unit: you may only home people in ${roots.join(', ') || 'no unit'}`, {
    fields: [{ field: 'home_unit', message: `you may only home people in ${roots.join(', ') || 'no unit'}` }],
  });
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
): Promise<{ person: ProjectedPerson; created: boolean; flaggedWith: string[] }> {
  const parsed = PersonInput.safeParse(raw);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => ({
      field: i.path.map(String).join('.') || 'person',
      message: i.message,
    }));
    throw new AppError('validation_failed', `${fields[0]?.field}: ${fields[0]?.message}`, { fields });
  }
  if (parsed.data.home_unit) assertUnitWritable(ctx, parsed.data.home_unit);
  const unitPath = defaultUnitFor(ctx);
  const [result] = (await upsertPeople(ctx, [parsed.data], source, {
    ...options,
    ...(unitPath ? { unitPath } : {}),
  })) as [UpsertOutcome];
  if (result.outcome === 'rejected') {
    const first = result.problems[0];
    throw new AppError('validation_failed', `${first?.field}: ${first?.message}`, {
      fields: result.problems,
    });
  }
  // A signup can match someone the actor may not see (forms and imports add to a person wherever
  // they live): the answer then holds the id alone, and nothing of the record.
  const [person] = await projectPeople(ctx, await loadPeople(ctx.db, ctx.actor.orgId, [result.personId]));
  return {
    person: person ?? { id: result.personId },
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

const PATCH_FIELDS: Record<keyof PersonPatch, PersonField> = {
  given_name: 'given_name',
  family_name: 'family_name',
  additional_name: 'additional_name',
  pronouns: 'pronouns',
  preferred_language: 'preferred_language',
  birthdate: 'birthdate',
  do_not_contact: 'do_not_contact',
  sensitive: 'sensitive',
  home_unit: 'home_unit',
};

export async function updatePerson(ctx: Ctx, id: string, patch: PersonPatch): Promise<ProjectedPerson> {
  const orgId = ctx.actor.orgId;
  const facts = await requirePerson(ctx, id, 'people.write');
  await assertFieldsWritable(
    ctx,
    facts,
    (Object.keys(patch) as (keyof PersonPatch)[]).map((key) => ({
      name: PATCH_FIELDS[key],
      fieldClass: PERSON_FIELDS[PATCH_FIELDS[key]],
    })),
  );
  if (patch.home_unit !== undefined) assertUnitWritable(ctx, patch.home_unit);
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
  await requirePerson(ctx, id, 'people.delete');
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
  const personFacts = await requirePerson(ctx, id, 'people.write');
  const classes = await customFieldClasses(ctx.db, orgId);
  await assertFieldsWritable(ctx, personFacts, [
    ...Object.keys(facts.custom_fields ?? {}).map((key) => ({
      name: `custom_fields.${key}`,
      fieldClass: (classes.get(key) ?? 'restricted') as FieldClass,
    })),
    ...((facts.identifiers ?? []).length > 0
      ? [{ name: 'identifiers', fieldClass: PERSON_FIELDS.identifiers as FieldClass }]
      : []),
  ]);
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
