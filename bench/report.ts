import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export type EngineName = 'postgres' | 'pglite';

/** One measured figure (bench/results/*.json is a list of these). */
export interface Result {
  name: string;
  engine: EngineName;
  value: number;
  unit: string;
  /** The figure this one is compared against (the naive importer), or null. */
  baseline: number | null;
  /** value / baseline, or null. */
  ratio: number | null;
}

export interface Machine {
  cpus: number;
  cpuModel: string;
  memoryGiB: number;
  os: string;
  node: string;
  postgres: string | null;
  pglite: string;
}

export interface RunInfo {
  startedAt: string;
  mode: 'quick' | 'full' | 'custom';
  size: number;
  baselineRows: number;
  mixedRows: number;
  queriesPerKind: number;
  machine: Machine;
  /** Free-text notes: what was skipped and why, partial crawls, row counts. */
  notes: string[];
  /** Which run each engine's figures come from (a single-engine run keeps the other's last figures). */
  runs?: Partial<Record<EngineName, EngineRun>>;
  /** Runs of single parts (`--only`) merged into these figures: start time → notes they added. */
  partRuns?: Record<string, number>;
}

export interface EngineRun {
  startedAt: string;
  mode: RunInfo['mode'];
  size: number;
  baselineRows: number;
  mixedRows: number;
  queriesPerKind: number;
}

const engineRun = (info: RunInfo): EngineRun => ({
  startedAt: info.startedAt,
  mode: info.mode,
  size: info.size,
  baselineRows: info.baselineRows,
  mixedRows: info.mixedRows,
  queriesPerKind: info.queriesPerKind,
});

/**
 * Adds to this run's results the previous latest.json figures of engines this run did not measure
 * (a `--engine postgres` run keeps the last PGlite figures), with their run details and notes.
 */
export function mergePrevious(
  dir: string,
  results: Result[],
  info: RunInfo,
  /** This run skipped the core part (`--only events,signup`): keep every figure it did not measure. */
  partial = false,
): { results: Result[]; info: RunInfo } {
  const measured = new Set(results.map((r) => r.engine));
  const runs: Partial<Record<EngineName, EngineRun>> = {};
  for (const e of measured) runs[e] = engineRun(info);
  const latest = path.join(dir, 'latest.json');
  const runFile = path.join(dir, 'latest.run.json');
  if (!existsSync(latest) || !existsSync(runFile)) return { results, info: { ...info, runs } };
  const prev = JSON.parse(readFileSync(latest, 'utf8')) as Result[];
  const prevInfo = JSON.parse(readFileSync(runFile, 'utf8')) as RunInfo;
  if (partial) {
    const own = new Set(results.map((r) => `${r.engine}\u0000${r.name}`));
    const kept = prev.filter((r) => !own.has(`${r.engine}\u0000${r.name}`));
    const ownNotes = new Set(info.notes);
    return {
      results: [...kept, ...results],
      info: {
        ...prevInfo,
        notes: [...prevInfo.notes.filter((n) => !ownNotes.has(n)), ...info.notes],
        partRuns: { ...prevInfo.partRuns, [info.startedAt]: info.notes.length },
      },
    };
  }
  const carried = prev.filter((r) => !measured.has(r.engine));
  const machine = { ...info.machine };
  const notes = [...info.notes];
  for (const e of new Set(carried.map((r) => r.engine))) {
    runs[e] = prevInfo.runs?.[e] ?? engineRun(prevInfo);
    if (e === 'postgres' && !machine.postgres) machine.postgres = prevInfo.machine.postgres;
    if (e === 'pglite') machine.pglite = prevInfo.machine.pglite;
    notes.push(...prevInfo.notes.filter((n) => n.startsWith(`${e}:`)));
  }
  return { results: [...results, ...carried], info: { ...info, machine, notes, runs } };
}

/** A target: which result names it applies to (and engine, when only one), and the check. */
export interface Target {
  label: string;
  match: RegExp;
  engine?: EngineName;
  text: string;
  /** Met or not; null when it does not apply to this run (e.g. a 1M-row target on a quick run). */
  ok: (r: Result, size: number) => boolean | null;
}

export const TARGETS: Target[] = [
  {
    label: 'import N people (rows/s)',
    match: /^import \S+ people$/,
    engine: 'postgres',
    text: '>= 20,000 rows/s',
    ok: (r) => r.value >= 20_000,
  },
  {
    label: 'import N people vs baseline',
    match: /^import \S+ people$/,
    engine: 'postgres',
    text: '>= 40x baseline',
    ok: (r) => (r.ratio === null ? null : r.ratio >= 40),
  },
  {
    label: 'import 1M people time',
    match: /^import \S+ people time$/,
    engine: 'pglite',
    text: '< 90 s for 1M rows',
    ok: (r, size) => (size === 1_000_000 ? r.value < 90 : null),
  },
  {
    label: 'import peak RSS',
    match: /^import \S+ people peak RSS$/,
    text: '< 500 MB',
    ok: (r) => r.value < 500,
  },
  {
    label: 're-import (half known)',
    match: /^re-import /,
    engine: 'postgres',
    text: '>= 12,000 rows/s',
    ok: (r) => r.value >= 12_000,
  },
  {
    label: 'search <kind> p95 (page of ids)',
    match: /^search (?!count\+page).* p95$/,
    engine: 'postgres',
    text: '<= 20 ms',
    ok: (r) => r.value <= 20,
  },
  {
    label: 'search count+page <kind> p95',
    match: /^search count\+page .* p95$/,
    engine: 'postgres',
    text: '<= 50 ms',
    ok: (r) => r.value <= 50,
  },
  {
    label: 'scoped search <role> p95 (page of ids)',
    match: /^scoped search .* p95$/,
    text: '<= 20 ms',
    ok: (r) => r.value <= 20,
  },
  {
    label: 'scoped count+page <role> p95 (masked)',
    match: /^scoped count\+page [^,]* p95$/,
    text: '<= 50 ms',
    ok: (r) => r.value <= 50,
  },
  {
    label: 'scoped decide',
    match: /^scoped decide decisions\/s$/,
    text: '>= 1,000,000 decisions/s',
    ok: (r) => r.value >= 1_000_000,
  },
  {
    label: 'scoped audit overhead',
    match: /^scoped audit overhead page of 100 (p50|mean incl\. flushes)$/,
    text: '<= 20% on a page of 100',
    ok: (r) => (r.ratio === null ? null : r.ratio <= 1.2),
  },
  {
    label: 'event search zip+50km p95',
    match: /^event search .* p95$/,
    text: '<= 20 ms',
    ok: (r) => r.value <= 20,
  },
  {
    label: 'signup intake log (RSVPs/s)',
    match: /^signup intake log RSVPs\/s$/,
    engine: 'postgres',
    text: '>= 3,000 req/s and >= 2.5x the per-request transaction',
    ok: (r) => r.value >= 3_000 && (r.ratio === null || r.ratio >= 2.5),
  },
  {
    label: 'signup intake log p99',
    match: /^signup intake log p99$/,
    engine: 'postgres',
    text: '<= 100 ms',
    ok: (r) => r.value <= 100,
  },
  {
    label: 'signup intake log (RSVPs/s)',
    match: /^signup intake log RSVPs\/s$/,
    engine: 'pglite',
    text: '>= 2,000 req/s',
    ok: (r) => r.value >= 2_000,
  },
  {
    label: 'signup lost / duplicated',
    match: /^signup .* (lost|duplicated)$/,
    text: '0',
    ok: (r) => r.value === 0,
  },
];

/** The targets that apply to a result, with met / missed / not applicable. */
function targetFor(r: Result, size: number): string {
  return TARGETS.filter((t) => t.match.test(r.name) && (!t.engine || t.engine === r.engine))
    .map((t) => {
      const ok = t.ok(r, size);
      return `${t.text}: ${ok === null ? 'n/a at this size' : ok ? 'met' : 'MISSED'}`;
    })
    .join('; ');
}

const fmt = (v: number): string =>
  Math.abs(v) >= 100
    ? Math.round(v).toLocaleString('en-US')
    : Math.abs(v) >= 10
      ? v.toFixed(1)
      : v.toFixed(2);

/** The results as a fixed-width table for the terminal. */
export function table(results: Result[], size: number): string {
  const rows = results.map((r) => [
    r.engine,
    r.name,
    `${fmt(r.value)} ${r.unit}`,
    r.baseline === null ? '' : `${fmt(r.baseline)}`,
    r.ratio === null ? '' : `${r.ratio.toFixed(1)}x`,
    targetFor(r, size),
  ]);
  const head = ['engine', 'measure', 'value', 'baseline', 'ratio', 'target'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] as string).length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] as number)).join('  ');
  return [line(head), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/**
 * Writes bench/results/latest.json (and latest.run.json, the run details) and a timestamped copy of
 * this run's own figures; returns the copy's path.
 */
export function writeResults(dir: string, results: Result[], info: RunInfo, own: Result[] = results): string {
  mkdirSync(dir, { recursive: true });
  const json = (x: unknown) => `${JSON.stringify(x, null, 2)}\n`;
  writeFileSync(path.join(dir, 'latest.json'), json(results));
  const stamp = info.startedAt.slice(0, 16).replace(':', '-');
  const file = path.join(dir, `${stamp}.json`);
  writeFileSync(file, json(own));
  writeFileSync(path.join(dir, 'latest.run.json'), json(info));
  return file;
}

const mdRow = (cells: string[]): string => `| ${cells.join(' | ')} |`;

/**
 * What profiling the importer found (bench/profile-import.ts: every statement timed by its shape,
 * and the CPU seconds of Node and of the database's server backends). Kept here, not measured per
 * run: update it with the next profile.
 */
const IMPORT_ANALYSIS = [
  'Profiled with `node bin/run-ts.js bench/profile-import.ts --engine postgres|pglite` (50k rows, then ' +
    'a 10k half-known list). The machine was heavily loaded during this work (load average 10-22 on ' +
    '2 CPUs), so wall-clock rates swing 2-5×; before/after comparisons use the CPU seconds of both ' +
    'sides (Node, and the PostgreSQL backends of the bench database from /proc), run back to back.',
  '**Where it went before.** Per 50k-row import on PostgreSQL: ~7.6 s of server CPU and ~7 s of Node ' +
    'CPU, i.e. ~290 µs of CPU per row on a machine with two cores shared by both: the 20,000 rows/s ' +
    'target needs under 100 µs. Server side, the four contact inserts (person, email, phone, address) ' +
    'took about the same time each, tagging half of that, ANALYZE ~7%, the matching look-ups ~5%. ' +
    'Statement by statement in psql: `uuid_v7()` (a SQL function building the id from ' +
    '`gen_random_uuid()` and the clock) cost 8-17 µs a row, a third of an e-mail insert; the ' +
    'composite foreign key (org_id, person_id) ~15%; the trigram GIN index ~40% of the person insert ' +
    '(0.86 s without it, 1.49 s with it, for 50k rows); a larger `gin_pending_list_limit` changed ' +
    'little (1.36 s). Insert triggers: none (seq is a column default; touch_row fires on UPDATE only). ' +
    'Node side: CSV parsing and row mapping ~40 µs a row, the matcher ~20 µs, garbage collection ' +
    'much of the rest; the uuid package read the kernel random source per id (randomFillSync was ' +
    'the single largest Node function once ids moved out of SQL).',
  '**What changed.** (1) Row ids for e-mails, phones, addresses, taggings and custom-field values ' +
    'are made in JavaScript (`newIds()`, UUIDv7 with a per-millisecond counter, random bytes from an ' +
    '8 KB pool) instead of `uuid_v7()` per row on the server. (2) The importer ANALYZEs only the ' +
    "people tables whose statistics are stale by autovacuum's rule (ANALYZE samples 30k rows a table " +
    'whatever their size: ~1.2 s for the five tables, a quarter of a 10k-row import into a database ' +
    'analyzed just before). (3) The primary fix-up after a batch looks only at people given a value ' +
    'of that kind. (4) PGlite commands run with a 16MB buffer cache: the WebAssembly memory never ' +
    "shrinks, so PGlite's default 128MB cache stayed resident once an import had passed through it " +
    '(peak RSS of `rhizome import people` on 50k rows: 611 MB with the default, 481 MB with 32MB, ' +
    '415 MB with 16MB, same rows/s within the noise). (5) That was not enough on a quieter machine ' +
    '(a quick bench at 23:14 measured 510 MB): the JavaScript heap grew ~140 MB per 50k rows of ' +
    "promoted batch garbage that V8's lazy old-generation collection left; `rhizome import people` " +
    'now runs a full collection every 10,000 rows (50k rows: peak 400 MB).',
  '**Effect**, back to back on the loaded machine: server + Node CPU for the 50k import 15.4 s → ' +
    '12.8 s (-17%; server 7.8 → 6.4 s), the 10k re-import unchanged within the noise (3.4 s → 3.5 s). ' +
    'Back to back once the load fell (load average ~2.5), before → after, two runs each: PostgreSQL ' +
    '50k import 4,250 / 4,278 → 5,073 / 4,228 rows/s, CPU 13.7 / 13.5 s → 11.6 / 12.7 s; re-import ' +
    '3,744 / 3,474 → 4,009 / 2,395 rows/s (noise); PGlite in-process 50k import 3,302 → 4,198 rows/s ' +
    '(CPU 17.8 → 14.4 s), re-import 2,896 → 3,196 rows/s. A quick bench at 23:14 (load 2-5, before ' +
    'change 5): PostgreSQL 2,759 rows/s = 25.3× baseline (109 rows/s), re-import 4,653 rows/s; ' +
    'PGlite via the CLI 2,193 rows/s, re-import 2,000 rows/s, peak RSS 510 MB. ' +
    'Quick bench during the same load: PostgreSQL 810 rows/s = 22.7× its baseline (35.7 rows/s: the ' +
    'whole machine ran ~7× slower than in the quiet run above, whose importer made 18.1×); PGlite ' +
    '357 rows/s = 17.3× (12.2× before), peak RSS 418 MB in the import process (723 MB before, measured ' +
    'in the bench process after initdb); re-imports 1,295 rows/s (PostgreSQL) and 191 rows/s (PGlite, in ' +
    'a fresh process). The results tables above stay those of the last quiet run, ' +
    'before these changes (its PGlite RSS was measured in the bench process); figures from the loaded ' +
    'machine are not committed. On PGlite the 16MB cache cost nothing measurable: a 10k half-known ' +
    're-import into 50k people took 7.7 s of CPU with it, 8.1 s with the default.',
  '**Not done, and why.** Building the trigram and prefix indexes after the load is unsafe in a ' +
    'multi-tenant table (other organizations search it meanwhile). COPY into a staging table saves ' +
    'parsing the parameter arrays but not index upkeep or the foreign-key checks, which are most of ' +
    'the server time; with Node already at ~100 µs a row, a second pipeline stage on two cores would ' +
    'not reach 20,000 rows/s either. Where the remaining time goes: index upkeep on five tables (the ' +
    'person trigram GIN the largest single part), the composite foreign-key checks, and Node parsing, ' +
    'mapping and matching at roughly the same CPU as the server. The 20k rows/s and 12k rows/s ' +
    'PostgreSQL targets are not met on this machine; the 1M-row PGlite target was not measured (a ' +
    '1M run did not fit in the time on the loaded machine).',
];

/** docs/PERFORMANCE.md, regenerated from one run's results. */
export function performanceDoc(results: Result[], info: RunInfo): string {
  const m = info.machine;
  const engines = [...new Set(results.map((r) => r.engine))];
  const out: string[] = [];
  out.push('# Performance');
  out.push('');
  out.push(
    '_Generated by `npm run bench` from its latest run; edit `bench/report.ts`, not this file. ' +
      'Raw figures: `bench/results/latest.json`._',
  );
  out.push('');
  out.push('## What is measured');
  out.push('');
  out.push(
    `One run (${info.mode}, started ${info.startedAt}) measures each engine in turn: PostgreSQL on a fresh ` +
      'database created for the run (`rhizome_bench_<pid>`, dropped after), and PGlite with on-disk ' +
      'storage in a temporary directory (removed after). The data is a seeded synthetic CSV ' +
      '(`bench/generate.ts`, mulberry32, cached in `bench/data/people-<seed>-<N>.csv`): realistic US ' +
      'names, addresses, phones like (510) 555-0134 and ZIPs, a few tags per person; 10% of rows repeat ' +
      "an earlier row's e-mail (the same person: same names and birthdate, e-mail upper-cased, a new " +
      'phone half the time) and 2% are malformed (bad e-mail, impossible date, wrong column count, ' +
      'unparseable phone, in about equal shares).',
  );
  out.push('');
  out.push(
    `1. **Baseline importer** ("import baseline (one transaction per person)"), the way classic CRM importers ` +
      'work: per row one transaction that looks the person up by e-mail (person_email joined to person), ' +
      'then inserts the person and each e-mail, phone and address row one statement at a time. It runs ' +
      `on the first ${info.baselineRows.toLocaleString('en-US')} rows into its own empty organization, first, ` +
      'while the database is still empty.',
  );
  out.push(
    `2. **Import** ("import N people") of ${info.size.toLocaleString('en-US')} rows with matching and dedupe ` +
      'through the real importer (`runPeopleImport`) into an empty organization: rows/s, total time and ' +
      'peak RSS. On PostgreSQL the import runs in the benchmark process (RSS sampled every 100 ms; the ' +
      "Node process only, the server's memory is not counted). On PGlite the database lives in the " +
      'importing process, so the import runs as an operator runs it: `rhizome import people` in its own ' +
      'process on the existing data directory, the time being the one it prints and the peak RSS its ' +
      'high-water mark (VmHWM), PGlite included. Ratio = importer rows/s ÷ baseline rows/s.',
  );
  out.push(
    `3. **Re-import** ("re-import … (half known)"): a ${info.mixedRows.toLocaleString('en-US')}-row list into ` +
      'the populated organization, whose first half are the first rows of the main file (people who ' +
      'already exist) and second half new people (another seed).',
  );
  out.push(
    '4. **People search** over the imported people, after VACUUM ANALYZE (PostgreSQL; ANALYZE on ' +
      'PGlite). Every person gets a home unit in a tree of 10 regions × 10 locals (by a hash of the id), ' +
      `so a region holds ~10% of the people and a local ~1%. ${info.queriesPerKind} varied queries per ` +
      'kind, drawn from the data, after 10 warm-up queries: one-word name prefix (3-4 letters of a given ' +
      'or family name), two-word name prefix, fuzzy name (a full name with one letter wrong), e-mail ' +
      '(exact), tag, unit subtree (region, local) and ZIP. "search <kind>" is one page of 50 ids ' +
      '(`searchPeopleIds`); "search count+page <kind>" is `searchPeople`: the filtered total count, the ' +
      'first page of 50 ids and their full records. "search fuzzy name recall" is the share of fuzzy ' +
      'searches whose first page holds someone of the name meant (the name before its typo). ' +
      'The naive baseline for the one-word name prefix is ' +
      "`given_name ILIKE 'x%' OR family_name ILIKE 'x%'` on the raw columns (no index serves it), " +
      "count plus first page; its ratio is how many times faster Rhizome's count+page p95 is. " +
      'Searches run as the app runs them: as `rhizome_app` with the organization set, under row-level ' +
      'security (docs/adr/0008-row-level-security.md). "search <kind> p95 as owner (no RLS)" is the same ' +
      'page of ids as the owner, which bypasses row-level security; "under RLS vs owner" has ratio = ' +
      'owner p95 / rhizome_app p95 (below 1: what row-level security costs).',
  );
  out.push(
    '5. **Scoped search** (`scoped ...`): the same people searched as four users (as `rhizome_app`, like ' +
      'the imports, the audit pages and the crawl), with field masking on: ' +
      'an org admin (organization-wide binding), regional staff (staff_organizer over a region, ~10% of ' +
      'the people), a local organizer (local_organizer over a local, ~1%) and a volunteer host (an ' +
      'assignment to a list of 50 people, first names only). Filters: the unfiltered newest page, ' +
      'one-word name prefixes and tags, in turn. "scoped search <role>" computes the role\'s scope and ' +
      'fetches one page of 50 ids; "scoped count+page <role>" is the whole search a client gets (visible ' +
      'total, first 50 people, projected and masked). The baseline runs the same filters under naive ' +
      "row-level security (a per-row `EXISTS` over the user's bindings with ltree containment, or over " +
      'their assigned list) with the count, the first 50 ids and their records; ratio = naive p95 / ' +
      'scoped p95. "scoped decide" is the pure decision function over the personas\' real grants ' +
      '(2M decisions). "scoped audit overhead" is a page of 100 people loaded alone and with its ' +
      'audit entry, flushes included (ratio = with / without).',
    '6. **OSDI crawl**: every person through real HTTP (`GET /osdi/v1/people?per_page=100` with an ' +
      '`OSDI-API-Token` header, following `_links.next` until there is none): pages/s, total time, ' +
      'page-latency p50/p95. Quick runs stop after 2,000 pages; full runs after 15 minutes (noted below ' +
      'when partial).',
    '7. **Event search** (`bench/events.ts`, "event search ..."): a campaign of 100,000 events placed at ' +
      'random US ZIP-code centroids (as dense as ZIP codes are) with ~5 km of jitter, 95% published and ' +
      "public; the campaign's public search (`searchCampaignEvents`: ZIP + 50 km, a bounding box on the " +
      'position index, then the exact great-circle distance), p50/p95 over 200 (quick) or 1,000 random ' +
      'ZIP codes after 10 warm-up searches. Baseline in the same run: a naive full scan that computes ' +
      'the distance of every event of the campaign (on the first 50 or 200 ZIP codes); ratio = naive p95 ' +
      '/ search p95. The first 20 searches are checked to return exactly what the full scan returns.',
    '8. **Signups** (`bench/signup.ts`, "signup ..."): the real HTTP app (the per-address rate limit ' +
      'lifted for 127.0.0.1) and autocannon in a child process with 100 connections posting public ' +
      'RSVPs to one published event with no limit on places, 30% from 5,000 people the organization ' +
      'already has (e-mails in mixed case), the rest new. Four modes in the same run, each against ' +
      'its own event: one transaction per request (the baseline, a fifth of the requests); group ' +
      'commit (docs/adr/0019-group-commit-for-public-signups.md: the batch answers with the status, ' +
      'the path of an event with places); the intake log (docs/adr/0026-rsvp-intake-log.md: the ' +
      "server's path here, answered once the RSVP is in the log, merged after); and the ceiling (the " +
      'honeypot filled: answered, nothing written). 10,000 requests quick, 100,000 full. RSVPs/s = ' +
      '202 answers / wall time; p50/p99 are latencies as autocannon saw them. For the intake log, how ' +
      'long the merge went on after the last answer, and the end-to-end rate (answers / (load + that ' +
      'time)). Afterwards (the intake once merged) the database is counted: RSVPs stored against the ' +
      'accepted ones, new people stored once each, known people not copied (`lost`, `duplicated`).',
  );
  out.push('');
  out.push('## Targets');
  out.push('');
  out.push(mdRow(['measure', 'engine', 'target']));
  out.push(mdRow(['---', '---', '---']));
  for (const t of TARGETS) out.push(mdRow([t.label, t.engine ?? 'both', t.text]));
  out.push('');
  out.push('## Results');
  out.push('');
  for (const engine of engines) {
    out.push(`### ${engine === 'postgres' ? 'PostgreSQL' : 'PGlite (on-disk)'}`);
    out.push('');
    const run = info.runs?.[engine];
    const size = run?.size ?? info.size;
    if (run) {
      out.push(
        `_From the ${run.mode} run started ${run.startedAt}: ${run.size.toLocaleString('en-US')} people, ` +
          `baseline on ${run.baselineRows.toLocaleString('en-US')} rows, re-import of ${run.mixedRows.toLocaleString('en-US')} rows, ` +
          `${run.queriesPerKind} queries per search kind._`,
      );
      out.push('');
    }
    out.push(mdRow(['measure', 'value', 'baseline', 'ratio', 'target']));
    out.push(mdRow(['---', '---:', '---:', '---:', '---']));
    for (const r of results.filter((x) => x.engine === engine)) {
      out.push(
        mdRow([
          r.name,
          `${fmt(r.value)} ${r.unit}`,
          r.baseline === null ? '' : fmt(r.baseline),
          r.ratio === null ? '' : `${r.ratio.toFixed(1)}×`,
          targetFor(r, size),
        ]),
      );
    }
    out.push('');
  }
  out.push('## Import: where the time goes');
  out.push('');
  for (const paragraph of IMPORT_ANALYSIS) out.push(paragraph, '');
  if (info.partRuns && Object.keys(info.partRuns).length > 0) {
    out.push(
      `_Event search and signup figures come from separate \`--only events,signup\` runs (started ` +
        `${Object.keys(info.partRuns).join(', ')}); the other figures from the run named above each table._`,
    );
    out.push('');
  }
  if (info.notes.length) {
    out.push('## Notes from this run');
    out.push('');
    for (const n of info.notes) out.push(`- ${n}`);
    out.push('');
  }
  out.push('## Machine');
  out.push('');
  out.push(`- CPUs (nproc): ${m.cpus} (${m.cpuModel})`);
  out.push(`- Memory: ${m.memoryGiB.toFixed(1)} GiB`);
  out.push(`- OS: ${m.os}; Node ${m.node}`);
  out.push(`- PostgreSQL: ${m.postgres ?? 'not measured'}`);
  out.push(`- PGlite: ${m.pglite}`);
  out.push('');
  out.push(
    'The machine is shared and small (other work ran alongside), so single figures are noisy: ' +
      'latencies are quoted as p50/p95 over many queries, rates over whole runs. Re-run with ' +
      '`npm run bench` (full: 1M rows) or `npm run bench -- --quick` (50k rows); ' +
      "options `--engine pglite|postgres|both`, `--size N`, `--floor` (the import's write floor, adr/0032).",
  );
  out.push('');
  return out.join('\n');
}
