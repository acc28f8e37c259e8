import { sql } from 'kysely';
import { loadAccess, loadFacts, peopleScope } from '../access/index.js';
import { actorUserId, type Ctx } from '../context.js';
import { newId } from '../db/ids.js';
import { AppError, invalid, notFound } from '../errors.js';
import type { Paged } from '../http/paging.js';
import { addActivity, assertLivePerson, assertOrgUser } from '../notes/index.js';
import { accessOf, decide, PERSON_FIELDS } from '../policy/index.js';
import type {
  FollowUpInput,
  FollowUpPatch,
  FollowUpView,
  MineQuery,
  OneOnOneInput,
  OneOnOneView,
} from './followups.schemas.js';

/**
 * A user who is to own a follow-up (or a relationship) must be of this organization and able to
 * read the person: work handed to someone who cannot see its subject would be invisible to them.
 */
export async function assertUserReaches(
  ctx: Ctx,
  userId: string,
  personId: string,
  field: string,
): Promise<void> {
  await assertOrgUser(ctx, userId, field);
  const access = await loadAccess(ctx.db, ctx.actor.orgId, userId, ctx.now());
  const facts = (await loadFacts(ctx.db, access, [personId])).get(personId);
  if (
    !facts ||
    !decide(access, 'people.read', facts, { name: 'timeline', fieldClass: PERSON_FIELDS.timeline }).allowed
  )
    throw invalid(field, 'this user may not see this person');
}

function rows(ctx: Ctx) {
  return ctx.db
    .selectFrom('follow_up as f')
    .innerJoin('person as p', 'p.id', 'f.person_id')
    .where('f.org_id', '=', ctx.actor.orgId)
    .where('p.merged_into', 'is', null);
}

const COLUMNS = [
  'f.id',
  'f.person_id',
  'p.given_name',
  'p.family_name',
  'f.owner_id',
  'f.title',
  'f.due_at',
  'f.status',
  'f.done_at',
  'f.activity_id',
  'f.created_by',
  'f.created_at',
] as const;

type Row = Omit<FollowUpView, 'person'> & {
  person_id: string;
  given_name: string | null;
  family_name: string | null;
};
const view = ({ person_id, given_name, family_name, ...rest }: Row): FollowUpView => ({
  ...rest,
  person: { id: person_id, given_name, family_name },
});

async function reload(ctx: Ctx, id: string): Promise<FollowUpView> {
  return view(await rows(ctx).select(COLUMNS).where('f.id', '=', id).executeTakeFirstOrThrow());
}

/** Writes a follow-up in the caller's transaction (ctx.db may be one); the person is checked. */
async function insertFollowUp(
  ctx: Ctx,
  personId: string,
  input: FollowUpInput,
  activityId: string | null,
  ownerField: string,
): Promise<FollowUpView> {
  const owner = input.owner_id ?? actorUserId(ctx.actor);
  if (owner) await assertUserReaches(ctx, owner, personId, ownerField);
  const id = newId();
  await ctx.db
    .insertInto('follow_up')
    .values({
      org_id: ctx.actor.orgId,
      id,
      person_id: personId,
      owner_id: owner,
      title: input.title,
      due_at: input.due_at,
      done_at: null,
      activity_id: activityId,
      created_by: actorUserId(ctx.actor),
    })
    .execute();
  return await reload(ctx, id);
}

/** A person's follow-ups, open first, then by due date. */
export async function listFollowUps(ctx: Ctx, personId: string): Promise<FollowUpView[]> {
  await assertLivePerson(ctx, personId, 'people.read');
  const found = await rows(ctx)
    .select(COLUMNS)
    .where('f.person_id', '=', personId)
    .orderBy(sql`f.status = 'open'`, 'desc')
    .orderBy('f.due_at')
    .orderBy('f.id')
    .execute();
  return found.map(view);
}

/** A follow-up about a person, owned by the caller unless another user (who can see the person) is named. */
export async function addFollowUp(ctx: Ctx, personId: string, input: FollowUpInput): Promise<FollowUpView> {
  await assertLivePerson(ctx, personId, 'people.write');
  return await insertFollowUp(ctx, personId, input, null, 'owner_id');
}

/** Changes a follow-up (title, due date, owner) or marks it done or cancelled. */
export async function updateFollowUp(ctx: Ctx, id: string, patch: FollowUpPatch): Promise<FollowUpView> {
  const found = await ctx.db
    .selectFrom('follow_up')
    .select(['person_id', 'status'])
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!found) throw notFound('follow-up');
  await assertLivePerson(ctx, found.person_id, 'people.write');
  if (patch.owner_id) await assertUserReaches(ctx, patch.owner_id, found.person_id, 'owner_id');
  const set: Record<string, unknown> = {};
  for (const key of ['title', 'due_at', 'owner_id'] as const)
    if (patch[key] !== undefined) set[key] = patch[key];
  if (patch.status !== undefined && patch.status !== found.status) {
    set.status = patch.status;
    set.done_at = patch.status === 'open' ? null : ctx.now();
  }
  if (Object.keys(set).length > 0)
    await ctx.db.updateTable('follow_up').set(set).where('id', '=', id).execute();
  return await reload(ctx, id);
}

/**
 * The caller's open follow-ups about people they may still see: all of them, those due within
 * `days` (and not yet overdue), or the overdue ones; soonest due first.
 */
export async function myFollowUps(ctx: Ctx, query: MineQuery): Promise<Paged<FollowUpView>> {
  const me = actorUserId(ctx.actor);
  if (!me) throw new AppError('bad_request', 'only a user has follow-ups of their own');
  const scope = await peopleScope(ctx.db, accessOf(ctx.actor), 'people.read', [PERSON_FIELDS.timeline]);
  const now = ctx.now();
  let base = rows(ctx).where('f.owner_id', '=', me).where('f.status', '=', 'open');
  if (query.when === 'overdue') base = base.where('f.due_at', '<', now);
  if (query.when === 'due_soon')
    base = base
      .where('f.due_at', '>=', now)
      .where('f.due_at', '<', new Date(now.getTime() + query.days * 86_400_000));
  if (scope) base = base.where(scope);
  const [items, total] = await Promise.all([
    base
      .select(COLUMNS)
      .orderBy('f.due_at')
      .orderBy('f.id')
      .limit(query.per_page)
      .offset((query.page - 1) * query.per_page)
      .execute(),
    base.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: items.map(view), total: total.n, page: query.page, per_page: query.per_page };
}

/**
 * Logs a one-on-one in one request: an activity of kind one_on_one on the person's timeline (who,
 * by whom, when, notes), its interests and next step, and a follow-up when one is asked for; all in
 * one transaction.
 */
export async function logOneOnOne(ctx: Ctx, personId: string, input: OneOnOneInput): Promise<OneOnOneView> {
  if (input.follow_up && !input.follow_up.title && !input.next_step)
    throw invalid('follow_up.title', 'give the follow-up a title, or a next_step to use as one');
  return await ctx.db.transaction().execute(async (trx) => {
    const tctx = { ...ctx, db: trx };
    const activity = await addActivity(tctx, personId, {
      kind: 'one_on_one',
      occurred_at: input.occurred_at ?? ctx.now(),
      actor_id: input.by,
      body: input.notes ?? null,
    }).catch((error: unknown) => {
      // addActivity names the organizer `actor_id`; here the field is `by`.
      if (error instanceof AppError && error.fields[0]?.field === 'actor_id')
        throw invalid('by', error.fields[0].message);
      throw error;
    });
    const interests = [...new Set(input.interests ?? [])];
    await trx
      .insertInto('one_on_one')
      .values({
        org_id: ctx.actor.orgId,
        activity_id: activity.id,
        interests,
        next_step: input.next_step ?? null,
      })
      .execute();
    const followUp = input.follow_up
      ? await insertFollowUp(
          tctx,
          personId,
          {
            title: input.follow_up.title ?? (input.next_step as string),
            due_at: input.follow_up.due_at,
            ...(input.follow_up.owner_id ? { owner_id: input.follow_up.owner_id } : {}),
          },
          activity.id,
          'follow_up.owner_id',
        )
      : null;
    return { activity, interests, next_step: input.next_step ?? null, follow_up: followUp };
  });
}

/** A person's one-on-ones, newest first, with their interests and next steps. */
export async function listOneOnOnes(ctx: Ctx, personId: string): Promise<Omit<OneOnOneView, 'follow_up'>[]> {
  await assertLivePerson(ctx, personId, 'people.read');
  const found = await ctx.db
    .selectFrom('activity as a')
    .leftJoin('one_on_one as o', 'o.activity_id', 'a.id')
    .select([
      'a.id',
      'a.person_id',
      'a.kind',
      'a.occurred_at',
      'a.actor_id',
      'a.outcome',
      'a.body',
      'a.created_at',
      'a.updated_at',
      'o.interests',
      'o.next_step',
    ])
    .where('a.org_id', '=', ctx.actor.orgId)
    .where('a.person_id', '=', personId)
    .where('a.kind', '=', 'one_on_one')
    .orderBy('a.occurred_at', 'desc')
    .orderBy('a.id', 'desc')
    .execute();
  return found.map(({ interests, next_step, ...activity }) => ({
    activity,
    interests: interests ?? [],
    next_step: next_step ?? null,
  }));
}
