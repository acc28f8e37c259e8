import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, ctxFor, type TestApp, type TestUser } from '../../test/support/fixtures.js';
import { chapterOrg, insertPersonIn } from '../../test/support/units.js';
import { newId } from '../db/ids.js';
import { mergePeople, undoMerge } from '../merges/index.js';

/**
 * Ladders over HTTP: configuration (organization-wide), dated and attributed assessments, the
 * current level and staleness, rules that only ever suggest, and the pipeline views, each scoped
 * by the access model (a local organizer of Oakland neither reads nor assesses people of Fresno).
 */
let t: TestApp;
let orgId: string;
let admin: TestUser;
let chapterAdmin: TestUser;
let organizer: TestUser;
let analyst: TestUser;
let volunteer: TestUser;
let outsider: TestUser;
let oakland: (name?: string) => Promise<string>;
let fresno: (name?: string) => Promise<string>;
let units: Record<string, string>;

const DAY = 86_400_000;
const daysAgo = (n: number) => new Date(Date.now() - n * DAY).toISOString();

interface Ladder {
  id: string;
  levels: { id: string; name: string; position: number; retired_at: string | null }[];
}
async function makeLadder(name: string, levels = ['Supporter', 'Volunteer', 'Active volunteer', 'Leader']) {
  const response = await t.call('POST', '/api/v1/ladders', {
    as: admin,
    body: { name, stale_after_days: 30, levels: levels.map((n) => ({ name: n })) },
  });
  expect(response.statusCode, response.body).toBe(201);
  return response.json() as Ladder;
}
const level = (ladder: Ladder, i: number) => (ladder.levels[i] as { id: string }).id;

async function assess(
  as: TestUser,
  person: string,
  ladder: Ladder,
  i: number,
  at?: string,
  evidence?: string,
) {
  return await t.call('POST', `/api/v1/people/${person}/assessments`, {
    as,
    body: { ladder_id: ladder.id, level_id: level(ladder, i), ...(at ? { assessed_at: at } : {}), evidence },
  });
}

async function meetings(
  person: string,
  n: number,
  ago = 10,
  kind: 'meeting' | 'call' | 'door_knock' = 'meeting',
) {
  for (let i = 0; i < n; i++) {
    await t.db
      .insertInto('activity')
      .values({
        org_id: orgId,
        id: newId(),
        person_id: person,
        kind,
        occurred_at: new Date(Date.now() - (ago + i) * DAY),
        actor_id: null,
        outcome: null,
        body: null,
      })
      .execute();
  }
}

beforeAll(async () => {
  t = await createTestApp();
  ({ orgId, units, admin, chapterAdmin, organizer, analyst, volunteer, outsider, oakland, fresno } =
    await chapterOrg(t.db));
});
afterAll(async () => {
  await t.close();
});

describe('ladder configuration', () => {
  it('creates ladders with ordered levels, adds, renames and retires levels, organization-wide only', async () => {
    const ladder = await makeLadder('Engagement');
    expect(ladder.levels.map((l) => [l.position, l.name])).toEqual([
      [1, 'Supporter'],
      [2, 'Volunteer'],
      [3, 'Active volunteer'],
      [4, 'Leader'],
    ]);
    const added = await t.call('POST', `/api/v1/ladders/${ladder.id}/levels`, {
      as: admin,
      body: { name: 'Core leader' },
    });
    expect(added.json()).toMatchObject({ position: 5, name: 'Core leader' });
    const clash = await t.call('POST', `/api/v1/ladders/${ladder.id}/levels`, {
      as: admin,
      body: { name: 'core LEADER' },
    });
    expect(clash.statusCode).toBe(409);
    expect(
      (await t.call('POST', '/api/v1/ladders', { as: admin, body: { name: 'Engagement' } })).statusCode,
    ).toBe(409);

    // A second ladder (leadership) lives beside the first.
    await makeLadder('Leadership', ['Potential', 'Emerging', 'Established']);
    const all = await t.call('GET', '/api/v1/ladders', { as: volunteer });
    expect(all.statusCode).toBe(200);
    expect(all.json().items.map((l: { name: string }) => l.name)).toEqual(
      expect.arrayContaining(['Engagement', 'Leadership']),
    );

    // Configuring takes ladders.manage over the whole organization.
    for (const as of [organizer, chapterAdmin, analyst]) {
      expect(
        (await t.call('POST', '/api/v1/ladders', { as, body: { name: `No ${as.role}` } })).statusCode,
      ).toBe(403);
      expect(
        (await t.call('PATCH', `/api/v1/ladders/${ladder.id}`, { as, body: { name: 'Renamed' } })).statusCode,
      ).toBe(403);
    }
    // Another organization's ladder is not found.
    expect((await t.call('GET', `/api/v1/ladders/${ladder.id}`, { as: outsider })).statusCode).toBe(404);
    expect(
      (await t.call('PATCH', `/api/v1/ladders/${ladder.id}`, { as: outsider, body: { name: 'Mine' } }))
        .statusCode,
    ).toBe(404);
  });

  it('keeps history when a level is renamed or retired; a retired level takes no new assessment', async () => {
    const ladder = await makeLadder('History');
    const person = await oakland();
    expect((await assess(admin, person, ladder, 1, daysAgo(5), 'came twice')).statusCode).toBe(201);
    const renamed = await t.call('PATCH', `/api/v1/ladders/${ladder.id}/levels/${level(ladder, 1)}`, {
      as: admin,
      body: { name: 'Regular volunteer' },
    });
    expect(renamed.json()).toMatchObject({ name: 'Regular volunteer', position: 2, retired_at: null });
    const retired = await t.call('PATCH', `/api/v1/ladders/${ladder.id}/levels/${level(ladder, 1)}`, {
      as: admin,
      body: { retired: true },
    });
    expect(retired.json().retired_at).not.toBeNull();
    const history = await t.call('GET', `/api/v1/people/${person}/assessments`, { as: admin });
    expect(history.json().items).toEqual([
      expect.objectContaining({
        level_id: level(ladder, 1),
        level_name: 'Regular volunteer',
        evidence: 'came twice',
      }),
    ]);
    const refused = await assess(admin, person, ladder, 1);
    expect(refused.statusCode).toBe(409);
    // A new live level may take the retired one's name.
    const again = await t.call('POST', `/api/v1/ladders/${ladder.id}/levels`, {
      as: admin,
      body: { name: 'Regular volunteer' },
    });
    expect(again.statusCode).toBe(201);
  });
});

describe('assessments', () => {
  it('are dated and attributed; the current level is the latest assessment; staleness is shown', async () => {
    const ladder = await makeLadder('Current');
    const person = await oakland('Cur');
    const first = await assess(organizer, person, ladder, 0, daysAgo(60), 'signed the petition');
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({
      assessed_by: organizer.id,
      source: 'organizer',
      level_name: 'Supporter',
    });
    await assess(organizer, person, ladder, 2, daysAgo(40), 'led a canvass');
    // A late entry about an earlier date does not become the current level.
    await assess(admin, person, ladder, 1, daysAgo(50));
    const view = await t.call('GET', `/api/v1/people/${person}/ladders`, { as: organizer });
    const mine = view.json().items.find((l: { ladder_id: string }) => l.ladder_id === ladder.id);
    expect(mine).toMatchObject({
      current: { level_name: 'Active volunteer', evidence: 'led a canvass', assessed_by: organizer.id },
      days_since_assessed: 40,
      stale: true,
    });
    await assess(organizer, person, ladder, 3);
    const fresh = (await t.call('GET', `/api/v1/people/${person}/ladders`, { as: organizer }))
      .json()
      .items.find((l: { ladder_id: string }) => l.ladder_id === ladder.id);
    expect(fresh).toMatchObject({ current: { level_name: 'Leader' }, days_since_assessed: 0, stale: false });
    const never = (await t.call('GET', `/api/v1/people/${await oakland()}/ladders`, { as: organizer }))
      .json()
      .items.find((l: { ladder_id: string }) => l.ladder_id === ladder.id);
    expect(never).toMatchObject({ current: null, days_since_assessed: null, stale: true });
    const history = await t.call('GET', `/api/v1/people/${person}/assessments?ladder_id=${ladder.id}`, {
      as: organizer,
    });
    expect(history.json().items.map((a: { level_name: string }) => a.level_name)).toEqual([
      'Leader',
      'Active volunteer',
      'Volunteer',
      'Supporter',
    ]);
  });

  it('a local organizer can neither assess nor read a person of another chapter (404), and nothing is written', async () => {
    const ladder = await makeLadder('Scope');
    const far = await fresno();
    const count = async () =>
      (await t.db.selectFrom('ladder_assessment').select('id').where('person_id', '=', far).execute()).length;
    expect((await assess(organizer, far, ladder, 1)).statusCode).toBe(404);
    expect((await t.call('GET', `/api/v1/people/${far}/ladders`, { as: organizer })).statusCode).toBe(404);
    expect((await t.call('GET', `/api/v1/people/${far}/assessments`, { as: organizer })).statusCode).toBe(
      404,
    );
    expect((await assess(outsider, far, ladder, 1)).statusCode).toBe(404);
    expect(await count()).toBe(0);
    // Roles without people.read or people.write stop at the door.
    expect((await t.call('GET', `/api/v1/people/${far}/ladders`, { as: analyst })).statusCode).toBe(403);
    expect((await assess(volunteer, far, ladder, 1)).statusCode).toBe(403);
    expect((await assess(admin, far, ladder, 1)).statusCode).toBe(201);
    expect(await count()).toBe(1);
  });

  it('refuses a level of another ladder (400) and a person under legal hold (403)', async () => {
    const a = await makeLadder('A ladder');
    const b = await makeLadder('B ladder');
    const person = await oakland();
    const wrong = await t.call('POST', `/api/v1/people/${person}/assessments`, {
      as: admin,
      body: { ladder_id: a.id, level_id: level(b, 0) },
    });
    expect(wrong.statusCode).toBe(400);
    expect(JSON.stringify(wrong.json())).toContain('level_id');
    await t.db.updateTable('person').set({ legal_hold: true }).where('id', '=', person).execute();
    expect((await assess(admin, person, a, 0)).statusCode).toBe(403);
  });

  it('follow a merged person to the survivor and come back on undo', async () => {
    const ladder = await makeLadder('Merging');
    const survivor = await oakland('Sam');
    const merged = await oakland('Samuel');
    await assess(admin, merged, ladder, 2, daysAgo(3));
    const ctx = await ctxFor(t.db, admin);
    const { merge_id } = await mergePeople(ctx, survivor, merged);
    const after = (await t.call('GET', `/api/v1/people/${survivor}/assessments`, { as: admin })).json();
    expect(after.items.map((a: { level_name: string }) => a.level_name)).toEqual(['Active volunteer']);
    await undoMerge(ctx, merge_id);
    expect(
      (await t.call('GET', `/api/v1/people/${survivor}/assessments`, { as: admin })).json().items,
    ).toEqual([]);
    expect(
      (await t.call('GET', `/api/v1/people/${merged}/assessments`, { as: admin })).json().items,
    ).toHaveLength(1);
  });
});

describe('suggestions', () => {
  // Each test counts its own kind of activity: people of earlier tests do not qualify.
  async function ladderWithRule(kind: 'meeting' | 'call' | 'door_knock' = 'meeting') {
    const ladder = await makeLadder(`Rules ${newId().slice(-6)}`);
    const rule = await t.call('POST', `/api/v1/ladders/${ladder.id}/rules`, {
      as: admin,
      body: {
        name: '3 meetings in 90 days',
        level_id: level(ladder, 2),
        activity_kinds: [kind],
        min_count: 3,
        window_days: 90,
      },
    });
    expect(rule.statusCode, rule.body).toBe(201);
    return ladder;
  }
  const open = async (as: TestUser, ladder: Ladder) =>
    (await t.call('GET', `/api/v1/suggestions?ladder_id=${ladder.id}`, { as })).json();
  const levelOf = async (person: string, ladder: Ladder) =>
    (await t.call('GET', `/api/v1/people/${person}/ladders`, { as: admin }))
      .json()
      .items.find((l: { ladder_id: string }) => l.ladder_id === ladder.id).current;

  it('suggest moves from activity and apply nothing until an organizer accepts', async () => {
    const ladder = await ladderWithRule();
    const busy = await oakland('Busy');
    const quiet = await oakland('Quiet');
    const old = await oakland('Old');
    await meetings(busy, 3);
    await meetings(quiet, 2);
    await meetings(old, 3, 100); // outside the window
    const run = await t.call('POST', `/api/v1/ladders/${ladder.id}/suggestions/run`, { as: admin });
    expect(run.json()).toEqual({ created: 1 });
    const list = await open(admin, ladder);
    expect(list.total).toBe(1);
    expect(list.items[0]).toMatchObject({
      person: { id: busy, given_name: 'Busy' },
      level_name: 'Active volunteer',
      status: 'open',
      evidence: { count: 3, window_days: 90, kinds: ['meeting'] },
    });
    // Nothing applied silently: no assessment exists and the level is unchanged.
    expect(await levelOf(busy, ladder)).toBeNull();
    expect(
      await t.db.selectFrom('ladder_assessment').select('id').where('person_id', '=', busy).execute(),
    ).toEqual([]);
    // Running again suggests nothing new.
    expect(
      (await t.call('POST', `/api/v1/ladders/${ladder.id}/suggestions/run`, { as: admin })).json(),
    ).toEqual({
      created: 0,
    });
    const accepted = await t.call('POST', `/api/v1/suggestions/${list.items[0].id}/accept`, {
      as: organizer,
      body: {},
    });
    expect(accepted.statusCode, accepted.body).toBe(200);
    expect(accepted.json().suggestion).toMatchObject({ status: 'accepted', decided_by: organizer.id });
    expect(accepted.json().assessment).toMatchObject({
      source: 'suggestion',
      suggestion_id: list.items[0].id,
      assessed_by: organizer.id,
      level_name: 'Active volunteer',
    });
    expect(accepted.json().assessment.evidence).toContain('3 meetings in 90 days');
    expect(await levelOf(busy, ladder)).toMatchObject({ level_name: 'Active volunteer' });
    expect(
      (await t.call('POST', `/api/v1/suggestions/${list.items[0].id}/accept`, { as: admin, body: {} }))
        .statusCode,
    ).toBe(409);
    // Already at the level: not suggested again.
    await meetings(busy, 3, 1);
    expect(
      (await t.call('POST', `/api/v1/ladders/${ladder.id}/suggestions/run`, { as: admin })).json().created,
    ).toBe(0);
  });

  it('a dismissed suggestion changes nothing and is not made again within the rule window', async () => {
    const ladder = await ladderWithRule('call');
    const person = await oakland('Dismissed');
    await meetings(person, 4, 10, 'call');
    await t.call('POST', `/api/v1/ladders/${ladder.id}/suggestions/run`, { as: admin });
    const [suggestion] = (await open(admin, ladder)).items;
    const dismissed = await t.call('POST', `/api/v1/suggestions/${suggestion.id}/dismiss`, { as: organizer });
    expect(dismissed.json()).toMatchObject({
      status: 'dismissed',
      decided_by: organizer.id,
      assessment_id: null,
    });
    expect(await levelOf(person, ladder)).toBeNull();
    expect(
      (await t.call('POST', `/api/v1/ladders/${ladder.id}/suggestions/run`, { as: admin })).json().created,
    ).toBe(0);
    expect((await open(admin, ladder)).total).toBe(0);
    const decided = await t.call('GET', `/api/v1/suggestions?ladder_id=${ladder.id}&status=dismissed`, {
      as: admin,
    });
    expect(decided.json().items.map((s: { id: string }) => s.id)).toEqual([suggestion.id]);
  });

  it('are made, listed and decided only within the organizer’s reach', async () => {
    const ladder = await ladderWithRule('door_knock');
    const near = await oakland('Near');
    const far = await fresno('Far');
    await meetings(near, 3, 10, 'door_knock');
    await meetings(far, 3, 10, 'door_knock');
    // The local organizer's run covers Oakland only.
    expect(
      (await t.call('POST', `/api/v1/ladders/${ladder.id}/suggestions/run`, { as: organizer })).json(),
    ).toEqual({
      created: 1,
    });
    expect((await open(admin, ladder)).items.map((s: { person: { id: string } }) => s.person.id)).toEqual([
      near,
    ]);
    expect(
      (await t.call('POST', `/api/v1/ladders/${ladder.id}/suggestions/run`, { as: admin })).json().created,
    ).toBe(1);
    expect((await open(admin, ladder)).total).toBe(2);
    const mine = await open(organizer, ladder);
    expect(mine.items.map((s: { person: { id: string } }) => s.person.id)).toEqual([near]);
    const farSuggestion = (await open(admin, ladder)).items.find(
      (s: { person: { id: string } }) => s.person.id === far,
    );
    for (const action of ['accept', 'dismiss'])
      expect(
        (
          await t.call('POST', `/api/v1/suggestions/${farSuggestion.id}/${action}`, {
            as: organizer,
            body: {},
          })
        ).statusCode,
      ).toBe(404);
    expect((await open(admin, ladder)).total).toBe(2);
    // The analyst counts people but reads no one: no suggestions list, no run.
    expect((await t.call('GET', '/api/v1/suggestions', { as: analyst })).statusCode).toBe(403);
    expect(
      (await t.call('POST', `/api/v1/ladders/${ladder.id}/suggestions/run`, { as: analyst })).statusCode,
    ).toBe(403);
  });
});

describe('pipeline views', () => {
  it('counts people per level per unit over time, scoped to what the caller may count', async () => {
    const ladder = await makeLadder('Pipeline');
    const a = await oakland('PA');
    const b = await oakland('PB');
    const c = await fresno('PC');
    await assess(admin, a, ladder, 0, daysAgo(70));
    await assess(admin, a, ladder, 1, daysAgo(20));
    await assess(admin, b, ladder, 1, daysAgo(40));
    await assess(admin, c, ladder, 0, daysAgo(10));
    // One clock reading for both ends: two readings a millisecond apart would make the series 12
    // weeks and a millisecond long, with a fourteenth point.
    const to = new Date();
    const from = new Date(to.getTime() - 84 * DAY);
    const url = `/api/v1/ladders/${ladder.id}/pipeline?from=${from.toISOString()}&to=${to.toISOString()}&step=week`;
    const full = await t.call('GET', url, { as: analyst });
    expect(full.statusCode, full.body).toBe(200);
    const points = full.json().points as {
      at: string;
      counts: { unit_path: string; level_id: string; people: number }[];
    }[];
    expect(points).toHaveLength(13);
    const last = points.at(-1)?.counts ?? [];
    expect(last).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ unit_path: 'east.oakland', level_id: level(ladder, 1), people: 2 }),
        expect.objectContaining({ unit_path: 'fresno', level_id: level(ladder, 0), people: 1 }),
      ]),
    );
    expect(last).toHaveLength(2);
    // Five weeks back: a was a supporter, b a volunteer, c not yet assessed.
    const week7 = points[7]?.counts ?? [];
    expect(week7.map((r) => [r.unit_path, r.level_id, r.people]).sort()).toEqual(
      [
        ['east.oakland', level(ladder, 0), 1],
        ['east.oakland', level(ladder, 1), 1],
      ].sort(),
    );
    expect(points[0]?.counts).toEqual([]);
    // The local organizer counts Oakland only.
    const local = await t.call('GET', url, { as: organizer });
    expect(
      local
        .json()
        .points.at(-1)
        .counts.map((r: { unit_path: string }) => r.unit_path),
    ).toEqual(['east.oakland']);
    expect((await t.call('GET', url, { as: volunteer })).statusCode).toBe(403);
  });

  it('lists who moved up or down in a period, and who is stale', async () => {
    const ladder = await makeLadder('Moves');
    const up = await oakland('Up');
    const down = await oakland('Down');
    const fresh = await oakland('Fresh');
    const still = await oakland('Still');
    const far = await fresno('Far');
    await assess(admin, up, ladder, 0, daysAgo(60));
    await assess(admin, up, ladder, 2, daysAgo(2));
    await assess(admin, down, ladder, 3, daysAgo(60));
    await assess(admin, down, ladder, 1, daysAgo(6));
    await assess(admin, fresh, ladder, 1, daysAgo(7));
    await assess(admin, still, ladder, 1, daysAgo(60));
    await assess(admin, still, ladder, 1, daysAgo(8));
    await assess(admin, far, ladder, 2, daysAgo(4));
    const moves = await t.call('GET', `/api/v1/ladders/${ladder.id}/movements?since=${daysAgo(30)}`, {
      as: organizer,
    });
    expect(moves.statusCode, moves.body).toBe(200);
    expect(moves.json().total).toBe(3);
    expect(
      moves
        .json()
        .items.map((m: { person: { given_name: string }; direction: string }) => [
          m.person.given_name,
          m.direction,
        ]),
    ).toEqual([
      ['Up', 'up'],
      ['Down', 'down'],
      ['Fresh', 'new'],
    ]);
    const admins = await t.call('GET', `/api/v1/ladders/${ladder.id}/movements?since=${daysAgo(30)}`, {
      as: admin,
    });
    expect(admins.json().total).toBe(4);

    const stale = await t.call('GET', `/api/v1/ladders/${ladder.id}/people?stale=true`, { as: admin });
    expect(stale.json().items).toEqual([]);
    await t.call('PATCH', `/api/v1/ladders/${ladder.id}`, { as: admin, body: { stale_after_days: 5 } });
    const nowStale = await t.call('GET', `/api/v1/ladders/${ladder.id}/people?stale=true`, { as: organizer });
    expect(nowStale.json().items.map((p: { person: { given_name: string } }) => p.person.given_name)).toEqual(
      ['Still', 'Fresh', 'Down'],
    );
    const atLevel = await t.call('GET', `/api/v1/ladders/${ladder.id}/people?level_id=${level(ladder, 2)}`, {
      as: organizer,
    });
    expect(atLevel.json().items.map((p: { person: { id: string } }) => p.person.id)).toEqual([up]);
  });

  it('shows people new since a date and what they have done since', async () => {
    const ladder = await makeLadder('Newcomers');
    const since = new Date(Date.now() - 3 * DAY);
    const newcomer = await insertPersonIn(t.db, orgId, units['east.oakland'] as string, 'east.oakland', {
      given_name: 'Newcomer',
    });
    const farNewcomer = await fresno('FarNew');
    await insertPersonIn(t.db, orgId, units['east.oakland'] as string, 'east.oakland', {
      given_name: 'Veteran',
      created_at: new Date(Date.now() - 400 * DAY),
    });
    await meetings(newcomer, 2, 1);
    await t.call('POST', `/api/v1/people/${newcomer}/activities`, {
      as: admin,
      body: { kind: 'one_on_one', occurred_at: daysAgo(0) },
    });
    await assess(admin, newcomer, ladder, 1);
    const response = await t.call(
      'GET',
      `/api/v1/pipeline/new-people?since=${since.toISOString()}&per_page=100`,
      {
        as: organizer,
      },
    );
    expect(response.statusCode, response.body).toBe(200);
    const items = response.json().items as { person: { id: string; given_name: string } }[];
    expect(items.map((i) => i.person.given_name)).not.toContain('Veteran');
    expect(items.map((i) => i.person.id)).not.toContain(farNewcomer);
    expect(items.find((i) => i.person.id === newcomer)).toMatchObject({
      activities: { meeting: 2, one_on_one: 1 },
      levels: [{ ladder_id: ladder.id, level_name: 'Volunteer' }],
    });
  });
});
