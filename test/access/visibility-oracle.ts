/**
 * What a user may see of the people of an organization, computed in plain TypeScript from a model
 * of the organization, written from migration 0002 and DESIGN.md section 6 alone. It imports
 * nothing from src/: a test that compared the API with src/policy would only prove that the code
 * agrees with itself.
 *
 * The rules, as the design states them:
 * - A user's grants are their role bindings (a role's actions and field classes over the whole
 *   organization or a unit subtree) and their assignments (actions, classes and single fields over
 *   the people of a list, a saved search or an event's RSVPs). Expired ones count for nothing.
 * - A unit subtree holds the unit and every unit under it, label by label ("east" holds
 *   "east.oakland", never "eastside").
 * - A record marked sensitive is reached only by grants that carry the restricted class.
 * - Do-not-contact takes person.message and person.call away, whatever the grants.
 * - A user sees a person when a people.read grant reaches them, and then the fields of the classes
 *   (and the single fields) of every people.read grant that reaches them. An export shows the
 *   people and fields of the people.export grants instead.
 * - Fields are absent, never null, when forbidden. Contact values the user may not read but may
 *   reach by message or call come masked.
 */

export const FIELD_CLASSES = ['basic', 'contact', 'status', 'restricted', 'financial'] as const;
export type FieldClass = (typeof FIELD_CLASSES)[number];

/** Built-in roles, as migration 0002 seeds them. */
export const ROLES: Record<string, { actions: string[]; classes: FieldClass[] }> = {
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
    ],
    classes: ['basic', 'status'],
  },
  volunteer: { actions: ['tags.read', 'units.read', 'tokens.own'], classes: ['basic'] },
  analyst: { actions: ['people.aggregate', 'tags.read', 'units.read', 'tokens.own'], classes: [] },
};

/**
 * The class of each field of a person, from DESIGN.md section 6: basic is who someone is and
 * roughly where (names, locality, tags); contact is how to reach them and where exactly (emails,
 * phones, street address, coordinates, birth date); status is consent and flags.
 */
export const FIELD_CLASS: Record<string, FieldClass> = {
  given_name: 'basic',
  family_name: 'basic',
  additional_name: 'basic',
  pronouns: 'basic',
  preferred_language: 'basic',
  home_unit: 'basic',
  tags: 'basic',
  identifiers: 'basic',
  locality: 'basic',
  birthdate: 'contact',
  emails: 'contact',
  phones: 'contact',
  street_address: 'contact',
  email_status: 'status',
  phone_flags: 'status',
  do_not_contact: 'status',
  sensitive: 'status',
  legal_hold: 'status',
};

// ---------------------------------------------------------------------------------------------
// The model

export interface ModelEmail {
  address: string;
  status: 'subscribed' | 'unsubscribed' | 'bouncing';
}
export interface ModelPhone {
  number: string;
  type: 'mobile' | 'home' | 'other';
  smsCapable: boolean;
  doNotCall: boolean;
}
export interface ModelAddress {
  lines: string[];
  locality: string | null;
  region: string | null;
  postalCode: string | null;
  country: string | null;
  latitude: number | null;
  longitude: number | null;
}
export interface ModelPerson {
  id: string;
  givenName: string | null;
  familyName: string | null;
  additionalName: string | null;
  pronouns: string | null;
  preferredLanguage: string | null;
  birthdate: string | null;
  /** A unit path, or null. */
  home: string | null;
  doNotContact: boolean;
  sensitive: boolean;
  legalHold: boolean;
  /** Primary first. */
  emails: ModelEmail[];
  phones: ModelPhone[];
  address: ModelAddress | null;
  /** Custom field key → value. */
  custom: Record<string, string>;
  /** Tag names. */
  tags: string[];
  identifiers: string[];
}
export interface ModelGrant {
  id: string;
  scope:
    | { kind: 'org' }
    | { kind: 'unit'; path: string }
    | { kind: 'list'; id: string }
    | { kind: 'search'; id: string }
    | { kind: 'event'; id: string };
  actions: string[];
  classes: FieldClass[];
  fields: string[];
  expired: boolean;
}
export type SearchQuery = { unit: string } | { tag: string };
export interface Model {
  people: ModelPerson[];
  /** List id → member person ids. */
  lists: Map<string, Set<string>>;
  /** Saved search id → its query. */
  searches: Map<string, SearchQuery>;
  /** Event id → the people whose RSVP is not cancelled (a host's assignment covers exactly them). */
  events: Map<string, Set<string>>;
  /** Custom field key → class. */
  customFields: Record<string, FieldClass>;
}

// ---------------------------------------------------------------------------------------------
// The rules

export const inSubtree = (path: string | null, root: string): boolean =>
  path !== null && (path === root || path.startsWith(`${root}.`));

function matches(person: ModelPerson, query: SearchQuery): boolean {
  if ('unit' in query) return inSubtree(person.home, query.unit);
  return person.tags.some((t) => t.toLowerCase() === query.tag.toLowerCase());
}

function holds(model: Model, grant: ModelGrant, person: ModelPerson): boolean {
  const s = grant.scope;
  if (s.kind === 'org') return true;
  if (s.kind === 'unit') return inSubtree(person.home, s.path);
  if (s.kind === 'list') return model.lists.get(s.id)?.has(person.id) ?? false;
  if (s.kind === 'event') return model.events.get(s.id)?.has(person.id) ?? false;
  const query = model.searches.get(s.id);
  return query !== undefined && matches(person, query);
}

/** The live grants that give `action` and reach this person (sensitivity applied). */
export function reaching(
  model: Model,
  grants: ModelGrant[],
  action: string,
  person: ModelPerson,
): ModelGrant[] {
  return grants.filter(
    (g) =>
      !g.expired &&
      g.actions.includes(action) &&
      holds(model, g, person) &&
      (!person.sensitive || g.classes.includes('restricted')),
  );
}

/** Whether any live grant gives the action at all (the gate in front of a route). */
export const mayAtAll = (grants: ModelGrant[], action: string): boolean =>
  grants.some((g) => !g.expired && g.actions.includes(action));

export interface Sight {
  classes: Set<FieldClass>;
  fields: Set<string>;
}

export function sight(grants: ModelGrant[]): Sight {
  return {
    classes: new Set(grants.flatMap((g) => g.classes)),
    fields: new Set(grants.flatMap((g) => g.fields)),
  };
}

export const sees = (s: Sight, field: string): boolean =>
  s.classes.has(FIELD_CLASS[field] as FieldClass) || s.fields.has(field);

export const seesCustom = (s: Sight, model: Model, key: string): boolean =>
  s.classes.has(model.customFields[key] as FieldClass) || s.fields.has(`custom_fields.${key}`);

export interface PersonAccess {
  read: boolean;
  sight: Sight;
  message: boolean;
  call: boolean;
}

export function personAccess(model: Model, grants: ModelGrant[], person: ModelPerson): PersonAccess {
  const readers = reaching(model, grants, 'people.read', person);
  return {
    read: readers.length > 0,
    sight: sight(readers),
    message: !person.doNotContact && reaching(model, grants, 'person.message', person).length > 0,
    call: !person.doNotContact && reaching(model, grants, 'person.call', person).length > 0,
  };
}

/** The people this user may read, in the model's order. */
export const readable = (model: Model, grants: ModelGrant[]): ModelPerson[] =>
  model.people.filter((p) => reaching(model, grants, 'people.read', p).length > 0);

// ---------------------------------------------------------------------------------------------
// Masks (the documented forms: j•••@g•••.org and +1•••••••34)

export function maskedEmail(address: string): string {
  const [local = '', domain = ''] = address.split('@');
  const dot = domain.lastIndexOf('.');
  return `${local[0]}•••@${domain[0]}•••${dot > 0 ? domain.slice(dot) : ''}`;
}

export function maskedPhone(number: string): string {
  const cc = /^\+(1|7|[2-9]\d)/.exec(number)?.[0] ?? '+';
  return `${cc}${'•'.repeat(Math.max(number.length - cc.length - 2, 3))}${number.slice(-2)}`;
}

// ---------------------------------------------------------------------------------------------
// What each API must show: a canonical form, built here from the model and there from a response

/** One person as a reader sees them, in a form both sides can be reduced to. */
export type Canon = Record<string, unknown>;

/** The REST view (GET /api/v1/people and /api/v1/people/:id). */
export function restCanon(model: Model, person: ModelPerson, a: PersonAccess): Canon {
  const s = a.sight;
  const out: Canon = { id: person.id };
  const scalar = (field: string, value: unknown) => {
    if (sees(s, field)) out[field] = value;
  };
  scalar('given_name', person.givenName);
  scalar('family_name', person.familyName);
  scalar('additional_name', person.additionalName);
  scalar('pronouns', person.pronouns);
  scalar('preferred_language', person.preferredLanguage);
  scalar('birthdate', person.birthdate);
  scalar('home_unit', person.home);
  scalar('do_not_contact', person.doNotContact);
  scalar('sensitive', person.sensitive);
  scalar('legal_hold', person.legalHold);
  scalar('tags', [...person.tags].sort());
  scalar('identifiers', [...person.identifiers].sort());

  const emailFull = sees(s, 'emails');
  const emailStatus = sees(s, 'email_status');
  if (emailFull || emailStatus || a.message) {
    out.emails = person.emails.map((e, i) => ({
      primary: i === 0,
      ...(emailFull ? { address: e.address } : { masked: maskedEmail(e.address) }),
      ...(emailStatus ? { status: e.status } : {}),
    }));
  }
  const phoneFull = sees(s, 'phones');
  const phoneFlags = sees(s, 'phone_flags');
  // Numbers are reached by calling; messaging alone shows (masked) emails, not phones.
  if (phoneFull || phoneFlags || a.call) {
    out.phones = person.phones.map((p, i) => ({
      primary: i === 0,
      ...(phoneFull ? { number: p.number } : { masked: maskedPhone(p.number) }),
      ...(phoneFlags ? { type: p.type, sms_capable: p.smsCapable, do_not_call: p.doNotCall } : {}),
    }));
  }
  const street = sees(s, 'street_address');
  const locality = sees(s, 'locality');
  if (street || locality) {
    out.addresses = (person.address ? [person.address] : []).map((addr) => ({
      primary: true,
      ...(street
        ? {
            lines: addr.lines,
            postal_code: addr.postalCode,
            latitude: addr.latitude,
            longitude: addr.longitude,
          }
        : {}),
      ...(locality ? { locality: addr.locality, region: addr.region, country: addr.country } : {}),
    }));
  }
  const custom: Record<string, string> = {};
  for (const [key, value] of Object.entries(person.custom))
    if (seesCustom(s, model, key)) custom[key] = value;
  out.custom_fields = custom;
  if (a.message || a.call) {
    out.capabilities = {
      ...(a.message ? { message: `/api/v1/people/${person.id}/message` } : {}),
      ...(a.call ? { call: `/api/v1/people/${person.id}/call` } : {}),
    };
  }
  return out;
}

const OSDI_STATUS: Record<string, string> = {
  subscribed: 'subscribed',
  unsubscribed: 'unsubscribed',
  bouncing: 'bouncing',
};
const OSDI_PHONE_TYPE: Record<string, string> = { mobile: 'Mobile', home: 'Home', other: 'Other' };

/**
 * The OSDI view: only values the reader may read (an OSDI client would store a masked value as
 * the real one), no flags of ours that OSDI has no member for.
 */
export function osdiCanon(model: Model, person: ModelPerson, a: PersonAccess, namespace: string): Canon {
  const s = a.sight;
  const out: Canon = {
    identifiers: [
      `${namespace}:${person.id}`,
      ...(sees(s, 'identifiers') ? [...person.identifiers].sort() : []),
    ],
  };
  const put = (key: string, field: string, value: unknown) => {
    if (sees(s, field) && value !== null) out[key] = value;
  };
  put('given_name', 'given_name', person.givenName);
  put('family_name', 'family_name', person.familyName);
  put('additional_name', 'additional_name', person.additionalName);
  put('preferred_language', 'preferred_language', person.preferredLanguage);
  put('languages_spoken', 'preferred_language', person.preferredLanguage ? [person.preferredLanguage] : null);
  if (sees(s, 'birthdate') && person.birthdate) {
    const [year, month, day] = person.birthdate.split('-').map(Number);
    out.birthdate = { year, month, day };
  }
  const emailStatus = sees(s, 'email_status');
  if (sees(s, 'emails') || emailStatus || a.message) {
    out.email_addresses = sees(s, 'emails')
      ? person.emails.map((e, i) => ({
          primary: i === 0,
          address: e.address,
          ...(emailStatus ? { status: OSDI_STATUS[e.status] } : {}),
        }))
      : [];
  }
  const phoneFlags = sees(s, 'phone_flags');
  if (sees(s, 'phones') || phoneFlags || a.call) {
    out.phone_numbers = sees(s, 'phones')
      ? person.phones.map((p, i) => ({
          primary: i === 0,
          number: p.number.replace(/^\+/, ''),
          ...(phoneFlags
            ? { number_type: OSDI_PHONE_TYPE[p.type], sms_capable: p.smsCapable, do_not_call: p.doNotCall }
            : {}),
        }))
      : [];
  }
  const street = sees(s, 'street_address');
  const locality = sees(s, 'locality');
  if (street || locality) {
    out.postal_addresses = (person.address ? [person.address] : []).map((addr) => {
      const a2: Record<string, unknown> = { primary: true };
      if (street) {
        a2.address_lines = addr.lines;
        if (addr.postalCode !== null) a2.postal_code = addr.postalCode;
        if (addr.latitude !== null && addr.longitude !== null)
          a2.location = { latitude: addr.latitude, longitude: addr.longitude };
      }
      if (locality) {
        if (addr.locality !== null) a2.locality = addr.locality;
        if (addr.region !== null) a2.region = addr.region;
        if (addr.country !== null) a2.country = addr.country;
      }
      return a2;
    });
  }
  const custom: Record<string, string> = {};
  for (const [key, value] of Object.entries(person.custom))
    if (seesCustom(s, model, key)) custom[key] = value;
  if (Object.keys(custom).length > 0) out.custom_fields = custom;
  return out;
}

/** The CSV export's columns, and the field each one shows (null: shown with any row). */
export const CSV_COLUMNS: Record<string, string | null> = {
  id: null,
  given_name: 'given_name',
  family_name: 'family_name',
  additional_name: 'additional_name',
  email: 'emails',
  emails: 'emails',
  phone: 'phones',
  phones: 'phones',
  address_line1: 'street_address',
  address_line2: 'street_address',
  city: 'locality',
  state: 'locality',
  zip: 'street_address',
  country: 'locality',
  birthdate: 'birthdate',
  pronouns: 'pronouns',
  preferred_language: 'preferred_language',
  tags: 'tags',
  identifiers: 'identifiers',
  home_unit: 'home_unit',
  do_not_contact: 'do_not_contact',
  created_at: null,
  updated_at: null,
};

function columnVisible(model: Model, s: Sight, column: string): boolean {
  if (column.startsWith('field:')) return seesCustom(s, model, column.slice('field:'.length));
  const field = CSV_COLUMNS[column];
  return field === null || field === undefined ? field === null : sees(s, field);
}

/** The columns an export by this user may hold: those some export grant shows for someone. */
export function exportableColumns(model: Model, grants: ModelGrant[], columns: string[]): string[] {
  const widest = sight(grants.filter((g) => !g.expired && g.actions.includes('people.export')));
  return columns.filter((c) => columnVisible(model, widest, c));
}

/** The expected CSV rows (without the header) for these columns; created_at/updated_at are left as null. */
export function exportRows(model: Model, grants: ModelGrant[], columns: string[]): (string | null)[][] {
  const rows: (string | null)[][] = [];
  const people = model.people
    .filter((p) => reaching(model, grants, 'people.export', p).length > 0)
    .sort((a, b) => (a.id < b.id ? -1 : 1));
  for (const p of people) {
    const s = sight(reaching(model, grants, 'people.export', p));
    rows.push(
      columns.map((column) => {
        if (column === 'created_at' || column === 'updated_at') return null;
        if (!columnVisible(model, s, column)) return '';
        return csvValue(p, column);
      }),
    );
  }
  return rows;
}

function csvValue(p: ModelPerson, column: string): string {
  const addr = p.address;
  switch (column) {
    case 'id':
      return p.id;
    case 'given_name':
      return p.givenName ?? '';
    case 'family_name':
      return p.familyName ?? '';
    case 'additional_name':
      return p.additionalName ?? '';
    case 'pronouns':
      return p.pronouns ?? '';
    case 'preferred_language':
      return p.preferredLanguage ?? '';
    case 'birthdate':
      return p.birthdate ?? '';
    case 'home_unit':
      return p.home ?? '';
    case 'email':
      return p.emails[0]?.address ?? '';
    case 'emails':
      return p.emails.map((e) => e.address).join('; ');
    case 'phone':
      return p.phones[0]?.number ?? '';
    case 'phones':
      return p.phones.map((e) => e.number).join('; ');
    case 'address_line1':
      return addr?.lines[0] ?? '';
    case 'address_line2':
      return addr ? addr.lines.slice(1).join(', ') : '';
    case 'city':
      return addr?.locality ?? '';
    case 'state':
      return addr?.region ?? '';
    case 'zip':
      return addr?.postalCode ?? '';
    case 'country':
      return addr?.country ?? '';
    case 'tags':
      return [...p.tags].sort().join('; ');
    case 'identifiers':
      return [...p.identifiers].sort().join('; ');
    case 'do_not_contact':
      return p.doNotContact ? 'true' : 'false';
    default:
      return p.custom[column.slice('field:'.length)] ?? '';
  }
}

/**
 * Every value of a person that no one may see without the field's class, each with its field:
 * a response that holds one of these strings shows that field of that person.
 */
export function secretsOf(p: ModelPerson): { value: string; field: string }[] {
  const out: { value: string; field: string }[] = [];
  const add = (value: string | null | undefined, field: string) => {
    if (value) out.push({ value, field });
  };
  add(p.familyName, 'family_name');
  add(p.additionalName, 'additional_name');
  add(p.pronouns, 'pronouns');
  add(p.birthdate, 'birthdate');
  for (const e of p.emails) add(e.address.split('@')[0], 'emails');
  for (const ph of p.phones) add(ph.number.slice(2), 'phones');
  if (p.address) {
    for (const line of p.address.lines) add(line, 'street_address');
    add(p.address.postalCode, 'street_address');
    add(p.address.locality, 'locality');
  }
  for (const identifier of p.identifiers) add(identifier, 'identifiers');
  for (const [key, value] of Object.entries(p.custom)) add(value, `custom_fields.${key}`);
  return out;
}

export function mayShow(model: Model, s: Sight, field: string): boolean {
  return field.startsWith('custom_fields.')
    ? seesCustom(s, model, field.slice('custom_fields.'.length))
    : sees(s, field);
}
