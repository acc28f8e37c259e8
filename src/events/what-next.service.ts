import { type Expression, type SqlBool, sql } from 'kysely';
import { type ProjectedPerson, peopleScope, projectPeople } from '../access/index.js';
import type { Ctx } from '../context.js';
import { loadPeople } from '../people/index.js';
import { accessOf } from '../policy/index.js';
import { requireEvent } from './events.service.js';

export interface WhatNext {
  /** Attended, and no one has had a one-on-one with them yet. */
  no_one_on_one: ProjectedPerson[];
  /** This was the first event they attended. */
  first_timers: ProjectedPerson[];
  /** Attended two or more events (this one included). */
  regulars: (ProjectedPerson & { events_attended: number })[];
  /** Regulars with no ladder assessment since the first event they attended: nobody moved them. */
  regulars_no_ladder_move: (ProjectedPerson & { events_attended: number })[];
}

const LIMIT = 500;

/**
 * After an event, the lists an organizer acts on at once, each holding only attendees the actor
 * may see (a host: their guests by first name).
 */
export async function whatNext(ctx: Ctx, eventId: string): Promise<WhatNext> {
  await requireEvent(ctx, eventId, 'events.read');
  const orgId = ctx.actor.orgId;
  const scope = await peopleScope(ctx.db, accessOf(ctx.actor), 'people.read');
  const inScope: Expression<SqlBool> = scope ?? sql<SqlBool>`true`;
  const attendees = sql`
    SELECT r.person_id FROM event_rsvp r JOIN person p ON p.id = r.person_id
    WHERE r.org_id = ${orgId} AND r.event_id = ${eventId} AND r.attendance = 'attended'
      AND p.merged_into IS NULL AND ${inScope}`;
  const [noOneOnOne, firstTimers, regulars, stalled] = await Promise.all([
    sql<{ person_id: string }>`
      SELECT a.person_id FROM (${attendees}) a
      WHERE NOT EXISTS (SELECT 1 FROM activity x WHERE x.org_id = ${orgId} AND x.person_id = a.person_id AND x.kind = 'one_on_one')
      ORDER BY a.person_id LIMIT ${LIMIT}`.execute(ctx.db),
    sql<{ person_id: string }>`
      SELECT a.person_id FROM (${attendees}) a
      WHERE NOT EXISTS (
        SELECT 1 FROM event_rsvp o JOIN event oe ON oe.id = o.event_id
        WHERE o.person_id = a.person_id AND o.attendance = 'attended' AND o.event_id <> ${eventId}
          AND oe.starts_at < (SELECT starts_at FROM event WHERE id = ${eventId}))
      ORDER BY a.person_id LIMIT ${LIMIT}`.execute(ctx.db),
    sql<{ person_id: string; n: number }>`
      SELECT a.person_id, count(*)::int AS n FROM (${attendees}) a
      JOIN event_rsvp o ON o.person_id = a.person_id AND o.attendance = 'attended'
      GROUP BY a.person_id HAVING count(*) >= 2
      ORDER BY count(*) DESC, a.person_id LIMIT ${LIMIT}`.execute(ctx.db),
    sql<{ person_id: string; n: number }>`
      SELECT r.person_id, r.n FROM (
        SELECT a.person_id, count(*)::int AS n, min(oe.starts_at) AS first_at FROM (${attendees}) a
        JOIN event_rsvp o ON o.person_id = a.person_id AND o.attendance = 'attended'
        JOIN event oe ON oe.id = o.event_id
        GROUP BY a.person_id HAVING count(*) >= 2) r
      WHERE NOT EXISTS (
        SELECT 1 FROM ladder_assessment la
        WHERE la.org_id = ${orgId} AND la.person_id = r.person_id AND la.assessed_at >= r.first_at)
      ORDER BY r.n DESC, r.person_id LIMIT ${LIMIT}`.execute(ctx.db),
  ]);
  const ids = [
    ...new Set(
      [...noOneOnOne.rows, ...firstTimers.rows, ...regulars.rows, ...stalled.rows].map((r) => r.person_id),
    ),
  ];
  const people = new Map(
    (await projectPeople(ctx, await loadPeople(ctx.db, orgId, ids))).map((p) => [p.id, p]),
  );
  const pick = (rows: { person_id: string }[]) =>
    rows.flatMap((r) => {
      const p = people.get(r.person_id);
      return p ? [p] : [];
    });
  const counted = (rows: { person_id: string; n: number }[]) =>
    rows.flatMap((r) => {
      const p = people.get(r.person_id);
      return p ? [{ ...p, events_attended: r.n }] : [];
    });
  return {
    no_one_on_one: pick(noOneOnOne.rows),
    first_timers: pick(firstTimers.rows),
    regulars: counted(regulars.rows),
    regulars_no_ladder_move: counted(stalled.rows),
  };
}
