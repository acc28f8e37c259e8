import { recordNow } from '../audit/index.js';
import type { Actor, Ctx } from '../context.js';
import { AppError, notFound } from '../errors.js';
import { allows } from '../policy/index.js';
import { loadAccess } from './load.js';

/** Sent by an admin on a read: run this request with that user's access. */
export const VIEW_AS_HEADER = 'x-rhizome-view-as';
/** Sent back on every response to a view-as request: whose access produced it. */
export const VIEWING_AS_HEADER = 'X-Rhizome-Viewing-As';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const READS = new Set(['GET', 'HEAD']);

/**
 * "View as": an admin (access.manage) reads as another user of the organization, to see exactly
 * what that user sees. The request runs with the target's live grants and user id; `viewAsBy`
 * keeps the admin's id. Only reads: a write with the header is refused, so nothing is ever done
 * in the target's name. `ctx.actor` is the admin as authenticated.
 */
export async function viewAs(
  ctx: Ctx,
  header: string | string[],
  method: string,
  url?: string,
): Promise<Actor> {
  const admin = ctx.actor;
  if (!READS.has(method))
    throw new AppError('forbidden', 'view as is read-only: send writes without X-Rhizome-View-As');
  if (admin.kind !== 'user' || !allows(admin, 'access.manage'))
    throw new AppError('forbidden', 'viewing as another user needs access.manage', {
      internal: 'access.manage',
    });
  if (Array.isArray(header) || !UUID.test(header.trim()))
    throw new AppError('validation_failed', 'X-Rhizome-View-As: one user id', {
      fields: [{ field: VIEW_AS_HEADER, message: 'one user id' }],
    });
  const targetId = header.trim().toLowerCase();
  const target = await ctx.db
    .selectFrom('app_user')
    .select(['id', 'disabled_at'])
    .where('org_id', '=', admin.orgId)
    .where('id', '=', targetId)
    .executeTakeFirst();
  if (!target) throw notFound('user');
  // A disabled user sees nothing at all; showing their grants' view would be a view nobody has.
  if (target.disabled_at)
    throw new AppError('bad_request', 'this user is disabled: they cannot sign in and see nothing');
  await onViewAs(ctx, target.id, url);
  return {
    kind: 'user',
    orgId: admin.orgId,
    userId: target.id,
    via: admin.via,
    access: await loadAccess(ctx.db, admin.orgId, target.id, ctx.now()),
    viewAsBy: admin.userId,
  };
}

/**
 * Records a view-as in the audit trail, once per request, before the request runs: the admin
 * (`ctx.actor`) read as `targetUserId`, with the route. The reads the request then makes are
 * recorded as that user's, labelled "viewed as by" the admin.
 */
export async function onViewAs(ctx: Ctx, targetUserId: string, url?: string): Promise<void> {
  await recordNow(ctx.db, {
    orgId: ctx.actor.orgId,
    action: 'view_as.read',
    actor: ctx.actor,
    at: ctx.now(),
    detail: { target_user_id: targetUserId, ...(url ? { url } : {}) },
  });
}
