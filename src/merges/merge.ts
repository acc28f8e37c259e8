import { type Kysely, sql, type Transaction } from 'kysely';
import { type ProjectedPerson, projectPeople, requirePerson } from '../access/people-access.js';
import { actorUserId, type Ctx } from '../context.js';
import { newId } from '../db/ids.js';
import type { DB } from '../db/schema.js';
import { AppError, notFound } from '../errors.js';
import { loadPeople, lockOrgPeople } from '../people/index.js';

/**
 * Merging two records of one person, and undoing it.
 *
 * A merge keeps the survivor's values, fills its blanks from the merged record, and moves every
 * value, membership, note, activity, assessment, follow-up, relationship and identifier of the merged record to the
 * survivor (a value both hold is kept once, the survivor's). The merged record stays, marked
 * `merged_into`, so that nothing points nowhere. Before anything moves, both records and every
 * row hanging off them are saved in `person_merge.before_snapshot`: undoing the merge puts each
 * of those rows back exactly as it was (same ids, same values), while values added to the
 * survivor after the merge stay with it.
 */

/** The tables holding a person's rows, with the column that points at the person. */
const CHILD_TABLES = [
  { table: 'person_email', key: 'address' },
  { table: 'person_phone', key: 'number' },
  { table: 'person_address', key: 'address_key' },
  { table: 'person_field_value', key: null },
  { table: 'tagging', key: 'tag_id' },
  { table: 'list_item', key: 'list_id' },
  { table: 'note', key: null },
  { table: 'activity', key: null },
  { table: 'ladder_assessment', key: null },
  { table: 'follow_up', key: null },
  // One point person per person: the survivor's, if it has one.
  { table: 'point_person', key: 'org_id' },
] as const;
type ChildTable = (typeof CHILD_TABLES)[number]['table'];
const PRIMARY_TABLES = ['person_email', 'person_phone', 'person_address'] as const;

type Row = Record<string, unknown>;
export interface PersonSnapshot {
  person: Row;
  children: Record<ChildTable, Row[]>;
  relationships: Row[];
  identifiers: Row[];
  duplicates: Row[];
}
export interface MergeSnapshot {
  survivor: PersonSnapshot;
  merged: PersonSnapshot;
}

// Table names come from the constants above (never from input), so the untyped builder is safe.
// biome-ignore lint/suspicious/noExplicitAny: rows of several same-shaped tables, restored generically
const untyped = (db: Kysely<DB>) => db as unknown as Kysely<any>;

async function snapshotPerson(db: Kysely<DB>, orgId: string, id: string): Promise<PersonSnapshot> {
  const u = untyped(db);
  const person = await u
    .selectFrom('person')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (!person) throw notFound('person');
  const children = {} as Record<ChildTable, Row[]>;
  for (const { table } of CHILD_TABLES) {
    children[table] = await u
      .selectFrom(table)
      .selectAll()
      .where('org_id', '=', orgId)
      .where('person_id', '=', id)
      .orderBy('id')
      .execute();
  }
  const relationships = await u
    .selectFrom('relationship')
    .selectAll()
    .where('org_id', '=', orgId)
    .where((eb) => eb.or([eb('person_id', '=', id), eb('related_person_id', '=', id)]))
    .orderBy('id')
    .execute();
  const identifiers = await u
    .selectFrom('foreign_identifier')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('entity', '=', 'person')
    .where('entity_id', '=', id)
    .orderBy('identifier')
    .execute();
  const duplicates = await u
    .selectFrom('possible_duplicate')
    .selectAll()
    .where('org_id', '=', orgId)
    .where((eb) => eb.or([eb('person_a', '=', id), eb('person_b', '=', id)]))
    .orderBy('id')
    .execute();
  return { person, children, relationships, identifiers, duplicates };
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

  for (const { table, key } of CHILD_TABLES) {
    const rows = snapshot.merged.children[table];
    if (rows.length === 0) continue;
    const held = new Set(key ? snapshot.survivor.children[table].map((r) => String(r[key])) : []);
    const duplicate = (r: Row) => {
      if (table === 'person_field_value') {
        return snapshot.survivor.children[table].some(
          (s) => s.field_id === r.field_id && JSON.stringify(s.value) === JSON.stringify(r.value),
        );
      }
      return key !== null && held.has(String(r[key]));
    };
    const drop = rows.filter(duplicate).map((r) => r.id as string);
    const move = rows.filter((r) => !duplicate(r)).map((r) => r.id as string);
    if (drop.length > 0)
      await u.deleteFrom(table).where('person_id', '=', mergedId).where('id', 'in', drop).execute();
    if (move.length > 0) {
      const set: Row = { person_id: survivorId };
      if ((PRIMARY_TABLES as readonly string[]).includes(table)) set.is_primary = false;
      if (table === 'person_field_value') set.is_preferred = false;
      await u.updateTable(table).set(set).where('person_id', '=', mergedId).where('id', 'in', move).execute();
    }
  }
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

const JSON_COLUMNS: Partial<Record<string, string[]>> = { person_field_value: ['value'] };

/** A row from the snapshot, ready to write back (jsonb as text, ltree cast, no change sequence). */
function restorable(table: string, row: Row): Row {
  const { seq: _seq, ...rest } = row;
  for (const column of JSON_COLUMNS[table] ?? []) rest[column] = JSON.stringify(rest[column]);
  if (table === 'person' && rest.home_unit_path !== null)
    rest.home_unit_path = sql`${rest.home_unit_path}::ltree`;
  return rest;
}

async function restoreRows(trx: Transaction<DB>, table: string, rows: Row[], idColumn = 'id'): Promise<void> {
  const u = untyped(trx);
  for (const row of rows) {
    const values = restorable(table, row);
    const exists = await u
      .selectFrom(table)
      .select(idColumn)
      .where(idColumn, '=', row[idColumn])
      .executeTakeFirst();
    if (exists) await u.updateTable(table).set(values).where(idColumn, '=', row[idColumn]).execute();
    else {
      await u.insertInto(table).values(values).execute();
      // It was deleted by the merge and now lives again: its tombstone would tell partners otherwise.
      await trx
        .deleteFrom('tombstone')
        .where('entity', '=', table)
        .where('id', '=', row[idColumn] as string)
        .execute();
    }
  }
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
    const people = [snapshot.survivor, snapshot.merged];
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
    for (const p of people) await restoreRows(trx, 'person', [p.person]);
    // Merges made before a table was added here have no rows of it to restore.
    for (const { table } of CHILD_TABLES)
      for (const p of people) await restoreRows(trx, table, p.children[table] ?? []);
    for (const p of people) await restoreRows(trx, 'relationship', p.relationships);
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
    for (const p of people) await restoreRows(trx, 'possible_duplicate', p.duplicates);
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
