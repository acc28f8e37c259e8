import { actorUserId, type Ctx } from '../context.js';
import { newId } from '../db/ids.js';
import type { ActivityKind } from '../db/schema.js';
import { invalid, notFound } from '../errors.js';
import type { ActivityInput, ActivityPatch, ActivityView, NoteInput, NoteView } from './notes.schemas.js';
import { assertLivePerson } from './person-guard.js';

interface Page<T> {
  items: T[];
  total: number;
  page: number;
  per_page: number;
}
type Paging = { page: number; perPage: number };

const NOTE = ['id', 'person_id', 'author_id', 'body', 'created_at', 'updated_at'] as const;
const ACTIVITY = [
  'id',
  'person_id',
  'kind',
  'occurred_at',
  'actor_id',
  'outcome',
  'body',
  'created_at',
  'updated_at',
] as const;

/** A person's notes, newest first. */
export async function listNotes(ctx: Ctx, personId: string, paging: Paging): Promise<Page<NoteView>> {
  await assertLivePerson(ctx, personId, 'people.read');
  const base = ctx.db
    .selectFrom('note')
    .where('org_id', '=', ctx.actor.orgId)
    .where('person_id', '=', personId);
  const [items, total] = await Promise.all([
    base
      .select(NOTE)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(paging.perPage)
      .offset((paging.page - 1) * paging.perPage)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items, total: Number(total.n), page: paging.page, per_page: paging.perPage };
}

/** Adds a note to a person's record, authored by the caller. */
export async function addNote(ctx: Ctx, personId: string, input: NoteInput): Promise<NoteView> {
  await assertLivePerson(ctx, personId, 'people.write');
  return await ctx.db
    .insertInto('note')
    .values({
      org_id: ctx.actor.orgId,
      id: newId(),
      person_id: personId,
      author_id: actorUserId(ctx.actor),
      body: input.body,
    })
    .returning(NOTE)
    .executeTakeFirstOrThrow();
}

export async function updateNote(
  ctx: Ctx,
  personId: string,
  noteId: string,
  input: NoteInput,
): Promise<NoteView> {
  await assertLivePerson(ctx, personId, 'people.write');
  const note = await ctx.db
    .updateTable('note')
    .set({ body: input.body })
    .where('org_id', '=', ctx.actor.orgId)
    .where('person_id', '=', personId)
    .where('id', '=', noteId)
    .returning(NOTE)
    .executeTakeFirst();
  if (!note) throw notFound('note');
  return note;
}

export async function deleteNote(ctx: Ctx, personId: string, noteId: string): Promise<void> {
  await assertLivePerson(ctx, personId, 'people.write');
  const result = await ctx.db
    .deleteFrom('note')
    .where('org_id', '=', ctx.actor.orgId)
    .where('person_id', '=', personId)
    .where('id', '=', noteId)
    .executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw notFound('note');
}

/**
 * A person's activities (one-on-ones, calls, door knocks, meetings...), newest `occurred_at`
 * first. Notes are a separate list (GET .../notes): an activity of kind "note" is a logged
 * contact, a note is free text about the person.
 */
export async function listActivities(
  ctx: Ctx,
  personId: string,
  paging: Paging,
): Promise<Page<ActivityView>> {
  await assertLivePerson(ctx, personId, 'people.read');
  const base = ctx.db
    .selectFrom('activity')
    .where('org_id', '=', ctx.actor.orgId)
    .where('person_id', '=', personId);
  const [items, total] = await Promise.all([
    base
      .select(ACTIVITY)
      .orderBy('occurred_at', 'desc')
      .orderBy('id', 'desc')
      .limit(paging.perPage)
      .offset((paging.page - 1) * paging.perPage)
      .execute(),
    base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items, total: Number(total.n), page: paging.page, per_page: paging.perPage };
}

/** A user of this organization, or a validation error naming `field`. */
export async function assertOrgUser(
  ctx: Ctx,
  userId: string | null | undefined,
  field = 'actor_id',
): Promise<void> {
  if (!userId) return;
  const user = await ctx.db
    .selectFrom('app_user')
    .select('id')
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', '=', userId)
    .executeTakeFirst();
  if (!user) throw invalid(field, 'no user with this id in this organization');
}

/** Logs an activity with a person; the actor is the caller unless another user is named. */
export async function addActivity(ctx: Ctx, personId: string, input: ActivityInput): Promise<ActivityView> {
  await assertLivePerson(ctx, personId, 'people.write');
  await assertOrgUser(ctx, input.actor_id);
  return await insertActivity(ctx, personId, input);
}

/**
 * Puts an activity on a person's timeline without an access check of its own: for services that
 * have decided already under another action (a caller logs a call with `person.call` on a person
 * whose timeline they may not read; a public form signs someone up). Other domains may write
 * their own kinds (a form submission, a petition signature), which people cannot add by hand.
 */
export async function insertActivity(
  ctx: Ctx,
  personId: string,
  input: Omit<ActivityInput, 'kind'> & { kind: ActivityKind },
): Promise<ActivityView> {
  return await ctx.db
    .insertInto('activity')
    .values({
      org_id: ctx.actor.orgId,
      id: newId(),
      person_id: personId,
      kind: input.kind,
      occurred_at: input.occurred_at,
      actor_id: input.actor_id === undefined ? actorUserId(ctx.actor) : input.actor_id,
      outcome: input.outcome ?? null,
      body: input.body ?? null,
    })
    .returning(ACTIVITY)
    .executeTakeFirstOrThrow();
}

export async function updateActivity(
  ctx: Ctx,
  personId: string,
  activityId: string,
  patch: ActivityPatch,
): Promise<ActivityView> {
  await assertLivePerson(ctx, personId, 'people.write');
  await assertOrgUser(ctx, patch.actor_id);
  const set: Record<string, unknown> = {};
  for (const key of ['kind', 'occurred_at', 'actor_id', 'outcome', 'body'] as const) {
    if (patch[key] !== undefined) set[key] = patch[key];
  }
  let query = ctx.db
    .selectFrom('activity')
    .select(ACTIVITY)
    .where('org_id', '=', ctx.actor.orgId)
    .where('person_id', '=', personId)
    .where('id', '=', activityId);
  if (Object.keys(set).length > 0) {
    const updated = await ctx.db
      .updateTable('activity')
      .set(set)
      .where('org_id', '=', ctx.actor.orgId)
      .where('person_id', '=', personId)
      .where('id', '=', activityId)
      .returning(ACTIVITY)
      .executeTakeFirst();
    if (!updated) throw notFound('activity');
    return updated;
  }
  query = query.limit(1);
  const activity = await query.executeTakeFirst();
  if (!activity) throw notFound('activity');
  return activity;
}

export async function deleteActivity(ctx: Ctx, personId: string, activityId: string): Promise<void> {
  await assertLivePerson(ctx, personId, 'people.write');
  const result = await ctx.db
    .deleteFrom('activity')
    .where('org_id', '=', ctx.actor.orgId)
    .where('person_id', '=', personId)
    .where('id', '=', activityId)
    .executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw notFound('activity');
}
