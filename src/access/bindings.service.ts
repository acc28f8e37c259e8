import { type Kysely, sql } from 'kysely';
import { z } from 'zod';
import { recordNow } from '../audit/index.js';
import { actorUserId, type Ctx } from '../context.js';
import { newId } from '../db/ids.js';
import type { AssignmentTargetKind, AuditAction, DB } from '../db/schema.js';
import { AppError, notFound } from '../errors.js';
import { parseInput } from '../http/parse-input.js';
import { ACTIONS, assertAllowed, FIELD_CLASSES, isPersonField, PEOPLE_ACTIONS } from '../policy/index.js';

const UNIT_PATH = /^[a-z0-9_]+(\.[a-z0-9_]+)*$/;
const ROLE_KEY = /^[a-z][a-z0-9_]{1,62}$/;

/** Runs fn in the caller's transaction, or in a new one: a change and its audit entry commit together. */
async function inTransaction<T>(ctx: Ctx, fn: (ctx: Ctx) => Promise<T>): Promise<T> {
  if (ctx.db.isTransaction) return await fn(ctx);
  return await ctx.db.transaction().execute(async (trx) => await fn({ ...ctx, db: trx }));
}

async function audit(ctx: Ctx, action: AuditAction, detail: Record<string, unknown>): Promise<void> {
  await recordNow(ctx.db, { orgId: ctx.actor.orgId, action, actor: ctx.actor, at: ctx.now(), detail });
}

const invalid = (field: string, message: string) =>
  new AppError('validation_failed', `${field}: ${message}`, { fields: [{ field, message }] });

// ---------------------------------------------------------------------------------------------
// Roles

export interface RoleView {
  id: string;
  key: string;
  name: string;
  actions: string[];
  field_classes: string[];
  builtin: boolean;
}

const ROLE_COLUMNS = ['id', 'key', 'name', 'actions', 'field_classes', 'builtin'] as const;

export const RoleInput = z.object({
  key: z.string().regex(ROLE_KEY, 'lower-case letters, digits and _ (like door_captain)'),
  name: z.string().trim().min(1).max(200),
  actions: z.array(z.enum(ACTIONS)).max(ACTIONS.length),
  field_classes: z.array(z.enum(FIELD_CLASSES)).max(FIELD_CLASSES.length),
});
export type RoleInput = z.input<typeof RoleInput>;
export const RolePatch = RoleInput.omit({ key: true }).partial();
export type RolePatch = z.input<typeof RolePatch>;

export async function listRoles(ctx: Ctx): Promise<RoleView[]> {
  return await ctx.db
    .selectFrom('role')
    .select(ROLE_COLUMNS)
    .where('org_id', '=', ctx.actor.orgId)
    .orderBy('builtin', 'desc')
    .orderBy('key')
    .execute();
}

export async function findRole(db: Kysely<DB>, orgId: string, key: string): Promise<RoleView | undefined> {
  return await db
    .selectFrom('role')
    .select(ROLE_COLUMNS)
    .where('org_id', '=', orgId)
    .where('key', '=', key)
    .executeTakeFirst();
}

/** A custom role: a named set of actions and field classes. */
export async function createRole(ctx: Ctx, raw: RoleInput): Promise<RoleView> {
  assertAllowed(ctx.actor, 'access.manage');
  const input = parseInput(RoleInput, raw);
  if (await findRole(ctx.db, ctx.actor.orgId, input.key)) throw invalid('key', 'a role with this key exists');
  return await inTransaction(ctx, async (ctx) => {
    const role = await ctx.db
      .insertInto('role')
      .values({
        org_id: ctx.actor.orgId,
        id: newId(),
        key: input.key,
        name: input.name,
        actions: [...new Set(input.actions)],
        field_classes: [...new Set(input.field_classes)],
        builtin: false,
      })
      .returning(ROLE_COLUMNS)
      .executeTakeFirstOrThrow();
    await audit(ctx, 'role.define', {
      role: role.key,
      actions: role.actions,
      field_classes: role.field_classes,
      created: true,
    });
    return role;
  });
}

/** Edits a role, built-in ones included: the change holds for every binding on the next request. */
export async function updateRole(ctx: Ctx, key: string, raw: RolePatch): Promise<RoleView> {
  assertAllowed(ctx.actor, 'access.manage');
  const patch = parseInput(RolePatch, raw);
  const set: Record<string, unknown> = {};
  if (patch.name !== undefined) set.name = patch.name;
  if (patch.actions !== undefined) set.actions = [...new Set(patch.actions)];
  if (patch.field_classes !== undefined) set.field_classes = [...new Set(patch.field_classes)];
  if (Object.keys(set).length === 0) throw invalid('body', 'nothing to change');
  return await inTransaction(ctx, async (ctx) => {
    const row = await ctx.db
      .updateTable('role')
      .set(set)
      .where('org_id', '=', ctx.actor.orgId)
      .where('key', '=', key)
      .returning(ROLE_COLUMNS)
      .executeTakeFirst();
    if (!row) throw notFound('role');
    await audit(ctx, 'role.define', {
      role: row.key,
      actions: row.actions,
      field_classes: row.field_classes,
      name: row.name,
    });
    return row;
  });
}

/**
 * Deletes a custom role. Built-in roles stay (edit them instead), and a role someone holds is
 * refused with how many hold it: its bindings are revoked first, one by one, so nobody loses access
 * as a side effect of a clean-up.
 */
export async function deleteRole(ctx: Ctx, key: string): Promise<void> {
  assertAllowed(ctx.actor, 'access.manage');
  await inTransaction(ctx, async (ctx) => {
    const role = await ctx.db
      .selectFrom('role')
      .select(['id', 'key', 'name', 'builtin'])
      .where('org_id', '=', ctx.actor.orgId)
      .where('key', '=', key)
      .forUpdate()
      .executeTakeFirst();
    if (!role) throw notFound('role');
    if (role.builtin)
      throw new AppError(
        'conflict',
        `${role.name} is a built-in role: it cannot be deleted (edit it instead)`,
      );
    const held = await ctx.db
      .selectFrom('role_binding')
      .select(sql<number>`count(DISTINCT user_id)::int`.as('users'))
      .where('org_id', '=', ctx.actor.orgId)
      .where('role_id', '=', role.id)
      .executeTakeFirstOrThrow();
    if (held.users > 0)
      throw new AppError(
        'conflict',
        `${role.name} is given to ${held.users} ${held.users === 1 ? 'user' : 'users'}: revoke it from them first, then delete it`,
      );
    await ctx.db.deleteFrom('role').where('org_id', '=', ctx.actor.orgId).where('id', '=', role.id).execute();
    await audit(ctx, 'role.define', { role: role.key, deleted: true });
  });
}

// ---------------------------------------------------------------------------------------------
// Role bindings

export interface UserRoleView {
  binding_id: string;
  role: string;
  /** The unit path, or null for the whole organization. */
  unit: string | null;
  expires_at: Date | null;
}

export interface BindingView extends UserRoleView {
  user_id: string;
  created_at: Date;
}

export const BindingInput = z.object({
  user_id: z.uuid(),
  role: z.string().regex(ROLE_KEY, 'a role key like local_organizer'),
  unit: z.string().regex(UNIT_PATH, 'a unit path like east.oakland').nullable().default(null),
  expires_at: z.coerce.date().nullable().default(null),
});
export type BindingInput = z.input<typeof BindingInput>;

function bindingsQuery(db: Kysely<DB>, orgId: string) {
  return db
    .selectFrom('role_binding as b')
    .innerJoin('role as r', 'r.id', 'b.role_id')
    .leftJoin('unit as u', 'u.id', 'b.unit_id')
    .select([
      'b.id as binding_id',
      'b.user_id',
      'r.key as role',
      sql<string | null>`u.path::text`.as('unit'),
      'b.expires_at',
      'b.created_at',
    ])
    .where('b.org_id', '=', orgId)
    .orderBy('b.user_id')
    .orderBy('r.key')
    .orderBy(sql`u.path`, (ob) => ob.asc().nullsFirst());
}

export async function rolesOfUsers(
  db: Kysely<DB>,
  orgId: string,
  userIds: string[],
): Promise<Map<string, UserRoleView[]>> {
  const map = new Map<string, UserRoleView[]>();
  if (userIds.length === 0) return map;
  const rows = await bindingsQuery(db, orgId).where('b.user_id', 'in', userIds).execute();
  for (const { user_id, created_at: _c, ...binding } of rows) {
    const list = map.get(user_id) ?? [];
    list.push(binding);
    map.set(user_id, list);
  }
  return map;
}

export async function listBindings(ctx: Ctx, userId?: string): Promise<BindingView[]> {
  assertAllowed(ctx.actor, 'access.manage');
  let query = bindingsQuery(ctx.db, ctx.actor.orgId);
  if (userId) query = query.where('b.user_id', '=', userId);
  return await query.execute();
}

/** Refuses (400, naming `field`) a user id that is not a user of this organization. */
export async function requireUser(
  db: Kysely<DB>,
  orgId: string,
  userId: string,
  field = 'user_id',
): Promise<void> {
  const user = await db
    .selectFrom('app_user')
    .select('id')
    .where('org_id', '=', orgId)
    .where('id', '=', userId)
    .executeTakeFirst();
  if (!user) throw invalid(field, 'no such user in this organization');
}

/** A unit path to its id (null: the whole organization), or 400 naming `unit`. */
export async function resolveUnit(
  db: Kysely<DB>,
  orgId: string,
  path: string | null,
): Promise<string | null> {
  if (path === null) return null;
  const unit = await db
    .selectFrom('unit')
    .select('id')
    .where('org_id', '=', orgId)
    .where(sql<string>`path::text`, '=', path)
    .executeTakeFirst();
  if (!unit) throw invalid('unit', `no unit with path ${path}`);
  return unit.id;
}

/**
 * Grants a role to a user over the whole organization (unit null) or a unit subtree. Granting a
 * binding that exists again updates its expiry. Takes effect on the user's next request.
 */
export async function grantRole(
  ctx: Ctx,
  raw: { userId: string; role: string; unit?: string | null; expiresAt?: Date | null },
): Promise<BindingView> {
  assertAllowed(ctx.actor, 'access.manage');
  const input = parseInput(BindingInput, {
    user_id: raw.userId,
    role: raw.role,
    unit: raw.unit ?? null,
    expires_at: raw.expiresAt ?? null,
  });
  const orgId = ctx.actor.orgId;
  await requireUser(ctx.db, orgId, input.user_id);
  const role = await findRole(ctx.db, orgId, input.role);
  if (!role) throw invalid('role', `no role ${input.role} in this organization`);
  const unitId = await resolveUnit(ctx.db, orgId, input.unit);
  return await inTransaction(ctx, async (ctx) => {
    const existing = await ctx.db
      .selectFrom('role_binding')
      .select('id')
      .where('org_id', '=', orgId)
      .where('user_id', '=', input.user_id)
      .where('role_id', '=', role.id)
      .where((eb) => (unitId === null ? eb('unit_id', 'is', null) : eb('unit_id', '=', unitId)))
      .executeTakeFirst();
    let id: string;
    if (existing) {
      id = existing.id;
      await ctx.db
        .updateTable('role_binding')
        .set({ expires_at: input.expires_at })
        .where('id', '=', id)
        .execute();
    } else {
      id = newId();
      await ctx.db
        .insertInto('role_binding')
        .values({
          org_id: orgId,
          id,
          user_id: input.user_id,
          role_id: role.id,
          unit_id: unitId,
          expires_at: input.expires_at,
          created_by: actorUserId(ctx.actor),
        })
        .execute();
    }
    const binding = (await bindingsQuery(ctx.db, orgId)
      .where('b.id', '=', id)
      .executeTakeFirstOrThrow()) as BindingView;
    await audit(ctx, 'role.grant', {
      binding_id: binding.binding_id,
      user_id: binding.user_id,
      role: binding.role,
      unit: binding.unit,
      expires_at: binding.expires_at?.toISOString() ?? null,
    });
    return binding;
  });
}

/** Removes a binding by id. */
export async function revokeBinding(ctx: Ctx, bindingId: string): Promise<BindingView> {
  assertAllowed(ctx.actor, 'access.manage');
  const binding = await bindingsQuery(ctx.db, ctx.actor.orgId)
    .where('b.id', '=', bindingId)
    .executeTakeFirst();
  if (!binding) throw notFound('role binding');
  await ctx.db
    .deleteFrom('role_binding')
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', '=', bindingId)
    .execute();
  return binding;
}

/** Removes the binding of this role over this unit (null: the organization) from the user. */
export async function revokeRole(
  ctx: Ctx,
  input: { userId: string; role: string; unit?: string | null },
): Promise<BindingView> {
  assertAllowed(ctx.actor, 'access.manage');
  const unit = input.unit ?? null;
  const binding = await bindingsQuery(ctx.db, ctx.actor.orgId)
    .where('b.user_id', '=', input.userId)
    .where('r.key', '=', input.role)
    .where((eb) => (unit === null ? eb('b.unit_id', 'is', null) : eb(sql<string>`u.path::text`, '=', unit)))
    .executeTakeFirst();
  if (!binding) throw notFound(`binding of ${input.role}${unit ? ` over ${unit}` : ''}`);
  return await revokeBinding(ctx, binding.binding_id);
}

// ---------------------------------------------------------------------------------------------
// Assignments

export interface AssignmentView {
  id: string;
  user_id: string;
  target_kind: AssignmentTargetKind;
  target_id: string;
  actions: string[];
  field_classes: string[];
  fields: string[];
  expires_at: Date | null;
  created_at: Date;
}

const ASSIGNMENT_COLUMNS = [
  'id',
  'user_id',
  'target_kind',
  'target_id',
  'actions',
  'field_classes',
  'fields',
  'expires_at',
  'created_at',
] as const;

const PeopleAction = z.enum([...PEOPLE_ACTIONS] as [string, ...string[]]);

export const AssignmentInput = z.object({
  user_id: z.uuid(),
  target_kind: z
    .enum(['list', 'saved_search'])
    .describe('Events, turfs and call lists arrive with organizing'),
  target_id: z.uuid(),
  actions: z
    .array(PeopleAction)
    .min(1)
    .default(['people.read', 'person.message'])
    .describe('What the user may do with these people'),
  field_classes: z.array(z.enum(FIELD_CLASSES)).default([]),
  fields: z
    .array(
      z
        .string()
        .refine((f) => isPersonField(f) || /^custom_fields\.[a-z][a-z0-9_]*$/.test(f), 'a field name'),
    )
    .default(['given_name'])
    .describe('Single fields on top of the classes (default: the first name only)'),
  expires_at: z.coerce.date().nullable().default(null),
});
export type AssignmentInput = z.input<typeof AssignmentInput>;

export async function listAssignments(ctx: Ctx, userId?: string): Promise<AssignmentView[]> {
  assertAllowed(ctx.actor, 'access.manage');
  let query = ctx.db
    .selectFrom('assignment')
    .select(ASSIGNMENT_COLUMNS)
    .where('org_id', '=', ctx.actor.orgId)
    .orderBy('user_id')
    .orderBy('created_at');
  if (userId) query = query.where('user_id', '=', userId);
  return await query.execute();
}

/** Gives a user exactly the people of a list or saved search, with the fields it names. */
export async function createAssignment(ctx: Ctx, raw: AssignmentInput): Promise<AssignmentView> {
  assertAllowed(ctx.actor, 'access.manage');
  const input = parseInput(AssignmentInput, raw);
  const orgId = ctx.actor.orgId;
  await requireUser(ctx.db, orgId, input.user_id);
  const table = input.target_kind === 'list' ? 'list' : 'saved_search';
  const target = await ctx.db
    .selectFrom(table)
    .select('id')
    .where('org_id', '=', orgId)
    .where('id', '=', input.target_id)
    .executeTakeFirst();
  if (!target) throw invalid('target_id', `no ${input.target_kind.replace('_', ' ')} with this id`);
  return await inTransaction(ctx, async (ctx) => {
    const row = await ctx.db
      .insertInto('assignment')
      .values({
        org_id: orgId,
        id: newId(),
        user_id: input.user_id,
        target_kind: input.target_kind,
        target_id: input.target_id,
        actions: [...new Set(input.actions)],
        field_classes: [...new Set(input.field_classes)],
        fields: [...new Set(input.fields)],
        expires_at: input.expires_at,
        created_by: actorUserId(ctx.actor),
      })
      .onConflict((oc) =>
        oc.constraint('assignment_user_target_key').doUpdateSet((eb) => ({
          actions: eb.ref('excluded.actions'),
          field_classes: eb.ref('excluded.field_classes'),
          fields: eb.ref('excluded.fields'),
          expires_at: eb.ref('excluded.expires_at'),
        })),
      )
      .returning(ASSIGNMENT_COLUMNS)
      .executeTakeFirstOrThrow();
    await audit(ctx, 'assignment.create', {
      assignment_id: row.id,
      user_id: row.user_id,
      target_kind: row.target_kind,
      target_id: row.target_id,
      actions: row.actions,
      field_classes: row.field_classes,
      fields: row.fields,
    });
    return row;
  });
}

export async function deleteAssignment(ctx: Ctx, id: string): Promise<AssignmentView> {
  assertAllowed(ctx.actor, 'access.manage');
  return await inTransaction(ctx, async (ctx) => {
    const row = await ctx.db
      .deleteFrom('assignment')
      .where('org_id', '=', ctx.actor.orgId)
      .where('id', '=', id)
      .returning(ASSIGNMENT_COLUMNS)
      .executeTakeFirst();
    if (!row) throw notFound('assignment');
    await audit(ctx, 'assignment.delete', {
      assignment_id: row.id,
      user_id: row.user_id,
      target_kind: row.target_kind,
      target_id: row.target_id,
    });
    return row;
  });
}
