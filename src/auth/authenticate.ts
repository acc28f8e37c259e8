import type { Kysely } from 'kysely';
import { loadAccess } from '../access/load.js';
import type { Actor } from '../context.js';
import type { DB } from '../db/schema.js';
import { findSessionByHash, findTokenByHash } from './auth.queries.js';
import { hashSecret } from './secrets.js';

export const SESSION_COOKIE = 'rhizome_session';
export const CSRF_HEADER = 'x-csrf-token';
export const SESSION_TTL_MS = 14 * 24 * 3600 * 1000;
// last_used_at / last_seen_at are written at most this often, so reads do not become writes.
const TOUCH_EVERY_MS = 60_000;

export interface Credentials {
  sessionToken?: string | undefined;
  apiToken?: string | undefined;
}

export type Authenticated = {
  actor: Actor & { kind: 'user' };
  csrfToken: string | null;
  sessionId: string | null;
};

/** Resolves a session cookie or an API token to an actor, or null. Revoked, expired or disabled: null. */
export async function authenticate(
  db: Kysely<DB>,
  creds: Credentials,
  now: Date,
): Promise<Authenticated | null> {
  if (creds.apiToken) {
    const row = await findTokenByHash(db, hashSecret(creds.apiToken));
    if (!row || row.revoked_at || row.disabled_at) return null;
    if (!row.last_used_at || now.getTime() - row.last_used_at.getTime() > TOUCH_EVERY_MS) {
      await db.updateTable('api_token').set({ last_used_at: now }).where('id', '=', row.token_id).execute();
    }
    return {
      actor: {
        kind: 'user',
        orgId: row.org_id,
        userId: row.user_id,
        via: 'token',
        access: await loadAccess(db, row.org_id, row.user_id, now),
        tokenId: row.token_id,
      },
      csrfToken: null,
      sessionId: null,
    };
  }
  if (creds.sessionToken) {
    const row = await findSessionByHash(db, hashSecret(creds.sessionToken));
    if (!row || row.disabled_at || row.expires_at.getTime() <= now.getTime()) return null;
    if (now.getTime() - row.last_seen_at.getTime() > TOUCH_EVERY_MS) {
      await db
        .updateTable('user_session')
        .set({ last_seen_at: now })
        .where('id', '=', row.session_id)
        .execute();
    }
    return {
      actor: {
        kind: 'user',
        orgId: row.org_id,
        userId: row.user_id,
        via: 'session',
        access: await loadAccess(db, row.org_id, row.user_id, now),
      },
      csrfToken: row.csrf_token,
      sessionId: row.session_id,
    };
  }
  return null;
}
