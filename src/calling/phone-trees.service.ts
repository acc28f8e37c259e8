import { sql } from 'kysely';
import { z } from 'zod';
import { loadFacts, projectPeople, requirePerson } from '../access/index.js';
import { actorUserId, type Ctx } from '../context.js';
import { newId } from '../db/ids.js';
import { invalid, notFound } from '../errors.js';
import { parseInput } from '../http/parse-input.js';
import { insertActivity } from '../notes/index.js';
import { loadPeople } from '../people/index.js';
import { accessOf, assertAllowed, decide } from '../policy/index.js';
import type { Page, Paging } from './surveys.service.js';

export const PhoneTreeInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    message: z.string().trim().max(5000).nullable().optional().describe('What callers pass on'),
    deadline: z.coerce.date().describe('Callees not reached by then roll up to the next leader'),
    escalation_minutes: z
      .number()
      .int()
      .min(1)
      .max(10080)
      .default(60)
      .describe('After the deadline, one more level up per interval'),
    members: z
      .array(
        z.object({
          person_id: z.uuid(),
          leader_id: z.uuid().nullable().describe("The person who calls them (null: the tree's top)"),
        }),
      )
      .min(1)
      .max(5000),
  })
  .strict();
export type PhoneTreeInput = z.input<typeof PhoneTreeInput>;

export const ResultInput = z
  .object({
    person_id: z.uuid(),
    result: z.enum(['reached', 'not_reached']),
    note: z.string().trim().min(1).max(20000).optional(),
  })
  .strict();
export type ResultInput = z.input<typeof ResultInput>;

export interface TreeNode {
  id: string;
  person_id: string;
  parent_id: string | null;
  depth: number;
  result: 'reached' | 'not_reached' | null;
  result_at: Date | null;
}

export interface NodeState extends TreeNode {
  /** Who should be calling this person now (null: reached, or the tree's top). */
  responsible_id: string | null;
  /** The responsible leader is not their own leader: the call rolled up. */
  escalated: boolean;
  person: Record<string, unknown> | null;
}

export interface LeaderState {
  node_id: string;
  person_id: string;
  callees: number;
  reached: number;
  not_reached: number;
  pending: number;
  /** Callees of leaders below who are now this leader's to call. */
  escalated_to_them: string[];
}

export interface TreeState {
  id: string;
  name: string;
  message: string | null;
  deadline: Date;
  escalation_minutes: number;
  at: Date;
  totals: { people: number; reached: number; not_reached: number; pending: number };
  leaders: LeaderState[];
  nodes: NodeState[];
  created_at: Date;
  updated_at: Date;
}

/**
 * The leader responsible for a callee at `now`: their own leader until the deadline, then one
 * level further up per escalation interval, up to the top of the tree. Computed at read time: no
 * job moves anyone.
 */
export function responsibleFor(
  node: TreeNode,
  byId: Map<string, TreeNode>,
  deadline: Date,
  escalationMinutes: number,
  now: Date,
): string | null {
  if (node.result === 'reached' || node.parent_id === null) return null;
  const late = now.getTime() - deadline.getTime();
  let levels = late < 0 ? 0 : 1 + Math.floor(late / (escalationMinutes * 60_000));
  let leader = byId.get(node.parent_id) as TreeNode;
  while (levels > 0 && leader.parent_id !== null) {
    leader = byId.get(leader.parent_id) as TreeNode;
    levels--;
  }
  return leader.id;
}

const TREE = ['id', 'name', 'message', 'deadline', 'escalation_minutes', 'created_at', 'updated_at'] as const;
const NODE = ['id', 'person_id', 'parent_id', 'depth', 'result', 'result_at'] as const;

/** A tree and the state of every call in it, at the actor's clock; people projected as they may see them. */
export async function getPhoneTree(ctx: Ctx, id: string): Promise<TreeState> {
  assertAllowed(ctx.actor, 'calls.manage');
  const tree = await ctx.db
    .selectFrom('phone_tree')
    .select(TREE)
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!tree) throw notFound('phone tree');
  const nodes = await ctx.db
    .selectFrom('phone_tree_node')
    .select(NODE)
    .where('org_id', '=', ctx.actor.orgId)
    .where('tree_id', '=', id)
    .orderBy('depth')
    .orderBy('id')
    .execute();
  const now = ctx.now();
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const projected = new Map(
    (
      await projectPeople(
        ctx,
        await loadPeople(
          ctx.db,
          ctx.actor.orgId,
          nodes.map((n) => n.person_id),
        ),
      )
    ).map((p) => [p.id, p as Record<string, unknown>]),
  );
  const states: NodeState[] = nodes.map((n) => {
    const responsible = responsibleFor(n, byId, tree.deadline, tree.escalation_minutes, now);
    return {
      ...n,
      responsible_id: responsible,
      escalated: responsible !== null && responsible !== n.parent_id,
      person: projected.get(n.person_id) ?? null,
    };
  });
  const leaders: LeaderState[] = [];
  for (const leader of nodes) {
    const callees = states.filter((s) => s.parent_id === leader.id);
    const escalated = states.filter((s) => s.responsible_id === leader.id && s.parent_id !== leader.id);
    if (callees.length === 0 && escalated.length === 0) continue;
    leaders.push({
      node_id: leader.id,
      person_id: leader.person_id,
      callees: callees.length,
      reached: callees.filter((s) => s.result === 'reached').length,
      not_reached: callees.filter((s) => s.result === 'not_reached').length,
      pending: callees.filter((s) => s.result === null).length,
      escalated_to_them: escalated.map((s) => s.id),
    });
  }
  const callees = states.filter((s) => s.parent_id !== null);
  return {
    ...tree,
    at: now,
    totals: {
      people: nodes.length,
      reached: callees.filter((s) => s.result === 'reached').length,
      not_reached: callees.filter((s) => s.result === 'not_reached').length,
      pending: callees.filter((s) => s.result === null).length,
    },
    leaders,
    nodes: states,
  };
}

export async function listPhoneTrees(
  ctx: Ctx,
  paging: Paging,
): Promise<Page<{ id: string; name: string; deadline: Date; people: number }>> {
  assertAllowed(ctx.actor, 'calls.manage');
  const base = ctx.db.selectFrom('phone_tree as t').where('t.org_id', '=', ctx.actor.orgId);
  const [rows, count] = await Promise.all([
    base
      .select([
        't.id',
        't.name',
        't.deadline',
        sql<number>`(SELECT count(*)::int FROM phone_tree_node n WHERE n.tree_id = t.id)`.as('people'),
      ])
      .orderBy('t.id', 'desc')
      .limit(paging.perPage)
      .offset((paging.page - 1) * paging.perPage)
      .execute(),
    base.select(sql<number>`count(*)::int`.as('n')).executeTakeFirstOrThrow(),
  ]);
  return { items: rows, total: count.n, page: paging.page, per_page: paging.perPage };
}

/**
 * A tree from (person, leader) pairs: one node per person, each leader a member, no cycles. The
 * creator must reach every person in it (404 otherwise, as for anyone out of reach).
 */
export async function createPhoneTree(ctx: Ctx, raw: PhoneTreeInput): Promise<TreeState> {
  assertAllowed(ctx.actor, 'calls.manage');
  const input = parseInput(PhoneTreeInput, raw);
  const members = new Map<string, string | null>();
  input.members.forEach((m, i) => {
    if (members.has(m.person_id))
      throw invalid(`members.${i}.person_id`, 'this person is in the tree already');
    members.set(m.person_id, m.leader_id);
  });
  input.members.forEach((m, i) => {
    if (m.leader_id !== null && !members.has(m.leader_id))
      throw invalid(`members.${i}.leader_id`, 'the leader must be a member of the tree');
  });
  // Depth by walking down from the top; whoever is never reached sits in a cycle.
  const depth = new Map<string, number>();
  let level = [...members].filter(([, leader]) => leader === null).map(([person]) => person);
  for (let d = 0; level.length > 0; d++) {
    for (const person of level) depth.set(person, d);
    const here = new Set(level);
    level = [...members].filter(([, leader]) => leader !== null && here.has(leader)).map(([p]) => p);
  }
  const cyclic = input.members.findIndex((m) => !depth.has(m.person_id));
  if (cyclic >= 0) throw invalid(`members.${cyclic}.leader_id`, 'leaders form a cycle: the tree needs a top');
  const access = accessOf(ctx.actor);
  const facts = await loadFacts(ctx.db, access, [...members.keys()]);
  for (const person of members.keys()) {
    const f = facts.get(person);
    if (!f || !decide(access, 'people.read', f).allowed) throw notFound('person');
  }
  const id = newId();
  const nodeIds = new Map([...members.keys()].map((p) => [p, newId()]));
  const ordered = [...members].sort(([a], [b]) => (depth.get(a) as number) - (depth.get(b) as number));
  await ctx.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('phone_tree')
      .values({
        org_id: ctx.actor.orgId,
        id,
        name: input.name,
        message: input.message ?? null,
        deadline: input.deadline,
        escalation_minutes: input.escalation_minutes,
        created_by: actorUserId(ctx.actor),
      })
      .execute();
    await trx
      .insertInto('phone_tree_node')
      .values(
        ordered.map(([person, leader]) => ({
          org_id: ctx.actor.orgId,
          id: nodeIds.get(person) as string,
          tree_id: id,
          person_id: person,
          parent_id: leader === null ? null : (nodeIds.get(leader) as string),
          depth: depth.get(person) as number,
          result: null,
          result_at: null,
          result_by: null,
          activity_id: null,
        })),
      )
      .execute();
  });
  return await getPhoneTree(ctx, id);
}

/**
 * Records whether a callee was reached: on the node, and as a call on the person's timeline.
 * The actor must reach the person (404 otherwise) and may write their record (403 under legal hold).
 */
export async function recordTreeResult(ctx: Ctx, id: string, raw: ResultInput): Promise<TreeState> {
  assertAllowed(ctx.actor, 'calls.manage');
  const input = parseInput(ResultInput, raw);
  const tree = await ctx.db
    .selectFrom('phone_tree')
    .select(['id', 'name'])
    .where('org_id', '=', ctx.actor.orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!tree) throw notFound('phone tree');
  await requirePerson(ctx, input.person_id, 'people.write');
  const node = await ctx.db
    .selectFrom('phone_tree_node')
    .select('id')
    .where('tree_id', '=', id)
    .where('person_id', '=', input.person_id)
    .executeTakeFirst();
  if (!node) throw invalid('person_id', 'this person is not in the tree');
  await ctx.db.transaction().execute(async (trx) => {
    const now = ctx.now();
    const call = await insertActivity({ ...ctx, db: trx }, input.person_id, {
      kind: 'call',
      occurred_at: now,
      outcome: input.result,
      body: input.note ? `Phone tree "${tree.name}": ${input.note}` : `Phone tree "${tree.name}"`,
    });
    await trx
      .updateTable('phone_tree_node')
      .set({ result: input.result, result_at: now, result_by: actorUserId(ctx.actor), activity_id: call.id })
      .where('id', '=', node.id)
      .execute();
  });
  return await getPhoneTree(ctx, id);
}
