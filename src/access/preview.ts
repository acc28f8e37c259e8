import { type Expression, type SqlBool, sql } from 'kysely';
import { z } from 'zod';
import type { Ctx } from '../context.js';
import { AppError, invalid, notFound } from '../errors.js';
import { parseInput } from '../http/parse-input.js';
import {
  ACTIONS,
  type Access,
  type Action,
  accessOf,
  assertAllowed,
  describeGrant,
  FIELD_CLASSES,
  type FieldClass,
  type Grant,
  isAction,
  isFieldClass,
  mayAtAll,
  type Scope,
} from '../policy/index.js';
import {
  AssignmentInput,
  BindingInput,
  findRole,
  RolePatch,
  requireUser,
  resolveUnit,
} from './bindings.service.js';
import { findUserRef } from './explain.js';
import { loadAccess } from './load.js';
import { type PeopleScope, peopleScope } from './scope.js';

const one = (values: unknown[]) => values.filter((v) => v !== undefined).length === 1;

export const PreviewInput = z
  .object({
    user_id: z.uuid(),
    add: z
      .object({
        binding: BindingInput.omit({ user_id: true }).optional(),
        assignment: AssignmentInput.omit({ user_id: true }).optional(),
      })
      .refine((a) => one([a.binding, a.assignment]), 'give one of binding or assignment')
      .optional()
      .describe('A role binding or an assignment the user would get'),
    remove: z
      .object({ binding_id: z.uuid().optional(), assignment_id: z.uuid().optional() })
      .refine((r) => one([r.binding_id, r.assignment_id]), 'give one of binding_id or assignment_id')
      .optional()
      .describe('A binding or assignment of the user that would go'),
  })
  .refine((p) => p.add !== undefined || p.remove !== undefined, {
    message: 'give add, remove or both',
    path: ['add'],
  });
export type PreviewInput = z.input<typeof PreviewInput>;
type Addition = NonNullable<z.infer<typeof PreviewInput>['add']>;
type BindingAddition = NonNullable<Addition['binding']>;
type AssignmentAddition = NonNullable<Addition['assignment']>;

export interface PreviewPerson {
  id: string;
  given_name: string | null;
  family_name: string | null;
}

export interface PreviewChange {
  count: number;
  /** Up to five, among the people the caller may read themselves. */
  sample: PreviewPerson[];
}

export interface AccessPreview {
  user: { id: string; email: string };
  /** The grant that would be added, described (null: none). */
  add: string | null;
  /** The grant that would go, described (null: none). */
  remove: string | null;
  /** People the user may read (people.read), before and after. */
  people: {
    before: number;
    after: number;
    /** By top-level unit (the first label of the home unit's path); `unit` null: no home unit. */
    by_unit: { unit: string | null; name: string | null; before: number; after: number }[];
    gained: PreviewChange;
    lost: PreviewChange;
  };
  /** Field classes (and single fields) the user's read grants give, before and after. */
  field_classes: { before: FieldClass[]; after: FieldClass[] };
  fields: { before: string[]; after: string[] };
  /** Actions the user may perform at all, before and after. */
  actions: { before: Action[]; after: Action[] };
}

const SAMPLE = 5;

/** The grant a binding would be, as loadAccess would read it, and whether it would be live now. */
async function bindingGrant(ctx: Ctx, input: BindingAddition): Promise<{ grant: Grant; live: boolean }> {
  const orgId = ctx.actor.orgId;
  const role = await findRole(ctx.db, orgId, input.role);
  if (!role)
    throw new AppError('validation_failed', `add.binding.role: no role ${input.role} in this organization`, {
      fields: [{ field: 'add.binding.role', message: `no role ${input.role} in this organization` }],
    });
  const unitId = await resolveUnit(ctx.db, orgId, input.unit).catch((error: unknown) => {
    // Name the field where the body has it.
    throw error instanceof AppError && error.code === 'validation_failed'
      ? invalid('add.binding.unit', `no unit with path ${input.unit}`)
      : error;
  });
  const scope: Scope =
    unitId === null || input.unit === null ? { kind: 'org' } : { kind: 'unit', unitId, path: input.unit };
  return {
    grant: {
      id: 'preview',
      via: 'binding',
      role: role.key,
      scope,
      actions: new Set(role.actions.filter(isAction)),
      classes: new Set(role.field_classes.filter(isFieldClass)),
      fields: new Set(),
      expiresAt: input.expires_at,
    },
    live: input.expires_at === null || input.expires_at > ctx.now(),
  };
}

async function assignmentGrant(
  ctx: Ctx,
  input: AssignmentAddition,
): Promise<{ grant: Grant; live: boolean }> {
  const table = input.target_kind === 'list' ? 'list' : 'saved_search';
  const target = await ctx.db
    .selectFrom(table)
    .select('id')
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', '=', input.target_id)
    .executeTakeFirst();
  if (!target)
    throw new AppError('validation_failed', 'add.assignment.target_id: no such list or saved search', {
      fields: [{ field: 'add.assignment.target_id', message: `no ${table.replace('_', ' ')} with this id` }],
    });
  const scope: Scope =
    input.target_kind === 'list'
      ? { kind: 'list', listId: input.target_id }
      : { kind: 'saved_search', searchId: input.target_id };
  return {
    grant: {
      id: 'preview',
      via: 'assignment',
      role: null,
      scope,
      actions: new Set(input.actions.filter(isAction)),
      classes: new Set(input.field_classes),
      fields: new Set(input.fields),
      expiresAt: input.expires_at,
    },
    live: input.expires_at === null || input.expires_at > ctx.now(),
  };
}

/** Whether two grants would be one row: the same role over the same unit, or the same assignment target. */
function sameSlot(a: Grant, b: Grant): boolean {
  if (a.via !== b.via) return false;
  if (a.via === 'binding' && a.role !== b.role) return false;
  const s = a.scope;
  const t = b.scope;
  if (s.kind !== t.kind) return false;
  switch (s.kind) {
    case 'org':
      return true;
    case 'unit':
      return t.kind === 'unit' && s.unitId === t.unitId;
    case 'list':
      return t.kind === 'list' && s.listId === t.listId;
    case 'saved_search':
      return t.kind === 'saved_search' && s.searchId === t.searchId;
    case 'event':
      return t.kind === 'event' && s.eventId === t.eventId;
  }
}

const predicate = (scope: PeopleScope): Expression<SqlBool> => scope ?? sql<SqlBool>`true`;

function readGrants(access: Access) {
  const reads = access.grants.filter((g) => g.actions.has('people.read'));
  const classes = new Set(reads.flatMap((g) => [...g.classes]));
  return {
    classes: FIELD_CLASSES.filter((c) => classes.has(c)),
    fields: [...new Set(reads.flatMap((g) => [...g.fields]))].sort(),
  };
}

/**
 * What a user would gain and lose if this binding or assignment were added (or removed), computed
 * without saving anything: the hypothetical grants are built in memory and the same SQL scope that
 * every request uses runs for before and after. Counts are by top-level unit; the samples of people
 * gained and lost are drawn only from people the caller may read (by name) themselves.
 */
export async function previewAccess(ctx: Ctx, raw: PreviewInput): Promise<AccessPreview> {
  assertAllowed(ctx.actor, 'access.manage');
  const input = parseInput(PreviewInput, raw);
  const orgId = ctx.actor.orgId;
  await requireUser(ctx.db, orgId, input.user_id);
  const user = await findUserRef(ctx.db, orgId, input.user_id);
  const now = ctx.now();
  const before = await loadAccess(ctx.db, orgId, user.id, now);
  let grants = [...before.grants];
  let removed: string | null = null;
  let added: string | null = null;

  if (input.remove) {
    const { binding_id, assignment_id } = input.remove;
    const table = binding_id ? 'role_binding' : 'assignment';
    const id = (binding_id ?? assignment_id) as string;
    const row = await ctx.db
      .selectFrom(table)
      .select('id')
      .where('org_id', '=', orgId)
      .where('user_id', '=', user.id)
      .where('id', '=', id)
      .executeTakeFirst();
    const field = binding_id ? 'remove.binding_id' : 'remove.assignment_id';
    if (!row)
      throw new AppError('validation_failed', `${field}: not one of this user's`, {
        fields: [
          { field, message: `no ${binding_id ? 'role binding' : 'assignment'} of this user has this id` },
        ],
      });
    const gone = grants.find((g) => g.id === id);
    removed = gone
      ? describeGrant(gone)
      : `${table.replace('_', ' ')} ${id} (expired: it grants nothing now)`;
    grants = grants.filter((g) => g.id !== id);
  }
  if (input.add) {
    const { grant, live } = input.add.binding
      ? await bindingGrant(ctx, input.add.binding)
      : await assignmentGrant(ctx, input.add.assignment as AssignmentAddition);
    // Granting what exists again replaces it (bindings: its expiry; assignments: all of it).
    grants = grants.filter((g) => !sameSlot(g, grant));
    if (live) grants.push(grant);
    added = `${describeGrant(grant)}${live ? '' : ' (already expired: it would grant nothing)'}`;
  }
  const after: Access = { orgId, userId: user.id, grants };
  return { user, add: added, remove: removed, ...(await compareAccess(ctx, before, after)) };
}

/** What changes between two sets of grants of one user: people by top-level unit, fields, actions. */
async function compareAccess(
  ctx: Ctx,
  before: Access,
  after: Access,
): Promise<Omit<AccessPreview, 'user' | 'add' | 'remove'>> {
  const orgId = ctx.actor.orgId;
  const [scopeBefore, scopeAfter, viewer] = await Promise.all([
    peopleScope(ctx.db, before, 'people.read'),
    peopleScope(ctx.db, after, 'people.read'),
    peopleScope(ctx.db, accessOf(ctx.actor), 'people.read', ['basic']),
  ]);
  const b = predicate(scopeBefore);
  const a = predicate(scopeAfter);
  const { rows } = await sql<{
    top: string | null;
    before: number;
    after: number;
    gained: number;
    lost: number;
  }>`
    SELECT top,
      count(*) FILTER (WHERE b)::int AS before,
      count(*) FILTER (WHERE a)::int AS after,
      count(*) FILTER (WHERE a AND NOT b)::int AS gained,
      count(*) FILTER (WHERE b AND NOT a)::int AS lost
    FROM (
      SELECT nullif(split_part(p.home_unit_path::text, '.', 1), '') AS top,
        coalesce(${b}, false) AS b, coalesce(${a}, false) AS a
      FROM person p
      WHERE p.org_id = ${orgId} AND p.merged_into IS NULL
    ) s
    WHERE b OR a
    GROUP BY top
    ORDER BY top NULLS LAST`.execute(ctx.db);
  const sample = async (into: Expression<SqlBool>, outOf: Expression<SqlBool>, count: number) => {
    if (count === 0) return [];
    const found = await sql<PreviewPerson>`
      SELECT p.id, p.given_name, p.family_name FROM person p
      WHERE p.org_id = ${orgId} AND p.merged_into IS NULL
        AND coalesce(${into}, false) AND NOT coalesce(${outOf}, false) AND coalesce(${predicate(viewer)}, false)
      ORDER BY p.id
      LIMIT ${SAMPLE}`.execute(ctx.db);
    return found.rows;
  };
  const total = (key: 'before' | 'after' | 'gained' | 'lost') => rows.reduce((n, r) => n + r[key], 0);
  const gained = total('gained');
  const lost = total('lost');
  const [gainedSample, lostSample, tops] = await Promise.all([
    sample(a, b, gained),
    sample(b, a, lost),
    ctx.db
      .selectFrom('unit')
      .select([sql<string>`path::text`.as('path'), 'name'])
      .where('org_id', '=', orgId)
      .where(sql<SqlBool>`nlevel(path) = 1`)
      .execute(),
  ]);
  const names = new Map(tops.map((u) => [u.path, u.name]));
  const readBefore = readGrants(before);
  const readAfter = readGrants(after);
  return {
    people: {
      before: total('before'),
      after: total('after'),
      by_unit: rows.map((r) => ({
        unit: r.top,
        name: r.top === null ? null : (names.get(r.top) ?? null),
        before: r.before,
        after: r.after,
      })),
      gained: { count: gained, sample: gainedSample },
      lost: { count: lost, sample: lostSample },
    },
    field_classes: { before: readBefore.classes, after: readAfter.classes },
    fields: { before: readBefore.fields, after: readAfter.fields },
    actions: {
      before: ACTIONS.filter((x) => mayAtAll(before, x)),
      after: ACTIONS.filter((x) => mayAtAll(after, x)),
    },
  };
}

export interface RoleChangePreview {
  role: string;
  /** The role as it would be: its actions and field classes after the change. */
  actions: Action[];
  field_classes: FieldClass[];
  /** Users with a live binding of the role (the first `USERS`, by email), each with what would change. */
  users: Omit<AccessPreview, 'add' | 'remove'>[];
  /** All users with a live binding of the role (may be more than `users` holds). */
  total_users: number;
}

const USERS = 20;

/**
 * What editing a role would change for everyone who holds it, computed without saving anything:
 * each holder's grants from this role are rebuilt with the new actions and field classes, and the
 * same comparison as `previewAccess` runs for each of them (the first twenty, by email).
 */
export async function previewRoleChange(ctx: Ctx, key: string, raw: RolePatch): Promise<RoleChangePreview> {
  assertAllowed(ctx.actor, 'access.manage');
  const patch = parseInput(RolePatch, raw);
  const orgId = ctx.actor.orgId;
  const role = await findRole(ctx.db, orgId, key);
  if (!role) throw notFound('role');
  const actions = new Set((patch.actions ?? role.actions).filter(isAction));
  const classes = new Set((patch.field_classes ?? role.field_classes).filter(isFieldClass));
  const now = ctx.now();
  const holders = await ctx.db
    .selectFrom('role_binding as b')
    .innerJoin('app_user as u', 'u.id', 'b.user_id')
    .select(['u.id', 'u.email'])
    .distinct()
    .where('b.org_id', '=', orgId)
    .where('b.role_id', '=', role.id)
    .where((eb) => eb.or([eb('b.expires_at', 'is', null), eb('b.expires_at', '>', now)]))
    .orderBy('u.email')
    .execute();
  const users: RoleChangePreview['users'] = [];
  for (const user of holders.slice(0, USERS)) {
    const before = await loadAccess(ctx.db, orgId, user.id, now);
    const after: Access = {
      ...before,
      grants: before.grants.map((g) =>
        g.via === 'binding' && g.role === role.key ? { ...g, actions, classes } : g,
      ),
    };
    users.push({ user: { id: user.id, email: user.email }, ...(await compareAccess(ctx, before, after)) });
  }
  return {
    role: role.key,
    actions: ACTIONS.filter((a) => actions.has(a)),
    field_classes: FIELD_CLASSES.filter((c) => classes.has(c)),
    users,
    total_users: holders.length,
  };
}
