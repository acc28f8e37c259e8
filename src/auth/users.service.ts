import { z } from 'zod';
import { recordNow } from '../audit/index.js';
import type { Ctx } from '../context.js';
import { newId } from '../db/ids.js';
import type { UserRole } from '../db/schema.js';
import { AppError, notFound } from '../errors.js';
import { parseInput } from '../http/parse-input.js';
import { ROLES } from '../policy/index.js';
import { hashPassword, MIN_PASSWORD_LENGTH } from './secrets.js';

export const UserInput = z.object({
  email: z.string().trim().toLowerCase().email('not a valid email address').max(254),
  role: z.enum(ROLES as [UserRole, ...UserRole[]]),
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
  role: UserRole;
  disabled: boolean;
  created_at: Date;
}

const columns = ['id', 'email', 'display_name', 'role', 'disabled_at', 'created_at'] as const;
const view = (row: {
  id: string;
  email: string;
  display_name: string | null;
  role: UserRole;
  disabled_at: Date | null;
  created_at: Date;
}): UserView => ({
  id: row.id,
  email: row.email,
  display_name: row.display_name,
  role: row.role,
  disabled: row.disabled_at !== null,
  created_at: row.created_at,
});

/**
 * Adds a user to the acting organization. Without a password the user can only use API tokens.
 * Giving the new user a role is a grant: it is audited (role.grant) in the same transaction.
 */
export async function addUser(ctx: Ctx, raw: UserInput): Promise<UserView> {
  const input = parseInput(UserInput, raw);
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
  const row = await ctx.db.transaction().execute(async (trx) => {
    const added = await trx
      .insertInto('app_user')
      .values({
        org_id: orgId,
        id: newId(),
        email: input.email,
        display_name: input.display_name ?? null,
        role: input.role,
        password_hash: passwordHash,
        disabled_at: null,
      })
      .returning(columns)
      .executeTakeFirstOrThrow();
    await recordNow(trx, {
      orgId,
      action: 'role.grant',
      actor: ctx.actor,
      at: ctx.now(),
      detail: { user_id: added.id, email: added.email, role: added.role, new_user: true },
    });
    return added;
  });
  return view(row);
}

export async function listUsers(ctx: Ctx): Promise<UserView[]> {
  const rows = await ctx.db
    .selectFrom('app_user')
    .select(columns)
    .where('org_id', '=', ctx.actor.orgId)
    .orderBy('email')
    .execute();
  return rows.map(view);
}

export async function findUserByEmail(ctx: Ctx, email: string): Promise<UserView> {
  const row = await ctx.db
    .selectFrom('app_user')
    .select(columns)
    .where('org_id', '=', ctx.actor.orgId)
    .where('email', '=', email.trim().toLowerCase())
    .executeTakeFirst();
  if (!row) throw notFound(`user ${email}`);
  return view(row);
}

export async function getUser(ctx: Ctx, id: string): Promise<UserView> {
  const row = await ctx.db
    .selectFrom('app_user')
    .select(columns)
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound('user');
  return view(row);
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
  return view(row);
}
