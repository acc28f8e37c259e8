import { z } from 'zod';
import { defineRoute } from '../http/route.js';
import { ActivityView } from '../notes/index.js';
import {
  CallerInput,
  CallInput,
  CallListInput,
  CallListView,
  NextView,
  TargetView,
} from './call-lists.schemas.js';
import {
  addCaller,
  closeCallList,
  createCallList,
  getCallList,
  listCallLists,
  removeCaller,
} from './call-lists.service.js';
import { nextCall, recordCall } from './calls.service.js';
import {
  createPhoneTree,
  getPhoneTree,
  listPhoneTrees,
  PhoneTreeInput,
  ResultInput,
  recordTreeResult,
} from './phone-trees.service.js';
import {
  AnswersInput,
  AnswerView,
  QuestionInput,
  SurveyInput,
  SurveyPatch,
  SurveyView,
} from './surveys.schemas.js';
import {
  addQuestion,
  createSurvey,
  getSurvey,
  listAnswersOfPerson,
  listSurveys,
  recordAnswers,
  updateSurvey,
} from './surveys.service.js';

const Paging = z.object({
  page: z.coerce.number().int().min(1).default(1),
  per_page: z.coerce.number().int().min(1).max(100).default(50),
});
const Id = z.object({ id: z.uuid() });
const CallerId = z.object({ id: z.uuid(), userId: z.uuid() });
const page = <T extends z.ZodType>(item: T) =>
  z.object({ items: z.array(item), total: z.number(), page: z.number(), per_page: z.number() });
const paging = (q: { page: number; per_page: number }) => ({ page: q.page, perPage: q.per_page });

const surveyRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v1/surveys',
    policy: { action: 'people.read' },
    summary: 'List surveys with their questions',
    tags: ['surveys'],
    query: Paging,
    response: page(SurveyView),
    handler: async ({ query, ctx }) => await listSurveys(ctx, paging(query)),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/surveys',
    policy: { action: 'calls.manage' },
    summary: 'Create a survey with ordered questions (keys are stable)',
    tags: ['surveys'],
    body: SurveyInput,
    response: SurveyView,
    status: 201,
    handler: async ({ body, ctx }) => await createSurvey(ctx, body),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/surveys/:id',
    policy: { action: 'people.read' },
    summary: 'A survey and its questions in order',
    tags: ['surveys'],
    params: Id,
    response: SurveyView,
    handler: async ({ params, ctx }) => await getSurvey(ctx, params.id),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/api/v1/surveys/:id',
    policy: { action: 'calls.manage' },
    summary: 'Rename or describe a survey',
    tags: ['surveys'],
    params: Id,
    body: SurveyPatch,
    response: SurveyView,
    handler: async ({ params, body, ctx }) => await updateSurvey(ctx, params.id, body),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/surveys/:id/questions',
    policy: { action: 'calls.manage' },
    summary: 'Add a question at the end of a survey',
    tags: ['surveys'],
    params: Id,
    body: QuestionInput,
    response: SurveyView,
    status: 201,
    handler: async ({ params, body, ctx }) => await addQuestion(ctx, params.id, body),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/people/:id/answers',
    policy: { action: 'people.read' },
    summary: "A person's survey answers, newest first (the history; the newest per question is current)",
    tags: ['surveys'],
    params: Id,
    query: Paging,
    response: page(AnswerView),
    handler: async ({ params, query, ctx }) => await listAnswersOfPerson(ctx, params.id, paging(query)),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/people/:id/answers',
    policy: { action: 'people.write' },
    summary: "Record a person's answers given at a door or directly (calls record theirs with the call)",
    tags: ['surveys'],
    params: Id,
    body: AnswersInput,
    response: z.array(AnswerView),
    status: 201,
    handler: async ({ params, body, ctx }) => await recordAnswers(ctx, params.id, body),
  }),
];

const callListRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v1/call-lists',
    policy: { authenticated: true },
    summary: 'Call lists: all of them with calls.manage, otherwise those you call for',
    tags: ['call lists'],
    query: Paging,
    response: page(CallListView),
    handler: async ({ query, ctx }) => await listCallLists(ctx, paging(query)),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/call-lists',
    policy: { action: 'calls.manage' },
    summary: 'Create a call list from a list, a saved search or people (only people you may hand over)',
    tags: ['call lists'],
    body: CallListInput,
    response: CallListView,
    status: 201,
    handler: async ({ body, ctx }) => await createCallList(ctx, body),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/call-lists/:id',
    policy: { authenticated: true },
    summary: 'A call list with its callers and progress (done, pending, by outcome)',
    tags: ['call lists'],
    params: Id,
    response: CallListView,
    handler: async ({ params, ctx }) => await getCallList(ctx, params.id),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/call-lists/:id/callers',
    policy: { action: 'calls.manage' },
    summary: "Assign a caller (a list assignment with people.read, person.call and the list's fields)",
    tags: ['call lists'],
    params: Id,
    body: CallerInput,
    response: CallListView,
    handler: async ({ params, body, ctx }) => await addCaller(ctx, params.id, body),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/v1/call-lists/:id/callers/:userId',
    policy: { action: 'calls.manage' },
    summary: 'Remove a caller: their assignment ends and what they held returns to the queue',
    tags: ['call lists'],
    params: CallerId,
    handler: async ({ params, ctx }) => {
      await removeCaller(ctx, params.id, params.userId);
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/call-lists/:id/close',
    policy: { action: 'calls.manage' },
    summary: "Close a call list: every caller's assignment ends",
    tags: ['call lists'],
    params: Id,
    response: CallListView,
    handler: async ({ params, ctx }) => await closeCallList(ctx, params.id),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/call-lists/:id/next',
    policy: { action: 'person.call' },
    summary: 'Callers: the next person to call (held for you until the claim expires), script and survey',
    tags: ['call lists'],
    params: Id,
    response: NextView,
    handler: async ({ params, ctx }) => await nextCall(ctx, params.id),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/call-lists/:id/calls',
    policy: { action: 'person.call' },
    summary: 'Callers: record a call (outcome, answers, note) in one request',
    tags: ['call lists'],
    params: Id,
    body: CallInput,
    response: z.object({ call: ActivityView, target: TargetView, answers: z.number() }),
    status: 201,
    handler: async ({ params, body, ctx }) => await recordCall(ctx, params.id, body),
  }),
];

const phoneTreeRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v1/phone-trees',
    policy: { action: 'calls.manage' },
    summary: 'Phone trees',
    tags: ['phone trees'],
    query: Paging,
    handler: async ({ query, ctx }) => await listPhoneTrees(ctx, paging(query)),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/phone-trees',
    policy: { action: 'calls.manage' },
    summary: 'Create a phone tree from (person, leader) pairs',
    tags: ['phone trees'],
    body: PhoneTreeInput,
    status: 201,
    handler: async ({ body, ctx }) => await createPhoneTree(ctx, body),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/phone-trees/:id',
    policy: { action: 'calls.manage' },
    summary: 'The whole tree at a glance: per leader reached, pending and escalated to them, now',
    tags: ['phone trees'],
    params: Id,
    handler: async ({ params, ctx }) => await getPhoneTree(ctx, params.id),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/phone-trees/:id/results',
    policy: { action: 'calls.manage' },
    summary: 'Record whether a callee was reached (also a call on their timeline)',
    tags: ['phone trees'],
    params: Id,
    body: ResultInput,
    handler: async ({ params, body, ctx }) => await recordTreeResult(ctx, params.id, body),
  }),
];

export const callingRoutes = [...surveyRoutes, ...callListRoutes, ...phoneTreeRoutes];
