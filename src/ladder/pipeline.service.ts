import { type Expression, type SqlBool, sql } from 'kysely';
import { peopleScope } from '../access/index.js';
import type { Ctx } from '../context.js';
import { invalid } from '../errors.js';
import type { Paged } from '../http/paging.js';
import { accessOf, PERSON_FIELDS } from '../policy/index.js';
import type {
  LadderPersonView,
  MovementView,
  NewPersonView,
  PersonRef,
  PipelineView,
} from './ladder.schemas.js';
import { getLadder } from './ladders.service.js';

const MAX_POINTS = 60;

/** People whose names and levels the caller may read (`p`), as a predicate. */
async function levelReaders(ctx: Ctx): Promise<Expression<SqlBool>> {
  const scope = await peopleScope(ctx.db, accessOf(ctx.actor), 'people.read', [
    PERSON_FIELDS.given_name,
    PERSON_FIELDS.ladder_level,
  ]);
  return scope ?? sql<SqlBool>`true`;
}

/**
 * A step point this close before `to` is left out: `to` stands for it. A client that reads its clock
 * once for `from` and again for `to` (84 days apart, a few milliseconds late) asks for 12 weeks, not
 * for 12 weeks and a point a millisecond before the last.
 */
const SAME_POINT_MS = 60_000;

/** The dates of a series, `from` to `to` by `step`, `to` always last. */
export function seriesPoints(from: Date, to: Date, step: 'week' | 'month'): Date[] {
  if (from > to) throw invalid('from', 'must not be after to');
  const points: Date[] = [];
  for (let at = new Date(from); at < to; ) {
    if (points.length > 0 && to.getTime() - at.getTime() < SAME_POINT_MS) break;
    points.push(new Date(at));
    if (step === 'week') at.setUTCDate(at.getUTCDate() + 7);
    else at = addMonths(from, points.length);
    if (points.length > MAX_POINTS) throw invalid('from', `at most ${MAX_POINTS} points; use a larger step`);
  }
  points.push(to);
  return points;
}

/** `date` plus `n` months, clamped to the month's last day (31 January + 1 month = 28/29 February). */
function addMonths(date: Date, n: number): Date {
  const out = new Date(date);
  out.setUTCDate(1);
  out.setUTCMonth(out.getUTCMonth() + n);
  const last = new Date(Date.UTC(out.getUTCFullYear(), out.getUTCMonth() + 1, 0)).getUTCDate();
  out.setUTCDate(Math.min(date.getUTCDate(), last));
  return out;
}

/**
 * People per level per unit at each point of a series: each person's latest assessment at that
 * moment, by their current home unit. Counts only (people.aggregate), over the people the caller
 * may count.
 */
export async function pipeline(
  ctx: Ctx,
  ladderId: string,
  query: { from?: Date | undefined; to?: Date | undefined; step: 'week' | 'month' },
): Promise<PipelineView> {
  await getLadder(ctx, ladderId);
  const to = query.to ?? ctx.now();
  const from =
    query.from ?? (query.step === 'week' ? new Date(to.getTime() - 42 * 86_400_000) : addMonths(to, -6));
  const points = seriesPoints(from, to, query.step);
  const scope = await peopleScope(ctx.db, accessOf(ctx.actor), 'people.aggregate');
  const orgId = ctx.actor.orgId;
  // Each assessment holds from its assessed_at until the person's next one: one pass over the
  // ladder's assessments (no sort per point), then a range join with the points.
  const { rows } = await sql<{
    at: Date;
    unit_id: string | null;
    unit_path: string | null;
    level_id: string;
    people: number;
  }>`
    WITH held AS (
      SELECT a.level_id, a.assessed_at, p.home_unit_id,
        lead(a.assessed_at) OVER (PARTITION BY a.person_id ORDER BY a.assessed_at, a.id) AS until
      FROM ladder_assessment a JOIN person p ON p.id = a.person_id
      WHERE a.org_id = ${orgId} AND a.ladder_id = ${ladderId} AND a.assessed_at <= ${to}
        AND p.org_id = ${orgId} AND p.merged_into IS NULL AND ${scope ?? sql`true`}),
    counted AS (
      SELECT d.at, h.home_unit_id, h.level_id, count(*)::int AS people
      FROM held h JOIN unnest(${points.map((d) => d.toISOString())}::timestamptz[]) AS d(at)
        ON h.assessed_at <= d.at AND (h.until IS NULL OR h.until > d.at)
      GROUP BY d.at, h.home_unit_id, h.level_id)
    SELECT c.at, c.home_unit_id AS unit_id, u.path::text AS unit_path, c.level_id, c.people
    FROM counted c LEFT JOIN unit u ON u.id = c.home_unit_id
    ORDER BY c.at, unit_path, c.level_id`.execute(ctx.db);
  return {
    ladder_id: ladderId,
    points: points.map((at) => ({
      at,
      counts: rows
        .filter((r) => new Date(r.at).getTime() === at.getTime())
        .map(({ at: _, ...count }) => count),
    })),
  };
}

/**
 * Who moved on a ladder in [since, until): each person assessed in the period, their level just
 * before it and their level at its end. A person re-assessed at the level they had is no move.
 */
export async function movements(
  ctx: Ctx,
  ladderId: string,
  query: { since?: Date | undefined; until?: Date | undefined; page: number; per_page: number },
): Promise<Paged<MovementView>> {
  await getLadder(ctx, ladderId);
  const until = query.until ?? ctx.now();
  const since = query.since ?? new Date(until.getTime() - 30 * 86_400_000);
  const scope = await levelReaders(ctx);
  const orgId = ctx.actor.orgId;
  // Only people assessed in the period can have moved: their assessments up to its end, each with
  // the one before it (the level held just before the period is the last one before `since`).
  const { rows } = await sql<{
    id: string;
    given_name: string | null;
    family_name: string | null;
    from_level_id: string | null;
    from_position: number | null;
    to_level_id: string;
    to_position: number;
    at: Date;
    total: number;
  }>`
    WITH moved AS (
      SELECT DISTINCT a.person_id FROM ladder_assessment a JOIN person p ON p.id = a.person_id
      WHERE a.org_id = ${orgId} AND a.ladder_id = ${ladderId} AND a.assessed_at >= ${since} AND a.assessed_at < ${until}
        AND p.org_id = ${orgId} AND p.merged_into IS NULL AND ${scope}),
    ranked AS (
      SELECT a.person_id, a.level_id, v.position, a.assessed_at,
        row_number() OVER (PARTITION BY a.person_id ORDER BY a.assessed_at DESC, a.id DESC) AS newest,
        row_number() OVER (PARTITION BY a.person_id, a.assessed_at < ${since} ORDER BY a.assessed_at DESC, a.id DESC) AS newest_before
      FROM ladder_assessment a JOIN ladder_level v ON v.id = a.level_id
      WHERE a.org_id = ${orgId} AND a.ladder_id = ${ladderId} AND a.assessed_at < ${until}
        AND a.person_id IN (SELECT person_id FROM moved))
    SELECT p.id, p.given_name, p.family_name, b.level_id AS from_level_id, b.position AS from_position,
      e.level_id AS to_level_id, e.position AS to_position, e.assessed_at AS at, count(*) OVER ()::int AS total
    FROM ranked e
    JOIN person p ON p.id = e.person_id
    LEFT JOIN ranked b ON b.person_id = e.person_id AND b.assessed_at < ${since} AND b.newest_before = 1
    WHERE e.newest = 1 AND b.level_id IS DISTINCT FROM e.level_id
    ORDER BY e.assessed_at DESC, p.id
    LIMIT ${query.per_page} OFFSET ${(query.page - 1) * query.per_page}`.execute(ctx.db);
  return {
    items: rows.map((r) => ({
      person: { id: r.id, given_name: r.given_name, family_name: r.family_name },
      from_level_id: r.from_level_id,
      to_level_id: r.to_level_id,
      direction: r.from_position === null ? 'new' : r.to_position > r.from_position ? 'up' : 'down',
      at: new Date(r.at),
    })),
    total: rows[0]?.total ?? 0,
    page: query.page,
    per_page: query.per_page,
  };
}

/**
 * People assessed on a ladder with their current level and whether it is stale (no assessment in
 * the ladder's stale_after_days), most stale first. A person's own ladders view also shows
 * people never assessed as stale.
 */
export async function ladderPeople(
  ctx: Ctx,
  ladderId: string,
  query: { level_id?: string | undefined; stale?: boolean | undefined; page: number; per_page: number },
): Promise<Paged<LadderPersonView>> {
  const ladder = await getLadder(ctx, ladderId);
  const scope = await levelReaders(ctx);
  const orgId = ctx.actor.orgId;
  const staleBefore = new Date(ctx.now().getTime() - ladder.stale_after_days * 86_400_000);
  const { rows } = await sql<{
    id: string;
    given_name: string | null;
    family_name: string | null;
    level_id: string;
    assessed_at: Date;
    total: number;
  }>`
    SELECT p.id, p.given_name, p.family_name, c.level_id, c.assessed_at, count(*) OVER ()::int AS total
    FROM (
      SELECT DISTINCT ON (a.person_id) a.person_id, a.level_id, a.assessed_at FROM ladder_assessment a
      WHERE a.org_id = ${orgId} AND a.ladder_id = ${ladderId}
      ORDER BY a.person_id, a.assessed_at DESC, a.id DESC) c
    JOIN person p ON p.id = c.person_id
    WHERE p.org_id = ${orgId} AND p.merged_into IS NULL AND ${scope}
      ${query.level_id ? sql`AND c.level_id = ${query.level_id}` : sql``}
      ${query.stale === undefined ? sql`` : query.stale ? sql`AND c.assessed_at < ${staleBefore}` : sql`AND c.assessed_at >= ${staleBefore}`}
    ORDER BY c.assessed_at, p.id
    LIMIT ${query.per_page} OFFSET ${(query.page - 1) * query.per_page}`.execute(ctx.db);
  return {
    items: rows.map((r) => ({
      person: { id: r.id, given_name: r.given_name, family_name: r.family_name },
      level_id: r.level_id,
      assessed_at: new Date(r.assessed_at),
      stale: new Date(r.assessed_at) < staleBefore,
    })),
    total: rows[0]?.total ?? 0,
    page: query.page,
    per_page: query.per_page,
  };
}

/** The first instant of this month (UTC). */
export const monthStart = (now: Date): Date => new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));

/**
 * People who arrived since `since` (this month by default), newest first, with what they have done
 * since (their timeline's activities by kind) and where they stand on each ladder.
 */
export async function newPeople(
  ctx: Ctx,
  query: { since?: Date | undefined; page: number; per_page: number },
): Promise<Paged<NewPersonView>> {
  const since = query.since ?? monthStart(ctx.now());
  const scope = await levelReaders(ctx);
  const orgId = ctx.actor.orgId;
  const { rows } = await sql<PersonRef & { created_at: Date; total: number }>`
    SELECT p.id, p.given_name, p.family_name, p.created_at, count(*) OVER ()::int AS total
    FROM person p
    WHERE p.org_id = ${orgId} AND p.merged_into IS NULL AND p.created_at >= ${since} AND ${scope}
    ORDER BY p.created_at DESC, p.id
    LIMIT ${query.per_page} OFFSET ${(query.page - 1) * query.per_page}`.execute(ctx.db);
  const ids = rows.map((r) => r.id);
  const [activities, levels] =
    ids.length === 0
      ? [[], []]
      : await Promise.all([
          ctx.db
            .selectFrom('activity')
            .select(['person_id', 'kind', sql<number>`count(*)::int`.as('n')])
            .where('org_id', '=', orgId)
            .where('person_id', 'in', ids)
            .where('occurred_at', '>=', since)
            .groupBy(['person_id', 'kind'])
            .execute(),
          ctx.db
            .selectFrom('ladder_assessment as a')
            .innerJoin('ladder_level as v', 'v.id', 'a.level_id')
            .innerJoin('ladder as l', 'l.id', 'a.ladder_id')
            .distinctOn(['a.person_id', 'a.ladder_id'])
            .select(['a.person_id', 'a.ladder_id', 'a.level_id', 'v.name as level_name'])
            .where('a.org_id', '=', orgId)
            .where('a.person_id', 'in', ids)
            .where('l.archived_at', 'is', null)
            .orderBy('a.person_id')
            .orderBy('a.ladder_id')
            .orderBy('a.assessed_at', 'desc')
            .orderBy('a.id', 'desc')
            .execute(),
        ]);
  return {
    items: rows.map((r) => ({
      person: { id: r.id, given_name: r.given_name, family_name: r.family_name },
      created_at: new Date(r.created_at),
      activities: Object.fromEntries(
        activities.filter((a) => a.person_id === r.id).map((a) => [a.kind, a.n]),
      ),
      levels: levels
        .filter((l) => l.person_id === r.id)
        .map(({ ladder_id, level_id, level_name }) => ({ ladder_id, level_id, level_name })),
    })),
    total: rows[0]?.total ?? 0,
    page: query.page,
    per_page: query.per_page,
  };
}
