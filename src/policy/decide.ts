import { ACTIONS, type Action, FIELD_CLASSES, type FieldClass, ORG_WIDE_ACTIONS } from './actions.js';
import { type FieldGrant, isPersonField, PERSON_FIELDS, type PersonField } from './fields.js';

/** Which people a grant covers. */
export type Scope =
  | { kind: 'org' }
  /** This unit and every unit under it (by the unit's current path). */
  | { kind: 'unit'; unitId: string; path: string }
  | { kind: 'list'; listId: string }
  | { kind: 'saved_search'; searchId: string }
  /** The people with an RSVP to this event (a host's assignment), and the event itself. */
  | { kind: 'event'; eventId: string };

/** One role binding or assignment of a user, as the decision sees it. */
export interface Grant {
  id: string;
  via: 'binding' | 'assignment';
  /** The role's key (bindings). */
  role: string | null;
  scope: Scope;
  actions: ReadonlySet<Action>;
  classes: ReadonlySet<FieldClass>;
  /** Single fields granted on top of the classes (assignments: a host sees `given_name`). */
  fields: ReadonlySet<string>;
  expiresAt: Date | null;
}

/** Everything a user may do, read fresh for each request (no cache to rebuild). */
export interface Access {
  orgId: string;
  userId: string | null;
  grants: readonly Grant[];
}

/** What the decision needs to know about a person. */
export interface PersonFacts {
  id: string;
  homeUnitPath: string | null;
  /**
   * Ids of the lists, saved searches and events (among the user's assignments) the person belongs
   * to (for an event: has an RSVP that is not cancelled).
   */
  memberOf: ReadonlySet<string>;
  doNotContact: boolean;
  sensitive: boolean;
  legalHold: boolean;
}

export type Reason =
  | { kind: 'grant'; grant: string; via: 'binding' | 'assignment'; message: string }
  | { kind: 'scope'; grant: string; message: string }
  | { kind: 'field'; field: string; fieldClass: FieldClass; message: string }
  | { kind: 'deny'; rule: 'do_not_contact' | 'sensitive' | 'legal_hold'; message: string }
  | { kind: 'none'; message: string };

export interface Decision {
  allowed: boolean;
  /** The chain that led to the answer: grant, scope, field rule or deny rule. */
  reasons: Reason[];
}

/** Full access to one organization (the CLI operator and internal jobs). */
export function fullAccess(orgId: string): Access {
  return {
    orgId,
    userId: null,
    grants: [
      {
        id: 'system',
        via: 'binding',
        role: 'system',
        scope: { kind: 'org' },
        actions: new Set(ACTIONS),
        classes: new Set(FIELD_CLASSES),
        fields: new Set(),
        expiresAt: null,
      },
    ],
  };
}

export function describeScope(scope: Scope): string {
  switch (scope.kind) {
    case 'org':
      return 'the whole organization';
    case 'unit':
      return `unit ${scope.path} and the units under it`;
    case 'list':
      return `list ${scope.listId}`;
    case 'saved_search':
      return `saved search ${scope.searchId}`;
    case 'event':
      return `the attendees of event ${scope.eventId}`;
  }
}

export function describeGrant(grant: Grant): string {
  return grant.via === 'binding'
    ? `role ${grant.role} over ${describeScope(grant.scope)}`
    : `assignment to ${describeScope(grant.scope)}`;
}

/** Whether a unit path lies in the subtree rooted at `root` (labels match whole, not by prefix). */
export function inSubtree(path: string | null, root: string): boolean {
  return path !== null && (path === root || path.startsWith(`${root}.`));
}

/** Whether the grant's scope holds this person (before deny rules). */
export function covers(grant: Grant, person: PersonFacts): boolean {
  switch (grant.scope.kind) {
    case 'org':
      return true;
    case 'unit':
      return inSubtree(person.homeUnitPath, grant.scope.path);
    case 'list':
      return person.memberOf.has(grant.scope.listId);
    case 'saved_search':
      return person.memberOf.has(grant.scope.searchId);
    case 'event':
      return person.memberOf.has(grant.scope.eventId);
  }
}

/**
 * A sensitive record is held back from every grant that does not carry the restricted class:
 * a record's own sensitivity flag wins over ordinary grants.
 */
export const reachesSensitive = (grant: Grant): boolean => grant.classes.has('restricted');

/** The grants that give `action` over this person, deny-by-sensitivity applied. */
export function grantsOver(access: Access, action: Action, person: PersonFacts): Grant[] {
  return access.grants.filter(
    (g) => g.actions.has(action) && covers(g, person) && (!person.sensitive || reachesSensitive(g)),
  );
}

/** Whether any grant gives the action at all (the route-level gate). */
export function mayAtAll(access: Access, action: Action): boolean {
  return access.grants.some(
    (g) => g.actions.has(action) && (!ORG_WIDE_ACTIONS.has(action) || g.scope.kind === 'org'),
  );
}

/** This person's visible fields under every grant that gives the action (read by default; export). */
export function visibleFields(
  access: Access,
  person: PersonFacts,
  action: Action = 'people.read',
): FieldGrant {
  const classes = new Set<FieldClass>();
  const fields = new Set<string>();
  for (const g of grantsOver(access, action, person)) {
    for (const c of g.classes) classes.add(c);
    for (const f of g.fields) fields.add(f);
  }
  return { classes, fields };
}

/** Flags on a person that refuse some actions whatever the grants (the rule's name is its column). */
export const DENY_RULES: {
  rule: 'do_not_contact' | 'legal_hold';
  fact: keyof PersonFacts;
  actions: Action[];
}[] = [
  { rule: 'do_not_contact', fact: 'doNotContact', actions: ['person.message', 'person.call'] },
  { rule: 'legal_hold', fact: 'legalHold', actions: ['people.write', 'people.delete', 'people.merge'] },
];

/** A field's class, for a built-in field name or `custom_fields.<key>` with its declared class. */
export function fieldClassOf(field: string, customClass?: FieldClass): FieldClass | null {
  if (isPersonField(field)) return PERSON_FIELDS[field as PersonField];
  return customClass ?? null;
}

/**
 * The pure decision: may this user perform this action (on this person, on this field)? Deny by
 * default; deny rules (do-not-contact, legal hold, a sensitive record) win over any grant. The
 * reasons are the chain that explains the answer.
 */
export function decide(
  access: Access,
  action: Action,
  person?: PersonFacts,
  field?: { name: string; fieldClass: FieldClass },
): Decision {
  const withAction = access.grants.filter((g) => g.actions.has(action));
  if (withAction.length === 0) {
    return { allowed: false, reasons: [{ kind: 'none', message: `no role or assignment grants ${action}` }] };
  }
  if (ORG_WIDE_ACTIONS.has(action)) {
    const orgWide = withAction.find((g) => g.scope.kind === 'org');
    if (!orgWide) {
      return {
        allowed: false,
        reasons: [
          {
            kind: 'none',
            message: `${action} needs a grant over the whole organization; ${withAction.map(describeGrant).join(', ')} covers part of it`,
          },
        ],
      };
    }
    return { allowed: true, reasons: [grantReason(orgWide, action)] };
  }
  if (!person) {
    const first = withAction[0] as Grant;
    return { allowed: true, reasons: [grantReason(first, action)] };
  }

  for (const rule of DENY_RULES) {
    if (person[rule.fact] && rule.actions.includes(action)) {
      return {
        allowed: false,
        reasons: [
          {
            kind: 'deny',
            rule: rule.rule,
            message:
              rule.rule === 'do_not_contact'
                ? 'the person asked not to be contacted (do-not-contact wins over every grant)'
                : 'the record is under legal hold (it cannot be changed, merged or deleted)',
          },
        ],
      };
    }
  }
  const covering = withAction.filter((g) => covers(g, person));
  if (covering.length === 0) {
    return {
      allowed: false,
      reasons: [
        {
          kind: 'none',
          message: `the person is outside every grant of ${action} (${withAction.map((g) => describeScope(g.scope)).join('; ')})`,
        },
      ],
    };
  }
  const reaching = person.sensitive ? covering.filter(reachesSensitive) : covering;
  if (reaching.length === 0) {
    return {
      allowed: false,
      reasons: [
        {
          kind: 'deny',
          rule: 'sensitive',
          message: 'the record is marked sensitive: only grants with the restricted class reach it',
        },
      ],
    };
  }
  if (!field) {
    const g = reaching[0] as Grant;
    return { allowed: true, reasons: [grantReason(g, action), scopeReason(g, person)] };
  }
  const giving = reaching.find((g) => g.classes.has(field.fieldClass) || g.fields.has(field.name));
  if (!giving) {
    const have = new Set(reaching.flatMap((g) => [...g.classes]));
    return {
      allowed: false,
      reasons: [
        grantReason(reaching[0] as Grant, action),
        scopeReason(reaching[0] as Grant, person),
        {
          kind: 'field',
          field: field.name,
          fieldClass: field.fieldClass,
          message: `${field.name} is a ${field.fieldClass} field; the grants over this person give ${have.size > 0 ? [...have].join(', ') : 'no field class'}`,
        },
      ],
    };
  }
  return {
    allowed: true,
    reasons: [
      grantReason(giving, action),
      scopeReason(giving, person),
      {
        kind: 'field',
        field: field.name,
        fieldClass: field.fieldClass,
        message: giving.classes.has(field.fieldClass)
          ? `${field.name} is a ${field.fieldClass} field, which the grant includes`
          : `the grant names ${field.name}`,
      },
    ],
  };
}

function grantReason(g: Grant, action: Action): Reason {
  return { kind: 'grant', grant: g.id, via: g.via, message: `${describeGrant(g)} grants ${action}` };
}

function scopeReason(g: Grant, person: PersonFacts): Reason {
  const s = g.scope;
  const message =
    s.kind === 'org'
      ? 'the grant covers everyone in the organization'
      : s.kind === 'unit'
        ? `the person's home unit ${person.homeUnitPath} is ${person.homeUnitPath === s.path ? '' : 'under '}${s.path}`
        : `the person is in ${describeScope(s)}`;
  return { kind: 'scope', grant: g.id, message };
}
