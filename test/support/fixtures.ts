import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import { type Kysely, sql } from 'kysely';
import { loadAccess } from '../../src/access/load.js';
import type { AuditLog } from '../../src/audit/index.js';
import { hashSecret, newSecret } from '../../src/auth/secrets.js';
import type { Ctx } from '../../src/context.js';
import type { Database } from '../../src/db/connect.js';
import { newId } from '../../src/db/ids.js';
import type { DB } from '../../src/db/schema.js';
import { existingRsvpIntake } from '../../src/events/rsvp-intake.js';
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
  role: string;
  /** The unit path the role is bound over, or null for the whole organization. */
  unit: string | null;
  /** An API token for this user (Authorization: Bearer). */
  token: string;
}

/**
 * A user with an API token and one role binding (over the whole organization, or over `unit`),
 * created directly (no password: tests sign in with the token). `role` null: no binding at all.
 */
export async function makeUser(
  db: Kysely<DB>,
  orgId: string,
  role: string | null = 'org_admin',
  unit: string | null = null,
): Promise<TestUser> {
  const id = newId();
  const email = `${role ?? 'nobody'}-${id.slice(-8)}@example.org`;
  await db
    .insertInto('app_user')
    .values({ org_id: orgId, id, email, display_name: role, password_hash: null, disabled_at: null })
    .execute();
  if (role) await bindRole(db, orgId, id, role, unit);
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
  return { id, orgId, email, role: role ?? '', unit, token };
}

/** Binds a role (by key) to a user over the organization or a unit path, directly in the database. */
export async function bindRole(
  db: Kysely<DB>,
  orgId: string,
  userId: string,
  role: string,
  unit: string | null = null,
): Promise<void> {
  const roleRow = await db
    .selectFrom('role')
    .select('id')
    .where('org_id', '=', orgId)
    .where('key', '=', role)
    .executeTakeFirstOrThrow();
  const unitRow = unit
    ? await db
        .selectFrom('unit')
        .select('id')
        .where('org_id', '=', orgId)
        .where(sql<string>`path::text`, '=', unit)
        .executeTakeFirstOrThrow()
    : null;
  await db
    .insertInto('role_binding')
    .values({
      org_id: orgId,
      id: newId(),
      user_id: userId,
      role_id: roleRow.id,
      unit_id: unitRow?.id ?? null,
      expires_at: null,
      created_by: null,
    })
    .execute();
}

/** A service context acting as this user (as if through an API token), with their grants as of now. */
export async function ctxFor(db: Kysely<DB>, user: { id: string; orgId: string }): Promise<Ctx> {
  return {
    db,
    actor: {
      kind: 'user',
      orgId: user.orgId,
      userId: user.id,
      via: 'token',
      access: await loadAccess(db, user.orgId, user.id, new Date()),
    },
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
  /** Waits until the public RSVPs the app took into its intake log are merged (adr/0026). */
  settle(): Promise<void>;
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
    async settle() {
      await existingRsvpIntake(database.db)?.drain();
    },
    async close() {
      await app.close();
      await database.close();
    },
  };
}
