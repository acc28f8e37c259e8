import { type Kysely, sql } from 'kysely';
import { AuditLog, auditPeopleRead } from '../src/audit/index.js';
import type { Ctx } from '../src/context.js';
import type { DB } from '../src/db/schema.js';
import { tenantDb } from '../src/db/tenant.js';
import { silentLog } from '../src/log.js';
import { loadPeople } from '../src/people/index.js';
import type { EngineName, Result } from './report.js';
import { percentile } from './steps.js';

const PAGE = 100;
const WARM_UPS = 5;
/** The fields a page of people shows that the audit trail covers. */
const FIELDS = ['address', 'email', 'phone'];

export interface AuditOverheadOptions {
  /** Pages between flushes (default 20: about what 200 ms of steady page loads make). */
  flushEvery?: number;
  /** The engine, for the results (default: asked of the database). */
  engine?: EngineName;
}

async function engineOf(db: Kysely<DB>): Promise<EngineName> {
  // PGlite is PostgreSQL compiled with Emscripten; its version string says so.
  const { rows } = await sql<{ v: string }>`SELECT version() AS v`.execute(db);
  return /emscripten|wasm/i.test(rows[0]?.v ?? '') ? 'pglite' : 'postgres';
}

const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);

/**
 * What logging reads costs a page: p50/p95 of loading a page of 100 people with `loadPeople`
 * alone, and the same followed by `auditPeopleRead` for those 100 (one buffered entry). The log's
 * flushes run as in production, but inline: every `flushEvery` pages the page that triggers it
 * waits for the flush, so its cost is counted (in production it runs beside the requests). The two
 * measurements alternate on the same page, in alternating order, so cache warmth favours neither.
 */
export async function measureAuditOverhead(
  db: Kysely<DB>,
  orgId: string,
  personIds: string[],
  rounds: number,
  options: AuditOverheadOptions = {},
): Promise<Result[]> {
  if (personIds.length === 0) throw new Error('measureAuditOverhead: no people');
  const engine = options.engine ?? (await engineOf(db));
  const flushEvery = options.flushEvery ?? 20;
  // Only explicit flushes: the timer must not fire inside the other measurement.
  const audit = new AuditLog(db, silentLog, { flushMs: 3_600_000, maxBatch: Number.MAX_SAFE_INTEGER });
  // Pages load as the app loads them: as rhizome_app for the organization (row-level security).
  const appDb = tenantDb(db, orgId);
  const ctx: Ctx = {
    db: appDb,
    actor: { kind: 'system', orgId, label: 'bench' },
    now: () => new Date(),
    log: silentLog,
    audit,
  };
  const pages = Math.max(1, Math.floor(personIds.length / PAGE));
  const pageAt = (round: number) => {
    const start = (round % pages) * PAGE;
    return personIds.slice(start, start + PAGE);
  };
  const alone = async (ids: string[]) => {
    const t0 = performance.now();
    await loadPeople(appDb, orgId, ids);
    return performance.now() - t0;
  };
  let logged = 0;
  const flushes: number[] = [];
  const audited = async (ids: string[]) => {
    const t0 = performance.now();
    const people = await loadPeople(appDb, orgId, ids);
    auditPeopleRead(
      ctx,
      people.map((p) => p.id),
      FIELDS,
    );
    logged += 1;
    if (logged % flushEvery === 0) {
      const f0 = performance.now();
      await audit.flush();
      flushes.push(performance.now() - f0);
    }
    return performance.now() - t0;
  };
  try {
    for (let r = 0; r < WARM_UPS; r++) await loadPeople(appDb, orgId, pageAt(r));
    const plain: number[] = [];
    const withAudit: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const ids = pageAt(r);
      if (r % 2 === 0) {
        plain.push(await alone(ids));
        withAudit.push(await audited(ids));
      } else {
        withAudit.push(await audited(ids));
        plain.push(await alone(ids));
      }
    }
    // What still waits is flushed on the last page (every entry's write is counted).
    if (audit.stats().pending > 0) {
      const f0 = performance.now();
      await audit.flush();
      const ms = performance.now() - f0;
      flushes.push(ms);
      withAudit[withAudit.length - 1] = (withAudit[withAudit.length - 1] ?? 0) + ms;
    }
    const stats = audit.stats();
    if (stats.written !== logged)
      throw new Error(`audit: ${logged} entries logged, ${stats.written} written`);
    const meanPlain = mean(plain);
    const meanAudit = mean(withAudit);
    plain.sort((a, b) => a - b);
    withAudit.sort((a, b) => a - b);
    const prefix = 'scoped audit overhead page of 100';
    const compared = (name: string, value: number, baseline: number): Result => ({
      name: `${prefix} ${name}`,
      engine,
      value,
      unit: 'ms',
      baseline,
      // How many times the page's cost with the audit is its cost alone (1.0: free).
      ratio: baseline > 0 ? value / baseline : null,
    });
    const plainFigure = (name: string, value: number): Result => ({
      name: `${prefix} ${name}`,
      engine,
      value,
      unit: 'ms',
      baseline: null,
      ratio: null,
    });
    return [
      compared('p50', percentile(withAudit, 50), percentile(plain, 50)),
      compared('p95', percentile(withAudit, 95), percentile(plain, 95)),
      compared('mean incl. flushes', meanAudit, meanPlain),
      plainFigure('added per page (mean)', meanAudit - meanPlain),
      plainFigure(`flush of ${flushEvery} entries (mean)`, mean(flushes)),
    ];
  } finally {
    await audit.close();
  }
}
