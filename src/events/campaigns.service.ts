import { sql } from 'kysely';
import { z } from 'zod';
import { loadAccess } from '../access/index.js';
import { actorUserId, type Ctx } from '../context.js';
import { newId } from '../db/ids.js';
import { AppError, invalid, notFound } from '../errors.js';
import { boundingBox, distanceKm, zipCentroid } from '../geo/index.js';
import { normalizeEmail, upsertPeople } from '../people/index.js';
import { accessOf, assertAllowed, mayAtAll } from '../policy/index.js';
import type { PublicDeps } from '../signup/index.js';
import { EVENT_COLUMNS, eventScope, eventsFrom, unitGrantGives } from './events.queries.js';
import type { EventView } from './events.schemas.js';

const DateOnly = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date like 2026-05-01');

export const CampaignInput = z
  .object({
    unit_id: z.uuid(),
    title: z.string().trim().min(1).max(200),
    description: z.string().trim().max(20000).nullable().optional(),
    starts_on: DateOnly,
    ends_on: DateOnly,
    trusted_host_emails: z.array(z.email()).max(1000).optional(),
  })
  .strict()
  .refine((c) => c.ends_on >= c.starts_on, { path: ['ends_on'], message: 'must not be before starts_on' });
export type CampaignInput = z.infer<typeof CampaignInput>;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** What a volunteer gives to propose a host event on the campaign's public form. */
export const ProposalInput = z
  .object({
    host: z
      .object({
        given_name: z.string().trim().min(1).max(200),
        family_name: z.string().trim().min(1).max(200).optional(),
        email: z.string().max(320),
        phone: z.string().max(40).optional(),
      })
      .strict(),
    title: z.string().trim().min(1).max(200),
    description: z.string().trim().max(20000).optional(),
    starts_at: z.coerce.date(),
    ends_at: z.coerce.date(),
    timezone: z.string().refine(isTimeZone, 'an IANA time zone such as America/New_York'),
    location_name: z.string().trim().min(1).max(200).optional(),
    address_lines: z.array(z.string().trim().min(1).max(300)).max(5).optional(),
    locality: z.string().trim().min(1).max(200).optional(),
    region: z.string().trim().min(1).max(100).optional(),
    postal_code: z.string().trim().min(1).max(20).optional(),
    latitude: z.number().min(-90).max(90).optional(),
    longitude: z.number().min(-180).max(180).optional(),
    virtual_url: z
      .url({ protocol: /^https?$/ })
      .max(2000)
      .optional(),
    capacity: z.number().int().min(0).max(100000).optional(),
    consent: z.object({ email_updates: z.boolean() }).strict(),
    website: z.string().max(500).optional().describe('Leave empty (a trap for bots)'),
  })
  .strict()
  .refine((p) => p.ends_at > p.starts_at, { path: ['ends_at'], message: 'must be after starts_at' })
  .refine((p) => (p.latitude === undefined) === (p.longitude === undefined), {
    path: ['longitude'],
    message: 'give latitude and longitude together',
  });
export type ProposalInput = z.infer<typeof ProposalInput>;

export interface CampaignView {
  id: string;
  unit_id: string;
  title: string;
  description: string | null;
  starts_on: string;
  ends_on: string;
  trusted_host_emails: string[];
  created_at: Date;
}
const CAMPAIGN_COLUMNS = [
  'id',
  'unit_id',
  'title',
  'description',
  sql<string>`starts_on::text`.as('starts_on'),
  sql<string>`ends_on::text`.as('ends_on'),
  'trusted_host_emails',
  'created_at',
] as const;

/** The actor holds `action` over the campaign's unit (or the organization). */
async function assertOverCampaignUnit(
  ctx: Ctx,
  campaignId: string,
  action: 'events.write' | 'events.moderate',
) {
  const row = await ctx.db
    .selectFrom('campaign as c')
    .innerJoin('unit as u', 'u.id', 'c.unit_id')
    .select(sql<string>`u.path::text`.as('path'))
    .where('c.org_id', '=', ctx.actor.orgId)
    .where('c.id', '=', campaignId)
    .executeTakeFirst();
  if (!row) throw notFound('campaign');
  const ok = unitGrantGives(accessOf(ctx.actor), action, row.path);
  if (!ok) throw new AppError('forbidden', `you may not ${action.slice(7)} this campaign's events`);
}

/** A day of action: created in a unit where the actor may moderate events. */
export async function createCampaign(ctx: Ctx, input: CampaignInput): Promise<CampaignView> {
  assertAllowed(ctx.actor, 'events.moderate');
  const unit = await ctx.db
    .selectFrom('unit')
    .select(sql<string>`path::text`.as('path'))
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', '=', input.unit_id)
    .executeTakeFirst();
  if (!unit) throw invalid('unit_id', 'no unit with this id');
  const ok = unitGrantGives(accessOf(ctx.actor), 'events.moderate', unit.path);
  if (!ok) throw new AppError('forbidden', 'unit_id: you may not run campaigns in this unit');
  const id = newId();
  await ctx.db
    .insertInto('campaign')
    .values({
      org_id: ctx.actor.orgId,
      id,
      unit_id: input.unit_id,
      title: input.title,
      description: input.description ?? null,
      starts_on: input.starts_on,
      ends_on: input.ends_on,
      trusted_host_emails: (input.trusted_host_emails ?? []).map((e) => normalizeEmail(e) ?? e.toLowerCase()),
      created_by: actorUserId(ctx.actor),
    })
    .execute();
  return await getCampaign(ctx, id);
}

/** Campaigns are calls to action: anyone who may read events sees the organization's campaigns. */
export async function listCampaigns(ctx: Ctx): Promise<CampaignView[]> {
  return await ctx.db
    .selectFrom('campaign')
    .select(CAMPAIGN_COLUMNS)
    .where('org_id', '=', ctx.actor.orgId)
    .orderBy('starts_on', 'desc')
    .execute();
}

export async function getCampaign(ctx: Ctx, id: string): Promise<CampaignView> {
  const row = await ctx.db
    .selectFrom('campaign')
    .select(CAMPAIGN_COLUMNS)
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound('campaign');
  return row;
}

/** What the caller may do to the campaign: manage its moderators and trusted hosts (`manage`). */
export async function campaignCapabilities(ctx: Ctx, id: string): Promise<{ manage: boolean }> {
  try {
    await assertOverCampaignUnit(ctx, id, 'events.moderate');
    return { manage: true };
  } catch (error) {
    if (error instanceof AppError && error.code === 'forbidden') return { manage: false };
    throw error;
  }
}

/**
 * Adds a moderator. Any one of a campaign's moderators may approve its proposed events, wherever
 * the events are; a moderator must be able to moderate events somewhere (a role with events.moderate).
 */
export async function addModerator(
  ctx: Ctx,
  campaignId: string,
  who: { user_id?: string; email?: string },
): Promise<void> {
  await assertOverCampaignUnit(ctx, campaignId, 'events.moderate');
  const query = ctx.db.selectFrom('app_user').select('id').where('org_id', '=', ctx.actor.orgId);
  const user = await (who.email === undefined
    ? query.where('id', '=', who.user_id ?? '')
    : query.where('email', '=', who.email.trim().toLowerCase())
  ).executeTakeFirst();
  if (!user)
    throw who.email === undefined
      ? invalid('user_id', 'no user with this id in this organization')
      : invalid('email', 'no user of this organization signs in with this email');
  const userId = user.id;
  if (!mayAtAll(await loadAccess(ctx.db, ctx.actor.orgId, userId, ctx.now()), 'events.moderate'))
    throw invalid('user_id', 'this user may not moderate events (no role gives them events.moderate)');
  await ctx.db
    .insertInto('campaign_moderator')
    .values({ org_id: ctx.actor.orgId, campaign_id: campaignId, user_id: userId })
    .onConflict((oc) => oc.columns(['campaign_id', 'user_id']).doNothing())
    .execute();
}

export async function listModerators(
  ctx: Ctx,
  campaignId: string,
): Promise<{ user_id: string; email: string }[]> {
  await getCampaign(ctx, campaignId);
  return await ctx.db
    .selectFrom('campaign_moderator as m')
    .innerJoin('app_user as u', 'u.id', 'm.user_id')
    .select(['m.user_id', 'u.email'])
    .where('m.org_id', '=', ctx.actor.orgId)
    .where('m.campaign_id', '=', campaignId)
    .orderBy('m.created_at')
    .execute();
}

/**
 * Removes a moderator. Approval is shared: any one of a campaign's moderators may approve, so a
 * campaign with two or more moderators never drops to a single one as the only path; removing the
 * second-to-last is refused (add another moderator first). The last one may go: approval then
 * falls back to those who moderate events over the campaign's unit.
 */
export async function removeModerator(ctx: Ctx, campaignId: string, userId: string): Promise<void> {
  await assertOverCampaignUnit(ctx, campaignId, 'events.moderate');
  const run = async (trx: Ctx['db']) => {
    const moderators = await trx
      .selectFrom('campaign_moderator as m')
      .innerJoin('app_user as u', 'u.id', 'm.user_id')
      .select(['m.user_id', 'u.email'])
      .where('m.org_id', '=', ctx.actor.orgId)
      .where('m.campaign_id', '=', campaignId)
      .forUpdate('m')
      .execute();
    if (!moderators.some((m) => m.user_id === userId)) throw notFound('moderator');
    if (moderators.length === 2) {
      const other = moderators.find((m) => m.user_id !== userId)?.email ?? '';
      throw new AppError(
        'conflict',
        `removing this moderator would leave ${other} as the only one who can approve this campaign's events: add another moderator first`,
      );
    }
    await trx
      .deleteFrom('campaign_moderator')
      .where('org_id', '=', ctx.actor.orgId)
      .where('campaign_id', '=', campaignId)
      .where('user_id', '=', userId)
      .execute();
  };
  if (ctx.db.isTransaction) await run(ctx.db);
  else await ctx.db.transaction().execute(run);
}

/**
 * Replaces the campaign's trusted hosts: proposals from these email addresses are published
 * without waiting for a moderator.
 */
export async function setTrustedHosts(ctx: Ctx, campaignId: string, emails: string[]): Promise<CampaignView> {
  await assertOverCampaignUnit(ctx, campaignId, 'events.moderate');
  const normalized = [...new Set(emails.map((e) => normalizeEmail(e) ?? e.toLowerCase()))].sort();
  await ctx.db
    .updateTable('campaign')
    .set({ trusted_host_emails: normalized })
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', '=', campaignId)
    .execute();
  return await getCampaign(ctx, campaignId);
}

/** The campaign's events waiting for approval that the actor may moderate, oldest first. */
export async function moderationQueue(ctx: Ctx, campaignId: string): Promise<EventView[]> {
  await getCampaign(ctx, campaignId);
  let query = eventsFrom(ctx.db, ctx.actor.orgId)
    .select(EVENT_COLUMNS)
    .where('e.campaign_id', '=', campaignId)
    .where('e.status', '=', 'pending_approval');
  const scope = eventScope(accessOf(ctx.actor), 'events.moderate');
  if (scope) query = query.where(scope);
  return await query.orderBy('e.created_at').execute();
}

/** The calendar date of an instant in a time zone (YYYY-MM-DD). */
export function localDate(at: Date, timeZone: string): string {
  return new Intl.DateTimeFormat('en-CA', {
    timeZone,
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
  }).format(at);
}

/**
 * A host event proposed on the campaign's public form. The host goes through the signup path
 * (matched by email; consent recorded on their email). A host the campaign trusts publishes at
 * once; anyone else's event waits for one of the campaign's moderators. Events without coordinates
 * are placed at their US ZIP code's centroid.
 */
export async function proposeEvent(
  deps: PublicDeps,
  campaignId: string,
  input: ProposalInput,
): Promise<{ id: string; status: 'published' | 'pending_approval' }> {
  const campaign = await deps.db
    .selectFrom('campaign')
    .select([
      'org_id',
      'id',
      'unit_id',
      sql<string>`starts_on::text`.as('starts_on'),
      sql<string>`ends_on::text`.as('ends_on'),
      'trusted_host_emails',
    ])
    .where('id', '=', campaignId)
    .executeTakeFirst();
  if (!campaign) throw notFound('campaign');
  const day = localDate(input.starts_at, input.timezone);
  if (day < campaign.starts_on || day > campaign.ends_on)
    throw invalid('starts_at', `the campaign runs from ${campaign.starts_on} to ${campaign.ends_on}`);
  const email = normalizeEmail(input.host.email);
  if (!email) throw invalid('host.email', 'not a valid email address');
  const status = campaign.trusted_host_emails.includes(email) ? 'published' : 'pending_approval';
  if (input.website) return { id: newId(), status };
  const place =
    input.latitude !== undefined && input.longitude !== undefined
      ? { latitude: input.latitude, longitude: input.longitude }
      : input.postal_code
        ? zipCentroid(input.postal_code)
        : null;
  return await deps.db.transaction().execute(async (trx) => {
    const ctx: Ctx = {
      db: trx,
      actor: { kind: 'system', orgId: campaign.org_id, label: `campaign ${campaignId} host form` },
      now: deps.now,
      log: deps.log,
      audit: deps.audit,
    };
    const unit = await trx
      .selectFrom('unit')
      .select(sql<string>`path::text`.as('path'))
      .where('id', '=', campaign.unit_id)
      .executeTakeFirstOrThrow();
    const [outcome] = await upsertPeople(
      ctx,
      [
        {
          given_name: input.host.given_name,
          ...(input.host.family_name ? { family_name: input.host.family_name } : {}),
          emails: [{ address: email, status: input.consent.email_updates ? 'subscribed' : 'unsubscribed' }],
          phones: [],
          addresses: [],
          custom_fields: {},
          tags: [],
          identifiers: [],
        },
      ],
      { kind: 'form', ref: `campaign:${campaignId}` },
      { unitPath: unit.path },
    );
    if (!outcome || outcome.outcome === 'rejected') throw invalid('host', 'the host could not be recorded');
    const id = newId();
    await trx
      .insertInto('event')
      .values({
        org_id: campaign.org_id,
        id,
        unit_id: campaign.unit_id,
        campaign_id: campaignId,
        title: input.title,
        description: input.description ?? null,
        starts_at: input.starts_at,
        ends_at: input.ends_at,
        timezone: input.timezone,
        location_name: input.location_name ?? null,
        address_lines: input.address_lines ?? [],
        locality: input.locality ?? null,
        region: input.region ?? null,
        postal_code: input.postal_code ?? null,
        country: input.postal_code && zipCentroid(input.postal_code) ? 'US' : null,
        latitude: place?.latitude ?? null,
        longitude: place?.longitude ?? null,
        virtual_url: input.virtual_url ?? null,
        capacity: input.capacity ?? null,
        visibility: 'public',
        status,
        proposed_by: outcome.personId,
        created_by: null,
      })
      .execute();
    return { id, status };
  });
}

export interface NearbyEvent {
  id: string;
  title: string;
  starts_at: Date;
  ends_at: Date;
  timezone: string;
  location_name: string | null;
  locality: string | null;
  postal_code: string | null;
  latitude: number;
  longitude: number;
  distance_km: number;
}

/**
 * The campaign's published public events within `radiusKm` of a US ZIP code's centroid, nearest
 * first: a bounding box on the position index, then the great-circle distance.
 */
export async function searchCampaignEvents(
  deps: Pick<PublicDeps, 'db'>,
  campaignId: string | null,
  zip: string,
  radiusKm: number,
  limit = 100,
): Promise<{ center: { latitude: number; longitude: number }; events: NearbyEvent[] }> {
  const center = zipCentroid(zip);
  if (!center) throw invalid('zip', 'not a known US ZIP code');
  const box = boundingBox(center, radiusKm);
  const { rows } = await sql<NearbyEvent>`
    SELECT * FROM (
      SELECT e.id, e.title, e.starts_at, e.ends_at, e.timezone, e.location_name, e.locality, e.postal_code,
        e.latitude, e.longitude,
        ${distanceKm(sql.ref('e.latitude'), sql.ref('e.longitude'), center)} AS distance_km
      FROM event e
      WHERE e.visibility = 'public' AND e.status = 'published' AND e.latitude IS NOT NULL
        AND e.latitude BETWEEN ${box.minLat} AND ${box.maxLat}
        AND e.longitude BETWEEN ${box.minLon} AND ${box.maxLon}
        ${campaignId ? sql`AND e.campaign_id = ${campaignId}` : sql``}
    ) near
    WHERE distance_km <= ${radiusKm}
    ORDER BY distance_km, id
    LIMIT ${limit}`.execute(deps.db);
  return {
    center,
    events: rows.map((r) => ({ ...r, distance_km: Math.round(Number(r.distance_km) * 10) / 10 })),
  };
}
