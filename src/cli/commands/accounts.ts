import type { Command } from 'commander';
import { addUser, createToken, findUserByEmail } from '../../auth/index.js';
import { createOrg } from '../../orgs/index.js';
import { BUILTIN_ROLES } from '../../policy/index.js';
import { addUnit, UNIT_KINDS } from '../../units/index.js';
import { action, openForCommand, readSecret, withOrg } from '../shared.js';

/** A unit's kind when none is given: by its depth in the tree. */
export function defaultUnitKind(path: string): (typeof UNIT_KINDS)[number] {
  const depth = path.split('.').length;
  return depth === 1 ? 'chapter' : depth === 2 ? 'local' : 'team';
}

/** `org create`, `user add`, `token create`, `unit add`: setting up an organization from a script. */
export function registerAccountCommands(program: Command): void {
  const org = program.command('org').description('organizations');
  org
    .command('create')
    .description('create an organization')
    .requiredOption('--name <name>', 'its name, e.g. "Eastside Tenants Union"')
    .requiredOption('--slug <slug>', 'its short name in URLs and commands, e.g. eastside')
    .action(
      action(async (options) => {
        const { database, close } = await openForCommand(options, 'org create');
        try {
          const created = await createOrg(database.db, {
            name: String(options.name),
            slug: String(options.slug),
          });
          process.stdout.write(`created organization ${created.slug} (${created.name})\n`);
        } finally {
          await close();
        }
      }),
    );

  const user = program.command('user').description('users');
  user
    .command('add')
    .description('add a user; the password is read from standard input when it is not a terminal')
    .requiredOption('--org <slug>', 'organization')
    .requiredOption('--email <email>', "the user's email (they sign in with it)")
    .requiredOption('--role <role>', `a role key: ${BUILTIN_ROLES.join(', ')}, or a custom role`)
    .option(
      '--unit <path>',
      'grant the role over this unit and the units under it (default: the whole organization)',
    )
    .option('--name <name>', 'display name')
    .option('--no-password', 'no password: the user works through API tokens only')
    .action(
      action(async (options) => {
        // Read the password before opening the database, so a prompt does not hold the data directory.
        const password = options.password === false ? undefined : await readSecret('password: ', true);
        await withOrg({ ...options, org: String(options.org) }, 'user add', async (ctx) => {
          const added = await addUser(ctx, {
            email: String(options.email),
            role: String(options.role),
            ...(options.unit ? { unit: String(options.unit) } : {}),
            ...(password !== undefined ? { password } : {}),
            ...(options.name ? { display_name: String(options.name) } : {}),
          });
          const where = options.unit ? ` over ${String(options.unit)}` : '';
          process.stdout.write(
            `added ${added.email} as ${String(options.role)}${where} to ${String(options.org)}\n`,
          );
        });
      }),
    );

  const token = program.command('token').description('API tokens');
  token
    .command('create')
    .description('create an API token for a user; prints the token alone on the last line')
    .requiredOption('--org <slug>', 'organization')
    .requiredOption('--email <email>', 'the user the token acts as')
    .requiredOption('--name <name>', 'what the token is for, e.g. "laptop" or "Action Network sync"')
    .action(
      action(async (options) => {
        await withOrg({ ...options, org: String(options.org) }, 'token create', async (ctx) => {
          const owner = await findUserByEmail(ctx, String(options.email));
          const created = await createToken(ctx, owner.id, { name: String(options.name) });
          process.stderr.write(
            `token "${created.name}" for ${owner.email}; it is shown once, keep it safe:\n`,
          );
          process.stdout.write(`${created.token}\n`);
        });
      }),
    );

  const unit = program.command('unit').description("units of an organization's tree");
  unit
    .command('add')
    .description('add a unit; its parent must exist')
    .requiredOption('--org <slug>', 'organization')
    .requiredOption('--path <path>', 'its place in the tree, e.g. east or east.oakland')
    .requiredOption('--name <name>', 'its name, e.g. "Oakland"')
    .option(
      '--kind <kind>',
      `one of: ${UNIT_KINDS.join(', ')} (default by depth: east is a chapter, east.oakland a local, deeper a team)`,
    )
    .action(
      action(async (options) => {
        await withOrg({ ...options, org: String(options.org) }, 'unit add', async (ctx) => {
          const path = String(options.path);
          const added = await addUnit(ctx, {
            path,
            name: String(options.name),
            kind: (options.kind ?? defaultUnitKind(path)) as (typeof UNIT_KINDS)[number],
          });
          process.stdout.write(`added unit ${added.path} (${added.name}, ${added.kind})\n`);
        });
      }),
    );
}
