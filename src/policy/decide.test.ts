import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/db.js';
import { makeOrg, makeUser } from '../../test/support/fixtures.js';
import { loadAccess } from '../access/load.js';
import type { Database } from '../db/connect.js';
import { newId } from '../db/ids.js';
import { ACTIONS, type Action, FIELD_CLASSES, type FieldClass } from './actions.js';
import {
  type Access,
  covers,
  decide,
  type Grant,
  type PersonFacts,
  type Reason,
  visibleFields,
} from './decide.js';
import { PERSON_FIELDS, type PersonField } from './fields.js';

/**
 * Decision tables for the pure decision. Each row is (grants, person facts, action, field) →
 * allowed, and the kind of the reason that decided it (the last link of the chain). The built-in
 * roles below are written out from migrations 0002 and 0005 (a test against the database checks they still
 * match what the migration seeds), so that a change to a role shows up here as a failing row.
 */

const ROLES = {
  org_admin: {
    actions: [
      'people.read',
      'people.write',
      'people.delete',
      'people.merge',
      'people.import',
      'people.export',
      'people.aggregate',
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
      'access.manage',
      'audit.read',
      'tokens.own',
      'ladders.read',
      'ladders.manage',
      'calls.manage',
      'turf.manage',
      'forms.manage',
    ],
    classes: ['basic', 'contact', 'status', 'restricted', 'financial'],
  },
  data_manager: {
    actions: [
      'people.read',
      'people.write',
      'people.delete',
      'people.merge',
      'people.import',
      'people.export',
      'people.aggregate',
      'person.message',
      'person.call',
      'tags.read',
      'tags.write',
      'lists.read',
      'lists.write',
      'fields.manage',
      'units.read',
      'tokens.own',
      'ladders.read',
      'ladders.manage',
      'calls.manage',
      'turf.manage',
      'forms.manage',
    ],
    classes: ['basic', 'contact', 'status', 'restricted', 'financial'],
  },
  staff_organizer: {
    actions: [
      'people.read',
      'people.write',
      'people.aggregate',
      'person.message',
      'person.call',
      'tags.read',
      'tags.write',
      'lists.read',
      'lists.write',
      'units.read',
      'tokens.own',
      'ladders.read',
      'calls.manage',
      'turf.manage',
      'forms.manage',
    ],
    classes: ['basic', 'contact', 'status'],
  },
  local_organizer: {
    actions: [
      'people.read',
      'people.write',
      'people.aggregate',
      'person.message',
      'person.call',
      'tags.read',
      'lists.read',
      'lists.write',
      'units.read',
      'tokens.own',
      'ladders.read',
      'calls.manage',
      'turf.manage',
      'forms.manage',
    ],
    classes: ['basic', 'status'],
  },
  volunteer: { actions: ['tags.read', 'units.read', 'tokens.own', 'ladders.read'], classes: ['basic'] },
  analyst: {
    actions: ['people.aggregate', 'tags.read', 'units.read', 'tokens.own', 'ladders.read'],
    classes: [],
  },
} as const satisfies Record<string, { actions: Action[]; classes: FieldClass[] }>;
type RoleKey = keyof typeof ROLES;
const ROLE_KEYS = Object.keys(ROLES) as RoleKey[];
/** What migration 0006_events adds to the built-in roles (volunteers get their events by assignment). */
const EVENT_ACTIONS_OF: Partial<Record<RoleKey, Action[]>> = {
  org_admin: ['events.read', 'events.write', 'events.moderate'],
  data_manager: ['events.read', 'events.write', 'events.moderate'],
  staff_organizer: ['events.read', 'events.write', 'events.moderate'],
  local_organizer: ['events.read', 'events.write'],
};

/** The actions that only a grant over the whole organization gives (DESIGN.md section 6). */
const ORG_WIDE: Action[] = [
  'people.import',
  'fields.manage',
  'units.manage',
  'users.manage',
  'access.manage',
  'audit.read',
  'ladders.manage',
];

let seq = 0;
function binding(role: RoleKey, unit: string | null = null): Grant {
  const id = `binding-${role}-${unit ?? 'org'}-${seq++}`;
  return {
    id,
    via: 'binding',
    role,
    scope: unit === null ? { kind: 'org' } : { kind: 'unit', unitId: `unit-${unit}`, path: unit },
    actions: new Set(ROLES[role].actions),
    classes: new Set(ROLES[role].classes),
    fields: new Set(),
    expiresAt: null,
  };
}

function assignment(
  target: { list: string } | { search: string },
  actions: Action[],
  options: { classes?: FieldClass[]; fields?: string[] } = {},
): Grant {
  return {
    id: `assignment-${seq++}`,
    via: 'assignment',
    role: null,
    scope:
      'list' in target
        ? { kind: 'list', listId: target.list }
        : { kind: 'saved_search', searchId: target.search },
    actions: new Set(actions),
    classes: new Set(options.classes ?? []),
    fields: new Set(options.fields ?? []),
    expiresAt: null,
  };
}

const access = (...grants: Grant[]): Access => ({ orgId: 'org', userId: 'user', grants });

function person(overrides: Partial<PersonFacts> = {}): PersonFacts {
  return {
    id: 'person',
    homeUnitPath: 'east.oakland',
    memberOf: new Set(),
    doNotContact: false,
    sensitive: false,
    legalHold: false,
    ...overrides,
  };
}

const field = (name: PersonField) => ({ name, fieldClass: PERSON_FIELDS[name] as FieldClass });
const deciding = (reasons: Reason[]): Reason => reasons[reasons.length - 1] as Reason;

interface Row {
  name: string;
  grants: Grant[];
  person?: PersonFacts;
  action: Action;
  field?: { name: string; fieldClass: FieldClass };
  allowed: boolean;
  /** The kind of the deciding (last) reason; for deny rules, the rule. */
  reason: Reason['kind'] | 'do_not_contact' | 'legal_hold' | 'sensitive';
  /** The id of the grant the explanation must name, when allowed. */
  grant?: string;
}

function check(row: Row): void {
  const decision = decide(access(...row.grants), row.action, row.person, row.field);
  const last = deciding(decision.reasons);
  const kind = last.kind === 'deny' ? last.rule : last.kind;
  expect({ allowed: decision.allowed, reason: kind }, row.name).toEqual({
    allowed: row.allowed,
    reason: row.reason,
  });
  for (const reason of decision.reasons) expect(reason.message.length, row.name).toBeGreaterThan(0);
  if (row.grant) {
    const named = decision.reasons.find((r) => r.kind === 'grant');
    expect(named && 'grant' in named ? named.grant : undefined, row.name).toBe(row.grant);
  }
}

describe('decide: every built-in role over the whole organization', () => {
  const rows: Row[] = [];
  for (const role of ROLE_KEYS) {
    const has = new Set<string>(ROLES[role].actions);
    for (const action of ACTIONS) {
      const g = binding(role);
      // Without a person: the route-level question ("may this user do it at all?").
      rows.push({
        name: `${role} ${action}`,
        grants: [g],
        action,
        allowed: has.has(action),
        reason: has.has(action) ? 'grant' : 'none',
        ...(has.has(action) ? { grant: g.id } : {}),
      });
      // With an ordinary person in reach: the same answer, and the chain names the scope.
      rows.push({
        name: `${role} ${action} on a person`,
        grants: [g],
        person: person(),
        action,
        allowed: has.has(action),
        reason: !has.has(action) ? 'none' : ORG_WIDE.includes(action) ? 'grant' : 'scope',
        ...(has.has(action) ? { grant: g.id } : {}),
      });
    }
  }
  it.each(rows.map((r) => [r.name, r] as const))('%s', (_name, row) => check(row));
});

describe('decide: every built-in role and every field of a person', () => {
  const rows: Row[] = [];
  for (const role of ROLE_KEYS) {
    const readable = (ROLES[role].actions as readonly string[]).includes('people.read');
    const classes = new Set<string>(ROLES[role].classes);
    for (const name of Object.keys(PERSON_FIELDS) as PersonField[]) {
      const visible = readable && classes.has(PERSON_FIELDS[name]);
      rows.push({
        name: `${role} reads ${name} (${PERSON_FIELDS[name]})`,
        grants: [binding(role)],
        person: person(),
        action: 'people.read',
        field: field(name),
        allowed: visible,
        reason: readable ? 'field' : 'none',
      });
    }
    for (const fieldClass of FIELD_CLASSES) {
      rows.push({
        name: `${role} reads a custom field of class ${fieldClass}`,
        grants: [binding(role)],
        person: person(),
        action: 'people.read',
        field: { name: 'custom_fields.x', fieldClass },
        allowed: readable && classes.has(fieldClass),
        reason: readable ? 'field' : 'none',
      });
    }
  }
  it.each(rows.map((r) => [r.name, r] as const))('%s', (_name, row) => check(row));

  it('visibleFields is the union of the classes of every read grant that reaches the person', () => {
    const both = access(binding('local_organizer', 'east'), binding('staff_organizer', 'west'));
    expect([...visibleFields(both, person({ homeUnitPath: 'east.oakland' })).classes].sort()).toEqual([
      'basic',
      'status',
    ]);
    expect([...visibleFields(both, person({ homeUnitPath: 'west' })).classes].sort()).toEqual([
      'basic',
      'contact',
      'status',
    ]);
    expect(visibleFields(both, person({ homeUnitPath: 'north' })).classes.size).toBe(0);
    // The analyst's and the volunteer's roles give classes but no people.read: nothing is visible.
    expect(visibleFields(access(binding('volunteer'), binding('analyst')), person()).classes.size).toBe(0);
  });
});

describe('decide: scopes', () => {
  const local = binding('local_organizer', 'east');
  const list = assignment({ list: 'list-1' }, ['people.read', 'person.message'], { fields: ['given_name'] });
  const search = assignment({ search: 'search-1' }, ['people.read'], { classes: ['basic'] });
  const rows: Row[] = [
    {
      name: 'unit: its own unit',
      grants: [local],
      person: person({ homeUnitPath: 'east' }),
      action: 'people.read',
      allowed: true,
      reason: 'scope',
      grant: local.id,
    },
    {
      name: 'unit: a unit under it',
      grants: [local],
      person: person({ homeUnitPath: 'east.oakland' }),
      action: 'people.read',
      allowed: true,
      reason: 'scope',
    },
    {
      name: 'unit: three levels under it',
      grants: [local],
      person: person({ homeUnitPath: 'east.oakland.fruitvale' }),
      action: 'people.write',
      allowed: true,
      reason: 'scope',
    },
    {
      name: 'unit: "east" does not cover "eastside"',
      grants: [local],
      person: person({ homeUnitPath: 'eastside' }),
      action: 'people.read',
      allowed: false,
      reason: 'none',
    },
    {
      name: 'unit: "east" does not cover "eastside.oakland"',
      grants: [local],
      person: person({ homeUnitPath: 'eastside.oakland' }),
      action: 'people.read',
      allowed: false,
      reason: 'none',
    },
    {
      name: 'unit: "east" does not cover its parent',
      grants: [binding('local_organizer', 'bay.east')],
      person: person({ homeUnitPath: 'bay' }),
      action: 'people.read',
      allowed: false,
      reason: 'none',
    },
    {
      name: 'unit: a sibling unit',
      grants: [local],
      person: person({ homeUnitPath: 'west' }),
      action: 'people.read',
      allowed: false,
      reason: 'none',
    },
    {
      name: 'unit: a person with no home unit',
      grants: [local],
      person: person({ homeUnitPath: null }),
      action: 'people.read',
      allowed: false,
      reason: 'none',
    },
    {
      name: 'org: a person with no home unit',
      grants: [binding('staff_organizer')],
      person: person({ homeUnitPath: null }),
      action: 'people.read',
      allowed: true,
      reason: 'scope',
    },
    {
      name: 'list: a member',
      grants: [list],
      person: person({ memberOf: new Set(['list-1']) }),
      action: 'people.read',
      allowed: true,
      reason: 'scope',
      grant: list.id,
    },
    {
      name: 'list: not a member',
      grants: [list],
      person: person(),
      action: 'people.read',
      allowed: false,
      reason: 'none',
    },
    {
      name: 'list: a member of another list',
      grants: [list],
      person: person({ memberOf: new Set(['list-2']) }),
      action: 'people.read',
      allowed: false,
      reason: 'none',
    },
    {
      name: 'list: an action the assignment does not give',
      grants: [list],
      person: person({ memberOf: new Set(['list-1']) }),
      action: 'people.write',
      allowed: false,
      reason: 'none',
    },
    {
      name: 'list: message through the relay',
      grants: [list],
      person: person({ memberOf: new Set(['list-1']) }),
      action: 'person.message',
      allowed: true,
      reason: 'scope',
    },
    {
      name: 'list: calling is not given',
      grants: [list],
      person: person({ memberOf: new Set(['list-1']) }),
      action: 'person.call',
      allowed: false,
      reason: 'none',
    },
    {
      name: 'saved search: a match',
      grants: [search],
      person: person({ memberOf: new Set(['search-1']) }),
      action: 'people.read',
      allowed: true,
      reason: 'scope',
      grant: search.id,
    },
    {
      name: 'saved search: not a match',
      grants: [search],
      person: person(),
      action: 'people.read',
      allowed: false,
      reason: 'none',
    },
    {
      name: 'saved search: a list id does not count as the search',
      grants: [search],
      person: person({ memberOf: new Set(['list-1']) }),
      action: 'people.read',
      allowed: false,
      reason: 'none',
    },
    {
      name: 'two grants: the one that covers the person decides',
      grants: [local, list],
      person: person({ homeUnitPath: 'west', memberOf: new Set(['list-1']) }),
      action: 'people.read',
      allowed: true,
      reason: 'scope',
      grant: list.id,
    },
  ];
  it.each(rows.map((r) => [r.name, r] as const))('%s', (_name, row) => check(row));

  it('covers() follows whole labels, never string prefixes', () => {
    const g = binding('local_organizer', 'east');
    expect(covers(g, person({ homeUnitPath: 'east' }))).toBe(true);
    expect(covers(g, person({ homeUnitPath: 'east.oakland.fruitvale' }))).toBe(true);
    expect(covers(g, person({ homeUnitPath: 'eastside' }))).toBe(false);
    expect(covers(g, person({ homeUnitPath: 'eas' }))).toBe(false);
    expect(covers(g, person({ homeUnitPath: null }))).toBe(false);
  });
});

describe('decide: actions that only an organization-wide grant gives', () => {
  const rows: Row[] = [];
  for (const action of ORG_WIDE) {
    const chapterAdmin = binding('org_admin', 'east');
    const orgAdmin = binding('org_admin');
    rows.push(
      {
        name: `${action}: refused to an org admin over a unit`,
        grants: [chapterAdmin],
        action,
        allowed: false,
        reason: 'none',
      },
      {
        name: `${action}: refused to an org admin over a unit, about a person in it`,
        grants: [chapterAdmin],
        person: person({ homeUnitPath: 'east' }),
        action,
        allowed: false,
        reason: 'none',
      },
      {
        name: `${action}: given by an org admin over the organization`,
        grants: [orgAdmin],
        action,
        allowed: true,
        reason: 'grant',
        grant: orgAdmin.id,
      },
      {
        name: `${action}: the organization-wide grant decides, not the unit one`,
        grants: [chapterAdmin, orgAdmin],
        action,
        allowed: true,
        reason: 'grant',
        grant: orgAdmin.id,
      },
    );
  }
  rows.push({
    name: 'people.export is scoped, not organization-wide: an org admin over a unit may export it',
    grants: [binding('org_admin', 'east')],
    person: person({ homeUnitPath: 'east.oakland' }),
    action: 'people.export',
    allowed: true,
    reason: 'scope',
  });
  it.each(rows.map((r) => [r.name, r] as const))('%s', (_name, row) => check(row));

  it('says which grant covers only part of the organization', () => {
    const decision = decide(access(binding('org_admin', 'east')), 'units.manage');
    expect(decision.reasons[0]?.message).toMatch(/whole organization/);
    expect(decision.reasons[0]?.message).toMatch(/role org_admin over unit east/);
  });
});

describe('decide: deny rules win over grants', () => {
  const admin = binding('org_admin');
  // An admin role that lacks only the restricted class: sensitive records stay out of its reach.
  const adminWithoutRestricted: Grant = {
    ...binding('org_admin'),
    classes: new Set(['basic', 'contact', 'status', 'financial']),
  };
  const dnc = person({ doNotContact: true });
  const held = person({ legalHold: true });
  const sensitive = person({ sensitive: true });
  const rows: Row[] = [
    {
      name: 'do-not-contact: no message, even for an org admin',
      grants: [admin],
      person: dnc,
      action: 'person.message',
      allowed: false,
      reason: 'do_not_contact',
    },
    {
      name: 'do-not-contact: no call, even for an org admin',
      grants: [admin],
      person: dnc,
      action: 'person.call',
      allowed: false,
      reason: 'do_not_contact',
    },
    {
      name: 'do-not-contact: still readable',
      grants: [admin],
      person: dnc,
      action: 'people.read',
      allowed: true,
      reason: 'scope',
    },
    {
      name: 'do-not-contact: still writable',
      grants: [admin],
      person: dnc,
      action: 'people.write',
      allowed: true,
      reason: 'scope',
    },
    {
      name: 'do-not-contact: the emails are still readable',
      grants: [admin],
      person: dnc,
      action: 'people.read',
      field: field('emails'),
      allowed: true,
      reason: 'field',
    },
    {
      name: 'do-not-contact: no message through an assignment either',
      grants: [assignment({ list: 'l' }, ['people.read', 'person.message'])],
      person: person({ doNotContact: true, memberOf: new Set(['l']) }),
      action: 'person.message',
      allowed: false,
      reason: 'do_not_contact',
    },
    {
      name: 'legal hold: no write, even for an org admin',
      grants: [admin],
      person: held,
      action: 'people.write',
      allowed: false,
      reason: 'legal_hold',
    },
    {
      name: 'legal hold: no delete, even for an org admin',
      grants: [admin],
      person: held,
      action: 'people.delete',
      allowed: false,
      reason: 'legal_hold',
    },
    {
      name: 'legal hold: no merge, even for an org admin',
      grants: [admin],
      person: held,
      action: 'people.merge',
      allowed: false,
      reason: 'legal_hold',
    },
    {
      name: 'legal hold: no write of a single field',
      grants: [admin],
      person: held,
      action: 'people.write',
      field: field('given_name'),
      allowed: false,
      reason: 'legal_hold',
    },
    {
      name: 'legal hold: still readable',
      grants: [admin],
      person: held,
      action: 'people.read',
      allowed: true,
      reason: 'scope',
    },
    {
      name: 'legal hold: still reachable by message',
      grants: [admin],
      person: held,
      action: 'person.message',
      allowed: true,
      reason: 'scope',
    },
    {
      name: 'legal hold and do-not-contact: both hold',
      grants: [admin],
      person: person({ legalHold: true, doNotContact: true }),
      action: 'person.call',
      allowed: false,
      reason: 'do_not_contact',
    },
    {
      name: 'sensitive: an org admin (restricted class) reaches it',
      grants: [admin],
      person: sensitive,
      action: 'people.read',
      allowed: true,
      reason: 'scope',
    },
    {
      name: 'sensitive: a data manager (restricted class) reaches it',
      grants: [binding('data_manager')],
      person: sensitive,
      action: 'people.write',
      allowed: true,
      reason: 'scope',
    },
    {
      name: 'sensitive: an admin role without the restricted class does not',
      grants: [adminWithoutRestricted],
      person: sensitive,
      action: 'people.read',
      allowed: false,
      reason: 'sensitive',
    },
    {
      name: 'sensitive: a staff organizer over the organization does not',
      grants: [binding('staff_organizer')],
      person: sensitive,
      action: 'people.read',
      allowed: false,
      reason: 'sensitive',
    },
    {
      name: 'sensitive: a local organizer in its unit does not',
      grants: [binding('local_organizer', 'east')],
      person: person({ sensitive: true, homeUnitPath: 'east' }),
      action: 'people.read',
      allowed: false,
      reason: 'sensitive',
    },
    {
      name: 'sensitive: nor a list assignment without the restricted class',
      grants: [assignment({ list: 'l' }, ['people.read'], { fields: ['given_name'] })],
      person: person({ sensitive: true, memberOf: new Set(['l']) }),
      action: 'people.read',
      allowed: false,
      reason: 'sensitive',
    },
    {
      name: 'sensitive: an assignment with the restricted class does',
      grants: [assignment({ list: 'l' }, ['people.read'], { classes: ['restricted'] })],
      person: person({ sensitive: true, memberOf: new Set(['l']) }),
      action: 'people.read',
      allowed: true,
      reason: 'scope',
    },
    {
      name: 'sensitive: no message without the restricted class',
      grants: [binding('staff_organizer')],
      person: sensitive,
      action: 'person.message',
      allowed: false,
      reason: 'sensitive',
    },
    {
      name: 'sensitive: the grant with the restricted class decides among several',
      grants: [binding('staff_organizer'), admin],
      person: sensitive,
      action: 'people.read',
      allowed: true,
      reason: 'scope',
      grant: admin.id,
    },
  ];
  it.each(rows.map((r) => [r.name, r] as const))('%s', (_name, row) => check(row));
});

describe('decide: single fields of an assignment', () => {
  const host = assignment({ list: 'event-1' }, ['people.read', 'person.message'], { fields: ['given_name'] });
  const guest = person({ memberOf: new Set(['event-1']), homeUnitPath: 'west' });
  const rows: Row[] = [
    {
      name: 'a host sees given_name',
      grants: [host],
      person: guest,
      action: 'people.read',
      field: field('given_name'),
      allowed: true,
      reason: 'field',
      grant: host.id,
    },
    {
      name: 'a host does not see family_name',
      grants: [host],
      person: guest,
      action: 'people.read',
      field: field('family_name'),
      allowed: false,
      reason: 'field',
    },
    {
      name: 'a host does not see emails',
      grants: [host],
      person: guest,
      action: 'people.read',
      field: field('emails'),
      allowed: false,
      reason: 'field',
    },
    {
      name: 'a host does not see the timeline',
      grants: [host],
      person: guest,
      action: 'people.read',
      field: field('timeline'),
      allowed: false,
      reason: 'field',
    },
    {
      name: 'a host does not see tags',
      grants: [host],
      person: guest,
      action: 'people.read',
      field: field('tags'),
      allowed: false,
      reason: 'field',
    },
    {
      name: 'a host may message the guest',
      grants: [host],
      person: guest,
      action: 'person.message',
      allowed: true,
      reason: 'scope',
    },
    {
      name: 'a host sees nothing of someone not on the list',
      grants: [host],
      person: person(),
      action: 'people.read',
      field: field('given_name'),
      allowed: false,
      reason: 'none',
    },
    {
      name: 'a single custom field by name',
      grants: [assignment({ list: 'event-1' }, ['people.read'], { fields: ['custom_fields.shirt'] })],
      person: guest,
      action: 'people.read',
      field: { name: 'custom_fields.shirt', fieldClass: 'restricted' },
      allowed: true,
      reason: 'field',
    },
    {
      name: 'a unit grant and a host assignment: the assignment names the extra field',
      grants: [
        binding('local_organizer', 'west'),
        assignment({ list: 'event-1' }, ['people.read'], { fields: ['emails'] }),
      ],
      person: guest,
      action: 'people.read',
      field: field('emails'),
      allowed: true,
      reason: 'field',
    },
  ];
  it.each(rows.map((r) => [r.name, r] as const))('%s', (_name, row) => check(row));

  it('visibleFields gives the host exactly given_name', () => {
    const v = visibleFields(access(host), guest);
    expect(v.classes.size).toBe(0);
    expect([...v.fields]).toEqual(['given_name']);
  });

  it('explains which grant gives the field, by id and by description', () => {
    const local = binding('local_organizer', 'west');
    const extra = assignment({ list: 'event-1' }, ['people.read'], { fields: ['emails'] });
    const decision = decide(access(local, extra), 'people.read', guest, field('emails'));
    expect(decision.reasons.map((r) => r.kind)).toEqual(['grant', 'scope', 'field']);
    expect(decision.reasons[0]).toMatchObject({ kind: 'grant', grant: extra.id, via: 'assignment' });
    expect(decision.reasons[0]?.message).toBe('assignment to list event-1 grants people.read');
    expect(decision.reasons[1]).toMatchObject({ kind: 'scope', grant: extra.id });
    expect(decision.reasons[2]?.message).toBe('the grant names emails');
    const byRole = decide(access(local), 'people.read', guest, field('given_name'));
    expect(byRole.reasons[0]?.message).toBe(
      'role local_organizer over unit west and the units under it grants people.read',
    );
    expect(byRole.reasons[1]?.message).toBe("the person's home unit west is west");
    expect(byRole.reasons[2]?.message).toBe('given_name is a basic field, which the grant includes');
    const refused = decide(access(local), 'people.read', guest, field('emails'));
    expect(refused.reasons[2]?.message).toBe(
      'emails is a contact field; the grants over this person give basic, status',
    );
  });
});

describe('loading access from the database', () => {
  let database: Database;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.close();
  });

  it('seeds every organization with the built-in roles this table is written from', async () => {
    const org = await makeOrg(database.db);
    const roles = await database.db
      .selectFrom('role')
      .select(['key', 'actions', 'field_classes', 'builtin'])
      .where('org_id', '=', org.id)
      .execute();
    const seeded = Object.fromEntries(
      roles.map((r) => [r.key, { actions: [...r.actions].sort(), classes: [...r.field_classes].sort() }]),
    );
    const written = Object.fromEntries(
      ROLE_KEYS.map((k) => [
        k,
        {
          actions: [...ROLES[k].actions, ...(EVENT_ACTIONS_OF[k] ?? [])].sort(),
          classes: [...ROLES[k].classes].sort(),
        },
      ]),
    );
    expect(seeded).toEqual(written);
    expect(roles.every((r) => r.builtin)).toBe(true);
  });

  it('leaves expired bindings and assignments out, and keeps the live ones with their unit path', async () => {
    const db = database.db;
    const org = await makeOrg(db);
    const unitId = newId();
    await db
      .insertInto('unit')
      .values({ org_id: org.id, id: unitId, path: 'east', name: 'East', kind: 'chapter' })
      .execute();
    const user = await makeUser(db, org.id, 'local_organizer', 'east');
    const roleId = async (key: string) =>
      (
        await db
          .selectFrom('role')
          .select('id')
          .where('org_id', '=', org.id)
          .where('key', '=', key)
          .executeTakeFirstOrThrow()
      ).id;
    const now = new Date('2030-06-01T12:00:00Z');
    const expired = newId();
    const future = newId();
    await db
      .insertInto('role_binding')
      .values([
        {
          org_id: org.id,
          id: expired,
          user_id: user.id,
          role_id: await roleId('org_admin'),
          unit_id: null,
          expires_at: new Date('2030-06-01T11:59:59Z'),
          created_by: null,
        },
        {
          org_id: org.id,
          id: future,
          user_id: user.id,
          role_id: await roleId('analyst'),
          unit_id: null,
          expires_at: new Date('2030-06-01T12:00:01Z'),
          created_by: null,
        },
        // Expiring exactly now counts as expired.
        {
          org_id: org.id,
          id: newId(),
          user_id: user.id,
          role_id: await roleId('data_manager'),
          unit_id: null,
          expires_at: now,
          created_by: null,
        },
      ])
      .execute();
    const listId = newId();
    await db
      .insertInto('list')
      .values({ org_id: org.id, id: listId, name: 'Event', description: null, created_by: null })
      .execute();
    const liveAssignment = newId();
    await db
      .insertInto('assignment')
      .values([
        {
          org_id: org.id,
          id: liveAssignment,
          user_id: user.id,
          target_kind: 'list',
          target_id: listId,
          actions: ['people.read'],
          field_classes: [],
          fields: ['given_name'],
          expires_at: null,
          created_by: null,
        },
        {
          org_id: org.id,
          id: newId(),
          user_id: user.id,
          target_kind: 'saved_search',
          target_id: newId(),
          actions: ['people.read'],
          field_classes: ['basic'],
          fields: [],
          expires_at: new Date('2030-01-01T00:00:00Z'),
          created_by: null,
        },
        // A host's assignment to an event: it covers the event's attendees.
        {
          org_id: org.id,
          id: newId(),
          user_id: user.id,
          target_kind: 'event',
          target_id: newId(),
          actions: ['people.read'],
          field_classes: ['basic'],
          fields: [],
          expires_at: null,
          created_by: null,
        },
      ])
      .execute();

    const loaded = await loadAccess(db, org.id, user.id, now);
    const summary = loaded.grants.map((g) => ({ id: g.id, role: g.role, scope: g.scope.kind }));
    expect(summary).toHaveLength(4);
    expect(summary).toContainEqual({ id: future, role: 'analyst', scope: 'org' });
    expect(summary.filter((g) => g.scope === 'event')).toHaveLength(1);
    expect(summary).toContainEqual({ id: liveAssignment, role: null, scope: 'list' });
    const local = loaded.grants.find((g) => g.role === 'local_organizer');
    expect(local?.scope).toEqual({ kind: 'unit', unitId, path: 'east' });
    expect(loaded.grants.some((g) => g.id === expired)).toBe(false);
    // The expired org_admin binding would have given units.manage: it does not.
    expect(decide(loaded, 'units.manage').allowed).toBe(false);
    // A minute later the analyst binding has expired too.
    const later = await loadAccess(db, org.id, user.id, new Date('2030-06-01T12:01:00Z'));
    expect(later.grants.map((g) => g.role).sort()).toEqual(['local_organizer', null, null].sort());
    // Another organization's user id loads nothing.
    const other = await makeOrg(db);
    expect((await loadAccess(db, other.id, user.id, now)).grants).toEqual([]);
  });
});

describe('event assignments (a host)', () => {
  const host = (eventId: string): Grant => ({
    id: 'host',
    via: 'assignment',
    role: null,
    scope: { kind: 'event', eventId },
    actions: new Set<Action>(['events.read', 'events.write', 'people.read', 'person.message']),
    classes: new Set(),
    fields: new Set(['given_name']),
    expiresAt: null,
  });
  const guest = person({ memberOf: new Set(['party']) });
  const stranger = person({ memberOf: new Set(['other-party']) });

  it.each([
    ['reads an attendee of their event', guest, 'people.read', undefined, true],
    ['reads the attendee’s first name', guest, 'people.read', field('given_name'), true],
    ['does not read the attendee’s family name', guest, 'people.read', field('family_name'), false],
    ['does not read the attendee’s emails', guest, 'people.read', field('emails'), false],
    ['messages the attendee through Rhizome', guest, 'person.message', undefined, true],
    ['does not call the attendee', guest, 'person.call', undefined, false],
    ['does not reach an attendee of another event', stranger, 'people.read', undefined, false],
    [
      'does not message a guest who asked not to be contacted',
      person({ memberOf: new Set(['party']), doNotContact: true }),
      'person.message',
      undefined,
      false,
    ],
    [
      'does not reach a sensitive attendee',
      person({ memberOf: new Set(['party']), sensitive: true }),
      'people.read',
      undefined,
      false,
    ],
  ] as const)('%s', (_name, who, action, f, allowed) => {
    const grant = host('party');
    expect(covers(grant, who)).toBe(who.memberOf.has('party'));
    expect(decide(access(grant), action, who, f).allowed).toBe(allowed);
  });

  it('gives exactly the first name among the fields', () => {
    const g = visibleFields(access(host('party')), guest);
    expect([...g.classes]).toEqual([]);
    expect([...g.fields]).toEqual(['given_name']);
  });
});
