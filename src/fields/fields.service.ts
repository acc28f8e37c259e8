import type { Ctx } from '../context.js';
import { newId } from '../db/ids.js';
import { invalid, notFound } from '../errors.js';
import { assertAllowed } from '../policy/index.js';
import type { FieldInput, FieldPatch, FieldView } from './fields.schemas.js';

const COLUMNS = [
  'id',
  'key',
  'label',
  'field_type as type',
  'choices',
  'field_class',
  'archived_at',
  'created_at',
  'updated_at',
] as const;

/** The organization's custom fields by key; archived ones only when asked. */
export async function listFields(
  ctx: Ctx,
  options: { page: number; perPage: number; includeArchived: boolean },
): Promise<{ items: FieldView[]; total: number; page: number; per_page: number }> {
  assertAllowed(ctx.actor, 'people.read');
  let query = ctx.db.selectFrom('custom_field').where('org_id', '=', ctx.actor.orgId);
  if (!options.includeArchived) query = query.where('archived_at', 'is', null);
  const [items, total] = await Promise.all([
    query
      .select(COLUMNS)
      .orderBy('key')
      .limit(options.perPage)
      .offset((options.page - 1) * options.perPage)
      .execute(),
    query.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items, total: Number(total.n), page: options.page, per_page: options.perPage };
}

export async function getField(ctx: Ctx, id: string): Promise<FieldView> {
  assertAllowed(ctx.actor, 'people.read');
  const field = await ctx.db
    .selectFrom('custom_field')
    .select(COLUMNS)
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!field) throw notFound('custom field');
  return field;
}

/** Defines a field. A key in use (even by an archived field) is refused: values are keyed by it. */
export async function createField(ctx: Ctx, input: FieldInput): Promise<FieldView> {
  assertAllowed(ctx.actor, 'fields.manage');
  return await ctx.db
    .insertInto('custom_field')
    .values({
      org_id: ctx.actor.orgId,
      id: newId(),
      key: input.key,
      label: input.label,
      field_type: input.type,
      choices: input.choices ?? null,
      field_class: input.field_class,
    })
    .returning(COLUMNS)
    .executeTakeFirstOrThrow();
}

/**
 * Changes a field's label, choices or class, or archives it (archived fields stop accepting
 * values and leave listings; their stored values stay). Removing a choice leaves values already
 * stored with it as they are.
 */
export async function updateField(ctx: Ctx, id: string, patch: FieldPatch): Promise<FieldView> {
  assertAllowed(ctx.actor, 'fields.manage');
  const current = await getField(ctx, id);
  if (patch.choices !== undefined) {
    if (current.type !== 'single_choice' && current.type !== 'multi_choice')
      throw invalid('choices', 'only choice fields have choices');
    if (new Set(patch.choices.map((c) => c.toLowerCase())).size !== patch.choices.length)
      throw invalid('choices', 'choices must be distinct');
  }
  const set: Record<string, unknown> = {};
  if (patch.label !== undefined) set.label = patch.label;
  if (patch.choices !== undefined) set.choices = patch.choices;
  if (patch.field_class !== undefined) set.field_class = patch.field_class;
  if (patch.archived !== undefined && patch.archived !== (current.archived_at !== null))
    set.archived_at = patch.archived ? ctx.now() : null;
  if (Object.keys(set).length === 0) return current;
  return await ctx.db
    .updateTable('custom_field')
    .set(set)
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', '=', id)
    .returning(COLUMNS)
    .executeTakeFirstOrThrow();
}
