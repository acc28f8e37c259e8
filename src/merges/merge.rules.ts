import type { Transaction } from 'kysely';
import type { DB } from '../db/schema.js';
import { type Patch, type Row, rowsWhere, untyped } from './merge.rows.js';

/**
 * What a merge does with every row that points at a person: one entry per (table, column), with
 * the rule in words. `merge.catalog.test.ts` reads the database catalog and fails, naming the
 * table, for any column that references `person(id)` (or is named `person_id` / `*_person_id`)
 * and is neither handled here nor listed in MERGE_EXCEPTIONS with its reason.
 */

/** Rows that hang off one person (their `column` is the person) and follow them to the survivor. */
export interface PersonRows {
  table: string;
  /** The column holding the person's id. */
  column: 'person_id';
  /** The row's identity (its primary key). */
  key: readonly string[];
  /**
   * The slot a row fills where a unique key lets a person hold only one row per slot (an email
   * address, an event, a call list); null when the row is not limited. Absent: every row moves.
   */
  slot?: (row: Row) => string | null;
  /** Whether the merged record's row takes a slot both hold (default: the survivor's stays). */
  mergedWins?: (merged: Row, survivor: Row) => boolean;
  /** Values every moved row takes (a moved email is not primary: the survivor's stays). */
  onMove?: Row;
  /** Values the row that stays takes from the one dropped, if any. */
  combine?: (kept: Row, dropped: Row) => Row | null;
  /** Before the dropped row is deleted: rows of others that pointed at it move to the kept one. */
  beforeDrop?: (trx: Transaction<DB>, kept: Row, dropped: Row) => Promise<Patch[]>;
  /** The rule, in words (the catalog test and the docs). */
  rule: string;
}

const time = (value: unknown): number => (typeof value === 'string' ? Date.parse(value) : Number.NaN);

/** attended > going > waitlisted > cancelled. */
function rsvpRank(r: Row): number {
  if (r.attendance === 'attended') return 4;
  return r.status === 'going' ? 3 : r.status === 'waitlisted' ? 2 : 1;
}

/** A finished call before a pending one; then the one tried more often. */
function targetRank(r: Row): number {
  return (r.status === 'done' ? 1_000_000 : 0) + Number(r.attempts ?? 0);
}

/**
 * The dropped node's callees become the kept node's, and every node below them gets its depth
 * again. The kept node is never below the dropped one (it is the one nearer the top), so no
 * cycle can form.
 */
async function reparentTreeNodes(trx: Transaction<DB>, kept: Row, dropped: Row): Promise<Patch[]> {
  const nodes = await rowsWhere(trx, 'phone_tree_node', ['id'], { tree_id: kept.tree_id as string });
  const parent = new Map<string, string | null>();
  for (const n of nodes) {
    if (n.id === dropped.id) continue;
    parent.set(
      n.id as string,
      n.parent_id === dropped.id ? (kept.id as string) : (n.parent_id as string | null),
    );
  }
  const children = new Map<string | null, string[]>();
  for (const [id, p] of parent) {
    const list = children.get(p);
    if (list) list.push(id);
    else children.set(p, [id]);
  }
  const depth = new Map<string, number>();
  let level = children.get(null) ?? [];
  for (let d = 0; level.length > 0; d++) {
    for (const id of level) depth.set(id, d);
    level = level.flatMap((id) => children.get(id) ?? []);
  }
  const patches: Patch[] = [];
  for (const n of nodes) {
    const id = n.id as string;
    if (id === dropped.id) continue;
    const after = { parent_id: parent.get(id) ?? null, depth: depth.get(id) ?? n.depth };
    if (after.parent_id === n.parent_id && after.depth === n.depth) continue;
    patches.push({
      table: 'phone_tree_node',
      key: { id },
      before: { parent_id: n.parent_id, depth: n.depth },
      after,
    });
    await untyped(trx).updateTable('phone_tree_node').set(after).where('id', '=', id).execute();
  }
  return patches;
}

/**
 * In the order they are merged and restored: a table whose rows another's point at comes first
 * (RSVPs before their reminders, suggestions before the assessments that name them).
 */
export const PERSON_ROWS: readonly PersonRows[] = [
  {
    table: 'person_email',
    column: 'person_id',
    key: ['id'],
    slot: (r) => String(r.address),
    onMove: { is_primary: false },
    rule: 'moves; an address both hold is kept once, the survivor’s (its primary stays)',
  },
  {
    table: 'person_phone',
    column: 'person_id',
    key: ['id'],
    slot: (r) => String(r.number),
    onMove: { is_primary: false },
    rule: 'moves; a number both hold is kept once, the survivor’s (its primary stays)',
  },
  {
    table: 'person_address',
    column: 'person_id',
    key: ['id'],
    slot: (r) => String(r.address_key),
    onMove: { is_primary: false },
    rule: 'moves; an address both hold is kept once, the survivor’s (its primary stays)',
  },
  {
    table: 'person_field_value',
    column: 'person_id',
    key: ['id'],
    slot: (r) => `${r.field_id}\u0000${JSON.stringify(r.value)}`,
    onMove: { is_preferred: false },
    rule: 'moves; a value both hold is kept once, the survivor’s (its preferred value stays)',
  },
  {
    table: 'tagging',
    column: 'person_id',
    key: ['id'],
    slot: (r) => String(r.tag_id),
    rule: 'moves; a tag both have is kept once',
  },
  {
    table: 'list_item',
    column: 'person_id',
    key: ['id'],
    slot: (r) => String(r.list_id),
    rule: 'moves; a list both are on is kept once',
  },
  { table: 'note', column: 'person_id', key: ['id'], rule: 'all move' },
  { table: 'activity', column: 'person_id', key: ['id'], rule: 'all move (one timeline)' },
  {
    table: 'ladder_suggestion',
    column: 'person_id',
    key: ['id'],
    slot: (r) => (r.status === 'open' ? `${r.ladder_id}/${r.level_id}` : null),
    rule: 'all move; an open suggestion of a level both have open is kept once, the survivor’s',
  },
  { table: 'ladder_assessment', column: 'person_id', key: ['id'], rule: 'all move (dated history)' },
  { table: 'follow_up', column: 'person_id', key: ['id'], rule: 'all move' },
  {
    table: 'point_person',
    column: 'person_id',
    key: ['id'],
    slot: () => 'one',
    rule: 'one per person: the survivor’s if it has one, else the merged record’s moves',
  },
  { table: 'survey_answer', column: 'person_id', key: ['id'], rule: 'all move (answers are history)' },
  {
    table: 'call_target',
    column: 'person_id',
    key: ['id'],
    slot: (r) => String(r.call_list_id),
    mergedWins: (m, s) => targetRank(m) > targetRank(s),
    rule: 'moves; on a call list both are on, one target stays: a done one before a pending one, then the one with more attempts, then the survivor’s',
  },
  {
    table: 'phone_tree_node',
    column: 'person_id',
    key: ['id'],
    slot: (r) => String(r.tree_id),
    mergedWins: (m, s) => Number(m.depth) < Number(s.depth),
    combine: (kept, dropped) =>
      kept.result === null && dropped.result !== null
        ? {
            result: dropped.result,
            result_at: dropped.result_at,
            result_by: dropped.result_by,
            activity_id: dropped.activity_id,
          }
        : null,
    beforeDrop: reparentTreeNodes,
    rule: 'the survivor takes the place; in a tree both are in, the node nearer the top stays (the survivor’s at equal depth), takes the other’s callees and, if it has none, its result',
  },
  {
    table: 'event_rsvp',
    column: 'person_id',
    key: ['id'],
    slot: (r) => String(r.event_id),
    mergedWins: (m, s) => rsvpRank(m) > rsvpRank(s),
    rule: 'moves; for an event both answered, one RSVP stays, the more advanced (attended, going, waitlisted, cancelled; the survivor’s on a tie) with its reminders',
  },
  {
    table: 'event_reminder',
    column: 'person_id',
    key: ['id'],
    rule: 'move with their RSVP (those of an RSVP that does not stay go with it)',
  },
  {
    table: 'form_submission',
    column: 'person_id',
    key: ['id'],
    slot: (r) => (r.form_kind === 'petition' ? String(r.form_id) : null),
    mergedWins: (m, s) => time(m.submitted_at) < time(s.submitted_at),
    rule: 'all move; of two signatures of one petition the first stays (one signature per person)',
  },
  {
    table: 'channel_consent',
    column: 'person_id',
    key: ['id'],
    slot: (r) => String(r.channel),
    // An opt-out on either record is honoured: nobody who said stop is texted after a merge.
    mergedWins: (m, s) => m.status === 'opted_out' && s.status !== 'opted_out',
    rule: 'moves; for a channel both have a choice on, an opt-out wins (otherwise the survivor’s stays)',
  },
  {
    table: 'walk_door_person',
    column: 'person_id',
    key: ['door_id', 'person_id'],
    slot: (r) => String(r.door_id),
    rule: 'moves; a door both live at lists the survivor once',
  },
];

/** Columns of others' rows that name a person: they name the survivor after a merge. */
export interface PersonReference {
  table: string;
  column: string;
  key: readonly string[];
  rule: string;
}

export const PERSON_REFERENCES: readonly PersonReference[] = [
  {
    table: 'event',
    column: 'proposed_by',
    key: ['id'],
    rule: 'names the survivor (undo puts the merged record back where it still names the survivor)',
  },
];

/** Every (table, column) that points at a person, and what a merge does with it. */
export const MERGE_COVERAGE: readonly { table: string; column: string; rule: string }[] = [
  ...PERSON_ROWS.map(({ table, column, rule }) => ({ table, column, rule })),
  ...PERSON_REFERENCES.map(({ table, column, rule }) => ({ table, column, rule })),
  {
    table: 'relationship',
    column: 'person_id',
    rule: 'follows the person; one between the two records, or one the survivor has already, goes',
  },
  {
    table: 'relationship',
    column: 'related_person_id',
    rule: 'follows the person; one between the two records, or one the survivor has already, goes',
  },
  {
    table: 'possible_duplicate',
    column: 'person_a',
    rule: 'the pair of the two is marked merged; pairs with others stay with the merged record, which the review queue hides (undo shows them again)',
  },
  {
    table: 'possible_duplicate',
    column: 'person_b',
    rule: 'as person_a',
  },
];

/** Columns that point at a person and are left pointing at the merged record on purpose. */
export const MERGE_EXCEPTIONS: readonly { table: string; column: string; reason: string }[] = [
  {
    table: 'person',
    column: 'merged_into',
    reason:
      'history: a record merged earlier into the merged one keeps pointing at it; the chain leads to the survivor, and that earlier merge can be undone only after this one',
  },
  {
    table: 'person_merge',
    column: 'survivor_id',
    reason: 'history: who took part in each merge (listMerges, undo)',
  },
  {
    table: 'consent_link',
    column: 'person_id',
    reason:
      'a link names the record it was sent for; opening it follows merged_into to the survivor (src/consent), so it works after a merge and again after an undo',
  },
  {
    table: 'consent_receipt',
    column: 'person_id',
    reason:
      'evidence of what that record was shown and chose, on that date: history, like person_merge; the choices themselves (email status, channel_consent, do-not-contact) move',
  },
  {
    table: 'person_merge',
    column: 'merged_id',
    reason: 'history: who took part in each merge (listMerges, undo)',
  },
];
