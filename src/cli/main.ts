import { Command } from 'commander';
import { registerAccountCommands } from './commands/accounts.js';
import { registerAuditCommands } from './commands/audit.js';
import { registerDatabaseCommands } from './commands/database.js';
import { registerExportPeople } from './commands/export-people.js';
import { registerImportPeople } from './commands/import-people.js';
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
  registerImportPeople(program);
  registerExportPeople(program);
  registerAuditCommands(program);
  return program;
}

/** Runs the command line (bin/rhizome.js calls this). */
export async function main(argv: string[]): Promise<void> {
  await buildProgram().parseAsync(argv);
}
