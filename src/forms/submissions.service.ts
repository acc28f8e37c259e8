import { sql } from 'kysely';
import { type ProjectedPerson, peopleScope, projectPeople, scopedPeopleRowsPage } from '../access/index.js';
import { recordSignupTexts } from '../consent/index.js';
import { actorUserId, type Ctx } from '../context.js';
import { newId } from '../db/ids.js';
import type { SubmissionSource } from '../db/schema.js';
import { AppError, notFound } from '../errors.js';
import { insertActivity } from '../notes/index.js';
import { loadPeople, type PersonInputRaw, type Source } from '../people/index.js';
import { accessOf } from '../policy/index.js';
import {
  consentReceipt,
  isHoneypot,
  type PublicDeps,
  parseSignupPerson,
  publicCtx,
  signupPerson,
  signupTextChoice,
  upsertSignup,
} from '../signup/index.js';
import { parseStored } from './forms.queries.js';
import type { FormView, PublicSubmissionInput, Question, SubmissionView } from './forms.schemas.js';
import { requireForm } from './forms.service.js';

const SUBMISSION_COLUMNS = [
  'id',
  'form_id',
  'person_id',
  'answers',
  'comment',
  'source',
  'referrer',
  'submitted_at',
] as const;

type Answer = string | string[] | boolean;

/**
 * Checks answers against the form's questions: every key a question's, required ones present,
 * text for text, one of the choices' keys, yes/no as a boolean. Answers the person left empty are
 * left out. Errors name `answers.<key>`.
 */
export function checkAnswers(questions: Question[], raw: Record<string, Answer>): Record<string, Answer> {
  const problems: { field: string; message: string }[] = [];
  const byKey = new Map(questions.map((q) => [q.key, q]));
  for (const key of Object.keys(raw))
    if (!byKey.has(key)) problems.push({ field: `answers.${key}`, message: 'no question with this key' });
  const answers: Record<string, Answer> = {};
  for (const q of questions) {
    const field = `answers.${q.key}`;
    let value = raw[q.key];
    if (typeof value === 'string') value = value.trim();
    const empty = value === undefined || value === '' || (Array.isArray(value) && value.length === 0);
    if (empty) {
      if (q.required) problems.push({ field, message: 'this question needs an answer' });
      continue;
    }
    const choices = new Set((q.choices ?? []).map((c) => c.key));
    if ((q.type === 'text' || q.type === 'paragraph') && typeof value !== 'string')
      problems.push({ field, message: 'the answer is text' });
    else if (q.type === 'single_choice' && (typeof value !== 'string' || !choices.has(value)))
      problems.push({ field, message: 'pick one of the choices' });
    else if (
      q.type === 'multiple_choice' &&
      (!Array.isArray(value) || value.some((v) => !choices.has(v)) || new Set(value).size !== value.length)
    )
      problems.push({ field, message: 'pick among the choices' });
    else if (q.type === 'yes_no' && typeof value !== 'boolean')
      problems.push({ field, message: 'yes or no' });
    else answers[q.key] = value as Answer;
  }
  if (problems.length > 0)
    throw new AppError('validation_failed', `${problems[0]?.field}: ${problems[0]?.message}`, {
      fields: problems,
    });
  return answers;
}

interface SubmissionWrite {
  form: { id: string; kind: FormView['kind']; title: string };
  personId: string;
  answers: Record<string, Answer>;
  comment: string | null;
  source: SubmissionSource;
  referrer: string | null;
  consent: Record<string, unknown>;
  submittedAt: Date;
}

/**
 * Writes a submission in the caller's transaction and puts it on the person's timeline. A person
 * signs a petition once: signing again answers with the first signature and writes nothing.
 */
async function writeSubmission(
  ctx: Ctx,
  w: SubmissionWrite,
): Promise<{ submission: SubmissionView; created: boolean }> {
  if (w.form.kind === 'petition') {
    const existing = await ctx.db
      .selectFrom('form_submission')
      .select(SUBMISSION_COLUMNS)
      .where('form_id', '=', w.form.id)
      .where('person_id', '=', w.personId)
      .executeTakeFirst();
    if (existing) return { submission: existing, created: false };
  }
  const submission = await ctx.db
    .insertInto('form_submission')
    .values({
      org_id: ctx.actor.orgId,
      id: newId(),
      form_id: w.form.id,
      person_id: w.personId,
      form_kind: w.form.kind,
      answers: JSON.stringify(w.answers),
      comment: w.comment,
      source: w.source,
      referrer: w.referrer,
      consent: JSON.stringify(w.consent),
      submitted_at: w.submittedAt,
    })
    .returning(SUBMISSION_COLUMNS)
    .executeTakeFirstOrThrow();
  await insertActivity(ctx, w.personId, {
    kind: w.form.kind === 'petition' ? 'petition_signature' : 'form_submission',
    occurred_at: w.submittedAt,
    actor_id: ctx.actor.kind === 'user' ? actorUserId(ctx.actor) : null,
    outcome: w.form.kind === 'petition' ? 'signed' : 'submitted',
    body: w.form.title,
  });
  return { submission, created: true };
}

/** What anyone may see of an open form or petition (no submissions, no unit). */
export interface PublicForm {
  id: string;
  org_id: string;
  kind: FormView['kind'];
  title: string;
  description: string | null;
  call_to_action: string | null;
  questions: Question[];
  targets: FormView['targets'];
  petition_text: string | null;
  status: FormView['status'];
  total_submissions: number;
  unit_path: string;
}

/** An open or closed form by id, across organizations (public routes know no organization). */
export async function publicForm(deps: Pick<PublicDeps, 'db'>, id: string): Promise<PublicForm> {
  const row = await deps.db
    .selectFrom('form as f')
    .innerJoin('unit as fu', 'fu.id', 'f.unit_id')
    .select([
      'f.id',
      'f.org_id',
      'f.kind',
      'f.title',
      'f.description',
      'f.call_to_action',
      'f.questions',
      'f.targets',
      'f.petition_text',
      'f.status',
      'fu.path as unit_path',
      sql<number>`(SELECT count(*)::int FROM form_submission s WHERE s.form_id = f.id)`.as(
        'total_submissions',
      ),
    ])
    .where('f.id', '=', id)
    .where('f.status', '!=', 'draft')
    .executeTakeFirst();
  if (!row) throw notFound('form');
  return parseStored(row);
}

export type PublicSubmissionResult = { status: 'received' };

/**
 * A submission or signature from the public page, with no login. The person goes through the
 * signup path (matched by email, then phone; created in the form's unit when new), the consent
 * choices are recorded on their email and kept as a receipt, and the form and referrer are the
 * source. Only open forms take submissions. The answer never tells whether the person was known,
 * nor whether they had signed already. A filled honeypot gets the same answer and nothing is written.
 */
export async function publicSubmit(
  deps: PublicDeps,
  formId: string,
  input: PublicSubmissionInput,
): Promise<PublicSubmissionResult> {
  const form = await publicForm(deps, formId);
  if (form.status !== 'open') throw new AppError('conflict', 'this form is closed');
  if (isHoneypot(input)) {
    deps.log.info({ form: formId }, 'public form: honeypot filled, nothing stored');
    return { status: 'received' };
  }
  const answers = checkAnswers(form.questions, input.answers);
  const person = signupPerson(input);
  const now = deps.now();
  const where = `${form.kind}:${formId}`;
  const source: Source = { kind: 'form', ref: where };
  await deps.db.transaction().execute(async (trx) => {
    const ctx = publicCtx(deps, trx, form.org_id, `public ${form.kind} ${formId}`);
    const personId = await upsertSignup(ctx, person, source, form.unit_path);
    await writeSubmission(ctx, {
      form,
      personId,
      answers,
      comment: form.kind === 'petition' ? (input.comment ?? null) : null,
      source: 'public',
      referrer: input.referrer ?? null,
      consent: consentReceipt(input.consent, where, now, input.language),
      submittedAt: now,
    });
    const texts = signupTextChoice(input);
    if (texts) await recordSignupTexts(trx, form.org_id, [{ personId, choice: texts, where }], now);
  });
  return { status: 'received' };
}

/**
 * A submission or signature recorded by an API client (OSDI's record_submission_helper and
 * record_signature_helper): the person goes through the signup path into the form's unit.
 */
export async function recordSubmission(
  ctx: Ctx,
  formId: string,
  raw: PersonInputRaw,
  options: {
    answers: Record<string, Answer>;
    comment: string | null;
    referrer: string | null;
    submittedAt: Date | null;
  },
): Promise<{ submission: SubmissionView; created: boolean }> {
  const form = await requireForm(ctx, formId);
  const answers = checkAnswers(form.questions, options.answers);
  const person = parseSignupPerson(raw);
  const unit = await ctx.db
    .selectFrom('unit')
    .select(sql<string>`path::text`.as('path'))
    .where('id', '=', form.unit_id)
    .executeTakeFirstOrThrow();
  return await ctx.db.transaction().execute(async (trx) => {
    const tx: Ctx = { ...ctx, db: trx };
    const ref = ctx.actor.kind === 'user' ? (ctx.actor.tokenId ?? ctx.actor.userId) : null;
    const personId = await upsertSignup(tx, person, { kind: 'signup', ref }, unit.path, 'person.');
    return await writeSubmission(tx, {
      form,
      personId,
      answers,
      comment: form.kind === 'petition' ? options.comment : null,
      source: 'osdi',
      referrer: options.referrer,
      consent: {},
      submittedAt: options.submittedAt ?? ctx.now(),
    });
  });
}

export interface SubmissionPage {
  items: (SubmissionView & { person: ProjectedPerson })[];
  total: number;
  page: number;
  per_page: number;
}

/**
 * A form's submissions about people the actor may read, each with the person as the actor may
 * see them (projected field by field), oldest first.
 */
export async function listSubmissions(
  ctx: Ctx,
  formId: string,
  paging: { page: number; perPage: number },
): Promise<SubmissionPage> {
  await requireForm(ctx, formId);
  const base = ctx.db
    .selectFrom('form_submission as s')
    .innerJoin('person as p', 'p.id', 's.person_id')
    .where('s.org_id', '=', ctx.actor.orgId)
    .where('s.form_id', '=', formId)
    .where('p.merged_into', 'is', null);
  return await scopedPeopleRowsPage(
    ctx,
    base,
    (q) =>
      q
        .select(SUBMISSION_COLUMNS.map((c) => `s.${c}` as const))
        .orderBy('s.submitted_at')
        .orderBy('s.id'),
    paging,
  );
}

/** One submission of a form the actor manages, about a person they may read. */
export async function getSubmission(
  ctx: Ctx,
  formId: string,
  submissionId: string,
): Promise<SubmissionView & { person: ProjectedPerson }> {
  await requireForm(ctx, formId);
  const scope = await peopleScope(ctx.db, accessOf(ctx.actor), 'people.read');
  let query = ctx.db
    .selectFrom('form_submission as s')
    .innerJoin('person as p', 'p.id', 's.person_id')
    .select(SUBMISSION_COLUMNS.map((c) => `s.${c}` as const))
    .where('s.org_id', '=', ctx.actor.orgId)
    .where('s.form_id', '=', formId)
    .where('s.id', '=', submissionId);
  if (scope) query = query.where(scope);
  const row = await query.executeTakeFirst();
  if (!row) throw notFound('submission');
  const [person] = await projectPeople(ctx, await loadPeople(ctx.db, ctx.actor.orgId, [row.person_id]));
  return { ...row, person: person ?? { id: row.person_id } };
}
