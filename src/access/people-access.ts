import { type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import { auditPeopleRead } from '../audit/index.js';
import type { Ctx } from '../context.js';
import type { DB } from '../db/schema.js';
import { AppError, notFound } from '../errors.js';
import { savedSearchPredicates } from '../people/people.filter.js';
import {
  type AddressView,
  type EmailView,
  loadPeople,
  type PersonView,
  type PhoneView,
} from '../people/people.view.js';
import {
  type Access,
  type Action,
  accessOf,
  decide,
  type FieldClass,
  type FieldGrant,
  fieldVisible,
  isFieldClass,
  type PersonFacts,
  visibleFields,
} from '../policy/index.js';
import { peopleScope } from './scope.js';

/**
 * What the decision needs about these people: home unit, flags, and membership of the lists and
 * saved searches the user is assigned. Records merged away are not here (they answer 404).
 */
export async function loadFacts(
  db: Kysely<DB>,
  access: Access,
  ids: string[],
  options: { includeMerged?: boolean } = {},
): Promise<Map<string, PersonFacts>> {
  const facts = new Map<string, PersonFacts>();
  if (ids.length === 0) return facts;
  const lists = access.grants.flatMap((g) => (g.scope.kind === 'list' ? [g.scope.listId] : []));
  const events = access.grants.flatMap((g) => (g.scope.kind === 'event' ? [g.scope.eventId] : []));
  const { rows } = await sql<{
    id: string;
    home_unit_path: string | null;
    do_not_contact: boolean;
    sensitive: boolean;
    legal_hold: boolean;
    lists: string[] | null;
    events: string[] | null;
  }>`
    SELECT p.id, p.home_unit_path::text AS home_unit_path, p.do_not_contact, p.sensitive, p.legal_hold,
      ${
        lists.length > 0
          ? sql`ARRAY(SELECT li.list_id FROM list_item li WHERE li.person_id = p.id AND li.list_id = ANY(${lists}::uuid[]))`
          : sql`NULL::uuid[]`
      } AS lists,
      ${
        events.length > 0
          ? sql`ARRAY(SELECT r.event_id FROM event_rsvp r WHERE r.person_id = p.id AND r.event_id = ANY(${events}::uuid[]) AND r.status <> 'cancelled')`
          : sql`NULL::uuid[]`
      } AS events
    FROM person p
    WHERE p.org_id = ${access.orgId} AND p.id = ANY(${ids}::uuid[])
      ${options.includeMerged ? sql`` : sql`AND p.merged_into IS NULL`}`.execute(db);
  for (const row of rows) {
    facts.set(row.id, {
      id: row.id,
      homeUnitPath: row.home_unit_path,
      memberOf: new Set([...(row.lists ?? []), ...(row.events ?? [])]),
      doNotContact: row.do_not_contact,
      sensitive: row.sensitive,
      legalHold: row.legal_hold,
    });
  }
  const searches = access.grants.flatMap((g) => (g.scope.kind === 'saved_search' ? [g.scope.searchId] : []));
  if (searches.length > 0 && facts.size > 0) {
    const bySearch = await savedSearchPredicates(db, access.orgId, searches);
    for (const [searchId, predicates] of bySearch) {
      let query = db
        .selectFrom('person as p')
        .select('p.id')
        .where('p.org_id', '=', access.orgId)
        .where('p.id', 'in', [...facts.keys()]);
      for (const predicate of predicates) query = query.where(predicate);
      for (const row of await query.execute())
        (facts.get(row.id) as PersonFacts & { memberOf: Set<string> }).memberOf.add(searchId);
    }
  }
  return facts;
}

/**
 * One person the actor may act on, or an error: 404 when the person does not exist here or the
 * actor may not even read them (out of scope looks exactly like absent), 403 with the reason when
 * they may read but not do this (legal hold, do-not-contact, a role without the action).
 */
export async function requirePerson(
  ctx: Ctx,
  id: string,
  action: Action,
  options: {
    includeMerged?: boolean;
    /**
     * Judge the action as if the record were not under legal hold. Only for a withdrawal of
     * consent: it destroys nothing (a receipt is added), and a hold keeps records, it does not
     * keep contacting someone who asked us to stop.
     */
    despiteLegalHold?: boolean;
  } = {},
): Promise<PersonFacts> {
  const access = accessOf(ctx.actor);
  const loaded = (await loadFacts(ctx.db, access, [id], options)).get(id);
  const facts = loaded && options.despiteLegalHold ? { ...loaded, legalHold: false } : loaded;
  if (!facts || !decide(access, 'people.read', facts).allowed) {
    // Writers without read (none of the built-in roles) still must not learn who exists.
    if (!facts || action === 'people.read' || !decide(access, action, facts).allowed)
      throw notFound('person');
  }
  if (action !== 'people.read') {
    const decision = decide(access, action, facts);
    if (!decision.allowed) {
      throw new AppError('forbidden', decision.reasons.map((r) => r.message).join('; '), {
        internal: action,
      });
    }
  }
  return facts;
}

/**
 * Refuses a write that touches fields the actor may not see on this person (a local organizer
 * cannot change an email address she is not shown). `fields` are built-in field names or
 * `custom_fields.<key>`.
 */
export async function assertFieldsWritable(
  ctx: Ctx,
  facts: PersonFacts,
  fields: { name: string; fieldClass: FieldClass }[],
): Promise<void> {
  const access = accessOf(ctx.actor);
  for (const field of fields) {
    const decision = decide(access, 'people.write', facts, field);
    if (!decision.allowed) {
      throw new AppError(
        'forbidden',
        `you may not change ${field.name}: ${decision.reasons.at(-1)?.message}`,
        {
          internal: field.name,
        },
      );
    }
  }
}

/** Custom field keys and their classes in this organization. */
export async function customFieldClasses(db: Kysely<DB>, orgId: string): Promise<Map<string, FieldClass>> {
  const rows = await db
    .selectFrom('custom_field')
    .select(['key', 'field_class'])
    .where('org_id', '=', orgId)
    .execute();
  return new Map(rows.map((r) => [r.key, isFieldClass(r.field_class) ? r.field_class : 'restricted']));
}

export type ProjectedEmail = Partial<EmailView> & { id: string; primary: boolean; address_masked?: string };
export type ProjectedPhone = Partial<PhoneView> & { id: string; primary: boolean; number_masked?: string };
export type ProjectedAddress = Partial<AddressView> & { id: string; primary: boolean };

/**
 * A person as one user may see them: fields they may not see are absent (never null, which OSDI
 * reads as "delete"); contact values they may reach but not read are masked, with the capability
 * to reach the person through Rhizome.
 */
export type ProjectedPerson = { id: string } & Partial<
  Omit<PersonView, 'id' | 'emails' | 'phones' | 'addresses'>
> & {
    emails?: ProjectedEmail[];
    phones?: ProjectedPhone[];
    addresses?: ProjectedAddress[];
    capabilities?: { message?: string; call?: string };
  };

/** j•••@g•••.org: the first letter of the mailbox and domain, and the top-level domain. */
export function maskEmail(address: string): string {
  const at = address.lastIndexOf('@');
  const local = address.slice(0, Math.max(at, 0));
  const domain = address.slice(at + 1);
  const dot = domain.lastIndexOf('.');
  const host = dot > 0 ? domain.slice(0, dot) : domain;
  const tld = dot > 0 ? domain.slice(dot) : '';
  return `${local.slice(0, 1)}•••@${host.slice(0, 1)}•••${tld}`;
}

/** +1•••••••34: the country code and the last two digits. */
export function maskPhone(number: string): string {
  const cc = /^\+(1|7|[2-9]\d)/.exec(number)?.[0] ?? '+';
  return `${cc}${'•'.repeat(Math.max(number.length - cc.length - 2, 3))}${number.slice(-2)}`;
}

export interface Capabilities {
  message: boolean;
  call: boolean;
}

export function projectPerson(
  v: PersonView,
  g: FieldGrant,
  caps: Capabilities,
  customClasses: Map<string, FieldClass>,
): ProjectedPerson {
  const out: ProjectedPerson = { id: v.id };
  const see = (field: Parameters<typeof fieldVisible>[1]) => fieldVisible(g, field);
  if (see('given_name')) out.given_name = v.given_name;
  if (see('family_name')) out.family_name = v.family_name;
  if (see('additional_name')) out.additional_name = v.additional_name;
  if (see('pronouns')) out.pronouns = v.pronouns;
  if (see('preferred_language')) out.preferred_language = v.preferred_language;
  if (see('birthdate')) out.birthdate = v.birthdate;
  if (see('home_unit')) out.home_unit = v.home_unit;
  if (see('do_not_contact')) out.do_not_contact = v.do_not_contact;
  if (see('sensitive')) out.sensitive = v.sensitive;
  if (see('legal_hold')) out.legal_hold = v.legal_hold;

  const emailFull = see('emails');
  const emailStatus = see('email_status');
  if (emailFull || emailStatus || caps.message) {
    out.emails = v.emails.map((e): ProjectedEmail => {
      if (emailFull) {
        const { status, ...rest } = e;
        return emailStatus ? e : rest;
      }
      return {
        id: e.id,
        primary: e.primary,
        address_masked: maskEmail(e.address),
        ...(emailStatus ? { status: e.status } : {}),
      };
    });
  }
  const phoneFull = see('phones');
  const phoneFlags = see('phone_flags');
  if (phoneFull || phoneFlags || caps.call) {
    out.phones = v.phones.map((p): ProjectedPhone => {
      const flags = phoneFlags
        ? { type: p.type, sms_capable: p.sms_capable, do_not_call: p.do_not_call }
        : {};
      if (phoneFull) {
        const { type: _t, sms_capable: _s, do_not_call: _d, ...rest } = p;
        return { ...rest, ...flags };
      }
      return { id: p.id, primary: p.primary, number_masked: maskPhone(p.number), ...flags };
    });
  }
  const street = see('street_address');
  const locality = see('locality');
  if (street || locality) {
    out.addresses = v.addresses.map((a): ProjectedAddress => {
      if (street && locality) return a;
      const coarse = { id: a.id, primary: a.primary };
      if (street) {
        const { locality: _l, region: _r, country: _c, ...rest } = a;
        return rest;
      }
      return { ...coarse, locality: a.locality, region: a.region, country: a.country };
    });
  }
  const custom: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(v.custom_fields)) {
    const fieldClass = customClasses.get(key) ?? 'restricted';
    if (g.classes.has(fieldClass) || g.fields.has(`custom_fields.${key}`)) custom[key] = value;
  }
  if (Object.keys(custom).length > 0 || g.classes.size > 0) out.custom_fields = custom;
  if (see('tags')) out.tags = v.tags;
  if (see('identifiers')) out.identifiers = v.identifiers;
  // Record metadata goes with any view of the person.
  out.created_at = v.created_at;
  out.updated_at = v.updated_at;
  out.origin = v.origin;
  if (caps.message || caps.call) {
    out.capabilities = {
      ...(caps.message ? { message: `/api/v1/people/${v.id}/message` } : {}),
      ...(caps.call ? { call: `/api/v1/people/${v.id}/call` } : {}),
    };
  }
  return out;
}

/** The fields of classes worth an audit entry (contact, restricted, financial) that this view shows. */
export function auditedFields(g: FieldGrant, customClasses: Map<string, FieldClass>): string[] {
  const out: string[] = [];
  for (const field of ['birthdate', 'emails', 'phones', 'street_address'] as const)
    if (fieldVisible(g, field)) out.push(field);
  for (const [key, fieldClass] of customClasses) {
    if (
      (fieldClass === 'restricted' || fieldClass === 'financial' || fieldClass === 'contact') &&
      (g.classes.has(fieldClass) || g.fields.has(`custom_fields.${key}`))
    )
      out.push(`custom_fields.${key}`);
  }
  return out;
}

/**
 * Rows about people (RSVPs, submissions), each with its person as the actor may see them; a row
 * whose person the actor may not read is dropped.
 */
export async function withProjectedPeople<R extends { person_id: string }>(
  ctx: Ctx,
  rows: R[],
): Promise<(R & { person: ProjectedPerson })[]> {
  const people = await projectPeople(
    ctx,
    await loadPeople(
      ctx.db,
      ctx.actor.orgId,
      rows.map((r) => r.person_id),
    ),
  );
  const byId = new Map(people.map((p) => [p.id, p]));
  return rows.flatMap((r) => {
    const person = byId.get(r.person_id);
    return person ? [{ ...r, person }] : [];
  });
}

/**
 * A page of rows about people (an event's RSVPs, a form's submissions), as the actor may see it:
 * `base` joins the person as `p`; rows whose person the actor may not read are left out of the
 * page and of its total; `rows` selects and orders the page; each row comes with its person,
 * projected for the actor.
 */
export async function scopedPeopleRowsPage<DBX, TB extends keyof DBX, O, R extends { person_id: string }>(
  ctx: Ctx,
  base: SelectQueryBuilder<DBX, TB, O>,
  rows: (scoped: SelectQueryBuilder<DBX, TB, O>) => SelectQueryBuilder<DBX, TB, R>,
  paging: { page: number; perPage: number },
): Promise<{ items: (R & { person: ProjectedPerson })[]; total: number; page: number; per_page: number }> {
  const scope = await peopleScope(ctx.db, accessOf(ctx.actor), 'people.read');
  const scoped = scope ? base.where(scope) : base;
  const [found, total] = await Promise.all([
    rows(scoped)
      .limit(paging.perPage)
      .offset((paging.page - 1) * paging.perPage)
      .execute(),
    scoped.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
  ]);
  const items = await withProjectedPeople(ctx, found as R[]);
  return { items, total: Number((total as { n: number }).n), page: paging.page, per_page: paging.perPage };
}

/**
 * These people as the actor may see them, in the order given; people the actor may not read are
 * dropped (callers that take ids from a scoped query never hit that, a defence in depth).
 */
export async function projectPeople(ctx: Ctx, views: PersonView[]): Promise<ProjectedPerson[]> {
  if (views.length === 0) return [];
  const access = accessOf(ctx.actor);
  const [facts, customClasses] = await Promise.all([
    loadFacts(
      ctx.db,
      access,
      views.map((v) => v.id),
    ),
    customFieldClasses(ctx.db, access.orgId),
  ]);
  const out: ProjectedPerson[] = [];
  // One audit entry per page: who read whose contact, restricted or financial fields.
  const audited = new Set<string>();
  const auditedIds: string[] = [];
  for (const view of views) {
    const f = facts.get(view.id);
    if (!f || !decide(access, 'people.read', f).allowed) continue;
    const grant = visibleFields(access, f);
    const caps = {
      message: decide(access, 'person.message', f).allowed,
      call: decide(access, 'person.call', f).allowed,
    };
    out.push(projectPerson(view, grant, caps, customClasses));
    const fields = auditedFields(grant, customClasses);
    if (fields.length > 0) {
      auditedIds.push(view.id);
      for (const field of fields) audited.add(field);
    }
  }
  auditPeopleRead(ctx, auditedIds, [...audited], ctx.purpose);
  return out;
}
