import { sql } from 'kysely';
import { loadFacts, projectPeople, requirePerson } from '../access/index.js';
import { actorUserId, type Ctx } from '../context.js';
import type { CallOutcome } from '../db/schema.js';
import { AppError, invalid, notFound } from '../errors.js';
import { parseInput } from '../http/parse-input.js';
import { type ActivityView, insertActivity } from '../notes/index.js';
import { loadPeople } from '../people/index.js';
import { accessOf, decide } from '../policy/index.js';
import { CallInput, type Progress, RETRY_OUTCOMES, type TargetView } from './call-lists.schemas.js';
import { type CallListRow, loadCallList, progressOf } from './call-lists.service.js';
import type { SurveyView } from './surveys.schemas.js';
import { getSurvey, insertAnswers } from './surveys.service.js';

/** Working a call list: claiming the next person, recording a call. */

const TARGET = ['id', 'person_id', 'status', 'attempts', 'last_outcome', 'claimed_until'] as const;

/** The list as a caller works it: open, and the actor is one of its callers. */
async function loadForCaller(ctx: Ctx, id: string): Promise<CallListRow> {
  const row = await loadCallList(ctx, id);
  const userId = actorUserId(ctx.actor);
  const caller = userId
    ? await ctx.db
        .selectFrom('call_list_caller')
        .select('user_id')
        .where('call_list_id', '=', id)
        .where('user_id', '=', userId)
        .where('assignment_id', 'is not', null)
        .executeTakeFirst()
    : undefined;
  if (!caller)
    throw new AppError('forbidden', 'you are not a caller on this call list', { internal: 'caller' });
  if (row.status !== 'open') throw new AppError('conflict', 'the call list is closed');
  return row;
}

/**
 * Claims the next person atomically: the pending target with the fewest attempts that nobody
 * holds (or whose claim has expired), locked with SKIP LOCKED so that two callers asking at once
 * never get the same person.
 */
async function claim(ctx: Ctx, row: CallListRow, userId: string): Promise<TargetView | undefined> {
  const now = ctx.now();
  const until = new Date(now.getTime() + row.claim_seconds * 1000);
  const { rows } = await sql<TargetView>`
    UPDATE call_target SET claimed_by = ${userId}, claimed_until = ${until}, updated_at = ${now}
    WHERE id = (
      SELECT t.id FROM call_target t
      WHERE t.call_list_id = ${row.id} AND t.status = 'pending'
        AND (t.claimed_until IS NULL OR t.claimed_until <= ${now})
      ORDER BY t.attempts, t.id
      LIMIT 1
      FOR UPDATE SKIP LOCKED)
    RETURNING id, person_id, status, attempts, last_outcome, claimed_until`.execute(ctx.db);
  return rows[0];
}

async function finish(ctx: Ctx, targetId: string, outcome: CallOutcome, attempts: number, done: boolean) {
  await ctx.db
    .updateTable('call_target')
    .set({
      status: done ? 'done' : 'pending',
      last_outcome: outcome,
      attempts,
      claimed_by: null,
      claimed_until: null,
      updated_at: ctx.now(),
    })
    .where('id', '=', targetId)
    .execute();
}

export interface NextCall {
  target: TargetView | null;
  person: Record<string, unknown> | null;
  script: string | null;
  survey: SurveyView | null;
  progress: Progress;
}

/**
 * The caller's next person, with the script and the survey: the one they already hold, or a new
 * claim. People the caller may no longer call (do-not-contact since, marked sensitive, no number
 * left to call) are skipped. The person is projected as the caller may see them: with the first
 * name only, numbers are masked next to the call capability; do-not-call numbers are left out.
 */
export async function nextCall(ctx: Ctx, id: string): Promise<NextCall> {
  const row = await loadForCaller(ctx, id);
  const userId = actorUserId(ctx.actor) as string;
  const access = accessOf(ctx.actor);
  const survey = row.survey_id ? await getSurvey(ctx, row.survey_id) : null;
  const held = await ctx.db
    .selectFrom('call_target')
    .select(TARGET)
    .where('call_list_id', '=', id)
    .where('claimed_by', '=', userId)
    .where('status', '=', 'pending')
    .where('claimed_until', '>', ctx.now())
    .orderBy('id')
    .executeTakeFirst();
  let target: TargetView | undefined = held;
  for (let tries = 0; tries < 100; tries++) {
    target ??= await claim(ctx, row, userId);
    if (!target) break;
    const facts = (await loadFacts(ctx.db, access, [target.person_id])).get(target.person_id);
    const [view] = facts ? await loadPeople(ctx.db, ctx.actor.orgId, [target.person_id]) : [];
    const callable =
      facts &&
      view &&
      decide(access, 'people.read', facts).allowed &&
      decide(access, 'person.call', facts).allowed &&
      view.phones.some((p) => !p.do_not_call);
    if (callable) {
      const [projected] = await projectPeople(ctx, [view]);
      const noCall = new Set(view.phones.filter((p) => p.do_not_call).map((p) => p.id));
      const person = { ...projected, phones: (projected?.phones ?? []).filter((p) => !noCall.has(p.id)) };
      return {
        target,
        person,
        script: row.script,
        survey,
        progress: (await progressOf(ctx, [id])).get(id) as Progress,
      };
    }
    await finish(ctx, target.id, 'skipped', target.attempts, true);
    target = undefined;
  }
  return {
    target: null,
    person: null,
    script: row.script,
    survey,
    progress: (await progressOf(ctx, [id])).get(id) as Progress,
  };
}

export interface CallResult {
  call: ActivityView;
  target: TargetView;
  answers: number;
}

/**
 * Records one call in one transaction: the call on the person's timeline (an activity of kind
 * `call`), the survey answers attributed to the caller and the call, do-not-call on the number
 * when the person asks for it, and the target done or back in the queue. Only the caller holding
 * the person may record (409 otherwise: ask for the next person).
 */
export async function recordCall(ctx: Ctx, id: string, raw: CallInput): Promise<CallResult> {
  const input = parseInput(CallInput, raw);
  const row = await loadForCaller(ctx, id);
  const userId = actorUserId(ctx.actor) as string;
  if (input.answers.length > 0 && !row.survey_id) throw invalid('answers', 'the call list has no survey');
  return await ctx.db.transaction().execute(async (trx) => {
    const tx = { ...ctx, db: trx };
    const target = await trx
      .selectFrom('call_target')
      .select([...TARGET, 'claimed_by'])
      .where('org_id', '=', ctx.actor.orgId)
      .where('call_list_id', '=', id)
      .where('id', '=', input.target_id)
      .forUpdate()
      .executeTakeFirst();
    if (!target) throw notFound('call target');
    if (target.status !== 'pending' || target.claimed_by !== userId)
      throw new AppError('conflict', 'you do not hold this person: ask for the next one', {
        internal: `target ${target.id} held by ${target.claimed_by}`,
      });
    await requirePerson(tx, target.person_id, 'person.call');
    const phones = await trx
      .selectFrom('person_phone')
      .select(['id', 'do_not_call'])
      .where('org_id', '=', ctx.actor.orgId)
      .where('person_id', '=', target.person_id)
      .orderBy('is_primary', 'desc')
      .orderBy('id')
      .execute();
    if (input.phone_id && !phones.some((p) => p.id === input.phone_id))
      throw invalid('phone_id', "not one of this person's numbers");
    const phoneId = input.phone_id ?? phones.find((p) => !p.do_not_call)?.id ?? null;
    const now = ctx.now();
    const call = await insertActivity(tx, target.person_id, {
      kind: 'call',
      occurred_at: now,
      outcome: input.outcome,
      body: input.note ?? null,
    });
    const answers = row.survey_id
      ? await insertAnswers(
          tx,
          {
            personId: target.person_id,
            surveyId: row.survey_id,
            askedAt: now,
            via: 'call',
            activityId: call.id,
            callListId: id,
          },
          input.answers,
        )
      : [];
    if (input.outcome === 'do_not_call' && phoneId)
      await trx
        .updateTable('person_phone')
        .set({ do_not_call: true })
        .where('person_id', '=', target.person_id)
        .where('id', '=', phoneId)
        .execute();
    const attempts = target.attempts + 1;
    const done = !RETRY_OUTCOMES.has(input.outcome) || attempts >= row.max_attempts;
    await finish(tx, target.id, input.outcome, attempts, done);
    await trx
      .updateTable('call_target')
      .set({ last_activity_id: call.id })
      .where('id', '=', target.id)
      .execute();
    return {
      call,
      target: {
        id: target.id,
        person_id: target.person_id,
        status: done ? 'done' : 'pending',
        attempts,
        last_outcome: input.outcome,
        claimed_until: null,
      },
      answers: answers.length,
    };
  });
}
