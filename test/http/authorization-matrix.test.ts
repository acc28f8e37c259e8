import type { LightMyRequestResponse } from 'fastify';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { newId } from '../../src/db/ids.js';
import type { DB } from '../../src/db/schema.js';
import type { Policy } from '../../src/http/route.js';
import { mergePeople } from '../../src/merges/index.js';
import {
  createTestApp,
  makeOrg,
  makeUser,
  systemCtx,
  type TestApp,
  type TestUser,
} from '../support/fixtures.js';

/**
 * The authorization matrix: every route of the router × every persona, each answered with the
 * status class this file expects, and a database left exactly as it was whenever the answer is a
 * refusal (or the route only reads). The expected statuses come from one default rule (below,
 * `expected`) and an explicit table of the routes where field classes, deny rules or the route's
 * own logic answer otherwise, each with its reason.
 *
 * The organization "A": units bay (an organization) ⊃ bay.east (a chapter) ⊃ bay.east.oakland (a
 * local), plus bay.eastside and valley. People "in" are homed in bay.east.oakland and are on the
 * volunteer host's event list; people "out" are homed in valley, outside every unit persona and
 * off the list. Routes that touch a person run once for each, and once more for the admin over the
 * whole organization on people under legal hold ("held": reads succeed, every change is 403).
 */

const PERSONAS = [
  'networkAdmin',
  'orgAdmin',
  'chapterStaff',
  'localOrganizer',
  'volunteerHost',
  'analyst',
  'outsider',
  'anonymous',
] as const;
type Persona = (typeof PERSONAS)[number];
type Variant = 'in' | 'out' | 'held' | 'org';
/** A status class: any success, or one exact refusal. */
type Outcome = '2xx' | 400 | 401 | 403 | 404 | 409 | 415;

// ---------------------------------------------------------------------------------------------
// What each persona may do at all (the built-in roles of migration 0002, written out)

const ORG_ADMIN = [
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
];
/** Given only by a grant over the whole organization. */
const ORG_WIDE = [
  'people.import',
  'fields.manage',
  'units.manage',
  'users.manage',
  'access.manage',
  'audit.read',
];
const STAFF_ORGANIZER = [
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
];
const LOCAL_ORGANIZER = STAFF_ORGANIZER.filter((a) => a !== 'tags.write');
const VOLUNTEER = ['tags.read', 'units.read', 'tokens.own'];
const ANALYST = ['people.aggregate', 'tags.read', 'units.read', 'tokens.own'];

const MAY: Record<Exclude<Persona, 'anonymous'>, Set<string>> = {
  networkAdmin: new Set(ORG_ADMIN),
  // org_admin bound to the bay unit: everything but what only the whole organization gives.
  orgAdmin: new Set(ORG_ADMIN.filter((a) => !ORG_WIDE.includes(a))),
  chapterStaff: new Set(STAFF_ORGANIZER),
  localOrganizer: new Set(LOCAL_ORGANIZER),
  // volunteer role, plus an assignment to the event list: people.read and person.message, given_name only.
  volunteerHost: new Set([...VOLUNTEER, 'people.read', 'person.message']),
  analyst: new Set(ANALYST),
  // An admin of another organization: every action, in their own organization.
  outsider: new Set(ORG_ADMIN),
};
// Ladders (migration 0005): every built-in role reads the ladders; only an organization-wide admin
// (or data manager) configures them.
for (const may of Object.values(MAY)) may.add('ladders.read');
MAY.networkAdmin.add('ladders.manage');
MAY.outsider.add('ladders.manage');
// Calling (migration 0008): calls.manage for the built-in roles that organize.
for (const persona of ['networkAdmin', 'orgAdmin', 'chapterStaff', 'localOrganizer', 'outsider'] as const)
  MAY[persona].add('calls.manage');
// Turf (migration 0010): turf.manage for the built-in roles that organize.
for (const persona of ['networkAdmin', 'orgAdmin', 'chapterStaff', 'localOrganizer', 'outsider'] as const)
  MAY[persona].add('turf.manage');

/** Who reaches the "out" person (valley): only the admin over the whole organization. */
const REACHES_OUT: ReadonlySet<Persona> = new Set(['networkAdmin']);

// ---------------------------------------------------------------------------------------------
// The targets of a request: ids to put in its path and body

interface Targets {
  person: string;
  person2: string;
  email: string;
  phone: string;
  address: string;
  note: string;
  activity: string;
  relationship: string;
  tag: string;
  tagging: string;
  list: string;
  listItem: string;
  duplicate: string;
  merge: string;
  unit: string;
  field: string;
  search: string;
  importJob: string;
  user: string;
  token: string;
  /** A custom role's key, a role binding and an assignment of `user`. */
  role: string;
  binding: string;
  assignment: string;
  ladder: string;
  level: string;
  rule: string;
  suggestion: string;
  followUp: string;
  /** Calling: a survey and its question, a call list (with `user` as a caller) and its target, a phone tree. */
  survey: string;
  question: string;
  callList: string;
  callTarget: string;
  phoneTree: string;
  /** An event of bay.east.oakland waiting for approval, with the person on its RSVPs and a host. */
  event: string;
  /** A published public event (public RSVPs). */
  publicEvent: string;
  /** The "in" person's RSVP to the event. */
  rsvp: string;
  /** A campaign of bay.east.oakland running through 2030, with `user` its one moderator. */
  campaign: string;
  /** A shift of the event nobody RSVPed to. */
  shift: string;
  /** Turf: a ZIP turf of bay.east.oakland, a walk list of it with p1 at its door, `user` canvassing. */
  turf: string;
  walkList: string;
  door: string;
  /** Forms: an open form of bay.east.oakland with one question, and the "in" person's submission. */
  form: string;
  submission: string;
  /** An open petition of bay.east.oakland and the "in" person's signature. */
  petition: string;
  signature: string;
}

interface RouteCase {
  /** The route acts on a person: it runs for one in reach ("in") and one out of reach ("out"). */
  person?: true;
  body?: (x: Targets, n: number) => unknown;
  /** A raw body with this content type instead of JSON. */
  raw?: { contentType: string; body: (n: number) => string };
  /** Nothing is written even when it succeeds: the database must not change either way. */
  readOnly?: true;
  /** The body names people of the organization (another organization's admin gets 404). */
  bodyNamesPeople?: true;
  /** A write that legal hold does not refuse (a withdrawal of consent the person asked for). */
  despiteLegalHold?: true;
  /** Builds a merge to undo. */
  needsMerge?: true;
  /** A query string for the request (without the `?`). */
  query?: (x: Targets) => string;
  /** The status for everyone on a public route. */
  public?: Outcome;
  /** Exceptions to the default rule, per persona (and variant). Each row says why in a comment. */
  expect?: Partial<Record<Persona, Outcome | Partial<Record<Variant, Outcome>>>>;
}

const uniq = (n: number) => `${n}${newId().slice(-6)}`;

/**
 * Every route, with a plausible request and the exceptions to the default rule. The default rule
 * (`expected` below): anonymous → 401 on every non-public route; a persona whose roles do not give
 * the route's action (or give an organization-wide one over a unit only) → 403; another
 * organization's admin → 404 for anything named by id, success for their own collections; a person
 * out of the persona's reach → 404; otherwise success.
 */
const CASES: Record<string, RouteCase> = {
  'POST /api/v1/auth/login': {
    body: () => ({ org: 'matrix-a', email: 'nobody@example.org', password: 'wrong password 123' }),
    // Public: a wrong password is 401 for everyone, whoever else they are.
    public: 401,
    readOnly: true,
  },
  'POST /api/v1/auth/logout': { readOnly: true },
  'GET /api/v1/auth/me': {},
  'GET /api/v1/tokens': {},
  'POST /api/v1/tokens': { body: (_x, n) => ({ name: `token ${uniq(n)}` }) },
  'DELETE /api/v1/tokens/:id': {},
  'GET /api/v1/users': {},
  'POST /api/v1/users': { body: (_x, n) => ({ email: `new-${uniq(n)}@example.org` }) },
  'PATCH /api/v1/users/:id': { body: () => ({ disabled: true }) },
  'GET /api/v1/units': {},
  'POST /api/v1/units': { body: (_x, n) => ({ path: `unit_${uniq(n)}`, name: 'New unit', kind: 'chapter' }) },
  'GET /api/v1/units/:id': {},

  'GET /api/v1/people': {},
  'POST /api/v1/people': { body: (_x, n) => ({ given_name: 'New', family_name: `Person${uniq(n)}` }) },
  'GET /api/v1/people/:id': { person: true },
  'PATCH /api/v1/people/:id': { person: true, body: () => ({ given_name: 'Renamed' }) },
  'DELETE /api/v1/people/:id': { person: true },
  'POST /api/v1/people/:id/emails': {
    person: true,
    body: (_x, n) => ({ address: `added-${uniq(n)}@example.org` }),
    // Emails are contact fields: the local organizer's role has basic and status only.
    expect: { localOrganizer: { in: 403 } },
  },
  'PATCH /api/v1/people/:id/emails/:valueId': {
    person: true,
    // A subscription status is a status field, which the local organizer may change.
    body: () => ({ status: 'unsubscribed' }),
  },
  'DELETE /api/v1/people/:id/emails/:valueId': { person: true, expect: { localOrganizer: { in: 403 } } },
  'POST /api/v1/people/:id/phones': {
    person: true,
    body: (_x, n) => ({ number: `+1415555${String(n % 10000).padStart(4, '0')}` }),
    expect: { localOrganizer: { in: 403 } },
  },
  'PATCH /api/v1/people/:id/phones/:valueId': { person: true, body: () => ({ do_not_call: true }) },
  'DELETE /api/v1/people/:id/phones/:valueId': { person: true, expect: { localOrganizer: { in: 403 } } },
  'POST /api/v1/people/:id/addresses': {
    person: true,
    body: (_x, n) => ({ lines: [`${n} Added Street`], locality: 'Oakland' }),
    expect: { localOrganizer: { in: 403 } },
  },
  'PATCH /api/v1/people/:id/addresses/:valueId': {
    person: true,
    // Coordinates are part of the street address (contact).
    body: () => ({ latitude: 37.8, longitude: -122.27 }),
    expect: { localOrganizer: { in: 403 } },
  },
  'DELETE /api/v1/people/:id/addresses/:valueId': { person: true, expect: { localOrganizer: { in: 403 } } },

  'POST /api/v1/people/merge/preview': {
    person: true,
    bodyNamesPeople: true,
    readOnly: true,
    body: (x) => ({ survivor_id: x.person, merged_id: x.person2 }),
  },
  'POST /api/v1/people/merge': {
    person: true,
    bodyNamesPeople: true,
    body: (x) => ({ survivor_id: x.person, merged_id: x.person2 }),
  },
  'POST /api/v1/merges/:id/undo': { person: true, needsMerge: true },
  'GET /api/v1/people/:id/merges': { person: true },
  'GET /api/v1/duplicates': {},
  'POST /api/v1/duplicates/:id/dismiss': { person: true },

  'GET /api/v1/people/:id/notes': {
    person: true,
    // The timeline is a basic field; the host's assignment names given_name only.
    expect: { volunteerHost: { in: 403 } },
  },
  'POST /api/v1/people/:id/notes': { person: true, body: () => ({ body: 'A note' }) },
  'PATCH /api/v1/people/:id/notes/:noteId': { person: true, body: () => ({ body: 'An edited note' }) },
  'DELETE /api/v1/people/:id/notes/:noteId': { person: true },
  'GET /api/v1/people/:id/activities': { person: true, expect: { volunteerHost: { in: 403 } } },
  'POST /api/v1/people/:id/activities': {
    person: true,
    body: () => ({ kind: 'call', occurred_at: '2026-01-02T03:04:05Z' }),
  },
  'PATCH /api/v1/people/:id/activities/:activityId': { person: true, body: () => ({ outcome: 'reached' }) },
  'DELETE /api/v1/people/:id/activities/:activityId': { person: true },
  'GET /api/v1/people/:id/timeline': { person: true, expect: { volunteerHost: { in: 403 } } },
  'GET /api/v1/people/:id/relationships': { person: true, expect: { volunteerHost: { in: 403 } } },
  'POST /api/v1/people/:id/relationships': {
    person: true,
    bodyNamesPeople: true,
    body: (x) => ({ related_person_id: x.person2, kind: 'works_with' }),
  },
  'DELETE /api/v1/people/:id/relationships/:relationshipId': { person: true },

  'GET /api/v1/fields': {},
  'POST /api/v1/fields': {
    body: (_x, n) => ({ key: `f_${uniq(n)}`, label: 'New field', type: 'text', field_class: 'basic' }),
  },
  'GET /api/v1/fields/:id': {},
  'PATCH /api/v1/fields/:id': { body: () => ({ label: 'Relabelled' }) },
  'GET /api/v1/saved-searches': {},
  'POST /api/v1/saved-searches': { body: (_x, n) => ({ name: `Search ${uniq(n)}`, query: { unit: 'bay' } }) },
  'GET /api/v1/saved-searches/:id': {},
  'PATCH /api/v1/saved-searches/:id': { body: () => ({ name: 'Renamed search' }) },
  'DELETE /api/v1/saved-searches/:id': {},

  'GET /api/v1/tags': {},
  'POST /api/v1/tags': { body: (_x, n) => ({ name: `Tag ${uniq(n)}` }) },
  'GET /api/v1/tags/:id': {},
  'PATCH /api/v1/tags/:id': { body: (_x, n) => ({ name: `Renamed tag ${uniq(n)}` }) },
  'DELETE /api/v1/tags/:id': {},
  'GET /api/v1/tags/:id/taggings': {},
  'POST /api/v1/tags/:id/taggings': {
    person: true,
    bodyNamesPeople: true,
    body: (x) => ({ person_id: x.person2 }),
  },
  'GET /api/v1/tags/:id/taggings/:memberId': {
    person: true,
    // Memberships are listed for people whose tags the reader may see: the analyst reads no one,
    // the host sees first names only.
    expect: { analyst: { in: 404 }, volunteerHost: { in: 404 } },
  },
  'GET /api/v1/people/:id/tags': {
    person: true,
    // Tags are a basic field the host does not see: the person's tags are as absent as the person.
    expect: { volunteerHost: { in: 404 }, analyst: { in: 404 } },
  },
  'DELETE /api/v1/tags/:id/taggings/:memberId': { person: true },
  'GET /api/v1/lists': {},
  'POST /api/v1/lists': { body: (_x, n) => ({ name: `List ${uniq(n)}` }) },
  'GET /api/v1/lists/:id': {},
  'PATCH /api/v1/lists/:id': { body: () => ({ name: 'Renamed list' }) },
  'DELETE /api/v1/lists/:id': {},
  'GET /api/v1/lists/:id/items': {},
  'POST /api/v1/lists/:id/items': {
    person: true,
    bodyNamesPeople: true,
    body: (x) => ({ person_id: x.person2 }),
  },
  'GET /api/v1/lists/:id/items/:memberId': { person: true },
  'GET /api/v1/people/:id/lists': { person: true },
  'DELETE /api/v1/lists/:id/items/:memberId': { person: true },

  'POST /api/v1/imports': {
    raw: { contentType: 'text/csv', body: (n) => `given_name,family_name\nImported,Person${uniq(n)}\n` },
  },
  'GET /api/v1/imports': {},
  'GET /api/v1/imports/:id': {},
  'GET /api/v1/imports/:id/rejects.csv': {},
  'GET /api/v1/people.csv': {},

  'GET /osdi/v1': {},
  'GET /osdi/v1/people': {},
  'POST /osdi/v1/people': { body: (_x, n) => ({ given_name: 'Osdi', family_name: `Person${uniq(n)}` }) },
  'POST /osdi/v1/people/person_signup_helper': {
    body: (_x, n) => ({ person: { given_name: 'Signup', family_name: `Person${uniq(n)}` } }),
  },
  'GET /osdi/v1/people/:id': { person: true },
  'PUT /osdi/v1/people/:id': { person: true, body: () => ({ given_name: 'Put' }) },
  'DELETE /osdi/v1/people/:id': { person: true },
  'GET /osdi/v1/tags': {},
  'POST /osdi/v1/tags': { body: (_x, n) => ({ name: `Osdi tag ${uniq(n)}` }) },
  'GET /osdi/v1/tags/:id': {},
  'DELETE /osdi/v1/tags/:id': {},
  'GET /osdi/v1/tags/:id/taggings': {},
  'POST /osdi/v1/tags/:id/taggings': {
    person: true,
    bodyNamesPeople: true,
    body: (x) => ({ _links: { 'osdi:person': { href: `http://localhost/osdi/v1/people/${x.person2}` } } }),
  },
  'GET /osdi/v1/tags/:id/taggings/:memberId': {
    person: true,
    expect: { analyst: { in: 404 }, volunteerHost: { in: 404 } },
  },
  'DELETE /osdi/v1/tags/:id/taggings/:memberId': { person: true },
  'GET /osdi/v1/lists': {},
  'POST /osdi/v1/lists': { body: (_x, n) => ({ name: `Osdi list ${uniq(n)}` }) },
  'GET /osdi/v1/lists/:id': {},
  'DELETE /osdi/v1/lists/:id': {},
  'GET /osdi/v1/lists/:id/items': {},
  'POST /osdi/v1/lists/:id/items': {
    person: true,
    bodyNamesPeople: true,
    body: (x) => ({ _links: { 'osdi:person': { href: `http://localhost/osdi/v1/people/${x.person2}` } } }),
  },
  'GET /osdi/v1/lists/:id/items/:memberId': { person: true },
  'DELETE /osdi/v1/lists/:id/items/:memberId': { person: true },
  'GET /osdi/v1/people/:id/taggings': {
    person: true,
    expect: { volunteerHost: { in: 404 }, analyst: { in: 404 } },
  },
  'GET /osdi/v1/people/:id/items': { person: true },

  'GET /api/v1/people/count': {},

  // Access management: only a grant over the whole organization gives access.manage and
  // audit.read (the bay-bound admin is refused them, the outsider manages their own organization).
  'GET /api/v1/roles': {},
  'POST /api/v1/roles': {
    body: (_x, n) => ({
      key: `role_${uniq(n)}`,
      name: 'Door captain',
      actions: ['people.read'],
      field_classes: ['basic'],
    }),
  },
  'PATCH /api/v1/roles/:key': { body: () => ({ name: 'Renamed role' }) },
  'GET /api/v1/role-bindings': {},
  'POST /api/v1/role-bindings': {
    // A user of another organization named in the body is a bad field (400 naming user_id).
    expect: { outsider: 400 },
    bodyNamesPeople: true,
    body: (x) => ({ user_id: x.user, role: 'volunteer', unit: 'bay.east' }),
  },
  'DELETE /api/v1/role-bindings/:id': {},
  'GET /api/v1/assignments': {},
  'POST /api/v1/assignments': {
    // A user of another organization named in the body is a bad field (400 naming user_id).
    expect: { outsider: 400 },
    bodyNamesPeople: true,
    body: (x) => ({ user_id: x.user, target_kind: 'list', target_id: x.list }),
  },
  'DELETE /api/v1/assignments/:id': {},
  'POST /api/v1/access/preview': {
    // A user of another organization named in the body is a bad field (400 naming user_id).
    expect: { outsider: 400 },
    bodyNamesPeople: true,
    readOnly: true,
    body: (x) => ({ user_id: x.user, add: { binding: { role: 'staff_organizer', unit: 'bay' } } }),
  },
  'GET /api/v1/access/explain': {
    person: true,
    readOnly: true,
    // Anyone may ask about their own access to a person they reach; another user's needs access.manage.
    query: (x) => `person=${x.person}`,
    expect: {
      // Whom the asker does not reach is not found, as everywhere; the analyst reaches no one.
      orgAdmin: { out: 404 },
      chapterStaff: { out: 404 },
      localOrganizer: { out: 404 },
      volunteerHost: { out: 404 },
      analyst: 404,
      // Another organization's person is not found.
      outsider: 404,
    },
  },
  'GET /api/v1/audit': {},
  'GET /api/v1/audit/verify': {},

  'GET /api/v1/openapi.json': { public: '2xx' },
  'GET /api/v1/docs': { public: '2xx' },
  'GET /api/v1/docs/init.js': { public: '2xx' },
  'GET /api/v1/docs/:file': { public: '2xx' },

  // Web app: its static files and index.html for client-side routes (no data; the app calls the API).
  'GET /*': { public: '2xx', readOnly: true },
  // Ladders, one-on-ones, follow-ups, point person (src/ladder, src/followups)
  'GET /api/v1/ladders': {},
  'POST /api/v1/ladders': { body: (_x, n) => ({ name: `Ladder ${uniq(n)}`, levels: [{ name: 'First' }] }) },
  'GET /api/v1/ladders/:id': {},
  'PATCH /api/v1/ladders/:id': { body: () => ({ description: 'Changed' }) },
  'POST /api/v1/ladders/:id/levels': { body: (_x, n) => ({ name: `Level ${uniq(n)}` }) },
  'PATCH /api/v1/ladders/:id/levels/:levelId': { body: (_x, n) => ({ name: `Renamed ${uniq(n)}` }) },
  'POST /api/v1/ladders/:id/rules': {
    body: (x) => ({
      name: 'Rule',
      level_id: x.level,
      activity_kinds: ['meeting'],
      min_count: 3,
      window_days: 90,
    }),
  },
  'PATCH /api/v1/ladders/:id/rules/:ruleId': { body: () => ({ enabled: false }) },
  'GET /api/v1/people/:id/ladders': {
    person: true,
    // The level is a status field; the host's assignment names given_name only.
    expect: { volunteerHost: { in: 403 } },
  },
  'GET /api/v1/people/:id/assessments': { person: true, expect: { volunteerHost: { in: 403 } } },
  'POST /api/v1/people/:id/assessments': {
    person: true,
    body: (x) => ({ ladder_id: x.ladder, level_id: x.level, evidence: 'Led a meeting' }),
  },
  'POST /api/v1/ladders/:id/suggestions/run': {},
  'GET /api/v1/suggestions': {},
  'POST /api/v1/suggestions/:id/accept': { person: true, body: () => ({}) },
  'POST /api/v1/suggestions/:id/dismiss': { person: true },
  'GET /api/v1/ladders/:id/pipeline': {},
  'GET /api/v1/ladders/:id/movements': {},
  'GET /api/v1/ladders/:id/people': {},
  'GET /api/v1/pipeline/new-people': {},
  'POST /api/v1/people/:id/one-on-ones': {
    person: true,
    body: () => ({ notes: 'Talked about housing', interests: ['housing'], next_step: 'Invite' }),
  },
  'GET /api/v1/people/:id/one-on-ones': { person: true, expect: { volunteerHost: { in: 403 } } },
  'GET /api/v1/people/:id/follow-ups': { person: true, expect: { volunteerHost: { in: 403 } } },
  'POST /api/v1/people/:id/follow-ups': {
    person: true,
    body: () => ({ title: 'Call back', due_at: '2030-01-01T00:00:00Z' }),
  },
  'PATCH /api/v1/follow-ups/:id': { person: true, body: () => ({ status: 'done' }) },
  'GET /api/v1/follow-ups/mine': {},
  'GET /api/v1/people/:id/point-person': { person: true, expect: { volunteerHost: { in: 403 } } },
  'PUT /api/v1/people/:id/point-person': { person: true, body: () => ({ user_id: users.networkAdmin.id }) },
  'DELETE /api/v1/people/:id/point-person': { person: true },
  // Calling: surveys, call lists, phone trees (calls.manage: the four organizing roles).
  'GET /api/v1/surveys': {},
  'POST /api/v1/surveys': { body: (_x, n) => ({ name: `Survey ${uniq(n)}` }) },
  'GET /api/v1/surveys/:id': {},
  'PATCH /api/v1/surveys/:id': { body: () => ({ name: 'Renamed survey' }) },
  'POST /api/v1/surveys/:id/questions': {
    body: (_x, n) => ({ key: `q_${uniq(n)}`, prompt: 'Anything else?', type: 'text' }),
  },
  'GET /api/v1/people/:id/answers': {
    person: true,
    // Answers are part of the timeline, a basic field; the host's assignment names given_name only.
    expect: { volunteerHost: { in: 403 } },
  },
  'POST /api/v1/people/:id/answers': {
    person: true,
    body: (x) => ({ survey_id: x.survey, answers: [{ question: 'q', value: 'Because' }] }),
  },
  'GET /api/v1/call-lists': {},
  'POST /api/v1/call-lists': {
    bodyNamesPeople: true,
    body: (x, n) => ({ name: `Calls ${uniq(n)}`, person_ids: [x.person2] }),
  },
  // Managers see every call list, callers theirs; the host and the analyst are neither.
  // Another organization's call list is not found.
  'GET /api/v1/call-lists/:id': { expect: { volunteerHost: 404, analyst: 404, outsider: 404 } },
  'POST /api/v1/call-lists/:id/callers': { body: (x) => ({ user_id: x.user }) },
  'DELETE /api/v1/call-lists/:id/callers/:userId': {},
  'POST /api/v1/call-lists/:id/close': {},
  // Only the list's callers claim and record; these personas may call but are not assigned to it.
  'POST /api/v1/call-lists/:id/next': {
    expect: { networkAdmin: 403, orgAdmin: 403, chapterStaff: 403, localOrganizer: 403 },
  },
  'POST /api/v1/call-lists/:id/calls': {
    body: (x) => ({ target_id: x.callTarget, outcome: 'reached' }),
    expect: { networkAdmin: 403, orgAdmin: 403, chapterStaff: 403, localOrganizer: 403 },
  },
  'GET /api/v1/phone-trees': {},
  'POST /api/v1/phone-trees': {
    bodyNamesPeople: true,
    body: (x, n) => ({
      name: `Tree ${uniq(n)}`,
      deadline: '2026-06-01T18:00:00Z',
      members: [
        { person_id: x.person, leader_id: null },
        { person_id: x.person2, leader_id: x.person },
      ],
    }),
  },
  'GET /api/v1/phone-trees/:id': {},
  'GET /osdi/v1/questions': {},
  'GET /osdi/v1/questions/:id': {},
  // Answers are listed for people whose timeline the reader may see (none, for the host).
  'GET /osdi/v1/questions/:id/answers': {},
  'POST /api/v1/phone-trees/:id/results': {
    person: true,
    body: (x) => ({ person_id: x.person2, result: 'reached' }),
  },
  // Events (src/events). The target event belongs to bay.east.oakland and waits for approval; its
  // RSVPs hold the "in" person; x.user hosts it. Volunteers and analysts have no event actions.
  'GET /api/v1/events': {},
  'POST /api/v1/events': {
    body: (x) => ({
      unit_id: x.unit,
      title: 'New event',
      starts_at: '2030-01-01T18:00:00Z',
      ends_at: '2030-01-01T20:00:00Z',
      timezone: 'America/Los_Angeles',
    }),
    // Another organization's admin names a unit that is not theirs.
    expect: { outsider: 400 },
  },
  'GET /api/v1/events/:id': {},
  'PATCH /api/v1/events/:id': { body: () => ({ title: 'Renamed event' }) },
  'DELETE /api/v1/events/:id': {},
  'POST /api/v1/events/:id/approve': {},
  'POST /api/v1/events/:id/shifts': {
    body: () => ({ name: 'Setup', starts_at: '2030-01-01T17:00:00Z', ends_at: '2030-01-01T18:00:00Z' }),
  },
  'GET /api/v1/events/:id/hosts': {},
  'POST /api/v1/events/:id/hosts': { body: (x) => ({ user_id: x.user }) },
  'DELETE /api/v1/events/:id/hosts/:userId': {},
  'GET /api/v1/events/:id/attendees': {},
  'GET /api/v1/events/:id/what-next': {},
  'POST /api/v1/events/:id/check-ins': { body: (x) => ({ person_id: x.person, attendance: 'attended' }) },
  'POST /api/v1/events/:id/walk-ins': {
    body: (_x, n) => ({ given_name: 'Walker', email: `walk-in-${uniq(n)}@example.org` }),
  },
  'POST /api/v1/public/events/:id/rsvps': {
    body: (_x, n) => ({
      given_name: 'Guest',
      email: `rsvp-${uniq(n)}@example.org`,
      consent: { email_updates: true },
    }),
    public: '2xx',
  },
  'GET /api/v1/public/events/:id': { public: '2xx' },
  'GET /api/v1/public/events/:id/event.ics': { public: '2xx' },
  'GET /api/v1/public/orgs/:slug/events.ics': { public: '2xx' },
  'GET /api/v1/public/orgs/:slug/events.geojson': { public: '2xx' },
  'GET /api/v1/public/orgs/:slug/events.atom': { public: '2xx' },
  'GET /api/v1/campaigns': {},
  'POST /api/v1/campaigns': {
    body: (x) => ({ unit_id: x.unit, title: 'A campaign', starts_on: '2030-05-01', ends_on: '2030-05-02' }),
    expect: { outsider: 400 },
  },
  'GET /api/v1/campaigns/:id': {},
  'GET /api/v1/campaigns/:id/moderators': {},
  'POST /api/v1/campaigns/:id/moderators': { body: () => ({ user_id: users.chapterStaff.id }) },
  'GET /api/v1/campaigns/:id/queue': {},
  'POST /api/v1/public/campaigns/:id/events': {
    body: (_x, n) => ({
      host: { given_name: 'Host', email: `host-${uniq(n)}@example.org` },
      title: 'Proposed',
      starts_at: '2030-06-01T18:00:00Z',
      ends_at: '2030-06-01T20:00:00Z',
      timezone: 'UTC',
      postal_code: '94612',
      consent: { email_updates: false },
    }),
    public: '2xx',
  },
  // The matrix sends no query string, and the search needs a ZIP code.
  'GET /api/v1/public/campaigns/:id/events': { public: 400 },
  'GET /api/v1/public/campaigns/:id/events.ics': { public: '2xx' },
  'GET /osdi/v1/events': {},
  'GET /osdi/v1/events/:id': {},
  'GET /osdi/v1/events/:id/attendances': {},
  'GET /osdi/v1/events/:id/attendances/:attendanceId': {},
  'POST /osdi/v1/events/:id/attendances/record_attendance_helper': {
    body: (_x, n) => ({
      person: { given_name: 'Osdi', email_addresses: [{ address: `osdi-rsvp-${uniq(n)}@example.org` }] },
    }),
  },
  // Turf and walk lists (turf.manage: the four organizing roles). The walk list's canvasser is
  // x.user, none of the personas: managers see the list but only canvassers record doors.
  'GET /api/v1/turfs': {},
  'POST /api/v1/turfs': {
    body: (x, n) => ({ name: `Turf ${uniq(n)}`, unit_id: x.unit, zip_codes: ['94601'] }),
    // Another organization's admin names a unit that is not theirs.
    expect: { outsider: 400 },
  },
  'GET /api/v1/turfs/:id': {},
  'GET /api/v1/turfs/:id/people': {},
  'GET /api/v1/walk-lists': {},
  'POST /api/v1/walk-lists': {
    body: (x, n) => ({ name: `Walk ${uniq(n)}`, turf_id: x.turf }),
    // Another organization's turf is not found.
    bodyNamesPeople: true,
  },
  // Turf managers and the list's canvassers see a walk list; the host is neither.
  'GET /api/v1/walk-lists/:id': { expect: { volunteerHost: 404 } },
  'GET /api/v1/walk-lists/:id/sheet': { expect: { volunteerHost: 404 } },
  'GET /api/v1/walk-lists/:id/sheet.csv': { expect: { volunteerHost: 404 } },
  'GET /api/v1/walk-lists/:id/sheet.html': { expect: { volunteerHost: 404 } },
  'POST /api/v1/walk-lists/:id/canvassers': { body: (x) => ({ user_id: x.user }) },
  'DELETE /api/v1/walk-lists/:id/canvassers/:userId': {},
  'POST /api/v1/walk-lists/:id/close': {},
  // Only the list's canvassers record doors; these personas manage turf but do not canvass it.
  'POST /api/v1/walk-lists/:id/doors/:doorId': {
    body: () => ({ result: 'not_home' }),
    expect: { networkAdmin: 403, orgAdmin: 403, chapterStaff: 403, localOrganizer: 403, volunteerHost: 404 },
  },
  // Forms and petitions (src/forms). The target form belongs to bay.east.oakland; the "in" person
  // submitted it. forms.manage: the four organizing roles (migration 0009_forms).
  'GET /api/v1/forms': {},
  'POST /api/v1/forms': {
    body: (x) => ({ unit_id: x.unit, title: 'New form' }),
    // Another organization's admin names a unit that is not theirs.
    expect: { outsider: 400 },
  },
  'GET /api/v1/forms/:id': {},
  'PATCH /api/v1/forms/:id': { body: () => ({ title: 'Renamed form' }) },
  'DELETE /api/v1/forms/:id': {},
  'GET /api/v1/forms/:id/submissions': {},
  'GET /api/v1/forms/:id/submissions/:submissionId': {},
  'GET /api/v1/forms/:id/embed': {},
  'GET /api/v1/public/forms/:id': { public: '2xx' },
  'POST /api/v1/public/forms/:id/submissions': {
    body: (_x, n) => ({
      given_name: 'Signer',
      email: `form-${uniq(n)}@example.org`,
      consent: { email_updates: true },
    }),
    public: '2xx',
  },
  'GET /f/:id': { public: '2xx' },
  'POST /f/:id': {
    raw: {
      contentType: 'application/x-www-form-urlencoded',
      body: (n) => `given_name=Page&email=page-${uniq(n)}%40example.org&q_why=Because`,
    },
    public: '2xx',
  },
  'GET /osdi/v1/forms': {},
  'GET /osdi/v1/forms/:id': {},
  'GET /osdi/v1/forms/:id/submissions': {},
  'GET /osdi/v1/forms/:id/submissions/:itemId': {},
  'POST /osdi/v1/forms/:id/submissions/record_submission_helper': {
    body: (_x, n) => ({
      person: { given_name: 'Osdi', email_addresses: [{ address: `osdi-form-${uniq(n)}@example.org` }] },
    }),
  },
  'GET /osdi/v1/petitions': {},
  'GET /osdi/v1/petitions/:id': {},
  'GET /osdi/v1/petitions/:id/signatures': {},
  'GET /osdi/v1/petitions/:id/signatures/:itemId': {},
  'POST /osdi/v1/petitions/:id/signatures/record_signature_helper': {
    body: (_x, n) => ({
      person: { given_name: 'Osdi', email_addresses: [{ address: `osdi-sign-${uniq(n)}@example.org` }] },
      comments: 'Signed',
    }),
  },
  // The public event page (src/events) on the forms' rendering helper.
  'GET /e/:id': { public: '2xx' },
  'POST /e/:id': {
    raw: {
      contentType: 'application/x-www-form-urlencoded',
      body: (n) => `given_name=Guest&email=page-rsvp-${uniq(n)}%40example.org&consent_email=yes`,
    },
    public: '2xx',
  },

  // matrix: imports
  'POST /api/v1/imports/preview': {
    raw: { contentType: 'text/csv', body: (n) => `given_name,family_name\nPreviewed,Person${uniq(n)}\n` },
    // Reads the sample it is sent and stores nothing, even when it succeeds.
    readOnly: true,
  },
  'GET /api/v1/imports/:id/rejects': {},

  // matrix: organizing

  // matrix: events
  // Shifts (events.write over the event's unit): the target shift has no RSVPs, so removing it succeeds.
  'PATCH /api/v1/events/:id/shifts/:shiftId': { body: () => ({ name: 'Renamed shift', capacity: 5 }) },
  'DELETE /api/v1/events/:id/shifts/:shiftId': {},
  // Campaign moderators and trusted hosts (events.moderate over the campaign's unit). The target
  // campaign has one moderator, `user`: removing the last one is allowed (the unit's moderators remain).
  'DELETE /api/v1/campaigns/:id/moderators/:userId': {},
  'PUT /api/v1/campaigns/:id/trusted-hosts': { body: () => ({ emails: ['trusted@example.org'] }) },

  // matrix: admin
  // The target role is held by `user`: deleting it is refused (409) and changes nothing; a delete
  // that succeeds is in src/access/access.routes.test.ts.
  'DELETE /api/v1/roles/:key': { expect: { networkAdmin: 409 } },
  // Counts only, saves nothing.
  'POST /api/v1/roles/:key/preview': {
    body: () => ({ actions: ['people.read', 'people.write'] }),
    readOnly: true,
  },
  // Counts only, over the people.aggregate scope: every persona with it gets its own numbers.
  'GET /api/v1/dashboard': {},
  // Renaming needs units.manage over the whole organization; the unit keeps its path.
  'PATCH /api/v1/units/:id': { body: () => ({ name: 'Renamed unit' }) },

  // matrix: field
  // Turf edit and delete (turf.manage over the turf's unit, bay.east.oakland: the four organizing
  // roles). The target turf has an open walk list, so every manager's delete is a 409 that changes
  // nothing; a delete that succeeds is in src/turf/turf.test.ts.
  'PATCH /api/v1/turfs/:id': { body: () => ({ name: 'Renamed turf', zip_codes: ['94602'] }) },
  'DELETE /api/v1/turfs/:id': {
    expect: { networkAdmin: 409, orgAdmin: 409, chapterStaff: 409, localOrganizer: 409 },
  },

  // matrix: public
  // The campaign page, its map script and its host form (posted like the public host API).
  'GET /c/map.js': { public: '2xx' },
  'GET /c/:id': { public: '2xx' },
  'POST /c/:id': {
    raw: {
      contentType: 'application/x-www-form-urlencoded',
      body: (n) =>
        `host_given_name=Host&host_email=page-host-${uniq(n)}%40example.org&title=Proposed&date=2030-06-01&start_time=18%3A00&end_time=20%3A00&timezone=UTC&postal_code=94612`,
    },
    public: '2xx',
  },
  // Minting a consent link needs what changing status fields needs (people.write, status class).
  'POST /api/v1/people/:id/consent-links': { person: true, body: () => ({ purpose: 'matrix' }) },
  'POST /api/v1/people/:id/consent-links/revoke': { person: true },
  // The matrix holds no token: every bad token gets the one "link no longer works" page.
  'GET /consent/:token': { public: 404, readOnly: true },
  'POST /consent/:token': {
    raw: { contentType: 'application/x-www-form-urlencoded', body: () => 'do_not_contact=yes' },
    public: 404,
    readOnly: true,
  },
  // A person's consent is status fields: a host (given_name only) reads the person, not this.
  'GET /api/v1/people/:id/consent': { person: true, expect: { volunteerHost: { in: 403 } } },
  // Recording an opt-out for the person is a write of status fields (people.write, status class).
  'POST /api/v1/people/:id/consent/opt-out': {
    person: true,
    body: () => ({ channel: 'sms', note: 'asked on the phone' }),
    despiteLegalHold: true,
  },

  // matrix: dayofaction
};

// Forms: forms.manage for the built-in roles that organize (migration 0009_forms).
for (const persona of ['networkAdmin', 'orgAdmin', 'chapterStaff', 'localOrganizer', 'outsider'] as const)
  MAY[persona].add('forms.manage');

// Events: the built-in roles' event actions (migration 0006_events).
for (const action of ['events.read', 'events.write', 'events.moderate'])
  for (const persona of ['networkAdmin', 'orgAdmin', 'chapterStaff', 'outsider'] as const)
    MAY[persona].add(action);
for (const action of ['events.read', 'events.write']) MAY.localOrganizer.add(action);

/** The default rule, then the route's exceptions. */
function expected(key: string, policy: Policy, persona: Persona, variant: Variant): Outcome {
  const c = CASES[key] as RouteCase;
  const exception = c.expect?.[persona];
  if (exception !== undefined) {
    const value = typeof exception === 'object' ? exception[variant] : exception;
    if (value !== undefined) return value;
  }
  if ('public' in policy) return c.public ?? '2xx';
  if (persona === 'anonymous') return 401;
  if ('authenticated' in policy) return '2xx';
  if (!MAY[persona].has(policy.action)) return 403;
  if (persona === 'outsider') return key.includes(':') || c.bodyNamesPeople ? 404 : '2xx';
  if (variant === 'out' && !REACHES_OUT.has(persona)) return 404;
  // Legal hold wins over every grant: the record cannot be changed, merged or deleted (a
  // withdrawal of consent still goes through: it adds a receipt and stops contact).
  if (variant === 'held') return key.startsWith('GET ') || c.despiteLegalHold ? '2xx' : 403;
  return '2xx';
}

const outcomeOf = (status: number): Outcome | number => (status >= 200 && status < 300 ? '2xx' : status);

// ---------------------------------------------------------------------------------------------
// The organization, the personas and their targets

let t: TestApp;
let orgA: string;
const users = {} as Record<Exclude<Persona, 'anonymous'>, TestUser>;
const units: Record<string, string> = {};
let hostList: string;
let importJob: string;
let shared: Record<'in' | 'out' | 'held', Targets>;
let counter = 0;

async function person(db: Kysely<DB>, variant: 'in' | 'out' | 'held', label: string): Promise<string> {
  const id = newId();
  const path = variant === 'out' ? 'valley' : 'bay.east.oakland';
  await db
    .insertInto('person')
    .values({
      org_id: orgA,
      id,
      given_name: `${label}`,
      family_name: `Matrix${counter++}`,
      home_unit_id: units[path] as string,
      home_unit_path: sql`${path}::ltree`,
    } as never)
    .execute();
  if (variant === 'in')
    await db
      .insertInto('list_item')
      .values({ org_id: orgA, id: newId(), list_id: hostList, person_id: id })
      .execute();
  return id;
}

async function token(db: Kysely<DB>, user: TestUser): Promise<string> {
  const id = newId();
  await db
    .insertInto('api_token')
    .values({
      org_id: user.orgId,
      id,
      user_id: user.id,
      name: `spare ${id}`,
      prefix: 'rz_spare',
      token_hash: `spare-${id}`,
      last_used_at: null,
      revoked_at: null,
    })
    .execute();
  return id;
}

/** A fresh set of targets: the people of the variant and everything that hangs off them. */
async function makeTargets(
  variant: 'in' | 'out' | 'held',
  owner: TestUser,
  options: { merge?: boolean } = {},
): Promise<Targets> {
  // One transaction: on PostgreSQL, one commit instead of thirty.
  const targets = await t.db.transaction().execute(async (db) => await insertTargets(db, variant, owner));
  const people = [targets.person, targets.person2];
  if (options.merge) {
    const survivor = await person(t.db, variant, 'Survivor');
    const merged = await person(t.db, variant, 'Merged');
    targets.merge = (await mergePeople(systemCtx(t.db, orgA), survivor, merged)).merge_id;
    people.push(survivor, merged);
  }
  // The hold comes last: nobody, the operator included, may merge a record under legal hold.
  if (variant === 'held')
    await t.db.updateTable('person').set({ legal_hold: true }).where('id', 'in', people).execute();
  return targets;
}

async function insertTargets(
  db: Kysely<DB>,
  variant: 'in' | 'out' | 'held',
  owner: TestUser,
): Promise<Targets> {
  const n = counter++;
  const p1 = await person(db, variant, 'First');
  const p2 = await person(db, variant, 'Second');
  const source = { source_kind: 'import', source_ref: null };
  const email = newId();
  await db
    .insertInto('person_email')
    .values({
      org_id: orgA,
      id: email,
      person_id: p1,
      address: `matrix-${n}@example.org`,
      is_primary: true,
      ...source,
    })
    .execute();
  const phone = newId();
  await db
    .insertInto('person_phone')
    .values({
      org_id: orgA,
      id: phone,
      person_id: p1,
      number: `+1510555${String(n % 10000).padStart(4, '0')}`,
      is_primary: true,
      ...source,
    })
    .execute();
  const address = newId();
  await db
    .insertInto('person_address')
    .values({
      org_id: orgA,
      id: address,
      person_id: p1,
      address_lines: [`${n} Matrix Way`],
      locality: 'Oakland',
      address_key: `${n} matrix way`,
      is_primary: true,
      ...source,
    })
    .execute();
  const note = newId();
  await db
    .insertInto('note')
    .values({ org_id: orgA, id: note, person_id: p1, author_id: null, body: 'Note' })
    .execute();
  const activity = newId();
  await db
    .insertInto('activity')
    .values({
      org_id: orgA,
      id: activity,
      person_id: p1,
      kind: 'one_on_one',
      occurred_at: new Date(),
      actor_id: null,
      outcome: null,
      body: 'Met',
    })
    .execute();
  const relationship = newId();
  await db
    .insertInto('relationship')
    .values({
      org_id: orgA,
      id: relationship,
      person_id: p1,
      related_person_id: p2,
      kind: 'household',
      custom_label: null,
    })
    .execute();
  const tag = newId();
  await db
    .insertInto('tag')
    .values({ org_id: orgA, id: tag, name: `Matrix tag ${n}`, description: null })
    .execute();
  const tagging = newId();
  await db
    .insertInto('tagging')
    .values({ org_id: orgA, id: tagging, tag_id: tag, person_id: p1, ...source })
    .execute();
  const list = newId();
  await db
    .insertInto('list')
    .values({ org_id: orgA, id: list, name: `Matrix list ${n}`, description: null, created_by: null })
    .execute();
  const listItem = newId();
  await db
    .insertInto('list_item')
    .values({ org_id: orgA, id: listItem, list_id: list, person_id: p1 })
    .execute();
  const duplicate = newId();
  const [a, b] = p1 < p2 ? [p1, p2] : [p2, p1];
  await db
    .insertInto('possible_duplicate')
    .values({ org_id: orgA, id: duplicate, person_a: a, person_b: b, reason: 'same email' })
    .execute();
  const field = newId();
  await db
    .insertInto('custom_field')
    .values({
      org_id: orgA,
      id: field,
      key: `matrix_${n}`,
      label: 'Matrix',
      field_type: 'text',
      choices: null,
      archived_at: null,
    })
    .execute();
  const search = newId();
  await db
    .insertInto('saved_search')
    .values({
      org_id: orgA,
      id: search,
      name: `Matrix search ${n}`,
      description: null,
      query: '{"unit":"bay"}',
      created_by: null,
    })
    .execute();
  const ladder = newId();
  await db
    .insertInto('ladder')
    .values({ org_id: orgA, id: ladder, name: `Matrix ladder ${n}`, description: null, archived_at: null })
    .execute();
  const level = newId();
  await db
    .insertInto('ladder_level')
    .values({
      org_id: orgA,
      id: level,
      ladder_id: ladder,
      position: 1,
      name: 'Active',
      description: null,
      retired_at: null,
    })
    .execute();
  const rule = newId();
  await db
    .insertInto('ladder_rule')
    .values({
      org_id: orgA,
      id: rule,
      ladder_id: ladder,
      level_id: level,
      name: 'One meeting',
      activity_kinds: ['one_on_one'],
      min_count: 1,
      window_days: 30,
    })
    .execute();
  const suggestion = newId();
  await db
    .insertInto('ladder_suggestion')
    .values({
      org_id: orgA,
      id: suggestion,
      person_id: p1,
      ladder_id: ladder,
      level_id: level,
      rule_id: rule,
      evidence: JSON.stringify({ rule: 'One meeting', count: 1, kinds: ['one_on_one'], window_days: 30 }),
      decided_by: null,
      decided_at: null,
      assessment_id: null,
    })
    .execute();
  const followUp = newId();
  await db
    .insertInto('follow_up')
    .values({
      org_id: orgA,
      id: followUp,
      person_id: p1,
      owner_id: owner.id,
      title: 'Matrix follow-up',
      due_at: new Date(),
      done_at: null,
      activity_id: null,
      created_by: null,
    })
    .execute();
  const user = (await makeUser(db, orgA, null)).id;
  const role = `matrix_role_${n}`;
  const roleId = newId();
  await db
    .insertInto('role')
    .values({
      org_id: orgA,
      id: roleId,
      key: role,
      name: 'Matrix role',
      actions: ['people.read'],
      field_classes: ['basic'],
    })
    .execute();
  const binding = newId();
  await db
    .insertInto('role_binding')
    .values({
      org_id: orgA,
      id: binding,
      user_id: user,
      role_id: roleId,
      unit_id: units.bay as string,
      expires_at: null,
      created_by: null,
    })
    .execute();
  const assignment = newId();
  await db
    .insertInto('assignment')
    .values({
      org_id: orgA,
      id: assignment,
      user_id: user,
      target_kind: 'list',
      target_id: list,
      actions: ['people.read'],
      fields: ['given_name'],
      expires_at: null,
      created_by: null,
    })
    .execute();
  const { event, publicEvent, rsvp, campaign } = await insertEventTargets(db, p1, user);
  return {
    person: p1,
    person2: p2,
    email,
    phone,
    address,
    note,
    activity,
    relationship,
    tag,
    tagging,
    list,
    listItem,
    duplicate,
    merge: newId(),
    unit: units['bay.east.oakland'] as string,
    field,
    search,
    importJob,
    user,
    token: await token(db, owner),
    role,
    binding,
    assignment,
    ladder,
    level,
    rule,
    suggestion,
    followUp,
    event,
    publicEvent,
    rsvp,
    campaign,
    ...(await insertCallingTargets(db, p1, p2, owner, user)),
    ...(await insertTurfTargets(db, p1, user)),
    ...(await insertFormTargets(db, p1)),
    ...(await insertShiftTargets(db, event, campaign, user)),
  };
}

/** A shift of the event with no RSVPs, and `user` as the campaign's one moderator. */
async function insertShiftTargets(
  db: Kysely<DB>,
  event: string,
  campaign: string,
  user: string,
): Promise<Pick<Targets, 'shift'>> {
  const shift = newId();
  const starts = new Date(Date.now() + 7 * 86_400_000);
  await db
    .insertInto('event_shift')
    .values({
      org_id: orgA,
      id: shift,
      event_id: event,
      name: 'Matrix shift',
      starts_at: starts,
      ends_at: new Date(starts.getTime() + 3_600_000),
      capacity: null,
    })
    .execute();
  await db
    .insertInto('campaign_moderator')
    .values({ org_id: orgA, campaign_id: campaign, user_id: user })
    .execute();
  return { shift };
}

/** A ZIP turf of bay.east.oakland, a walk list of it with p1 at its one door, `user` its canvasser. */
async function insertTurfTargets(
  db: Kysely<DB>,
  p1: string,
  user: string,
): Promise<Pick<Targets, 'turf' | 'walkList' | 'door'>> {
  const [turf, walkList, list, door, assignment] = [newId(), newId(), newId(), newId(), newId()];
  await db
    .insertInto('turf')
    .values({
      org_id: orgA,
      id: turf,
      unit_id: units['bay.east.oakland'] as string,
      name: 'Matrix turf',
      geometry: null,
      zip_codes: ['94601'],
      min_lat: null,
      max_lat: null,
      min_lon: null,
      max_lon: null,
      created_by: null,
    })
    .execute();
  await db
    .insertInto('list')
    .values({ org_id: orgA, id: list, name: 'Matrix walk list', description: null, created_by: null })
    .execute();
  await db
    .insertInto('list_item')
    .values({ org_id: orgA, id: newId(), list_id: list, person_id: p1 })
    .execute();
  await db
    .insertInto('walk_list')
    .values({
      org_id: orgA,
      id: walkList,
      turf_id: turf,
      name: 'Matrix walk',
      survey_id: null,
      list_id: list,
      closed_at: null,
      created_by: null,
    })
    .execute();
  await db
    .insertInto('walk_door')
    .values({
      org_id: orgA,
      id: door,
      walk_list_id: walkList,
      position: 1,
      address_key: '1 matrix st|oakland|ca|94601|us',
      address_lines: ['1 Matrix St'],
      locality: 'Oakland',
      postal_code: '94601',
      latitude: null,
      longitude: null,
      last_result: null,
      last_result_at: null,
    })
    .execute();
  await db.insertInto('walk_door_person').values({ org_id: orgA, door_id: door, person_id: p1 }).execute();
  await db
    .insertInto('assignment')
    .values({
      org_id: orgA,
      id: assignment,
      user_id: user,
      target_kind: 'list',
      target_id: list,
      actions: ['people.read'],
      fields: ['given_name', 'street_address', 'locality'],
      expires_at: null,
      created_by: null,
    })
    .execute();
  await db
    .insertInto('walk_list_canvasser')
    .values({
      org_id: orgA,
      walk_list_id: walkList,
      user_id: user,
      assignment_id: assignment,
      created_by: null,
    })
    .execute();
  return { turf, walkList, door };
}

/** An open form of bay.east.oakland with one optional question, and the person's submission. */
async function insertFormTargets(
  db: Kysely<DB>,
  person: string,
): Promise<{ form: string; submission: string; petition: string; signature: string }> {
  const [form, submission, petition, signature] = [newId(), newId(), newId(), newId()];
  for (const [id, kind, itemId] of [
    [form, 'form', submission],
    [petition, 'petition', signature],
  ] as const) {
    await db
      .insertInto('form')
      .values({
        org_id: orgA,
        id,
        unit_id: units['bay.east.oakland'] as string,
        kind,
        title: `Matrix ${kind}`,
        description: null,
        call_to_action: null,
        questions: JSON.stringify(
          kind === 'form' ? [{ key: 'why', label: 'Why?', type: 'text', required: false }] : [],
        ),
        targets: kind === 'petition' ? JSON.stringify([{ name: 'The council' }]) : '[]',
        petition_text: null,
        created_by: null,
      })
      .execute();
    await db
      .insertInto('form_submission')
      .values({
        org_id: orgA,
        id: itemId,
        form_id: id,
        person_id: person,
        form_kind: kind,
        answers: '{}',
        comment: null,
        source: 'organizer',
        referrer: null,
        consent: '{}',
        submitted_at: new Date(),
      })
      .execute();
  }
  return { form, submission, petition, signature };
}

/** A survey with one question, a call list of p1 with `user` as its caller, a phone tree p1 → p2. */
async function insertCallingTargets(
  db: Kysely<DB>,
  p1: string,
  p2: string,
  owner: TestUser,
  user: string,
): Promise<Pick<Targets, 'survey' | 'question' | 'callList' | 'callTarget' | 'phoneTree'>> {
  const createdBy = owner.orgId === orgA ? owner.id : null;
  const survey = newId();
  await db
    .insertInto('survey')
    .values({ org_id: orgA, id: survey, name: 'Matrix survey', description: null, created_by: createdBy })
    .execute();
  const question = newId();
  await db
    .insertInto('survey_question')
    .values({
      org_id: orgA,
      id: question,
      survey_id: survey,
      key: 'q',
      position: 1,
      prompt: 'Why?',
      question_type: 'text',
      choices: '[]',
    })
    .execute();
  const list = newId();
  await db
    .insertInto('list')
    .values({ org_id: orgA, id: list, name: 'Matrix call list', description: null, created_by: null })
    .execute();
  await db
    .insertInto('list_item')
    .values({ org_id: orgA, id: newId(), list_id: list, person_id: p1 })
    .execute();
  const callList = newId();
  await db
    .insertInto('call_list')
    .values({
      org_id: orgA,
      id: callList,
      name: 'Matrix calls',
      script: null,
      survey_id: survey,
      list_id: list,
      closed_at: null,
      created_by: createdBy,
    })
    .execute();
  const callTarget = newId();
  await db
    .insertInto('call_target')
    .values({
      org_id: orgA,
      id: callTarget,
      call_list_id: callList,
      person_id: p1,
      last_outcome: null,
      last_activity_id: null,
      claimed_by: null,
      claimed_until: null,
    })
    .execute();
  const assignment = newId();
  await db
    .insertInto('assignment')
    .values({
      org_id: orgA,
      id: assignment,
      user_id: user,
      target_kind: 'list',
      target_id: list,
      actions: ['people.read', 'person.call'],
      fields: ['given_name'],
      expires_at: null,
      created_by: null,
    })
    .execute();
  await db
    .insertInto('call_list_caller')
    .values({
      org_id: orgA,
      call_list_id: callList,
      user_id: user,
      assignment_id: assignment,
      created_by: null,
    })
    .execute();
  const phoneTree = newId();
  await db
    .insertInto('phone_tree')
    .values({
      org_id: orgA,
      id: phoneTree,
      name: 'Matrix tree',
      message: null,
      deadline: new Date(),
      created_by: null,
    })
    .execute();
  const top = newId();
  await db
    .insertInto('phone_tree_node')
    .values([
      {
        org_id: orgA,
        id: top,
        tree_id: phoneTree,
        person_id: p1,
        parent_id: null,
        depth: 0,
        result: null,
        result_at: null,
        result_by: null,
        activity_id: null,
      },
      {
        org_id: orgA,
        id: newId(),
        tree_id: phoneTree,
        person_id: p2,
        parent_id: top,
        depth: 1,
        result: null,
        result_at: null,
        result_by: null,
        activity_id: null,
      },
    ])
    .execute();
  return { survey, question, callList, callTarget, phoneTree };
}

async function insertEventTargets(
  db: Kysely<DB>,
  attendee: string,
  hostUser: string,
): Promise<{ event: string; publicEvent: string; rsvp: string; campaign: string }> {
  const [event, publicEvent, rsvp, campaign] = [newId(), newId(), newId(), newId()];
  await db
    .insertInto('campaign')
    .values({
      org_id: orgA,
      id: campaign,
      unit_id: units['bay.east.oakland'] as string,
      title: 'Matrix day of action',
      description: null,
      starts_on: '2030-01-01',
      ends_on: '2030-12-31',
      created_by: null,
    })
    .execute();
  const starts = new Date(Date.now() + 7 * 86_400_000);
  for (const [id, visibility, status] of [
    [event, 'unit', 'pending_approval'],
    [publicEvent, 'public', 'published'],
  ] as const) {
    await db
      .insertInto('event')
      .values({
        org_id: orgA,
        id,
        unit_id: units['bay.east.oakland'] as string,
        campaign_id: null,
        title: 'Matrix event',
        description: null,
        starts_at: starts,
        ends_at: new Date(starts.getTime() + 3_600_000),
        timezone: 'UTC',
        location_name: null,
        locality: null,
        region: null,
        postal_code: null,
        country: null,
        latitude: null,
        longitude: null,
        virtual_url: null,
        capacity: null,
        visibility,
        status,
        proposed_by: null,
        created_by: null,
      })
      .execute();
  }
  await db
    .insertInto('event_rsvp')
    .values({
      org_id: orgA,
      id: rsvp,
      event_id: event,
      person_id: attendee,
      shift_id: null,
      status: 'going',
      attendance: null,
      checked_in_at: null,
      source: 'organizer',
      referrer: null,
      consent: '{}',
    })
    .execute();
  await db
    .insertInto('assignment')
    .values({
      org_id: orgA,
      id: newId(),
      user_id: hostUser,
      target_kind: 'event',
      target_id: event,
      actions: ['events.read', 'events.write', 'people.read', 'person.message'],
      field_classes: [],
      fields: ['given_name'],
      expires_at: null,
      created_by: null,
    })
    .execute();
  return { event, publicEvent, rsvp, campaign };
}

/** The route's URL with its parameters filled from the targets. */
function fill(url: string, x: Targets): string {
  const segments = url.split('/');
  return segments
    .map((segment, i) => {
      if (!segment.startsWith(':')) return segment;
      const param = segment.slice(1);
      const before = segments[i - 1] ?? '';
      if (param === 'valueId')
        return x[before === 'emails' ? 'email' : before === 'phones' ? 'phone' : 'address'];
      if (param === 'noteId') return x.note;
      if (param === 'activityId') return x.activity;
      if (param === 'relationshipId') return x.relationship;
      if (param === 'levelId') return x.level;
      if (param === 'ruleId') return x.rule;
      if (param === 'memberId') return before === 'taggings' ? x.tagging : x.listItem;
      if (param === 'file') return 'swagger-ui-bundle.js';
      if (param === 'key') return x.role;
      if (param === 'userId') return x.user;
      if (param === 'shiftId') return x.shift;
      if (param === 'attendanceId') return x.rsvp;
      if (param === 'doorId') return x.door;
      if (param === 'slug') return 'matrix-a';
      if (param === 'submissionId') return x.submission;
      if (param === 'itemId') return before === 'signatures' ? x.signature : x.submission;
      if (before === 'f') return x.form;
      if (before === 'c') return x.campaign;
      if (param === 'token') return 'not-a-consent-token';
      if (before === 'e') return x.publicEvent;
      if (before === 'events' && segments.includes('public')) return x.publicEvent;
      const byCollection: Record<string, keyof Targets> = {
        people: 'person',
        tags: 'tag',
        lists: 'list',
        units: 'unit',
        fields: 'field',
        'saved-searches': 'search',
        imports: 'importJob',
        duplicates: 'duplicate',
        merges: 'merge',
        users: 'user',
        tokens: 'token',
        'role-bindings': 'binding',
        assignments: 'assignment',
        ladders: 'ladder',
        suggestions: 'suggestion',
        'follow-ups': 'followUp',
        surveys: 'survey',
        questions: 'question',
        'call-lists': 'callList',
        'phone-trees': 'phoneTree',
        events: 'event',
        campaigns: 'campaign',
        turfs: 'turf',
        'walk-lists': 'walkList',
        forms: 'form',
        petitions: 'petition',
      };
      const key = byCollection[before];
      if (!key) throw new Error(`no target for ${url}`);
      return x[key];
    })
    .join('/');
}

// ---------------------------------------------------------------------------------------------
// "Nothing changed": every table's rows, per organization, hashed in one query

let fullSql: string;
let quickSql: string;

/**
 * Two fingerprints of the database, both keyed "table org". The full one has, per table and
 * organization, the row count and either max(seq) (tables with a change sequence get a new one on
 * every insert and update, and a tombstone on every delete) or an order-free hash of the rows. The
 * quick one reads the change sequence itself (any insert, update or delete of a table that has
 * one advances it) and hashes only the tables without one. Reading with a token may touch
 * last_used_at / last_seen_at: bookkeeping, left out of both.
 */
async function prepareFingerprint(): Promise<void> {
  const { rows } = await sql<{ table_name: string; columns: string[] }>`
    SELECT t.table_name, array_agg(c.column_name::text ORDER BY c.ordinal_position) AS columns
    FROM information_schema.tables t
    JOIN information_schema.columns c ON c.table_schema = t.table_schema AND c.table_name = t.table_name
    WHERE t.table_schema = 'public' AND t.table_type = 'BASE TABLE'
      -- The audit trail records sign-in attempts and reads by design (it has tests of its own).
      AND t.table_name NOT IN ('audit_event', 'audit_head')
    GROUP BY t.table_name ORDER BY t.table_name`.execute(t.db);
  const bookkeeping = new Set(['last_used_at', 'last_seen_at']);
  const select = (name: string, columns: string[]) => {
    const key = columns.includes('org_id') ? 'x.org_id::text' : name === 'org' ? 'x.id::text' : `'-'`;
    const values = columns.filter((c) => !bookkeeping.has(c)).map((c) => `x."${c}"`);
    const hash = columns.includes('seq')
      ? 'max(x.seq)::text'
      : `sum(hashtext(row(${values.join(', ')})::text)::bigint)::text`;
    return `SELECT '${name}' AS t, ${key} AS k, count(*)::int AS n, ${hash} AS h FROM "${name}" x GROUP BY 1, 2`;
  };
  fullSql = rows.map((r) => select(r.table_name, r.columns)).join(' UNION ALL ');
  quickSql = [
    `SELECT 'some table with a change sequence' AS t, '-' AS k, 0 AS n, last_value::text AS h FROM change_seq`,
    ...rows.filter((r) => !r.columns.includes('seq')).map((r) => select(r.table_name, r.columns)),
  ].join(' UNION ALL ');
}

const timing = { fingerprint: 0, targets: 0, requests: 0 };
async function fingerprint(kind: 'quick' | 'full' = 'quick'): Promise<Map<string, string>> {
  const t0 = Date.now();
  try {
    const query = sql.raw(kind === 'quick' ? quickSql : fullSql);
    const { rows } = await sql<{ t: string; k: string; n: number; h: string }>`${query}`.execute(t.db);
    return new Map(rows.map((r) => [`${r.t} ${r.k}`, `${r.n}:${r.h}`]));
  } finally {
    timing.fingerprint += Date.now() - t0;
  }
}

/** The tables whose rows differ (only those of organization A when `orgOnly`). */
function changed(before: Map<string, string>, after: Map<string, string>, orgOnly?: string): string[] {
  const keys = new Set([...before.keys(), ...after.keys()]);
  return [...keys]
    .filter((k) => (orgOnly ? k.endsWith(` ${orgOnly}`) : true))
    .filter((k) => before.get(k) !== after.get(k))
    .map((k) => k.slice(0, k.lastIndexOf(' ')));
}

async function waitForImports(): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const running = await t.db
      .selectFrom('import_job')
      .select('id')
      .where('finished_at', 'is', null)
      .execute();
    if (running.length === 0) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error('an import did not finish');
}

beforeAll(async () => {
  t = await createTestApp();
  orgA = (await makeOrg(t.db, 'matrix-a')).id;
  const orgB = (await makeOrg(t.db, 'matrix-b')).id;
  for (const [path, kind] of [
    ['bay', 'organization'],
    ['bay.east', 'chapter'],
    ['bay.east.oakland', 'local'],
    ['bay.eastside', 'chapter'],
    ['valley', 'organization'],
  ] as const) {
    units[path] = newId();
    await t.db
      .insertInto('unit')
      .values({ org_id: orgA, id: units[path] as string, path, name: path, kind })
      .execute();
  }
  users.networkAdmin = await makeUser(t.db, orgA, 'org_admin');
  users.orgAdmin = await makeUser(t.db, orgA, 'org_admin', 'bay');
  users.chapterStaff = await makeUser(t.db, orgA, 'staff_organizer', 'bay.east');
  users.localOrganizer = await makeUser(t.db, orgA, 'local_organizer', 'bay.east.oakland');
  users.volunteerHost = await makeUser(t.db, orgA, 'volunteer', 'bay.east.oakland');
  users.analyst = await makeUser(t.db, orgA, 'analyst');
  users.outsider = await makeUser(t.db, orgB, 'org_admin');
  hostList = newId();
  await t.db
    .insertInto('list')
    .values({ org_id: orgA, id: hostList, name: 'Event guests', description: null, created_by: null })
    .execute();
  await t.db
    .insertInto('assignment')
    .values({
      org_id: orgA,
      id: newId(),
      user_id: users.volunteerHost.id,
      target_kind: 'list',
      target_id: hostList,
      actions: ['people.read', 'person.message'],
      field_classes: [],
      fields: ['given_name'],
      expires_at: null,
      created_by: null,
    })
    .execute();
  importJob = newId();
  await t.db
    .insertInto('import_job')
    .values({
      org_id: orgA,
      id: importJob,
      filename: 'matrix.csv',
      file_sha256: 'x',
      file_size: 1,
      options: '{}',
      created_by: null,
      finished_at: new Date(),
      error: null,
    })
    .execute();
  shared = {
    in: await makeTargets('in', users.networkAdmin, { merge: true }),
    out: await makeTargets('out', users.networkAdmin, { merge: true }),
    held: await makeTargets('held', users.networkAdmin, { merge: true }),
  };
  await prepareFingerprint();
});
afterAll(async () => {
  await t?.close();
});

// ---------------------------------------------------------------------------------------------

describe('the authorization matrix', () => {
  it('has a row for every route in the router', () => {
    const keys = t.app.routeCatalog.map((r) => `${r.method} ${r.url}`);
    expect(keys.filter((k) => !(k in CASES))).toEqual([]);
    expect(Object.keys(CASES).filter((k) => !keys.includes(k))).toEqual([]);
  });

  it('shows a host who sees first names only nobody’s tags through tag listings', async () => {
    const x = shared.in;
    const count = async (as: TestUser) => {
      const tag = (await t.call('GET', `/api/v1/tags/${x.tag}`, { as })).json();
      const members = (await t.call('GET', `/api/v1/tags/${x.tag}/taggings`, { as })).json();
      const osdi = (await t.call('GET', `/osdi/v1/tags/${x.tag}/taggings`, { as })).json();
      return [tag.total_members, members.total, members.items.length, osdi.total_records];
    };
    // The local organizer reads the person's tags; the host reads the same person's first name only.
    expect(await count(users.localOrganizer)).toEqual([1, 1, 1, 1]);
    expect(await count(users.volunteerHost)).toEqual([0, 0, 0, 0]);
  });

  it('answers every persona on every route as the table expects, and refusals change nothing', async () => {
    const mismatches: string[] = [];
    const writes: string[] = [];
    let calls = 0;
    let last: Map<string, string> | undefined;
    const started = Date.now();
    for (const route of t.app.routeCatalog) {
      const key = `${route.method} ${route.url}`;
      const c = CASES[key];
      if (!c || !route.policy) continue;
      // A refusal at the door (no token, no action) does not depend on the person: one variant.
      const plan = PERSONAS.flatMap((persona) => {
        const atDoor =
          persona === 'anonymous' ||
          persona === 'outsider' ||
          ('action' in route.policy! && !MAY[persona].has(route.policy.action));
        const variants: Variant[] = !c.person
          ? ['org']
          : atDoor && !c.expect?.[persona]
            ? ['in']
            : persona === 'networkAdmin'
              ? ['in', 'out', 'held']
              : ['in', 'out'];
        return variants.map((variant) => ({
          persona,
          variant,
          outcome: expected(key, route.policy as Policy, persona, variant),
        }));
      });
      // Refusals and reads first, on the shared targets; then each expected write on fresh ones.
      const isWrite = (p: (typeof plan)[number]) =>
        p.outcome === '2xx' && !c.readOnly && route.method !== 'GET';
      plan.sort((a, b) => Number(isWrite(a)) - Number(isWrite(b)));
      for (const { persona, variant, outcome } of plan) {
        const user = persona === 'anonymous' ? null : users[persona];
        const write = outcome === '2xx' && !c.readOnly && route.method !== 'GET';
        // A write that names existing rows gets rows of its own; one that only adds does not (nor
        // does an anonymous write to a public route: a public RSVP adds to the shared event).
        const fresh =
          write &&
          user !== null &&
          persona !== 'outsider' &&
          (route.url.includes(':') || !!c.bodyNamesPeople);
        const t1 = Date.now();
        const targets = fresh
          ? await makeTargets(variant === 'org' ? 'in' : variant, user as TestUser, { merge: !!c.needsMerge })
          : shared[variant === 'org' ? 'in' : variant];
        timing.targets += Date.now() - t1;
        // On a public route another organization's admin is one more member of the public.
        const outsiderWrite = write && persona === 'outsider' && !('public' in route.policy);
        // A route that writes and rolls back (a merge preview) uses up sequence values: compare rows.
        const rolledBack = !!c.readOnly && route.method !== 'GET';
        if (fresh || !last) last = await fingerprint();
        const before = outsiderWrite || rolledBack ? await fingerprint('full') : last;
        const t2 = Date.now();
        const n = counter++;
        const url = fill(route.url, targets) + (c.query ? `?${c.query(targets)}` : '');
        let response: LightMyRequestResponse;
        if (c.raw) {
          response = await t.call(route.method, url, {
            as: user,
            body: c.raw.body(n),
            headers: { 'content-type': c.raw.contentType },
          });
        } else {
          const body =
            c.body?.(targets, n) ?? (route.method === 'GET' || route.method === 'DELETE' ? undefined : {});
          response = await t.call(route.method, url, { as: user, body });
        }
        calls++;
        timing.requests += Date.now() - t2;
        if (route.url === '/api/v1/imports' && response.statusCode < 300) await waitForImports();
        // A public RSVP is merged after its answer (adr/0026): its writes belong to this request.
        await t.settle();
        const got = outcomeOf(response.statusCode);
        const where = `${key} as ${persona}${variant === 'org' ? '' : ` (${variant})`}`;
        if (got !== outcome)
          mismatches.push(
            `${where}: expected ${outcome}, got ${response.statusCode} ${response.body.slice(0, 160)}`,
          );
        if (response.statusCode >= 500) {
          last = undefined;
          continue;
        }
        const refused = response.statusCode >= 300;
        if (rolledBack) {
          const diff = changed(before, await fingerprint('full'));
          if (diff.length > 0)
            mismatches.push(`${where}: answered ${response.statusCode} but changed ${diff.join(', ')}`);
          last = undefined;
        } else if (refused || route.method === 'GET') {
          const after = await fingerprint();
          const diff = changed(last, after);
          if (diff.length > 0)
            mismatches.push(`${where}: answered ${response.statusCode} but changed ${diff.join(', ')}`);
          last = after;
        } else if (outsiderWrite) {
          // Their own organization changed; organization A must not have.
          const diff = changed(before, await fingerprint('full'), orgA);
          if (diff.length > 0) mismatches.push(`${where}: changed organization A's ${diff.join(', ')}`);
          last = undefined;
        } else {
          writes.push(where);
          last = undefined;
        }
      }
    }
    console.info(
      `authorization matrix: ${calls} requests, ${writes.length} writes, ${Date.now() - started} ms ${JSON.stringify(timing)}`,
    );
    expect(mismatches).toEqual([]);
    expect(calls).toBeGreaterThan(t.app.routeCatalog.length * PERSONAS.length);
  }, 300_000);
});
