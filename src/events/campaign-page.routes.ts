import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { FastifyRequest } from 'fastify';
import { sql } from 'kysely';
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
  thanksPage,
} from '../signup/index.js';
import {
  CAMPAIGN_MAP_SCRIPT,
  type CampaignSearch,
  campaignPage,
  DEFAULT_RADIUS_KM,
  type ListedEvent,
  type PublicCampaign,
  proposalPosted,
} from './campaign.page.js';
import { localDate, ProposalInput, proposeEvent, searchCampaignEvents } from './campaigns.service.js';
import { publicEvents } from './feeds.js';

const TAGS = ['campaigns'];
const PUBLIC_PAGE = {
  public: true,
  reason: 'a day of action recruits hosts and attendees who have no account',
} as const;
const Id = z.object({ id: z.uuid() });
const Posted = z.record(z.string(), z.union([z.string(), z.array(z.string())])).default({});
/** The map script: read once, served as it is (a few kilobytes, no dependencies). */
const MAP_JS = readFileSync(path.join(import.meta.dirname, 'campaign-map.js'));

/** The page's language (Accept-Language, `?lang=`, or the posted form's) and its switch links. */
const dress = (request: FastifyRequest): PageOptions => ({ m: messages(requestLocale(request)), request });

/** The campaign as its public page shows it, or null. */
async function findCampaign(
  db: Parameters<typeof publicEvents>[0],
  id: string,
): Promise<PublicCampaign | null> {
  const row = await db
    .selectFrom('campaign as c')
    .innerJoin('org as o', 'o.id', 'c.org_id')
    .select([
      'c.id',
      'o.name as org_name',
      'c.title',
      'c.description',
      sql<string>`c.starts_on::text`.as('starts_on'),
      sql<string>`c.ends_on::text`.as('ends_on'),
    ])
    .where('c.id', '=', id)
    .executeTakeFirst();
  return row ?? null;
}

/** Hosts may propose while the campaign's last day has not ended anywhere (UTC−12 is last). */
const isOpen = (c: PublicCampaign, now: Date) => c.ends_on >= localDate(now, 'Etc/GMT+12');

/**
 * The instant a wall-clock time names in an IANA zone (the zone's offset at that moment, checked
 * twice so that a time next to a daylight-saving change lands right), or undefined.
 */
export function zonedInstant(date: string, time: string, zone: string): Date | undefined {
  const d = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  const t = /^(\d{2}):(\d{2})(?::\d{2})?$/.exec(time);
  if (!d || !t) return undefined;
  try {
    const format = new Intl.DateTimeFormat('en-US', {
      timeZone: zone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    });
    const offset = (at: number) => {
      const parts = format.formatToParts(new Date(at));
      const get = (type: string) => Number(parts.find((p) => p.type === type)?.value);
      return (
        Date.UTC(get('year'), get('month') - 1, get('day'), get('hour'), get('minute'), get('second')) - at
      );
    };
    const wall = Date.UTC(Number(d[1]), Number(d[2]) - 1, Number(d[3]), Number(t[1]), Number(t[2]));
    const first = wall - offset(wall);
    const at = wall - offset(first);
    return Number.isNaN(at) ? undefined : new Date(at);
  } catch {
    return undefined;
  }
}

const toListed = (e: ListedEvent): ListedEvent => ({
  id: e.id,
  title: e.title,
  starts_at: e.starts_at,
  ends_at: e.ends_at,
  timezone: e.timezone,
  location_name: e.location_name,
  locality: e.locality,
  latitude: e.latitude,
  longitude: e.longitude,
  ...(e.distance_km !== undefined ? { distance_km: e.distance_km } : {}),
});

/** The search the query asks for: a ZIP code and a radius (1–500 km), or nothing. */
async function runSearch(
  db: Parameters<typeof publicEvents>[0],
  campaignId: string,
  query: Record<string, unknown>,
  now: Date,
): Promise<CampaignSearch> {
  const zip = typeof query.zip === 'string' ? query.zip.trim().slice(0, 10) : '';
  if (zip === '') return { kind: 'none' };
  const asked = Number(query.radius_km);
  const radiusKm =
    Number.isFinite(asked) && asked >= 1 && asked <= 500 ? Math.round(asked) : DEFAULT_RADIUS_KM;
  try {
    const found = await searchCampaignEvents({ db }, campaignId, zip, radiusKm);
    const events = found.events.filter((e) => e.ends_at > now).map(toListed);
    return { kind: 'results', zip, radiusKm, center: found.center, events };
  } catch (err) {
    if (err instanceof AppError && err.code === 'validation_failed')
      return { kind: 'invalid', zip, radiusKm };
    throw err;
  }
}

async function upcoming(
  db: Parameters<typeof publicEvents>[0],
  campaignId: string,
  now: Date,
): Promise<ListedEvent[]> {
  const { events } = await publicEvents(db, { campaignId }, now, 200);
  return events.filter((e) => e.status === 'published').map(toListed);
}

/** A posted host form as the campaign service takes it (times in the chosen zone). */
export function proposalFromPost(body: Record<string, string | string[]>): Record<string, unknown> {
  const one = (name: string): string | undefined => {
    const v = body[name];
    const s = Array.isArray(v) ? v[0] : v;
    return s === undefined || s.trim() === '' ? undefined : s.trim();
  };
  const zone = one('timezone') ?? 'UTC';
  const date = one('date') ?? '';
  const start = zonedInstant(date, one('start_time') ?? '', zone);
  let end = zonedInstant(date, one('end_time') ?? '', zone);
  // An end before the start is past midnight: the next day.
  if (start && end && end <= start) end = new Date(end.getTime() + 24 * 3600 * 1000);
  const street = one('street');
  const optional = (name: string, key = name) => {
    const v = one(name);
    return v === undefined ? {} : { [key]: v };
  };
  return {
    host: {
      given_name: one('host_given_name') ?? '',
      ...optional('host_family_name', 'family_name'),
      email: one('host_email') ?? '',
    },
    title: one('title') ?? '',
    ...optional('description'),
    starts_at: start ?? 'not a time',
    ends_at: end ?? 'not a time',
    timezone: zone,
    ...optional('location_name'),
    ...(street ? { address_lines: [street] } : {}),
    ...optional('locality'),
    ...optional('postal_code'),
    consent: { email_updates: one('consent_email') !== undefined },
    ...optional('website'),
  };
}

export const campaignPageRoutes = [
  defineRoute({
    method: 'GET',
    url: CAMPAIGN_MAP_SCRIPT,
    policy: { public: true, reason: 'the campaign page’s optional map script' },
    summary: 'The script that draws a campaign search’s results on a map (the page works without it)',
    tags: TAGS,
    hidden: true,
    handler: async ({ reply }) =>
      reply
        .type('text/javascript; charset=utf-8')
        .header('cache-control', 'public, max-age=3600')
        .header('x-content-type-options', 'nosniff')
        .send(MAP_JS),
  }),
  defineRoute({
    method: 'GET',
    url: '/c/:id',
    policy: PUBLIC_PAGE,
    summary:
      'The public page of a campaign: search by ZIP code (results listed by the server), the calendar, the host form',
    tags: TAGS,
    hidden: true,
    handler: async ({ request, reply, ctx }) => {
      const options = dress(request);
      const parsed = Id.safeParse(request.params);
      const campaign = parsed.success ? await findCampaign(ctx.db, parsed.data.id) : null;
      if (!campaign) return notFoundPage(reply, options);
      const now = ctx.now();
      const search = await runSearch(ctx.db, campaign.id, request.query as Record<string, unknown>, now);
      const list = search.kind === 'results' ? [] : await upcoming(ctx.db, campaign.id, now);
      return sendPage(
        reply,
        search.kind === 'invalid' ? 400 : 200,
        campaignPage(campaign, { search, upcoming: list, open: isOpen(campaign, now) }, options),
        // The map script, from this origin only.
        search.kind === 'results'
          ? {
              'content-security-policy':
                "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; img-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors *",
            }
          : {},
      );
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/c/:id',
    policy: PUBLIC_PAGE,
    rateLimitPerMinute: 10,
    summary:
      'The campaign page’s host form posted (urlencoded): a thank-you page, or the form with its errors',
    tags: TAGS,
    hidden: true,
    body: Posted,
    handler: async ({ request, reply, body, ctx }) => {
      const options = dress(request);
      const m = options.m ?? messages('en');
      const parsed = Id.safeParse(request.params);
      const campaign = parsed.success ? await findCampaign(ctx.db, parsed.data.id) : null;
      if (!campaign) return notFoundPage(reply, options);
      const now = ctx.now();
      try {
        if (!isOpen(campaign, now)) throw new AppError('validation_failed', 'the campaign is over');
        const input = ProposalInput.safeParse(proposalFromPost(body));
        if (!input.success) {
          const fields = input.error.issues.map((i) => ({
            field: i.path.map(String).join('.'),
            message: i.message,
          }));
          throw new AppError('validation_failed', fields[0]?.message ?? 'check the form', { fields });
        }
        const result = await proposeEvent(
          { db: ctx.db, now: ctx.now, log: ctx.log, audit: ctx.audit },
          campaign.id,
          input.data,
        );
        const title = input.data.title;
        return sendPage(
          reply,
          200,
          thanksPage(
            result.status === 'published'
              ? m.t('campaign.thanksPublished', { title })
              : m.t('campaign.thanksPending', { title }),
            options,
          ),
        );
      } catch (err) {
        if (!(err instanceof AppError) || err.code !== 'validation_failed') throw err;
        const errors = publicFieldErrors(err.fields, err.message, m, proposalPosted);
        // The form as a whole has no field of its own here: its message goes with the title.
        if (errors.has('form')) {
          if (!errors.has('title')) errors.set('title', errors.get('form') ?? '');
          errors.delete('form');
        }
        return sendPage(
          reply,
          400,
          campaignPage(
            campaign,
            {
              search: { kind: 'none' },
              upcoming: await upcoming(ctx.db, campaign.id, now),
              open: isOpen(campaign, now),
              values: body,
              errors,
            },
            options,
          ),
        );
      }
    },
  }),
];
