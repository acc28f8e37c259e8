import { type Command, InvalidArgumentError } from 'commander';
import { AUDIT_ACTIONS, type AuditEventView, listAudit, verifyAuditChain } from '../../audit/index.js';
import type { AuditAction } from '../../db/schema.js';
import { findOrgBySlug } from '../../orgs/index.js';
import { action, openForCommand, withOrg } from '../shared.js';

function parseLimit(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > 10_000)
    throw new InvalidArgumentError('--limit must be a whole number from 1 to 10000');
  return n;
}

function parseAction(value: string): AuditAction {
  if (!(AUDIT_ACTIONS as readonly string[]).includes(value))
    throw new InvalidArgumentError(`--action must be one of: ${AUDIT_ACTIONS.join(', ')}`);
  return value as AuditAction;
}

/** One line per entry: seq, time, action, actor, people, fields, purpose, detail. */
function entryLine(e: AuditEventView): string {
  const actor = [e.actor.kind, e.actor.id, e.actor.label].filter(Boolean).join(':');
  const parts = [String(e.seq), e.at.toISOString(), e.action, actor];
  if (e.subject_ids.length > 0)
    parts.push(`people=${e.subject_ids.length === 1 ? e.subject_ids[0] : e.subject_ids.length}`);
  if (e.fields.length > 0) parts.push(`fields=${e.fields.join(',')}`);
  if (e.purpose) parts.push(`purpose=${JSON.stringify(e.purpose)}`);
  if (Object.keys(e.detail).length > 0) parts.push(JSON.stringify(e.detail));
  return parts.join('  ');
}

/** `audit verify [--org SLUG]` and `audit list --org SLUG [--limit N] [--action A]`. */
export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('the audit trail: who read, exported or changed what');
  audit
    .command('verify')
    .description('recompute the audit chain; exit 1 when an entry was edited or removed')
    .option('--org <slug>', 'one organization (default: every organization)')
    .action(
      action(async (options) => {
        const { database, close } = await openForCommand(options, 'audit verify');
        try {
          const slug = options.org === undefined ? undefined : String(options.org);
          const org = slug === undefined ? undefined : await findOrgBySlug(database.db, slug);
          const result = await verifyAuditChain(database.db, org?.id);
          const orgs = result.heads.length;
          const entries = `${result.checked} ${result.checked === 1 ? 'entry' : 'entries'}`;
          const head = org ? result.heads[0] : undefined;
          const where = org ? `in ${org.slug}` : `in ${orgs} organization${orgs === 1 ? '' : 's'}`;
          process.stdout.write(
            result.ok
              ? `audit trail intact: ${entries} checked ${where}${head ? `; head ${head.seq} ${head.hash}` : ''}\n`
              : `audit trail NOT intact: ${result.problems.length}${result.truncated ? '+' : ''} problem${result.problems.length === 1 ? '' : 's'} in ${entries} checked ${where}\n`,
          );
          for (const p of result.problems)
            process.stdout.write(`org ${p.orgId} seq ${p.seq}: ${p.problem} (${p.detail})\n`);
          process.exitCode = result.ok ? 0 : 1;
        } finally {
          await close();
        }
      }),
    );
  audit
    .command('list')
    .description("print an organization's audit entries, newest first")
    .requiredOption('--org <slug>', 'organization')
    .option('--limit <n>', 'how many entries (default 50)', parseLimit, 50)
    .option('--action <action>', `only this action (${AUDIT_ACTIONS.join(', ')})`, parseAction)
    .action(
      action(async (options) => {
        await withOrg({ ...options, org: String(options.org) }, 'audit list', async (ctx) => {
          let remaining = options.limit as number;
          let cursor: number | undefined;
          while (remaining > 0) {
            const page = await listAudit(ctx, {
              limit: Math.min(remaining, 500),
              ...(cursor !== undefined ? { cursor } : {}),
              ...(options.action ? { action: options.action as AuditAction } : {}),
            });
            for (const entry of page.items) process.stdout.write(`${entryLine(entry)}\n`);
            remaining -= page.items.length;
            if (!page.next) break;
            cursor = Number(page.next);
          }
        });
      }),
    );
}
