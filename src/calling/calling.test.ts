import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  bindRole,
  createTestApp,
  ctxFor,
  makeOrg,
  makeUser,
  type TestApp,
  type TestUser,
} from '../../test/support/fixtures.js';
import type { Ctx } from '../context.js';
import { newId } from '../db/ids.js';
import { getPhoneTree, nextCall, recordCall } from './index.js';

let t: TestApp;
let orgId: string;
let admin: TestUser;
let organizer: TestUser;
let caller1: TestUser;
let caller2: TestUser;
let staffCaller: TestUser;
let surveyId: string;
let phoneCounter = 1000;

async function person(unit: string, given: string, phones = 1, extra: Record<string, unknown> = {}) {
  const id = newId();
  await t.db
    .insertInto('person')
    .values({
      org_id: orgId,
      id,
      given_name: given,
      family_name: 'Caller-Test',
      home_unit_path: sql`${unit}::ltree`,
      ...extra,
    } as never)
    .execute();
  for (let i = 0; i < phones; i++)
    await t.db
      .insertInto('person_phone')
      .values({
        org_id: orgId,
        id: newId(),
        person_id: id,
        number: `+1510555${phoneCounter++}`,
        is_primary: i === 0,
        source_kind: 'import',
      })
      .execute();
  return id;
}

async function callList(body: Record<string, unknown>, as = organizer) {
  const response = await t.call('POST', '/api/v1/call-lists', { as, body });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as { id: string; list_id: string; progress: Record<string, unknown> };
}

async function assign(listId: string, user: TestUser, as = organizer) {
  const response = await t.call('POST', `/api/v1/call-lists/${listId}/callers`, {
    as,
    body: { user_id: user.id },
  });
  expect(response.statusCode, response.body).toBe(200);
}

const at = async (user: TestUser, now: Date): Promise<Ctx> => ({
  ...(await ctxFor(t.db, user)),
  now: () => now,
});

beforeAll(async () => {
  t = await createTestApp();
  orgId = (await makeOrg(t.db)).id;
  for (const path of ['east', 'west'])
    await t.db
      .insertInto('unit')
      .values({ org_id: orgId, id: newId(), path, name: path, kind: 'chapter' })
      .execute();
  admin = await makeUser(t.db, orgId, 'org_admin');
  organizer = await makeUser(t.db, orgId, 'staff_organizer', 'east');
  caller1 = await makeUser(t.db, orgId, 'volunteer');
  caller2 = await makeUser(t.db, orgId, 'volunteer');
  staffCaller = await makeUser(t.db, orgId, 'volunteer');
  await bindRole(t.db, orgId, staffCaller.id, 'staff_organizer', 'east');
  const survey = await t.call('POST', '/api/v1/surveys', {
    as: organizer,
    body: {
      name: 'Tenant survey',
      questions: [
        {
          key: 'volunteer',
          prompt: 'Will you volunteer?',
          type: 'single_choice',
          choices: [
            { key: 'Y', label: 'Yes' },
            { key: 'M', label: 'Maybe' },
            { key: 'N', label: 'No' },
          ],
        },
        {
          key: 'issues',
          prompt: 'Which issues?',
          type: 'multiple_choice',
          choices: [
            { key: 'rent', label: 'Rent' },
            { key: 'repairs', label: 'Repairs' },
          ],
        },
        { key: 'story', prompt: 'Tell us more', type: 'text' },
        { key: 'years', prompt: 'Years in the building', type: 'number' },
        { key: 'member', prompt: 'Are you a member?', type: 'yes_no' },
      ],
    },
  });
  expect(survey.statusCode, survey.body).toBe(201);
  surveyId = survey.json().id;
});
afterAll(async () => {
  await t.close();
});

describe('surveys', () => {
  it('keeps questions in order with stable keys, and appends new ones', async () => {
    const got = (await t.call('GET', `/api/v1/surveys/${surveyId}`, { as: organizer })).json();
    expect(got.questions.map((q: { key: string }) => q.key)).toEqual([
      'volunteer',
      'issues',
      'story',
      'years',
      'member',
    ]);
    const added = await t.call('POST', `/api/v1/surveys/${surveyId}/questions`, {
      as: organizer,
      body: { key: 'best_time', prompt: 'Best time to reach you?', type: 'text' },
    });
    expect(added.statusCode, added.body).toBe(201);
    expect(added.json().questions.at(-1)).toMatchObject({ key: 'best_time', position: 6 });
    const again = await t.call('POST', `/api/v1/surveys/${surveyId}/questions`, {
      as: organizer,
      body: { key: 'best_time', prompt: 'Again', type: 'text' },
    });
    expect(again.statusCode).toBe(400);
    expect(JSON.stringify(again.json())).toContain('key');
  });

  it('refuses questions that do not fit their type, naming the field', async () => {
    const response = await t.call('POST', '/api/v1/surveys', {
      as: organizer,
      body: { name: 'Bad', questions: [{ key: 'q', prompt: 'Pick', type: 'single_choice', choices: [] }] },
    });
    expect(response.statusCode).toBe(400);
    expect(JSON.stringify(response.json())).toContain('questions.0.choices');
    const volunteer = await t.call('POST', '/api/v1/surveys', { as: caller1, body: { name: 'No' } });
    expect(volunteer.statusCode).toBe(403);
  });

  it('keeps every answer as dated, attributed history and checks each value against its question', async () => {
    const p = await person('east', 'Hana');
    const knock = (
      await t.call('POST', `/api/v1/people/${p}/activities`, {
        as: organizer,
        body: { kind: 'door_knock', occurred_at: '2026-01-01T10:00:00Z', outcome: 'talked' },
      })
    ).json();
    const first = await t.call('POST', `/api/v1/people/${p}/answers`, {
      as: organizer,
      body: {
        survey_id: surveyId,
        asked_at: '2026-01-01T10:00:00Z',
        via: 'door',
        activity_id: knock.id,
        answers: [
          { question: 'volunteer', value: 'M' },
          { question: 'issues', value: ['rent', 'repairs', 'rent'] },
          { question: 'years', value: 4 },
          { question: 'member', value: false },
        ],
      },
    });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toHaveLength(4);
    const second = await t.call('POST', `/api/v1/people/${p}/answers`, {
      as: organizer,
      body: { survey_id: surveyId, answers: [{ question: 'volunteer', value: 'Y' }] },
    });
    expect(second.statusCode, second.body).toBe(201);
    const history = (await t.call('GET', `/api/v1/people/${p}/answers`, { as: admin })).json();
    expect(history.total).toBe(5);
    const volunteer = history.items.filter((a: { question: string }) => a.question === 'volunteer');
    expect(volunteer.map((a: { value: string }) => a.value)).toEqual(['Y', 'M']);
    expect(volunteer[0]).toMatchObject({ asked_by: organizer.id, via: 'direct', survey_id: surveyId });
    expect(volunteer[1]).toMatchObject({ via: 'door', activity_id: knock.id });
    const elsewhere = await t.call('POST', `/api/v1/people/${await person('east', 'Ida')}/answers`, {
      as: organizer,
      body: { survey_id: surveyId, activity_id: knock.id, answers: [{ question: 'member', value: true }] },
    });
    expect(elsewhere.statusCode).toBe(400);
    expect(JSON.stringify(elsewhere.json())).toContain('activity_id');
    expect(history.items.find((a: { question: string }) => a.question === 'issues').value).toEqual([
      'rent',
      'repairs',
    ]);
    for (const [question, value] of [
      ['volunteer', 'X'],
      ['issues', 'rent'],
      ['years', 'four'],
      ['member', 'yes'],
      ['nope', 'x'],
    ] as const) {
      const bad = await t.call('POST', `/api/v1/people/${p}/answers`, {
        as: organizer,
        body: { survey_id: surveyId, answers: [{ question, value }] },
      });
      expect(bad.statusCode, `${question} ${bad.body}`).toBe(400);
      expect(JSON.stringify(bad.json())).toContain('answers.0');
    }
    expect((await t.call('GET', `/api/v1/people/${p}/answers`, { as: admin })).json().total).toBe(5);
  });

  it('answers 404 for a person out of reach', async () => {
    const west = await person('west', 'Wes');
    const response = await t.call('POST', `/api/v1/people/${west}/answers`, {
      as: organizer,
      body: { survey_id: surveyId, answers: [{ question: 'member', value: true }] },
    });
    expect(response.statusCode).toBe(404);
    expect((await t.call('GET', `/api/v1/people/${west}/answers`, { as: organizer })).statusCode).toBe(404);
  });
});

describe('call lists', () => {
  it('holds only the people its creator may hand over, and 404s explicit people out of reach', async () => {
    const east = [await person('east', 'Ana'), await person('east', 'Ben')];
    const west = await person('west', 'Cy');
    const out = await t.call('POST', '/api/v1/call-lists', {
      as: organizer,
      body: { name: 'Out', person_ids: [...east, west] },
    });
    expect(out.statusCode).toBe(404);
    const list = (await t.call('POST', '/api/v1/lists', { as: admin, body: { name: 'Mixed' } })).json();
    for (const p of [...east, west])
      await t.call('POST', `/api/v1/lists/${list.id}/items`, { as: admin, body: { person_id: p } });
    const created = await callList({ name: 'From a list', list_id: list.id });
    expect(created.progress).toMatchObject({ total: 2, pending: 2, done: 0 });
    // The contact class asked of a list is checked against the creator's own reach too.
    const restricted = await callList({
      name: 'Restricted',
      list_id: list.id,
      field_classes: ['restricted'],
    });
    expect(restricted.progress).toMatchObject({ total: 0 });
  });

  it('shows a caller with first names only a masked number and the call capability, and nobody off the list', async () => {
    const on = await person('east', 'Dee');
    const off = await person('east', 'Eve');
    const cl = await callList({
      name: 'Masked',
      person_ids: [on],
      script: 'Hi, this is...',
      survey_id: surveyId,
    });
    // Before the assignment the caller reaches nobody.
    expect((await t.call('POST', `/api/v1/call-lists/${cl.id}/next`, { as: caller1 })).statusCode).toBe(403);
    await assign(cl.id, caller1);
    await assign(cl.id, staffCaller);
    const next = await t.call('POST', `/api/v1/call-lists/${cl.id}/next`, { as: caller1 });
    expect(next.statusCode, next.body).toBe(200);
    const body = next.json();
    expect(body.script).toBe('Hi, this is...');
    expect(body.survey.questions.length).toBeGreaterThanOrEqual(5);
    expect(body.person.given_name).toBe('Dee');
    expect(body.person.family_name).toBeUndefined();
    expect(body.person.phones).toHaveLength(1);
    expect(body.person.phones[0].number).toBeUndefined();
    expect(body.person.phones[0].number_masked).toMatch(/^\+1•+\d\d$/);
    expect(body.person.capabilities).toEqual({ call: `/api/v1/people/${on}/call` });
    const read = await t.call('GET', `/api/v1/people/${on}`, { as: caller1 });
    expect(read.statusCode).toBe(200);
    expect(read.json().family_name).toBeUndefined();
    expect((await t.call('GET', `/api/v1/people/${off}`, { as: caller1 })).statusCode).toBe(404);
    expect((await t.call('GET', `/api/v1/people/${off}/answers`, { as: caller1 })).statusCode).toBe(404);
    // The assignment is an ordinary list assignment on the call list's list.
    const assignment = await t.db
      .selectFrom('assignment')
      .select(['target_kind', 'target_id', 'actions', 'fields', 'field_classes'])
      .where('user_id', '=', caller1.id)
      .executeTakeFirstOrThrow();
    expect(assignment).toEqual({
      target_kind: 'list',
      target_id: cl.list_id,
      actions: ['people.read', 'person.call'],
      fields: ['given_name'],
      field_classes: [],
    });
    // A caller whose own role gives the contact class over the person sees the number.
    await t.call('POST', `/api/v1/call-lists/${cl.id}/calls`, {
      as: caller1,
      body: { target_id: body.target.id, outcome: 'no_answer' },
    });
    const staffNext = (await t.call('POST', `/api/v1/call-lists/${cl.id}/next`, { as: staffCaller })).json();
    expect(staffNext.target.person_id).toBe(on);
    expect(staffNext.person.phones[0].number).toMatch(/^\+1510555\d+$/);
  });

  it('never gives two callers the same person, and records the call, answers and note in one request', async () => {
    const people = [];
    for (let i = 0; i < 8; i++) people.push(await person('east', `P${i}`));
    const cl = await callList({ name: 'Race', person_ids: people, survey_id: surveyId });
    await assign(cl.id, caller1);
    await assign(cl.id, caller2);
    const seen: string[] = [];
    for (let round = 0; round < 4; round++) {
      const [a, b] = await Promise.all([
        t.call('POST', `/api/v1/call-lists/${cl.id}/next`, { as: caller1 }),
        t.call('POST', `/api/v1/call-lists/${cl.id}/next`, { as: caller2 }),
      ]);
      expect(a.json().target.person_id).not.toBe(b.json().target.person_id);
      // Asking again returns the person already held, not another one.
      const again = await t.call('POST', `/api/v1/call-lists/${cl.id}/next`, { as: caller1 });
      expect(again.json().target.id).toBe(a.json().target.id);
      for (const [r, as] of [
        [a, caller1],
        [b, caller2],
      ] as const) {
        seen.push(r.json().target.person_id);
        const call = await t.call('POST', `/api/v1/call-lists/${cl.id}/calls`, {
          as,
          body: {
            target_id: r.json().target.id,
            outcome: 'reached',
            note: 'Good talk',
            answers: [
              { question: 'volunteer', value: 'Y' },
              { question: 'story', value: 'Heat was off all winter' },
            ],
          },
        });
        expect(call.statusCode, call.body).toBe(201);
        expect(call.json()).toMatchObject({ answers: 2, target: { status: 'done', attempts: 1 } });
      }
    }
    expect(new Set(seen).size).toBe(8);
    expect(new Set(seen)).toEqual(new Set(people));
    const done = (await t.call('POST', `/api/v1/call-lists/${cl.id}/next`, { as: caller1 })).json();
    expect(done.target).toBeNull();
    expect(done.progress).toMatchObject({ total: 8, done: 8, pending: 0, by_outcome: { reached: 8 } });
    // The call is on the timeline (the one activity table), and the answers point at it.
    const activities = (await t.call('GET', `/api/v1/people/${people[0]}/activities`, { as: admin })).json();
    expect(activities.items).toHaveLength(1);
    const call = activities.items[0];
    expect(call).toMatchObject({ kind: 'call', outcome: 'reached', body: 'Good talk' });
    expect([caller1.id, caller2.id]).toContain(call.actor_id);
    const answers = (await t.call('GET', `/api/v1/people/${people[0]}/answers`, { as: admin })).json();
    expect(answers.items).toHaveLength(2);
    for (const a of answers.items)
      expect(a).toMatchObject({
        via: 'call',
        activity_id: call.id,
        call_list_id: cl.id,
        asked_by: call.actor_id,
      });
    // A caller cannot record for a person they do not hold.
    const stale = await t.call('POST', `/api/v1/call-lists/${cl.id}/calls`, {
      as: caller2,
      body: {
        target_id: done.progress ? await targetOf(cl.id, people[0] as string) : '',
        outcome: 'reached',
      },
    });
    expect(stale.statusCode).toBe(409);
  });

  // Real concurrency needs a pool of sessions: PGlite has one, and serializes every call.
  it.runIf(!!process.env.RHIZOME_TEST_DATABASE_URL)(
    'gives each person to exactly one of three callers working the list at once (PostgreSQL)',
    async () => {
      const people = [];
      for (let i = 0; i < 30; i++) people.push(await person('east', `Q${i}`));
      const cl = await callList({ name: 'Crowd', person_ids: people });
      const callers = [caller1, caller2, staffCaller];
      for (const c of callers) await assign(cl.id, c);
      const work = async (user: TestUser): Promise<string[]> => {
        const ctx = await ctxFor(t.db, user);
        const got: string[] = [];
        for (;;) {
          const next = await nextCall(ctx, cl.id);
          if (!next.target) return got;
          got.push(next.target.person_id);
          await recordCall(ctx, cl.id, { target_id: next.target.id, outcome: 'reached' });
        }
      };
      const started = performance.now();
      const results = await Promise.all(callers.map(work));
      const ms = performance.now() - started;
      console.info(`call list: 30 claims and calls by 3 callers at once in ${ms.toFixed(0)} ms`);
      const all = results.flat();
      expect(all).toHaveLength(30);
      expect(new Set(all)).toEqual(new Set(people));
      const { rows } = await sql<{ n: number }>`
        SELECT count(*)::int AS n FROM activity
        WHERE kind = 'call' AND person_id = ANY(${people}::uuid[])`.execute(t.db);
      expect(rows[0]?.n).toBe(30);
    },
    60_000,
  );

  it('returns an abandoned claim to the pool when it expires', async () => {
    const p = await person('east', 'Abandoned');
    const cl = await callList({ name: 'Expiry', person_ids: [p], claim_minutes: 10 });
    await assign(cl.id, caller1);
    await assign(cl.id, caller2);
    const now = new Date();
    const held = await nextCall(await at(caller1, now), cl.id);
    expect(held.target?.person_id).toBe(p);
    expect(
      (await nextCall(await at(caller2, new Date(now.getTime() + 5 * 60_000)), cl.id)).target,
    ).toBeNull();
    const later = new Date(now.getTime() + 11 * 60_000);
    const taken = await nextCall(await at(caller2, later), cl.id);
    expect(taken.target?.id).toBe(held.target?.id);
    await expect(
      recordCall(await at(caller1, later), cl.id, {
        target_id: held.target?.id as string,
        outcome: 'reached',
      }),
    ).rejects.toMatchObject({ code: 'conflict' });
  });

  it('puts a person back in the queue after no answer until the attempts run out', async () => {
    const p = await person('east', 'Retry');
    const cl = await callList({ name: 'Retry', person_ids: [p], max_attempts: 2 });
    await assign(cl.id, caller1);
    for (const expected of ['pending', 'done']) {
      const next = (await t.call('POST', `/api/v1/call-lists/${cl.id}/next`, { as: caller1 })).json();
      const call = await t.call('POST', `/api/v1/call-lists/${cl.id}/calls`, {
        as: caller1,
        body: { target_id: next.target.id, outcome: 'no_answer' },
      });
      expect(call.json().target.status).toBe(expected);
    }
    const list = (await t.call('GET', `/api/v1/call-lists/${cl.id}`, { as: caller1 })).json();
    expect(list.progress).toMatchObject({ total: 1, done: 1, by_outcome: { no_answer: 1 } });
  });

  it('marks the number do-not-call when the person asks, and never serves it again', async () => {
    const p = await person('east', 'Dnc', 2);
    const cl = await callList({ name: 'DNC', person_ids: [p] });
    await assign(cl.id, caller1);
    const next = (await t.call('POST', `/api/v1/call-lists/${cl.id}/next`, { as: caller1 })).json();
    const [first, second] = next.person.phones;
    const call = await t.call('POST', `/api/v1/call-lists/${cl.id}/calls`, {
      as: caller1,
      body: { target_id: next.target.id, outcome: 'do_not_call', phone_id: first.id },
    });
    expect(call.statusCode, call.body).toBe(201);
    const phones = (await t.call('GET', `/api/v1/people/${p}`, { as: admin })).json().phones;
    expect(phones.find((x: { id: string }) => x.id === first.id).do_not_call).toBe(true);
    expect(phones.find((x: { id: string }) => x.id === second.id).do_not_call).toBe(false);
    // A later call list serves only the number left, and skips someone with none.
    const again = await callList({ name: 'DNC again', person_ids: [p] });
    await assign(again.id, caller1);
    const served = (await t.call('POST', `/api/v1/call-lists/${again.id}/next`, { as: caller1 })).json();
    expect(served.person.phones.map((x: { id: string }) => x.id)).toEqual([second.id]);
    await t.call('POST', `/api/v1/call-lists/${again.id}/calls`, {
      as: caller1,
      body: { target_id: served.target.id, outcome: 'do_not_call' },
    });
    const third = await callList({ name: 'DNC third', person_ids: [p] });
    await assign(third.id, caller1);
    const none = (await t.call('POST', `/api/v1/call-lists/${third.id}/next`, { as: caller1 })).json();
    expect(none.target).toBeNull();
    expect(none.progress.by_outcome).toEqual({ skipped: 1 });
  });

  it('ends the assignments when a caller is removed or the list is closed', async () => {
    const p = await person('east', 'Ending');
    const cl = await callList({ name: 'Ending', person_ids: [p] });
    await assign(cl.id, caller1);
    await assign(cl.id, caller2);
    expect((await t.call('GET', `/api/v1/people/${p}`, { as: caller1 })).statusCode).toBe(200);
    const held = (await t.call('POST', `/api/v1/call-lists/${cl.id}/next`, { as: caller1 })).json();
    const removed = await t.call('DELETE', `/api/v1/call-lists/${cl.id}/callers/${caller1.id}`, {
      as: organizer,
    });
    expect(removed.statusCode).toBe(204);
    expect((await t.call('GET', `/api/v1/people/${p}`, { as: caller1 })).statusCode).toBe(404);
    expect((await t.call('GET', `/api/v1/call-lists/${cl.id}`, { as: caller1 })).statusCode).toBe(404);
    // What caller1 held is free at once.
    const taken = (await t.call('POST', `/api/v1/call-lists/${cl.id}/next`, { as: caller2 })).json();
    expect(taken.target.id).toBe(held.target.id);
    const closed = await t.call('POST', `/api/v1/call-lists/${cl.id}/close`, { as: organizer });
    expect(closed.json()).toMatchObject({ status: 'closed' });
    expect((await t.call('GET', `/api/v1/people/${p}`, { as: caller2 })).statusCode).toBe(404);
    const audit = await t.db
      .selectFrom('audit_event')
      .select('action')
      .where('org_id', '=', orgId)
      .where('action', 'in', ['assignment.create', 'assignment.delete'])
      .where(sql<boolean>`detail->>'call_list_id' = ${cl.id}`)
      .execute();
    expect(audit.map((a) => a.action).sort()).toEqual([
      'assignment.create',
      'assignment.create',
      'assignment.delete',
      'assignment.delete',
    ]);
  });
});

async function targetOf(callListId: string, personId: string): Promise<string> {
  return (
    await t.db
      .selectFrom('call_target')
      .select('id')
      .where('call_list_id', '=', callListId)
      .where('person_id', '=', personId)
      .executeTakeFirstOrThrow()
  ).id;
}

describe('phone trees', () => {
  it('rolls callees not reached by the deadline up the tree, one level per interval', async () => {
    const top = await person('east', 'Top');
    const leader = await person('east', 'Lead');
    const sub = await person('east', 'Sub');
    const callees = [await person('east', 'C1'), await person('east', 'C2')];
    const deadline = new Date(Date.now() + 3_600_000);
    const created = await t.call('POST', '/api/v1/phone-trees', {
      as: organizer,
      body: {
        name: 'Rapid response',
        deadline: deadline.toISOString(),
        escalation_minutes: 30,
        members: [
          { person_id: top, leader_id: null },
          { person_id: leader, leader_id: top },
          { person_id: sub, leader_id: leader },
          ...callees.map((c) => ({ person_id: c, leader_id: sub })),
        ],
      },
    });
    expect(created.statusCode, created.body).toBe(201);
    const tree = created.json();
    const nodeOf = (state: typeof tree, p: string) =>
      state.nodes.find((n: { person_id: string }) => n.person_id === p);
    expect(tree.totals).toEqual({ people: 5, reached: 0, not_reached: 0, pending: 4 });
    expect(nodeOf(tree, callees[0] as string).responsible_id).toBe(nodeOf(tree, sub).id);
    const reached = await t.call('POST', `/api/v1/phone-trees/${tree.id}/results`, {
      as: organizer,
      body: { person_id: callees[0], result: 'reached', note: 'Passed it on' },
    });
    expect(reached.statusCode, reached.body).toBe(200);
    await t.call('POST', `/api/v1/phone-trees/${tree.id}/results`, {
      as: organizer,
      body: { person_id: callees[1], result: 'not_reached' },
    });
    const ctx = await ctxFor(t.db, organizer);
    const state = async (minutes: number) =>
      await getPhoneTree({ ...ctx, now: () => new Date(deadline.getTime() + minutes * 60_000) }, tree.id);
    const before = await state(-1);
    expect(nodeOf(before, callees[1] as string)).toMatchObject({
      responsible_id: nodeOf(before, sub).id,
      escalated: false,
    });
    const leaderRow = (s: typeof before, p: string) =>
      s.leaders.find((l: { person_id: string }) => l.person_id === p);
    expect(leaderRow(before, sub)).toMatchObject({ callees: 2, reached: 1, not_reached: 1, pending: 0 });
    // At the deadline the unreached callee is the next leader's; each interval one more level up.
    const atDeadline = await state(0);
    expect(nodeOf(atDeadline, callees[1] as string)).toMatchObject({
      responsible_id: nodeOf(atDeadline, leader).id,
      escalated: true,
    });
    expect(leaderRow(atDeadline, leader)?.escalated_to_them).toEqual([
      nodeOf(atDeadline, callees[1] as string).id,
    ]);
    const later = await state(31);
    expect(nodeOf(later, callees[1] as string).responsible_id).toBe(nodeOf(later, top).id);
    // Also the sub-leader, never marked reached, rolls up; the top is as far as it goes.
    expect(nodeOf(later, sub).responsible_id).toBe(nodeOf(later, top).id);
    expect(nodeOf(await state(600), callees[1] as string).responsible_id).toBe(nodeOf(later, top).id);
    // The reached callee stays settled, and the call is on their timeline.
    expect(nodeOf(later, callees[0] as string).responsible_id).toBeNull();
    const timeline = (await t.call('GET', `/api/v1/people/${callees[0]}/activities`, { as: admin })).json();
    expect(timeline.items[0]).toMatchObject({ kind: 'call', outcome: 'reached' });
  });

  it('needs reach to every person in it, and refuses cycles naming the member', async () => {
    const a = await person('east', 'A');
    const west = await person('west', 'W');
    const out = await t.call('POST', '/api/v1/phone-trees', {
      as: organizer,
      body: {
        name: 'Out',
        deadline: new Date().toISOString(),
        members: [
          { person_id: a, leader_id: null },
          { person_id: west, leader_id: a },
        ],
      },
    });
    expect(out.statusCode).toBe(404);
    const b = await person('east', 'B');
    const cycle = await t.call('POST', '/api/v1/phone-trees', {
      as: organizer,
      body: {
        name: 'Cycle',
        deadline: new Date().toISOString(),
        members: [
          { person_id: a, leader_id: b },
          { person_id: b, leader_id: a },
        ],
      },
    });
    expect(cycle.statusCode).toBe(400);
    expect(JSON.stringify(cycle.json())).toContain('members.0.leader_id');
  });
});

describe('OSDI questions and answers', () => {
  it('maps question types, and lists answers only of people whose timeline the reader sees', async () => {
    const p = await person('east', 'Osdi');
    await t.call('POST', `/api/v1/people/${p}/answers`, {
      as: organizer,
      body: {
        survey_id: surveyId,
        answers: [
          { question: 'issues', value: ['rent'] },
          { question: 'years', value: 7 },
          { question: 'member', value: true },
        ],
      },
    });
    const questions = await t.call('GET', '/osdi/v1/questions?per_page=100', { as: admin });
    expect(questions.headers['content-type']).toMatch(/^application\/hal\+json/);
    const embedded = questions.json()._embedded['osdi:questions'];
    const byName = new Map(embedded.map((q: { name: string }) => [q.name, q]));
    expect(byName.get('volunteer')).toMatchObject({
      question_type: 'SingleChoice',
      title: 'Will you volunteer?',
      responses: [
        { key: 'Y', name: 'Y', title: 'Yes' },
        { key: 'M', name: 'M', title: 'Maybe' },
        { key: 'N', name: 'N', title: 'No' },
      ],
    });
    expect(byName.get('issues')).toMatchObject({ question_type: 'MultiChoice' });
    expect(byName.get('story')).toMatchObject({ question_type: 'Paragraph' });
    expect((byName.get('member') as { responses: unknown[] }).responses).toHaveLength(2);
    const answersOf = async (key: string, as: TestUser) => {
      const q = byName.get(key) as { _links: { 'osdi:answers': { href: string } } };
      const url = new URL(q._links['osdi:answers'].href).pathname;
      return (await t.call('GET', `${url}?per_page=100`, { as })).json();
    };
    const issues = await answersOf('issues', admin);
    const mine = issues._embedded['osdi:answers'].find((a: { _links: { 'osdi:person': { href: string } } }) =>
      a._links['osdi:person'].href.endsWith(p),
    );
    expect(mine).toMatchObject({ responses: ['rent'] });
    const years = (await answersOf('years', admin))._embedded['osdi:answers'];
    expect(years.find((a: { value: string }) => a.value === '7')).toBeDefined();
    const member = (await answersOf('member', admin))._embedded['osdi:answers'];
    expect(member.some((a: { responses: string[] }) => a.responses[0] === 'true')).toBe(true);
    // A caller sees first names of their list only: no one's answers.
    expect((await answersOf('issues', caller1)).total_records).toBe(0);
    // The organizer over east does not see answers of people in west.
    const west = await person('west', 'Far');
    await t.call('POST', `/api/v1/people/${west}/answers`, {
      as: admin,
      body: { survey_id: surveyId, answers: [{ question: 'issues', value: ['repairs'] }] },
    });
    const seen = await answersOf('issues', organizer);
    expect(seen.total_records).toBe((await answersOf('issues', admin)).total_records - 1);
  });
});

describe('deleting an organization', () => {
  it('takes its surveys, call lists (and their lists) and phone trees with it', async () => {
    const other = (await makeOrg(t.db)).id;
    const boss = await makeUser(t.db, other, 'org_admin');
    const p = newId();
    await t.db.insertInto('person').values({ org_id: other, id: p, given_name: 'Gone' }).execute();
    const survey = (
      await t.call('POST', '/api/v1/surveys', {
        as: boss,
        body: { name: 'S', questions: [{ key: 'q', prompt: 'Q?', type: 'yes_no' }] },
      })
    ).json();
    await t.call('POST', `/api/v1/people/${p}/answers`, {
      as: boss,
      body: { survey_id: survey.id, answers: [{ question: 'q', value: true }] },
    });
    const cl = await t.call('POST', '/api/v1/call-lists', {
      as: boss,
      body: { name: 'C', person_ids: [p], survey_id: survey.id },
    });
    expect(cl.statusCode, cl.body).toBe(201);
    const tree = await t.call('POST', '/api/v1/phone-trees', {
      as: boss,
      body: { name: 'T', deadline: '2026-01-01T00:00:00Z', members: [{ person_id: p, leader_id: null }] },
    });
    expect(tree.statusCode, tree.body).toBe(201);
    await t.db.deleteFrom('org').where('id', '=', other).execute();
    for (const table of [
      'survey',
      'survey_answer',
      'call_list',
      'call_target',
      'list',
      'phone_tree',
    ] as const) {
      const left = await t.db
        .selectFrom(table)
        .select(sql<number>`count(*)::int`.as('n'))
        .where('org_id', '=', other)
        .executeTakeFirstOrThrow();
      expect(left.n, table).toBe(0);
    }
  });
});
