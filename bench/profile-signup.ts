/**
 * Where a public signup's time goes (a tool for tuning, not part of `npm run bench`): the signup
 * bench's set-up on a fresh PostgreSQL database or a PGlite directory, one load (bench/signup-load.ts)
 * while the V8 profiler samples this process, then the functions with the most self time and the
 * packages and project files they belong to.
 *
 *   node bin/run-ts.js bench/profile-signup.ts [--engine postgres|pglite] [--mode group|ceiling|baseline]
 *     [--amount 20000] [--out profile.cpuprofile]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { type Profiler, Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { sql } from 'kysely';
import { openDatabase } from '../src/db/connect.js';
import { migrate } from '../src/db/migrate.js';
import { buildApp } from '../src/http/app.js';
import { silentLog } from '../src/log.js';
import { publishedEvent, seedSignupOrg } from './signup.js';
import { benchAuditLog, scratchPgDatabase } from './steps.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const opts = new Command()
  .option('--engine <engine>', 'postgres or pglite', 'postgres')
  .option('--mode <mode>', 'group, ceiling or baseline', 'ceiling')
  .option('--amount <n>', 'requests', (v) => Number.parseInt(v, 10), 20_000)
  .option('--out <file>', 'write the .cpuprofile here too')
  .option('--no-profile', 'measure only')
  .option('--no-intake', 'RSVPs through the batch even to an event with no limit on places')
  .option('--pg-url <url>', 'PostgreSQL server', 'postgres://postgres@127.0.0.1:5432/postgres')
  .parse()
  .opts<{
    engine: string;
    mode: string;
    amount: number;
    out?: string;
    pgUrl: string;
    profile: boolean;
    intake: boolean;
  }>();

let dir: string | undefined;
let dropPg: (() => Promise<void>) | undefined;
let database: Awaited<ReturnType<typeof openDatabase>>;
if (opts.engine === 'postgres') {
  const scratch = await scratchPgDatabase(opts.pgUrl, `rhizome_profile_${process.pid}`);
  dropPg = scratch.drop;
  database = await openDatabase({ engine: 'postgres', url: scratch.url }, { poolSize: 10 });
} else {
  dir = mkdtempSync(path.join(os.tmpdir(), 'rhizome-profile-'));
  database = await openDatabase({ engine: 'pglite', dataDir: dir });
}

try {
  await migrate(database);
  const db = database.db;
  const { orgId, unitId } = await seedSignupOrg(db);
  const eventId = await publishedEvent(db, orgId, unitId, 'Profiled');
  const app = await buildApp({
    db,
    log: silentLog,
    audit: benchAuditLog(db),
    signupGroupCommit: opts.mode !== 'baseline',
    signupIntake: opts.intake,
    rateLimitAllowList: ['127.0.0.1', '::1', '::ffff:127.0.0.1'],
  });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const { port } = app.server.address() as AddressInfo;
  const outDir = mkdtempSync(path.join(os.tmpdir(), 'rhizome-profile-out-'));
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: 200 });
  if (opts.profile) await session.post('Profiler.start');
  const started = process.cpuUsage();
  await new Promise<void>((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        path.join(ROOT, 'bin', 'run-ts.js'),
        path.join(ROOT, 'bench', 'signup-load.ts'),
        JSON.stringify({
          url: `http://127.0.0.1:${port}`,
          path: `/api/v1/public/events/${eventId}/rsvps`,
          connections: 100,
          amount: opts.amount,
          knownCount: 5000,
          knownShare: 0.3,
          newPrefix: 'new',
          honeypot: opts.mode === 'ceiling',
          out: path.join(outDir, 'load.json'),
        }),
      ],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`load exited ${code}`))));
  });
  const cpu = process.cpuUsage(started);
  const waiting = (await sql<{ n: number }>`SELECT count(*)::int AS n FROM signup_intake`.execute(db)).rows[0]
    ?.n;
  const drainStarted = performance.now();
  await app.close();
  const drainS = (performance.now() - drainStarted) / 1000;
  const { profile } = opts.profile ? await session.post('Profiler.stop') : { profile: null };
  session.disconnect();
  const load = JSON.parse(readFileSync(path.join(outDir, 'load.json'), 'utf8')) as {
    total: number;
    durationS: number;
    latency: { p50: number; p99: number };
    statuses: Record<string, number>;
  };
  rmSync(outDir, { recursive: true, force: true });
  if (opts.out && profile) writeFileSync(opts.out, JSON.stringify(profile));

  const perRequestUs = ((cpu.user + cpu.system) / load.total).toFixed(0);
  console.log(
    `${opts.engine} ${opts.mode}: ${load.total} requests in ${load.durationS.toFixed(1)} s = ${Math.round(load.total / load.durationS)} req/s, ` +
      `p50 ${load.latency.p50} ms, p99 ${load.latency.p99} ms, statuses ${JSON.stringify(load.statuses)}; ` +
      `this process: ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s CPU, ${perRequestUs} µs a request; ` +
      `${waiting} in the intake log at the last answer, merged ${drainS.toFixed(1)} s later`,
  );
  if (profile) summarize(profile);
} finally {
  await database.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
  await dropPg?.();
}

/** Self time per function and per place (package or project file). */
function summarize(profile: Profiler.Profile): void {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const counts = new Map<number, number>();
  for (const id of profile.samples ?? []) counts.set(id, (counts.get(id) ?? 0) + 1);
  const total = profile.samples?.length ?? 1;
  const place = (url: string) => {
    if (!url) return '(native)';
    const nm = url.lastIndexOf('node_modules/');
    if (nm >= 0) {
      const rest = url.slice(nm + 13).split('/');
      return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] as string);
    }
    if (url.startsWith('node:')) return url;
    return path.relative(ROOT, url.replace('file://', ''));
  };
  const fn = new Map<string, number>();
  const pl = new Map<string, number>();
  for (const [id, c] of counts) {
    const node = byId.get(id);
    if (!node) continue;
    const f = node.callFrame;
    const key = `${f.functionName || '(anonymous)'} ${place(f.url)}:${f.lineNumber + 1}`;
    fn.set(key, (fn.get(key) ?? 0) + c);
    const p = place(f.url);
    pl.set(p, (pl.get(p) ?? 0) + c);
  }
  const top = (m: Map<string, number>, n: number) =>
    [...m.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, n)
      .map(([k, c]) => `${((100 * c) / total).toFixed(1).padStart(5)}%  ${k}`)
      .join('\n');
  console.log(`\nself time by place:\n${top(pl, 25)}\n\nself time by function:\n${top(fn, 40)}`);
}
