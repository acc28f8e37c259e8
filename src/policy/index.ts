import type { Actor } from '../context.js';
import { AppError } from '../errors.js';
import { type Action, roleAllows } from './actions.js';

export { ACTIONS, type Action, ROLES, roleAllows } from './actions.js';

/** Pure decision: may this actor perform this action in its organization? */
export function decide(actor: Actor, action: Action): boolean {
  if (actor.kind === 'system') return true;
  return roleAllows(actor.role, action);
}

export function assertAllowed(actor: Actor, action: Action): void {
  if (!decide(actor, action))
    throw new AppError('forbidden', 'you do not have permission to do this', { internal: action });
}
