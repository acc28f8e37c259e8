import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { Kysely } from 'kysely';
import type { AuditLog } from '../../src/audit/index.js';
import { hashSecret, newSecret } from '../../src/auth/secrets.js';
import type { Ctx } from '../../src/context.js';
import type { Database } from '../../src/db/connect.js';
import { newId } from '../../src/db/ids.js';
import type { DB, UserRole } from '../../src/db/schema.js';
import { buildApp } from '../../src/http/app.js';
import { silentLog } from '../../src/log.js';
import { createTestDatabase, testAuditLog } from './db.js';

/** A test organization, created directly in the database. */
export async function makeOrg(
  db: Kysely<DB>,
  slug = `org-${newId().slice(-8)}`,
): Promise<{ id: string; slug: string }> {
  const id = newId();
  await db
    .insertInto('org')
    .values({ id, slug, name: `Org ${slug}` })
    .execute();
  return { id, slug };
}

export interface TestUser {
  id: string;
  orgId: string;
  email: string;
  role: UserRole;
  /** An API token for this user (Authorization: Bearer). */
  token: string;
}

/** A user with an API token, created directly (no password: tests sign in with the token). */
export async function makeUser(
  db: Kysely<DB>,
  orgId: string,
  role: UserRole = 'org_admin',
): Promise<TestUser> {
  const id = newId();
  const email = `${role}-${id.slice(-8)}@example.org`;
  await db
    .insertInto('app_user')
    .values({ org_id: orgId, id, email, role, display_name: role, password_hash: null, disabled_at: null })
    .execute();
  const token = newSecret('rz_');
  await db
    .insertInto('api_token')
    .values({
      org_id: orgId,
      id: newId(),
      user_id: id,
      name: 'test',
      prefix: token.slice(0, 8),
      token_hash: hashSecret(token),
      last_used_at: null,
      revoked_at: null,
    })
    .execute();
  return { id, orgId, email, role, token };
}

/** A service context acting as this user (as if through an API token). */
export function ctxFor(db: Kysely<DB>, user: TestUser): Ctx {
  return {
    db,
    actor: { kind: 'user', orgId: user.orgId, userId: user.id, role: user.role, via: 'token' },
    now: () => new Date(),
    log: silentLog,
    audit: testAuditLog(db),
  };
}

/** A service context for the CLI operator of one organization. */
export function systemCtx(db: Kysely<DB>, orgId: string): Ctx {
  return {
    db,
    actor: { kind: 'system', orgId, label: 'test' },
    now: () => new Date(),
    log: silentLog,
    audit: testAuditLog(db),
  };
}

export interface TestApp {
  database: Database;
  db: Kysely<DB>;
  app: FastifyInstance;
  /** The app's audit log (flush it before reading entries that reads or exports buffered). */
  audit: AuditLog;
  /** In-process HTTP with a user's token (or none). */
  call(
    method: string,
    url: string,
    options?: { as?: TestUser | null; body?: unknown; headers?: Record<string, string> },
  ): Promise<LightMyRequestResponse>;
  close(): Promise<void>;
}

/** A fresh database and the whole HTTP app on it. */
export async function createTestApp(): Promise<TestApp> {
  const database = await createTestDatabase();
  const audit = testAuditLog(database.db);
  const app = await buildApp({ db: database.db, log: silentLog, audit });
  await app.ready();
  return {
    database,
    db: database.db,
    app,
    audit,
    async call(method, url, options = {}) {
      const headers: Record<string, string> = { ...(options.headers ?? {}) };
      if (options.as) headers.authorization = `Bearer ${options.as.token}`;
      return await app.inject({
        method: method as 'GET',
        url,
        headers,
        ...(options.body !== undefined ? { payload: options.body as object } : {}),
      });
    },
    async close() {
      await app.close();
      await database.close();
    },
  };
}
