import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { Ctx } from '../context.js';
import { notFound } from '../errors.js';
import {
  type FormView,
  formPagePath,
  getSubmission,
  listForms,
  listSubmissions,
  recordSubmission,
  requireForm,
  type SubmissionView,
} from '../forms/index.js';
import { defineRoute } from '../http/route.js';
import { baseUrl, collection, compact, hal, MAX_PAGE_SIZE } from './osdi.hal.js';
import { fromOsdi, OsdiPerson, toOsdi } from './osdi.people.js';

/** Our identifier namespace (as in osdi.routes.ts). */
const NAMESPACE = 'rhizome';
const TAGS = ['osdi'];

const Paging = z.object({
  page: z.coerce.number().int().min(1).default(1),
  per_page: z.coerce
    .number()
    .int()
    .min(1)
    .default(25)
    .transform((n) => Math.min(n, MAX_PAGE_SIZE)),
});
const Id = z.object({ id: z.uuid() });
const ItemId = z.object({ id: z.uuid(), itemId: z.uuid() });

/**
 * OSDI's two resources over our one `form` table: a form's items are submissions, a petition's
 * signatures. The names of each, as OSDI spells them.
 */
const KINDS = {
  form: {
    collection: 'forms',
    item: 'form',
    items: 'submissions',
    itemRel: 'submission',
    helper: 'record_submission_helper',
    total: 'total_submissions',
  },
  petition: {
    collection: 'petitions',
    item: 'petition',
    items: 'signatures',
    itemRel: 'signature',
    helper: 'record_signature_helper',
    total: 'total_signatures',
  },
} as const;
type Kind = keyof typeof KINDS;

function origin(request: FastifyRequest): string {
  return `${request.protocol}://${request.headers.host ?? 'localhost'}`;
}

/** A form as an OSDI `osdi:form`, or a petition as an `osdi:petition`; absent values are left out. */
export function formToOsdi(f: FormView, base: string, site: string): Record<string, unknown> {
  const k = KINDS[f.kind];
  const self = `${base}/${k.collection}/${f.id}`;
  return compact({
    identifiers: [`${NAMESPACE}:${f.id}`],
    origin_system: 'Rhizome',
    created_date: f.created_at.toISOString(),
    modified_date: f.updated_at.toISOString(),
    name: f.title,
    title: f.title,
    description: f.description,
    call_to_action: f.kind === 'form' ? f.call_to_action : undefined,
    petition_text: f.kind === 'petition' ? f.petition_text : undefined,
    target:
      f.kind === 'petition'
        ? f.targets.map((t) => ({ name: t.title ? `${t.name}, ${t.title}` : t.name }))
        : undefined,
    browser_url: `${site}${formPagePath(f.id)}`,
    [k.total]: f.total_submissions,
    _links: {
      self: { href: self },
      [`osdi:${k.items}`]: { href: `${self}/${k.items}` },
      [`osdi:${k.helper}`]: { href: `${self}/${k.items}/${k.helper}` },
    },
  });
}

function itemToOsdi(kind: Kind, s: SubmissionView, base: string): Record<string, unknown> {
  const k = KINDS[kind];
  const parent = `${base}/${k.collection}/${s.form_id}`;
  return compact({
    identifiers: [`${NAMESPACE}:${s.id}`],
    origin_system: 'Rhizome',
    created_date: s.submitted_at.toISOString(),
    action_date: s.submitted_at.toISOString(),
    comments: kind === 'petition' ? s.comment : undefined,
    referrer_data: s.referrer ? { source: s.referrer } : undefined,
    _links: {
      self: { href: `${parent}/${k.items}/${s.id}` },
      [`osdi:${k.item}`]: { href: parent },
      'osdi:person': { href: `${base}/people/${s.person_id}` },
    },
  });
}

const HelperBody = z
  .object({
    person: OsdiPerson,
    action_date: z.iso.datetime({ offset: true }).optional(),
    comments: z.string().trim().min(1).max(2000).optional(),
    referrer_data: z
      .object({ source: z.string().max(200).optional() })
      .passthrough()
      .optional(),
  })
  .passthrough();

/** The form, when it is of this kind (a petition is not found among forms, nor a form among petitions). */
async function requireKind(ctx: Ctx, kind: Kind, id: string): Promise<FormView> {
  const form = await requireForm(ctx, id);
  if (form.kind !== kind) throw notFound(KINDS[kind].item);
  return form;
}

function routesFor(kind: Kind) {
  const k = KINDS[kind];
  const path = `/osdi/v1/${k.collection}`;
  return [
    defineRoute({
      method: 'GET',
      url: path,
      policy: { action: 'forms.manage' },
      summary: `OSDI: the ${k.collection} collection (those of the caller's units)`,
      tags: TAGS,
      query: Paging,
      handler: async ({ query, ctx, request, reply }) => {
        const base = baseUrl(request);
        const page = await listForms(ctx, { kind, page: query.page, perPage: query.per_page });
        return hal(
          reply,
          collection({
            rel: k.collection,
            base,
            path: `/${k.collection}`,
            items: page.items.map((f) => formToOsdi(f, base, origin(request))),
            page: query.page,
            perPage: query.per_page,
            total: page.total,
          }),
        );
      },
    }),
    defineRoute({
      method: 'GET',
      url: `${path}/:id`,
      policy: { action: 'forms.manage' },
      summary: `OSDI: one ${k.item}`,
      tags: TAGS,
      params: Id,
      handler: async ({ params, ctx, request, reply }) =>
        hal(reply, formToOsdi(await requireKind(ctx, kind, params.id), baseUrl(request), origin(request))),
    }),
    defineRoute({
      method: 'GET',
      url: `${path}/:id/${k.items}`,
      policy: { action: 'forms.manage' },
      summary: `OSDI: a ${k.item}'s ${k.items} (those whose person the caller may see)`,
      tags: TAGS,
      params: Id,
      query: Paging,
      handler: async ({ params, query, ctx, request, reply }) => {
        await requireKind(ctx, kind, params.id);
        const base = baseUrl(request);
        const page = await listSubmissions(ctx, params.id, { page: query.page, perPage: query.per_page });
        return hal(
          reply,
          collection({
            rel: k.items,
            base,
            path: `/${k.collection}/${params.id}/${k.items}`,
            items: page.items.map((s) => ({
              ...itemToOsdi(kind, s, base),
              _embedded: { 'osdi:person': toOsdi(s.person, base, NAMESPACE) },
            })),
            page: query.page,
            perPage: query.per_page,
            total: page.total,
          }),
        );
      },
    }),
    defineRoute({
      method: 'GET',
      url: `${path}/:id/${k.items}/:itemId`,
      policy: { action: 'forms.manage' },
      summary: `OSDI: one ${k.itemRel}`,
      tags: TAGS,
      params: ItemId,
      handler: async ({ params, ctx, request, reply }) => {
        await requireKind(ctx, kind, params.id);
        return hal(
          reply,
          itemToOsdi(kind, await getSubmission(ctx, params.id, params.itemId), baseUrl(request)),
        );
      },
    }),
    defineRoute({
      method: 'POST',
      url: `${path}/:id/${k.items}/${k.helper}`,
      policy: { action: 'forms.manage' },
      summary: `OSDI: record a ${k.itemRel} (the person is matched or created, as a signup)`,
      tags: TAGS,
      params: Id,
      body: HelperBody,
      handler: async ({ params, body, ctx, request, reply }) => {
        await requireKind(ctx, kind, params.id);
        const result = await recordSubmission(ctx, params.id, fromOsdi(body.person, NAMESPACE), {
          answers: {},
          comment: body.comments ?? null,
          referrer: body.referrer_data?.source ?? null,
          submittedAt: body.action_date ? new Date(body.action_date) : null,
        });
        return hal(reply, itemToOsdi(kind, result.submission, baseUrl(request)), result.created ? 201 : 200);
      },
    }),
  ];
}

/** OSDI forms and submissions, petitions and signatures. */
export const osdiFormRoutes = [...routesFor('form'), ...routesFor('petition')];
