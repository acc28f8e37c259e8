/**
 * The organizing API as these screens use it (src/followups, src/groupings, src/ladder): types are
 * what the API returns as JSON for the signed-in user. Dates arrive as ISO strings.
 */
import type { Me } from '../../api.js';

/** Whether some grant of the user gives the action (`/auth/me` `actions`: the route-level gate). */
export function can(me: Me | null | undefined, action: string): boolean {
  return me?.actions?.includes(action) ?? false;
}

/** Who a row is about: the person's id and name (basic fields). */
export interface PersonRef {
  id: string;
  given_name: string | null;
  family_name: string | null;
}

export function refName(person: PersonRef): string | null {
  const name = [person.given_name, person.family_name].filter((p) => p && p.trim() !== '').join(' ');
  return name === '' ? null : name;
}

export interface FollowUp {
  id: string;
  person: PersonRef;
  owner_id: string | null;
  title: string;
  due_at: string;
  status: 'open' | 'done' | 'cancelled';
  done_at: string | null;
  activity_id: string | null;
  created_by: string | null;
  created_at: string;
}

export interface OneOnOneInput {
  occurred_at?: string;
  notes?: string;
  interests?: string[];
  next_step?: string;
  follow_up?: { due_at: string };
}

export interface OneOnOne {
  activity: { id: string; person_id: string; occurred_at: string; body: string | null };
  interests: string[];
  next_step: string | null;
  follow_up?: FollowUp | null;
}

export type GroupingKind = 'list' | 'tag';
/** The API's path segments for a kind (src/groupings/groupings.routes.ts). */
export const GROUPING_PATHS = {
  list: { plural: 'lists', member: 'items', read: 'lists.read', write: 'lists.write' },
  tag: { plural: 'tags', member: 'taggings', read: 'tags.read', write: 'tags.write' },
} as const;

export interface GroupingView {
  id: string;
  name: string;
  description: string | null;
  total_members: number;
}

export interface PersonGrouping extends GroupingView {
  member_id: string;
}

export interface Member {
  id: string;
  grouping_id: string;
  person_id: string;
  person: PersonRef;
}

export interface Level {
  id: string;
  position: number;
  name: string;
  description: string | null;
  retired_at: string | null;
}

export interface Ladder {
  id: string;
  name: string;
  description: string | null;
  stale_after_days: number;
  archived_at: string | null;
  levels: Level[];
}

export interface PipelineCount {
  unit_id: string | null;
  unit_path: string | null;
  level_id: string;
  people: number;
}

export interface Pipeline {
  ladder_id: string;
  points: { at: string; counts: PipelineCount[] }[];
}

export interface Movement {
  person: PersonRef;
  from_level_id: string | null;
  to_level_id: string;
  direction: 'up' | 'down' | 'new';
  at: string;
}

export interface LadderPerson {
  person: PersonRef;
  level_id: string | null;
  assessed_at: string | null;
  stale: boolean;
}

export interface Suggestion {
  id: string;
  person: PersonRef;
  ladder_id: string;
  level_id: string;
  level_name: string;
  rule_id: string | null;
  evidence: { count?: number; rule?: string; kinds?: string[]; window_days?: number };
  status: 'open' | 'accepted' | 'dismissed';
  created_at: string;
}

export interface Assessment {
  id: string;
  ladder_id: string;
  level_id: string;
  level_name: string;
  level_position: number;
  assessed_at: string;
  evidence: string | null;
  source: 'organizer' | 'suggestion';
}

export interface PersonLadder {
  ladder_id: string;
  ladder_name: string;
  current: Assessment | null;
  days_since_assessed: number | null;
  stale: boolean;
}

/**
 * The person page's timeline listens for this to reload after a screen here adds to it (a
 * one-on-one, an assessment): `detail` is the person's id.
 */
export const TIMELINE_CHANGED = 'rhizome:timeline-changed';

export function announceTimelineChange(personId: string): void {
  window.dispatchEvent(new CustomEvent(TIMELINE_CHANGED, { detail: personId }));
}

/** `yyyy-mm-ddThh:mm` in the browser's time zone, for a datetime-local input. */
export function localDateTime(date: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** `yyyy-mm-dd` in the browser's time zone, for a date input. */
export function localDay(date: Date): string {
  return localDateTime(date).slice(0, 10);
}

/** A day chosen in a date input, due by its end in the browser's time zone. */
export function endOfLocalDay(day: string): Date {
  const [y, m, d] = day.split('-').map(Number);
  return new Date(y as number, (m as number) - 1, d as number, 23, 59, 0);
}
