import { existsSync } from 'node:fs';
import path from 'node:path';
import v8 from 'node:v8';
import vm from 'node:vm';
import cliProgress from 'cli-progress';
import { type Command, InvalidArgumentError } from 'commander';
import type { Database } from '../../db/connect.js';
import { maintainTables } from '../../db/maintenance.js';
import { AppError } from '../../errors.js';
import { type ImportProgress, type ImportSummary, runPeopleImport } from '../../imports/index.js';
import { reportCommandError, withOrg } from '../shared.js';

/** Options every command that works on one organization's data takes. */
export interface OrgCommandOptions {
  org: string;
  databaseUrl?: string;
  dataDir?: string;
}

/** Adds --database-url and --data-dir unless the program already has them (global options). */
export function addDatabaseOptions(command: Command, program: Command): Command {
  if (!program.options.some((o) => o.long === '--database-url'))
    command.option(
      '--database-url <url>',
      'PostgreSQL URL (default: DATABASE_URL, else the embedded database)',
    );
  if (!program.options.some((o) => o.long === '--data-dir'))
    command.option('--data-dir <dir>', 'embedded database directory (default: ./rhizome-data)');
  return command;
}

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];

function parseMapping(pairs: string[]): Record<string, string> {
  const mapping: Record<string, string> = {};
  for (const pair of pairs) {
    // Field names never hold "=", column names might: split at the last one.
    const at = pair.lastIndexOf('=');
    if (at <= 0 || at === pair.length - 1) {
      throw new InvalidArgumentError(`--map "${pair}": use column=field, e.g. --map "E-mail=email"`);
    }
    mapping[pair.slice(0, at)] = pair.slice(at + 1);
  }
  return mapping;
}

function parseBatchSize(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 50_000)
    throw new InvalidArgumentError('--batch-size must be a whole number from 1 to 50000');
  return n;
}

/**
 * A full garbage collection every `everyRows` rows. V8 collects its old generation lazily: each
 * batch's rows live through a commit, get promoted, and the garbage they leave grew the heap by
 * ~140 MB per 50k rows before V8 chose to collect it, taking an embedded import past its 500 MB
 * budget. A full collection of that heap takes tens of milliseconds.
 */
function periodicGc(everyRows: number): (rowsRead: number) => void {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  let next = everyRows;
  return (rowsRead) => {
    if (rowsRead < next) return;
    next = rowsRead + everyRows;
    gc();
  };
}

/**
 * After an import into the embedded database, autovacuum's rules, as `rhizome start` would apply
 * them within a minute (PGlite has no autovacuum): a large import leaves the people tables
 * VACUUMed, so counts over a unit answer from the index (no page is marked all-visible before),
 * and ANALYZEd, so the name columns have statistics (the import refreshed only its key columns).
 * A small import into a large organization changes too little to do anything. On PostgreSQL its
 * autovacuum does this.
 */
async function afterImport(database: Database): Promise<void> {
  if (database.engine === 'pglite') await maintainTables(database);
}

/** Progress on a terminal: a bar by bytes (so the ETA holds for any row length); elsewhere lines. */
function progressReporter(): { update: (p: ImportProgress) => void; stop: () => void } {
  if (process.stderr.isTTY) {
    const bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format: '{bar} {percentage}% | {rows} rows | {rate} rows/s | ETA {eta_formatted}',
        hideCursor: true,
        etaBuffer: 20,
      },
      cliProgress.Presets.shades_classic,
    );
    let started = false;
    return {
      update(p) {
        if (!started) {
          bar.start(p.totalBytes || 1, 0, { rows: 0, rate: 0 });
          started = true;
        }
        bar.update(p.bytesRead, { rows: p.rowsRead, rate: p.rowsPerSecond });
      },
      stop() {
        if (started) bar.stop();
      },
    };
  }
  let last = 0;
  return {
    update(p) {
      const now = Date.now();
      if (now - last < 5000) return;
      last = now;
      const percent = p.totalBytes > 0 ? Math.floor((100 * p.bytesRead) / p.totalBytes) : 100;
      process.stderr.write(`imported ${p.rowsRead} rows (${percent}%), ${p.rowsPerSecond} rows/s\n`);
    },
    stop() {},
  };
}

export function formatImportSummary(file: string, org: string, s: ImportSummary): string {
  const lines = [
    `Imported ${file} into ${org} (import ${s.importId})${s.resumedFromLine !== null ? `, resumed from line ${s.resumedFromLine}` : ''}`,
    `  rows read:                        ${s.rowsRead}`,
    `  created:                          ${s.created}`,
    `  updated:                          ${s.updated}`,
    `  flagged as possible duplicates:   ${s.flagged}`,
    `  rejected:                         ${s.rejected}${s.rejectsPath ? ` (see ${s.rejectsPath})` : ''}`,
  ];
  if (s.skipped > 0) lines.push(`  blank rows skipped:               ${s.skipped}`);
  lines.push(`  columns: ${s.columns.map((c) => `${c.column} -> ${c.field}`).join(', ')}`);
  if (s.unmappedColumns.length > 0)
    lines.push(
      `  not imported (no matching field; use --map "column=field"): ${s.unmappedColumns.join(', ')}`,
    );
  lines.push(`  took ${(s.durationMs / 1000).toFixed(1)} s`);
  return `${lines.join('\n')}\n`;
}

/**
 * `rhizome import people FILE --org SLUG [--rejects FILE] [--map column=field ...] [--tag NAME ...]
 * [--unit PATH] [--batch-size N]`. Rejected rows do not fail the command (they are in the rejects
 * file); bad arguments and unreadable files do.
 */
export function registerImportPeople(program: Command): void {
  const parent =
    program.commands.find((c) => c.name() === 'import') ??
    program.command('import').description('import data from files');
  const command = parent
    .command('people')
    .description('import people from a CSV file (resumable: run it again to continue an interrupted import)')
    .argument('<file>', 'CSV file (comma, semicolon or tab separated; UTF-8 or Windows-1252)')
    .requiredOption('--org <slug>', 'organization to import into')
    .option('--rejects <file>', 'where to write rejected rows (default: FILE.rejects.csv)')
    .option('--map <column=field>', 'map a column to a field (repeatable)', collect, [])
    .option('--tag <name>', 'tag everyone imported (repeatable)', collect, [])
    .option('--unit <path>', 'home unit for people who have none, e.g. east.oakland')
    .option('--batch-size <n>', 'rows per transaction', parseBatchSize)
    .option('--no-resume', 'start over even if an earlier import of this file was interrupted');
  addDatabaseOptions(command, program);
  command.action(async (file: string, _options: unknown, cmd: Command) => {
    const options = cmd.optsWithGlobals() as OrgCommandOptions & {
      rejects?: string;
      map: string[];
      tag: string[];
      unit?: string;
      batchSize?: number;
      resume: boolean;
    };
    const progress = progressReporter();
    const collectGarbage = periodicGc(10_000);
    try {
      const mapping = parseMapping(options.map);
      if (!existsSync(file)) throw new AppError('bad_request', `cannot read ${file}: no such file`);
      const rejectsPath =
        options.rejects ?? path.join(path.dirname(file), `${path.basename(file)}.rejects.csv`);
      const summary = await withOrg(
        options,
        `import people ${file}`,
        async (ctx) =>
          runPeopleImport(ctx, {
            file,
            mapping,
            tags: options.tag,
            rejectsPath,
            resume: options.resume,
            ...(options.unit ? { unitPath: options.unit } : {}),
            ...(options.batchSize ? { batchSize: options.batchSize } : {}),
            onProgress: (p) => {
              collectGarbage(p.rowsRead);
              progress.update(p);
            },
          }),
        afterImport,
      );
      progress.stop();
      process.stdout.write(formatImportSummary(file, options.org, summary));
    } catch (error) {
      progress.stop();
      reportCommandError(error);
    }
  });
}
