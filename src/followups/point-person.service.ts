import { actorUserId, type Ctx } from '../context.js';
import { newId } from '../db/ids.js';
import { assertPersonField } from '../notes/index.js';
import type { PointPersonView } from './followups.schemas.js';
import { assertUserReaches } from './followups.service.js';

/** The organizer who owns the relationship with this person (nulls when nobody does). */
export async function getPointPerson(ctx: Ctx, personId: string): Promise<PointPersonView> {
  await assertPersonField(ctx, personId, 'people.read', 'point_person');
  const row = await ctx.db
    .selectFrom('point_person as pp')
    .innerJoin('app_user as u', 'u.id', 'pp.user_id')
    .select(['pp.user_id', 'u.display_name', 'pp.assigned_by', 'pp.updated_at'])
    .where('pp.org_id', '=', ctx.actor.orgId)
    .where('pp.person_id', '=', personId)
    .executeTakeFirst();
  return {
    person_id: personId,
    user_id: row?.user_id ?? null,
    display_name: row?.display_name ?? null,
    assigned_by: row?.assigned_by ?? null,
    assigned_at: row?.updated_at ?? null,
  };
}

/** Makes a user (of this organization, who can see the person) their point person, replacing any other. */
export async function setPointPerson(ctx: Ctx, personId: string, userId: string): Promise<PointPersonView> {
  await assertPersonField(ctx, personId, 'people.write', 'point_person');
  await assertUserReaches(ctx, userId, personId, 'user_id');
  await ctx.db
    .insertInto('point_person')
    .values({
      org_id: ctx.actor.orgId,
      id: newId(),
      person_id: personId,
      user_id: userId,
      assigned_by: actorUserId(ctx.actor),
    })
    .onConflict((oc) =>
      oc
        .constraint('point_person_person_key')
        .doUpdateSet({ user_id: userId, assigned_by: actorUserId(ctx.actor) }),
    )
    .execute();
  return await getPointPerson(ctx, personId);
}

/** Leaves the person without a point person. */
export async function clearPointPerson(ctx: Ctx, personId: string): Promise<void> {
  await assertPersonField(ctx, personId, 'people.write', 'point_person');
  await ctx.db
    .deleteFrom('point_person')
    .where('org_id', '=', ctx.actor.orgId)
    .where('person_id', '=', personId)
    .execute();
}
