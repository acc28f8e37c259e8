import { z } from 'zod';
import { grantRole, rolesOfUsers, type UserRoleView } from '../access/bindings.service.js';
import type { Ctx } from '../context.js';
import { newId } from '../db/ids.js';
import { AppError, notFound } from '../errors.js';
import { parseInput } from '../http/parse-input.js';
import { hashPassword, MIN_PASSWORD_LENGTH } from './secrets.js';

export const UserInput = z.object({
  email: z.string().trim().toLowerCase().email('not a valid email address').max(254),
  role: z
    .string()
    .regex(/^[a-z][a-z0-9_]{1,62}$/, 'a role key like local_organizer')
    .optional()
    .describe('Grant this role at once (over the whole organization, or over `unit`)'),
  unit: z
    .string()
    .regex(/^[a-z0-9_]+(\.[a-z0-9_]+)*$/, 'a unit path like east.oakland')
    .optional()
    .describe("The role's unit subtree"),
  display_name: z.string().trim().min(1).max(200).optional(),
  password: z
    .string()
    .min(MIN_PASSWORD_LENGTH, `use at least ${MIN_PASSWORD_LENGTH} characters`)
    .max(1000)
    .optional(),
});
export type UserInput = z.input<typeof UserInput>;

export interface UserView {
  id: string;
  email: string;
  display_name: string | null;
  /** The user's role bindings. */
  roles: UserRoleView[];
  disabled: boolean;
  created_at: Date;
}

const columns = ['id', 'email', 'display_name', 'disabled_at', 'created_at'] as const;
type Row = {
  id: string;
  email: string;
  display_name: string | null;
  disabled_at: Date | null;
  created_at: Date;
};

async function views(ctx: Ctx, rows: Row[]): Promise<UserView[]> {
  const roles = await rolesOfUsers(
    ctx.db,
    ctx.actor.orgId,
    rows.map((r) => r.id),
  );
  return rows.map((row) => ({
    id: row.id,
    email: row.email,
    display_name: row.display_name,
    roles: roles.get(row.id) ?? [],
    disabled: row.disabled_at !== null,
    created_at: row.created_at,
  }));
}
const view = async (ctx: Ctx, row: Row): Promise<UserView> => (await views(ctx, [row]))[0] as UserView;

/**
 * Adds a user to the acting organization, with a first role if given (a role binding like any
 * other). Without a password the user can only use API tokens.
 */
export async function addUser(ctx: Ctx, raw: UserInput): Promise<UserView> {
  const input = parseInput(UserInput, raw);
  if (input.unit && !input.role) {
    throw new AppError('validation_failed', 'unit: give a role to grant over the unit', {
      fields: [{ field: 'unit', message: 'give a role to grant over the unit' }],
    });
  }
  const orgId = ctx.actor.orgId;
  const taken = await ctx.db
    .selectFrom('app_user')
    .select('id')
    .where('org_id', '=', orgId)
    .where('email', '=', input.email)
    .executeTakeFirst();
  if (taken) {
    throw new AppError('conflict', 'email: a user with this email already exists in this organization', {
      fields: [{ field: 'email', message: 'a user with this email already exists in this organization' }],
    });
  }
  const passwordHash = input.password ? await hashPassword(input.password) : null;
  return await ctx.db.transaction().execute(async (trx) => {
    const tctx = { ...ctx, db: trx };
    const row = await trx
      .insertInto('app_user')
      .values({
        org_id: orgId,
        id: newId(),
        email: input.email,
        display_name: input.display_name ?? null,
        password_hash: passwordHash,
        disabled_at: null,
      })
      .returning(columns)
      .executeTakeFirstOrThrow();
    if (input.role) await grantRole(tctx, { userId: row.id, role: input.role, unit: input.unit ?? null });
    return await view(tctx, row);
  });
}

export async function listUsers(ctx: Ctx): Promise<UserView[]> {
  const rows = await ctx.db
    .selectFrom('app_user')
    .select(columns)
    .where('org_id', '=', ctx.actor.orgId)
    .orderBy('email')
    .execute();
  return await views(ctx, rows);
}

export async function findUserByEmail(ctx: Ctx, email: string): Promise<UserView> {
  const row = await ctx.db
    .selectFrom('app_user')
    .select(columns)
    .where('org_id', '=', ctx.actor.orgId)
    .where('email', '=', email.trim().toLowerCase())
    .executeTakeFirst();
  if (!row) throw notFound(`user ${email}`);
  return await view(ctx, row);
}

export async function getUser(ctx: Ctx, id: string): Promise<UserView> {
  const row = await ctx.db
    .selectFrom('app_user')
    .select(columns)
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound('user');
  return await view(ctx, row);
}

/** Disabling a user ends their sessions and stops their tokens at once (checked on every request). */
export async function setUserDisabled(ctx: Ctx, id: string, disabled: boolean): Promise<UserView> {
  const row = await ctx.db
    .updateTable('app_user')
    .set({ disabled_at: disabled ? ctx.now() : null })
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', '=', id)
    .returning(columns)
    .executeTakeFirst();
  if (!row) throw notFound('user');
  if (disabled)
    await ctx.db
      .deleteFrom('user_session')
      .where('org_id', '=', ctx.actor.orgId)
      .where('user_id', '=', id)
      .execute();
  return await view(ctx, row);
}
