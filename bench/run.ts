/**
 * The benchmark suite: `npm run bench [-- --quick] [--engine pglite|postgres|both] [--size N]`.
 * Generates (or reuses) the seeded CSVs, then on each engine: the naive baseline, the real import
 * into an empty organization (with `--floor`, also the same people written by the database alone:
 * bench/floor.ts), an import into the populated one, people search and an OSDI crawl (part "core"); then event search (bench/events.ts) and public signups under load
 * (bench/signup.ts). `--only events,signup` runs just those and keeps the last core figures.
 * Writes bench/results/latest.json (+ a timestamped copy) and docs/PERFORMANCE.md.
 */
import { execSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { sql } from 'kysely';
import { openDatabase } from '../src/db/connect.js';
import { migrate } from '../src/db/migrate.js';
import { measureAuditOverhead } from './audit.js';
import { naiveImport } from './baseline.js';
import { benchEventSearch } from './events.js';
import { measureWriteFloor } from './floor.js';
import { ensureMixedCsv, ensurePeopleCsv } from './generate.js';
import {
  type EngineName,
  type Machine,
  mergePrevious,
  performanceDoc,
  type Result,
  type RunInfo,
  table,
  writeResults,
} from './report.js';
import { runScoped } from './scoped.js';
import { runSearches } from './search.js';
import { benchSignup } from './signup.js';
import {
  benchAuditLog,
  crawlOsdi,
  freshOrg,
  importWithCli,
  importWithRss,
  makeCtx,
  makeToken,
  scratchPgDatabase,
  setUpSearchData,
} from './steps.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const DATA = path.join(ROOT, 'bench', 'data');
const SEED = 20_241_124;
const FRESH_SEED = 77_777;

const program = new Command()
  .name('bench')
  .option('--quick', 'small sizes for everyday use (50k rows, baseline 2k)')
  .option('--engine <engine>', 'pglite, postgres or both', 'both')
  .option('--size <n>', 'rows in the main import', (v) => Number.parseInt(v, 10))
  .option('--baseline-rows <n>', 'rows for the naive baseline', (v) => Number.parseInt(v, 10))
  .option('--queries <n>', 'queries per search kind', (v) => Number.parseInt(v, 10))
  .option('--crawl-seconds <n>', 'stop the OSDI crawl after this long (reported as partial)', (v) =>
    Number.parseInt(v, 10),
  )
  .option(
    '--pg-url <url>',
    'PostgreSQL server (a database is created and dropped)',
    'postgres://postgres@127.0.0.1:5432/postgres',
  )
  .option(
    '--floor',
    "also measure the import's write floor (bench/floor.ts): about 4 minutes on PostgreSQL and 7 on PGlite at 1M rows",
  )
  .option('--no-docs', 'do not rewrite docs/PERFORMANCE.md')
  .option('--only <parts>', 'comma-separated parts to run: core, events, signup (default: all)')
  .parse(process.argv);
const opts = program.opts<{
  quick?: boolean;
  engine: string;
  size?: number;
  baselineRows?: number;
  queries?: number;
  crawlSeconds?: number;
  pgUrl: string;
  docs: boolean;
  floor?: boolean;
  only?: string;
}>();
const PARTS = ['core', 'events', 'signup'];
const parts = new Set(opts.only ? opts.only.split(',').map((p) => p.trim()) : PARTS);
if ([...parts].some((p) => !PARTS.includes(p))) {
  console.error(`--only takes ${PARTS.join(', ')}`);
  process.exit(2);
}

if (!['pglite', 'postgres', 'both'].includes(opts.engine)) {
  console.error('--engine must be pglite, postgres or both');
  process.exit(2);
}
const engines: EngineName[] = opts.engine === 'both' ? ['postgres', 'pglite'] : [opts.engine as EngineName];
const size = opts.size ?? (opts.quick ? 50_000 : 1_000_000);
const baselineRows = Math.min(size, opts.baselineRows ?? (opts.quick ? 2_000 : 20_000));
const half = Math.min(Math.round(size / 10), 100_000);
const queriesPerKind = opts.queries ?? 100;
const crawlSeconds = opts.crawlSeconds ?? (opts.quick ? 120 : 900);
const maxPages = opts.quick ? 2_000 : Number.POSITIVE_INFINITY;
const mode: RunInfo['mode'] =
  opts.size || opts.baselineRows || opts.queries ? 'custom' : opts.quick ? 'quick' : 'full';

const log = (msg: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${msg}`);
const eventCount = 100_000;
const eventQueries = opts.queries ?? (opts.quick ? 200 : 1000);
const signupAmount = opts.quick ? 10_000 : 100_000;

function pgliteVersion(): string {
  const pkg = JSON.parse(
    readFileSync(path.join(ROOT, 'node_modules', '@electric-sql', 'pglite', 'package.json'), 'utf8'),
  ) as { version: string };
  return pkg.version;
}

function machine(postgres: string | null, pgliteServer: string | null): Machine {
  let cpus = os.cpus().length;
  try {
    cpus = Number(execSync('nproc').toString().trim());
  } catch {}
  return {
    cpus,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: os.totalmem() / 1024 ** 3,
    os: `${os.type()} ${os.release()}`,
    node: process.version,
    postgres,
    pglite: `${pgliteVersion()}${pgliteServer ? ` (${pgliteServer})` : ''}`,
  };
}

const startedAt = new Date().toISOString();
const loadAtStart = os
  .loadavg()
  .map((l) => l.toFixed(1))
  .join(' / ');
const results: Result[] = [];
const notes: string[] = [];
let pgVersion: string | null = null;
let pgliteServer: string | null = null;
const add = (r: Omit<Result, 'baseline' | 'ratio'> & Partial<Pick<Result, 'baseline' | 'ratio'>>) => {
  const full: Result = { baseline: null, ratio: null, ...r };
  results.push(full);
  const v = full.value >= 100 ? Math.round(full.value).toLocaleString('en-US') : full.value.toFixed(2);
  const ratio =
    full.ratio === null ? '' : `  (${full.ratio.toFixed(1)}x baseline ${full.baseline?.toFixed(1)})`;
  log(`${r.engine.padEnd(8)} ${r.name.padEnd(58)} ${`${v} ${r.unit}`.padStart(16)}${ratio}`);
};

log(
  `mode ${mode}: ${size.toLocaleString('en-US')} rows, baseline ${baselineRows}, populated list ${2 * half}, engines ${engines.join('+')}`,
);
let t = performance.now();
const main = parts.has('core') ? await ensurePeopleCsv(DATA, { seed: SEED, size }) : null;
const mixed = main
  ? await ensureMixedCsv(DATA, { seed: SEED, size }, half, {
      seed: FRESH_SEED,
      size: half,
      idOffset: 10_000_000,
    })
  : null;
if (main)
  log(
    `data ready in ${((performance.now() - t) / 1000).toFixed(1)} s: ${path.basename(main.file)} ` +
      `(${main.stats.duplicates} duplicate e-mails, ${Object.values(main.stats.malformed).reduce((a, b) => a + b, 0)} malformed)`,
  );

const label = (n: number): string =>
  n >= 1_000_000 && n % 1_000_000 === 0
    ? `${n / 1_000_000}M`
    : n >= 1000 && n % 1000 === 0
      ? `${n / 1000}k`
      : n.toLocaleString('en-US');

/** Event search and public signups (bench/events.ts, bench/signup.ts), each in its own organization. */
async function dayOfAction(db: Parameters<typeof benchEventSearch>[0], engine: EngineName): Promise<void> {
  const addHere = (r: Parameters<typeof add>[0]) => add(r);
  if (parts.has('events')) {
    try {
      const queries = eventQueries;
      await benchEventSearch(
        db,
        engine,
        { events: eventCount, queries, baselineQueries: Math.min(queries, opts.quick ? 50 : 200) },
        addHere,
        log,
        notes,
      );
    } catch (error) {
      notes.push(`${engine}: event search failed: ${(error as Error).message}`);
      log(`${engine}: event search failed: ${(error as Error).stack}`);
    }
  }
  if (parts.has('signup')) {
    try {
      await benchSignup(db, engine, { amount: signupAmount }, addHere, log, notes);
    } catch (error) {
      notes.push(`${engine}: signup failed: ${(error as Error).message}`);
      log(`${engine}: signup failed: ${(error as Error).stack}`);
    }
  }
}

for (const engine of engines) {
  let dropPg: (() => Promise<void>) | undefined;
  let tmpDir: string | undefined;
  let pgUrl: string | undefined;
  let database: Awaited<ReturnType<typeof openDatabase>>;
  if (engine === 'postgres') {
    let scratch: Awaited<ReturnType<typeof scratchPgDatabase>>;
    try {
      scratch = await scratchPgDatabase(opts.pgUrl, `rhizome_bench_${process.pid}`);
    } catch (error) {
      notes.push(`PostgreSQL was not reachable at ${opts.pgUrl} (${(error as Error).message}); skipped.`);
      log('postgres unreachable: skipped');
      continue;
    }
    database = await openDatabase({ engine: 'postgres', url: scratch.url }, { poolSize: 10 });
    pgUrl = scratch.url;
    dropPg = scratch.drop;
  } else {
    tmpDir = mkdtempSync(path.join(os.tmpdir(), 'rhizome-bench-'));
    database = await openDatabase({ engine: 'pglite', dataDir: tmpDir });
  }
  try {
    await migrate(database);
    let db = database.db;
    const version = (
      await db.selectNoFrom((eb) => eb.fn<string>('version', []).as('v')).executeTakeFirstOrThrow()
    ).v;
    if (engine === 'postgres') pgVersion = version.split(',')[0] ?? version;
    else pgliteServer = version.split(',')[0] ?? version;
    log(`${engine}: ${version.split(',')[0]}`);
    if (!main || !mixed) {
      await dayOfAction(db, engine);
      continue;
    }

    // The classic importer first, into its own empty organization of the still-empty database.
    const baseOrg = await freshOrg(db, 'bench-baseline');
    const base = await naiveImport(db, baseOrg, main.file, baselineRows);
    const baselineRate = base.rows / (base.ms / 1000);
    add({
      name: 'import baseline (one transaction per person)',
      engine,
      value: baselineRate,
      unit: 'rows/s',
    });
    notes.push(
      `${engine}: baseline importer read the first ${base.rows.toLocaleString('en-US')} rows in ${(base.ms / 1000).toFixed(1)} s ` +
        `(${base.created} created, ${base.updated} updated, ${base.rejected} rejected).`,
    );

    // The real importer into an empty organization. On PGlite the database lives in the importing
    // process, so the import runs as an operator runs it: `rhizome import people` in its own
    // process on the (closed) data directory, its peak RSS being that process's high-water mark.
    const orgId = await freshOrg(db, 'bench-main');
    let ctx = makeCtx(db, orgId);
    const { slug } = await db
      .selectFrom('org')
      .select('slug')
      .where('id', '=', orgId)
      .executeTakeFirstOrThrow();
    // The import runs as an operator runs it, `rhizome import people` in its own process: its peak
    // RSS is the importer's, not this process's (which holds the bench's own data). On PGlite the
    // data directory is closed meanwhile (one process holds it at a time).
    const runImport = async (file: string) => {
      if (engine === 'postgres' && pgUrl) {
        const rejects = path.join(os.tmpdir(), `rhizome-bench-rejects-${process.pid}.csv`);
        try {
          return {
            ...(await importWithCli(['--database-url', pgUrl], slug, file, rejects)),
            startRssMb: null,
          };
        } finally {
          rmSync(rejects, { force: true });
        }
      }
      if (engine !== 'pglite' || !tmpDir) return await importWithRss(ctx, file);
      await benchAuditLog(database.db).close();
      await database.close();
      try {
        return {
          ...(await importWithCli(['--data-dir', tmpDir], slug, file, path.join(tmpDir, 'rejects.csv'))),
          startRssMb: null,
        };
      } finally {
        database = await openDatabase({ engine: 'pglite', dataDir: tmpDir });
        db = database.db;
        ctx = makeCtx(db, orgId);
      }
    };
    const rssNote = (startRssMb: number | null) =>
      startRssMb === null
        ? engine === 'pglite'
          ? 'peak RSS of the `rhizome import people` process, PGlite included'
          : 'peak RSS of the `rhizome import people` process, not the PostgreSQL server'
        : `RSS before the import: ${startRssMb.toFixed(0)} MB; the Node process only, not the PostgreSQL server`;
    const imp = await runImport(main.file);
    const rate = imp.summary.rowsRead / (imp.ms / 1000);
    const importName = `import ${label(size)} people`;
    add({
      name: importName,
      engine,
      value: rate,
      unit: 'rows/s',
      baseline: baselineRate,
      ratio: rate / baselineRate,
    });
    add({ name: `${importName} time`, engine, value: imp.ms / 1000, unit: 's' });
    add({ name: `${importName} peak RSS`, engine, value: imp.peakRssMb, unit: 'MB' });
    notes.push(
      `${engine}: import of ${imp.summary.rowsRead.toLocaleString('en-US')} rows: ${imp.summary.created.toLocaleString('en-US')} created, ` +
        `${imp.summary.updated.toLocaleString('en-US')} updated, ${imp.summary.flagged} flagged, ${imp.summary.rejected.toLocaleString('en-US')} rejected ` +
        `(${rssNote(imp.startRssMb)}).`,
    );

    // What the database alone needs to write the same people (bench/floor.ts).
    if (opts.floor) {
      t = performance.now();
      const floor = await measureWriteFloor(database, orgId, opts.pgUrl);
      const floorRate = imp.summary.rowsRead / (floor.ms / 1000);
      add({
        name: `${importName}: write floor (INSERT ... SELECT from staging, no matching)`,
        engine,
        value: floorRate,
        unit: 'rows/s',
      });
      add({ name: `${importName}: write floor time`, engine, value: floor.ms / 1000, unit: 's' });
      notes.push(
        `${engine}: write floor: ${floor.people.toLocaleString('en-US')} people (${floor.rows.toLocaleString('en-US')} rows in five tables) ` +
          `written from staging tables in ${(floor.ms / 1000).toFixed(1)} s, i.e. ${Math.round(floorRate).toLocaleString('en-US')} of the file's rows/s; ` +
          `the importer reached ${((100 * rate) / floorRate).toFixed(0)} % of that (${((performance.now() - t) / 1000).toFixed(0)} s with the staging). ` +
          `By table: ${Object.entries(floor.msByTable)
            .map(([table, ms]) => `${table} ${(ms / 1000).toFixed(1)} s`)
            .join(', ')}.`,
      );
      log(`${engine}: write floor ${Math.round(floorRate)} rows/s (${(floor.ms / 1000).toFixed(1)} s)`);
    }

    // Units (10 regions x 10 locals) for search, then a list where half the people already exist.
    t = performance.now();
    const setup = await setUpSearchData(db, orgId, false);
    log(
      `${engine}: placed ${setup.people.toLocaleString('en-US')} people in ${setup.units.length} units in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
    const imp2 = await runImport(mixed);
    add({
      name: `re-import ${label(2 * half)} (half known)`,
      engine,
      value: imp2.summary.rowsRead / (imp2.ms / 1000),
      unit: 'rows/s',
    });
    notes.push(
      `${engine}: re-import of ${imp2.summary.rowsRead.toLocaleString('en-US')} rows into the populated organization: ${imp2.summary.created.toLocaleString('en-US')} created, ` +
        `${imp2.summary.updated.toLocaleString('en-US')} updated, ${imp2.summary.rejected.toLocaleString('en-US')} rejected, ` +
        `${(imp2.ms / 1000).toFixed(1)} s.`,
    );

    // Search, after VACUUM ANALYZE (PostgreSQL) or ANALYZE (PGlite).
    t = performance.now();
    await sql.raw(engine === 'postgres' ? 'VACUUM ANALYZE' : 'ANALYZE').execute(db);
    log(
      `${engine}: ${engine === 'postgres' ? 'VACUUM ANALYZE' : 'ANALYZE'} in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
    try {
      await runSearches(ctx, queriesPerKind, (r) => add({ ...r, engine }), log, db);
    } catch (error) {
      notes.push(`${engine}: search failed: ${(error as Error).message}`);
      log(`${engine}: search failed: ${(error as Error).stack}`);
    }

    // Access-scoped search for four roles, against naive row-level security.
    try {
      await runScoped(db, orgId, setup.units, queriesPerKind, (r) => add({ ...r, engine }), log);
    } catch (error) {
      notes.push(`${engine}: scoped search failed: ${(error as Error).message}`);
      log(`${engine}: scoped search failed: ${(error as Error).stack}`);
    }

    // What logging reads of contact fields costs a page of 100 people.
    try {
      const { rows: sample } = await sql<{ id: string }>`SELECT id FROM person WHERE org_id = ${orgId}
        AND merged_into IS NULL ORDER BY md5(id::text) LIMIT 10000`.execute(db);
      for (const r of await measureAuditOverhead(
        db,
        orgId,
        sample.map((s) => s.id),
        200,
        { engine },
      ))
        add(r);
    } catch (error) {
      notes.push(`${engine}: audit overhead failed: ${(error as Error).message}`);
      log(`${engine}: audit overhead failed: ${(error as Error).stack}`);
    }

    // OSDI crawl through real HTTP.
    try {
      const token = await makeToken(db, orgId);
      const crawl = await crawlOsdi(db, token, crawlSeconds * 1000, maxPages, log);
      add({ name: 'osdi crawl pages/s', engine, value: crawl.pages / (crawl.ms / 1000), unit: 'pages/s' });
      add({ name: 'osdi crawl total time', engine, value: crawl.ms / 1000, unit: 's' });
      add({ name: 'osdi crawl page p50', engine, value: crawl.p50, unit: 'ms' });
      add({ name: 'osdi crawl page p95', engine, value: crawl.p95, unit: 'ms' });
      notes.push(
        `${engine}: OSDI crawl (per_page=100) read ${crawl.people.toLocaleString('en-US')} people in ${crawl.pages} pages` +
          (crawl.complete
            ? ' (complete).'
            : ` of ${crawl.totalPages}: stopped at the ${maxPages}-page / ${crawlSeconds}-s limit (partial; the total time is for the pages read).`),
      );
    } catch (error) {
      notes.push(`${engine}: OSDI crawl failed: ${(error as Error).message}`);
      log(`${engine}: OSDI crawl failed: ${(error as Error).stack}`);
    }
    await dayOfAction(db, engine);
  } finally {
    await benchAuditLog(database.db).close();
    await database.close();
    if (dropPg) await dropPg();
    if (tmpDir) rmSync(tmpDir, { recursive: true, force: true });
  }
}

const loadAvg = (): string =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');
if (!parts.has('core'))
  notes.push(
    `Event search and signup figures: the ${mode} run started ${startedAt} (\`--only ${[...parts].join(',')}\`) ` +
      `on a shared machine (load average 1 / 5 / 15 min at its start ${loadAtStart}, at its end ${loadAvg()}, ` +
      `on ${os.cpus().length} CPUs): measured under load, not on a quiet machine.`,
  );
if (parts.has('core'))
  notes.push(
    `Machine load average (1 / 5 / 15 min) at the start: ${loadAtStart}; at the end: ${loadAvg()} ` +
      `(on ${os.cpus().length} CPUs; other work shares this machine).`,
  );

const info: RunInfo = {
  startedAt,
  mode,
  size,
  baselineRows,
  mixedRows: 2 * half,
  queriesPerKind,
  machine: machine(pgVersion, pgliteServer),
  notes,
};
console.log(`\n${table(results, size)}\n`);
for (const n of notes) console.log(`- ${n}`);
const resultsDir = path.join(ROOT, 'bench', 'results');
const merged = mergePrevious(resultsDir, results, info, !parts.has('core'));
const copy = writeResults(resultsDir, merged.results, merged.info, results);
log(`wrote bench/results/latest.json and ${path.relative(ROOT, copy)}`);
if (opts.docs) {
  writeFileSync(path.join(ROOT, 'docs', 'PERFORMANCE.md'), performanceDoc(merged.results, merged.info));
  log('wrote docs/PERFORMANCE.md');
}
process.exit(0);
