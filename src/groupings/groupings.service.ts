import { type Kysely, sql } from 'kysely';
import { z } from 'zod';
import { assertFieldsWritable, requirePerson } from '../access/people-access.js';
import { type PeopleScope, peopleScope } from '../access/scope.js';
import { actorSource, type Ctx } from '../context.js';
import { newId } from '../db/ids.js';
import type { DB } from '../db/schema.js';
import { AppError, notFound } from '../errors.js';
import { parseInput } from '../http/parse-input.js';
import { accessOf, decide, PERSON_FIELDS } from '../policy/index.js';

/**
 * Tags and static lists are the same shape: a named grouping of people in an organization, with
 * one membership row per person (a tagging, a list item). One implementation serves both; `kind`
 * says which tables. Tag names are unique (case-insensitively); list names need not be.
 */
export type GroupingKind = 'tag' | 'list';
const TABLES = {
  tag: {
    table: 'tag',
    members: 'tagging',
    fk: 'tag_id',
    memberKey: 'tagging_tag_person_key',
    label: 'tag',
    member: 'tagging',
    uniqueNames: true,
  },
  list: {
    table: 'list',
    members: 'list_item',
    fk: 'list_id',
    memberKey: 'list_item_list_person_key',
    label: 'list',
    member: 'item',
    uniqueNames: false,
  },
} as const;

// Table names are chosen from TABLES above (never from input), so the untyped builder is safe here.
// biome-ignore lint/suspicious/noExplicitAny: one implementation over two same-shaped tables
const untyped = (db: Kysely<DB>) => db as unknown as Kysely<any>;

export const GroupingInput = z.object({
  name: z.string().trim().min(1, 'give it a name').max(200),
  description: z.string().trim().max(2000).nullable().optional(),
  identifiers: z
    .array(z.string().regex(/^[^:\s]+:.+$/, 'use the form system:id'))
    .max(20)
    .default([]),
});
export const GroupingPatch = GroupingInput.omit({ identifiers: true }).partial().strict();

export interface GroupingView {
  id: string;
  name: string;
  description: string | null;
  identifiers: string[];
  total_members: number;
  created_at: Date;
  updated_at: Date;
}
export interface MembershipView {
  id: string;
  grouping_id: string;
  person_id: string;
  created_at: Date;
  updated_at: Date;
}
/** A member with their name, for the people who hold the grouping (the REST members listing). */
export interface NamedMembershipView extends MembershipView {
  person: { id: string; given_name: string | null; family_name: string | null };
}
/** A grouping a person is in, with their membership's id (to remove them). */
export interface PersonGroupingView extends GroupingView {
  member_id: string;
}
export interface Paged<T> {
  items: T[];
  total: number;
  page: number;
  per_page: number;
}

async function identifiersOf(ctx: Ctx, kind: GroupingKind, ids: string[]): Promise<Map<string, string[]>> {
  const map = new Map<string, string[]>();
  if (ids.length === 0) return map;
  const rows = await ctx.db
    .selectFrom('foreign_identifier')
    .select(['entity_id', 'identifier'])
    .where('org_id', '=', ctx.actor.orgId)
    .where('entity', '=', kind)
    .where('entity_id', 'in', ids)
    .orderBy('identifier')
    .execute();
  for (const r of rows) map.set(r.entity_id, [...(map.get(r.entity_id) ?? []), r.identifier]);
  return map;
}

/**
 * The members the actor may see: people whose tags and lists they may read (the `tags` field is
 * basic; a host who sees first names only learns nothing of anyone's tags or lists from member
 * listings either). An organization-wide reader counts from the index alone.
 */
const readScope = async (ctx: Ctx): Promise<PeopleScope> =>
  await peopleScope(ctx.db, accessOf(ctx.actor), 'people.read', [PERSON_FIELDS.tags]);

/**
 * Member rows of one grouping (`m`) joined to their person (`p`) when the actor's scope needs it
 * or the caller wants names.
 */
function membersQuery(ctx: Ctx, kind: GroupingKind, scope: PeopleScope, withPerson = false) {
  const t = TABLES[kind];
  const query = untyped(ctx.db).selectFrom(`${t.members} as m`).where('m.org_id', '=', ctx.actor.orgId);
  if (!scope && !withPerson) return query;
  const joined = query.innerJoin('person as p', 'p.id', 'm.person_id');
  return scope ? joined.where(scope) : joined;
}

async function countMembers(ctx: Ctx, kind: GroupingKind, ids: string[]): Promise<Map<string, number>> {
  if (ids.length === 0) return new Map();
  const t = TABLES[kind];
  const rows = await membersQuery(ctx, kind, await readScope(ctx))
    .select([`m.${t.fk} as id`, sql<number>`count(*)::int`.as('n')])
    .where(`m.${t.fk}`, 'in', ids)
    .groupBy(`m.${t.fk}`)
    .execute();
  return new Map(rows.map((r: { id: string; n: number }) => [r.id, r.n]));
}

type GroupingRow = Omit<GroupingView, 'identifiers' | 'total_members'>;

async function views(ctx: Ctx, kind: GroupingKind, rows: GroupingRow[]): Promise<GroupingView[]> {
  const ids = rows.map((r) => r.id);
  const [identifiers, counts] = await Promise.all([
    identifiersOf(ctx, kind, ids),
    countMembers(ctx, kind, ids),
  ]);
  return rows.map((r) => ({
    ...r,
    identifiers: identifiers.get(r.id) ?? [],
    total_members: counts.get(r.id) ?? 0,
  }));
}

const columns = ['id', 'name', 'description', 'created_at', 'updated_at'];

export async function listGroupings(
  ctx: Ctx,
  kind: GroupingKind,
  paging: { page: number; perPage: number },
): Promise<Paged<GroupingView>> {
  const t = TABLES[kind];
  const db = untyped(ctx.db);
  const [rows, count] = await Promise.all([
    db
      .selectFrom(t.table)
      .select(columns)
      .where('org_id', '=', ctx.actor.orgId)
      .orderBy('id')
      .limit(paging.perPage)
      .offset((paging.page - 1) * paging.perPage)
      .execute(),
    db
      .selectFrom(t.table)
      .select(sql<number>`count(*)::int`.as('n'))
      .where('org_id', '=', ctx.actor.orgId)
      .executeTakeFirstOrThrow(),
  ]);
  return {
    items: await views(ctx, kind, rows as GroupingRow[]),
    total: count.n,
    page: paging.page,
    per_page: paging.perPage,
  };
}

export async function getGrouping(ctx: Ctx, kind: GroupingKind, id: string): Promise<GroupingView> {
  const t = TABLES[kind];
  const row = await untyped(ctx.db)
    .selectFrom(t.table)
    .select(columns)
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!row) throw notFound(t.label);
  const [view] = await views(ctx, kind, [row as GroupingRow]);
  return view as GroupingView;
}

/** Creates one; a tag whose name exists already is returned instead (created: false). */
export async function createGrouping(
  ctx: Ctx,
  kind: GroupingKind,
  raw: z.input<typeof GroupingInput>,
): Promise<{ grouping: GroupingView; created: boolean }> {
  const t = TABLES[kind];
  const input = parseInput(GroupingInput, raw);
  const orgId = ctx.actor.orgId;
  const db = untyped(ctx.db);
  // Identifiers first: a grouping already known by one of its foreign identifiers is that grouping.
  const known = input.identifiers.length
    ? await ctx.db
        .selectFrom('foreign_identifier')
        .select('entity_id')
        .where('org_id', '=', orgId)
        .where('entity', '=', kind)
        .where('identifier', 'in', input.identifiers)
        .executeTakeFirst()
    : undefined;
  const sameName = t.uniqueNames
    ? await db
        .selectFrom(t.table)
        .select('id')
        .where('org_id', '=', orgId)
        .where(sql<string>`lower(name)`, '=', input.name.toLowerCase())
        .executeTakeFirst()
    : undefined;
  let existing: string | undefined = known?.entity_id ?? sameName?.id;
  let id = existing ?? newId();
  if (!existing) {
    let insert = db
      .insertInto(t.table)
      .values({ org_id: orgId, id, name: input.name, description: input.description ?? null });
    // Two signups naming the same new tag at once: the second finds the first's tag instead of
    // failing on tag_org_name_key (unique on org_id, lower(name)).
    if (t.uniqueNames)
      insert = insert.onConflict((oc) => oc.expression(sql`org_id, lower(name)`).doNothing());
    const inserted = await insert.returning('id').executeTakeFirst();
    if (!inserted) {
      const winner = await db
        .selectFrom(t.table)
        .select('id')
        .where('org_id', '=', orgId)
        .where(sql<string>`lower(name)`, '=', input.name.toLowerCase())
        .executeTakeFirstOrThrow();
      existing = winner.id as string;
      id = existing;
    }
  }
  if (input.identifiers.length > 0) {
    await ctx.db
      .insertInto('foreign_identifier')
      .values(
        input.identifiers.map((identifier) => ({ org_id: orgId, entity: kind, entity_id: id, identifier })),
      )
      .onConflict((oc) => oc.constraint('foreign_identifier_pkey').doNothing())
      .execute();
  }
  return { grouping: await getGrouping(ctx, kind, id), created: !existing };
}

export async function updateGrouping(
  ctx: Ctx,
  kind: GroupingKind,
  id: string,
  raw: z.input<typeof GroupingPatch>,
): Promise<GroupingView> {
  const t = TABLES[kind];
  const patch = parseInput(GroupingPatch, raw);
  await getGrouping(ctx, kind, id);
  const db = untyped(ctx.db);
  if (patch.name && t.uniqueNames) {
    const clash = await db
      .selectFrom(t.table)
      .select('id')
      .where('org_id', '=', ctx.actor.orgId)
      .where(sql<string>`lower(name)`, '=', patch.name.toLowerCase())
      .where('id', '<>', id)
      .executeTakeFirst();
    if (clash)
      throw new AppError('conflict', `name: a ${t.label} with this name already exists`, {
        fields: [{ field: 'name', message: `a ${t.label} with this name already exists` }],
      });
  }
  if (Object.keys(patch).length > 0)
    await db
      .updateTable(t.table)
      .set(patch)
      .where('org_id', '=', ctx.actor.orgId)
      .where('id', '=', id)
      .execute();
  return await getGrouping(ctx, kind, id);
}

export async function deleteGrouping(ctx: Ctx, kind: GroupingKind, id: string): Promise<void> {
  const t = TABLES[kind];
  const result = await untyped(ctx.db)
    .deleteFrom(t.table)
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw notFound(t.label);
  await ctx.db
    .deleteFrom('foreign_identifier')
    .where('org_id', '=', ctx.actor.orgId)
    .where('entity', '=', kind)
    .where('entity_id', '=', id)
    .execute();
}

function memberColumns(kind: GroupingKind) {
  return ['m.id', `m.${TABLES[kind].fk} as grouping_id`, 'm.person_id', 'm.created_at', 'm.updated_at'];
}

/** 404 unless the actor may see this person's tags and lists. */
async function assertPerson(
  ctx: Ctx,
  personId: string,
  action: 'people.read' | 'people.write' = 'people.read',
) {
  const facts = await requirePerson(ctx, personId, action);
  if (action === 'people.write') {
    await assertFieldsWritable(ctx, facts, [{ name: 'tags', fieldClass: PERSON_FIELDS.tags }]);
  } else if (
    !decide(accessOf(ctx.actor), action, facts, { name: 'tags', fieldClass: PERSON_FIELDS.tags }).allowed
  ) {
    throw notFound('person');
  }
}

export async function listMembers(
  ctx: Ctx,
  kind: GroupingKind,
  groupingId: string,
  paging: { page: number; perPage: number },
): Promise<Paged<MembershipView>> {
  const t = TABLES[kind];
  await getGrouping(ctx, kind, groupingId);
  const scope = await readScope(ctx);
  const [rows, count] = await Promise.all([
    membersQuery(ctx, kind, scope)
      .select(memberColumns(kind))
      .where(`m.${t.fk}`, '=', groupingId)
      .orderBy('m.person_id')
      .limit(paging.perPage)
      .offset((paging.page - 1) * paging.perPage)
      .execute(),
    membersQuery(ctx, kind, scope)
      .select(sql<number>`count(*)::int`.as('n'))
      .where(`m.${t.fk}`, '=', groupingId)
      .executeTakeFirstOrThrow(),
  ]);
  return { items: rows as MembershipView[], total: count.n, page: paging.page, per_page: paging.perPage };
}

/**
 * The members with their names, by family then given name: the same scope as `listMembers` and
 * the grouping's `total_members` (people whose tags and lists the actor may read; names are basic
 * fields like tags, so whoever is listed may be named).
 */
export async function listNamedMembers(
  ctx: Ctx,
  kind: GroupingKind,
  groupingId: string,
  paging: { page: number; perPage: number },
): Promise<Paged<NamedMembershipView>> {
  const t = TABLES[kind];
  await getGrouping(ctx, kind, groupingId);
  const scope = await readScope(ctx);
  const [rows, count] = await Promise.all([
    membersQuery(ctx, kind, scope, true)
      .select([...memberColumns(kind), 'p.given_name', 'p.family_name'])
      .where(`m.${t.fk}`, '=', groupingId)
      .orderBy(sql`lower(p.family_name)`)
      .orderBy(sql`lower(p.given_name)`)
      .orderBy('m.person_id')
      .limit(paging.perPage)
      .offset((paging.page - 1) * paging.perPage)
      .execute(),
    membersQuery(ctx, kind, scope)
      .select(sql<number>`count(*)::int`.as('n'))
      .where(`m.${t.fk}`, '=', groupingId)
      .executeTakeFirstOrThrow(),
  ]);
  const items = (rows as (MembershipView & { given_name: string | null; family_name: string | null })[]).map(
    ({ given_name, family_name, ...member }) => ({
      ...member,
      person: { id: member.person_id, given_name, family_name },
    }),
  );
  return { items, total: count.n, page: paging.page, per_page: paging.perPage };
}

export async function getMember(
  ctx: Ctx,
  kind: GroupingKind,
  groupingId: string,
  memberId: string,
): Promise<MembershipView> {
  const t = TABLES[kind];
  const row = await membersQuery(ctx, kind, await readScope(ctx))
    .select(memberColumns(kind))
    .where(`m.${t.fk}`, '=', groupingId)
    .where('m.id', '=', memberId)
    .executeTakeFirst();
  if (!row) throw notFound(t.member);
  return row as MembershipView;
}

/** Adds a person (idempotent: adding twice is one membership). Both must be this organization's. */
export async function addMember(
  ctx: Ctx,
  kind: GroupingKind,
  groupingId: string,
  personId: string,
): Promise<{ member: MembershipView; created: boolean }> {
  const t = TABLES[kind];
  await getGrouping(ctx, kind, groupingId);
  await assertPerson(ctx, personId, 'people.write');
  const db = untyped(ctx.db);
  const source = actorSource(ctx.actor);
  const values: Record<string, unknown> = {
    org_id: ctx.actor.orgId,
    id: newId(),
    [t.fk]: groupingId,
    person_id: personId,
  };
  if (kind === 'tag') Object.assign(values, { source_kind: source.kind, source_ref: source.ref });
  const inserted = await db
    .insertInto(t.members)
    .values(values)
    .onConflict((oc) => oc.constraint(t.memberKey).doNothing())
    .returning('id')
    .executeTakeFirst();
  const member = await db
    .selectFrom(`${t.members} as m`)
    .select(memberColumns(kind))
    .where(`m.${t.fk}`, '=', groupingId)
    .where('m.person_id', '=', personId)
    .executeTakeFirstOrThrow();
  return { member: member as MembershipView, created: !!inserted };
}

export async function removeMember(
  ctx: Ctx,
  kind: GroupingKind,
  groupingId: string,
  memberId: string,
): Promise<void> {
  const t = TABLES[kind];
  const member = await getMember(ctx, kind, groupingId, memberId);
  await assertPerson(ctx, member.person_id, 'people.write');
  const result = await untyped(ctx.db)
    .deleteFrom(t.members)
    .where('org_id', '=', ctx.actor.orgId)
    .where(t.fk, '=', groupingId)
    .where('id', '=', memberId)
    .executeTakeFirst();
  if (Number(result.numDeletedRows) === 0) throw notFound(t.member);
}

/**
 * The tags (or lists) one person is in, by name, each with the membership's id. Another
 * organization's person answers 404.
 */
export async function listGroupingsOfPerson(
  ctx: Ctx,
  kind: GroupingKind,
  personId: string,
  paging: { page: number; perPage: number },
): Promise<Paged<PersonGroupingView>> {
  const t = TABLES[kind];
  await assertPerson(ctx, personId);
  const db = untyped(ctx.db);
  const [rows, count] = await Promise.all([
    db
      .selectFrom(`${t.table} as g`)
      .innerJoin(`${t.members} as m`, `m.${t.fk}`, 'g.id')
      .select([...columns.map((c) => `g.${c}`), 'm.id as member_id'])
      .where('g.org_id', '=', ctx.actor.orgId)
      .where('m.person_id', '=', personId)
      .orderBy('g.name')
      .orderBy('g.id')
      .limit(paging.perPage)
      .offset((paging.page - 1) * paging.perPage)
      .execute(),
    db
      .selectFrom(t.members)
      .select(sql<number>`count(*)::int`.as('n'))
      .where('org_id', '=', ctx.actor.orgId)
      .where('person_id', '=', personId)
      .executeTakeFirstOrThrow(),
  ]);
  const typed = rows as (GroupingRow & { member_id: string })[];
  const groupings = await views(ctx, kind, typed);
  return {
    items: groupings.map((g, i) => ({ ...g, member_id: (typed[i] as { member_id: string }).member_id })),
    total: count.n,
    page: paging.page,
    per_page: paging.perPage,
  };
}

/** One person's taggings (or list items), for OSDI's person-scoped collections. */
export async function listMembershipsOfPerson(
  ctx: Ctx,
  kind: GroupingKind,
  personId: string,
  paging: { page: number; perPage: number },
): Promise<Paged<MembershipView>> {
  const t = TABLES[kind];
  await assertPerson(ctx, personId);
  const db = untyped(ctx.db);
  const [rows, count] = await Promise.all([
    db
      .selectFrom(`${t.members} as m`)
      .select(memberColumns(kind))
      .where('m.org_id', '=', ctx.actor.orgId)
      .where('m.person_id', '=', personId)
      .orderBy('m.id')
      .limit(paging.perPage)
      .offset((paging.page - 1) * paging.perPage)
      .execute(),
    db
      .selectFrom(t.members)
      .select(sql<number>`count(*)::int`.as('n'))
      .where('org_id', '=', ctx.actor.orgId)
      .where('person_id', '=', personId)
      .executeTakeFirstOrThrow(),
  ]);
  return { items: rows as MembershipView[], total: count.n, page: paging.page, per_page: paging.perPage };
}
