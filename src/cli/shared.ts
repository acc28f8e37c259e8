import { mkdirSync } from 'node:fs';
import type { Command } from 'commander';
import pino from 'pino';
import { AuditLog } from '../audit/index.js';
import { resolveDbTarget } from '../config.js';
import type { Ctx } from '../context.js';
import { type Database, openDatabase } from '../db/connect.js';
import { migrate } from '../db/migrate.js';
import { tenantDb } from '../db/tenant.js';
import { AppError } from '../errors.js';
import { createLog, type Log } from '../log.js';
import { findOrgBySlug } from '../orgs/index.js';
import { acquireLock } from './lock.js';

/** Flags every command takes (set on the program, accepted before or after the command). */
export interface DatabaseFlags {
  databaseUrl?: string;
  dataDir?: string;
}

// Commands print their own results; the log says only what went wrong (a failed audit write).
const commandLog = (): Log =>
  createLog(process.env.LOG_LEVEL ?? 'error', pino.destination({ dest: 2, sync: true }));

/** PGlite's buffer cache in a command's process (see openForCommand). */
export const COMMAND_SHARED_BUFFERS = '16MB';

/**
 * Opens the database a command names, migrated, holding the embedded data directory for this
 * process (a server or another command holding it makes this fail with a one-line reason), with
 * the process's audit log. `close()` writes what the audit log holds, then closes the database.
 */
export async function openForCommand(
  flags: DatabaseFlags,
  what: string,
): Promise<{ database: Database; audit: AuditLog; log: Log; close: () => Promise<void> }> {
  const target = resolveDbTarget({ databaseUrl: flags.databaseUrl, dataDir: flags.dataDir });
  let release = () => {};
  if (target.engine === 'pglite' && target.dataDir) {
    mkdirSync(target.dataDir, { recursive: true });
    release = acquireLock(target.dataDir, { kind: 'command', what });
  }
  try {
    // A command is one pass over its data (an import, an export): a small buffer cache costs it
    // little and keeps an embedded import under 500 MB of RSS (peak on 50k rows: 611 MB with the
    // default 128MB, 481 MB with 32MB, 415 MB with 16MB). The server keeps the default for search.
    const database = await openDatabase(target, { sharedBuffers: COMMAND_SHARED_BUFFERS });
    await migrate(database);
    const log = commandLog();
    const audit = new AuditLog(database.db, log);
    return {
      database,
      audit,
      log,
      close: async () => {
        await audit.close();
        await database.close();
        release();
      },
    };
  } catch (error) {
    release();
    throw error;
  }
}

/**
 * Runs `fn` as the CLI operator of one organization (a system actor, its SQL as rhizome_app for
 * that organization), then closes the database.
 */
export async function withOrg<T>(
  flags: DatabaseFlags & { org: string },
  what: string,
  fn: (ctx: Ctx) => Promise<T>,
  /** Owner work after `fn` succeeds (maintenance row-level security would refuse). */
  afterwards?: (database: Database) => Promise<void>,
): Promise<T> {
  const { database, audit, log, close } = await openForCommand(flags, what);
  try {
    const org = await findOrgBySlug(database.db, flags.org).catch(() => {
      throw new AppError(
        'not_found',
        `no organization with the slug "${flags.org}" (create it with: rhizome org create)`,
      );
    });
    const result = await fn({
      // As rhizome_app for this organization: row-level security holds the command to it.
      db: tenantDb(database.db, org.id),
      actor: { kind: 'system', orgId: org.id, label: 'cli' },
      now: () => new Date(),
      log,
      audit,
    });
    await afterwards?.(database);
    return result;
  } finally {
    await close();
  }
}

/** One line on standard error, a failing exit code: how every command reports a failure. */
export function reportCommandError(error: unknown): void {
  const message = error instanceof AppError || error instanceof Error ? error.message : String(error);
  process.stderr.write(`error: ${message.split('\n')[0]}\n`);
  process.exitCode = 1;
}

export type CommandOptions = Record<string, unknown> & DatabaseFlags;

/** Wraps a command's action: options merged with the program's globals, positional arguments, errors as one line. */
export function action(fn: (options: CommandOptions, args: string[]) => Promise<void>) {
  return async (...args: unknown[]) => {
    const command = args[args.length - 1] as Command;
    try {
      await fn(command.optsWithGlobals() as CommandOptions, args.slice(0, -2) as string[]);
    } catch (error) {
      reportCommandError(error);
    }
  };
}

/** Reads a secret: all of standard input when it is not a terminal, else a prompt without echo. */
export async function readSecret(prompt: string, confirm: boolean): Promise<string> {
  if (!process.stdin.isTTY) {
    let text = '';
    for await (const chunk of process.stdin) text += String(chunk);
    return text.replace(/\r?\n$/, '');
  }
  const ask = async (question: string) => {
    const { createInterface } = await import('node:readline');
    const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
    const output = rl as unknown as { _writeToOutput: (s: string) => void };
    process.stderr.write(question);
    output._writeToOutput = () => {};
    const answer = await new Promise<string>((resolve) => rl.question('', resolve));
    rl.close();
    process.stderr.write('\n');
    return answer;
  };
  const first = await ask(prompt);
  if (confirm && (await ask('again: ')) !== first)
    throw new AppError('validation_failed', 'the two passwords differ');
  return first;
}
