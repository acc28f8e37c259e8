import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, makeOrg, makeUser, systemCtx, type TestApp } from '../../test/support/fixtures.js';
import { insertPerson } from '../../test/support/people-factory.js';
import { personColumns } from '../../test/support/person-columns.js';
import { insertUnits } from '../../test/support/units.js';
import type { Ctx } from '../context.js';
import { newId } from '../db/ids.js';
import { mergePeople, previewMerge, undoMerge } from './merge.js';
import { MERGE_EXCEPTIONS, PERSON_REFERENCES, PERSON_ROWS } from './merge.rules.js';

/**
 * For every table whose rows hang off a person: two people who both have rows (with a slot both
 * fill where the table has a unique key), merged; the survivor's rows checked, nothing left
 * pointing at the merged record, and after the undo every row of every table is as it was.
 */

let t: TestApp;
let orgId: string;
let unitId: string;
let ctx: Ctx;

beforeAll(async () => {
  t = await createTestApp();
  orgId = (await makeOrg(t.db)).id;
  unitId = (await insertUnits(t.db, orgId, [['east', 'chapter']])).east as string;
  ctx = systemCtx(t.db, orgId);
});
afterAll(async () => {
  await t.close();
});

type Row = Record<string, unknown>;
// biome-ignore lint/suspicious/noExplicitAny: fixtures of many tables, written generically
const anyDb = () => t.db as unknown as Kysely<any>;

/** Inserts a row of this organization (with a new id unless given or the table has none). */
async function put(table: string, values: Row, withId = true): Promise<string> {
  const id = (values.id as string | undefined) ?? newId();
  await anyDb()
    .insertInto(table)
    .values({ org_id: orgId, ...(withId ? { id } : {}), ...values })
    .execute();
  return id;
}

/** The rows of a table that point at the person, as jsonb, by id. */
async function rowsOf(table: string, personId: string, column = 'person_id'): Promise<Row[]> {
  const { rows } = await sql<{ row: Row }>`SELECT to_jsonb(t) AS row FROM ${sql.table(table)} t
    WHERE ${sql.ref(`t.${column}`)} = ${personId} ORDER BY 1`.execute(t.db);
  return rows.map((r) => r.row);
}
const ids = (rows: Row[]) => rows.map((r) => r.id as string).sort();

/**
 * Every row of every table as jsonb text, less what any write changes by design: `seq` and
 * `updated_at` (a restored row is a change partners must see), the merge's own record and the
 * audit trail.
 */
async function everything(): Promise<Record<string, string[]>> {
  const tables = await sql<{ name: string }>`
    SELECT table_name AS name FROM information_schema.tables
    WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name`.execute(t.db);
  const out: Record<string, string[]> = {};
  for (const { name } of tables.rows) {
    if (['person_merge', 'audit_event', 'audit_head'].includes(name)) continue;
    const { rows } = await sql<{ row: string }>`
      SELECT (to_jsonb(t) - 'seq' - 'updated_at')::text AS row FROM ${sql.table(name)} t`.execute(t.db);
    out[name] = rows.map((r) => r.row).sort();
  }
  return out;
}

/**
 * The columns still naming the merged record, less the exceptions that keep history and the
 * possible-duplicate pairs (left with the merged record on purpose; the queue hides them).
 */
async function pointingAt(personId: string): Promise<string[]> {
  const excepted = new Set(MERGE_EXCEPTIONS.map((e) => `${e.table}.${e.column}`));
  const out: string[] = [];
  for (const { table, column } of await personColumns(t.db)) {
    if (excepted.has(`${table}.${column}`) || table === 'possible_duplicate') continue;
    const { rows } = await sql<{ n: number }>`SELECT count(*)::int AS n FROM ${sql.table(table)}
      WHERE ${sql.ref(column)} = ${personId}`.execute(t.db);
    if ((rows[0]?.n ?? 0) > 0) out.push(`${table}.${column}`);
  }
  return out;
}

// ---- parents of the rows under test -------------------------------------------------------------

const later = (days: number) => new Date(Date.now() + days * 86_400_000);
const suffix = () => newId().slice(-8);

const event = () =>
  put('event', {
    unit_id: unitId,
    title: 'Rally',
    starts_at: later(7),
    ends_at: later(7.1),
    timezone: 'America/Los_Angeles',
    visibility: 'unit',
    status: 'published',
  });
const list = () => put('list', { name: `List ${suffix()}` });
const callList = async () => put('call_list', { name: 'Calls', list_id: await list() });
const tree = () => put('phone_tree', { name: 'Tree', deadline: later(1) });
async function question(): Promise<string> {
  const survey = await put('survey', { name: 'Survey' });
  return await put('survey_question', {
    survey_id: survey,
    key: 'issue',
    position: 0,
    prompt: 'What matters?',
    question_type: 'text',
  });
}
const form = (kind: 'form' | 'petition') => put('form', { unit_id: unitId, kind, title: kind });
async function doors(n: number): Promise<string[]> {
  const turf = await put('turf', { unit_id: unitId, name: 'Turf', zip_codes: ['94607'] });
  const walkList = await put('walk_list', { turf_id: turf, name: 'Walk', list_id: await list() });
  const out: string[] = [];
  for (let i = 0; i < n; i++)
    out.push(await put('walk_door', { walk_list_id: walkList, position: i, address_key: `${i} main st` }));
  return out;
}
async function levels(): Promise<{ ladder: string; one: string; two: string }> {
  const ladder = await put('ladder', { name: `Ladder ${suffix()}` });
  const one = await put('ladder_level', { ladder_id: ladder, position: 1, name: 'Supporter' });
  const two = await put('ladder_level', { ladder_id: ladder, position: 2, name: 'Leader' });
  return { ladder, one, two };
}
const provenance = { source_kind: 'import' };
const rsvp = (eventId: string, personId: string, status: string, attendance: string | null = null) =>
  put('event_rsvp', { event_id: eventId, person_id: personId, status, attendance, source: 'organizer' });
const reminder = (eventId: string, rsvpId: string, personId: string, hours: number) =>
  put('event_reminder', {
    event_id: eventId,
    rsvp_id: rsvpId,
    person_id: personId,
    channel: 'email',
    send_at: later(7 - hours / 24),
  });
const node = (
  treeId: string,
  personId: string,
  parentId: string | null,
  depth: number,
  result: string | null = null,
) =>
  put('phone_tree_node', {
    tree_id: treeId,
    person_id: personId,
    parent_id: parentId,
    depth,
    result,
    result_at: result ? new Date() : null,
  });

// ---- one case per table ------------------------------------------------------------------------

interface Case {
  name: string;
  /** The table (or reference) whose rows it moves. */
  table: string;
  /** Gives both people (a survives, b is merged) rows; returns the check of the survivor's after the merge. */
  seed(a: string, b: string): Promise<() => Promise<void>>;
}

const CASES: Case[] = [
  {
    name: 'emails: an address both hold is kept once, the survivor’s primary stays',
    table: 'person_email',
    async seed(a, b) {
      const mine = await put('person_email', {
        person_id: a,
        address: 'x@example.org',
        is_primary: true,
        ...provenance,
      });
      await put('person_email', { person_id: b, address: 'x@example.org', is_primary: true, ...provenance });
      const other = await put('person_email', { person_id: b, address: 'y@example.org', ...provenance });
      return async () => {
        const rows = await rowsOf('person_email', a);
        expect(ids(rows)).toEqual([mine, other].sort());
        expect(rows.filter((r) => r.is_primary).map((r) => r.id)).toEqual([mine]);
      };
    },
  },
  {
    name: 'phones: a number both hold is kept once',
    table: 'person_phone',
    async seed(a, b) {
      const mine = await put('person_phone', {
        person_id: a,
        number: '+15105550101',
        is_primary: true,
        ...provenance,
      });
      await put('person_phone', { person_id: b, number: '+15105550101', is_primary: true, ...provenance });
      const other = await put('person_phone', { person_id: b, number: '+15105550102', ...provenance });
      return async () => expect(ids(await rowsOf('person_phone', a))).toEqual([mine, other].sort());
    },
  },
  {
    name: 'addresses: one both hold is kept once',
    table: 'person_address',
    async seed(a, b) {
      const at = (personId: string, key: string, primary: boolean) =>
        put('person_address', {
          person_id: personId,
          address_lines: [key],
          postal_code: '94607',
          address_key: key,
          is_primary: primary,
          ...provenance,
        });
      const mine = await at(a, '1 main st|94607', true);
      await at(b, '1 main st|94607', true);
      const other = await at(b, '2 oak ave|94607', false);
      return async () => {
        const rows = await rowsOf('person_address', a);
        expect(ids(rows)).toEqual([mine, other].sort());
        expect(rows.filter((r) => r.is_primary).map((r) => r.id)).toEqual([mine]);
      };
    },
  },
  {
    name: 'custom field values: one value both hold is kept once, one preferred',
    table: 'person_field_value',
    async seed(a, b) {
      const field = await put('custom_field', { key: `f_${suffix()}`, label: 'Shirt', field_type: 'text' });
      const value = (personId: string, v: string, preferred: boolean) =>
        put('person_field_value', {
          person_id: personId,
          field_id: field,
          value: JSON.stringify(v),
          is_preferred: preferred,
          ...provenance,
        });
      const mine = await value(a, 'L', true);
      await value(b, 'L', true);
      const other = await value(b, 'XL', false);
      return async () => {
        const rows = await rowsOf('person_field_value', a);
        expect(ids(rows)).toEqual([mine, other].sort());
        expect(rows.filter((r) => r.is_preferred).map((r) => r.id)).toEqual([mine]);
      };
    },
  },
  {
    name: 'taggings: a tag both have is kept once',
    table: 'tagging',
    async seed(a, b) {
      const both = await put('tag', { name: `Both ${suffix()}` });
      const only = await put('tag', { name: `Only ${suffix()}` });
      const mine = await put('tagging', { tag_id: both, person_id: a });
      await put('tagging', { tag_id: both, person_id: b });
      const other = await put('tagging', { tag_id: only, person_id: b });
      return async () => expect(ids(await rowsOf('tagging', a))).toEqual([mine, other].sort());
    },
  },
  {
    name: 'list items: a list both are on is kept once',
    table: 'list_item',
    async seed(a, b) {
      const both = await list();
      const only = await list();
      const mine = await put('list_item', { list_id: both, person_id: a });
      await put('list_item', { list_id: both, person_id: b });
      const other = await put('list_item', { list_id: only, person_id: b });
      return async () => expect(ids(await rowsOf('list_item', a))).toEqual([mine, other].sort());
    },
  },
  {
    name: 'notes: all move',
    table: 'note',
    async seed(a, b) {
      const all = [
        await put('note', { person_id: a, body: 'mine' }),
        await put('note', { person_id: b, body: 'theirs' }),
      ];
      return async () => expect(ids(await rowsOf('note', a))).toEqual(all.sort());
    },
  },
  {
    name: 'activities: one timeline',
    table: 'activity',
    async seed(a, b) {
      const all = [
        await put('activity', { person_id: a, kind: 'call', occurred_at: new Date() }),
        await put('activity', { person_id: b, kind: 'meeting', occurred_at: new Date() }),
      ];
      return async () => expect(ids(await rowsOf('activity', a))).toEqual(all.sort());
    },
  },
  {
    name: 'ladder suggestions: all move, an open one both have is kept once',
    table: 'ladder_suggestion',
    async seed(a, b) {
      const { ladder, one, two } = await levels();
      const suggest = (personId: string, level: string, status: string) =>
        put('ladder_suggestion', {
          person_id: personId,
          ladder_id: ladder,
          level_id: level,
          evidence: JSON.stringify({ count: 3 }),
          status,
          decided_at: status === 'open' ? null : new Date(),
        });
      const mine = await suggest(a, one, 'open');
      await suggest(b, one, 'open');
      const dismissed = await suggest(b, one, 'dismissed');
      const theirs = await suggest(b, two, 'open');
      return async () =>
        expect(ids(await rowsOf('ladder_suggestion', a))).toEqual([mine, dismissed, theirs].sort());
    },
  },
  {
    name: 'ladder assessments: all move',
    table: 'ladder_assessment',
    async seed(a, b) {
      const { ladder, one, two } = await levels();
      const all = [
        await put('ladder_assessment', {
          person_id: a,
          ladder_id: ladder,
          level_id: one,
          assessed_at: new Date(),
        }),
        await put('ladder_assessment', {
          person_id: b,
          ladder_id: ladder,
          level_id: two,
          assessed_at: new Date(),
        }),
      ];
      return async () => expect(ids(await rowsOf('ladder_assessment', a))).toEqual(all.sort());
    },
  },
  {
    name: 'follow-ups: all move',
    table: 'follow_up',
    async seed(a, b) {
      const all = [
        await put('follow_up', { person_id: a, title: 'Call back', due_at: later(2) }),
        await put('follow_up', { person_id: b, title: 'Visit', due_at: later(3) }),
      ];
      return async () => expect(ids(await rowsOf('follow_up', a))).toEqual(all.sort());
    },
  },
  {
    name: 'point person: the survivor’s stays',
    table: 'point_person',
    async seed(a, b) {
      const mine = await put('point_person', { person_id: a, user_id: (await makeUser(t.db, orgId)).id });
      await put('point_person', { person_id: b, user_id: (await makeUser(t.db, orgId)).id });
      return async () => expect(ids(await rowsOf('point_person', a))).toEqual([mine]);
    },
  },
  {
    name: 'survey answers: all move',
    table: 'survey_answer',
    async seed(a, b) {
      const q = await question();
      const answer = (personId: string, v: unknown) =>
        put('survey_answer', {
          person_id: personId,
          question_id: q,
          value: JSON.stringify(v),
          asked_at: new Date(),
          via: 'call',
        });
      const all = [await answer(a, 'rent'), await answer(b, ['rent', 'schools']), await answer(b, 'rent')];
      return async () => expect(ids(await rowsOf('survey_answer', a))).toEqual(all.sort());
    },
  },
  {
    name: 'text consent: an opt-out on the merged record wins over the survivor’s opt-in',
    table: 'channel_consent',
    async seed(a, b) {
      const choice = (personId: string, status: string) =>
        put('channel_consent', {
          person_id: personId,
          channel: 'sms',
          status,
          changed_at: new Date(),
          source_kind: 'user',
        });
      await choice(a, 'opted_in');
      const stop = await choice(b, 'opted_out');
      return async () => {
        const rows = await rowsOf('channel_consent', a);
        expect(ids(rows)).toEqual([stop]);
        expect(rows[0]?.status).toBe('opted_out');
      };
    },
  },
  {
    name: 'call targets: one per call list, the finished one',
    table: 'call_target',
    async seed(a, b) {
      const both = await callList();
      const only = await callList();
      await put('call_target', { call_list_id: both, person_id: a });
      const done = await put('call_target', {
        call_list_id: both,
        person_id: b,
        status: 'done',
        attempts: 1,
        last_outcome: 'reached',
      });
      const other = await put('call_target', { call_list_id: only, person_id: b });
      const third = await callList();
      const kept = await put('call_target', { call_list_id: third, person_id: a, attempts: 2 });
      await put('call_target', { call_list_id: third, person_id: b, attempts: 1 });
      return async () => expect(ids(await rowsOf('call_target', a))).toEqual([done, other, kept].sort());
    },
  },
  {
    name: 'phone tree: the survivor takes the merged record’s place, and the higher node’s in a tree both are in',
    table: 'phone_tree_node',
    async seed(a, b) {
      const shared = await tree();
      const top = await insertPerson(t.db, orgId, { given_name: 'Top' });
      const callee = await insertPerson(t.db, orgId, { given_name: 'Callee' });
      const below = await insertPerson(t.db, orgId, { given_name: 'Below' });
      const root = await node(shared, top, null, 0);
      const aNode = await node(shared, a, root, 1);
      const bNode = await node(shared, b, aNode, 2, 'reached');
      const calleeNode = await node(shared, callee, bNode, 3);
      const belowNode = await node(shared, below, calleeNode, 4);
      const alone = await tree();
      const bAlone = await node(alone, b, null, 0);
      return async () => {
        const rows = await rowsOf('phone_tree_node', a);
        expect(ids(rows)).toEqual([aNode, bAlone].sort());
        expect(rows.find((r) => r.id === aNode)).toMatchObject({
          depth: 1,
          parent_id: root,
          result: 'reached',
        });
        const [c] = await rowsOf('phone_tree_node', callee);
        expect(c).toMatchObject({ parent_id: aNode, depth: 2 });
        const [d] = await rowsOf('phone_tree_node', below);
        expect(d).toMatchObject({ id: belowNode, parent_id: calleeNode, depth: 3 });
      };
    },
  },
  {
    name: 'phone tree: the merged record’s node nearer the top stays, with the survivor and their result in it',
    table: 'phone_tree_node',
    async seed(a, b) {
      const shared = await tree();
      const callee = await insertPerson(t.db, orgId, { given_name: 'Callee' });
      const bNode = await node(shared, b, null, 0);
      const aNode = await node(shared, a, bNode, 1, 'not_reached');
      const calleeNode = await node(shared, callee, aNode, 2);
      return async () => {
        const rows = await rowsOf('phone_tree_node', a);
        expect(ids(rows)).toEqual([bNode]);
        expect(rows[0]).toMatchObject({ parent_id: null, depth: 0, result: 'not_reached' });
        expect((await rowsOf('phone_tree_node', callee))[0]).toMatchObject({
          id: calleeNode,
          parent_id: bNode,
          depth: 1,
        });
      };
    },
  },
  {
    name: 'RSVPs: one per event, the more advanced with its reminders',
    table: 'event_rsvp',
    async seed(a, b) {
      const [e1, e2, e3] = [await event(), await event(), await event()];
      const aWaiting = await rsvp(e1, a, 'waitlisted');
      await reminder(e1, aWaiting, a, 24);
      const bGoing = await rsvp(e1, b, 'going');
      const bReminder = await reminder(e1, bGoing, b, 24);
      const aAttended = await rsvp(e2, a, 'going', 'attended');
      const bCancelled = await rsvp(e2, b, 'cancelled');
      await reminder(e2, bCancelled, b, 2);
      const bOnly = await rsvp(e3, b, 'going');
      return async () => {
        expect(ids(await rowsOf('event_rsvp', a))).toEqual([bGoing, aAttended, bOnly].sort());
        expect(ids(await rowsOf('event_reminder', a))).toEqual([bReminder]);
      };
    },
  },
  {
    name: 'reminders: move with their RSVP',
    table: 'event_reminder',
    async seed(a, b) {
      const [e1, e2] = [await event(), await event()];
      const mine = await reminder(e1, await rsvp(e1, a, 'going'), a, 2);
      const theirs = await reminder(e2, await rsvp(e2, b, 'going'), b, 2);
      return async () => expect(ids(await rowsOf('event_reminder', a))).toEqual([mine, theirs].sort());
    },
  },
  {
    name: 'form submissions all move; of two signatures of one petition the first stays',
    table: 'form_submission',
    async seed(a, b) {
      const f = await form('form');
      const p = await form('petition');
      const submit = (formId: string, kind: string, personId: string, at: Date) =>
        put('form_submission', {
          form_id: formId,
          form_kind: kind,
          person_id: personId,
          source: 'public',
          submitted_at: at,
        });
      const forms = [
        await submit(f, 'form', a, later(-3)),
        await submit(f, 'form', b, later(-2)),
        await submit(f, 'form', b, later(-1)),
      ];
      await submit(p, 'petition', a, later(-1));
      const first = await submit(p, 'petition', b, later(-5));
      return async () => expect(ids(await rowsOf('form_submission', a))).toEqual([...forms, first].sort());
    },
  },
  {
    name: 'walk list doors: a door both live at lists the survivor once',
    table: 'walk_door_person',
    async seed(a, b) {
      const [d1, d2] = await doors(2);
      await put('walk_door_person', { door_id: d1, person_id: a }, false);
      await put('walk_door_person', { door_id: d1, person_id: b }, false);
      await put('walk_door_person', { door_id: d2, person_id: b }, false);
      return async () =>
        expect((await rowsOf('walk_door_person', a)).map((r) => r.door_id).sort()).toEqual([d1, d2].sort());
    },
  },
  {
    name: 'events proposed by the merged record name the survivor',
    table: 'event',
    async seed(a, b) {
      const e = await event();
      await anyDb().updateTable('event').set({ proposed_by: b }).where('id', '=', e).execute();
      return async () => expect(ids(await rowsOf('event', a, 'proposed_by'))).toEqual([e]);
    },
  },
];

describe('a merge carries every row that points at a person, and its undo puts every row back', () => {
  it('has a case for every table a merge moves', () => {
    const covered = new Set(CASES.map((c) => c.table));
    const tables = [...PERSON_ROWS, ...PERSON_REFERENCES].map((r) => r.table);
    expect(tables.filter((table) => !covered.has(table))).toEqual([]);
  });

  for (const c of CASES) {
    it(c.name, async () => {
      const a = await insertPerson(t.db, orgId, { given_name: 'Ana' });
      const b = await insertPerson(t.db, orgId, { given_name: 'Ana' });
      const check = await c.seed(a, b);
      const before = await everything();
      await previewMerge(ctx, a, b);
      expect(await everything()).toEqual(before);
      const { merge_id } = await mergePeople(ctx, a, b);
      await check();
      expect(await pointingAt(b)).toEqual([]);
      await undoMerge(ctx, merge_id);
      expect(await everything()).toEqual(before);
    });
  }

  it('keeps rows added to the survivor after the merge when it is undone', async () => {
    const a = await insertPerson(t.db, orgId, { given_name: 'Bo' });
    const b = await insertPerson(t.db, orgId, { given_name: 'Bo' });
    const [e1, e2] = [await event(), await event()];
    const f = await form('form');
    const q = await question();
    await rsvp(e1, b, 'going');
    await put('survey_answer', {
      person_id: b,
      question_id: q,
      value: '"rent"',
      asked_at: new Date(),
      via: 'door',
    });
    const before = await everything();
    const { merge_id } = await mergePeople(ctx, a, b);
    const added = {
      event_rsvp: await rsvp(e2, a, 'going'),
      survey_answer: await put('survey_answer', {
        person_id: a,
        question_id: q,
        value: '"parks"',
        asked_at: new Date(),
        via: 'call',
      }),
      form_submission: await put('form_submission', {
        form_id: f,
        form_kind: 'form',
        person_id: a,
        source: 'public',
        submitted_at: new Date(),
      }),
    };
    await undoMerge(ctx, merge_id);
    for (const [table, id] of Object.entries(added)) expect(ids(await rowsOf(table, a))).toEqual([id]);
    // Everything else is as it was: take the added rows away (and their tombstones) to compare.
    for (const [table, id] of Object.entries(added)) {
      await anyDb().deleteFrom(table).where('id', '=', id).execute();
      await t.db.deleteFrom('tombstone').where('id', '=', id).execute();
    }
    expect(await everything()).toEqual(before);
  });

  it('leaves an event that names someone else since alone when the merge is undone', async () => {
    const a = await insertPerson(t.db, orgId, { given_name: 'Cy' });
    const b = await insertPerson(t.db, orgId, { given_name: 'Cy' });
    const c = await insertPerson(t.db, orgId, { given_name: 'Di' });
    const moved = await event();
    const changed = await event();
    await anyDb().updateTable('event').set({ proposed_by: b }).where('id', 'in', [moved, changed]).execute();
    const { merge_id } = await mergePeople(ctx, a, b);
    await anyDb().updateTable('event').set({ proposed_by: c }).where('id', '=', changed).execute();
    await undoMerge(ctx, merge_id);
    expect(ids(await rowsOf('event', b, 'proposed_by'))).toEqual([moved]);
    expect(ids(await rowsOf('event', c, 'proposed_by'))).toEqual([changed]);
  });
});
