import { type Command, InvalidArgumentError } from 'commander';
import { DEFAULT_LINK_DAYS, MAX_LINK_DAYS, mintConsentLink, rotateConsentKey } from '../../consent/index.js';
import { isUuid } from '../../db/ids.js';
import { action, withOrg } from '../shared.js';

function parseDays(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_LINK_DAYS)
    throw new InvalidArgumentError(`--days must be a whole number from 1 to ${MAX_LINK_DAYS}`);
  return n;
}

/** `consent link` (a person's consent page, printed once) and `consent rotate-key` (end every link). */
export function registerConsentCommands(program: Command): void {
  const consent = program.command('consent').description("consent links: a person's own page of choices");
  consent
    .command('link')
    .description('make a consent link for a person and print its address (shown once: only its HMAC is kept)')
    .requiredOption('--org <slug>', 'organization')
    .requiredOption('--person <id>', "the person's id")
    .requiredOption('--purpose <text>', 'why: the message or campaign the link goes out with')
    .option('--days <n>', `how long it works (default ${DEFAULT_LINK_DAYS})`, parseDays, DEFAULT_LINK_DAYS)
    .option('--base-url <url>', "the server's public address", 'http://127.0.0.1:4000')
    .action(
      action(async (options) => {
        const person = String(options.person);
        if (!isUuid(person)) throw new InvalidArgumentError('--person must be a person id (a UUID)');
        await withOrg({ ...options, org: String(options.org) }, 'consent link', async (ctx) => {
          const link = await mintConsentLink(ctx, person, {
            purpose: String(options.purpose),
            expires_in_days: options.days as number,
          });
          const base = String(options.baseUrl).replace(/\/+$/, '');
          process.stdout.write(`${base}${link.path}\nexpires ${link.expires_at.toISOString()}\n`);
        });
      }),
    );
  consent
    .command('rotate-key')
    .description("replace the organization's consent key: every outstanding link stops working")
    .requiredOption('--org <slug>', 'organization')
    .action(
      action(async (options) => {
        await withOrg({ ...options, org: String(options.org) }, 'consent rotate-key', async (ctx) => {
          const ended = await rotateConsentKey(ctx.db, ctx.actor.orgId, ctx.now());
          process.stdout.write(`consent key replaced; ${ended} live link${ended === 1 ? '' : 's'} ended\n`);
        });
      }),
    );
}
