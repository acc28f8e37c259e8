import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import { defineRoute } from '../http/route.js';
import { messages, type PageOptions, requestLocale, sendPage } from '../signup/index.js';
import { CONSENT_HEADERS, consentGonePage, consentPage, consentRefusedPage } from './consent.page.js';
import { OptOutInput, personConsent, recordOptOut } from './consent.person.js';
import {
  applyConsentChoices,
  type ConsentChoices,
  consentPagePath,
  consentState,
  MintInput,
  mintConsentLink,
  openLink,
  revokeConsentLinks,
} from './consent.service.js';
import { formTokenMatches } from './consent.tokens.js';

const TAGS = ['consent'];
const PersonId = z.object({ id: z.uuid() });
const Posted = z.record(z.string(), z.union([z.string(), z.array(z.string())])).default({});
const PAGE = {
  public: true,
  reason:
    'a person reached by email changes their own choices without an account; the token is the capability',
} as const;

const dress = (request: FastifyRequest): PageOptions => ({ m: messages(requestLocale(request)), request });
const tokenOf = (request: FastifyRequest) => String((request.params as { token?: unknown }).token ?? '');

/** host[:port] without a default port (80, 443), lower case. */
const normalHost = (host: string) => host.toLowerCase().replace(/:(80|443)$/, '');

/**
 * A post from this server's own page: not marked cross-site by the browser (Sec-Fetch-Site), and an
 * Origin, when sent, naming this host. Hosts are compared (not schemes) so that a TLS-terminating
 * proxy in front of the server does not refuse every post.
 */
export function sameOrigin(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') return false;
  const origin = request.headers.origin;
  if (typeof origin !== 'string') return true;
  try {
    return normalHost(new URL(origin).host) === normalHost(request.headers.host ?? '');
  } catch {
    return false;
  }
}

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** The posted choices: `email_<id>` radios, `sms`, the do-not-contact box (absent is "no"). */
export function choicesFromPost(body: Record<string, string | string[]>): ConsentChoices {
  const emails: ConsentChoices['emails'] = {};
  for (const [name, raw] of Object.entries(body)) {
    const value = one(raw);
    if (name.startsWith('email_') && (value === 'subscribed' || value === 'unsubscribed'))
      emails[name.slice(6)] = value;
  }
  const sms = one(body.sms);
  return {
    emails,
    ...(sms === 'opted_in' || sms === 'opted_out' ? { sms } : {}),
    doNotContact: one(body.do_not_contact) === 'yes',
  };
}

const MintedLinkView = z.object({
  id: z.uuid(),
  person_id: z.uuid(),
  token: z.string().describe('The capability: shown once, only its HMAC is stored'),
  url: z.string().describe('The consent page to send the person'),
  purpose: z.string(),
  expires_at: z.date(),
});

const Source = z.object({ kind: z.string(), ref: z.string().nullable() });
const EmailStatus = z.enum(['subscribed', 'unsubscribed', 'bouncing', 'spam_complaint']);
const PersonConsentView = z.object({
  person_id: z.uuid(),
  do_not_contact: z.boolean(),
  emails: z.array(
    z.object({
      id: z.uuid(),
      primary: z.boolean(),
      address: z.string().optional().describe('Only for users who may read contact fields'),
      address_masked: z.string().optional().describe('For users who may not'),
      status: EmailStatus,
    }),
  ),
  phones: z.array(
    z.object({
      id: z.uuid(),
      primary: z.boolean(),
      number: z.string().optional().describe('Only for users who may read contact fields'),
      number_masked: z.string().optional().describe('For users who may not'),
      sms_capable: z.boolean(),
      do_not_call: z.boolean(),
    }),
  ),
  sms: z
    .object({ status: z.enum(['opted_in', 'opted_out']), changed_at: z.date(), source: Source })
    .nullable()
    .describe('The person’s choice about text messages; null when none was recorded'),
  history: z
    .array(
      z.object({
        id: z.uuid(),
        at: z.date(),
        source: Source.describe(
          'consent_link: the person on their page; user, api, system: recorded for them; event, form, petition: a signup',
        ),
        recorded_by: z.object({ id: z.uuid(), name: z.string() }).nullable(),
        note: z.string().nullable(),
        language: z.string().nullable(),
        changes: z.array(
          z.object({
            choice: z.enum(['email', 'sms', 'do_not_call', 'do_not_contact']),
            target: z.string().nullable().describe('The address or number (masked)'),
            before: z.union([z.string(), z.boolean()]).nullable(),
            after: z.union([z.string(), z.boolean()]).nullable(),
          }),
        ),
      }),
    )
    .describe('When and how each choice was given or withdrawn, newest first (up to 100)'),
  can_record_opt_out: z.boolean(),
});

export const consentRoutes = [
  defineRoute({
    method: 'POST',
    url: '/api/v1/people/:id/consent-links',
    policy: { action: 'people.write' },
    summary:
      'Make a consent link for a person (for a message to them): their page to change email, texts and do-not-contact',
    tags: TAGS,
    params: PersonId,
    body: MintInput,
    response: MintedLinkView,
    status: 201,
    handler: async ({ params, body, ctx, request }) => {
      const link = await mintConsentLink(ctx, params.id, body);
      const { path, ...rest } = link;
      return { ...rest, url: `${request.protocol}://${request.headers.host ?? 'localhost'}${path}` };
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/people/:id/consent-links/revoke',
    policy: { action: 'people.write' },
    summary: 'End every live consent link of a person',
    tags: TAGS,
    params: PersonId,
    handler: async ({ params, ctx }) => await revokeConsentLinks(ctx, params.id),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/people/:id/consent',
    policy: { action: 'people.read' },
    summary:
      'A person’s consent on every channel (email per address, texts, calls per number, do-not-contact) and its history',
    tags: TAGS,
    params: PersonId,
    response: PersonConsentView,
    handler: async ({ params, ctx }) => await personConsent(ctx, params.id),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/people/:id/consent/opt-out',
    policy: { action: 'people.write' },
    summary:
      'Record an opt-out the person asked for (stop email to an address, texts, calls to a number, or all contact), with a receipt naming the user',
    tags: TAGS,
    params: PersonId,
    body: OptOutInput,
    response: z.object({ changed: z.number().int(), consent: PersonConsentView }),
    handler: async ({ params, body, ctx }) => await recordOptOut(ctx, params.id, body),
  }),
  defineRoute({
    method: 'GET',
    url: '/consent/:token',
    policy: PAGE,
    rateLimitPerMinute: 30,
    summary:
      'A person’s consent page: their masked addresses and choices, as a form that works without JavaScript',
    tags: TAGS,
    hidden: true,
    handler: async ({ request, reply, ctx }) => {
      const options = dress(request);
      const token = tokenOf(request);
      const link = await openLink(ctx.db, token, ctx.now());
      if (!link) return sendPage(reply, 404, consentGonePage(options), CONSENT_HEADERS);
      const state = await consentState(ctx.db, link);
      return sendPage(
        reply,
        200,
        consentPage(state, { action: consentPagePath(token), formToken: link.formToken }, options),
        CONSENT_HEADERS,
      );
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/consent/:token',
    policy: PAGE,
    rateLimitPerMinute: 10,
    summary: 'The consent page posted (urlencoded): the choices saved with a receipt, and the page again',
    tags: TAGS,
    hidden: true,
    body: Posted,
    handler: async ({ request, reply, body, ctx }) => {
      const options = dress(request);
      if (!sameOrigin(request)) return sendPage(reply, 403, consentRefusedPage(options), CONSENT_HEADERS);
      const token = tokenOf(request);
      const link = await openLink(ctx.db, token, ctx.now());
      if (!link) return sendPage(reply, 404, consentGonePage(options), CONSENT_HEADERS);
      if (!formTokenMatches(link.formToken, one(body.form_token)))
        return sendPage(reply, 403, consentRefusedPage(options), CONSENT_HEADERS);
      const m = options.m ?? messages('en');
      await applyConsentChoices(
        { db: ctx.db, now: ctx.now, log: ctx.log, audit: ctx.audit },
        link,
        choicesFromPost(body),
        m.locale,
      );
      const state = await consentState(ctx.db, link);
      return sendPage(
        reply,
        200,
        consentPage(
          state,
          { action: consentPagePath(token), formToken: link.formToken, saved: true },
          options,
        ),
        CONSENT_HEADERS,
      );
    },
  }),
];
