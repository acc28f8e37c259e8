import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { AppError } from '../errors.js';
import { defineRoute } from '../http/route.js';
import {
  messages,
  notFoundPage,
  type PageOptions,
  publicFieldErrors,
  requestLocale,
  sendPage,
  signupFromPost,
  signupPosted,
} from '../signup/index.js';
import { answersFromPost, embedSnippet, formPage, formThanks } from './forms.page.js';
import { FORM_KINDS, FormInput, FormPatch, FormView, PublicSubmissionInput } from './forms.schemas.js';
import { createForm, deleteForm, listForms, requireForm, updateForm } from './forms.service.js';
import { getSubmission, listSubmissions, publicForm, publicSubmit } from './submissions.service.js';

const TAGS = ['forms'];
const Id = z.object({ id: z.uuid() });
const SubmissionId = z.object({ id: z.uuid(), submissionId: z.uuid() });
const Paging = z.object({
  page: z.coerce.number().int().min(1).default(1),
  per_page: z.coerce.number().int().min(1).max(100).default(50),
});
const FormQuery = Paging.extend({ kind: z.enum(FORM_KINDS).optional() });
/** A posted page: field name → value, or values when a name repeats (checkboxes). */
const PostedPage = z.record(z.string(), z.union([z.string(), z.array(z.string())])).default({});

/** The public page's language (Accept-Language, or `?lang=`) and its switch links. */
const dress = (request: FastifyRequest): PageOptions => ({ m: messages(requestLocale(request)), request });
const origin = (request: FastifyRequest) => `${request.protocol}://${request.headers.host ?? 'localhost'}`;
/** The public page of a form or petition (no login, no JavaScript). */
export const formPagePath = (id: string) => `/f/${id}`;

const PUBLIC_PAGE = {
  public: true,
  reason: 'anyone may fill in an open form or sign an open petition without an account',
} as const;

export const formRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v1/forms',
    policy: { action: 'forms.manage' },
    summary: 'Forms and petitions of the caller’s units, newest first',
    tags: TAGS,
    query: FormQuery,
    handler: async ({ query, ctx }) =>
      await listForms(ctx, { kind: query.kind, page: query.page, perPage: query.per_page }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/forms',
    policy: { action: 'forms.manage' },
    summary: 'Create a form with custom questions, or a petition with targets, owned by a unit',
    tags: TAGS,
    body: FormInput,
    response: FormView,
    status: 201,
    handler: async ({ body, ctx }) => await createForm(ctx, body),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/forms/:id',
    policy: { action: 'forms.manage' },
    summary: 'One form or petition with its questions, targets and submission count',
    tags: TAGS,
    params: Id,
    response: FormView,
    handler: async ({ params, ctx }) => await requireForm(ctx, params.id),
  }),
  defineRoute({
    method: 'PATCH',
    url: '/api/v1/forms/:id',
    policy: { action: 'forms.manage' },
    summary: 'Change a form or petition (open, close, questions, targets)',
    tags: TAGS,
    params: Id,
    body: FormPatch,
    response: FormView,
    handler: async ({ params, body, ctx }) => await updateForm(ctx, params.id, body),
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/v1/forms/:id',
    policy: { action: 'forms.manage' },
    summary: 'Delete a form or petition and its submissions (timeline entries stay)',
    tags: TAGS,
    params: Id,
    handler: async ({ params, ctx }) => await deleteForm(ctx, params.id),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/forms/:id/submissions',
    policy: { action: 'forms.manage' },
    summary: 'Submissions or signatures about people the caller may read, each person projected for them',
    tags: TAGS,
    params: Id,
    query: Paging,
    handler: async ({ params, query, ctx }) =>
      await listSubmissions(ctx, params.id, { page: query.page, perPage: query.per_page }),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/forms/:id/submissions/:submissionId',
    policy: { action: 'forms.manage' },
    summary: 'One submission or signature',
    tags: TAGS,
    params: SubmissionId,
    handler: async ({ params, ctx }) => await getSubmission(ctx, params.id, params.submissionId),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/forms/:id/embed',
    policy: { action: 'forms.manage' },
    summary: 'The public page’s address and an HTML snippet (an iframe) to embed it in another site',
    tags: TAGS,
    params: Id,
    handler: async ({ params, ctx, request }) => {
      const form = await requireForm(ctx, params.id);
      const url = `${origin(request)}${formPagePath(form.id)}`;
      return { url, html: embedSnippet(form, url) };
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/public/forms/:id',
    policy: PUBLIC_PAGE,
    summary: 'An open or closed form or petition as anyone may see it (no submissions)',
    tags: TAGS,
    params: Id,
    handler: async ({ params, ctx }) => {
      const { org_id: _org, unit_path: _unit, ...form } = await publicForm(ctx, params.id);
      return {
        ...form,
        page: formPagePath(form.id),
        submissions: `/api/v1/public/forms/${form.id}/submissions`,
      };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/public/forms/:id/submissions',
    policy: PUBLIC_PAGE,
    rateLimitPerMinute: 60,
    summary: 'Fill in a form or sign a petition (no login): matched to an existing person, consent recorded',
    tags: TAGS,
    params: Id,
    body: PublicSubmissionInput,
    status: 202,
    handler: async ({ params, body, ctx }) =>
      await publicSubmit({ db: ctx.db, now: ctx.now, log: ctx.log, audit: ctx.audit }, params.id, body),
  }),
  defineRoute({
    method: 'GET',
    url: '/f/:id',
    policy: PUBLIC_PAGE,
    summary: 'The public page of a form or petition: HTML that works without JavaScript',
    tags: TAGS,
    hidden: true,
    handler: async ({ request, reply, ctx }) => {
      const options = dress(request);
      const parsed = Id.safeParse(request.params);
      if (!parsed.success) return notFoundPage(reply, options);
      const referrer = (request.query as Record<string, unknown>).ref;
      try {
        const form = await publicForm(ctx, parsed.data.id);
        return sendPage(
          reply,
          200,
          formPage(
            form,
            formPagePath(form.id),
            typeof referrer === 'string' ? { referrer: referrer.slice(0, 200) } : {},
            new Map(),
            options,
          ),
        );
      } catch (err) {
        if (err instanceof AppError && err.code === 'not_found') return notFoundPage(reply, options);
        throw err;
      }
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/f/:id',
    policy: PUBLIC_PAGE,
    rateLimitPerMinute: 60,
    summary:
      'The public page posted (application/x-www-form-urlencoded): a thank-you page, or the form with its errors',
    tags: TAGS,
    hidden: true,
    body: PostedPage,
    handler: async ({ request, reply, body, ctx }) => {
      const options = dress(request);
      const parsed = Id.safeParse(request.params);
      if (!parsed.success) return notFoundPage(reply, options);
      let form: Awaited<ReturnType<typeof publicForm>>;
      try {
        form = await publicForm(ctx, parsed.data.id);
      } catch (err) {
        if (err instanceof AppError && err.code === 'not_found') return notFoundPage(reply, options);
        throw err;
      }
      const comment =
        typeof body.comment === 'string' && body.comment.trim() !== '' ? body.comment.trim() : undefined;
      const input = PublicSubmissionInput.safeParse({
        ...signupFromPost(body),
        answers: answersFromPost(form.questions, body),
        ...(comment ? { comment } : {}),
      });
      try {
        if (!input.success) {
          const fields = input.error.issues.map((i) => ({
            field: i.path.map(String).join('.'),
            message: i.message,
          }));
          throw new AppError('validation_failed', fields[0]?.message ?? 'check the form', { fields });
        }
        await publicSubmit({ db: ctx.db, now: ctx.now, log: ctx.log, audit: ctx.audit }, form.id, input.data);
        return sendPage(reply, 200, formThanks(form, options));
      } catch (err) {
        if (err instanceof AppError && (err.code === 'validation_failed' || err.code === 'conflict'))
          return sendPage(
            reply,
            err.code === 'conflict' ? 409 : 400,
            formPage(
              form,
              formPagePath(form.id),
              body,
              publicFieldErrors(err.fields, err.message, options.m ?? messages('en'), signupPosted),
              options,
            ),
          );
        throw err;
      }
    },
  }),
];
