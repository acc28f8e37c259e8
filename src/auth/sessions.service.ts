import { randomBytes } from 'node:crypto';
import type { Kysely } from 'kysely';
import { z } from 'zod';
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

/**
 * Checks a password and opens a session. Every failure says the same thing and costs the same
 * (an unknown user still runs one argon2 verification), so it reveals nothing about who exists.
 */
export async function login(db: Kysely<DB>, input: LoginInput, now: Date): Promise<LoginResult> {
  const user = await db
    .selectFrom('app_user as u')
    .innerJoin('org as o', 'o.id', 'u.org_id')
    .select(['u.id', 'u.email', 'u.org_id', 'u.password_hash', 'u.disabled_at'])
    .where('o.slug', '=', input.org)
    .where('u.email', '=', input.email)
    .executeTakeFirst();
  if (!user?.password_hash || user.disabled_at) {
    await verifyDecoy(input.password);
    throw new AppError('unauthenticated', FAILED);
  }
  if (!(await verifyPassword(user.password_hash, input.password)))
    throw new AppError('unauthenticated', FAILED);
  const sessionToken = newSecret('rzs_');
  const csrfToken = randomBytes(24).toString('base64url');
  const expiresAt = new Date(now.getTime() + SESSION_TTL_MS);
  await db
    .insertInto('user_session')
    .values({
      org_id: user.org_id,
      id: newId(),
      user_id: user.id,
      token_hash: hashSecret(sessionToken),
      csrf_token: csrfToken,
      last_seen_at: now,
      expires_at: expiresAt,
    })
    .execute();
  // Expired sessions of this user are cleared as new ones open.
  await db.deleteFrom('user_session').where('user_id', '=', user.id).where('expires_at', '<', now).execute();
  return {
    sessionToken,
    csrfToken,
    expiresAt,
    user: { id: user.id, email: user.email, org_id: user.org_id },
  };
}

export async function logout(db: Kysely<DB>, sessionId: string): Promise<void> {
  await db.deleteFrom('user_session').where('id', '=', sessionId).execute();
}
