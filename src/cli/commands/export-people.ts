import type { Command } from 'commander';
import { exportPeopleCsv } from '../../exports/index.js';
import { reportCommandError, withOrg } from '../shared.js';
import { addDatabaseOptions, type OrgCommandOptions } from './import-people.js';

/**
 * `rhizome export people --org SLUG --out FILE.csv [--columns a,b,c] [--tag NAME] [--unit PATH]`:
 * streams the organization's people to a CSV file.
 */
export function registerExportPeople(program: Command): void {
  const parent =
    program.commands.find((c) => c.name() === 'export') ??
    program.command('export').description('export data to files');
  const command = parent
    .command('people')
    .description('export people to a CSV file')
    .requiredOption('--org <slug>', 'organization to export')
    .requiredOption('--out <file>', 'CSV file to write')
    .option(
      '--columns <list>',
      'comma-separated columns (id, given_name, email, emails, phone, city, tags, field:KEY, ...)',
    )
    .option('--tag <name>', 'only people with this tag')
    .option('--unit <path>', 'only people in this unit or under it');
  addDatabaseOptions(command, program);
  command.action(async (_options: unknown, cmd: Command) => {
    const options = cmd.optsWithGlobals() as OrgCommandOptions & {
      out: string;
      columns?: string;
      tag?: string;
      unit?: string;
    };
    try {
      const summary = await withOrg(options, 'export people', async (ctx) =>
        exportPeopleCsv(ctx, {
          out: options.out,
          ...(options.columns ? { columns: options.columns.split(',') } : {}),
          filters: {
            ...(options.tag ? { tag: options.tag } : {}),
            ...(options.unit ? { unit: options.unit } : {}),
          },
        }),
      );
      process.stdout.write(
        `Exported ${summary.rows} people to ${options.out} (${summary.columns.join(', ')})\n`,
      );
    } catch (error) {
      reportCommandError(error);
    }
  });
}
