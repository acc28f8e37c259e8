import { type Expression, type Kysely, type SqlBool, sql } from 'kysely';
import type { DB } from '../db/schema.js';
import { countEveryone } from '../people/index.js';

/** SQL only: each count takes the caller's people scope as a predicate over `person p`. */

const WEEK_SECONDS = 7 * 86_400;
const all = (scope: Expression<SqlBool> | null) => scope ?? sql<SqlBool>`true`;

export async function countPeople(
  db: Kysely<DB>,
  orgId: string,
  scope: Expression<SqlBool> | null,
): Promise<number> {
  const everyone = await countEveryone(db, orgId, scope);
  if (everyone !== undefined) return everyone;
  const { rows } = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM person p
    WHERE p.org_id = ${orgId} AND p.merged_into IS NULL AND ${all(scope)}`.execute(db);
  return rows[0]?.n ?? 0;
}

/** People created since `since`, by week (0 is the week starting at `since`). */
export async function newPeopleByWeek(
  db: Kysely<DB>,
  orgId: string,
  scope: Expression<SqlBool> | null,
  since: Date,
): Promise<Map<number, number>> {
  const { rows } = await sql<{ week: number; n: number }>`
    SELECT floor(extract(epoch FROM (p.created_at - ${since}::timestamptz)) / ${WEEK_SECONDS})::int AS week,
      count(*)::int AS n
    FROM person p
    WHERE p.org_id = ${orgId} AND p.merged_into IS NULL AND p.created_at >= ${since} AND ${all(scope)}
    GROUP BY 1`.execute(db);
  return new Map(rows.map((r) => [Number(r.week), r.n]));
}

/**
 * Per ladder, people assessed in [since, until) whose level at `until` differs from the one they
 * held just before `since`: up, down, or onto the ladder (no level before). The same rule as the
 * ladder's movements list, counted.
 */
export async function ladderMovement(
  db: Kysely<DB>,
  orgId: string,
  scope: Expression<SqlBool> | null,
  since: Date,
  until: Date,
): Promise<Map<string, { up: number; down: number; onto: number }>> {
  const { rows } = await sql<{ ladder_id: string; up: number; down: number; onto: number }>`
    WITH moved AS (
      SELECT DISTINCT a.ladder_id, a.person_id FROM ladder_assessment a JOIN person p ON p.id = a.person_id
      WHERE a.org_id = ${orgId} AND a.assessed_at >= ${since} AND a.assessed_at < ${until}
        AND p.org_id = ${orgId} AND p.merged_into IS NULL AND ${all(scope)}),
    ranked AS (
      SELECT a.ladder_id, a.person_id, a.level_id, v.position, a.assessed_at,
        row_number() OVER (PARTITION BY a.ladder_id, a.person_id ORDER BY a.assessed_at DESC, a.id DESC) AS newest,
        row_number() OVER (PARTITION BY a.ladder_id, a.person_id, a.assessed_at < ${since}
          ORDER BY a.assessed_at DESC, a.id DESC) AS newest_before
      FROM ladder_assessment a
      JOIN moved m ON m.ladder_id = a.ladder_id AND m.person_id = a.person_id
      JOIN ladder_level v ON v.id = a.level_id
      WHERE a.org_id = ${orgId} AND a.assessed_at < ${until})
    SELECT e.ladder_id,
      count(*) FILTER (WHERE b.level_id IS NOT NULL AND e.position > b.position)::int AS up,
      count(*) FILTER (WHERE b.level_id IS NOT NULL AND e.position < b.position)::int AS down,
      count(*) FILTER (WHERE b.level_id IS NULL)::int AS onto
    FROM ranked e
    LEFT JOIN ranked b ON b.ladder_id = e.ladder_id AND b.person_id = e.person_id
      AND b.assessed_at < ${since} AND b.newest_before = 1
    WHERE e.newest = 1 AND b.level_id IS DISTINCT FROM e.level_id
    GROUP BY e.ladder_id`.execute(db);
  return new Map(rows.map((r) => [r.ladder_id, { up: r.up, down: r.down, onto: r.onto }]));
}

export async function activeLadders(db: Kysely<DB>, orgId: string): Promise<{ id: string; name: string }[]> {
  return await db
    .selectFrom('ladder')
    .select(['id', 'name'])
    .where('org_id', '=', orgId)
    .where('archived_at', 'is', null)
    .orderBy('name')
    .execute();
}

/**
 * Events (in `events`, a predicate over `event e JOIN unit eu`) that started in [since, until),
 * newest first, with their RSVPs and attendance among the people in `scope`.
 */
export async function eventTurnout(
  db: Kysely<DB>,
  orgId: string,
  scope: Expression<SqlBool> | null,
  events: Expression<SqlBool> | null,
  since: Date,
  until: Date,
  limit: number,
): Promise<{ id: string; title: string; starts_at: Date; rsvps: number; attended: number }[]> {
  const { rows } = await sql<{ id: string; title: string; starts_at: Date; rsvps: number; attended: number }>`
    WITH recent AS (
      SELECT e.id, e.title, e.starts_at FROM event e JOIN unit eu ON eu.id = e.unit_id
      WHERE e.org_id = ${orgId} AND e.status <> 'cancelled'
        AND e.starts_at >= ${since} AND e.starts_at < ${until} AND ${all(events)}
      ORDER BY e.starts_at DESC, e.id DESC
      LIMIT ${limit})
    SELECT ev.id, ev.title, ev.starts_at,
      count(p.id) FILTER (WHERE r.status <> 'cancelled' AND NOT r.walk_in)::int AS rsvps,
      count(p.id) FILTER (WHERE r.attendance = 'attended')::int AS attended
    FROM recent ev
    LEFT JOIN event_rsvp r ON r.event_id = ev.id AND r.org_id = ${orgId}
    LEFT JOIN person p ON p.id = r.person_id AND p.org_id = ${orgId} AND p.merged_into IS NULL AND ${all(scope)}
    GROUP BY ev.id, ev.title, ev.starts_at
    ORDER BY ev.starts_at DESC, ev.id DESC`.execute(db);
  return rows.map((r) => ({ ...r, starts_at: new Date(r.starts_at) }));
}

/** Open follow-ups about people in `scope`: all owners' overdue ones, or one owner's due and overdue. */
export async function openFollowUps(
  db: Kysely<DB>,
  orgId: string,
  scope: Expression<SqlBool> | null,
  now: Date,
  soon: Date,
  ownerId: string | null,
): Promise<{ overdue: number; due_soon: number }> {
  const { rows } = await sql<{ overdue: number; due_soon: number }>`
    SELECT count(*) FILTER (WHERE f.due_at < ${now})::int AS overdue,
      count(*) FILTER (WHERE f.due_at >= ${now} AND f.due_at < ${soon})::int AS due_soon
    FROM follow_up f JOIN person p ON p.id = f.person_id
    WHERE f.org_id = ${orgId} AND f.status = 'open' AND p.org_id = ${orgId} AND p.merged_into IS NULL
      ${ownerId ? sql`AND f.owner_id = ${ownerId}` : sql``} AND ${all(scope)}`.execute(db);
  return rows[0] ?? { overdue: 0, due_soon: 0 };
}
