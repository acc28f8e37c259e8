import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, ctxFor, makeUser, type TestApp, type TestUser } from '../../test/support/fixtures.js';
import { chapterOrg } from '../../test/support/units.js';
import { mergePeople } from '../merges/index.js';

/**
 * One-on-ones (one request, on the person's timeline), follow-ups with due dates and owners,
 * "my follow-ups", and the point person; all within the caller's reach.
 */
let t: TestApp;
let admin: TestUser;
let organizer: TestUser;
let fresnoOrganizer: TestUser;
let volunteer: TestUser;
let outsider: TestUser;
let oakland: (name?: string) => Promise<string>;
let fresno: (name?: string) => Promise<string>;
let units: Record<string, string>;

const DAY = 86_400_000;
const inDays = (n: number) => new Date(Date.now() + n * DAY).toISOString();

beforeAll(async () => {
  t = await createTestApp();
  ({ units, admin, organizer, fresnoOrganizer, volunteer, outsider, oakland, fresno } = await chapterOrg(
    t.db,
  ));
});
afterAll(async () => {
  await t.close();
});

describe('one-on-ones', () => {
  it('are logged in one request, land on the person’s timeline, and can create a follow-up', async () => {
    const person = await oakland('Maya');
    const response = await t.call('POST', `/api/v1/people/${person}/one-on-ones`, {
      as: organizer,
      body: {
        occurred_at: '2026-03-04T18:00:00Z',
        notes: 'Talked about rent increases on her block',
        interests: ['housing', 'tenant union', 'housing'],
        next_step: 'Invite to the tenants meeting',
        follow_up: { due_at: inDays(3) },
      },
    });
    expect(response.statusCode, response.body).toBe(201);
    const body = response.json();
    expect(body.activity).toMatchObject({
      kind: 'one_on_one',
      actor_id: organizer.id,
      body: 'Talked about rent increases on her block',
      occurred_at: '2026-03-04T18:00:00.000Z',
    });
    expect(body.interests).toEqual(['housing', 'tenant union']);
    expect(body.follow_up).toMatchObject({
      title: 'Invite to the tenants meeting',
      owner_id: organizer.id,
      status: 'open',
      activity_id: body.activity.id,
      person: { id: person, given_name: 'Maya' },
    });
    // The one timeline of the person holds it (no second timeline).
    const timeline = await t.call('GET', `/api/v1/people/${person}/timeline`, { as: organizer });
    expect(timeline.json().items).toEqual([
      expect.objectContaining({ type: 'activity', kind: 'one_on_one', id: body.activity.id }),
    ]);
    const list = await t.call('GET', `/api/v1/people/${person}/one-on-ones`, { as: organizer });
    expect(list.json().items).toEqual([
      expect.objectContaining({
        interests: ['housing', 'tenant union'],
        next_step: 'Invite to the tenants meeting',
      }),
    ]);
  });

  it('names the organizer given as `by`, and refuses bad input whole, writing nothing', async () => {
    const person = await oakland('Ravi');
    const byAdmin = await t.call('POST', `/api/v1/people/${person}/one-on-ones`, {
      as: organizer,
      body: { by: admin.id },
    });
    expect(byAdmin.json().activity.actor_id).toBe(admin.id);
    const cases: [unknown, string][] = [
      [{ by: outsider.id }, 'by'],
      [{ follow_up: { due_at: inDays(1) } }, 'follow_up.title'],
      // The Fresno organizer cannot see an Oakland person: a follow-up for them would be invisible.
      [
        { next_step: 'Call back', follow_up: { due_at: inDays(1), owner_id: fresnoOrganizer.id } },
        'follow_up.owner_id',
      ],
      [{ interests: 'housing' }, 'interests'],
    ];
    for (const [body, field] of cases) {
      const response = await t.call('POST', `/api/v1/people/${person}/one-on-ones`, { as: organizer, body });
      expect(response.statusCode, JSON.stringify(body)).toBe(400);
      expect(JSON.stringify(response.json().errors)).toContain(field);
    }
    const activities = await t.db
      .selectFrom('activity')
      .select('id')
      .where('person_id', '=', person)
      .execute();
    expect(activities).toHaveLength(1);
    expect(await t.db.selectFrom('follow_up').select('id').where('person_id', '=', person).execute()).toEqual(
      [],
    );
  });

  it('cannot be logged or read about someone out of reach (404) or without people.write (403)', async () => {
    const far = await fresno();
    expect(
      (await t.call('POST', `/api/v1/people/${far}/one-on-ones`, { as: organizer, body: { notes: 'x' } }))
        .statusCode,
    ).toBe(404);
    expect((await t.call('GET', `/api/v1/people/${far}/one-on-ones`, { as: organizer })).statusCode).toBe(
      404,
    );
    expect(
      (await t.call('POST', `/api/v1/people/${far}/one-on-ones`, { as: outsider, body: {} })).statusCode,
    ).toBe(404);
    expect(
      (await t.call('POST', `/api/v1/people/${far}/one-on-ones`, { as: volunteer, body: {} })).statusCode,
    ).toBe(403);
    expect(await t.db.selectFrom('activity').select('id').where('person_id', '=', far).execute()).toEqual([]);
  });
});

describe('follow-ups', () => {
  it('"my follow-ups" holds the caller’s open ones: all, due soon, overdue', async () => {
    const me = await makeUser(t.db, admin.orgId, 'local_organizer', 'east.oakland');
    const person = await oakland('Lee');
    const add = async (title: string, due: string, owner?: string) => {
      const response = await t.call('POST', `/api/v1/people/${person}/follow-ups`, {
        as: me,
        body: { title, due_at: due, ...(owner ? { owner_id: owner } : {}) },
      });
      expect(response.statusCode, response.body).toBe(201);
      return response.json();
    };
    await add('overdue call', inDays(-2));
    await add('this week', inDays(3));
    await add('next month', inDays(30));
    const done = await add('finished', inDays(1));
    await add('someone else’s', inDays(1), organizer.id);
    const patched = await t.call('PATCH', `/api/v1/follow-ups/${done.id}`, {
      as: me,
      body: { status: 'done' },
    });
    expect(patched.json()).toMatchObject({ status: 'done' });
    expect(patched.json().done_at).not.toBeNull();
    const titles = async (query: string) =>
      (await t.call('GET', `/api/v1/follow-ups/mine${query}`, { as: me }))
        .json()
        .items.map((f: { title: string }) => f.title);
    expect(await titles('')).toEqual(['overdue call', 'this week', 'next month']);
    expect(await titles('?when=due_soon&days=7')).toEqual(['this week']);
    expect(await titles('?when=overdue')).toEqual(['overdue call']);
    expect(await titles('?when=due_soon&days=60')).toEqual(['this week', 'next month']);
  });

  it('can be handed to another user who can see the person, not to one who cannot', async () => {
    const person = await oakland('Kim');
    const created = (
      await t.call('POST', `/api/v1/people/${person}/follow-ups`, {
        as: admin,
        body: { title: 'Bring flyers', due_at: inDays(2) },
      })
    ).json();
    expect(created.owner_id).toBe(admin.id);
    const refused = await t.call('PATCH', `/api/v1/follow-ups/${created.id}`, {
      as: admin,
      body: { owner_id: fresnoOrganizer.id },
    });
    expect(refused.statusCode).toBe(400);
    expect(JSON.stringify(refused.json().errors)).toContain('owner_id');
    const handed = await t.call('PATCH', `/api/v1/follow-ups/${created.id}`, {
      as: admin,
      body: { owner_id: organizer.id, due_at: inDays(-1) },
    });
    expect(handed.json()).toMatchObject({ owner_id: organizer.id });
    const mine = await t.call('GET', '/api/v1/follow-ups/mine?when=overdue', { as: organizer });
    expect(mine.json().items.map((f: { id: string }) => f.id)).toContain(created.id);
  });

  it('are scoped: out of reach is 404, and a person who leaves the organizer’s reach leaves their list', async () => {
    const far = await fresno();
    expect(
      (
        await t.call('POST', `/api/v1/people/${far}/follow-ups`, {
          as: organizer,
          body: { title: 'x', due_at: inDays(1) },
        })
      ).statusCode,
    ).toBe(404);
    const farFollowUp = (
      await t.call('POST', `/api/v1/people/${far}/follow-ups`, {
        as: admin,
        body: { title: 'x', due_at: inDays(1) },
      })
    ).json();
    expect(
      (
        await t.call('PATCH', `/api/v1/follow-ups/${farFollowUp.id}`, {
          as: organizer,
          body: { status: 'done' },
        })
      ).statusCode,
    ).toBe(404);
    expect((await t.call('GET', `/api/v1/people/${far}/follow-ups`, { as: organizer })).statusCode).toBe(404);
    expect(
      (
        await t.call('PATCH', `/api/v1/follow-ups/${farFollowUp.id}`, {
          as: outsider,
          body: { status: 'done' },
        })
      ).statusCode,
    ).toBe(404);

    const mover = await oakland('Mover');
    const followUp = (
      await t.call('POST', `/api/v1/people/${mover}/follow-ups`, {
        as: organizer,
        body: { title: 'Check in', due_at: inDays(1) },
      })
    ).json();
    const ids = async () =>
      (await t.call('GET', '/api/v1/follow-ups/mine', { as: organizer }))
        .json()
        .items.map((f: { id: string }) => f.id);
    expect(await ids()).toContain(followUp.id);
    await t.db
      .updateTable('person')
      .set({ home_unit_id: units.fresno as string, home_unit_path: sql`'fresno'::ltree` } as never)
      .where('id', '=', mover)
      .execute();
    expect(await ids()).not.toContain(followUp.id);
  });

  it('follow a merged person to the survivor', async () => {
    const survivor = await oakland('Sam');
    const merged = await oakland('Samuel');
    const followUp = (
      await t.call('POST', `/api/v1/people/${merged}/follow-ups`, {
        as: admin,
        body: { title: 'Thank for donation', due_at: inDays(1) },
      })
    ).json();
    await mergePeople(await ctxFor(t.db, admin), survivor, merged);
    const list = await t.call('GET', `/api/v1/people/${survivor}/follow-ups`, { as: admin });
    expect(list.json().items.map((f: { id: string }) => f.id)).toEqual([followUp.id]);
  });
});

describe('point person', () => {
  it('is set, replaced and cleared; it must be a user who can see the person', async () => {
    const person = await oakland('Noor');
    const empty = await t.call('GET', `/api/v1/people/${person}/point-person`, { as: organizer });
    expect(empty.json()).toMatchObject({ person_id: person, user_id: null });
    const set = await t.call('PUT', `/api/v1/people/${person}/point-person`, {
      as: admin,
      body: { user_id: organizer.id },
    });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toMatchObject({ user_id: organizer.id, assigned_by: admin.id });
    const wrong = await t.call('PUT', `/api/v1/people/${person}/point-person`, {
      as: admin,
      body: { user_id: fresnoOrganizer.id },
    });
    expect(wrong.statusCode).toBe(400);
    expect(
      (
        await t.call('PUT', `/api/v1/people/${person}/point-person`, {
          as: admin,
          body: { user_id: outsider.id },
        })
      ).statusCode,
    ).toBe(400);
    const replaced = await t.call('PUT', `/api/v1/people/${person}/point-person`, {
      as: organizer,
      body: { user_id: admin.id },
    });
    expect(replaced.json()).toMatchObject({ user_id: admin.id, assigned_by: organizer.id });
    expect(
      await t.db.selectFrom('point_person').select('id').where('person_id', '=', person).execute(),
    ).toHaveLength(1);
    expect(
      (await t.call('DELETE', `/api/v1/people/${person}/point-person`, { as: organizer })).statusCode,
    ).toBe(204);
    expect(
      (await t.call('GET', `/api/v1/people/${person}/point-person`, { as: organizer })).json().user_id,
    ).toBeNull();
  });

  it('is out of reach like the person: 404 for another chapter’s organizer and another organization', async () => {
    const far = await fresno();
    for (const as of [organizer, outsider]) {
      expect((await t.call('GET', `/api/v1/people/${far}/point-person`, { as })).statusCode).toBe(404);
      expect(
        (await t.call('PUT', `/api/v1/people/${far}/point-person`, { as, body: { user_id: as.id } }))
          .statusCode,
      ).toBe(404);
      expect((await t.call('DELETE', `/api/v1/people/${far}/point-person`, { as })).statusCode).toBe(404);
    }
    expect(await t.db.selectFrom('point_person').select('id').where('person_id', '=', far).execute()).toEqual(
      [],
    );
  });
});
