import type { Actor } from '../context.js';
import { AppError } from '../errors.js';
import type { Action } from './actions.js';
import { type Access, fullAccess, mayAtAll } from './decide.js';

export * from './actions.js';
export * from './decide.js';
export * from './fields.js';

/** The actor's access: a user's grants, or everything for the operator at the CLI. */
export function accessOf(actor: Actor): Access {
  return actor.kind === 'user' ? actor.access : fullAccess(actor.orgId);
}

/** Route-level gate: may this actor perform the action anywhere at all? */
export function allows(actor: Actor, action: Action): boolean {
  return mayAtAll(accessOf(actor), action);
}

export function assertAllowed(actor: Actor, action: Action): void {
  if (!allows(actor, action))
    throw new AppError('forbidden', 'you do not have permission to do this', { internal: action });
}
