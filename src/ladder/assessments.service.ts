import { actorUserId, type Ctx } from '../context.js';
import { newId } from '../db/ids.js';
import { assertPersonField } from '../notes/index.js';
import type { AssessmentInput, AssessmentView, PersonLadderView } from './ladder.schemas.js';
import { liveLevel } from './ladders.service.js';

const DAY = 86_400_000;

/** Assessments joined to their level's current name and position (`a`, `v`). */
export function assessments(ctx: Ctx) {
  return ctx.db
    .selectFrom('ladder_assessment as a')
    .innerJoin('ladder_level as v', 'v.id', 'a.level_id')
    .select([
      'a.id',
      'a.person_id',
      'a.ladder_id',
      'a.level_id',
      'v.name as level_name',
      'v.position as level_position',
      'a.assessed_at',
      'a.assessed_by',
      'a.evidence',
      'a.source',
      'a.suggestion_id',
    ])
    .where('a.org_id', '=', ctx.actor.orgId);
}

/**
 * A person's level on every ladder that is not archived: the latest assessment, how long ago, and
 * whether it is stale. The level is a status field: reading it takes the status class.
 */
export async function personLadders(ctx: Ctx, personId: string): Promise<PersonLadderView[]> {
  await assertPersonField(ctx, personId, 'people.read', 'ladder_level');
  const [ladders, latest] = await Promise.all([
    ctx.db
      .selectFrom('ladder')
      .select(['id', 'name', 'stale_after_days'])
      .where('org_id', '=', ctx.actor.orgId)
      .where('archived_at', 'is', null)
      .orderBy('name')
      .execute(),
    assessments(ctx)
      .distinctOn('a.ladder_id')
      .where('a.person_id', '=', personId)
      .orderBy('a.ladder_id')
      .orderBy('a.assessed_at', 'desc')
      .orderBy('a.id', 'desc')
      .execute(),
  ]);
  const now = ctx.now().getTime();
  return ladders.map((ladder) => {
    const current = latest.find((a) => a.ladder_id === ladder.id) ?? null;
    const days = current ? Math.floor((now - current.assessed_at.getTime()) / DAY) : null;
    return {
      ladder_id: ladder.id,
      ladder_name: ladder.name,
      current,
      days_since_assessed: days,
      stale: days === null || days > ladder.stale_after_days,
    };
  });
}

/** A person's assessments, newest first (the whole history, retired levels included). */
export async function listAssessments(
  ctx: Ctx,
  personId: string,
  ladderId: string | undefined,
): Promise<AssessmentView[]> {
  await assertPersonField(ctx, personId, 'people.read', 'ladder_level');
  let query = assessments(ctx).where('a.person_id', '=', personId);
  if (ladderId) query = query.where('a.ladder_id', '=', ladderId);
  return await query.orderBy('a.assessed_at', 'desc').orderBy('a.id', 'desc').execute();
}

/** Writes one assessment in the caller's transaction (ctx.db may be one). */
export async function insertAssessment(
  ctx: Ctx,
  personId: string,
  values: {
    ladderId: string;
    levelId: string;
    assessedAt: Date;
    evidence: string | null;
    suggestionId: string | null;
  },
): Promise<AssessmentView> {
  const id = newId();
  await ctx.db
    .insertInto('ladder_assessment')
    .values({
      org_id: ctx.actor.orgId,
      id,
      person_id: personId,
      ladder_id: values.ladderId,
      level_id: values.levelId,
      assessed_at: values.assessedAt,
      assessed_by: actorUserId(ctx.actor),
      evidence: values.evidence,
      source: values.suggestionId ? 'suggestion' : 'organizer',
      suggestion_id: values.suggestionId,
    })
    .execute();
  return await assessments(ctx).where('a.id', '=', id).executeTakeFirstOrThrow();
}

/**
 * Assesses a person on a ladder, dated and attributed to the caller. Writing a level takes
 * people.write with the status class over the person (a person under legal hold cannot be assessed).
 */
export async function assess(ctx: Ctx, personId: string, input: AssessmentInput): Promise<AssessmentView> {
  await assertPersonField(ctx, personId, 'people.write', 'ladder_level');
  await liveLevel(ctx, input.ladder_id, input.level_id);
  return await insertAssessment(ctx, personId, {
    ladderId: input.ladder_id,
    levelId: input.level_id,
    assessedAt: input.assessed_at ?? ctx.now(),
    evidence: input.evidence ?? null,
    suggestionId: null,
  });
}
