import { type Command, InvalidArgumentError } from 'commander';
import { DEFAULT_HOST, DEFAULT_PORT, readEnv, resolveDbTarget } from '../../config.js';
import { firstRunHint, startServer } from '../../server.js';
import { buildWeb, canBuildWeb, webBuildState } from '../../web/index.js';
import { action } from '../shared.js';

const port = (value: string): number => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65535)
    throw new InvalidArgumentError(`use a number from 0 to 65535, not "${value}"`);
  return n;
};

/** `rhizome start`: the server, until Ctrl-C or SIGTERM. */
export function registerStart(program: Command): void {
  program
    .command('start')
    .description('run the Rhizome server')
    .option('--port <port>', `port to listen on (default: PORT, else ${DEFAULT_PORT})`, port)
    .option('--host <address>', `address to listen on (default: RHIZOME_HOST, else ${DEFAULT_HOST})`)
    .option(
      '--secure-cookies',
      'mark the session cookie Secure, for HTTPS through a proxy (default: RHIZOME_SECURE_COOKIES=1)',
    )
    .action(
      action(async (options) => {
        const env = readEnv();
        const target = resolveDbTarget({ databaseUrl: options.databaseUrl, dataDir: options.dataDir }, env);
        await buildWebOnFirstStart();
        const server = await startServer({
          target,
          port: (options.port as number | undefined) ?? env.PORT ?? DEFAULT_PORT,
          host: (options.host as string | undefined) ?? env.RHIZOME_HOST ?? DEFAULT_HOST,
          secureCookies:
            options.secureCookies === true ||
            /^(1|true|yes)$/i.test(process.env.RHIZOME_SECURE_COOKIES ?? ''),
        });
        const where = target.engine === 'pglite' ? `embedded database in ${target.dataDir}` : 'PostgreSQL';
        process.stdout.write(`Rhizome is running at ${server.url} (${where})\n`);
        process.stdout.write(`Web app: ${server.url}/\nAPI reference: ${server.url}/api/v1/docs\n`);
        const flags = options.dataDir
          ? `--data-dir ${String(options.dataDir)}`
          : options.databaseUrl
            ? '--database-url ...'
            : '';
        const hint = await firstRunHint(server.database, flags);
        if (hint) process.stdout.write(`\n${hint}\n`);
        const shutdown = (signal: string) => {
          process.stdout.write(`\n${signal}: stopping…\n`);
          server.stop().then(
            () => process.exit(0),
            () => process.exit(1),
          );
        };
        process.once('SIGINT', () => shutdown('SIGINT'));
        process.once('SIGTERM', () => shutdown('SIGTERM'));
      }),
    );
}

/**
 * `npm install` builds the web app (the `prepare` script); a checkout that skipped it gets its
 * build here, once. Without the build tool (an install without dev dependencies) the server still
 * runs and `/` says how to build.
 */
async function buildWebOnFirstStart(): Promise<void> {
  if (webBuildState() !== 'missing') return;
  if (!(await canBuildWeb())) {
    process.stderr.write('The web app is not built and Vite is not installed: run npm install.\n');
    return;
  }
  process.stdout.write('Building the web app (first start)…\n');
  await buildWeb();
}
