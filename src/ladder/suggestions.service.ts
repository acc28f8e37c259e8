import { sql } from 'kysely';
import { peopleScope } from '../access/index.js';
import { actorUserId, type Ctx } from '../context.js';
import { AppError, notFound } from '../errors.js';
import { assertPersonField } from '../notes/index.js';
import { accessOf, PERSON_FIELDS } from '../policy/index.js';
import { insertAssessment } from './assessments.service.js';
import type { AssessmentView, SuggestionQuery, SuggestionView } from './ladder.schemas.js';
import { getLadder, liveLevel } from './ladders.service.js';
import { RULE_COUNTERS } from './rules.js';

/**
 * Runs a ladder's enabled rules over the people the caller may assess (people.write with the
 * status class; not under legal hold) and records what they suggest. A suggestion is only ever a
 * suggestion: no level changes until an organizer accepts it.
 *
 * A rule suggests its level to a person who reaches its count in its window, unless the person's
 * current level is already at that position or higher, the same level is already suggested and
 * open, or an organizer dismissed that level for them within the rule's window.
 */
export async function runRules(ctx: Ctx, ladderId: string): Promise<{ created: number }> {
  const ladder = await getLadder(ctx, ladderId);
  if (ladder.archived_at) throw new AppError('conflict', 'this ladder is archived');
  const live = new Map(ladder.levels.filter((v) => !v.retired_at).map((v) => [v.id, v]));
  const scope = await peopleScope(ctx.db, accessOf(ctx.actor), 'people.write', [PERSON_FIELDS.ladder_level]);
  const orgId = ctx.actor.orgId;
  const now = ctx.now();
  let created = 0;
  for (const rule of ladder.rules) {
    const level = live.get(rule.level_id);
    if (!rule.enabled || !level) continue;
    const counted = RULE_COUNTERS[rule.source](orgId, rule, now);
    const evidence = { rule: rule.name, kinds: rule.activity_kinds, window_days: rule.window_days };
    const result = await sql`
      INSERT INTO ladder_suggestion (org_id, id, person_id, ladder_id, level_id, rule_id, evidence)
      SELECT ${orgId}, uuid_v7(), p.id, ${ladderId}, ${level.id}, ${rule.id},
        jsonb_build_object('count', c.n) || ${JSON.stringify(evidence)}::jsonb
      FROM (${counted}) c
      JOIN person p ON p.id = c.person_id
      WHERE p.org_id = ${orgId} AND p.merged_into IS NULL AND NOT p.legal_hold
        AND ${scope ?? sql`true`}
        AND NOT EXISTS (
          SELECT 1 FROM (
            SELECT v.position FROM ladder_assessment a JOIN ladder_level v ON v.id = a.level_id
            WHERE a.person_id = p.id AND a.ladder_id = ${ladderId}
            ORDER BY a.assessed_at DESC, a.id DESC LIMIT 1) cur
          WHERE cur.position >= ${level.position})
        AND NOT EXISTS (
          SELECT 1 FROM ladder_suggestion s
          WHERE s.person_id = p.id AND s.ladder_id = ${ladderId} AND s.level_id = ${level.id}
            AND (s.status = 'open' OR (s.status = 'dismissed'
              AND s.decided_at > ${now}::timestamptz - make_interval(days => ${rule.window_days}::int))))
      ON CONFLICT (person_id, ladder_id, level_id) WHERE status = 'open' DO NOTHING`.execute(ctx.db);
    created += Number(result.numAffectedRows ?? 0);
  }
  return { created };
}

function suggestionRows(ctx: Ctx) {
  return ctx.db
    .selectFrom('ladder_suggestion as s')
    .innerJoin('person as p', 'p.id', 's.person_id')
    .innerJoin('ladder_level as v', 'v.id', 's.level_id')
    .where('s.org_id', '=', ctx.actor.orgId)
    .where('p.merged_into', 'is', null);
}

const COLUMNS = [
  's.id',
  's.person_id',
  'p.given_name',
  'p.family_name',
  's.ladder_id',
  's.level_id',
  'v.name as level_name',
  's.rule_id',
  's.evidence',
  's.status',
  's.decided_by',
  's.decided_at',
  's.assessment_id',
  's.created_at',
] as const;

type Row = {
  id: string;
  person_id: string;
  given_name: string | null;
  family_name: string | null;
  ladder_id: string;
  level_id: string;
  level_name: string;
  rule_id: string | null;
  evidence: Record<string, unknown>;
  status: SuggestionView['status'];
  decided_by: string | null;
  decided_at: Date | null;
  assessment_id: string | null;
  created_at: Date;
};

const view = ({ person_id, given_name, family_name, ...rest }: Row): SuggestionView => ({
  ...rest,
  person: { id: person_id, given_name, family_name },
});

/** Suggestions about people whose name and level the caller may read, newest first. */
export async function listSuggestions(
  ctx: Ctx,
  query: SuggestionQuery,
): Promise<{ items: SuggestionView[]; total: number; page: number; per_page: number }> {
  const scope = await peopleScope(ctx.db, accessOf(ctx.actor), 'people.read', [
    'basic',
    PERSON_FIELDS.ladder_level,
  ]);
  let base = suggestionRows(ctx).where('s.status', '=', query.status);
  if (query.ladder_id) base = base.where('s.ladder_id', '=', query.ladder_id);
  if (scope) base = base.where(scope);
  const [rows, total] = await Promise.all([
    base
      .select(COLUMNS)
      .orderBy('s.created_at', 'desc')
      .orderBy('s.id', 'desc')
      .limit(query.per_page)
      .offset((query.page - 1) * query.per_page)
      .execute(),
    base.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows.map(view), total: total.n, page: query.page, per_page: query.per_page };
}

/** The suggestion, after checking the caller may change this person's level (404 out of reach). */
async function decidable(ctx: Ctx, suggestionId: string) {
  const row = await ctx.db
    .selectFrom('ladder_suggestion')
    .select(['id', 'person_id', 'ladder_id', 'level_id', 'status', 'evidence'])
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', '=', suggestionId)
    .executeTakeFirst();
  if (!row) throw notFound('suggestion');
  await assertPersonField(ctx, row.person_id, 'people.write', 'ladder_level');
  if (row.status !== 'open') throw new AppError('conflict', `this suggestion was already ${row.status}`);
  return row;
}

async function reload(ctx: Ctx, id: string): Promise<SuggestionView> {
  return view(
    (await suggestionRows(ctx).select(COLUMNS).where('s.id', '=', id).executeTakeFirstOrThrow()) as Row,
  );
}

function evidenceText(evidence: Record<string, unknown>): string {
  const kinds = Array.isArray(evidence.kinds) ? evidence.kinds.join(', ') : 'activities';
  return `suggested by rule "${String(evidence.rule)}": ${String(evidence.count)} ${kinds} in ${String(evidence.window_days)} days`;
}

/** Accepts a suggestion: one assessment, dated now and attributed to the caller, in one transaction. */
export async function acceptSuggestion(
  ctx: Ctx,
  suggestionId: string,
  input: { evidence?: string | undefined },
): Promise<{ suggestion: SuggestionView; assessment: AssessmentView }> {
  const row = await decidable(ctx, suggestionId);
  await liveLevel(ctx, row.ladder_id, row.level_id);
  const assessment = await ctx.db.transaction().execute(async (trx) => {
    const tctx = { ...ctx, db: trx };
    // Claim the suggestion first: of two organizers accepting at once, one wins and one gets 409.
    const claimed = await trx
      .updateTable('ladder_suggestion')
      .set({ status: 'accepted', decided_by: actorUserId(ctx.actor), decided_at: ctx.now() })
      .where('id', '=', suggestionId)
      .where('status', '=', 'open')
      .returning('id')
      .executeTakeFirst();
    if (!claimed) throw new AppError('conflict', 'this suggestion was already decided');
    const written = await insertAssessment(tctx, row.person_id, {
      ladderId: row.ladder_id,
      levelId: row.level_id,
      assessedAt: ctx.now(),
      evidence: input.evidence ?? evidenceText(row.evidence),
      suggestionId,
    });
    await trx
      .updateTable('ladder_suggestion')
      .set({ assessment_id: written.id })
      .where('id', '=', suggestionId)
      .execute();
    return written;
  });
  return { suggestion: await reload(ctx, suggestionId), assessment };
}

/** Dismisses a suggestion: the level stays as it was. */
export async function dismissSuggestion(ctx: Ctx, suggestionId: string): Promise<SuggestionView> {
  await decidable(ctx, suggestionId);
  const done = await ctx.db
    .updateTable('ladder_suggestion')
    .set({ status: 'dismissed', decided_by: actorUserId(ctx.actor), decided_at: ctx.now() })
    .where('id', '=', suggestionId)
    .where('status', '=', 'open')
    .returning('id')
    .executeTakeFirst();
  if (!done) throw new AppError('conflict', 'this suggestion was already decided');
  return await reload(ctx, suggestionId);
}
