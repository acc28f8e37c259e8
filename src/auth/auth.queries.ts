import type { Kysely } from 'kysely';
import type { DB } from '../db/schema.js';

export async function findSessionByHash(db: Kysely<DB>, tokenHash: string) {
  return await db
    .selectFrom('user_session as s')
    .innerJoin('app_user as u', 'u.id', 's.user_id')
    .select([
      's.id as session_id',
      's.csrf_token',
      's.expires_at',
      's.last_seen_at',
      'u.id as user_id',
      'u.org_id',
      'u.email',
      'u.disabled_at',
    ])
    .where('s.token_hash', '=', tokenHash)
    .executeTakeFirst();
}

export async function findTokenByHash(db: Kysely<DB>, tokenHash: string) {
  return await db
    .selectFrom('api_token as t')
    .innerJoin('app_user as u', 'u.id', 't.user_id')
    .select([
      't.id as token_id',
      't.revoked_at',
      't.last_used_at',
      'u.id as user_id',
      'u.org_id',
      'u.disabled_at',
    ])
    .where('t.token_hash', '=', tokenHash)
    .executeTakeFirst();
}
