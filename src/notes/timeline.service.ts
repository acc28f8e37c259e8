import { sql } from 'kysely';
import type { Ctx } from '../context.js';
import type { TimelineEntry } from './notes.schemas.js';
import { assertLivePerson } from './person-guard.js';

/**
 * Notes and activities of a person as one list, newest first (a note at its creation, an activity
 * when it happened), for a person's page.
 */
export async function personTimeline(
  ctx: Ctx,
  personId: string,
  paging: { page: number; perPage: number },
): Promise<{ items: TimelineEntry[]; total: number; page: number; per_page: number }> {
  const orgId = ctx.actor.orgId;
  await assertLivePerson(ctx, personId, 'people.read');
  const entries = sql`
    SELECT 'note' AS type, id, created_at AS at, NULL::text AS kind, author_id AS actor_id,
      NULL::text AS outcome, body
    FROM note WHERE org_id = ${orgId} AND person_id = ${personId}
    UNION ALL
    SELECT 'activity', id, occurred_at, kind, actor_id, outcome, body
    FROM activity WHERE org_id = ${orgId} AND person_id = ${personId}`;
  const [rows, total] = await Promise.all([
    sql<TimelineEntry>`SELECT * FROM (${entries}) e ORDER BY at DESC, id DESC
      LIMIT ${paging.perPage} OFFSET ${(paging.page - 1) * paging.perPage}`.execute(ctx.db),
    sql<{ n: number }>`SELECT count(*)::int AS n FROM (${entries}) e`.execute(ctx.db),
  ]);
  return {
    items: rows.rows.map((r) => ({ ...r, at: new Date(r.at) })),
    total: total.rows[0]?.n ?? 0,
    page: paging.page,
    per_page: paging.perPage,
  };
}
