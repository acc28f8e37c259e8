import { type Command, InvalidArgumentError } from 'commander';
import { grantRole, revokeRole } from '../../access/index.js';
import { findUserByEmail, listUsers, type UserView } from '../../auth/index.js';
import { AppError } from '../../errors.js';
import { BUILTIN_ROLES } from '../../policy/index.js';
import { action, withOrg } from '../shared.js';

/**
 * `--expires`: a day (the role holds through that day, UTC) or an ISO date and time. A day is read
 * as "until the end of it" because that is what "expires 2026-12-31" means to the person typing it.
 */
export function parseExpiry(value: string): Date {
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const day = new Date(`${value}T00:00:00Z`);
    if (!Number.isNaN(day.getTime()) && day.toISOString().startsWith(value))
      return new Date(day.getTime() + 24 * 3600 * 1000);
  } else if (/^\d{4}-\d{2}-\d{2}T/.test(value)) {
    const at = new Date(value);
    if (!Number.isNaN(at.getTime())) return at;
  }
  throw new InvalidArgumentError('use a day like 2026-12-31 or an ISO time like 2026-12-31T18:00:00Z');
}

const over = (unit: string | null | undefined) => (unit ? `over ${unit}` : 'over the whole organization');

/** `role grant`, `role revoke`, `role list`: who may do what, from a script. */
export function registerRoleCommands(program: Command): void {
  const role = program.command('role').description("users' roles (role bindings)");
  role
    .command('grant')
    .description('grant a role to a user over the whole organization or a unit and the units under it')
    .requiredOption('--org <slug>', 'organization')
    .requiredOption('--email <email>', 'the user')
    .requiredOption('--role <role>', `a role key: ${BUILTIN_ROLES.join(', ')}, or a custom role`)
    .option(
      '--unit <path>',
      'grant it over this unit and the units under it (default: the whole organization)',
    )
    .option(
      '--expires <date>',
      'the role ends after this day (YYYY-MM-DD, UTC) or at this ISO time (default: never)',
      parseExpiry,
    )
    .action(
      action(async (options) => {
        const expires = options.expires as Date | undefined;
        if (expires && expires.getTime() <= Date.now())
          throw new AppError('validation_failed', `--expires ${expires.toISOString()} is in the past`);
        await withOrg({ ...options, org: String(options.org) }, 'role grant', async (ctx) => {
          const user = await findUserByEmail(ctx, String(options.email));
          const granted = await grantRole(ctx, {
            userId: user.id,
            role: String(options.role),
            unit: options.unit ? String(options.unit) : null,
            expiresAt: expires ?? null,
          });
          process.stdout.write(
            `granted ${granted.role} ${over(granted.unit)} to ${user.email}${granted.expires_at ? ` until ${granted.expires_at.toISOString()}` : ''}\n`,
          );
        });
      }),
    );

  role
    .command('revoke')
    .description('take a role away from a user (the binding over that unit, or over the organization)')
    .requiredOption('--org <slug>', 'organization')
    .requiredOption('--email <email>', 'the user')
    .requiredOption('--role <role>', 'the role key')
    .option('--unit <path>', 'the unit the role was granted over (default: the whole organization)')
    .action(
      action(async (options) => {
        await withOrg({ ...options, org: String(options.org) }, 'role revoke', async (ctx) => {
          const user = await findUserByEmail(ctx, String(options.email));
          const revoked = await revokeRole(ctx, {
            userId: user.id,
            role: String(options.role),
            unit: options.unit ? String(options.unit) : null,
          });
          process.stdout.write(`revoked ${revoked.role} ${over(revoked.unit)} from ${user.email}\n`);
        });
      }),
    );

  role
    .command('list')
    .description("list users' role bindings, one a line: email, role, unit, expiry")
    .requiredOption('--org <slug>', 'organization')
    .option('--email <email>', 'only this user')
    .action(
      action(async (options) => {
        await withOrg({ ...options, org: String(options.org) }, 'role list', async (ctx) => {
          const users: UserView[] = options.email
            ? [await findUserByEmail(ctx, String(options.email))]
            : await listUsers(ctx);
          const rows = users.flatMap((u) =>
            u.roles.map((r) => [
              u.email,
              r.role,
              r.unit ?? '(organization)',
              r.expires_at
                ? `${r.expires_at.getTime() <= Date.now() ? 'expired' : 'until'} ${r.expires_at.toISOString()}`
                : '',
            ]),
          );
          if (rows.length === 0) {
            process.stdout.write('no role bindings\n');
            return;
          }
          const widths = [0, 1, 2].map((i) => Math.max(...rows.map((r) => (r[i] as string).length)));
          for (const row of rows)
            process.stdout.write(
              `${row
                .map((cell, i) => (i < 3 ? cell.padEnd(widths[i] as number) : cell))
                .join('  ')
                .trimEnd()}\n`,
            );
        });
      }),
    );
}
