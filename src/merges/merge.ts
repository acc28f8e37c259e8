import { type Kysely, type RawBuilder, sql, type Transaction } from 'kysely';
import { type ProjectedPerson, projectPeople, requirePerson } from '../access/people-access.js';
import { actorUserId, type Ctx } from '../context.js';
import { newId } from '../db/ids.js';
import type { DB } from '../db/schema.js';
import { AppError, notFound } from '../errors.js';
import { loadPeople, lockOrgPeople } from '../people/index.js';
import {
  deleteRow,
  keyOf,
  type Patch,
  type Row,
  restoreRow,
  revertPatch,
  rowsWhere,
  untyped,
} from './merge.rows.js';
import { PERSON_REFERENCES, PERSON_ROWS, type PersonRows } from './merge.rules.js';

/**
 * Merging two records of one person, and undoing it.
 *
 * A merge keeps the survivor's values, fills its blanks from the merged record, and moves every
 * row that hangs off the merged record to the survivor, table by table as PERSON_ROWS says (where
 * a unique key lets a person hold one row per slot, one row stays: the survivor's, or the more
 * advanced). Others' rows that name the merged record (PERSON_REFERENCES, phone tree callees of a
 * node that goes) name the survivor instead. The merged record stays, marked `merged_into`, so
 * that nothing points nowhere. Before anything moves, both records and every row hanging off them
 * are saved in `person_merge.before_snapshot`, with each change to someone else's row: undoing the
 * merge puts each of those rows back exactly as it was (same ids, same values), while rows added
 * to the survivor after the merge stay with it.
 */

const PRIMARY_TABLES = ['person_email', 'person_phone', 'person_address'] as const;

export interface PersonSnapshot {
  person: Row;
  /** Rows by table (PERSON_ROWS); a merge made before a table was handled has none of it. */
  children: Record<string, Row[]>;
  relationships: Row[];
  identifiers: Row[];
  duplicates: Row[];
}
export interface MergeSnapshot {
  survivor: PersonSnapshot;
  merged: PersonSnapshot;
  /** Changes to rows of others (absent in merges made before they were recorded). */
  patches?: Patch[];
}

async function jsonRows(query: RawBuilder<{ row: Row }>, db: Kysely<DB>): Promise<Row[]> {
  return (await query.execute(db)).rows.map((r) => r.row);
}

async function snapshotPerson(db: Kysely<DB>, orgId: string, id: string): Promise<PersonSnapshot> {
  const [person] = await rowsWhere(db, 'person', ['id'], { org_id: orgId, id });
  if (!person) throw notFound('person');
  const children: Record<string, Row[]> = {};
  for (const rule of PERSON_ROWS)
    children[rule.table] = await rowsWhere(db, rule.table, rule.key, { org_id: orgId, [rule.column]: id });
  const relationships = await jsonRows(
    sql<{ row: Row }>`SELECT to_jsonb(t) AS row FROM relationship t WHERE t.org_id = ${orgId}
      AND (t.person_id = ${id} OR t.related_person_id = ${id}) ORDER BY t.id`,
    db,
  );
  const identifiers = await rowsWhere(db, 'foreign_identifier', ['identifier'], {
    org_id: orgId,
    entity: 'person',
    entity_id: id,
  });
  const duplicates = await jsonRows(
    sql<{ row: Row }>`SELECT to_jsonb(t) AS row FROM possible_duplicate t WHERE t.org_id = ${orgId}
      AND (t.person_a = ${id} OR t.person_b = ${id}) ORDER BY t.id`,
    db,
  );
  return { person, children, relationships, identifiers, duplicates };
}

/**
 * Moves the merged record's rows of one table to the survivor. Where both hold a row in one slot,
 * one stays and the other is deleted (it lives on in the before-image).
 */
async function moveRows(
  trx: Transaction<DB>,
  rule: PersonRows,
  snapshot: MergeSnapshot,
  survivorId: string,
): Promise<Patch[]> {
  const u = untyped(trx);
  const survivorRows = snapshot.survivor.children[rule.table] ?? [];
  const mergedRows = snapshot.merged.children[rule.table] ?? [];
  if (mergedRows.length === 0) return [];
  const taken = new Map<string, Row>();
  for (const s of survivorRows) {
    const slot = rule.slot?.(s) ?? null;
    if (slot !== null) taken.set(slot, s);
  }
  const move: Row[] = [];
  const pairs: { kept: Row; dropped: Row }[] = [];
  for (const m of mergedRows) {
    const slot = rule.slot?.(m) ?? null;
    const s = slot === null ? undefined : taken.get(slot);
    if (!s) move.push(m);
    else if (rule.mergedWins?.(m, s)) {
      move.push(m);
      pairs.push({ kept: m, dropped: s });
    } else pairs.push({ kept: s, dropped: m });
  }
  const patches: Patch[] = [];
  for (const { kept, dropped } of pairs) {
    if (rule.beforeDrop) patches.push(...(await rule.beforeDrop(trx, kept, dropped)));
    await deleteRow(trx, rule.table, keyOf(rule.key, dropped));
  }
  for (const m of move) {
    await u
      .updateTable(rule.table)
      .set({ [rule.column]: survivorId, ...rule.onMove })
      .where((eb) => eb.and(Object.entries(keyOf(rule.key, m)).map(([k, v]) => eb(k, '=', v))))
      .execute();
  }
  for (const { kept, dropped } of pairs) {
    const values = rule.combine?.(kept, dropped);
    if (!values) continue;
    const key = keyOf(rule.key, { ...kept, [rule.column]: survivorId });
    await u
      .updateTable(rule.table)
      .set(values)
      .where((eb) => eb.and(Object.entries(key).map(([k, v]) => eb(k, '=', v))))
      .execute();
  }
  return patches;
}

/** Others' rows that name the merged record name the survivor; each change is recorded. */
async function moveReferences(
  trx: Transaction<DB>,
  orgId: string,
  survivorId: string,
  mergedId: string,
): Promise<Patch[]> {
  const patches: Patch[] = [];
  for (const ref of PERSON_REFERENCES) {
    for (const row of await rowsWhere(trx, ref.table, ref.key, { org_id: orgId, [ref.column]: mergedId })) {
      const key = keyOf(ref.key, row);
      patches.push({
        table: ref.table,
        key,
        before: { [ref.column]: mergedId },
        after: { [ref.column]: survivorId },
      });
      await untyped(trx)
        .updateTable(ref.table)
        .set({ [ref.column]: survivorId })
        .where((eb) => eb.and(Object.entries(key).map(([k, v]) => eb(k, '=', v))))
        .execute();
    }
  }
  return patches;
}

async function livePerson(db: Kysely<DB>, orgId: string, id: string) {
  const row = await db
    .selectFrom('person')
    .select(['id', 'merged_into'])
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .forUpdate()
    .executeTakeFirst();
  if (!row || row.merged_into) throw notFound('person');
  return row;
}

const SCALARS = [
  'given_name',
  'family_name',
  'additional_name',
  'pronouns',
  'preferred_language',
  'birthdate',
  'home_unit_id',
  'home_unit_path',
] as const;

async function mergeInto(
  trx: Transaction<DB>,
  ctx: Ctx,
  survivorId: string,
  mergedId: string,
): Promise<string> {
  const orgId = ctx.actor.orgId;
  if (survivorId === mergedId) {
    throw new AppError('validation_failed', 'merged_id: a person cannot be merged with themselves', {
      fields: [{ field: 'merged_id', message: 'the same person as survivor_id' }],
    });
  }
  // Both people must be within the actor's reach for merging (else 404, as if absent).
  await requirePerson({ ...ctx, db: trx }, survivorId, 'people.merge');
  await requirePerson({ ...ctx, db: trx }, mergedId, 'people.merge');
  await lockOrgPeople(trx, orgId);
  await livePerson(trx, orgId, survivorId);
  await livePerson(trx, orgId, mergedId);
  const snapshot: MergeSnapshot = {
    survivor: await snapshotPerson(trx, orgId, survivorId),
    merged: await snapshotPerson(trx, orgId, mergedId),
  };
  const u = untyped(trx);

  // The survivor's blanks are filled from the merged record; flags that protect a person win.
  const fill: Row = {};
  for (const key of SCALARS) {
    if (snapshot.survivor.person[key] === null && snapshot.merged.person[key] !== null)
      fill[key] = snapshot.merged.person[key];
  }
  if (fill.home_unit_path) fill.home_unit_path = sql`${fill.home_unit_path}::ltree`;
  if (snapshot.merged.person.do_not_contact) fill.do_not_contact = true;
  if (snapshot.merged.person.sensitive) fill.sensitive = true;
  if (Object.keys(fill).length > 0)
    await u.updateTable('person').set(fill).where('id', '=', survivorId).execute();

  const patches: Patch[] = [];
  for (const rule of PERSON_ROWS) patches.push(...(await moveRows(trx, rule, snapshot, survivorId)));
  patches.push(...(await moveReferences(trx, orgId, survivorId, mergedId)));
  snapshot.patches = patches;
  // A survivor that had no primary of a kind takes the oldest of what it now holds.
  for (const table of PRIMARY_TABLES) {
    await sql`UPDATE ${sql.table(table)} t SET is_primary = true WHERE t.id = (
      SELECT id FROM ${sql.table(table)} WHERE person_id = ${survivorId} ORDER BY is_primary DESC, observed_at, id LIMIT 1)
      AND NOT EXISTS (SELECT 1 FROM ${sql.table(table)} WHERE person_id = ${survivorId} AND is_primary)`.execute(
      trx,
    );
  }
  await sql`UPDATE person_field_value v SET is_preferred = true WHERE v.person_id = ${survivorId} AND NOT v.is_preferred
    AND NOT EXISTS (SELECT 1 FROM person_field_value o WHERE o.person_id = v.person_id AND o.field_id = v.field_id AND o.is_preferred)
    AND v.id = (SELECT id FROM person_field_value x WHERE x.person_id = v.person_id AND x.field_id = v.field_id ORDER BY observed_at DESC, id DESC LIMIT 1)`.execute(
    trx,
  );

  // Relationships follow the person; one between the two records, or one the survivor already has, goes.
  for (const r of snapshot.merged.relationships) {
    const from = r.person_id === mergedId ? survivorId : (r.person_id as string);
    const to = r.related_person_id === mergedId ? survivorId : (r.related_person_id as string);
    const clash =
      from === to ||
      (await u
        .selectFrom('relationship')
        .select('id')
        .where('person_id', '=', from)
        .where('related_person_id', '=', to)
        .where('kind', '=', r.kind as string)
        .where(sql<boolean>`custom_label IS NOT DISTINCT FROM ${r.custom_label as string | null}`)
        .where('id', '<>', r.id as string)
        .executeTakeFirst());
    if (clash)
      await u
        .deleteFrom('relationship')
        .where('id', '=', r.id as string)
        .execute();
    else
      await u
        .updateTable('relationship')
        .set({ person_id: from, related_person_id: to })
        .where('id', '=', r.id as string)
        .execute();
  }
  await trx
    .updateTable('foreign_identifier')
    .set({ entity_id: survivorId })
    .where('org_id', '=', orgId)
    .where('entity', '=', 'person')
    .where('entity_id', '=', mergedId)
    .execute();
  const [a, b] = survivorId < mergedId ? [survivorId, mergedId] : [mergedId, survivorId];
  await trx
    .updateTable('possible_duplicate')
    .set({ status: 'merged' })
    .where('org_id', '=', orgId)
    .where('person_a', '=', a)
    .where('person_b', '=', b)
    .execute();
  await trx.updateTable('person').set({ merged_into: survivorId }).where('id', '=', mergedId).execute();

  const mergeId = newId();
  await trx
    .insertInto('person_merge')
    .values({
      org_id: orgId,
      id: mergeId,
      survivor_id: survivorId,
      merged_id: mergedId,
      before_snapshot: JSON.stringify(snapshot),
      merged_by: actorUserId(ctx.actor),
      undone_at: null,
      undone_by: null,
    })
    .execute();
  return mergeId;
}

/** Merges `mergedId` into `survivorId`. Returns the merge (to undo it) and the resulting person. */
export async function mergePeople(
  ctx: Ctx,
  survivorId: string,
  mergedId: string,
): Promise<{ merge_id: string; person: ProjectedPerson }> {
  const mergeId = await ctx.db
    .transaction()
    .execute(async (trx) => await mergeInto(trx, ctx, survivorId, mergedId));
  const [person] = await projectPeople(ctx, await loadPeople(ctx.db, ctx.actor.orgId, [survivorId]));
  return { merge_id: mergeId, person: person ?? { id: survivorId } };
}

class PreviewDone extends Error {
  constructor(readonly person: ProjectedPerson) {
    super('preview');
  }
}

/** The person a merge would produce, computed by the merge itself and rolled back: nothing is written. */
export async function previewMerge(ctx: Ctx, survivorId: string, mergedId: string): Promise<ProjectedPerson> {
  try {
    await ctx.db.transaction().execute(async (trx) => {
      await mergeInto(trx, ctx, survivorId, mergedId);
      const [person] = await projectPeople(
        { ...ctx, db: trx },
        await loadPeople(trx, ctx.actor.orgId, [survivorId]),
      );
      throw new PreviewDone(person ?? { id: survivorId });
    });
  } catch (error) {
    if (error instanceof PreviewDone) return error.person;
    throw error;
  }
  throw new AppError('internal', 'merge preview did not complete');
}

/**
 * Puts one table's rows of both people back. The merged record's go first: they give back the
 * slots (an event, a call list, a tree) whose row the survivor's then takes again. A row whose key
 * holds the person (a door's resident) moved under a new key, which goes.
 */
async function restoreTable(
  trx: Transaction<DB>,
  rule: PersonRows,
  snapshot: MergeSnapshot,
  survivorId: string,
) {
  const merged = snapshot.merged.children[rule.table] ?? [];
  const survivor = snapshot.survivor.children[rule.table] ?? [];
  if (rule.key.includes(rule.column)) {
    const identity = (r: Row) => JSON.stringify(keyOf(rule.key, r));
    const held = new Set(survivor.map(identity));
    for (const m of merged) {
      const moved = { ...m, [rule.column]: survivorId };
      if (!held.has(identity(moved))) await deleteRow(trx, rule.table, keyOf(rule.key, moved));
    }
  }
  for (const row of [...merged, ...survivor]) await restoreRow(trx, rule.table, rule.key, row);
}

/**
 * Undoes a merge: both people and every row they had are restored as they were before it. Refused
 * when the survivor has since been merged into someone else (undo that first) or it was undone.
 */
export async function undoMerge(
  ctx: Ctx,
  mergeId: string,
): Promise<{ survivor: ProjectedPerson; restored: ProjectedPerson }> {
  const orgId = ctx.actor.orgId;
  const result = await ctx.db.transaction().execute(async (trx) => {
    await lockOrgPeople(trx, orgId);
    const merge = await trx
      .selectFrom('person_merge')
      .selectAll()
      .where('org_id', '=', orgId)
      .where('id', '=', mergeId)
      .forUpdate()
      .executeTakeFirst();
    if (!merge) throw notFound('merge');
    // Undoing changes both records: the actor must be able to merge both (else 404, as if absent;
    // 403 under legal hold), as for the merge itself.
    const tctx = { ...ctx, db: trx };
    await requirePerson(tctx, merge.merged_id, 'people.merge', { includeMerged: true });
    const survivor = await trx
      .selectFrom('person')
      .select('merged_into')
      .where('id', '=', merge.survivor_id)
      .executeTakeFirst();
    if (survivor) await requirePerson(tctx, merge.survivor_id, 'people.merge', { includeMerged: true });
    if (merge.undone_at) throw new AppError('conflict', 'this merge was already undone');
    if (!survivor)
      throw new AppError('conflict', 'the surviving person was deleted since; the merge cannot be undone');
    if (survivor.merged_into)
      throw new AppError(
        'conflict',
        'the surviving person was merged into another since; undo that merge first',
      );
    const snapshot = (
      typeof merge.before_snapshot === 'string' ? JSON.parse(merge.before_snapshot) : merge.before_snapshot
    ) as MergeSnapshot;
    const people = [snapshot.merged, snapshot.survivor];
    const u = untyped(trx);
    // Primaries are restored as they were: clear the two people's first so none collide.
    for (const table of PRIMARY_TABLES) {
      await u
        .updateTable(table)
        .set({ is_primary: false })
        .where('person_id', 'in', [merge.survivor_id, merge.merged_id])
        .execute();
    }
    await u
      .updateTable('person_field_value')
      .set({ is_preferred: false })
      .where('person_id', 'in', [merge.survivor_id, merge.merged_id])
      .execute();
    for (const p of people) await restoreRow(trx, 'person', ['id'], p.person);
    for (const rule of PERSON_ROWS) await restoreTable(trx, rule, snapshot, merge.survivor_id);
    // Last first, so a row changed twice ends as it began.
    for (const patch of [...(snapshot.patches ?? [])].reverse()) await revertPatch(trx, patch);
    for (const p of people) for (const r of p.relationships) await restoreRow(trx, 'relationship', ['id'], r);
    for (const p of people) {
      for (const identifier of p.identifiers) {
        await trx
          .updateTable('foreign_identifier')
          .set({ entity_id: identifier.entity_id as string })
          .where('org_id', '=', orgId)
          .where('entity', '=', 'person')
          .where('identifier', '=', identifier.identifier as string)
          .execute();
      }
    }
    for (const p of people)
      for (const d of p.duplicates) await restoreRow(trx, 'possible_duplicate', ['id'], d);
    // Values added to the survivor after the merge stay; if none of them was primary, fix up.
    for (const table of PRIMARY_TABLES) {
      await sql`UPDATE ${sql.table(table)} t SET is_primary = true WHERE t.id = (
        SELECT id FROM ${sql.table(table)} WHERE person_id = ${merge.survivor_id} ORDER BY observed_at, id LIMIT 1)
        AND NOT EXISTS (SELECT 1 FROM ${sql.table(table)} WHERE person_id = ${merge.survivor_id} AND is_primary)`.execute(
        trx,
      );
    }
    await trx
      .updateTable('person_merge')
      .set({ undone_at: ctx.now(), undone_by: actorUserId(ctx.actor) })
      .where('id', '=', mergeId)
      .execute();
    return merge;
  });
  const views = await projectPeople(
    ctx,
    await loadPeople(ctx.db, orgId, [result.survivor_id, result.merged_id]),
  );
  const find = (id: string) => views.find((v) => v.id === id) ?? { id };
  return { survivor: find(result.survivor_id), restored: find(result.merged_id) };
}

export interface MergeView {
  id: string;
  survivor_id: string;
  merged_id: string;
  merged_at: Date;
  merged_by: string | null;
  undone_at: Date | null;
}

/** The merges a person took part in (a person merged away keeps their history); 404 if not ours. */
export async function listMerges(ctx: Ctx, personId: string): Promise<MergeView[]> {
  await requirePerson(ctx, personId, 'people.read', { includeMerged: true });
  return await ctx.db
    .selectFrom('person_merge')
    .select(['id', 'survivor_id', 'merged_id', 'merged_at', 'merged_by', 'undone_at'])
    .where('org_id', '=', ctx.actor.orgId)
    .where((eb) => eb.or([eb('survivor_id', '=', personId), eb('merged_id', '=', personId)]))
    .orderBy('merged_at', 'desc')
    .execute();
}
