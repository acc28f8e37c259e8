/**
 * The events and campaigns API as these screens use it (src/events): types of what it returns as
 * JSON, and the few helpers the screens share. People inside attendees are as the API projects
 * them for this user: absent fields are not shown, masked ones look masked.
 */
import { api, type Page, type Person, query } from '../../api.js';

export const VISIBILITIES = ['public', 'unit', 'private'] as const;
export const STATUSES = ['draft', 'pending_approval', 'published', 'cancelled'] as const;
export type Visibility = (typeof VISIBILITIES)[number];
export type Status = (typeof STATUSES)[number];

export interface EventView {
  id: string;
  unit_id: string;
  campaign_id: string | null;
  title: string;
  description: string | null;
  starts_at: string;
  ends_at: string;
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
  capacity: number | null;
  waitlist: boolean;
  visibility: Visibility;
  status: Status;
  created_at: string;
  updated_at: string;
}

export interface Shift {
  id: string;
  name: string;
  starts_at: string;
  ends_at: string;
  capacity: number | null;
}

export interface EventDetail extends EventView {
  shifts: Shift[];
  counts: { going: number; waitlisted: number; attended: number; no_show: number; walk_ins: number };
  can: { edit: boolean; manage: boolean; moderate: boolean };
}

export interface Attendee {
  id: string;
  person_id: string;
  shift_id: string | null;
  status: 'going' | 'waitlisted' | 'cancelled';
  attendance: 'attended' | 'no_show' | null;
  walk_in: boolean;
  checked_in_at: string | null;
  source: string;
  created_at: string;
  person: Person;
}

export interface WhatNext {
  no_one_on_one: Person[];
  first_timers: Person[];
  regulars: (Person & { events_attended: number })[];
}

export interface Host {
  assignment_id: string;
  user_id: string;
  email: string;
}

export interface Campaign {
  id: string;
  unit_id: string;
  title: string;
  description: string | null;
  starts_on: string;
  ends_on: string;
  trusted_host_emails: string[];
  created_at: string;
  /** Only on one campaign: whether the caller manages its moderators and trusted hosts. */
  can?: { manage: boolean };
}

export interface Moderator {
  user_id: string;
  email: string;
}

/** What the map shows of an event: enough to place it and name it. */
export interface MapPoint {
  id: string;
  title: string;
  starts_at: string;
  timezone: string;
  status: Status;
  latitude: number;
  longitude: number;
}

/** The most events the map loads (the list API gives 100 a page). */
export const MAP_LIMIT = 5000;

/**
 * Every event of a filter that has a place, for the map: the list API page by page (the first
 * answer says how many pages), up to MAP_LIMIT, as the same scoped list the user sees.
 */
export async function loadMapPoints(filter: Record<string, string | undefined>): Promise<{
  points: MapPoint[];
  total: number;
  unplaced: number;
}> {
  const path = (page: number) => `/api/v1/events${query({ ...filter, page, per_page: 100 })}`;
  const first = await api<Page<EventView>>('GET', path(1));
  const pages = Math.min(Math.ceil(first.total / 100), MAP_LIMIT / 100);
  const rest = await Promise.all(
    Array.from({ length: Math.max(0, pages - 1) }, (_, i) => api<Page<EventView>>('GET', path(i + 2))),
  );
  const events = [first, ...rest].flatMap((p) => p.items);
  const points = events.flatMap((e) =>
    e.latitude !== null && e.longitude !== null
      ? [
          {
            id: e.id,
            title: e.title,
            starts_at: e.starts_at,
            timezone: e.timezone,
            status: e.status,
            latitude: e.latitude,
            longitude: e.longitude,
          },
        ]
      : [],
  );
  return { points, total: first.total, unplaced: events.length - points.length };
}

/** The offset of a time zone from UTC at an instant, in milliseconds. */
function offsetAt(instant: number, timeZone: string): number {
  const whole = instant - (((instant % 1000) + 1000) % 1000);
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    hourCycle: 'h23',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
  }).formatToParts(new Date(whole));
  const get = (type: string) => Number(parts.find((p) => p.type === type)?.value ?? 0);
  const asUtc = Date.UTC(
    get('year'),
    get('month') - 1,
    get('day'),
    get('hour'),
    get('minute'),
    get('second'),
  );
  return asUtc - whole;
}

/** A wall-clock time (`YYYY-MM-DDTHH:mm`, as a datetime-local input gives it) in a zone, as ISO 8601 UTC. */
export function zonedToIso(local: string, timeZone: string): string | null {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(local);
  if (!match) return null;
  const [, y, mo, d, h, mi] = match.map(Number) as [number, number, number, number, number, number];
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  // Twice: the offset at the first guess may differ across a daylight-saving change.
  let at = wall - offsetAt(wall, timeZone);
  at = wall - offsetAt(at, timeZone);
  return new Date(at).toISOString();
}

/** An instant as the wall-clock time of a zone, for a datetime-local input. */
export function isoToZoned(iso: string, timeZone: string): string {
  const at = new Date(iso).getTime();
  const wall = new Date(at + offsetAt(at, timeZone));
  return wall.toISOString().slice(0, 16);
}

/** The time zones the browser knows, the user's own first. */
export function timeZones(): string[] {
  const own = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const all =
    (Intl as { supportedValuesOf?: (key: string) => string[] }).supportedValuesOf?.('timeZone') ?? [];
  return [...new Set([own, 'UTC', ...all])];
}

/** An event's time, in its own zone, named (the reader may be elsewhere). */
export function formatWhen(language: string, iso: string, timeZone: string): string {
  // dateStyle/timeStyle cannot be combined with timeZoneName (a RangeError): spelled out instead.
  return new Intl.DateTimeFormat(language, {
    year: 'numeric',
    month: 'short',
    day: 'numeric',
    hour: 'numeric',
    minute: '2-digit',
    timeZone,
    timeZoneName: 'short',
  }).format(new Date(iso));
}
