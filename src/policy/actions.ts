import type { UserRole } from '../db/schema.js';

/**
 * The closed set of things a route or service can ask permission for. Issue-level access
 * (units, assignments, field classes) refines these; a role without the action is denied outright.
 */
export const ACTIONS = [
  'people.read',
  'people.write',
  'people.delete',
  'people.merge',
  'people.import',
  'people.export',
  'tags.read',
  'tags.write',
  'lists.read',
  'lists.write',
  'fields.manage',
  'units.read',
  'units.manage',
  'users.manage',
  'tokens.own',
  'audit.read',
] as const;
export type Action = (typeof ACTIONS)[number];

const ALL: readonly Action[] = ACTIONS;
const ROLE_ACTIONS: Record<UserRole, readonly Action[]> = {
  org_admin: ALL,
  // The audit trail shows who read whom: only the organization's admins read it.
  data_manager: ALL.filter((a) => a !== 'users.manage' && a !== 'units.manage' && a !== 'audit.read'),
  staff_organizer: [
    'people.read',
    'people.write',
    'tags.read',
    'tags.write',
    'lists.read',
    'lists.write',
    'units.read',
    'tokens.own',
  ],
  local_organizer: [
    'people.read',
    'people.write',
    'tags.read',
    'lists.read',
    'lists.write',
    'units.read',
    'tokens.own',
  ],
  volunteer: ['tags.read', 'units.read'],
  analyst: ['units.read', 'tags.read', 'tokens.own'],
};

export const ROLES = Object.keys(ROLE_ACTIONS) as UserRole[];

/** Deny by default: true only when the role lists the action. */
export function roleAllows(role: UserRole, action: Action): boolean {
  return ROLE_ACTIONS[role].includes(action);
}
