/**
 * Where an import's time goes: `node bin/run-ts.js bench/profile-import.ts [--engine pglite|postgres]
 * [--size N]`. Runs the real importer into an empty organization of a fresh database, then a
 * half-known list into the populated one, and sums the time of every statement by its shape (the
 * first words of its SQL). What the statements do not account for is JavaScript (parsing, mapping,
 * matching) that did not overlap a statement.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Command } from 'commander';
import { sql } from 'kysely';
import { openDatabase } from '../src/db/connect.js';
import { migrate } from '../src/db/migrate.js';
import { ensureMixedCsv, ensurePeopleCsv } from './generate.js';
import { freshOrg, importWithRss, makeCtx, scratchPgDatabase } from './steps.js';

const ROOT = path.resolve(import.meta.dirname, '..');
const opts = new Command()
  .option('--engine <engine>', 'pglite or postgres', 'postgres')
  .option('--size <n>', 'rows', (v) => Number.parseInt(v, 10), 50_000)
  .option('--pg-url <url>', 'PostgreSQL server', 'postgres://postgres@127.0.0.1:5432/postgres')
  .option('--keep', 'keep the database (PostgreSQL) for a look afterwards')
  .parse(process.argv)
  .opts<{ engine: string; size: number; pgUrl: string; keep?: boolean }>();

const DATA = path.join(ROOT, 'bench', 'data');
const main = await ensurePeopleCsv(DATA, { seed: 20_241_124, size: opts.size });
const half = Math.min(Math.round(opts.size / 10), 100_000);
const mixed = await ensureMixedCsv(DATA, { seed: 20_241_124, size: opts.size }, half, {
  seed: 77_777,
  size: half,
  idOffset: 10_000_000,
});

const byShape = new Map<string, { n: number; ms: number }>();
const onQuery = (text: string, ms: number) => {
  const shape = text.replace(/\s+/g, ' ').trim().slice(0, 70);
  const entry = byShape.get(shape) ?? { n: 0, ms: 0 };
  entry.n++;
  entry.ms += ms;
  byShape.set(shape, entry);
};

let cleanup: () => Promise<void>;
let database: Awaited<ReturnType<typeof openDatabase>>;
if (opts.engine === 'postgres') {
  const scratch = await scratchPgDatabase(opts.pgUrl, `rhizome_profile_${process.pid}`);
  database = await openDatabase({ engine: 'postgres', url: scratch.url }, { onQuery });
  cleanup = async () => {
    if (opts.keep) console.log(`kept database ${new URL(scratch.url).pathname.slice(1)}`);
    else await scratch.drop();
  };
} else {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'rhizome-profile-'));
  database = await openDatabase({ engine: 'pglite', dataDir: dir }, { onQuery });
  cleanup = async () => rmSync(dir, { recursive: true, force: true });
}

const TICKS_MS = 10;
/** CPU seconds of this process plus (PostgreSQL) this database's server backends. */
async function cpuSeconds(): Promise<{ node: number; server: number }> {
  const usage = process.cpuUsage();
  let server = 0;
  if (opts.engine === 'postgres') {
    const { rows } = await sql<{ pid: number }>`SELECT pid FROM pg_stat_activity
      WHERE datname = current_database()`.execute(database.db);
    for (const { pid } of rows) {
      try {
        const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
        server += ((Number(fields[11]) + Number(fields[12])) * TICKS_MS) / 1000;
      } catch {}
    }
  }
  return { node: (usage.user + usage.system) / 1e6, server };
}

const report = (title: string, ms: number, rows: number, rss: number) => {
  const shapes = [...byShape.entries()].sort((a, b) => b[1].ms - a[1].ms);
  const inSql = shapes.reduce((s, [, e]) => s + e.ms, 0);
  console.log(
    `\n${title}: ${rows} rows in ${(ms / 1000).toFixed(2)} s = ${Math.round(rows / (ms / 1000))} rows/s; ` +
      `peak RSS ${rss.toFixed(0)} MB; statements ${(inSql / 1000).toFixed(2)} s`,
  );
  for (const [shape, e] of shapes.slice(0, 25)) {
    console.log(`${(e.ms / 1000).toFixed(3).padStart(8)} s ${String(e.n).padStart(6)}x  ${shape}`);
  }
  byShape.clear();
};

try {
  await migrate(database);
  byShape.clear();
  const orgId = await freshOrg(database.db, 'profile');
  const ctx = makeCtx(database.db, orgId);
  let cpu = await cpuSeconds();
  const first = await importWithRss(ctx, main.file);
  let after = await cpuSeconds();
  console.log(
    `CPU node ${(after.node - cpu.node).toFixed(2)} s, server ${(after.server - cpu.server).toFixed(2)} s`,
  );
  report(`${opts.engine} import`, first.ms, first.summary.rowsRead, first.peakRssMb);
  console.log(JSON.stringify({ ...first.summary, columns: undefined }));
  cpu = await cpuSeconds();
  const second = await importWithRss(ctx, mixed);
  after = await cpuSeconds();
  console.log(
    `CPU node ${(after.node - cpu.node).toFixed(2)} s, server ${(after.server - cpu.server).toFixed(2)} s`,
  );
  report(`${opts.engine} re-import (half known)`, second.ms, second.summary.rowsRead, second.peakRssMb);
  console.log(JSON.stringify({ ...second.summary, columns: undefined }));
} finally {
  await database.close();
  await cleanup();
}
process.exit(0);
