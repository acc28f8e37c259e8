import { mkdirSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { AuditLog } from './audit/index.js';
import { acquireLock, updateLock } from './cli/lock.js';
import { DEFAULT_HOST, DEFAULT_PORT } from './config.js';
import { type Database, type DbTarget, openDatabase } from './db/connect.js';
import { startEmbeddedMaintenance } from './db/maintenance.js';
import { migrate } from './db/migrate.js';
import { buildApp } from './http/app.js';
import { createLog, type Log } from './log.js';
import { countOrgs } from './orgs/index.js';

export interface ServerOptions {
  target: DbTarget;
  port?: number;
  host?: string;
  log?: Log;
  /** Secure flag on the session cookie: set it when users reach Rhizome over HTTPS (a proxy). */
  secureCookies?: boolean;
}

export interface RunningServer {
  app: FastifyInstance;
  database: Database;
  url: string;
  stop(): Promise<void>;
}

/**
 * Opens the database (holding an embedded data directory for this process), migrates it, and
 * serves the HTTP app. `stop()` closes the server, then the database (PGlite flushes on close),
 * then releases the data directory.
 */
export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const log = options.log ?? createLog();
  const port = options.port ?? DEFAULT_PORT;
  const host = options.host ?? DEFAULT_HOST;
  let release = () => {};
  if (options.target.engine === 'pglite' && options.target.dataDir) {
    // Created on first start.
    mkdirSync(options.target.dataDir, { recursive: true });
    release = acquireLock(options.target.dataDir, { kind: 'server', what: 'rhizome start', port, host });
  }
  let database: Database | undefined;
  let audit: AuditLog | undefined;
  try {
    database = await openDatabase(options.target);
    const applied = await migrate(database);
    if (applied.length > 0) log.info({ applied }, 'database migrated');
    audit = new AuditLog(database.db, log);
    const app = await buildApp({
      db: database.db,
      log,
      audit,
      secureCookies: options.secureCookies ?? false,
    });
    const address = await app.listen({ port, host });
    const url = address.replace('[::1]', 'localhost');
    if (options.target.engine === 'pglite' && options.target.dataDir) {
      const bound = app.server.address();
      if (bound && typeof bound === 'object') updateLock(options.target.dataDir, { port: bound.port, host });
    }
    const opened = database;
    const openedAudit = audit;
    // PGlite has no autovacuum: the server runs its rules itself (src/db/maintenance.ts).
    const maintenance = startEmbeddedMaintenance(opened, log);
    let stopping: Promise<void> | undefined;
    return {
      app,
      database: opened,
      url,
      stop: () => {
        stopping ??= (async () => {
          await app.close();
          await maintenance.stop();
          // After the last request, before the database: what the log still holds is written.
          await openedAudit.close();
          await opened.close();
          release();
        })();
        return stopping;
      },
    };
  } catch (error) {
    await audit?.close().catch(() => {});
    await database?.close().catch(() => {});
    release();
    throw error;
  }
}

/** What a newcomer needs after the first start: how to create the organization and its admin. */
export async function firstRunHint(database: Database, flags: string): Promise<string | null> {
  if ((await countOrgs(database.db)) > 0) return null;
  const where = flags ? ` ${flags}` : '';
  return [
    'No organization yet. Stop the server (Ctrl-C) and create yours and its first admin:',
    `  npx rhizome org create --name "Your Group" --slug your-group${where}`,
    `  npx rhizome user add --org your-group --email you@example.org --role org_admin${where}`,
    `  npx rhizome token create --org your-group --email you@example.org --name laptop${where}`,
    'Then start it again with: npm start',
  ].join('\n');
}
