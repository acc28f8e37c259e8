import {
  Kysely,
  type KyselyConfig,
  PostgresDialect,
  type PostgresPool,
  type PostgresPoolClient,
  sql,
} from 'kysely';
import { z } from 'zod';
import type { DB } from './schema.js';

/** The role work for one organization runs as; row-level security holds it to that organization. */
export const APP_ROLE = 'rhizome_app';

// Session-level settings, made when a connection is handed out and undone before it goes back to
// the pool. Both are set outside any transaction, so a rollback inside the work does not undo them.
const ENTER = `SELECT set_config('role', '${APP_ROLE}', false), set_config('rhizome.org_id', $1, false)`;
const LEAVE = `SELECT set_config('role', 'none', false), set_config('rhizome.org_id', '', false)`;

const OrgId = z.uuid();

type ReleasableClient = PostgresPoolClient & { release(error?: Error | boolean): void };

/**
 * A pool over `base` whose connections act as rhizome_app for one organization. Each connection
 * enters the tenant when it is handed out (one statement) and leaves it before it returns to the
 * base pool; if leaving fails, the connection is destroyed (pg) rather than reused. Connections
 * are held exactly as long as Kysely holds them (one query, one transaction, one stream), so the
 * embedded engine's single session is shared as before.
 */
export function tenantPool(base: PostgresPool, orgId: string): PostgresPool {
  return {
    async connect(): Promise<PostgresPoolClient> {
      const client = (await base.connect()) as ReleasableClient;
      try {
        await client.query(ENTER, [orgId]);
      } catch (error) {
        client.release(error as Error);
        throw error;
      }
      let released = false;
      const wrapped = {
        query: (...args: unknown[]) => (client.query as (...a: unknown[]) => unknown)(...args),
        release() {
          if (released) return;
          released = true;
          const leave = () => client.query(LEAVE, []);
          // An aborted transaction refuses every statement: end it, then leave.
          leave()
            .catch(() => client.query('ROLLBACK', []).then(leave))
            .then(
              () => client.release(),
              (error: Error) => client.release(error),
            );
        },
      };
      return wrapped as unknown as PostgresPoolClient;
    },
    // The base pool belongs to the database; ending a tenant's view of it ends nothing.
    async end() {},
  };
}

interface Registration {
  pool: PostgresPool;
  log?: KyselyConfig['log'];
  tenants: Map<string, Kysely<DB>>;
}

const registry = new WeakMap<Kysely<DB>, Registration>();

/** Records the pool behind an owner's Kysely (openDatabase does this), so that tenantDb can derive from it. */
export function registerOwnerDb(db: Kysely<DB>, pool: PostgresPool, log?: Registration['log']): void {
  registry.set(db, { pool, log, tenants: new Map() });
}

/**
 * The database as rhizome_app for one organization: every table with org_id shows and accepts only
 * that organization's rows, whatever the SQL says. `db` is the owner's Kysely from openDatabase (or
 * a tenant Kysely derived from it). One instance per organization, kept for the pool's lifetime.
 */
export function tenantDb(db: Kysely<DB>, orgId: string): Kysely<DB> {
  const reg = registry.get(db);
  if (!reg) throw new Error('tenantDb: this Kysely was not opened by openDatabase');
  const id = OrgId.parse(orgId);
  let tenant = reg.tenants.get(id);
  if (!tenant) {
    tenant = new Kysely<DB>({
      dialect: new PostgresDialect({ pool: tenantPool(reg.pool, id) }),
      ...(reg.log ? { log: reg.log } : {}),
    });
    reg.tenants.set(id, tenant);
    registry.set(tenant, reg);
  }
  return tenant;
}

/**
 * Functions the people search needs LEAKPROOF to keep its index plans under row-level security
 * (migration 0004 marks them when it runs as a superuser).
 */
export const SEARCH_LEAKPROOF_FUNCTIONS = [
  'lower(text)',
  'textcat(text,text)',
  'textlike(text,text)',
  'word_similarity_commutator_op(text,text)',
  'strict_word_similarity_commutator_op(text,text)',
  'ltree_lt(ltree,ltree)',
  'ltree_le(ltree,ltree)',
  'ltree_eq(ltree,ltree)',
  'ltree_ge(ltree,ltree)',
  'ltree_gt(ltree,ltree)',
] as const;

/**
 * Marks the search functions LEAKPROOF again where they are not, when the connected role is a
 * superuser (elsewhere it does nothing and `rhizome doctor` reports them). The marks live in each
 * database's catalog and a dump does not carry them: a database restored with pg_restore has lost
 * them, and its searches would quietly scan. Run after every `migrate`, so a restored database
 * heals on its next start. Returns the functions it marked.
 */
export async function ensureSearchLeakproof(db: Kysely<DB>): Promise<string[]> {
  const superuser = await sql<{ yes: boolean }>`
    SELECT rolsuper AS yes FROM pg_roles WHERE rolname = current_user`.execute(db);
  if (!superuser.rows[0]?.yes) return [];
  const missing = await sql<{ name: string }>`
    SELECT f.name FROM unnest(${[...SEARCH_LEAKPROOF_FUNCTIONS]}::text[]) AS f(name)
    WHERE to_regprocedure(f.name) IS NOT NULL
      AND NOT (SELECT proleakproof FROM pg_proc WHERE oid = to_regprocedure(f.name))`.execute(db);
  const names = new Set(missing.rows.map((r) => r.name));
  // Only the constants above reach the statement (never a value read from the database).
  const marked = SEARCH_LEAKPROOF_FUNCTIONS.filter((name) => names.has(name));
  for (const name of marked) await sql.raw(`ALTER FUNCTION ${name} LEAKPROOF`).execute(db);
  return marked;
}

/** What `rhizome doctor` reports about row-level security. */
export interface RlsHealth {
  /** Tables with org_id but without row-level security and the tenant_isolation policy. */
  unprotected: string[];
  /** Search functions not marked LEAKPROOF (searches stay correct but lose their indexes). */
  notLeakproof: string[];
}

export async function rlsHealth(db: Kysely<DB>): Promise<RlsHealth> {
  const tables = await sql<{ name: string }>`
    SELECT c.relname AS name FROM pg_class c
    JOIN pg_namespace n ON n.oid = c.relnamespace AND n.nspname = 'public'
    JOIN pg_attribute a ON a.attrelid = c.oid AND a.attname = 'org_id' AND NOT a.attisdropped
    WHERE c.relkind IN ('r', 'p')
      AND NOT (c.relrowsecurity AND EXISTS (
        SELECT 1 FROM pg_policy p WHERE p.polrelid = c.oid AND p.polname = 'tenant_isolation'))
    ORDER BY 1`.execute(db);
  const functions = await sql<{ name: string }>`
    SELECT f.name FROM unnest(${[...SEARCH_LEAKPROOF_FUNCTIONS]}::text[]) AS f(name)
    WHERE NOT coalesce((SELECT proleakproof FROM pg_proc WHERE oid = to_regprocedure(f.name)), false)
    ORDER BY 1`.execute(db);
  return { unprotected: tables.rows.map((r) => r.name), notLeakproof: functions.rows.map((r) => r.name) };
}
