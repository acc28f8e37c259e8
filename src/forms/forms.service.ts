import type { Ctx } from '../context.js';
import { actorUserId } from '../context.js';
import { newId } from '../db/ids.js';
import { AppError, invalid, notFound } from '../errors.js';
import { accessOf, assertAllowed, inSubtree } from '../policy/index.js';
import { formScope, formsFrom, parseStored } from './forms.queries.js';
import type { FormInput, FormPatch, FormView } from './forms.schemas.js';

function toView(row: Awaited<ReturnType<ReturnType<typeof formsFrom>['executeTakeFirstOrThrow']>>): FormView {
  const { unit_path: _path, ...rest } = parseStored(row);
  return rest;
}

/** A form the actor may manage; 404 for another organization's or one out of their units. */
export async function requireForm(ctx: Ctx, id: string): Promise<FormView> {
  assertAllowed(ctx.actor, 'forms.manage');
  let query = formsFrom(ctx.db, ctx.actor.orgId).where('f.id', '=', id);
  const scope = formScope(accessOf(ctx.actor));
  if (scope) query = query.where(scope);
  const row = await query.executeTakeFirst();
  if (!row) throw notFound('form');
  return toView(row);
}

async function requireManagedUnit(ctx: Ctx, unitId: string): Promise<void> {
  const unit = await ctx.db
    .selectFrom('unit')
    .select('path')
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', '=', unitId)
    .executeTakeFirst();
  if (!unit) throw invalid('unit_id', 'no unit with this id');
  const ok = accessOf(ctx.actor).grants.some(
    (g) =>
      g.actions.has('forms.manage') &&
      (g.scope.kind === 'org' || (g.scope.kind === 'unit' && inSubtree(unit.path, g.scope.path))),
  );
  if (!ok)
    throw new AppError('forbidden', 'unit_id: you may not manage forms in this unit', {
      fields: [{ field: 'unit_id', message: 'you may not manage forms in this unit' }],
    });
}

/** Creates a form or petition owned by a unit the actor manages forms in. */
export async function createForm(ctx: Ctx, input: FormInput): Promise<FormView> {
  assertAllowed(ctx.actor, 'forms.manage');
  await requireManagedUnit(ctx, input.unit_id);
  const id = newId();
  await ctx.db
    .insertInto('form')
    .values({
      org_id: ctx.actor.orgId,
      id,
      unit_id: input.unit_id,
      kind: input.kind,
      title: input.title,
      description: input.description ?? null,
      call_to_action: input.call_to_action ?? null,
      questions: JSON.stringify(input.questions),
      targets: JSON.stringify(input.targets),
      petition_text: input.petition_text ?? null,
      status: input.status,
      created_by: actorUserId(ctx.actor),
    })
    .execute();
  return await requireForm(ctx, id);
}

/** The forms and petitions of the actor's units, newest first. */
export async function listForms(
  ctx: Ctx,
  filter: { kind?: FormView['kind'] | undefined; page: number; perPage: number },
): Promise<{ items: FormView[]; total: number; page: number; per_page: number }> {
  assertAllowed(ctx.actor, 'forms.manage');
  let query = formsFrom(ctx.db, ctx.actor.orgId);
  const scope = formScope(accessOf(ctx.actor));
  if (scope) query = query.where(scope);
  if (filter.kind) query = query.where('f.kind', '=', filter.kind);
  const [rows, total] = await Promise.all([
    query
      .orderBy('f.created_at', 'desc')
      .orderBy('f.id', 'desc')
      .limit(filter.perPage)
      .offset((filter.page - 1) * filter.perPage)
      .execute(),
    query
      .clearSelect()
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(toView), total: Number(total.n), page: filter.page, per_page: filter.perPage };
}

/** Changes a form. A petition keeps its kind; a form gets no targets. */
export async function updateForm(ctx: Ctx, id: string, patch: FormPatch): Promise<FormView> {
  const form = await requireForm(ctx, id);
  if (form.kind === 'form' && ((patch.targets?.length ?? 0) > 0 || patch.petition_text))
    throw invalid('targets', 'only petitions have targets and a petition text');
  await ctx.db
    .updateTable('form')
    .set({
      ...(patch.title !== undefined ? { title: patch.title } : {}),
      ...(patch.description !== undefined ? { description: patch.description } : {}),
      ...(patch.call_to_action !== undefined ? { call_to_action: patch.call_to_action } : {}),
      ...(patch.questions !== undefined ? { questions: JSON.stringify(patch.questions) } : {}),
      ...(patch.targets !== undefined ? { targets: JSON.stringify(patch.targets) } : {}),
      ...(patch.petition_text !== undefined ? { petition_text: patch.petition_text } : {}),
      ...(patch.status !== undefined ? { status: patch.status } : {}),
    })
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', '=', id)
    .execute();
  return await requireForm(ctx, id);
}

/** Deletes a form with its submissions (the timeline keeps the activities). */
export async function deleteForm(ctx: Ctx, id: string): Promise<void> {
  await requireForm(ctx, id);
  await ctx.db.deleteFrom('form').where('org_id', '=', ctx.actor.orgId).where('id', '=', id).execute();
}
