import { z } from 'zod';
import { recordNow } from '../audit/index.js';
import type { Ctx } from '../context.js';
import { newId } from '../db/ids.js';
import { AppError, notFound } from '../errors.js';
import { parseInput } from '../http/parse-input.js';
import { hashSecret, newSecret } from './secrets.js';

export const TokenInput = z.object({ name: z.string().trim().min(1, 'give the token a name').max(100) });

export interface TokenView {
  id: string;
  name: string;
  /** The first characters of the secret, to recognise it; the secret itself is never stored. */
  prefix: string;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

const columns = ['id', 'name', 'prefix', 'created_at', 'last_used_at', 'revoked_at'] as const;

/** Creates a named API token for a user of the acting organization. The secret is returned once. */
export async function createToken(
  ctx: Ctx,
  userId: string,
  raw: z.input<typeof TokenInput>,
): Promise<TokenView & { token: string }> {
  const { name } = parseInput(TokenInput, raw);
  const orgId = ctx.actor.orgId;
  const user = await ctx.db
    .selectFrom('app_user')
    .select('id')
    .where('org_id', '=', orgId)
    .where('id', '=', userId)
    .executeTakeFirst();
  if (!user) throw notFound('user');
  const clash = await ctx.db
    .selectFrom('api_token')
    .select('id')
    .where('user_id', '=', userId)
    .where('name', '=', name)
    .executeTakeFirst();
  if (clash) {
    throw new AppError('conflict', 'name: this user already has a token with this name', {
      fields: [{ field: 'name', message: 'this user already has a token with this name' }],
    });
  }
  const token = newSecret('rz_');
  // The token and its audit record commit together.
  const row = await ctx.db.transaction().execute(async (trx) => {
    const created = await trx
      .insertInto('api_token')
      .values({
        org_id: orgId,
        id: newId(),
        user_id: userId,
        name,
        prefix: token.slice(0, 10),
        token_hash: hashSecret(token),
        last_used_at: null,
        revoked_at: null,
      })
      .returning(columns)
      .executeTakeFirstOrThrow();
    await recordNow(trx, {
      orgId,
      action: 'token.create',
      actor: ctx.actor,
      at: ctx.now(),
      detail: { token_id: created.id, token_name: created.name, owner_id: userId },
    });
    return created;
  });
  return { ...row, token };
}

export async function listTokens(ctx: Ctx, userId: string): Promise<TokenView[]> {
  return await ctx.db
    .selectFrom('api_token')
    .select(columns)
    .where('org_id', '=', ctx.actor.orgId)
    .where('user_id', '=', userId)
    .orderBy('created_at')
    .execute();
}

/** Revokes a token at once (the next request with it is refused); the revocation is audited. */
export async function revokeToken(ctx: Ctx, userId: string, tokenId: string): Promise<TokenView> {
  return await ctx.db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('api_token')
      .set({ revoked_at: ctx.now() })
      .where('org_id', '=', ctx.actor.orgId)
      .where('user_id', '=', userId)
      .where('id', '=', tokenId)
      .where('revoked_at', 'is', null)
      .returning(columns)
      .executeTakeFirst();
    if (!row) throw notFound('token');
    await recordNow(trx, {
      orgId: ctx.actor.orgId,
      action: 'token.revoke',
      actor: ctx.actor,
      at: ctx.now(),
      detail: { token_id: row.id, token_name: row.name, owner_id: userId },
    });
    return row;
  });
}
