import { sql } from 'kysely';
import { requirePerson } from '../access/people-access.js';
import { peopleScope } from '../access/scope.js';
import type { Ctx } from '../context.js';
import { notFound } from '../errors.js';
import { accessOf, assertAllowed } from '../policy/index.js';

/** One side of a possible duplicate, summarized for a reviewer. */
export interface DuplicatePersonSummary {
  id: string;
  given_name: string | null;
  family_name: string | null;
  birthdate: string | null;
  email: string | null;
  phone: string | null;
  postal_code: string | null;
}

export type DuplicateStatus = 'open' | 'merged' | 'dismissed';

export interface PossibleDuplicateView {
  id: string;
  reason: string;
  status: DuplicateStatus;
  created_at: Date;
  people: [DuplicatePersonSummary, DuplicatePersonSummary];
}

interface Row {
  id: string;
  reason: string;
  status: DuplicateStatus;
  created_at: Date | string;
  person_id: string;
  given_name: string | null;
  family_name: string | null;
  birthdate: string | null;
  email: string | null;
  phone: string | null;
  postal_code: string | null;
}

/**
 * Possible duplicates with this status, oldest first, each with both people summarized (names,
 * birth date, primary email, phone and postal code). Open pairs where either person was merged
 * away since are left out: they are moot.
 */
export async function listDuplicates(
  ctx: Ctx,
  options: { status: DuplicateStatus; page: number; perPage: number },
): Promise<{ items: PossibleDuplicateView[]; total: number; page: number; per_page: number }> {
  assertAllowed(ctx.actor, 'people.read');
  const orgId = ctx.actor.orgId;
  // The review shows both people's email, phone and postal code: only pairs whose two people the
  // actor may read with their contact fields.
  const scope = await peopleScope(ctx.db, accessOf(ctx.actor), 'people.read', ['contact']);
  const inScope = scope
    ? sql`AND EXISTS (SELECT 1 FROM person p WHERE p.id = d.person_a AND ${scope})
      AND EXISTS (SELECT 1 FROM person p WHERE p.id = d.person_b AND ${scope})`
    : sql``;
  const where = sql`d.org_id = ${orgId} AND d.status = ${options.status} ${inScope}
    AND (d.status <> 'open' OR NOT EXISTS (
      SELECT 1 FROM person p WHERE p.id IN (d.person_a, d.person_b) AND p.merged_into IS NOT NULL))`;
  const total = await sql<{ n: number }>`
    SELECT count(*)::int AS n FROM possible_duplicate d WHERE ${where}`.execute(ctx.db);
  const pairs = await sql<{ id: string }>`
    SELECT d.id FROM possible_duplicate d WHERE ${where}
    ORDER BY d.created_at, d.id
    LIMIT ${options.perPage} OFFSET ${(options.page - 1) * options.perPage}`.execute(ctx.db);
  const ids = pairs.rows.map((r) => r.id);
  const rows =
    ids.length === 0
      ? []
      : (
          await sql<Row>`
    SELECT d.id, d.reason, d.status, d.created_at, p.id AS person_id, p.given_name, p.family_name,
      p.birthdate::text AS birthdate,
      (SELECT e.address FROM person_email e WHERE e.person_id = p.id
        ORDER BY e.is_primary DESC, e.observed_at LIMIT 1) AS email,
      (SELECT ph.number FROM person_phone ph WHERE ph.person_id = p.id
        ORDER BY ph.is_primary DESC, ph.observed_at LIMIT 1) AS phone,
      (SELECT a.postal_code FROM person_address a WHERE a.person_id = p.id
        ORDER BY a.is_primary DESC, a.observed_at LIMIT 1) AS postal_code
    FROM possible_duplicate d
    JOIN person p ON p.id IN (d.person_a, d.person_b)
    WHERE d.id = ANY(${ids}::uuid[])
    ORDER BY d.created_at, d.id, p.id`.execute(ctx.db)
        ).rows;
  const items: PossibleDuplicateView[] = [];
  for (let i = 0; i + 1 < rows.length; i += 2) {
    const a = rows[i] as Row;
    const b = rows[i + 1] as Row;
    items.push({
      id: a.id,
      reason: a.reason,
      status: a.status,
      created_at: new Date(a.created_at),
      people: [summary(a), summary(b)],
    });
  }
  return { items, total: total.rows[0]?.n ?? 0, page: options.page, per_page: options.perPage };
}

function summary(row: Row): DuplicatePersonSummary {
  return {
    id: row.person_id,
    given_name: row.given_name,
    family_name: row.family_name,
    birthdate: row.birthdate,
    email: row.email,
    phone: row.phone,
    postal_code: row.postal_code,
  };
}

/** Marks a pair as "not the same person": it leaves the open list. Dismissing twice is fine. */
export async function dismissDuplicate(ctx: Ctx, id: string): Promise<void> {
  assertAllowed(ctx.actor, 'people.merge');
  // The reviewer decides about two people: both must be within their reach for merging (a pair
  // outside it answers 404, as if absent).
  const pair = await ctx.db
    .selectFrom('possible_duplicate')
    .select(['person_a', 'person_b'])
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!pair) throw notFound('possible duplicate');
  for (const personId of [pair.person_a, pair.person_b])
    await requirePerson(ctx, personId, 'people.merge', { includeMerged: true });
  await ctx.db
    .updateTable('possible_duplicate')
    .set({ status: 'dismissed', updated_at: ctx.now() })
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', '=', id)
    .where('status', '=', 'open')
    .execute();
}
