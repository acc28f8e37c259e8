import { type Expression, type Kysely, type SqlBool, sql } from 'kysely';
import { z } from 'zod';
import { outermostPaths } from '../access/index.js';
import type { DB } from '../db/schema.js';
import type { Access } from '../policy/index.js';
import { Question, Target } from './forms.schemas.js';

/**
 * The forms this access may manage, as SQL over `form f` joined to its unit as `fu`; null means
 * every form of the organization. A unit grant of `forms.manage` covers its subtree's forms.
 */
export function formScope(access: Access): Expression<SqlBool> | null {
  const grants = access.grants.filter((g) => g.actions.has('forms.manage'));
  if (grants.some((g) => g.scope.kind === 'org')) return null;
  const paths = outermostPaths(grants.flatMap((g) => (g.scope.kind === 'unit' ? [g.scope.path] : [])));
  if (paths.length === 0) return sql<SqlBool>`false`;
  return sql<SqlBool>`(${sql.join(
    paths.map((p) => sql`fu.path <@ ${p}::ltree`),
    sql` OR `,
  )})`;
}

/** Forms of one organization with their unit (as `fu`) and their submission count. */
export function formsFrom(db: Kysely<DB>, orgId: string) {
  return db
    .selectFrom('form as f')
    .innerJoin('unit as fu', 'fu.id', 'f.unit_id')
    .where('f.org_id', '=', orgId)
    .select([
      'f.id',
      'f.unit_id',
      'f.kind',
      'f.title',
      'f.description',
      'f.call_to_action',
      'f.questions',
      'f.targets',
      'f.petition_text',
      'f.status',
      'f.created_at',
      'f.updated_at',
      'fu.path as unit_path',
      sql<number>`(SELECT count(*)::int FROM form_submission s WHERE s.form_id = f.id)`.as(
        'total_submissions',
      ),
    ]);
}

const StoredQuestions = z.array(Question);
const StoredTargets = z.array(Target);

/** The JSON columns checked on read (a row written by another version still parses or fails loudly). */
export function parseStored<R extends { questions: unknown; targets: unknown }>(
  row: R,
): Omit<R, 'questions' | 'targets'> & { questions: Question[]; targets: Target[] } {
  return {
    ...row,
    questions: StoredQuestions.parse(row.questions),
    targets: StoredTargets.parse(row.targets),
  };
}
