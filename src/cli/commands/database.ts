import { accessSync, constants, existsSync } from 'node:fs';
import type { Command } from 'commander';
import { sql } from 'kysely';
import { resolveDbTarget } from '../../config.js';
import { migrationState } from '../../db/migrate.js';
import { rlsHealth } from '../../db/tenant.js';
import { readLock } from '../lock.js';
import { action, openForCommand } from '../shared.js';

/** `migrate` and `doctor`. */
export function registerDatabaseCommands(program: Command): void {
  program
    .command('migrate')
    .description('bring the database schema up to date (every command also does this)')
    .action(
      action(async (options) => {
        const { database, close } = await openForCommand(options, 'migrate');
        try {
          // openForCommand has migrated; report the state.
          const state = await migrationState(database);
          process.stdout.write(`database is up to date: ${state.applied.length} migrations applied\n`);
        } finally {
          await close();
        }
      }),
    );

  program
    .command('doctor')
    .description('check the database, its migrations and the data directory')
    .action(
      action(async (options) => {
        const target = resolveDbTarget({ databaseUrl: options.databaseUrl, dataDir: options.dataDir });
        let failed = false;
        const check = (ok: boolean, text: string) => {
          process.stdout.write(`${ok ? 'ok  ' : 'FAIL'} ${text}\n`);
          if (!ok) failed = true;
        };
        if (target.engine === 'pglite' && target.dataDir) {
          const dir = target.dataDir;
          const exists = existsSync(dir);
          check(
            true,
            `embedded database in ${dir}${exists ? '' : ' (not created yet: the first command creates it)'}`,
          );
          if (exists) {
            let writable = true;
            try {
              accessSync(dir, constants.W_OK);
            } catch {
              writable = false;
            }
            check(writable, `data directory is ${writable ? '' : 'not '}writable`);
            const holder = readLock(dir);
            if (holder) {
              check(
                true,
                `in use by ${holder.kind === 'server' ? `the server (pid ${holder.pid}, port ${holder.port})` : `pid ${holder.pid} (${holder.what})`}; not opened`,
              );
              if (holder.kind === 'server' && holder.port) {
                const url = `http://${holder.host ?? '127.0.0.1'}:${holder.port}/api/v1/openapi.json`;
                const up = await fetch(url)
                  .then((r) => r.ok)
                  .catch(() => false);
                check(up, `server answers at ${url}`);
              }
              process.exitCode = failed ? 1 : 0;
              return;
            }
          }
          check(true, 'no server or other command holds the data directory');
        } else {
          check(true, `PostgreSQL at ${target.engine === 'postgres' ? new URL(target.url).host : ''}`);
        }
        let database: Awaited<ReturnType<typeof openForCommand>> | undefined;
        try {
          database = await openForCommand(options, 'doctor').catch(async (error) => {
            // Report an unreachable or unmigratable database as a failed check, not a crash.
            check(false, `database: ${(error as Error).message}`);
            return undefined;
          });
          if (database) {
            const version = await sql<{ v: string }>`SELECT current_setting('server_version') AS v`.execute(
              database.database.db,
            );
            check(true, `database reachable (PostgreSQL ${version.rows[0]?.v})`);
            const state = await migrationState(database.database);
            check(
              state.pending.length === 0,
              `${state.applied.length} migrations applied, ${state.pending.length} pending`,
            );
            check(
              state.edited.length === 0,
              state.edited.length === 0
                ? 'no applied migration was edited'
                : `applied migrations edited since: ${state.edited.join(', ')}`,
            );
            const rls = await rlsHealth(database.database.db);
            check(
              rls.unprotected.length === 0,
              rls.unprotected.length === 0
                ? 'row-level security on every table with org_id'
                : `tables with org_id but no row-level security (call enable_tenant_rls): ${rls.unprotected.join(', ')}`,
            );
            // Slower searches, not a wrong answer: a warning, not a failure.
            process.stdout.write(
              rls.notLeakproof.length === 0
                ? 'ok   search functions are LEAKPROOF (searches keep their indexes under row-level security)\n'
                : `warn search functions not LEAKPROOF, searches under row-level security scan instead of using indexes: ${rls.notLeakproof.join(', ')} (a superuser can run: ALTER FUNCTION <name> LEAKPROOF)\n`,
            );
          }
        } finally {
          await database?.close();
        }
        process.exitCode = failed ? 1 : 0;
      }),
    );
}
