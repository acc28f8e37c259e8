import { type Expression, type SqlBool, sql } from 'kysely';
import { customFieldClasses, type PeopleScope, peopleScope, requireUser } from '../access/index.js';
import { recordNow } from '../audit/index.js';
import { actorUserId, type Ctx } from '../context.js';
import { newId } from '../db/ids.js';
import type { AuditAction } from '../db/schema.js';
import { AppError, invalid, notFound } from '../errors.js';
import { parseInput } from '../http/parse-input.js';
import { savedSearchPredicates } from '../people/index.js';
import { accessOf, allows, assertAllowed, type FieldClass, fieldClassOf } from '../policy/index.js';
import { CallerInput, CallListInput, type CallListView, type Progress } from './call-lists.schemas.js';
import type { Page, Paging } from './surveys.service.js';

/** What a caller's assignment always gives: the people of the list, to read and to call. */
const CALLER_ACTIONS = ['people.read', 'person.call'];

const CALL_LIST = [
  'id',
  'name',
  'script',
  'survey_id',
  'list_id',
  'field_classes',
  'fields',
  'claim_seconds',
  'max_attempts',
  'status',
  'created_by',
  'created_at',
  'updated_at',
] as const;

export type CallListRow = Omit<CallListView, 'callers' | 'progress'> & { created_by: string | null };

async function audit(ctx: Ctx, action: AuditAction, detail: Record<string, unknown>): Promise<void> {
  await recordNow(ctx.db, { orgId: ctx.actor.orgId, action, actor: ctx.actor, at: ctx.now(), detail });
}

const and = (a: PeopleScope, b: PeopleScope): PeopleScope =>
  a === null ? b : b === null ? a : sql<SqlBool>`(${a} AND ${b})`;

/**
 * The people whose call-list fields the actor may hand to callers: those they may read with every
 * class the list gives, and may call. A call list never reaches further than its creator.
 */
async function handOverScope(ctx: Ctx, classes: FieldClass[]): Promise<PeopleScope> {
  const access = accessOf(ctx.actor);
  return and(
    await peopleScope(ctx.db, access, 'people.read', classes),
    await peopleScope(ctx.db, access, 'person.call'),
  );
}

/** The classes a call list's fields and classes amount to (a single field counts as its class). */
async function classesOf(ctx: Ctx, classes: string[], fields: string[]): Promise<FieldClass[]> {
  const custom = await customFieldClasses(ctx.db, ctx.actor.orgId);
  const out = new Set(classes as FieldClass[]);
  fields.forEach((field, i) => {
    const key = field.startsWith('custom_fields.') ? field.slice('custom_fields.'.length) : null;
    const fieldClass = key === null ? fieldClassOf(field) : custom.get(key);
    if (!fieldClass) throw invalid(`fields.${i}`, 'no such field');
    out.add(fieldClass);
  });
  return [...out];
}

export async function progressOf(ctx: Ctx, ids: string[]): Promise<Map<string, Progress>> {
  const out = new Map<string, Progress>();
  for (const id of ids) out.set(id, { total: 0, done: 0, pending: 0, in_progress: 0, by_outcome: {} });
  if (ids.length === 0) return out;
  const { rows } = await sql<{
    call_list_id: string;
    status: string;
    last_outcome: string | null;
    held: boolean;
    n: number;
  }>`
    SELECT call_list_id, status, last_outcome,
      (status = 'pending' AND claimed_until IS NOT NULL AND claimed_until > ${ctx.now()}) AS held,
      count(*)::int AS n
    FROM call_target
    WHERE org_id = ${ctx.actor.orgId} AND call_list_id IN (${sql.join(ids.map((id) => sql`${id}::uuid`))})
    GROUP BY 1, 2, 3, 4`.execute(ctx.db);
  for (const row of rows) {
    const p = out.get(row.call_list_id) as Progress;
    p.total += row.n;
    if (row.status === 'done') p.done += row.n;
    else p.pending += row.n;
    if (row.held) p.in_progress += row.n;
    if (row.last_outcome) p.by_outcome[row.last_outcome] = (p.by_outcome[row.last_outcome] ?? 0) + row.n;
  }
  return out;
}

async function views(ctx: Ctx, rows: CallListRow[]): Promise<CallListView[]> {
  const ids = rows.map((r) => r.id);
  const [progress, callers] = await Promise.all([
    progressOf(ctx, ids),
    ids.length === 0
      ? []
      : ctx.db
          .selectFrom('call_list_caller')
          .select(['call_list_id', 'user_id', 'assignment_id'])
          .where('org_id', '=', ctx.actor.orgId)
          .where('call_list_id', 'in', ids)
          .orderBy('created_at')
          .execute(),
  ]);
  return rows.map(({ created_by: _c, ...r }) => ({
    ...r,
    callers: callers
      .filter((c) => c.call_list_id === r.id)
      .map((c) => ({ user_id: c.user_id, assignment_id: c.assignment_id })),
    progress: progress.get(r.id) as Progress,
  }));
}

const isManager = (ctx: Ctx): boolean => allows(ctx.actor, 'calls.manage');

/** The call lists the actor may see: all of them with calls.manage, otherwise those they call for. */
function visibleCallLists(ctx: Ctx) {
  const base = ctx.db.selectFrom('call_list as c').where('c.org_id', '=', ctx.actor.orgId);
  if (isManager(ctx)) return base;
  return base.where((eb) =>
    eb.exists(
      eb
        .selectFrom('call_list_caller as k')
        .select('k.user_id')
        .whereRef('k.call_list_id', '=', 'c.id')
        .where('k.user_id', '=', actorUserId(ctx.actor) as string),
    ),
  );
}

/** How many open call lists a user calls for now (the web app's navigation shows "Call" for them). */
export async function openCallListsOf(ctx: Ctx, userId: string): Promise<number> {
  const row = await ctx.db
    .selectFrom('call_list_caller as k')
    .innerJoin('call_list as c', 'c.id', 'k.call_list_id')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('k.org_id', '=', ctx.actor.orgId)
    .where('k.user_id', '=', userId)
    .where('k.assignment_id', 'is not', null)
    .where('c.status', '=', 'open')
    .executeTakeFirstOrThrow();
  return row.n;
}

/** A call list the actor may see, or 404 (as for anything out of reach). */
export async function loadCallList(ctx: Ctx, id: string): Promise<CallListRow> {
  const query = visibleCallLists(ctx)
    .select(CALL_LIST.map((c) => `c.${c}` as const))
    .where('c.id', '=', id);
  const row = await query.executeTakeFirst();
  if (!row) throw notFound('call list');
  return row as CallListRow;
}

/**
 * Managing a call list (its callers, closing it) takes calls.manage and reach: the list's creator,
 * or someone who could have handed over every one of its people themselves.
 */
async function loadManaged(ctx: Ctx, id: string): Promise<CallListRow> {
  assertAllowed(ctx.actor, 'calls.manage');
  const row = await loadCallList(ctx, id);
  if (ctx.actor.kind === 'system' || row.created_by === actorUserId(ctx.actor)) return row;
  const scope = await handOverScope(ctx, await classesOf(ctx, row.field_classes, row.fields));
  if (scope === null) return row;
  const beyond = await ctx.db
    .selectFrom('call_target as t')
    .innerJoin('person as p', 'p.id', 't.person_id')
    .select('t.id')
    .where('t.call_list_id', '=', id)
    .where(sql<SqlBool>`NOT (${scope})`)
    .limit(1)
    .executeTakeFirst();
  if (beyond)
    throw new AppError('forbidden', 'the call list holds people you may not hand to callers', {
      internal: 'calls.manage',
    });
  return row;
}

export async function getCallList(ctx: Ctx, id: string): Promise<CallListView> {
  return (await views(ctx, [await loadCallList(ctx, id)]))[0] as CallListView;
}

/** Managers see every call list; callers see the ones they are on. */
export async function listCallLists(ctx: Ctx, paging: Paging): Promise<Page<CallListView>> {
  const base = visibleCallLists(ctx);
  const [rows, count] = await Promise.all([
    base
      .select(CALL_LIST.map((c) => `c.${c}` as const))
      .orderBy('c.id', 'desc')
      .limit(paging.perPage)
      .offset((paging.page - 1) * paging.perPage)
      .execute(),
    base.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return {
    items: await views(ctx, rows as CallListRow[]),
    total: count.n,
    page: paging.page,
    per_page: paging.perPage,
  };
}

/**
 * A call list: a new static list of the people to call (from a list, a saved search or explicit
 * people, limited to those the creator may hand over), and the queue of calls to make. Explicit
 * people out of the creator's reach are 404, as everywhere.
 */
export async function createCallList(ctx: Ctx, raw: CallListInput): Promise<CallListView> {
  assertAllowed(ctx.actor, 'calls.manage');
  const input = parseInput(CallListInput, raw);
  const orgId = ctx.actor.orgId;
  if (input.survey_id) {
    const survey = await ctx.db
      .selectFrom('survey')
      .select('id')
      .where('org_id', '=', orgId)
      .where('id', '=', input.survey_id)
      .executeTakeFirst();
    if (!survey) throw invalid('survey_id', 'no survey with this id');
  }
  const fields = [...new Set(input.fields)];
  const classes = [...new Set(input.field_classes)];
  const scope = await handOverScope(ctx, await classesOf(ctx, classes, fields));
  let source: Expression<SqlBool>;
  if (input.list_id) {
    const list = await ctx.db
      .selectFrom('list')
      .select('id')
      .where('org_id', '=', orgId)
      .where('id', '=', input.list_id)
      .executeTakeFirst();
    if (!list) throw invalid('list_id', 'no list with this id');
    source = sql<SqlBool>`p.id IN (SELECT li.person_id FROM list_item li WHERE li.list_id = ${input.list_id}::uuid)`;
  } else if (input.saved_search_id) {
    const predicates = (await savedSearchPredicates(ctx.db, orgId, [input.saved_search_id])).get(
      input.saved_search_id,
    );
    if (!predicates) throw invalid('saved_search_id', 'no saved search with this id');
    source = predicates.length > 0 ? sql<SqlBool>`(${sql.join(predicates, sql` AND `)})` : sql<SqlBool>`true`;
  } else {
    source = sql<SqlBool>`p.id = ANY(${[...new Set(input.person_ids)]}::uuid[])`;
  }
  const reach = scope ?? sql<SqlBool>`true`;
  if (input.person_ids) {
    // Before anything is written (a refusal leaves even the change sequence alone).
    const { rows } = await sql<{ n: number }>`
      SELECT count(*)::int AS n FROM person p
      WHERE p.org_id = ${orgId} AND p.merged_into IS NULL AND ${source} AND ${reach}`.execute(ctx.db);
    if ((rows[0]?.n ?? 0) < new Set(input.person_ids).size) throw notFound('person');
  }
  const id = newId();
  const listId = newId();
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('list')
      .values({
        org_id: orgId,
        id: listId,
        name: `Call list: ${input.name}`.slice(0, 200),
        description: 'The people of a call list; its callers are assigned to it.',
        created_by: actorUserId(ctx.actor),
      })
      .execute();
    const { rows } = await sql<{ n: number }>`
      WITH added AS (
        INSERT INTO list_item (org_id, id, list_id, person_id)
        SELECT p.org_id, uuid_v7(), ${listId}::uuid, p.id
        FROM person p
        WHERE p.org_id = ${orgId} AND p.merged_into IS NULL AND ${source} AND ${reach}
        RETURNING 1
      ) SELECT count(*)::int AS n FROM added`.execute(trx);
    if (input.person_ids && (rows[0]?.n ?? 0) < new Set(input.person_ids).size) throw notFound('person');
    await trx
      .insertInto('call_list')
      .values({
        org_id: orgId,
        id,
        name: input.name,
        script: input.script ?? null,
        survey_id: input.survey_id ?? null,
        list_id: listId,
        field_classes: classes,
        fields,
        claim_seconds: input.claim_minutes * 60,
        max_attempts: input.max_attempts,
        created_by: actorUserId(ctx.actor),
      })
      .execute();
    await sql`
      INSERT INTO call_target (org_id, id, call_list_id, person_id)
      SELECT li.org_id, uuid_v7(), ${id}::uuid, li.person_id FROM list_item li WHERE li.list_id = ${listId}::uuid
      ORDER BY li.person_id`.execute(trx);
  });
  return await getCallList(ctx, id);
}

/** What a list assignment gives: actions, whole field classes and single fields. */
export interface ListGrant {
  actions: string[];
  field_classes: string[];
  fields: string[];
}

/**
 * Gives a user an ordinary list assignment (or replaces what their assignment on the list gives),
 * recorded in the audit trail in the same transaction: how callers and canvassers get their people.
 * Run it inside the caller's transaction (`ctx.db` a transaction).
 */
export async function grantListAssignment(
  ctx: Ctx,
  userId: string,
  listId: string,
  grant: ListGrant,
  detail: Record<string, unknown>,
): Promise<string> {
  const assignment = await ctx.db
    .insertInto('assignment')
    .values({
      org_id: ctx.actor.orgId,
      id: newId(),
      user_id: userId,
      target_kind: 'list',
      target_id: listId,
      actions: grant.actions,
      field_classes: grant.field_classes,
      fields: grant.fields,
      expires_at: null,
      created_by: actorUserId(ctx.actor),
    })
    .onConflict((oc) =>
      oc.constraint('assignment_user_target_key').doUpdateSet((eb) => ({
        actions: eb.ref('excluded.actions'),
        field_classes: eb.ref('excluded.field_classes'),
        fields: eb.ref('excluded.fields'),
      })),
    )
    .returning(['id', 'actions', 'field_classes', 'fields'])
    .executeTakeFirstOrThrow();
  await audit(ctx, 'assignment.create', {
    assignment_id: assignment.id,
    user_id: userId,
    target_kind: 'list',
    target_id: listId,
    ...detail,
    actions: assignment.actions,
    field_classes: assignment.field_classes,
    fields: assignment.fields,
  });
  return assignment.id;
}

/** Ends a list assignment (audited); false when it was gone already. */
export async function revokeListAssignment(
  ctx: Ctx,
  assignmentId: string,
  userId: string,
  listId: string,
  detail: Record<string, unknown>,
): Promise<boolean> {
  const gone = await ctx.db
    .deleteFrom('assignment')
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', '=', assignmentId)
    .returning('id')
    .executeTakeFirst();
  if (gone)
    await audit(ctx, 'assignment.delete', {
      assignment_id: gone.id,
      user_id: userId,
      target_kind: 'list',
      target_id: listId,
      ...detail,
    });
  return !!gone;
}

/**
 * Assigns a caller: an ordinary list assignment on the call list's list with people.read,
 * person.call and the fields the call list names (recorded in the audit trail like any other).
 */
export async function addCaller(ctx: Ctx, id: string, raw: { user_id: string }): Promise<CallListView> {
  const { user_id: userId } = parseInput(CallerInput, raw);
  const row = await loadManaged(ctx, id);
  if (row.status !== 'open') throw new AppError('conflict', 'the call list is closed');
  await requireUser(ctx.db, ctx.actor.orgId, userId);
  await ctx.db.transaction().execute(async (trx) => {
    const tx = { ...ctx, db: trx };
    const assignmentId = await grantListAssignment(
      tx,
      userId,
      row.list_id,
      { actions: CALLER_ACTIONS, field_classes: row.field_classes, fields: row.fields },
      { call_list_id: id },
    );
    await trx
      .insertInto('call_list_caller')
      .values({
        org_id: ctx.actor.orgId,
        call_list_id: id,
        user_id: userId,
        assignment_id: assignmentId,
        created_by: actorUserId(ctx.actor),
      })
      .onConflict((oc) => oc.constraint('call_list_caller_pkey').doUpdateSet({ assignment_id: assignmentId }))
      .execute();
  });
  return await getCallList(ctx, id);
}

/** Ends callers' assignments (all of them when userId is null) and frees what they held. */
async function dropCallers(ctx: Ctx, row: CallListRow, userId: string | null): Promise<number> {
  let callers = ctx.db
    .selectFrom('call_list_caller')
    .select(['user_id', 'assignment_id'])
    .where('call_list_id', '=', row.id);
  if (userId) callers = callers.where('user_id', '=', userId);
  const found = await callers.execute();
  for (const caller of found) {
    if (caller.assignment_id)
      await revokeListAssignment(ctx, caller.assignment_id, caller.user_id, row.list_id, {
        call_list_id: row.id,
      });
    await ctx.db
      .updateTable('call_target')
      .set({ claimed_by: null, claimed_until: null })
      .where('call_list_id', '=', row.id)
      .where('claimed_by', '=', caller.user_id)
      .execute();
  }
  return found.length;
}

export async function removeCaller(ctx: Ctx, id: string, userId: string): Promise<void> {
  const row = await loadManaged(ctx, id);
  await ctx.db.transaction().execute(async (trx) => {
    const tx = { ...ctx, db: trx };
    if ((await dropCallers(tx, row, userId)) === 0) throw notFound('caller');
    await trx
      .deleteFrom('call_list_caller')
      .where('call_list_id', '=', id)
      .where('user_id', '=', userId)
      .execute();
  });
}

/** Closes the list: every caller's assignment ends (callers stay listed, for the record). */
export async function closeCallList(ctx: Ctx, id: string): Promise<CallListView> {
  const row = await loadManaged(ctx, id);
  await ctx.db.transaction().execute(async (trx) => {
    await dropCallers({ ...ctx, db: trx }, row, null);
    await trx
      .updateTable('call_list')
      .set({ status: 'closed', closed_at: ctx.now() })
      .where('id', '=', id)
      .execute();
  });
  return await getCallList(ctx, id);
}
