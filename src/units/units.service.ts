import { sql } from 'kysely';
import { z } from 'zod';
import type { Ctx } from '../context.js';
import { newId } from '../db/ids.js';
import type { UnitKind } from '../db/schema.js';
import { AppError, notFound } from '../errors.js';
import { parseInput } from '../http/parse-input.js';
import { type Action, accessOf } from '../policy/index.js';

export const UNIT_KINDS = ['network', 'organization', 'chapter', 'local', 'team'] as const;
/** Lower-case labels of letters, digits and underscores, joined by dots (the search's subtree range relies on it). */
export const UNIT_PATH = /^[a-z0-9_]{1,63}(\.[a-z0-9_]{1,63}){0,15}$/;

export const UnitInput = z.object({
  path: z
    .string()
    .trim()
    .regex(UNIT_PATH, 'a path like east.oakland: lower-case letters, digits and _, joined by dots'),
  name: z.string().trim().min(1, 'give the unit a name').max(200),
  kind: z.enum(UNIT_KINDS).default('local'),
});
export type UnitInput = z.input<typeof UnitInput>;

export interface UnitView {
  id: string;
  path: string;
  name: string;
  kind: UnitKind;
  created_at: Date;
}

const select = ['id', sql<string>`path::text`.as('path'), 'name', 'kind', 'created_at'] as const;

/** Adds a unit. Its parent (the path without its last label) must exist, unless it is a root. */
export async function addUnit(ctx: Ctx, raw: UnitInput): Promise<UnitView> {
  const input = parseInput(UnitInput, raw);
  const orgId = ctx.actor.orgId;
  const labels = input.path.split('.');
  if (labels.length > 1) {
    const parent = labels.slice(0, -1).join('.');
    const found = await ctx.db
      .selectFrom('unit')
      .select('id')
      .where('org_id', '=', orgId)
      .where(sql<string>`path::text`, '=', parent)
      .executeTakeFirst();
    if (!found) {
      throw new AppError(
        'validation_failed',
        `path: the parent unit ${parent} does not exist; add it first`,
        {
          fields: [{ field: 'path', message: `the parent unit ${parent} does not exist` }],
        },
      );
    }
  }
  const clash = await ctx.db
    .selectFrom('unit')
    .select('id')
    .where('org_id', '=', orgId)
    .where(sql<string>`path::text`, '=', input.path)
    .executeTakeFirst();
  if (clash) {
    throw new AppError('conflict', `path: a unit with the path ${input.path} already exists`, {
      fields: [{ field: 'path', message: 'a unit with this path already exists' }],
    });
  }
  return await ctx.db
    .insertInto('unit')
    .values({
      org_id: orgId,
      id: newId(),
      path: sql`${input.path}::ltree` as unknown as string,
      name: input.name,
      kind: input.kind,
    })
    .returning(select)
    .executeTakeFirstOrThrow();
}

/** The organization's units in tree order (each parent before its children). */
export async function listUnits(ctx: Ctx, options: { reach?: Action } = {}): Promise<UnitView[]> {
  let query = ctx.db.selectFrom('unit').select(select).where('org_id', '=', ctx.actor.orgId);
  if (options.reach) {
    // Only the units whose people the actor may act on this way: the subtrees of the unit grants
    // holding the action (all of them with an organization-wide grant; none with neither).
    const action = options.reach;
    const grants = accessOf(ctx.actor).grants.filter((g) => g.actions.has(action));
    if (!grants.some((g) => g.scope.kind === 'org')) {
      const paths = grants.flatMap((g) => (g.scope.kind === 'unit' ? [g.scope.path] : []));
      if (paths.length === 0) return [];
      query = query.where((eb) => eb.or(paths.map((p) => sql<boolean>`path <@ ${p}::ltree`)));
    }
  }
  return await query.orderBy('path').execute();
}

/** One unit of the organization by its id (404 for another organization's). */
export async function getUnit(ctx: Ctx, id: string): Promise<UnitView> {
  const unit = await ctx.db
    .selectFrom('unit')
    .select(select)
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!unit) throw notFound('unit');
  return unit;
}

/** One unit of the organization by its path, like `east.oakland` (404 when there is none). */
export async function getUnitByPath(ctx: Ctx, path: string): Promise<UnitView> {
  const unit = await ctx.db
    .selectFrom('unit')
    .select(select)
    .where('org_id', '=', ctx.actor.orgId)
    .where(sql<string>`path::text`, '=', path)
    .executeTakeFirst();
  if (!unit) throw notFound('unit');
  return unit;
}

export const UnitPatch = z
  .object({ name: z.string().trim().min(1, 'give the unit a name').max(200) })
  .strict();
export type UnitPatch = z.input<typeof UnitPatch>;

/**
 * Renames a unit. Its path (which people's `home_unit_path` copies and grants name) stays: moving
 * a unit in the tree is another operation.
 */
export async function renameUnit(ctx: Ctx, id: string, raw: UnitPatch): Promise<UnitView> {
  const input = parseInput(UnitPatch, raw);
  const unit = await ctx.db
    .updateTable('unit')
    .set({ name: input.name })
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', '=', id)
    .returning(select)
    .executeTakeFirst();
  if (!unit) throw notFound('unit');
  return unit;
}
