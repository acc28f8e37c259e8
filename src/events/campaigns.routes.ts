import { z } from 'zod';
import { defineRoute } from '../http/route.js';
import {
  addModerator,
  CampaignInput,
  campaignCapabilities,
  createCampaign,
  getCampaign,
  listCampaigns,
  listModerators,
  moderationQueue,
  ProposalInput,
  proposeEvent,
  removeModerator,
  searchCampaignEvents,
  setTrustedHosts,
} from './campaigns.service.js';
import { publicEvents, toIcs } from './feeds.js';

const TAGS = ['campaigns'];
const Id = z.object({ id: z.uuid() });
const PUBLIC = {
  public: true,
  reason: 'a day of action recruits hosts and attendees who have no account',
} as const;
const Search = z.object({
  zip: z.string().trim().min(5).max(10).describe('A US ZIP code'),
  radius_km: z.coerce.number().positive().max(500).default(50),
});

export const campaignRoutes = [
  defineRoute({
    method: 'GET',
    url: '/api/v1/campaigns',
    policy: { action: 'events.read' },
    summary: "The organization's campaigns (distributed days of action)",
    tags: TAGS,
    handler: async ({ ctx }) => ({ items: await listCampaigns(ctx) }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/campaigns',
    policy: { action: 'events.moderate' },
    summary: 'Start a campaign: a date window in which volunteers propose host events',
    tags: TAGS,
    body: CampaignInput,
    status: 201,
    handler: async ({ body, ctx }) => await createCampaign(ctx, body),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/campaigns/:id',
    policy: { action: 'events.read' },
    summary: 'One campaign, with what the caller may do to it (`can.manage`: moderators, trusted hosts)',
    tags: TAGS,
    params: Id,
    handler: async ({ params, ctx }) => {
      const campaign = await getCampaign(ctx, params.id);
      return { ...campaign, can: await campaignCapabilities(ctx, params.id) };
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/campaigns/:id/moderators',
    policy: { action: 'events.read' },
    summary: "A campaign's moderators (any one of them may approve its events)",
    tags: TAGS,
    params: Id,
    handler: async ({ params, ctx }) => ({ items: await listModerators(ctx, params.id) }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/campaigns/:id/moderators',
    policy: { action: 'events.moderate' },
    summary: 'Add a moderator (a user whose role lets them moderate events)',
    tags: TAGS,
    params: Id,
    body: z
      .object({ user_id: z.uuid().optional(), email: z.email().max(320).optional() })
      .strict()
      .refine((m) => (m.user_id === undefined) !== (m.email === undefined), {
        path: ['user_id'],
        message: 'give user_id or email',
      }),
    handler: async ({ params, body, ctx }) => {
      await addModerator(ctx, params.id, body);
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: '/api/v1/campaigns/:id/moderators/:userId',
    policy: { action: 'events.moderate' },
    summary: 'Remove a moderator (409 when it would leave a single one as the only path to approval)',
    tags: TAGS,
    params: z.object({ id: z.uuid(), userId: z.uuid() }),
    handler: async ({ params, ctx }) => {
      await removeModerator(ctx, params.id, params.userId);
    },
  }),
  defineRoute({
    method: 'PUT',
    url: '/api/v1/campaigns/:id/trusted-hosts',
    policy: { action: 'events.moderate' },
    summary: "Replace the campaign's trusted hosts: their proposals are published without moderation",
    tags: TAGS,
    params: Id,
    body: z.object({ emails: z.array(z.email()).max(1000) }).strict(),
    handler: async ({ params, body, ctx }) => await setTrustedHosts(ctx, params.id, body.emails),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/campaigns/:id/queue',
    policy: { action: 'events.moderate' },
    summary: 'The moderation queue: proposed events the caller may approve, oldest first',
    tags: TAGS,
    params: Id,
    handler: async ({ params, ctx }) => ({ items: await moderationQueue(ctx, params.id) }),
  }),
  defineRoute({
    method: 'POST',
    url: '/api/v1/public/campaigns/:id/events',
    policy: PUBLIC,
    rateLimitPerMinute: 10,
    summary: 'Propose a host event (no login): trusted hosts publish at once, others wait for a moderator',
    tags: TAGS,
    params: Id,
    body: ProposalInput,
    status: 202,
    handler: async ({ params, body, ctx }) =>
      await proposeEvent({ db: ctx.db, now: ctx.now, log: ctx.log, audit: ctx.audit }, params.id, body),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/public/campaigns/:id/events',
    policy: PUBLIC,
    summary: "Search the campaign's published events by US ZIP code and radius, nearest first",
    tags: TAGS,
    params: Id,
    query: Search,
    handler: async ({ params, query, ctx }) =>
      await searchCampaignEvents({ db: ctx.db }, params.id, query.zip, query.radius_km),
  }),
  defineRoute({
    method: 'GET',
    url: '/api/v1/public/campaigns/:id/events.ics',
    policy: PUBLIC,
    summary: "The campaign's upcoming public events as iCalendar (RFC 5545)",
    tags: TAGS,
    params: Id,
    handler: async ({ params, ctx, request, reply }) => {
      const { events } = await publicEvents(ctx.db, { campaignId: params.id }, ctx.now());
      const host = request.headers.host ?? 'localhost';
      return reply
        .type('text/calendar; charset=utf-8')
        .send(toIcs(events, { name: 'Day of action', host, now: ctx.now() }));
    },
  }),
];
