import { readFileSync } from 'node:fs';
import { type Command, CommanderError } from 'commander';
import {
  checkExpectations,
  type ExpectationResult,
  explainAccess,
  formatExpectation,
  type ParseProblem,
  parseExpectations,
} from '../../access/index.js';
import { ACTIONS } from '../../policy/index.js';
import { action, reportCommandError, withOrg } from '../shared.js';

/** `access test` exit codes: every expectation holds, one is violated, the check could not run. */
export const TEST_EXIT = { ok: 0, violated: 1, trouble: 2 } as const;

const peopleCount = (n: number) => `${n} ${n === 1 ? 'person' : 'people'}`;

function describeResult(r: ExpectationResult): string {
  const what = formatExpectation(r.expectation);
  const where = `line ${r.expectation.line}`;
  if (r.holds) {
    const count =
      r.people !== null && r.expectation.target?.kind !== 'person' ? ` (${peopleCount(r.people)})` : '';
    return `ok    ${where}  ${what}${count}`;
  }
  if (r.expectation.target && r.expectation.target.kind !== 'person') {
    const verb = r.expectation.effect === 'allow' ? 'denied' : 'allowed';
    return `FAIL  ${where}  ${what}: ${r.violations} of ${peopleCount(r.people ?? 0)} ${verb}, e.g. ${r.examples.join(', ')}`;
  }
  return `FAIL  ${where}  ${what}: ${r.expectation.effect === 'allow' ? 'denied' : 'allowed'} (${r.reasons.join('; ')})`;
}

const problemLine = (file: string, p: ParseProblem) => `error: ${file}:${p.line}:${p.column}: ${p.message}\n`;

/** `access explain` and `access test`: reading the live configuration, never changing it. */
export function registerAccessCommands(program: Command): void {
  const access = program.command('access').description('explain and test who may do what');
  access
    .command('explain')
    .description('why a user may or may not do something to a person: ALLOW or DENY, then the reasons')
    .requiredOption('--org <slug>', 'organization')
    .requiredOption('--user <email>', 'the user (email or id)')
    .option('--person <id>', "the person's id (without it: may the user do this at all?)")
    .option('--field <name>', 'a field, e.g. emails or custom_fields.shirt_size')
    .option('--action <action>', `one of ${ACTIONS.join(', ')}`, 'people.read')
    .action(
      action(async (options) => {
        await withOrg({ ...options, org: String(options.org) }, 'access explain', async (ctx) => {
          const explained = await explainAccess(
            ctx.db,
            ctx.actor.orgId,
            {
              user: String(options.user),
              action: String(options.action),
              ...(options.person ? { person: String(options.person) } : {}),
              ...(options.field ? { field: String(options.field) } : {}),
            },
            ctx.now(),
          );
          const lines = [explained.allowed ? 'ALLOW' : 'DENY', ...explained.reasons.map((r) => r.message)];
          if (!explained.allowed) {
            lines.push(`live grants of ${explained.user.email}:`);
            if (explained.grants.length === 0) lines.push('  none');
            for (const g of explained.grants) lines.push(`  ${g.description}`);
          }
          process.stdout.write(`${lines.join('\n')}\n`);
        });
      }),
    );

  const test = access
    .command('test')
    .description(
      'check a file of expectations (lines like "deny maria@example.org read emails of people in fresno") against the live configuration; exit 0: all hold, 1: one is violated, 2: the file is malformed or the check could not run',
    )
    .argument('<file>', 'the expectations, one a line (# starts a comment)')
    .requiredOption('--org <slug>', 'organization')
    // A usage error is "could not run" (2), not "violated" (1): scripts and CI tell them apart.
    .exitOverride((error) => {
      throw new CommanderError(error.exitCode === 0 ? 0 : TEST_EXIT.trouble, error.code, error.message);
    });
  test.action(async (file: string, _options: unknown, cmd: Command) => {
    const options = cmd.optsWithGlobals() as { org: string; databaseUrl?: string; dataDir?: string };
    try {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch (error) {
        throw new Error(`cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}`);
      }
      const parsed = parseExpectations(text);
      if (parsed.problems.length > 0) {
        for (const p of parsed.problems) process.stderr.write(problemLine(file, p));
        process.exitCode = TEST_EXIT.trouble;
        return;
      }
      const { results, problems } = await withOrg(options, `access test ${file}`, (ctx) =>
        checkExpectations(ctx.db, ctx.actor.orgId, parsed.expectations, ctx.now()),
      );
      if (problems.length > 0) {
        for (const p of problems) process.stderr.write(problemLine(file, p));
        process.exitCode = TEST_EXIT.trouble;
        return;
      }
      for (const r of results) process.stdout.write(`${describeResult(r)}\n`);
      const violated = results.filter((r) => !r.holds).length;
      process.stdout.write(
        `${results.length} expectation${results.length === 1 ? '' : 's'}: ${results.length - violated} hold, ${violated} violated\n`,
      );
      process.exitCode = violated > 0 ? TEST_EXIT.violated : TEST_EXIT.ok;
    } catch (error) {
      reportCommandError(error);
      process.exitCode = TEST_EXIT.trouble;
    }
  });
}
