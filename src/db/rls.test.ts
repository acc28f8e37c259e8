import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, pooledSessionStates } from '../../test/support/db.js';
import { makeOrg } from '../../test/support/fixtures.js';
import { recordNow, verifyAuditChain } from '../audit/index.js';
import { analyzePeopleKeys } from '../imports/imports.queries.js';
import type { Database } from './connect.js';
import { newId } from './ids.js';
import type { DB } from './schema.js';
import { APP_ROLE, ensureSearchLeakproof, rlsHealth, tenantDb } from './tenant.js';

// Tables rhizome_app may read that belong to no organization.
const SHARED_TABLES = ['node_self'];

async function addPerson(db: Kysely<DB>, orgId: string, family: string): Promise<string> {
  const id = newId();
  await db
    .insertInto('person')
    .values({ org_id: orgId, id, given_name: 'Ana', family_name: family })
    .execute();
  return id;
}

/** The SQLSTATE of what `fn` throws (it must throw). */
async function sqlState(fn: () => Promise<unknown>): Promise<string | undefined> {
  try {
    await fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  throw new Error('expected the statement to be refused');
}

describe('row-level security', () => {
  let database: Database;
  let owner: Kysely<DB>;
  let a: { id: string; slug: string };
  let b: { id: string; slug: string };
  let bPerson: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    owner = database.db;
    a = await makeOrg(owner);
    b = await makeOrg(owner);
    await addPerson(owner, a.id, 'Alpha');
    await addPerson(owner, a.id, 'Alpha');
    bPerson = await addPerson(owner, b.id, 'Beta');
  });
  afterAll(async () => {
    await database.close();
  });

  it('is enabled with the tenant_isolation policy on every table with org_id', async () => {
    const { rows } = await sql<{
      table_name: string;
      rls: boolean;
      using: string | null;
      check: string | null;
    }>`
      SELECT c.relname AS table_name, c.relrowsecurity AS rls,
        pg_get_expr(p.polqual, p.polrelid) AS using, pg_get_expr(p.polwithcheck, p.polrelid) AS check
      FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
      JOIN pg_attribute att ON att.attrelid = c.oid AND att.attname = 'org_id' AND NOT att.attisdropped
      LEFT JOIN pg_policy p ON p.polrelid = c.oid AND p.polname = 'tenant_isolation'
      WHERE c.relkind IN ('r', 'p')
      ORDER BY c.relname`.execute(owner);
    expect(rows.length).toBeGreaterThan(20);
    // A new table with org_id fails here by name until its migration calls enable_tenant_rls.
    const without = rows
      .filter(
        (r) =>
          !r.rls ||
          !r.using?.includes('org_id = rhizome_tenant()') ||
          !r.check?.includes('org_id = rhizome_tenant()'),
      )
      .map((r) => r.table_name);
    expect(without, 'tables with org_id but no tenant_isolation (call enable_tenant_rls)').toEqual([]);
  });

  it('names a new table with org_id until enable_tenant_rls protects it (what doctor reports)', async () => {
    expect(await rlsHealth(owner)).toEqual({ unprotected: [], notLeakproof: [] });
    await sql`CREATE TABLE rls_probe (org_id uuid NOT NULL, id uuid PRIMARY KEY)`.execute(owner);
    try {
      expect((await rlsHealth(owner)).unprotected).toEqual(['rls_probe']);
      // No default privileges: until enabled, the table is refused to rhizome_app outright.
      expect(await sqlState(() => sql`SELECT * FROM rls_probe`.execute(tenantDb(owner, a.id)))).toBe('42501');
      await sql`SELECT enable_tenant_rls('rls_probe')`.execute(owner);
      expect((await rlsHealth(owner)).unprotected).toEqual([]);
      await sql`INSERT INTO rls_probe VALUES (${a.id}, ${newId()}), (${b.id}, ${newId()})`.execute(owner);
      const seen = await sql<{ org_id: string }>`SELECT org_id FROM rls_probe`.execute(tenantDb(owner, a.id));
      expect(seen.rows).toEqual([{ org_id: a.id }]);
    } finally {
      await sql`DROP TABLE rls_probe`.execute(owner);
    }
  });

  it('grants rhizome_app no table without row-level security but the shared ones', async () => {
    const { rows } = await sql<{ table_name: string }>`
      SELECT c.relname AS table_name FROM pg_class c
      JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
      WHERE c.relkind IN ('r', 'p', 'v', 'm') AND NOT c.relrowsecurity
        AND has_table_privilege(${APP_ROLE}, c.oid, 'SELECT, INSERT, UPDATE, DELETE')
      ORDER BY 1`.execute(owner);
    expect(rows.map((r) => r.table_name)).toEqual(SHARED_TABLES);
    const shared = await sql<{ writable: boolean }>`
      SELECT has_table_privilege(${APP_ROLE}, 'node_self', 'INSERT, UPDATE, DELETE') AS writable`.execute(
      owner,
    );
    expect(shared.rows[0]?.writable).toBe(false);
  });

  it('shows a query with no org predicate only the organization set, organizations included', async () => {
    const db = tenantDb(owner, a.id);
    const people = await db.selectFrom('person').select(['org_id', 'family_name']).execute();
    expect(people).toHaveLength(2);
    expect(new Set(people.map((p) => p.org_id))).toEqual(new Set([a.id]));
    const orgs = await db.selectFrom('org').select('id').execute();
    expect(orgs.map((o) => o.id)).toEqual([a.id]);
    const roles = await db.selectFrom('role').select('org_id').distinct().execute();
    expect(roles.map((r) => r.org_id)).toEqual([a.id]);
    const who = await sql<{ u: string }>`SELECT current_user AS u`.execute(db);
    expect(who.rows[0]?.u).toBe(APP_ROLE);
    // The owner still sees everyone: its work crosses organizations.
    const all = await owner.selectFrom('person').select('id').execute();
    expect(all).toHaveLength(3);
  });

  it("refuses to write another organization's rows", async () => {
    const db = tenantDb(owner, a.id);
    // 42501: new row violates row-level security policy.
    expect(
      await sqlState(() =>
        db.insertInto('person').values({ org_id: b.id, id: newId(), family_name: 'Intruder' }).execute(),
      ),
    ).toBe('42501');
    expect(
      await sqlState(() =>
        db.updateTable('person').set({ org_id: b.id }).where('family_name', '=', 'Alpha').execute(),
      ),
    ).toBe('42501');
    // B's rows are not there to update or delete.
    const updated = await db
      .updateTable('person')
      .set({ family_name: 'Renamed' })
      .where('id', '=', bPerson)
      .execute();
    expect(updated[0]?.numUpdatedRows).toBe(0n);
    const deleted = await db.deleteFrom('person').where('id', '=', bPerson).execute();
    expect(deleted[0]?.numDeletedRows).toBe(0n);
    const still = await owner
      .selectFrom('person')
      .select('family_name')
      .where('id', '=', bPerson)
      .executeTakeFirst();
    expect(still?.family_name).toBe('Beta');
    // Organizations are created by the owner only.
    expect(
      await sqlState(() =>
        db
          .insertInto('org')
          .values({ id: newId(), slug: `x-${newId().slice(-8)}`, name: 'X' })
          .execute(),
      ),
    ).toBe('42501');
  });

  it('shows nothing and accepts nothing when no organization is set', async () => {
    await owner.connection().execute(async (conn) => {
      await sql`SELECT set_config('role', ${APP_ROLE}, false), set_config('rhizome.org_id', '', false)`.execute(
        conn,
      );
      try {
        const n = await sql<{ n: number }>`SELECT count(*)::int AS n FROM person`.execute(conn);
        expect(n.rows[0]?.n).toBe(0);
        expect(
          await sqlState(() =>
            sql`INSERT INTO person (org_id, id) VALUES (${a.id}, ${newId()})`.execute(conn),
          ),
        ).toBe('42501');
        // Never set at all (NULL), as on a fresh session.
        await sql`RESET rhizome.org_id`.execute(conn);
        const m = await sql<{ n: number }>`SELECT count(*)::int AS n FROM org`.execute(conn);
        expect(m.rows[0]?.n).toBe(0);
      } finally {
        await sql`RESET ROLE`.execute(conn);
        await sql`RESET rhizome.org_id`.execute(conn);
      }
    });
  });

  it('keeps the audit chain working for the organization set, and only for it', async () => {
    const db = tenantDb(owner, a.id);
    await db.transaction().execute(async (trx) => {
      await recordNow(trx, {
        orgId: a.id,
        action: 'policy.change',
        actor: { kind: 'system', orgId: a.id, label: 'test' },
      });
      await recordNow(trx, {
        orgId: a.id,
        action: 'policy.change',
        actor: { kind: 'system', orgId: a.id, label: 'test' },
      });
    });
    expect(await verifyAuditChain(db, a.id)).toMatchObject({ ok: true, checked: 2 });
    // Writing to another organization's chain from A is refused.
    expect(
      await sqlState(() =>
        recordNow(db, {
          orgId: b.id,
          action: 'policy.change',
          actor: { kind: 'system', orgId: b.id, label: 'test' },
        }),
      ),
    ).toBe('42501');
    // The verifier across organizations runs as the owner.
    expect((await verifyAuditChain(owner)).ok).toBe(true);
  });

  it('lets an import refresh planner statistics as rhizome_app (owners only may ANALYZE)', async () => {
    const stats = async () =>
      (
        await sql<{ n: number }>`SELECT reltuples::int AS n FROM pg_class WHERE relname = 'person'`.execute(
          owner,
        )
      ).rows[0]?.n;
    const total = (await owner.selectFrom('person').select('id').execute()).length;
    expect(await stats()).not.toBe(total);
    await analyzePeopleKeys(tenantDb(owner, a.id));
    expect(await stats()).toBe(total);
  });

  it('marks the search functions LEAKPROOF again when a restored database has lost the marks', async () => {
    // pg_dump does not carry ALTER FUNCTION ... LEAKPROOF on built-in and extension functions.
    const superuser = (
      await sql<{ yes: boolean }>`SELECT rolsuper AS yes FROM pg_roles WHERE rolname = current_user`.execute(
        owner,
      )
    ).rows[0]?.yes;
    await sql`ALTER FUNCTION ltree_lt(ltree, ltree) NOT LEAKPROOF`.execute(owner).catch(() => undefined);
    if (!superuser) {
      expect(await ensureSearchLeakproof(owner)).toEqual([]);
      return;
    }
    await sql`ALTER FUNCTION lower(text) NOT LEAKPROOF`.execute(owner);
    expect((await rlsHealth(owner)).notLeakproof).toEqual(['lower(text)', 'ltree_lt(ltree,ltree)']);
    expect(await ensureSearchLeakproof(owner)).toEqual(['lower(text)', 'ltree_lt(ltree,ltree)']);
    expect((await rlsHealth(owner)).notLeakproof).toEqual([]);
    expect(await ensureSearchLeakproof(owner)).toEqual([]);
  });

  it('leaves no role or organization on a pooled connection after a query, an error or a rollback', async () => {
    const db = tenantDb(owner, a.id);
    await db.selectFrom('person').select('id').execute();
    await sqlState(() => db.insertInto('person').values({ org_id: b.id, id: newId() }).execute());
    await db
      .transaction()
      .execute(async (trx) => {
        await trx.updateTable('person').set({ family_name: 'Rolled back' }).execute();
        throw new Error('roll back');
      })
      .catch(() => {});
    // Every connection of the pool (PGlite's one session) is the owner's again, with no organization.
    const states = await pooledSessionStates(database);
    expect(states.length).toBeGreaterThan(0);
    for (const state of states) expect(state).toEqual({ role: expect.not.stringMatching(APP_ROLE), org: '' });
    const alpha = await owner
      .selectFrom('person')
      .select('id')
      .where('family_name', '=', 'Rolled back')
      .execute();
    expect(alpha).toEqual([]);
  });

  it('keeps interleaved organizations apart on a shared pool', async () => {
    const dbA = tenantDb(owner, a.id);
    const dbB = tenantDb(owner, b.id);
    const runs = await Promise.all(
      Array.from({ length: 40 }, (_, i) => {
        const [db, org] = i % 2 ? [dbB, b.id] : [dbA, a.id];
        return sql<{ org: string; n: number }>`SELECT current_setting('rhizome.org_id') AS org,
          (SELECT count(*)::int FROM person) AS n`
          .execute(db)
          .then((r) => ({ expected: org, got: r.rows[0] }));
      }),
    );
    for (const run of runs) {
      expect(run.got?.org).toBe(run.expected);
      expect(run.got?.n).toBe(run.expected === a.id ? 2 : 1);
    }
  });
});
