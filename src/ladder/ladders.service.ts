import { sql } from 'kysely';
import type { Ctx } from '../context.js';
import { newId } from '../db/ids.js';
import { AppError, invalid, notFound } from '../errors.js';
import { assertAllowed } from '../policy/index.js';
import type {
  LadderInput,
  LadderPatch,
  LadderView,
  LevelInput,
  LevelPatch,
  LevelView,
  RuleInput,
  RulePatch,
  RuleView,
} from './ladder.schemas.js';

const LADDER = [
  'id',
  'name',
  'description',
  'stale_after_days',
  'archived_at',
  'created_at',
  'updated_at',
] as const;
const LEVEL = ['id', 'position', 'name', 'description', 'retired_at'] as const;
const RULE = [
  'id',
  'name',
  'level_id',
  'source',
  'activity_kinds',
  'min_count',
  'window_days',
  'enabled',
] as const;

/** Unique-name clashes are the one database refusal a caller can cause here. */
function nameTaken(error: unknown, what: string): never {
  if (error instanceof Error && /ladder_org_name_key|ladder_level_live_name_key/.test(error.message))
    throw new AppError('conflict', `name: a ${what} with this name already exists`, {
      fields: [{ field: 'name', message: 'already exists' }],
    });
  throw error;
}

/** Every ladder of the organization (archived ones last), with levels and rules. */
export async function listLadders(ctx: Ctx): Promise<LadderView[]> {
  const ladders = await ctx.db
    .selectFrom('ladder')
    .select(LADDER)
    .where('org_id', '=', ctx.actor.orgId)
    .orderBy(sql`archived_at IS NOT NULL`)
    .orderBy('name')
    .execute();
  if (ladders.length === 0) return [];
  const ids = ladders.map((l) => l.id);
  const [levels, rules] = await Promise.all([
    ctx.db
      .selectFrom('ladder_level')
      .select(['ladder_id', ...LEVEL])
      .where('org_id', '=', ctx.actor.orgId)
      .where('ladder_id', 'in', ids)
      .orderBy('position')
      .execute(),
    ctx.db
      .selectFrom('ladder_rule')
      .select(['ladder_id', ...RULE])
      .where('org_id', '=', ctx.actor.orgId)
      .where('ladder_id', 'in', ids)
      .orderBy('id')
      .execute(),
  ]);
  return ladders.map((l) => ({
    ...l,
    levels: levels.filter((v) => v.ladder_id === l.id).map(({ ladder_id: _, ...v }) => v),
    rules: rules.filter((r) => r.ladder_id === l.id).map(({ ladder_id: _, ...r }) => r),
  }));
}

export async function getLadder(ctx: Ctx, ladderId: string): Promise<LadderView> {
  const ladder = (await listLadders(ctx)).find((l) => l.id === ladderId);
  if (!ladder) throw notFound('ladder');
  return ladder;
}

/** Creates a ladder, with its first levels (lowest first) when given. */
export async function createLadder(ctx: Ctx, input: LadderInput): Promise<LadderView> {
  assertAllowed(ctx.actor, 'ladders.manage');
  const id = newId();
  try {
    await ctx.db.transaction().execute(async (trx) => {
      await trx
        .insertInto('ladder')
        .values({
          org_id: ctx.actor.orgId,
          id,
          name: input.name,
          description: input.description ?? null,
          stale_after_days: input.stale_after_days,
          archived_at: null,
        })
        .execute();
      const levels = input.levels ?? [];
      if (levels.length > 0)
        await trx
          .insertInto('ladder_level')
          .values(
            levels.map((level, i) => ({
              org_id: ctx.actor.orgId,
              id: newId(),
              ladder_id: id,
              position: i + 1,
              name: level.name,
              description: level.description ?? null,
              retired_at: null,
            })),
          )
          .execute();
    });
  } catch (error) {
    nameTaken(error, 'ladder or level');
  }
  return await getLadder(ctx, id);
}

async function ladderRow(ctx: Ctx, ladderId: string) {
  const ladder = await ctx.db
    .selectFrom('ladder')
    .select(['id', 'archived_at'])
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', '=', ladderId)
    .executeTakeFirst();
  if (!ladder) throw notFound('ladder');
  return ladder;
}

export async function updateLadder(ctx: Ctx, ladderId: string, patch: LadderPatch): Promise<LadderView> {
  assertAllowed(ctx.actor, 'ladders.manage');
  const ladder = await ladderRow(ctx, ladderId);
  const set: Record<string, unknown> = {};
  if (patch.name !== undefined) set.name = patch.name;
  if (patch.description !== undefined) set.description = patch.description;
  if (patch.stale_after_days !== undefined) set.stale_after_days = patch.stale_after_days;
  if (patch.archived !== undefined && patch.archived !== (ladder.archived_at !== null))
    set.archived_at = patch.archived ? ctx.now() : null;
  if (Object.keys(set).length > 0) {
    try {
      await ctx.db.updateTable('ladder').set(set).where('id', '=', ladderId).execute();
    } catch (error) {
      nameTaken(error, 'ladder');
    }
  }
  return await getLadder(ctx, ladderId);
}

/** Adds a level at the top of the ladder (the highest position so far plus one). */
export async function addLevel(ctx: Ctx, ladderId: string, input: LevelInput): Promise<LevelView> {
  assertAllowed(ctx.actor, 'ladders.manage');
  await ladderRow(ctx, ladderId);
  try {
    return await ctx.db
      .insertInto('ladder_level')
      .values({
        org_id: ctx.actor.orgId,
        id: newId(),
        ladder_id: ladderId,
        position: sql<number>`(SELECT coalesce(max(position), 0) + 1 FROM ladder_level WHERE ladder_id = ${ladderId})`,
        name: input.name,
        description: input.description ?? null,
        retired_at: null,
      })
      .returning(LEVEL)
      .executeTakeFirstOrThrow();
  } catch (error) {
    nameTaken(error, 'level');
  }
}

/** Renames or retires a level in place: assessments keep pointing at it, under its new name. */
export async function updateLevel(
  ctx: Ctx,
  ladderId: string,
  levelId: string,
  patch: LevelPatch,
): Promise<LevelView> {
  assertAllowed(ctx.actor, 'ladders.manage');
  await ladderRow(ctx, ladderId);
  const level = await ctx.db
    .selectFrom('ladder_level')
    .select(LEVEL)
    .where('ladder_id', '=', ladderId)
    .where('id', '=', levelId)
    .executeTakeFirst();
  if (!level) throw notFound('level');
  const set: Record<string, unknown> = {};
  if (patch.name !== undefined) set.name = patch.name;
  if (patch.description !== undefined) set.description = patch.description;
  if (patch.retired !== undefined && patch.retired !== (level.retired_at !== null))
    set.retired_at = patch.retired ? ctx.now() : null;
  if (Object.keys(set).length === 0) return level;
  try {
    return await ctx.db
      .updateTable('ladder_level')
      .set(set)
      .where('id', '=', levelId)
      .returning(LEVEL)
      .executeTakeFirstOrThrow();
  } catch (error) {
    nameTaken(error, 'level');
  }
}

/** A live (not retired) level of a ladder that is not archived, or a validation error naming `field`. */
export async function liveLevel(
  ctx: Ctx,
  ladderId: string,
  levelId: string,
  field = 'level_id',
): Promise<{ id: string; position: number; name: string }> {
  const row = await ctx.db
    .selectFrom('ladder_level as v')
    .innerJoin('ladder as l', 'l.id', 'v.ladder_id')
    .select(['v.id', 'v.position', 'v.name', 'v.retired_at', 'l.archived_at'])
    .where('l.org_id', '=', ctx.actor.orgId)
    .where('v.ladder_id', '=', ladderId)
    .where('v.id', '=', levelId)
    .executeTakeFirst();
  if (!row) throw invalid(field, 'no such level on this ladder');
  if (row.archived_at) throw new AppError('conflict', 'this ladder is archived');
  if (row.retired_at) throw new AppError('conflict', 'this level is retired');
  return { id: row.id, position: row.position, name: row.name };
}

export async function addRule(ctx: Ctx, ladderId: string, input: RuleInput): Promise<RuleView> {
  assertAllowed(ctx.actor, 'ladders.manage');
  await ladderRow(ctx, ladderId);
  await liveLevel(ctx, ladderId, input.level_id);
  return await ctx.db
    .insertInto('ladder_rule')
    .values({
      org_id: ctx.actor.orgId,
      id: newId(),
      ladder_id: ladderId,
      level_id: input.level_id,
      name: input.name,
      source: input.source,
      activity_kinds: [...new Set(input.activity_kinds)],
      min_count: input.min_count,
      window_days: input.window_days,
      enabled: input.enabled ?? true,
    })
    .returning(RULE)
    .executeTakeFirstOrThrow();
}

export async function updateRule(
  ctx: Ctx,
  ladderId: string,
  ruleId: string,
  patch: RulePatch,
): Promise<RuleView> {
  assertAllowed(ctx.actor, 'ladders.manage');
  await ladderRow(ctx, ladderId);
  const set: Record<string, unknown> = {};
  for (const key of ['name', 'min_count', 'window_days', 'enabled'] as const)
    if (patch[key] !== undefined) set[key] = patch[key];
  if (patch.activity_kinds !== undefined) set.activity_kinds = [...new Set(patch.activity_kinds)];
  const rule =
    Object.keys(set).length > 0
      ? await ctx.db
          .updateTable('ladder_rule')
          .set(set)
          .where('ladder_id', '=', ladderId)
          .where('id', '=', ruleId)
          .returning(RULE)
          .executeTakeFirst()
      : await ctx.db
          .selectFrom('ladder_rule')
          .select(RULE)
          .where('ladder_id', '=', ladderId)
          .where('id', '=', ruleId)
          .executeTakeFirst();
  if (!rule) throw notFound('rule');
  return rule;
}
