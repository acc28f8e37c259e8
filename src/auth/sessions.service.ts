import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
import { recordNow } from '../audit/index.js';
import type { Ctx } from '../context.js';
import { newId } from '../db/ids.js';
import type { DB } from '../db/schema.js';
import { AppError } from '../errors.js';
import { SESSION_TTL_MS } from './authenticate.js';
import { hashSecret, newSecret, verifyDecoy, verifyPassword } from './secrets.js';

export const LoginInput = z.object({
  org: z.string().trim().min(1).max(63).describe("The organization's slug"),
  email: z.string().trim().toLowerCase().min(3).max(254),
  password: z.string().min(1).max(1000),
});
export type LoginInput = z.infer<typeof LoginInput>;

export interface LoginResult {
  /** Goes in the http-only session cookie; never shown to scripts. */
  sessionToken: string;
  /** Sent back in the X-CSRF-Token header on every write made with the session. */
  csrfToken: string;
  expiresAt: Date;
  user: { id: string; email: string; org_id: string };
}

const FAILED = 'wrong organization, email or password';

/** Where a sign-in came from, for the audit trail. */
export interface LoginClient {
  ip?: string;
}

/**
 * Checks a password and opens a session. Every failure says the same thing and costs the same
 * (an unknown user still runs one argon2 verification), so it reveals nothing about who exists.
 * The audit trail records the sign-in, or the failure with the email tried (never the password)
 * when the organization exists; the session and its record commit together.
 */
export async function login(
  db: Kysely<DB>,
  input: LoginInput,
  now: Date,
  client: LoginClient = {},
): Promise<LoginResult> {
  const found = await db
    .selectFrom('org as o')
    .leftJoin('app_user as u', (join) => join.onRef('u.org_id', '=', 'o.id').on('u.email', '=', input.email))
    .select(['o.id as org_id', 'u.id', 'u.email', 'u.password_hash', 'u.disabled_at'])
    .where('o.slug', '=', input.org)
    .executeTakeFirst();
  const user = found?.id ? found : undefined;
  const failed = async (reason: string) => {
    if (found) {
      await recordNow(db, {
        orgId: found.org_id,
        action: 'login.failed',
        actor: { kind: 'anonymous' },
        at: now,
        detail: {
          email: input.email,
          reason,
          ...(user?.id ? { user_id: user.id } : {}),
          ...(client.ip ? { ip: client.ip } : {}),
        },
      });
    }
    return new AppError('unauthenticated', FAILED);
  };
  if (!user?.id || !user.email || !user.password_hash || user.disabled_at) {
    await verifyDecoy(input.password);
    throw await failed(
      !user ? 'unknown email' : user.disabled_at ? 'user disabled' : 'no password (token-only user)',
    );
  }
  if (!(await verifyPassword(user.password_hash, input.password))) throw await failed('wrong password');
  const sessionToken = newSecret('rzs_');
  const csrfToken = randomBytes(24).toString('base64url');
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  const signedIn = { id: user.id, email: user.email, org_id: user.org_id };
  await db.transaction().execute(async (trx) => {
    const sessionId = newId();
    await trx
      .insertInto('user_session')
      .values({
        org_id: signedIn.org_id,
        id: sessionId,
        user_id: signedIn.id,
        token_hash: hashSecret(sessionToken),
        csrf_token: csrfToken,
        last_seen_at: now,
        expires_at: expiresAt,
      })
      .execute();
    // Expired sessions of this user are cleared as new ones open.
    await trx
      .deleteFrom('user_session')
      .where('user_id', '=', signedIn.id)
      .where('expires_at', '<', now)
      .execute();
    await recordNow(trx, {
      orgId: signedIn.org_id,
      action: 'login',
      actor: {
        kind: 'user',
        userId: signedIn.id,
        via: 'session',
      },
      at: now,
      detail: { email: signedIn.email, session_id: sessionId, ...(client.ip ? { ip: client.ip } : {}) },
    });
  });
  return { sessionToken, csrfToken, expiresAt, user: signedIn };
}

/** Ends a session (the actor's own); records the sign-out when there was one. */
export async function logout(ctx: Ctx, sessionId: string): Promise<void> {
  await ctx.db.transaction().execute(async (trx) => {
    const ended = await trx
      .deleteFrom('user_session')
      .where('id', '=', sessionId)
      .where('org_id', '=', ctx.actor.orgId)
      .returning('id')
      .executeTakeFirst();
    if (ended)
      await recordNow(trx, {
        orgId: ctx.actor.orgId,
        action: 'logout',
        actor: ctx.actor,
        at: ctx.now(),
        detail: { session_id: sessionId },
      });
  });
}
