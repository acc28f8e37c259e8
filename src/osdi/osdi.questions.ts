import {
  type AnswerView,
  getQuestion,
  listAnswersOfQuestion,
  listQuestions,
  type QuestionView,
} from '../calling/index.js';
import { defineRoute } from '../http/route.js';
import { baseUrl, collection, hal } from './osdi.hal.js';
import { Id, NAMESPACE, Paging } from './osdi.routes.js';

const TAGS = ['osdi'];

/**
 * OSDI knows SingleChoice, MultiChoice and Paragraph. A yes/no question is a single choice of
 * "true" and "false"; a number is a paragraph whose value is the number written out.
 */
const OSDI_TYPE = {
  single_choice: 'SingleChoice',
  yes_no: 'SingleChoice',
  multiple_choice: 'MultiChoice',
  text: 'Paragraph',
  number: 'Paragraph',
} as const;

function responsesOf(q: QuestionView): { key: string; name: string; title: string }[] {
  if (q.type === 'yes_no')
    return [
      { key: 'true', name: 'yes', title: 'Yes' },
      { key: 'false', name: 'no', title: 'No' },
    ];
  return q.choices.map((c) => ({ key: c.key, name: c.key, title: c.label }));
}

export function questionToOsdi(q: QuestionView, base: string): Record<string, unknown> {
  const self = `${base}/questions/${q.id}`;
  const responses = responsesOf(q);
  return {
    identifiers: [`${NAMESPACE}:${q.id}`],
    origin_system: 'Rhizome',
    created_date: q.created_at.toISOString(),
    modified_date: q.updated_at.toISOString(),
    name: q.key,
    title: q.prompt,
    question_type: OSDI_TYPE[q.type],
    ...(responses.length > 0 ? { responses } : {}),
    _links: { self: { href: self }, 'osdi:answers': { href: `${self}/answers` } },
  };
}

export function answerToOsdi(a: AnswerView, base: string): Record<string, unknown> {
  const question = `${base}/questions/${a.question_id}`;
  const value = a.value;
  // Choices (and yes/no) are responses by key; text and numbers are a value.
  const shape = Array.isArray(value)
    ? { responses: value.map(String) }
    : typeof value === 'boolean'
      ? { responses: [String(value)] }
      : { value: String(value) };
  return {
    identifiers: [`${NAMESPACE}:${a.id}`],
    origin_system: 'Rhizome',
    created_date: a.created_at.toISOString(),
    modified_date: a.created_at.toISOString(),
    action_date: a.asked_at.toISOString(),
    ...shape,
    _links: {
      self: { href: `${question}/answers/${a.id}` },
      'osdi:question': { href: question },
      'osdi:person': { href: `${base}/people/${a.person_id}` },
    },
  };
}

/** OSDI `questions` and their `answers` (read-only; answers are scoped like the people they are of). */
export const osdiQuestionRoutes = [
  defineRoute({
    method: 'GET',
    url: '/osdi/v1/questions',
    policy: { action: 'people.read' },
    summary: 'OSDI: the questions collection (survey questions)',
    tags: TAGS,
    query: Paging,
    handler: async ({ query, ctx, request, reply }) => {
      const base = baseUrl(request);
      const page = await listQuestions(ctx, { page: query.page, perPage: query.per_page });
      return hal(
        reply,
        collection({
          rel: 'questions',
          base,
          path: '/questions',
          items: page.items.map((q) => questionToOsdi(q, base)),
          page: query.page,
          perPage: query.per_page,
          total: page.total,
        }),
      );
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/osdi/v1/questions/:id',
    policy: { action: 'people.read' },
    summary: 'OSDI: one question',
    tags: TAGS,
    params: Id,
    handler: async ({ params, ctx, request, reply }) =>
      hal(reply, questionToOsdi(await getQuestion(ctx, params.id), baseUrl(request))),
  }),
  defineRoute({
    method: 'GET',
    url: '/osdi/v1/questions/:id/answers',
    policy: { action: 'people.read' },
    summary: 'OSDI: the answers to a question, of the people whose timeline you may read',
    tags: TAGS,
    params: Id,
    query: Paging,
    handler: async ({ params, query, ctx, request, reply }) => {
      const base = baseUrl(request);
      const page = await listAnswersOfQuestion(ctx, params.id, { page: query.page, perPage: query.per_page });
      return hal(
        reply,
        collection({
          rel: 'answers',
          base,
          path: `/questions/${params.id}/answers`,
          items: page.items.map((a) => answerToOsdi(a, base)),
          page: query.page,
          perPage: query.per_page,
          total: page.total,
        }),
      );
    },
  }),
];
