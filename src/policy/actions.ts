/**
 * The closed vocabulary of access: actions a role or assignment can grant, and the classes every
 * field belongs to. Roles themselves are data (the `role` table, editable per organization; the
 * built-in ones are seeded by migration 0002), so this file holds no role → action table.
 */
export const ACTIONS = [
  'people.read',
  'people.write',
  'people.delete',
  'people.merge',
  'people.import',
  'people.export',
  /** Counts and aggregates over people, never individuals (the analyst role has only this). */
  'people.aggregate',
  /** Reach a person through Rhizome (a relay) without receiving their address or number. */
  'person.message',
  'person.call',
  'tags.read',
  'tags.write',
  'lists.read',
  'lists.write',
  'fields.manage',
  'units.read',
  'units.manage',
  'users.manage',
  /** Roles, bindings and assignments; explain and preview for other users; view as. */
  'access.manage',
  'audit.read',
  'tokens.own',
  /** See the organization's ladders, their levels and rules (not anyone's level). */
  'ladders.read',
  /** Create and change ladders, levels and suggestion rules. */
  'ladders.manage',
  /** Create and run call lists, phone trees and surveys (callers need only their assignment). */
  'calls.manage',
  /** Events of the grant's units (and public ones); a host's assignment gives their own event. */
  'events.read',
  /** Create and change events, shifts, hosts and RSVPs; check people in. */
  'events.write',
  /** Approve proposed events and publish them (campaign moderators too, for their campaign). */
  'events.moderate',
  /** Draw turf, cut walk lists from it and assign canvassers (who need only their assignment). */
  'turf.manage',
  /** Forms and petitions of the grant's units: create, change, embed, read their submissions. */
  'forms.manage',
] as const;
export type Action = (typeof ACTIONS)[number];

/**
 * Actions that configure the whole organization: only a grant over the whole organization gives
 * them (a chapter's admin binding does not let them edit the organization's units or fields).
 */
export const ORG_WIDE_ACTIONS: ReadonlySet<Action> = new Set([
  'people.import',
  'fields.manage',
  'units.manage',
  'users.manage',
  'access.manage',
  'audit.read',
  'ladders.manage',
]);

/** Actions about one person or a set of people: scoped by the grant's units or assignment. */
export const PEOPLE_ACTIONS: ReadonlySet<Action> = new Set([
  'people.read',
  'people.write',
  'people.delete',
  'people.merge',
  'people.export',
  'people.aggregate',
  'person.message',
  'person.call',
]);

export const FIELD_CLASSES = ['basic', 'contact', 'status', 'restricted', 'financial'] as const;
export type FieldClass = (typeof FIELD_CLASSES)[number];

export const BUILTIN_ROLES = [
  'org_admin',
  'data_manager',
  'staff_organizer',
  'local_organizer',
  'volunteer',
  'analyst',
] as const;
export type BuiltinRole = (typeof BUILTIN_ROLES)[number];

export const isAction = (value: string): value is Action => (ACTIONS as readonly string[]).includes(value);
export const isFieldClass = (value: string): value is FieldClass =>
  (FIELD_CLASSES as readonly string[]).includes(value);
