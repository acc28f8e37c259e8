import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';
import { notFound } from '../errors.js';

/**
 * Public feeds of public events: iCalendar (RFC 5545), GeoJSON (RFC 7946) and Atom (RFC 4287) with
 * GeoRSS-Simple points. Only published (and cancelled, so calendars learn of it) public events
 * appear; nothing about attendees ever does.
 */
export interface PublicEvent {
  id: string;
  org_id: string;
  campaign_id: string | null;
  title: string;
  description: string | null;
  starts_at: Date;
  ends_at: Date;
  timezone: string;
  location_name: string | null;
  address_lines: string[];
  locality: string | null;
  region: string | null;
  postal_code: string | null;
  country: string | null;
  latitude: number | null;
  longitude: number | null;
  virtual_url: string | null;
  status: 'draft' | 'pending_approval' | 'published' | 'cancelled';
  updated_at: Date;
}

const PUBLIC_COLUMNS = [
  'e.id',
  'e.org_id',
  'e.campaign_id',
  'e.title',
  'e.description',
  'e.starts_at',
  'e.ends_at',
  'e.timezone',
  'e.location_name',
  'e.address_lines',
  'e.locality',
  'e.region',
  'e.postal_code',
  'e.country',
  'e.latitude',
  'e.longitude',
  'e.virtual_url',
  'e.status',
  'e.updated_at',
] as const;

/** Public events of one organization (by slug), of one campaign, or one event; soonest first. */
export async function publicEvents(
  db: Kysely<DB>,
  where: { orgSlug?: string; campaignId?: string; eventId?: string },
  now: Date,
  limit = 1000,
): Promise<{ orgName: string; events: PublicEvent[] }> {
  let query = db
    .selectFrom('event as e')
    .innerJoin('org as o', 'o.id', 'e.org_id')
    .select([...PUBLIC_COLUMNS, 'o.name as org_name'])
    .where('e.visibility', '=', 'public')
    .where('e.status', 'in', ['published', 'cancelled']);
  if (where.orgSlug) query = query.where('o.slug', '=', where.orgSlug);
  if (where.campaignId) query = query.where('e.campaign_id', '=', where.campaignId);
  if (where.eventId) query = query.where('e.id', '=', where.eventId);
  else query = query.where('e.ends_at', '>=', now);
  const rows = await query.orderBy('e.starts_at').orderBy('e.id').limit(limit).execute();
  if (where.eventId && rows.length === 0) throw notFound('event');
  if (where.orgSlug && rows.length === 0) {
    const org = await db
      .selectFrom('org')
      .select('name')
      .where('slug', '=', where.orgSlug)
      .executeTakeFirst();
    if (!org) throw notFound('organization');
    return { orgName: org.name, events: [] };
  }
  return { orgName: rows[0]?.org_name ?? 'Rhizome', events: rows.map(({ org_name: _o, ...e }) => e) };
}

function placeOf(e: PublicEvent): string {
  return [e.location_name, ...e.address_lines, e.locality, e.region, e.postal_code, e.country]
    .filter((part): part is string => !!part)
    .join(', ');
}

// ---------------------------------------------------------------------------------------------
// iCalendar (RFC 5545)

/** TEXT values: backslash, semicolon and comma escaped, newlines as \n (section 3.3.11). */
export function icsEscape(text: string): string {
  return text
    .replace(/\\/g, '\\\\')
    .replace(/;/g, '\\;')
    .replace(/,/g, '\\,')
    .replace(/\r\n|\r|\n/g, '\\n');
}

/**
 * A content line folded at 75 octets (section 3.1): each continuation starts with one space, and a
 * UTF-8 sequence is never split.
 */
export function icsFold(line: string): string {
  const out: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = Buffer.byteLength(char);
    // The first line holds 75 octets; continuation lines 74 after their leading space.
    const limit = out.length === 0 ? 75 : 74;
    if (octets + size > limit) {
      out.push(current);
      current = '';
      octets = 0;
    }
    current += char;
    octets += size;
  }
  out.push(current);
  return out.join('\r\n ');
}

/** 20260102T030405Z */
const icsDate = (d: Date) =>
  d
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

export function toIcs(events: PublicEvent[], options: { name: string; host: string; now: Date }): string {
  const lines = [
    'BEGIN:VCALENDAR',
    'VERSION:2.0',
    'PRODID:-//Rhizome//Events//EN',
    'CALSCALE:GREGORIAN',
    'METHOD:PUBLISH',
    `X-WR-CALNAME:${icsEscape(options.name)}`,
  ];
  for (const e of events) {
    lines.push(
      'BEGIN:VEVENT',
      `UID:${e.id}@${options.host}`,
      `DTSTAMP:${icsDate(options.now)}`,
      `LAST-MODIFIED:${icsDate(e.updated_at)}`,
      // Times in UTC; the event's own zone rides along for clients that show it.
      `DTSTART:${icsDate(e.starts_at)}`,
      `DTEND:${icsDate(e.ends_at)}`,
      `X-RHIZOME-TIMEZONE:${icsEscape(e.timezone)}`,
      `SUMMARY:${icsEscape(e.title)}`,
      `STATUS:${e.status === 'cancelled' ? 'CANCELLED' : 'CONFIRMED'}`,
    );
    if (e.description) lines.push(`DESCRIPTION:${icsEscape(e.description)}`);
    const place = placeOf(e);
    if (place) lines.push(`LOCATION:${icsEscape(place)}`);
    // GEO is a float pair separated by a semicolon (section 3.8.1.6), not escaped.
    if (e.latitude !== null && e.longitude !== null) lines.push(`GEO:${e.latitude};${e.longitude}`);
    if (e.virtual_url) lines.push(`URL:${e.virtual_url}`);
    lines.push('END:VEVENT');
  }
  lines.push('END:VCALENDAR');
  return `${lines.map(icsFold).join('\r\n')}\r\n`;
}

// ---------------------------------------------------------------------------------------------
// GeoJSON (RFC 7946)

export function toGeoJson(events: PublicEvent[]): Record<string, unknown> {
  return {
    type: 'FeatureCollection',
    features: events.map((e) => ({
      type: 'Feature',
      id: e.id,
      // Positions are [longitude, latitude] (section 3.1.1); an event with no place has no geometry.
      geometry:
        e.latitude !== null && e.longitude !== null
          ? { type: 'Point', coordinates: [e.longitude, e.latitude] }
          : null,
      properties: {
        title: e.title,
        description: e.description,
        starts_at: e.starts_at.toISOString(),
        ends_at: e.ends_at.toISOString(),
        timezone: e.timezone,
        status: e.status,
        location: placeOf(e) || null,
        virtual_url: e.virtual_url,
        campaign_id: e.campaign_id,
      },
    })),
  };
}

// ---------------------------------------------------------------------------------------------
// Atom (RFC 4287) with GeoRSS-Simple

export function xmlEscape(text: string): string {
  return (
    text
      .replace(/&/g, '&amp;')
      .replace(/</g, '&lt;')
      .replace(/>/g, '&gt;')
      .replace(/"/g, '&quot;')
      .replace(/'/g, '&apos;')
      // Characters XML 1.0 does not allow at all.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: removing them is the point
      .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g, '')
  );
}

export function toAtom(
  events: PublicEvent[],
  options: {
    id: string;
    title: string;
    selfUrl: string;
    author: string;
    now: Date;
    eventUrl: (id: string) => string;
  },
): string {
  const updated = new Date(Math.max(0, ...events.map((e) => e.updated_at.getTime())));
  const parts = [
    '<?xml version="1.0" encoding="utf-8"?>',
    '<feed xmlns="http://www.w3.org/2005/Atom" xmlns:georss="http://www.georss.org/georss">',
    `<id>${xmlEscape(options.id)}</id>`,
    `<title>${xmlEscape(options.title)}</title>`,
    `<updated>${(events.length > 0 ? updated : options.now).toISOString()}</updated>`,
    `<link rel="self" type="application/atom+xml" href="${xmlEscape(options.selfUrl)}"/>`,
    `<author><name>${xmlEscape(options.author)}</name></author>`,
  ];
  for (const e of events) {
    const summary = `${e.starts_at.toISOString()} – ${e.ends_at.toISOString()} (${e.timezone})${placeOf(e) ? `, ${placeOf(e)}` : ''}`;
    parts.push(
      '<entry>',
      `<id>urn:uuid:${e.id}</id>`,
      `<title>${xmlEscape(e.status === 'cancelled' ? `Cancelled: ${e.title}` : e.title)}</title>`,
      `<updated>${e.updated_at.toISOString()}</updated>`,
      `<summary>${xmlEscape(summary)}</summary>`,
    );
    if (e.description) parts.push(`<content type="text">${xmlEscape(e.description)}</content>`);
    // An entry needs content or an alternate link (section 4.1.2); every entry has its page.
    parts.push(`<link rel="alternate" type="application/json" href="${xmlEscape(options.eventUrl(e.id))}"/>`);
    if (e.virtual_url) parts.push(`<link rel="related" href="${xmlEscape(e.virtual_url)}"/>`);
    // GeoRSS-Simple: latitude first, then longitude, separated by a space.
    if (e.latitude !== null && e.longitude !== null)
      parts.push(`<georss:point>${e.latitude} ${e.longitude}</georss:point>`);
    parts.push('</entry>');
  }
  parts.push('</feed>');
  return `${parts.join('\n')}\n`;
}
