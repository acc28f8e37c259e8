import { type Expression, type Kysely, type SqlBool, sql } from 'kysely';
import { outermostPaths } from '../access/index.js';
import type { DB } from '../db/schema.js';
import { type Access, type Action, inSubtree } from '../policy/index.js';

export type EventAction = 'events.read' | 'events.write' | 'events.moderate';

/** Events that can be read by anyone who may read events at all, and by the public when public. */
const LISTED = sql<SqlBool>`e.status IN ('published', 'cancelled')`;

/**
 * The events this access may perform `action` on, as SQL over `event e` joined to its unit as
 * `eu`; null means every event of the organization.
 *
 * - A unit grant covers the events of its subtree, in any state.
 * - Reading also reaches the listed (published or cancelled) unit and public events of the units
 *   above the grant's unit (a chapter's event is seen in its locals), and every listed public event.
 * - A host's event assignment covers that event for the actions it names.
 * - Reading and moderating also reach the events of campaigns the user moderates.
 */
export function eventScope(access: Access, action: EventAction): Expression<SqlBool> | null {
  const grants = access.grants.filter((g) => g.actions.has(action));
  if (grants.some((g) => g.scope.kind === 'org')) return null;
  const parts: Expression<SqlBool>[] = [];
  const paths = outermostPaths(grants.flatMap((g) => (g.scope.kind === 'unit' ? [g.scope.path] : [])));
  for (const path of paths) parts.push(sql<SqlBool>`eu.path <@ ${path}::ltree`);
  if (action === 'events.read') {
    if (grants.length > 0) parts.push(sql<SqlBool>`(e.visibility = 'public' AND ${LISTED})`);
    if (paths.length > 0) {
      parts.push(
        sql<SqlBool>`(e.visibility = 'unit' AND ${LISTED} AND eu.path @> ARRAY[${sql.join(paths.map((p) => sql`${p}::ltree`))}])`,
      );
    }
  }
  const events = [...new Set(grants.flatMap((g) => (g.scope.kind === 'event' ? [g.scope.eventId] : [])))];
  if (events.length > 0)
    parts.push(sql<SqlBool>`e.id IN (${sql.join(events.map((id) => sql`${id}::uuid`))})`);
  if ((action === 'events.moderate' || action === 'events.read') && access.userId && grants.length > 0) {
    parts.push(
      sql<SqlBool>`e.campaign_id IN (SELECT m.campaign_id FROM campaign_moderator m WHERE m.user_id = ${access.userId}::uuid)`,
    );
  }
  if (parts.length === 0) return sql<SqlBool>`false`;
  return parts.length === 1
    ? (parts[0] as Expression<SqlBool>)
    : sql<SqlBool>`(${sql.join(parts, sql` OR `)})`;
}

export const EVENT_COLUMNS = [
  'e.id',
  'e.unit_id',
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
  'e.capacity',
  'e.waitlist',
  'e.visibility',
  'e.status',
  'e.created_at',
  'e.updated_at',
] as const;

/** Events of one organization with their unit joined (as `eu`), for scoped reads. */
export function eventsFrom(db: Kysely<DB>, orgId: string) {
  return db
    .selectFrom('event as e')
    .innerJoin('unit as eu', 'eu.id', 'e.unit_id')
    .where('e.org_id', '=', orgId);
}

/** Whether the scope holds this event. */
export async function eventInScope(
  db: Kysely<DB>,
  orgId: string,
  eventId: string,
  scope: Expression<SqlBool> | null,
): Promise<boolean> {
  let query = eventsFrom(db, orgId).select('e.id').where('e.id', '=', eventId);
  if (scope) query = query.where(scope);
  return (await query.executeTakeFirst()) !== undefined;
}

/** Counts of an event's RSVPs by state (for headcounts and capacity). */
export async function rsvpCounts(
  db: Kysely<DB>,
  eventId: string,
): Promise<{ going: number; waitlisted: number; attended: number; no_show: number; walk_ins: number }> {
  const { rows } = await sql<{
    going: number;
    waitlisted: number;
    attended: number;
    no_show: number;
    walk_ins: number;
  }>`
    SELECT count(*) FILTER (WHERE status = 'going')::int AS going,
      count(*) FILTER (WHERE status = 'waitlisted')::int AS waitlisted,
      count(*) FILTER (WHERE attendance = 'attended')::int AS attended,
      count(*) FILTER (WHERE attendance = 'no_show')::int AS no_show,
      count(*) FILTER (WHERE walk_in)::int AS walk_ins
    FROM event_rsvp WHERE event_id = ${eventId}`.execute(db);
  return rows[0] as {
    going: number;
    waitlisted: number;
    attended: number;
    no_show: number;
    walk_ins: number;
  };
}

/**
 * Whether a grant from a role (not a host's own event) gives `action` over this unit: over the
 * organization, or over the unit or one above it.
 */
export function unitGrantGives(access: Access, action: Action, unitPath: string): boolean {
  return access.grants.some(
    (g) =>
      g.actions.has(action) &&
      (g.scope.kind === 'org' || (g.scope.kind === 'unit' && inSubtree(unitPath, g.scope.path))),
  );
}
