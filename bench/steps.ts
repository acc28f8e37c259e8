import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { type Kysely, sql } from 'kysely';
import pg from 'pg';
import { AuditLog } from '../src/audit/index.js';
import { hashSecret, newSecret } from '../src/auth/secrets.js';
import type { Ctx } from '../src/context.js';
import { newId } from '../src/db/ids.js';
import type { DB } from '../src/db/schema.js';
import { tenantDb } from '../src/db/tenant.js';
import { buildApp } from '../src/http/app.js';
import { type ImportSummary, runPeopleImport } from '../src/imports/index.js';
import { silentLog } from '../src/log.js';

/** A new, empty organization; returns its id. */
export async function freshOrg(db: Kysely<DB>, prefix: string): Promise<string> {
  const id = newId();
  await db
    .insertInto('org')
    .values({ id, slug: `${prefix}-${id.slice(-8)}`, name: prefix })
    .execute();
  return id;
}

const auditLogs = new WeakMap<Kysely<DB>, AuditLog>();

/** One audit log per database, as one per process in production. */
export function benchAuditLog(db: Kysely<DB>): AuditLog {
  let audit = auditLogs.get(db);
  if (!audit) {
    audit = new AuditLog(db, silentLog);
    auditLogs.set(db, audit);
  }
  return audit;
}

/**
 * The CLI operator's context for one organization (what `rhizome import` runs as): its SQL runs as
 * rhizome_app with the organization set, under row-level security, as the app's does. `db` is the
 * owner's (set-up, ANALYZE and the audit log's flush stay with it).
 */
export function makeCtx(db: Kysely<DB>, orgId: string): Ctx {
  return {
    db: tenantDb(db, orgId),
    actor: { kind: 'system', orgId, label: 'bench' },
    now: () => new Date(),
    log: silentLog,
    audit: benchAuditLog(db),
  };
}

export const percentile = (sorted: number[], p: number): number =>
  sorted.length
    ? (sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] as number)
    : Number.NaN;

const mb = (bytes: number) => bytes / 1024 / 1024;

/**
 * Runs the real importer on a file while sampling the process RSS every 100 ms (the peak also
 * includes an embedded PGlite, which runs in this process).
 */
export async function importWithRss(
  ctx: Ctx,
  file: string,
): Promise<{ summary: ImportSummary; ms: number; peakRssMb: number; startRssMb: number }> {
  const startRss = process.memoryUsage().rss;
  let peak = startRss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 100);
  const started = performance.now();
  try {
    const summary = await runPeopleImport(ctx, { file, resume: false });
    const ms = performance.now() - started;
    peak = Math.max(peak, process.memoryUsage().rss);
    return { summary, ms, peakRssMb: mb(peak), startRssMb: mb(startRss) };
  } finally {
    clearInterval(timer);
  }
}

/** What `rhizome import people` printed, read back (the fields the bench reports). */
export interface CliImportSummary {
  rowsRead: number;
  created: number;
  updated: number;
  flagged: number;
  rejected: number;
}

const RHIZOME = path.resolve(import.meta.dirname, '..', 'bin', 'rhizome.js');

/** Peak resident set (VmHWM) of a live process, in kB; NaN where /proc is not there. */
function peakRssKb(pid: number): number {
  try {
    const match = /VmHWM:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

/**
 * Runs `rhizome import people` in its own process, as an operator does: on an embedded data
 * directory the caller has closed (one process holds it at a time), or on a PostgreSQL database
 * (`target`: `--data-dir DIR` or `--database-url URL`). The time is the importer's own ("took",
 * from reading the file to the last commit: what importWithRss times in-process); the peak RSS is
 * the child's high-water mark (VmHWM), read every 100 ms until it exits.
 */
export async function importWithCli(
  target: ['--data-dir' | '--database-url', string],
  orgSlug: string,
  file: string,
  rejectsPath: string,
): Promise<{ summary: CliImportSummary; ms: number; peakRssMb: number }> {
  const child = spawn(
    process.execPath,
    [RHIZOME, ...target, 'import', 'people', file, '--org', orgSlug, '--rejects', rejectsPath, '--no-resume'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => {
    out += chunk.toString();
  });
  child.stderr.on('data', (chunk: Buffer) => {
    err += chunk.toString();
  });
  let peakKb = 0;
  const timer = setInterval(() => {
    if (child.pid) peakKb = Math.max(peakKb, peakRssKb(child.pid) || 0);
  }, 100);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearInterval(timer);
  if (code !== 0) throw new Error(`rhizome import people exited with ${code}: ${err.trim().slice(-500)}`);
  const field = (label: string): number => {
    const match = new RegExp(`${label}:\\s+([\\d.]+)`).exec(out);
    if (!match) throw new Error(`rhizome import people printed no "${label}":\n${out}`);
    return Number(match[1]);
  };
  const took = /took ([\d.]+) s/.exec(out);
  if (!took) throw new Error(`rhizome import people printed no time:\n${out}`);
  return {
    summary: {
      rowsRead: field('rows read'),
      created: field('created'),
      updated: field('updated'),
      flagged: field('flagged as possible duplicates'),
      rejected: field('rejected'),
    },
    ms: Number(took[1]) * 1000,
    peakRssMb: peakKb / 1024,
  };
}

export const REGIONS = [
  'west',
  'northwest',
  'southwest',
  'mountain',
  'plains',
  'midwest',
  'south',
  'southeast',
  'midatlantic',
  'northeast',
];
export const LOCALS_PER_REGION = 10;

/**
 * Units for search, in bulk SQL: 10 regions x 10 locals, every person homed in a local chosen by a
 * hash of their id (so a region holds ~10% of people and a local ~1%). Tags come from the CSV.
 */
export async function setUpSearchData(
  db: Kysely<DB>,
  orgId: string,
  vacuum: boolean,
): Promise<{ people: number; units: string[] }> {
  const units: string[] = [];
  const addUnit = async (path: string, kind: string) => {
    units.push(path);
    await sql`INSERT INTO unit (org_id, id, path, name, kind)
      VALUES (${orgId}, ${newId()}, ${path}::ltree, ${path.split('.').pop()}, ${kind})`.execute(db);
  };
  for (const r of REGIONS) {
    await addUnit(r, 'chapter');
    for (let l = 1; l <= LOCALS_PER_REGION; l++) await addUnit(`${r}.local_${l}`, 'local');
  }
  await sql`WITH leaves AS (
      SELECT id, path, (row_number() OVER (ORDER BY path) - 1)::int AS n
      FROM unit WHERE org_id = ${orgId} AND nlevel(path) = 2
    )
    UPDATE person p SET home_unit_id = l.id, home_unit_path = l.path
    FROM leaves l
    WHERE p.org_id = ${orgId} AND l.n = abs(hashtext(p.id::text)) % (SELECT count(*) FROM leaves)`.execute(
    db,
  );
  await sql.raw(vacuum ? 'VACUUM ANALYZE' : 'ANALYZE').execute(db);
  const row = await db
    .selectFrom('person')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('org_id', '=', orgId)
    .executeTakeFirstOrThrow();
  return { people: row.n, units };
}

/**
 * A new, empty database named `name` on the server of `serverUrl` (any existing one of that name is
 * dropped first): its URL, and how to drop it. Throws when the server cannot be reached.
 */
export async function scratchPgDatabase(
  serverUrl: string,
  name: string,
): Promise<{ url: string; drop: () => Promise<void> }> {
  const admin = async (statement: string) => {
    const client = new pg.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(statement);
    } finally {
      await client.end();
    }
  };
  await admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  await admin(`CREATE DATABASE "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => admin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`) };
}

/** An org admin with an API token, inserted directly (as test/support/fixtures.ts does). */
export async function makeToken(db: Kysely<DB>, orgId: string): Promise<string> {
  const userId = newId();
  await db
    .insertInto('app_user')
    .values({
      org_id: orgId,
      id: userId,
      email: `bench-${userId.slice(-8)}@example.org`,
      display_name: 'bench',
      password_hash: null,
      disabled_at: null,
    })
    .execute();
  const token = newSecret('rz_');
  await db
    .insertInto('api_token')
    .values({
      org_id: orgId,
      id: newId(),
      user_id: userId,
      name: 'bench',
      prefix: token.slice(0, 8),
      token_hash: hashSecret(token),
      last_used_at: null,
      revoked_at: null,
    })
    .execute();
  await sql`INSERT INTO role_binding (org_id, id, user_id, role_id)
    SELECT ${orgId}, ${newId()}, ${userId}, id FROM role WHERE org_id = ${orgId} AND key = 'org_admin'`.execute(
    db,
  );
  return token;
}

export interface CrawlResult {
  pages: number;
  people: number;
  totalPages: number;
  complete: boolean;
  ms: number;
  p50: number;
  p95: number;
}

interface OsdiPage {
  total_pages?: number;
  _links?: { next?: { href: string } };
  _embedded?: Record<string, unknown[]>;
}

/**
 * Crawls /osdi/v1/people with per_page=100 over real HTTP (the app listening on 127.0.0.1:0),
 * following _links.next until there is none or the time budget runs out.
 */
export async function crawlOsdi(
  db: Kysely<DB>,
  token: string,
  budgetMs: number,
  maxPages: number,
  log: (m: string) => void,
): Promise<CrawlResult> {
  const app = await buildApp({ db, log: silentLog });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  const latencies: number[] = [];
  let people = 0;
  let totalPages = 0;
  let complete = false;
  let next: string | undefined = `${origin}/osdi/v1/people?page=1&per_page=100`;
  const started = performance.now();
  let lastLog = started;
  try {
    while (next) {
      const t0 = performance.now();
      const res = await fetch(new URL(next, origin), { headers: { 'OSDI-API-Token': token } });
      if (!res.ok) throw new Error(`GET ${next}: HTTP ${res.status} ${(await res.text()).slice(0, 200)}`);
      const body = (await res.json()) as OsdiPage;
      latencies.push(performance.now() - t0);
      totalPages = body.total_pages ?? totalPages;
      people += body._embedded?.['osdi:people']?.length ?? 0;
      next = body._links?.next?.href;
      if (!next) complete = true;
      const now = performance.now();
      if (now - lastLog > 15_000) {
        lastLog = now;
        log(`  crawl: ${latencies.length}/${totalPages} pages`);
      }
      if (now - started > budgetMs || latencies.length >= maxPages) break;
    }
  } finally {
    await app.close();
  }
  const ms = performance.now() - started;
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    pages: latencies.length,
    people,
    totalPages,
    complete,
    ms,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
  };
}
