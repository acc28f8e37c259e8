/** What the dashboard and admin screens read from the API (see src/dashboard, src/access, src/audit). */

export interface Dashboard {
  period: { since: string; until: string; weeks: number };
  people: { total: number; new_per_week: { week: string; count: number }[] };
  ladders: { id: string; name: string; up: number; down: number; onto: number }[];
  events: { id: string; title: string; starts_at: string; rsvps: number; attended: number }[];
  follow_ups: { mine_due_soon: number; mine_overdue: number; overdue: number };
}

export interface AdminUnit {
  id: string;
  path: string;
  name: string;
  kind: 'network' | 'organization' | 'chapter' | 'local' | 'team';
  created_at: string;
}
export const UNIT_KINDS = ['network', 'organization', 'chapter', 'local', 'team'] as const;

export interface UserRole {
  binding_id: string;
  role: string;
  unit: string | null;
  expires_at: string | null;
}

export interface User {
  id: string;
  email: string;
  display_name: string | null;
  roles: UserRole[];
  disabled: boolean;
  created_at: string;
}

export interface Role {
  id: string;
  key: string;
  name: string;
  actions: string[];
  field_classes: string[];
  builtin: boolean;
}

export interface Binding {
  binding_id: string;
  user_id: string;
  role: string;
  unit: string | null;
  expires_at: string | null;
  created_at: string;
}

export interface Assignment {
  id: string;
  user_id: string;
  target_kind: string;
  target_id: string;
  actions: string[];
  field_classes: string[];
  fields: string[];
  expires_at: string | null;
  created_at: string;
}

export interface PreviewPerson {
  id: string;
  given_name: string | null;
  family_name: string | null;
}

export interface Preview {
  user: { id: string; email: string };
  add: string | null;
  remove: string | null;
  people: {
    before: number;
    after: number;
    by_unit: { unit: string | null; name: string | null; before: number; after: number }[];
    gained: { count: number; sample: PreviewPerson[] };
    lost: { count: number; sample: PreviewPerson[] };
  };
  field_classes: { before: string[]; after: string[] };
  fields: { before: string[]; after: string[] };
  actions: { before: string[]; after: string[] };
}

export interface BindingAddition {
  role: string;
  unit: string | null;
  expires_at: string | null;
}

export interface AssignmentAddition {
  target_kind: 'list' | 'saved_search';
  target_id: string;
  actions: string[];
  field_classes: string[];
  fields?: string[];
}

export interface Explanation {
  allowed: boolean;
  reasons: { kind: 'grant' | 'scope' | 'field' | 'deny' | 'none'; message: string }[];
  user: { id: string; email: string };
  action: string;
  person: string | null;
  field: { name: string; class: string } | null;
  grants: { id: string; via: 'binding' | 'assignment'; description: string; expires_at: string | null }[];
}

export const AUDIT_ACTIONS = [
  'person.read',
  'people.export',
  'view_as.start',
  'view_as.read',
  'role.grant',
  'role.revoke',
  'role.define',
  'assignment.create',
  'assignment.delete',
  'policy.change',
  'login',
  'login.failed',
  'logout',
  'token.create',
  'token.revoke',
] as const;

export interface AuditEvent {
  seq: number;
  id: string;
  at: string;
  action: (typeof AUDIT_ACTIONS)[number];
  actor: { kind: 'user' | 'system' | 'anonymous'; id: string | null; label: string | null };
  subject_ids: string[];
  fields: string[];
  purpose: string | null;
  detail: Record<string, unknown>;
  hash: string;
}

export interface AuditVerify {
  ok: boolean;
  checked: number;
  heads: { orgId: string; seq: number; hash: string }[];
  problems: { seq: number; problem: string; detail: string }[];
  truncated: boolean;
}

export const personName = (p: { given_name?: string | null; family_name?: string | null }): string =>
  [p.given_name, p.family_name].filter((s) => s?.trim()).join(' ');

/** Actions that open the admin area, each with its section. */
export const ADMIN_ACTIONS = ['units.manage', 'users.manage', 'access.manage', 'audit.read'] as const;

/** What changing a role would change for each user who holds it (POST /api/v1/roles/:key/preview). */
export interface RolePreview {
  role: string;
  actions: string[];
  field_classes: string[];
  users: Omit<Preview, 'add' | 'remove'>[];
  total_users: number;
}

export const FIELD_CLASSES = ['basic', 'contact', 'status', 'restricted', 'financial'] as const;

/** The canonical actions (src/policy/actions.ts), grouped as the role form shows them. */
export const ACTION_GROUPS: { key: string; actions: string[] }[] = [
  {
    key: 'people',
    actions: [
      'people.read',
      'people.write',
      'people.delete',
      'people.merge',
      'people.import',
      'people.export',
      'people.aggregate',
    ],
  },
  { key: 'reach', actions: ['person.message', 'person.call'] },
  { key: 'tags', actions: ['tags.read', 'tags.write', 'lists.read', 'lists.write'] },
  {
    key: 'organizing',
    actions: ['ladders.read', 'ladders.manage', 'calls.manage', 'turf.manage', 'forms.manage'],
  },
  { key: 'events', actions: ['events.read', 'events.write', 'events.moderate'] },
  {
    key: 'setup',
    actions: ['units.read', 'units.manage', 'fields.manage', 'users.manage', 'access.manage', 'audit.read'],
  },
  { key: 'self', actions: ['tokens.own'] },
];
