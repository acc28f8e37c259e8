import { z } from 'zod';
import { projectPeople } from '../access/people-access.js';
import { peopleScope } from '../access/scope.js';
import type { Ctx } from '../context.js';
import { AppError } from '../errors.js';
import {
  addMember,
  createGrouping,
  deleteGrouping,
  type GroupingKind,
  type GroupingView,
  getGrouping,
  getMember,
  listGroupings,
  listMembers,
  listMembershipsOfPerson,
  type MembershipView,
  removeMember,
} from '../groupings/index.js';
import { defineRoute } from '../http/route.js';
import {
  addContactValue,
  addPersonFacts,
  deletePerson,
  getPerson,
  loadPeople,
  PersonInput,
  type PersonInputRaw,
  signUpPerson,
  updatePerson,
} from '../people/index.js';
import { accessOf } from '../policy/index.js';
import { parseFilter } from './osdi.filter.js';
import { baseUrl, collection, curies, hal, idFromHref, MAX_PAGE_SIZE } from './osdi.hal.js';
import { fromOsdi, OsdiPerson, toOsdi } from './osdi.people.js';
import { conditionsNeedContact, osdiPeopleCount, osdiPeopleIds } from './osdi.people.queries.js';

/** Our identifier namespace: every record is also "rhizome:<uuid>". */
export const NAMESPACE = 'rhizome';
const TAGS = ['osdi'];

export const Paging = z.object({
  page: z.coerce.number().int().min(1).default(1),
  // Larger pages are capped, as OSDI's max_pagesize says, not refused.
  per_page: z.coerce
    .number()
    .int()
    .min(1)
    .default(25)
    .transform((n) => Math.min(n, MAX_PAGE_SIZE)),
});
const PeopleQuery = Paging.extend({
  filter: z
    .string()
    .max(1000)
    .optional()
    .describe("OData subset: modified_date gt '2014-03-20', and, email_address eq '…'"),
  cursor: z.string().max(200).optional().describe('Opaque: from a next link; keeps deep pages fast'),
});
export const Id = z.object({ id: z.uuid() });
const MemberId = z.object({ id: z.uuid(), memberId: z.uuid() });
const LinkBody = z
  .object({ _links: z.object({ 'osdi:person': z.object({ href: z.string() }) }).passthrough() })
  .passthrough();
const GroupingBody = z
  .object({
    name: z.string(),
    description: z.string().optional(),
    summary: z.string().optional(),
    identifiers: z.array(z.string()).optional(),
  })
  .passthrough();
const SignupBody = z
  .object({
    person: OsdiPerson,
    add_tags: z.array(z.string()).optional(),
    add_lists: z.array(z.string()).optional(),
    add_tags_uri: z.array(z.string()).optional(),
    add_lists_uri: z.array(z.string()).optional(),
  })
  .passthrough();

interface Cursor {
  after: string;
  total: number;
}
const encodeCursor = (c: Cursor) => Buffer.from(JSON.stringify(c)).toString('base64url');
function decodeCursor(text: string | undefined): Cursor | undefined {
  if (!text) return undefined;
  try {
    const c = JSON.parse(Buffer.from(text, 'base64url').toString()) as Cursor;
    if (typeof c.after === 'string' && /^[0-9a-f-]{36}$/.test(c.after) && Number.isInteger(c.total)) return c;
  } catch {
    // fall through
  }
  throw new AppError('validation_failed', 'cursor: not a cursor from a next link', {
    fields: [{ field: 'cursor', message: 'not a cursor from a next link' }],
  });
}

function parseSignupInput(raw: PersonInputRaw): PersonInputRaw {
  const parsed = PersonInput.safeParse(raw);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => ({
      field: `person.${i.path.map(String).join('.')}`,
      message: i.message,
    }));
    throw new AppError('validation_failed', `${fields[0]?.field}: ${fields[0]?.message}`, { fields });
  }
  return raw;
}

function groupingToOsdi(kind: GroupingKind, g: GroupingView, base: string): Record<string, unknown> {
  const plural = kind === 'tag' ? 'tags' : 'lists';
  const self = `${base}/${plural}/${g.id}`;
  return {
    identifiers: [`${NAMESPACE}:${g.id}`, ...g.identifiers],
    origin_system: 'Rhizome',
    created_date: g.created_at.toISOString(),
    modified_date: g.updated_at.toISOString(),
    name: g.name,
    ...(g.description ? { [kind === 'tag' ? 'description' : 'summary']: g.description } : {}),
    ...(kind === 'list' ? { total_items: g.total_members } : {}),
    _links: {
      self: { href: self },
      [kind === 'tag' ? 'osdi:taggings' : 'osdi:items']: {
        href: `${self}/${kind === 'tag' ? 'taggings' : 'items'}`,
      },
    },
  };
}

function memberToOsdi(kind: GroupingKind, m: MembershipView, base: string): Record<string, unknown> {
  const plural = kind === 'tag' ? 'tags' : 'lists';
  const owner = `${base}/${plural}/${m.grouping_id}`;
  return {
    identifiers: [`${NAMESPACE}:${m.id}`],
    origin_system: 'Rhizome',
    created_date: m.created_at.toISOString(),
    modified_date: m.updated_at.toISOString(),
    item_type: 'osdi:person',
    _links: {
      self: { href: `${owner}/${kind === 'tag' ? 'taggings' : 'items'}/${m.id}` },
      [kind === 'tag' ? 'osdi:tag' : 'osdi:list']: { href: owner },
      'osdi:person': { href: `${base}/people/${m.person_id}` },
    },
  };
}

/**
 * Tags and lists named in a signup: by name (created if new), or by URI. A URI that is not one of
 * this organization's tags or lists (the spec's own example points at another system's) is skipped:
 * the signup is what matters, and it must not half-succeed.
 */
async function addToGroupings(
  ctx: Ctx,
  kind: GroupingKind,
  personId: string,
  names: string[],
  uris: string[],
): Promise<void> {
  for (const name of names) {
    const { grouping } = await createGrouping(ctx, kind, { name });
    await addMember(ctx, kind, grouping.id, personId);
  }
  for (const uri of uris) {
    const id = idFromHref(uri);
    const known = id ? await getGrouping(ctx, kind, id).catch(() => undefined) : undefined;
    if (known) await addMember(ctx, kind, known.id, personId);
  }
}

function groupingRoutes(kind: GroupingKind) {
  const plural = kind === 'tag' ? 'tags' : 'lists';
  const members = kind === 'tag' ? 'taggings' : 'items';
  const read = kind === 'tag' ? 'tags.read' : 'lists.read';
  const write = kind === 'tag' ? 'tags.write' : 'lists.write';
  return [
    defineRoute({
      method: 'GET',
      url: `/osdi/v1/${plural}`,
      policy: { action: read },
      summary: `OSDI: the ${plural} collection`,
      tags: TAGS,
      query: Paging,
      handler: async ({ query, ctx, request, reply }) => {
        const base = baseUrl(request);
        const page = await listGroupings(ctx, kind, { page: query.page, perPage: query.per_page });
        return hal(
          reply,
          collection({
            rel: plural,
            base,
            path: `/${plural}`,
            items: page.items.map((g) => groupingToOsdi(kind, g, base)),
            page: query.page,
            perPage: query.per_page,
            total: page.total,
          }),
        );
      },
    }),
    defineRoute({
      method: 'POST',
      url: `/osdi/v1/${plural}`,
      policy: { action: write },
      summary: `OSDI: create a ${kind}`,
      tags: TAGS,
      body: GroupingBody,
      handler: async ({ body, ctx, request, reply }) => {
        const { grouping, created } = await createGrouping(ctx, kind, {
          name: body.name,
          description: body.description ?? body.summary,
          identifiers: (body.identifiers ?? []).filter((i) => !i.startsWith(`${NAMESPACE}:`)),
        });
        return hal(reply, groupingToOsdi(kind, grouping, baseUrl(request)), created ? 201 : 200);
      },
    }),
    defineRoute({
      method: 'GET',
      url: `/osdi/v1/${plural}/:id`,
      policy: { action: read },
      summary: `OSDI: one ${kind}`,
      tags: TAGS,
      params: Id,
      handler: async ({ params, ctx, request, reply }) =>
        hal(reply, groupingToOsdi(kind, await getGrouping(ctx, kind, params.id), baseUrl(request))),
    }),
    defineRoute({
      method: 'DELETE',
      url: `/osdi/v1/${plural}/:id`,
      policy: { action: write },
      summary: `OSDI: delete a ${kind}`,
      tags: TAGS,
      params: Id,
      handler: async ({ params, ctx, reply }) => {
        await deleteGrouping(ctx, kind, params.id);
        return hal(reply, { notice: `the ${kind} was deleted` });
      },
    }),
    defineRoute({
      method: 'GET',
      url: `/osdi/v1/${plural}/:id/${members}`,
      policy: { action: read },
      summary: `OSDI: the ${members} of a ${kind}`,
      tags: TAGS,
      params: Id,
      query: Paging,
      handler: async ({ params, query, ctx, request, reply }) => {
        const base = baseUrl(request);
        const page = await listMembers(ctx, kind, params.id, { page: query.page, perPage: query.per_page });
        return hal(
          reply,
          collection({
            rel: members,
            base,
            path: `/${plural}/${params.id}/${members}`,
            items: page.items.map((m) => memberToOsdi(kind, m, base)),
            page: query.page,
            perPage: query.per_page,
            total: page.total,
          }),
        );
      },
    }),
    defineRoute({
      method: 'POST',
      url: `/osdi/v1/${plural}/:id/${members}`,
      policy: { action: write },
      summary: `OSDI: add a person (by _links.osdi:person.href) to a ${kind}`,
      tags: TAGS,
      params: Id,
      body: LinkBody,
      handler: async ({ params, body, ctx, request, reply }) => {
        const personId = idFromHref(body._links['osdi:person'].href);
        if (!personId) {
          throw new AppError('validation_failed', '_links.osdi:person.href: not a link to a person', {
            fields: [{ field: '_links.osdi:person.href', message: 'not a link to a person' }],
          });
        }
        const { member, created } = await addMember(ctx, kind, params.id, personId);
        return hal(reply, memberToOsdi(kind, member, baseUrl(request)), created ? 201 : 200);
      },
    }),
    defineRoute({
      method: 'GET',
      url: `/osdi/v1/${plural}/:id/${members}/:memberId`,
      policy: { action: read },
      summary: `OSDI: one ${kind === 'tag' ? 'tagging' : 'item'}`,
      tags: TAGS,
      params: MemberId,
      handler: async ({ params, ctx, request, reply }) =>
        hal(
          reply,
          memberToOsdi(kind, await getMember(ctx, kind, params.id, params.memberId), baseUrl(request)),
        ),
    }),
    defineRoute({
      method: 'DELETE',
      url: `/osdi/v1/${plural}/:id/${members}/:memberId`,
      policy: { action: write },
      summary: `OSDI: remove a person from a ${kind}`,
      tags: TAGS,
      params: MemberId,
      handler: async ({ params, ctx, reply }) => {
        await removeMember(ctx, kind, params.id, params.memberId);
        return hal(reply, { notice: `the ${kind === 'tag' ? 'tagging' : 'item'} was deleted` });
      },
    }),
  ];
}

/** A signup and its tags and lists, in one transaction: all of it happens, or none. */
async function signUp(ctx: Ctx, body: z.infer<typeof SignupBody>, base: string) {
  const input = parseSignupInput(fromOsdi(body.person, NAMESPACE));
  const tokenId = ctx.actor.kind === 'user' ? (ctx.actor.tokenId ?? ctx.actor.userId) : null;
  return await ctx.db.transaction().execute(async (trx) => {
    const tx: Ctx = { ...ctx, db: trx };
    const result = await signUpPerson(tx, input, { kind: 'signup', ref: tokenId });
    await addToGroupings(tx, 'tag', result.person.id, body.add_tags ?? [], body.add_tags_uri ?? []);
    await addToGroupings(tx, 'list', result.person.id, body.add_lists ?? [], body.add_lists_uri ?? []);
    const person = await getPerson(tx, result.person.id);
    return { body: toOsdi(person, base, NAMESPACE), status: result.created ? 201 : 200 };
  });
}

export const osdiRoutes = [
  defineRoute({
    method: 'GET',
    url: '/osdi/v1',
    policy: { authenticated: true },
    summary: 'OSDI: the API entry point',
    tags: TAGS,
    handler: async ({ request, reply }) => {
      const base = baseUrl(request);
      return hal(reply, {
        motd: 'Welcome to Rhizome’s OSDI API',
        vendor_name: 'Rhizome',
        product_name: 'Rhizome',
        osdi_version: '1.2',
        max_pagesize: MAX_PAGE_SIZE,
        namespace: NAMESPACE,
        _links: {
          curies: curies(),
          self: { href: `${base}/`, title: 'This API entry point' },
          'osdi:people': { href: `${base}/people`, title: 'The collection of people in the system' },
          'osdi:tags': { href: `${base}/tags`, title: 'The collection of tags in the system' },
          'osdi:lists': { href: `${base}/lists`, title: 'The collection of lists in the system' },
          'osdi:questions': { href: `${base}/questions`, title: 'The collection of questions in the system' },
          'osdi:events': { href: `${base}/events`, title: 'The collection of events in the system' },
          'osdi:forms': { href: `${base}/forms`, title: 'The collection of forms in the system' },
          'osdi:petitions': { href: `${base}/petitions`, title: 'The collection of petitions in the system' },
          'osdi:person_signup_helper': {
            href: `${base}/people/person_signup_helper`,
            title: 'The person signup helper for the system',
          },
          docs: {
            href: 'https://opensupporter.github.io/osdi-docs/',
            title: 'Documentation',
            name: 'Docs',
            index: 'index',
          },
        },
      });
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/osdi/v1/people',
    policy: { action: 'people.read' },
    summary: 'OSDI: the people collection (filter= and paging; follow next links for a fast crawl)',
    tags: TAGS,
    query: PeopleQuery,
    handler: async ({ query, ctx, request, reply }) => {
      const base = baseUrl(request);
      const conditions = query.filter ? parseFilter(query.filter) : [];
      const cursor = decodeCursor(query.cursor);
      const orgId = ctx.actor.orgId;
      const scope = await peopleScope(
        ctx.db,
        accessOf(ctx.actor),
        'people.read',
        conditionsNeedContact(conditions) ? ['contact'] : [],
      );
      // A crawl following next links carries the total in its cursor instead of counting again.
      const [ids, total] = await Promise.all([
        osdiPeopleIds(
          ctx.db,
          orgId,
          conditions,
          { page: query.page, perPage: query.per_page, after: cursor?.after },
          scope,
        ),
        cursor ? Promise.resolve(cursor.total) : osdiPeopleCount(ctx.db, orgId, conditions, scope),
      ]);
      const people = await projectPeople(ctx, await loadPeople(ctx.db, orgId, ids));
      const last = ids[ids.length - 1];
      return hal(
        reply,
        collection({
          rel: 'people',
          base,
          path: '/people',
          items: people.map((p) => toOsdi(p, base, NAMESPACE)),
          page: query.page,
          perPage: query.per_page,
          total,
          query: { filter: query.filter },
          nextQuery: last ? { cursor: encodeCursor({ after: last, total }) } : {},
        }),
      );
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/osdi/v1/people',
    policy: { action: 'people.write' },
    summary: 'OSDI: add a person (matched like a signup: arrays merge)',
    tags: TAGS,
    body: OsdiPerson,
    handler: async ({ body, ctx, request, reply }) => {
      const result = await signUp(ctx, { person: body }, baseUrl(request));
      return hal(reply, result.body, result.status);
    },
  }),
  defineRoute({
    method: 'POST',
    url: '/osdi/v1/people/person_signup_helper',
    policy: { action: 'people.write' },
    summary: 'OSDI: the person signup helper (match or create; add_tags and add_lists)',
    tags: TAGS,
    body: SignupBody,
    handler: async ({ body, ctx, request, reply }) => {
      const result = await signUp(ctx, body, baseUrl(request));
      return hal(reply, result.body, result.status);
    },
  }),
  defineRoute({
    method: 'GET',
    url: '/osdi/v1/people/:id',
    policy: { action: 'people.read' },
    summary: 'OSDI: one person',
    tags: TAGS,
    params: Id,
    handler: async ({ params, ctx, request, reply }) =>
      hal(reply, toOsdi(await getPerson(ctx, params.id), baseUrl(request), NAMESPACE)),
  }),
  defineRoute({
    method: 'PUT',
    url: '/osdi/v1/people/:id',
    policy: { action: 'people.write' },
    summary: 'OSDI: update a person (the fields given; emails, phones and addresses are added)',
    tags: TAGS,
    params: Id,
    body: OsdiPerson,
    handler: async ({ params, body, ctx, request, reply }) => {
      const current = await getPerson(ctx, params.id);
      const input = PersonInput.parse(parseSignupInput(fromOsdi(body, NAMESPACE)));
      // Clients often send back the whole record: only changed custom fields and new identifiers are written.
      const changedFields = Object.fromEntries(
        Object.entries(input.custom_fields).filter(
          ([key, value]) => JSON.stringify(current.custom_fields?.[key]) !== JSON.stringify(value),
        ),
      );
      const newIdentifiers = input.identifiers.filter((i) => !(current.identifiers ?? []).includes(i));
      await addPersonFacts(ctx, params.id, { custom_fields: changedFields, identifiers: newIdentifiers });
      const patch = Object.fromEntries(
        (['given_name', 'family_name', 'additional_name', 'preferred_language', 'birthdate'] as const)
          .filter((k) => input[k] !== undefined)
          .map((k) => [k, input[k]]),
      );
      await updatePerson(ctx, params.id, patch);
      for (const email of input.emails) await addContactValue(ctx, params.id, 'emails', email);
      for (const phone of input.phones) await addContactValue(ctx, params.id, 'phones', phone);
      for (const address of input.addresses) await addContactValue(ctx, params.id, 'addresses', address);
      return hal(reply, toOsdi(await getPerson(ctx, params.id), baseUrl(request), NAMESPACE));
    },
  }),
  defineRoute({
    method: 'DELETE',
    url: '/osdi/v1/people/:id',
    policy: { action: 'people.delete' },
    summary: 'OSDI: delete a person',
    tags: TAGS,
    params: Id,
    handler: async ({ params, ctx, reply }) => {
      await deletePerson(ctx, params.id);
      return hal(reply, { notice: 'the person was deleted' });
    },
  }),
  ...groupingRoutes('tag'),
  ...groupingRoutes('list'),
  ...(['tag', 'list'] as const).map((kind) => {
    const members = kind === 'tag' ? 'taggings' : 'items';
    return defineRoute({
      method: 'GET',
      url: `/osdi/v1/people/:id/${members}`,
      policy: { action: kind === 'tag' ? 'tags.read' : 'lists.read' },
      summary: `OSDI: a person's ${members}`,
      tags: TAGS,
      params: Id,
      query: Paging,
      handler: async ({ params, query, ctx, request, reply }) => {
        const base = baseUrl(request);
        const page = await listMembershipsOfPerson(ctx, kind, params.id, {
          page: query.page,
          perPage: query.per_page,
        });
        return hal(
          reply,
          collection({
            rel: members,
            base,
            path: `/people/${params.id}/${members}`,
            items: page.items.map((m) => memberToOsdi(kind, m, base)),
            page: query.page,
            perPage: query.per_page,
            total: page.total,
          }),
        );
      },
    });
  }),
];
