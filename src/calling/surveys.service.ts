import { sql } from 'kysely';
import { peopleScope } from '../access/index.js';
import { actorUserId, type Ctx } from '../context.js';
import { newId } from '../db/ids.js';
import type { AnswerVia, QuestionType } from '../db/schema.js';
import { invalid, notFound } from '../errors.js';
import { parseInput } from '../http/parse-input.js';
import { assertLivePerson } from '../notes/index.js';
import { accessOf, assertAllowed, PERSON_FIELDS } from '../policy/index.js';
import {
  type AnswerInput,
  AnswersInput,
  type AnswerView,
  QuestionInput,
  type QuestionView,
  SurveyInput,
  SurveyPatch,
  type SurveyView,
} from './surveys.schemas.js';

export interface Page<T> {
  items: T[];
  total: number;
  page: number;
  per_page: number;
}
export type Paging = { page: number; perPage: number };

const QUESTION = [
  'id',
  'survey_id',
  'key',
  'position',
  'prompt',
  'question_type',
  'choices',
  'created_at',
  'updated_at',
] as const;

function questionView(row: {
  id: string;
  survey_id: string;
  key: string;
  position: number;
  prompt: string;
  question_type: QuestionType;
  choices: { key: string; label: string }[];
  created_at: Date;
  updated_at: Date;
}): QuestionView {
  const { question_type, ...rest } = row;
  return { ...rest, type: question_type };
}

export async function surveyQuestions(ctx: Ctx, surveyIds: string[]): Promise<Map<string, QuestionView[]>> {
  const map = new Map<string, QuestionView[]>();
  if (surveyIds.length === 0) return map;
  const rows = await ctx.db
    .selectFrom('survey_question')
    .select(QUESTION)
    .where('org_id', '=', ctx.actor.orgId)
    .where('survey_id', 'in', surveyIds)
    .orderBy('survey_id')
    .orderBy('position')
    .execute();
  for (const row of rows) map.set(row.survey_id, [...(map.get(row.survey_id) ?? []), questionView(row)]);
  return map;
}

const SURVEY = ['id', 'name', 'description', 'created_at', 'updated_at'] as const;

export async function listSurveys(ctx: Ctx, paging: Paging): Promise<Page<SurveyView>> {
  const base = ctx.db.selectFrom('survey').where('org_id', '=', ctx.actor.orgId);
  const [rows, count] = await Promise.all([
    base
      .select(SURVEY)
      .orderBy('id')
      .limit(paging.perPage)
      .offset((paging.page - 1) * paging.perPage)
      .execute(),
    base.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ]);
  const questions = await surveyQuestions(
    ctx,
    rows.map((r) => r.id),
  );
  return {
    items: rows.map((r) => ({ ...r, questions: questions.get(r.id) ?? [] })),
    total: count.n,
    page: paging.page,
    per_page: paging.perPage,
  };
}

export async function getSurvey(ctx: Ctx, id: string): Promise<SurveyView> {
  const row = await ctx.db
    .selectFrom('survey')
    .select(SURVEY)
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound('survey');
  return { ...row, questions: (await surveyQuestions(ctx, [id])).get(id) ?? [] };
}

async function insertQuestions(
  ctx: Ctx,
  surveyId: string,
  questions: ReturnType<typeof QuestionInput.parse>[],
  from: number,
): Promise<void> {
  if (questions.length === 0) return;
  await ctx.db
    .insertInto('survey_question')
    .values(
      questions.map((q, i) => ({
        org_id: ctx.actor.orgId,
        id: newId(),
        survey_id: surveyId,
        key: q.key,
        position: from + i,
        prompt: q.prompt,
        question_type: q.type,
        choices: JSON.stringify(q.choices),
      })),
    )
    .execute();
}

/** A survey and its questions, in the order given. */
export async function createSurvey(ctx: Ctx, raw: SurveyInput): Promise<SurveyView> {
  assertAllowed(ctx.actor, 'calls.manage');
  const input = parseInput(SurveyInput, raw);
  const id = newId();
  await ctx.db.transaction().execute(async (trx) => {
    const tx = { ...ctx, db: trx };
    await trx
      .insertInto('survey')
      .values({
        org_id: ctx.actor.orgId,
        id,
        name: input.name,
        description: input.description ?? null,
        created_by: actorUserId(ctx.actor),
      })
      .execute();
    await insertQuestions(tx, id, input.questions, 1);
  });
  return await getSurvey(ctx, id);
}

export async function updateSurvey(
  ctx: Ctx,
  id: string,
  raw: ReturnType<typeof SurveyPatch.parse>,
): Promise<SurveyView> {
  assertAllowed(ctx.actor, 'calls.manage');
  const patch = parseInput(SurveyPatch, raw);
  await getSurvey(ctx, id);
  if (Object.keys(patch).length > 0)
    await ctx.db
      .updateTable('survey')
      .set(patch)
      .where('org_id', '=', ctx.actor.orgId)
      .where('id', '=', id)
      .execute();
  return await getSurvey(ctx, id);
}

/** Appends a question (its key must be new in the survey; keys never change). */
export async function addQuestion(ctx: Ctx, surveyId: string, raw: QuestionInput): Promise<SurveyView> {
  assertAllowed(ctx.actor, 'calls.manage');
  const input = parseInput(QuestionInput, raw);
  const survey = await getSurvey(ctx, surveyId);
  if (survey.questions.some((q) => q.key === input.key))
    throw invalid('key', 'the survey has a question with this key');
  await insertQuestions(ctx, surveyId, [input], (survey.questions.at(-1)?.position ?? 0) + 1);
  return await getSurvey(ctx, surveyId);
}

/** The value as stored, or an error naming `answers.<i>.value`. */
function checkValue(question: QuestionView, value: AnswerInput['value'], field: string): unknown {
  const keys = new Set(question.choices.map((c) => c.key));
  switch (question.type) {
    case 'single_choice':
      if (typeof value !== 'string' || !keys.has(value))
        throw invalid(field, `one of ${[...keys].join(', ')}`);
      return value;
    case 'multiple_choice': {
      if (!Array.isArray(value) || value.length === 0 || value.some((v) => !keys.has(v)))
        throw invalid(field, `a list of one or more of ${[...keys].join(', ')}`);
      return [...new Set(value)];
    }
    case 'text':
      if (typeof value !== 'string' || value.trim() === '') throw invalid(field, 'some text');
      return value.trim();
    case 'number':
      if (typeof value !== 'number' || !Number.isFinite(value)) throw invalid(field, 'a number');
      return value;
    case 'yes_no':
      if (typeof value !== 'boolean') throw invalid(field, 'true or false');
      return value;
  }
}

export interface AnswerContext {
  personId: string;
  surveyId: string;
  askedAt: Date;
  via: AnswerVia;
  activityId: string | null;
  callListId: string | null;
}

/**
 * Stores answers (validated against the survey's questions) without an access check: the caller
 * has decided already (a call, a door knock, a direct entry). Each answer is a new row.
 */
export async function insertAnswers(
  ctx: Ctx,
  at: AnswerContext,
  answers: AnswerInput[],
  field = 'answers',
): Promise<string[]> {
  if (answers.length === 0) return [];
  const questions = (await surveyQuestions(ctx, [at.surveyId])).get(at.surveyId) ?? [];
  const byKey = new Map(questions.map((q) => [q.key, q]));
  const rows = answers.map((answer, i) => {
    const question = byKey.get(answer.question);
    if (!question) throw invalid(`${field}.${i}.question`, 'no question with this key in the survey');
    return {
      org_id: ctx.actor.orgId,
      id: newId(),
      person_id: at.personId,
      question_id: question.id,
      value: JSON.stringify(checkValue(question, answer.value, `${field}.${i}.value`)),
      asked_by: actorUserId(ctx.actor),
      asked_at: at.askedAt,
      via: at.via,
      activity_id: at.activityId,
      call_list_id: at.callListId,
    };
  });
  await ctx.db.insertInto('survey_answer').values(rows).execute();
  return rows.map((r) => r.id);
}

/** Answers given outside a call (entered by an organizer, or from a door knock). */
export async function recordAnswers(ctx: Ctx, personId: string, raw: AnswersInput): Promise<AnswerView[]> {
  const input = parseInput(AnswersInput, raw);
  await assertLivePerson(ctx, personId, 'people.write');
  await getSurvey(ctx, input.survey_id);
  if (input.activity_id) {
    const activity = await ctx.db
      .selectFrom('activity')
      .select('id')
      .where('org_id', '=', ctx.actor.orgId)
      .where('person_id', '=', personId)
      .where('id', '=', input.activity_id)
      .executeTakeFirst();
    if (!activity) throw invalid('activity_id', "not an activity on this person's timeline");
  }
  const ids = await ctx.db.transaction().execute(
    async (trx) =>
      await insertAnswers(
        { ...ctx, db: trx },
        {
          personId,
          surveyId: input.survey_id,
          askedAt: input.asked_at ?? ctx.now(),
          via: input.via,
          activityId: input.activity_id ?? null,
          callListId: null,
        },
        input.answers,
      ),
  );
  return await answersByIds(ctx, ids);
}

export async function answersByIds(ctx: Ctx, ids: string[]): Promise<AnswerView[]> {
  if (ids.length === 0) return [];
  return (await answersQuery(ctx).where('a.id', 'in', ids).execute()).map(answerView);
}

function answersQuery(ctx: Ctx) {
  return ctx.db
    .selectFrom('survey_answer as a')
    .innerJoin('survey_question as q', 'q.id', 'a.question_id')
    .select([
      'a.id',
      'a.person_id',
      'q.survey_id',
      'a.question_id',
      'q.key as question',
      'a.value',
      'a.asked_by',
      'a.asked_at',
      'a.via',
      'a.activity_id',
      'a.call_list_id',
      'a.created_at',
    ])
    .where('a.org_id', '=', ctx.actor.orgId)
    .orderBy('a.asked_at', 'desc')
    .orderBy('a.id', 'desc');
}

const answerView = (row: AnswerView): AnswerView => row;

/** A person's answers, newest first: the history (their current answer is the newest per question). */
export async function listAnswersOfPerson(
  ctx: Ctx,
  personId: string,
  paging: Paging,
): Promise<Page<AnswerView>> {
  await assertLivePerson(ctx, personId, 'people.read');
  const [items, count] = await Promise.all([
    answersQuery(ctx)
      .where('a.person_id', '=', personId)
      .limit(paging.perPage)
      .offset((paging.page - 1) * paging.perPage)
      .execute(),
    ctx.db
      .selectFrom('survey_answer')
      .select(sql<number>`count(*)::int`.as('n'))
      .where('org_id', '=', ctx.actor.orgId)
      .where('person_id', '=', personId)
      .executeTakeFirstOrThrow(),
  ]);
  return { items: items.map(answerView), total: count.n, page: paging.page, per_page: paging.perPage };
}

/** A question by id, or 404. */
export async function getQuestion(ctx: Ctx, id: string): Promise<QuestionView> {
  const row = await ctx.db
    .selectFrom('survey_question')
    .select(QUESTION)
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound('question');
  return questionView(row);
}

export async function listQuestions(ctx: Ctx, paging: Paging): Promise<Page<QuestionView>> {
  const base = ctx.db.selectFrom('survey_question').where('org_id', '=', ctx.actor.orgId);
  const [rows, count] = await Promise.all([
    base
      .select(QUESTION)
      .orderBy('id')
      .limit(paging.perPage)
      .offset((paging.page - 1) * paging.perPage)
      .execute(),
    base.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(questionView), total: count.n, page: paging.page, per_page: paging.perPage };
}

/**
 * The answers to one question, of the people whose timeline the actor may read (answers are part
 * of it, a basic field): a host who sees first names only learns nobody's answers.
 */
export async function listAnswersOfQuestion(
  ctx: Ctx,
  questionId: string,
  paging: Paging,
): Promise<Page<AnswerView>> {
  await getQuestion(ctx, questionId);
  const scope = await peopleScope(ctx.db, accessOf(ctx.actor), 'people.read', [PERSON_FIELDS.timeline]);
  let items = answersQuery(ctx)
    .innerJoin('person as p', 'p.id', 'a.person_id')
    .where('a.question_id', '=', questionId)
    .where('p.merged_into', 'is', null);
  let count = ctx.db
    .selectFrom('survey_answer as a')
    .innerJoin('person as p', 'p.id', 'a.person_id')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('a.org_id', '=', ctx.actor.orgId)
    .where('a.question_id', '=', questionId)
    .where('p.merged_into', 'is', null);
  if (scope) {
    items = items.where(scope);
    count = count.where(scope);
  }
  const [rows, total] = await Promise.all([
    items
      .limit(paging.perPage)
      .offset((paging.page - 1) * paging.perPage)
      .execute(),
    count.executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(answerView), total: total.n, page: paging.page, per_page: paging.perPage };
}
