import type { FastifyInstance } from 'fastify';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../src/db/connect.js';
import { newId } from '../../src/db/ids.js';
import type { DB } from '../../src/db/schema.js';
import { APP_ROLE } from '../../src/db/tenant.js';
import { buildApp } from '../../src/http/app.js';
import { defineRoute, registerRoute } from '../../src/http/route.js';
import { silentLog } from '../../src/log.js';
import { createTestDatabase, pooledSessionStates, testAuditLog } from '../support/db.js';
import { makeOrg, makeUser, type TestUser } from '../support/fixtures.js';

/**
 * The HTTP layer runs an actor's SQL as rhizome_app for the actor's organization. Test-only
 * routes (added to this file's app, not the router) query with NO org predicate, the mistake row-
 * level security is there to contain.
 */
let database: Database;
let db: Kysely<DB>;
let app: FastifyInstance;
let userA: TestUser;
let userB: TestUser;
let orgA: string;
let orgB: string;

interface Seen {
  role: string;
  org: string | null;
  people: number;
  orgs: string[];
}

beforeAll(async () => {
  database = await createTestDatabase();
  db = database.db;
  orgA = (await makeOrg(db)).id;
  orgB = (await makeOrg(db)).id;
  userA = await makeUser(db, orgA, 'org_admin');
  userB = await makeUser(db, orgB, 'volunteer');
  for (const [org, n] of [
    [orgA, 3],
    [orgB, 1],
  ] as const) {
    for (let i = 0; i < n; i++) await db.insertInto('person').values({ org_id: org, id: newId() }).execute();
  }
  app = await buildApp({ db, log: silentLog, audit: testAuditLog(db) });
  const deps = { db, log: silentLog, now: () => new Date(), audit: testAuditLog(db) };
  registerRoute(
    app,
    deps,
    defineRoute({
      method: 'GET',
      url: '/test/rls/forgotten-predicate',
      policy: { authenticated: true },
      summary: 'test only',
      tags: [],
      hidden: true,
      handler: async ({ ctx }): Promise<Seen> => {
        const r = await sql<{ role: string; org: string | null; people: number }>`
          SELECT current_user AS role, current_setting('rhizome.org_id', true) AS org,
            (SELECT count(*)::int FROM person) AS people`.execute(ctx.db);
        const orgs = await ctx.db.selectFrom('org').select('id').execute();
        return { ...(r.rows[0] as Omit<Seen, 'orgs'>), orgs: orgs.map((o) => o.id) };
      },
    }),
  );
  registerRoute(
    app,
    deps,
    defineRoute({
      method: 'POST',
      url: '/test/rls/fails-in-a-transaction',
      policy: { authenticated: true },
      summary: 'test only',
      tags: [],
      hidden: true,
      handler: async ({ ctx }) => {
        await ctx.db.transaction().execute(async (trx) => {
          await trx.updateTable('person').set({ family_name: 'Changed' }).execute();
          // Another organization's row: refused by the policy, the transaction rolls back.
          await trx.insertInto('person').values({ org_id: orgB, id: newId() }).execute();
        });
      },
    }),
  );
  await app.ready();
});

afterAll(async () => {
  await app.close();
  await database.close();
});

const call = async (as: TestUser, method: 'GET' | 'POST', url: string) =>
  await app.inject({ method, url, headers: { authorization: `Bearer ${as.token}` } });

describe('requests under row-level security', () => {
  it("run as rhizome_app with the actor's organization: a query without org predicate sees only it", async () => {
    const a = await call(userA, 'GET', '/test/rls/forgotten-predicate');
    expect(a.statusCode).toBe(200);
    expect(a.json()).toEqual({ role: APP_ROLE, org: orgA, people: 3, orgs: [orgA] });
    const b = await call(userB, 'GET', '/test/rls/forgotten-predicate');
    expect(b.json()).toEqual({ role: APP_ROLE, org: orgB, people: 1, orgs: [orgB] });
  });

  it("refuse a write to another organization's rows and roll back the whole transaction", async () => {
    const res = await call(userA, 'POST', '/test/rls/fails-in-a-transaction');
    expect(res.statusCode).toBe(500);
    expect(res.body).not.toMatch(/row-level|policy/);
    const changed = await db.selectFrom('person').select('id').where('family_name', '=', 'Changed').execute();
    expect(changed).toEqual([]);
    expect((await db.selectFrom('person').select('id').where('org_id', '=', orgB).execute()).length).toBe(1);
  });

  it('never carry one request’s organization into another on a pooled connection', async () => {
    const responses = await Promise.all(
      Array.from({ length: 30 }, (_, i) =>
        i % 3 === 2
          ? call(userA, 'POST', '/test/rls/fails-in-a-transaction').then(() => null)
          : call(i % 3 ? userB : userA, 'GET', '/test/rls/forgotten-predicate').then((r) => ({
              expected: i % 3 ? orgB : orgA,
              seen: r.json() as Seen,
            })),
      ),
    );
    for (const r of responses) {
      if (!r) continue;
      expect(r.seen.org).toBe(r.expected);
      expect(r.seen.people).toBe(r.expected === orgA ? 3 : 1);
    }
    // Every connection of the pool (PGlite's one session) is the owner's again, with no organization.
    const states = await pooledSessionStates(database);
    expect(states.length).toBeGreaterThan(0);
    for (const state of states) expect(state).toEqual({ role: expect.not.stringMatching(APP_ROLE), org: '' });
  });
});
