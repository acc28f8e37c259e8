import { Command, CommanderError } from 'commander';
import { registerAccessCommands } from './commands/access.js';
import { registerAccountCommands } from './commands/accounts.js';
import { registerAuditCommands } from './commands/audit.js';
import { registerConsentCommands } from './commands/consent.js';
import { registerDatabaseCommands } from './commands/database.js';
import { registerExportPeople } from './commands/export-people.js';
import { registerImportPeople } from './commands/import-people.js';
import { registerRoleCommands } from './commands/roles.js';
import { registerStart } from './commands/start.js';

/** The `rhizome` command. Every subcommand takes --data-dir or --database-url, before or after it. */
export function buildProgram(): Command {
  const program = new Command('rhizome')
    .description('Rhizome, the organizing database')
    .option(
      '--data-dir <dir>',
      'embedded database directory (default: RHIZOME_DATA_DIR, else ./rhizome-data)',
    )
    .option('--database-url <url>', 'PostgreSQL instead of the embedded database (default: DATABASE_URL)')
    .showSuggestionAfterError(true)
    // Each command's --help lists --data-dir and --database-url too.
    .configureHelp({ showGlobalOptions: true });
  registerStart(program);
  registerDatabaseCommands(program);
  registerAccountCommands(program);
  registerRoleCommands(program);
  registerAccessCommands(program);
  registerImportPeople(program);
  registerExportPeople(program);
  registerAuditCommands(program);
  registerConsentCommands(program);
  return program;
}

/** Runs the command line (bin/rhizome.js calls this). */
export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (error) {
    // A command that overrides commander's exit (access test: usage errors exit 2) throws after
    // commander has printed the message.
    if (!(error instanceof CommanderError)) throw error;
    process.exitCode = error.exitCode;
  }
}
