import { type SqlBool, sql } from 'kysely';
import { peopleScope, projectPeople, requirePerson, requireUser } from '../access/index.js';
import { grantListAssignment, insertAnswers, revokeListAssignment } from '../calling/index.js';
import { actorUserId, type Ctx } from '../context.js';
import { newId } from '../db/ids.js';
import type { DoorResult } from '../db/schema.js';
import { AppError, invalid, notFound } from '../errors.js';
import { unitGrantGives } from '../events/index.js';
import { parseInput } from '../http/parse-input.js';
import { insertActivity } from '../notes/index.js';
import { loadPeople } from '../people/index.js';
import { accessOf, assertAllowed } from '../policy/index.js';
import { walkOrder } from './geometry.js';
import {
  CanvasserInput,
  DoorInput,
  type DoorResultView,
  type DoorView,
  WalkListInput,
  type WalkListView,
  type WalkSheetView,
} from './turf.schemas.js';
import { loadTurf, readableScope, residentsOf } from './turf.service.js';

/**
 * What a canvasser's assignment gives: the people of the walk list, to read, with their first
 * name, street address (lines and postal code: class contact) and locality. Not their family
 * name, emails or phones: the door needs a name to ask for and an address to find.
 */
export const CANVASSER_GRANT = {
  actions: ['people.read'],
  field_classes: [] as string[],
  fields: ['given_name', 'street_address', 'locality'],
};

interface WalkListRow {
  id: string;
  name: string;
  turf_id: string;
  survey_id: string | null;
  list_id: string;
  status: 'open' | 'closed';
  created_at: Date;
  unit_path: string;
}

/** A walk list its turf's managers and its canvassers may see; 404 for anyone else. */
async function loadWalkList(
  ctx: Ctx,
  id: string,
): Promise<WalkListRow & { manager: boolean; canvasser: boolean }> {
  const row = await ctx.db
    .selectFrom('walk_list as w')
    .innerJoin('turf as t', 't.id', 'w.turf_id')
    .innerJoin('unit as u', 'u.id', 't.unit_id')
    .select([
      'w.id',
      'w.name',
      'w.turf_id',
      'w.survey_id',
      'w.list_id',
      'w.status',
      'w.created_at',
      sql<string>`u.path::text`.as('unit_path'),
    ])
    .where('w.org_id', '=', ctx.actor.orgId)
    .where('w.id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound('walk list');
  const manager = unitGrantGives(accessOf(ctx.actor), 'turf.manage', row.unit_path);
  const userId = actorUserId(ctx.actor);
  const canvasser =
    !!userId &&
    !!(await ctx.db
      .selectFrom('walk_list_canvasser')
      .select('user_id')
      .where('walk_list_id', '=', id)
      .where('user_id', '=', userId)
      .where('assignment_id', 'is not', null)
      .executeTakeFirst());
  if (!manager && !canvasser) throw notFound('walk list');
  return { ...(row as WalkListRow), manager, canvasser };
}

async function loadManaged(ctx: Ctx, id: string) {
  assertAllowed(ctx.actor, 'turf.manage');
  const row = await loadWalkList(ctx, id);
  if (!row.manager) throw notFound('walk list');
  return row;
}

async function viewOf(ctx: Ctx, row: WalkListRow): Promise<WalkListView> {
  const [canvassers, progress] = await Promise.all([
    ctx.db
      .selectFrom('walk_list_canvasser')
      .select(['user_id', 'assignment_id'])
      .where('walk_list_id', '=', row.id)
      .orderBy('created_at')
      .orderBy('user_id')
      .execute(),
    sql<{ doors: number; done: number; people: number }>`
      SELECT count(*)::int AS doors, count(*) FILTER (WHERE status = 'done')::int AS done,
        (SELECT count(*)::int FROM walk_door_person dp JOIN walk_door d2 ON d2.id = dp.door_id
         WHERE d2.walk_list_id = ${row.id}) AS people
      FROM walk_door WHERE walk_list_id = ${row.id}`.execute(ctx.db),
  ]);
  const { unit_path: _u, ...rest } = row;
  return {
    id: rest.id,
    name: rest.name,
    turf_id: rest.turf_id,
    survey_id: rest.survey_id,
    list_id: rest.list_id,
    status: rest.status,
    created_at: rest.created_at,
    canvassers,
    progress: progress.rows[0] ?? { doors: 0, done: 0, people: 0 },
  };
}

export async function getWalkList(ctx: Ctx, id: string): Promise<WalkListView> {
  return await viewOf(ctx, await loadWalkList(ctx, id));
}

/** The walk lists of the turfs the actor manages, and those they canvass. */
export async function listWalkLists(ctx: Ctx): Promise<WalkListView[]> {
  const userId = actorUserId(ctx.actor);
  const ids = await ctx.db
    .selectFrom('walk_list as w')
    .innerJoin('turf as t', 't.id', 'w.turf_id')
    .innerJoin('unit as u', 'u.id', 't.unit_id')
    .select(['w.id', sql<string>`u.path::text`.as('unit_path')])
    .select((eb) =>
      eb
        .exists(
          eb
            .selectFrom('walk_list_canvasser as c')
            .select('c.user_id')
            .whereRef('c.walk_list_id', '=', 'w.id')
            .where('c.user_id', '=', userId ?? '00000000-0000-0000-0000-000000000000')
            .where('c.assignment_id', 'is not', null),
        )
        .as('canvasser'),
    )
    .where('w.org_id', '=', ctx.actor.orgId)
    .orderBy('w.id', 'desc')
    .execute();
  const access = accessOf(ctx.actor);
  const out: WalkListView[] = [];
  for (const r of ids)
    if (r.canvasser || unitGrantGives(access, 'turf.manage', r.unit_path))
      out.push(await getWalkList(ctx, r.id));
  return out;
}

/** How many open walk lists a user canvasses now (the web app's navigation shows "Walk" for them). */
export async function openWalkListsOf(ctx: Ctx, userId: string): Promise<number> {
  const row = await ctx.db
    .selectFrom('walk_list_canvasser as c')
    .innerJoin('walk_list as w', 'w.id', 'c.walk_list_id')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('c.org_id', '=', ctx.actor.orgId)
    .where('c.user_id', '=', userId)
    .where('c.assignment_id', 'is not', null)
    .where('w.status', '=', 'open')
    .executeTakeFirstOrThrow();
  return row.n;
}

/**
 * Cuts a walk list from a turf: the turf's people the creator may read with their street address
 * (a walk list never reaches further than its creator), in a new static list, grouped into doors
 * (one per address key) in walking order.
 */
export async function createWalkList(ctx: Ctx, raw: WalkListInput): Promise<WalkListView> {
  const input = parseInput(WalkListInput, raw);
  const turf = await loadTurf(ctx, input.turf_id);
  const orgId = ctx.actor.orgId;
  if (input.survey_id) {
    const survey = await ctx.db
      .selectFrom('survey')
      .select('id')
      .where('org_id', '=', orgId)
      .where('id', '=', input.survey_id)
      .executeTakeFirst();
    if (!survey) throw invalid('survey_id', 'no survey with this id');
  }
  const residents = await residentsOf(ctx, turf, await readableScope(ctx));
  const households = new Map<string, typeof residents>();
  for (const r of residents) households.set(r.address_key, [...(households.get(r.address_key) ?? []), r]);
  const doors = walkOrder(
    [...households.values()].map((people) => {
      const first = people[0] as (typeof residents)[number];
      return { ...first, people: people.map((p) => p.person_id).sort() };
    }),
  );
  const id = newId();
  const listId = newId();
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('list')
      .values({
        org_id: orgId,
        id: listId,
        name: `Walk list: ${input.name}`.slice(0, 200),
        description: 'The people of a walk list; its canvassers are assigned to it.',
        created_by: actorUserId(ctx.actor),
      })
      .execute();
    await trx
      .insertInto('walk_list')
      .values({
        org_id: orgId,
        id,
        turf_id: turf.id,
        name: input.name,
        survey_id: input.survey_id ?? null,
        list_id: listId,
        created_by: actorUserId(ctx.actor),
      })
      .execute();
    for (let i = 0; i < doors.length; i += 500) {
      const chunk = doors.slice(i, i + 500);
      const doorRows = chunk.map((d, k) => ({
        org_id: orgId,
        id: newId(),
        walk_list_id: id,
        position: i + k + 1,
        address_key: d.address_key,
        address_lines: d.address_lines,
        locality: d.locality,
        postal_code: d.postal_code,
        latitude: d.latitude,
        longitude: d.longitude,
      }));
      await trx.insertInto('walk_door').values(doorRows).execute();
      const people = chunk.flatMap((d, k) =>
        d.people.map((personId) => ({
          org_id: orgId,
          door_id: doorRows[k]?.id as string,
          person_id: personId,
        })),
      );
      await trx.insertInto('walk_door_person').values(people).execute();
      await trx
        .insertInto('list_item')
        .values(people.map((p) => ({ org_id: orgId, id: newId(), list_id: listId, person_id: p.person_id })))
        .execute();
    }
  });
  return await getWalkList(ctx, id);
}

/** Assigns a canvasser: an ordinary list assignment on the walk list's list (audited). */
export async function addCanvasser(ctx: Ctx, id: string, raw: { user_id: string }): Promise<WalkListView> {
  const { user_id: userId } = parseInput(CanvasserInput, raw);
  const row = await loadManaged(ctx, id);
  if (row.status !== 'open') throw new AppError('conflict', 'the walk list is closed');
  await requireUser(ctx.db, ctx.actor.orgId, userId);
  await ctx.db.transaction().execute(async (trx) => {
    const tx = { ...ctx, db: trx };
    const assignmentId = await grantListAssignment(tx, userId, row.list_id, CANVASSER_GRANT, {
      walk_list_id: id,
    });
    await trx
      .insertInto('walk_list_canvasser')
      .values({
        org_id: ctx.actor.orgId,
        walk_list_id: id,
        user_id: userId,
        assignment_id: assignmentId,
        created_by: actorUserId(ctx.actor),
      })
      .onConflict((oc) =>
        oc.constraint('walk_list_canvasser_pkey').doUpdateSet({ assignment_id: assignmentId }),
      )
      .execute();
  });
  return await getWalkList(ctx, id);
}

async function dropCanvassers(ctx: Ctx, row: WalkListRow, userId: string | null): Promise<number> {
  let query = ctx.db
    .selectFrom('walk_list_canvasser')
    .select(['user_id', 'assignment_id'])
    .where('walk_list_id', '=', row.id);
  if (userId) query = query.where('user_id', '=', userId);
  const found = await query.execute();
  for (const c of found)
    if (c.assignment_id)
      await revokeListAssignment(ctx, c.assignment_id, c.user_id, row.list_id, { walk_list_id: row.id });
  return found.length;
}

export async function removeCanvasser(ctx: Ctx, id: string, userId: string): Promise<void> {
  const row = await loadManaged(ctx, id);
  await ctx.db.transaction().execute(async (trx) => {
    if ((await dropCanvassers({ ...ctx, db: trx }, row, userId)) === 0) throw notFound('canvasser');
    await trx
      .deleteFrom('walk_list_canvasser')
      .where('walk_list_id', '=', id)
      .where('user_id', '=', userId)
      .execute();
  });
}

/** Closes the walk list: every canvasser's assignment ends (they stay listed, for the record). */
export async function closeWalkList(ctx: Ctx, id: string): Promise<WalkListView> {
  const row = await loadManaged(ctx, id);
  await ctx.db.transaction().execute(async (trx) => {
    await dropCanvassers({ ...ctx, db: trx }, row, null);
    await trx
      .updateTable('walk_list')
      .set({ status: 'closed', closed_at: ctx.now() })
      .where('id', '=', id)
      .execute();
  });
  return await getWalkList(ctx, id);
}

/**
 * The walk sheet: the doors in walking order with the residents the reader may read, projected
 * as they may see them (a canvasser: first name, street address, locality). A door's address is
 * shown only when the reader may read a resident's street address.
 */
export async function walkSheet(ctx: Ctx, id: string): Promise<WalkSheetView> {
  const row = await loadWalkList(ctx, id);
  const doors = await ctx.db
    .selectFrom('walk_door')
    .select([
      'id',
      'position',
      'address_lines',
      'locality',
      'postal_code',
      'latitude',
      'longitude',
      'status',
      'last_result',
    ])
    .where('walk_list_id', '=', id)
    .orderBy('position')
    .execute();
  const scope = await peopleScope(ctx.db, accessOf(ctx.actor), 'people.read');
  const { rows: residents } = await sql<{ door_id: string; person_id: string }>`
    SELECT dp.door_id, dp.person_id FROM walk_door_person dp
    JOIN walk_door d ON d.id = dp.door_id
    JOIN person p ON p.id = dp.person_id
    WHERE d.walk_list_id = ${id} AND p.org_id = ${ctx.actor.orgId} AND p.merged_into IS NULL
      AND ${scope ?? sql<SqlBool>`true`}
    ORDER BY dp.door_id, dp.person_id`.execute(ctx.db);
  const projected = await projectPeople(
    ctx,
    await loadPeople(
      ctx.db,
      ctx.actor.orgId,
      residents.map((r) => r.person_id),
    ),
  );
  const byId = new Map(projected.map((p) => [p.id as string, p as Record<string, unknown>]));
  const out: DoorView[] = doors.map((d) => {
    const people = residents
      .filter((r) => r.door_id === d.id)
      .map((r) => byId.get(r.person_id))
      .filter((p): p is Record<string, unknown> => p !== undefined);
    const street = people.some((p) =>
      ((p.addresses as Record<string, unknown>[] | undefined) ?? []).some((a) => 'lines' in a),
    );
    return {
      id: d.id,
      position: d.position,
      ...(street
        ? {
            address: {
              lines: d.address_lines,
              locality: d.locality,
              postal_code: d.postal_code,
              latitude: d.latitude,
              longitude: d.longitude,
            },
          }
        : {}),
      status: d.status,
      last_result: d.last_result,
      people,
    };
  });
  return { ...(await viewOf(ctx, row)), doors: out };
}

/**
 * Records one door in one transaction: a door knock (activity `door_knock`, the result as its
 * outcome, the note as its body) on the timeline of every resident the canvasser may read, the
 * survey answers of those who answered (survey_answer via 'door', attributed to the knock), and
 * the door done with its result. Only the walk list's canvassers record, while it is open.
 */
export async function recordDoor(
  ctx: Ctx,
  id: string,
  doorId: string,
  raw: DoorInput,
): Promise<DoorResultView> {
  const input = parseInput(DoorInput, raw);
  const row = await loadWalkList(ctx, id);
  if (!row.canvasser)
    throw new AppError('forbidden', 'you are not a canvasser on this walk list', { internal: 'canvasser' });
  if (row.status !== 'open') throw new AppError('conflict', 'the walk list is closed');
  if (input.answers.length > 0 && !row.survey_id) throw invalid('answers', 'the walk list has no survey');
  if (input.answers.length > 0 && input.result !== 'talked')
    throw invalid('answers', 'answers are recorded only when the result is talked');
  return await ctx.db.transaction().execute(async (trx) => {
    const tx = { ...ctx, db: trx };
    const door = await trx
      .selectFrom('walk_door')
      .select(['id', 'position', 'status', 'last_result'])
      .where('org_id', '=', ctx.actor.orgId)
      .where('walk_list_id', '=', id)
      .where('id', '=', doorId)
      .forUpdate()
      .executeTakeFirst();
    if (!door) throw notFound('door');
    const residents = (
      await trx.selectFrom('walk_door_person').select('person_id').where('door_id', '=', doorId).execute()
    ).map((r) => r.person_id);
    input.answers.forEach((a, i) => {
      if (!residents.includes(a.person_id))
        throw invalid(`answers.${i}.person_id`, 'not a resident of this door');
    });
    const now = ctx.now();
    const activities: { id: string; person_id: string }[] = [];
    let answers = 0;
    for (const personId of residents.sort()) {
      try {
        await requirePerson(tx, personId, 'people.read');
      } catch (error) {
        // Someone merged away or out of the canvasser's reach since the list was cut.
        if (error instanceof AppError && (error.code === 'not_found' || error.code === 'forbidden')) continue;
        throw error;
      }
      const knock = await insertActivity(tx, personId, {
        kind: 'door_knock',
        occurred_at: now,
        outcome: input.result,
        body: input.note ?? null,
      });
      activities.push({ id: knock.id, person_id: personId });
      const given = input.answers.filter((a) => a.person_id === personId).flatMap((a) => a.answers);
      if (given.length > 0 && row.survey_id)
        answers += (
          await insertAnswers(
            tx,
            {
              personId,
              surveyId: row.survey_id,
              askedAt: now,
              via: 'door',
              activityId: knock.id,
              callListId: null,
            },
            given,
          )
        ).length;
    }
    const result: DoorResult = input.result;
    await trx
      .updateTable('walk_door')
      .set({ status: 'done', last_result: result, last_result_at: now, updated_at: now })
      .where('id', '=', doorId)
      .execute();
    return {
      door: { id: door.id, position: door.position, status: 'done' as const, last_result: result },
      activities,
      answers,
    };
  });
}
