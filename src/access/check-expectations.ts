import { type Expression, type Kysely, type SqlBool, sql } from 'kysely';
import type { DB } from '../db/schema.js';
import { AppError } from '../errors.js';
import { unitRange } from '../people/people.filter.js';
import { type Access, type Action, DENY_RULES, type FieldClass, fieldClassOf } from '../policy/index.js';
import type { Expectation, ParseProblem } from './expectations.js';
import { explainAccess, findUserRef } from './explain.js';
import { loadAccess } from './load.js';
import { customFieldClasses } from './people-access.js';
import { peopleScope } from './scope.js';

export interface ExpectationResult {
  expectation: Expectation;
  holds: boolean;
  /** How many people the target holds (null: no target, the question was "at all"). */
  people: number | null;
  /** People for whom the expectation fails (0 or 1 for a single person or no target). */
  violations: number;
  /** Up to five ids of people for whom it fails. */
  examples: string[];
  /** The decision's reasons, for a single person or no target. */
  reasons: string[];
}

const EXAMPLES = 5;

/**
 * The people this access may perform the action on (reading this field, when given), as a
 * predicate over `person AS p`: the same SQL scope every request uses, narrowed to the grants
 * that give the field, with the deny rules of the action applied. It answers what decide() would
 * answer for each person, for a whole subtree in one query.
 */
export async function allowedPeople(
  db: Kysely<DB>,
  access: Access,
  action: Action,
  field: { name: string; fieldClass: FieldClass } | null,
): Promise<Expression<SqlBool>> {
  const grants = access.grants.filter(
    (g) => g.actions.has(action) && (!field || g.classes.has(field.fieldClass) || g.fields.has(field.name)),
  );
  const scope = await peopleScope(db, { ...access, grants }, action);
  const parts: Expression<SqlBool>[] = [scope ?? sql<SqlBool>`true`];
  for (const rule of DENY_RULES) {
    if (!rule.actions.includes(action)) continue;
    parts.push(
      rule.rule === 'do_not_contact' ? sql<SqlBool>`NOT p.do_not_contact` : sql<SqlBool>`NOT p.legal_hold`,
    );
  }
  return sql<SqlBool>`(${sql.join(parts, sql` AND `)})`;
}

/** A line's references (user, unit, person, custom field) that do not exist are file problems. */
function problemAt(e: Expectation, error: unknown): ParseProblem {
  if (error instanceof AppError && (error.code === 'not_found' || error.code === 'validation_failed'))
    return { line: e.line, column: 1, message: error.message };
  throw error;
}

/**
 * Checks expectations against the live configuration of one organization. References that do not
 * exist (a user, unit, person or custom field) come back as problems, and nothing is checked then:
 * a typo must not pass as an expectation that holds. "people in UNIT" and "everyone" are checked
 * for every person in SQL, counting violations rather than deciding person by person.
 */
export async function checkExpectations(
  db: Kysely<DB>,
  orgId: string,
  expectations: Expectation[],
  now: Date,
): Promise<{ results: ExpectationResult[]; problems: ParseProblem[] }> {
  const problems: ParseProblem[] = [];
  const users = new Map<string, { id: string; email: string }>();
  const customClasses = await customFieldClasses(db, orgId);
  const fieldOf = (name: string) => {
    const fieldClass = name.startsWith('custom_fields.')
      ? customClasses.get(name.slice('custom_fields.'.length))
      : fieldClassOf(name);
    if (!fieldClass)
      throw new AppError('validation_failed', `no custom field ${name.slice('custom_fields.'.length)}`);
    return { name, fieldClass };
  };
  // Resolve every reference first, so that all problems of a file are reported at once.
  for (const e of expectations) {
    try {
      if (!users.has(e.user)) users.set(e.user, await findUserRef(db, orgId, e.user));
      if (e.field) fieldOf(e.field);
      if (e.target?.kind === 'unit') {
        const unit = await db
          .selectFrom('unit')
          .select('id')
          .where('org_id', '=', orgId)
          .where(sql<string>`path::text`, '=', e.target.path)
          .executeTakeFirst();
        if (!unit) throw new AppError('not_found', `no unit ${e.target.path}`);
      }
      if (e.target?.kind === 'person') {
        const person = await db
          .selectFrom('person')
          .select('id')
          .where('org_id', '=', orgId)
          .where('id', '=', e.target.id)
          .where('merged_into', 'is', null)
          .executeTakeFirst();
        if (!person) throw new AppError('not_found', `no person ${e.target.id}`);
      }
    } catch (error) {
      problems.push(problemAt(e, error));
    }
  }
  if (problems.length > 0) return { results: [], problems };

  const accessOfUser = new Map<string, Access>();
  const results: ExpectationResult[] = [];
  for (const e of expectations) {
    const user = users.get(e.user) as { id: string; email: string };
    const target = e.target;
    if (target === null || target.kind === 'person') {
      const explained = await explainAccess(
        db,
        orgId,
        {
          user: user.id,
          action: e.action,
          ...(target ? { person: target.id } : {}),
          ...(e.field ? { field: e.field } : {}),
        },
        now,
      );
      const holds = explained.allowed === (e.effect === 'allow');
      results.push({
        expectation: e,
        holds,
        people: target ? 1 : null,
        violations: holds ? 0 : 1,
        examples: !holds && target ? [target.id] : [],
        reasons: explained.reasons.map((r) => r.message),
      });
      continue;
    }
    let access = accessOfUser.get(user.id);
    if (!access) {
      access = await loadAccess(db, orgId, user.id, now);
      accessOfUser.set(user.id, access);
    }
    const allowed = await allowedPeople(db, access, e.action, e.field ? fieldOf(e.field) : null);
    const inTarget =
      target.kind === 'unit'
        ? sql<SqlBool>`p.home_unit_path >= ${unitRange(target.path)[0]}::ltree AND p.home_unit_path < ${unitRange(target.path)[1]}::ltree`
        : sql<SqlBool>`true`;
    const violating =
      e.effect === 'allow'
        ? sql<SqlBool>`NOT coalesce(${allowed}, false)`
        : sql<SqlBool>`coalesce(${allowed}, false)`;
    const counted = await sql<{ people: number; violations: number }>`
      SELECT count(*)::int AS people, count(*) FILTER (WHERE ${violating})::int AS violations
      FROM person p
      WHERE p.org_id = ${orgId} AND p.merged_into IS NULL AND ${inTarget}`.execute(db);
    const { people, violations } = counted.rows[0] ?? { people: 0, violations: 0 };
    const examples =
      violations === 0
        ? []
        : (
            await sql<{ id: string }>`
              SELECT p.id FROM person p
              WHERE p.org_id = ${orgId} AND p.merged_into IS NULL AND ${inTarget} AND ${violating}
              ORDER BY p.id LIMIT ${EXAMPLES}`.execute(db)
          ).rows.map((r) => r.id);
    results.push({ expectation: e, holds: violations === 0, people, violations, examples, reasons: [] });
  }
  return { results, problems };
}
