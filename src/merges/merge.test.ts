import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  makeOrg,
  makeUser,
  systemCtx,
  type TestApp,
  type TestUser,
} from '../../test/support/fixtures.js';
import { snapshotDatabase } from '../../test/support/snapshot.js';
import type { Ctx } from '../context.js';
import { newId } from '../db/ids.js';
import { addressKey, PersonInput, type PersonInputRaw } from '../people/index.js';
import { mergePeople, previewMerge, undoMerge } from './merge.js';

let t: TestApp;
let admin: TestUser;
let outsider: TestUser;
let ctx: Ctx;

beforeAll(async () => {
  t = await createTestApp();
  const org = await makeOrg(t.db, 'eastside');
  admin = await makeUser(t.db, org.id, 'org_admin');
  outsider = await makeUser(t.db, (await makeOrg(t.db, 'westside')).id, 'org_admin');
  ctx = systemCtx(t.db, org.id);
});
afterAll(async () => {
  await t.close();
});

/**
 * A person written directly, without matching: the tests need two records of one person, which
 * the signup path would (rightly) have made one.
 */
async function person(raw: PersonInputRaw): Promise<string> {
  const input = PersonInput.parse(raw);
  const orgId = ctx.actor.orgId;
  const id = newId();
  const provenance = { source_kind: 'import', source_ref: 'test' };
  await t.db
    .insertInto('person')
    .values({
      org_id: orgId,
      id,
      given_name: input.given_name ?? null,
      family_name: input.family_name ?? null,
      additional_name: null,
      pronouns: null,
      preferred_language: null,
      birthdate: input.birthdate ?? null,
      home_unit_id: null,
      home_unit_path: null,
      merged_into: null,
      origin_node: null,
      origin_id: null,
    })
    .execute();
  for (const [i, e] of input.emails.entries()) {
    await t.db
      .insertInto('person_email')
      .values({
        org_id: orgId,
        id: newId(),
        person_id: id,
        address: e.address,
        is_primary: i === 0,
        ...provenance,
        origin_node: null,
        origin_id: null,
      })
      .execute();
  }
  for (const [i, p] of input.phones.entries()) {
    await t.db
      .insertInto('person_phone')
      .values({
        org_id: orgId,
        id: newId(),
        person_id: id,
        number: p.number,
        is_primary: i === 0,
        ...provenance,
        origin_node: null,
        origin_id: null,
      })
      .execute();
  }
  for (const [i, a] of input.addresses.entries()) {
    await t.db
      .insertInto('person_address')
      .values({
        org_id: orgId,
        id: newId(),
        person_id: id,
        address_lines: a.lines,
        locality: null,
        region: null,
        postal_code: a.postal_code ?? null,
        country: null,
        latitude: null,
        longitude: null,
        address_key: addressKey(a),
        is_primary: i === 0,
        ...provenance,
        origin_node: null,
        origin_id: null,
      })
      .execute();
  }
  for (const name of input.tags) {
    const existing = await t.db
      .selectFrom('tag')
      .select('id')
      .where('org_id', '=', orgId)
      .where('name', '=', name)
      .executeTakeFirst();
    const tagId = existing?.id ?? newId();
    if (!existing)
      await t.db
        .insertInto('tag')
        .values({ org_id: orgId, id: tagId, name, description: null, origin_node: null, origin_id: null })
        .execute();
    await t.db
      .insertInto('tagging')
      .values({
        org_id: orgId,
        id: newId(),
        tag_id: tagId,
        person_id: id,
        source_ref: null,
        origin_node: null,
        origin_id: null,
      })
      .execute();
  }
  return id;
}

/** Every row of both people in every table, minus what any write changes (seq, updated_at). */
async function stateOf(ids: string[]): Promise<string[]> {
  const out: string[] = [];
  const tables = [
    'person',
    'person_email',
    'person_phone',
    'person_address',
    'person_field_value',
    'tagging',
    'list_item',
    'note',
    'activity',
  ];
  for (const table of tables) {
    const column = table === 'person' ? 'id' : 'person_id';
    const rows = await sql<
      Record<string, unknown>
    >`SELECT * FROM ${sql.table(table)} WHERE ${sql.ref(column)} = ANY(${ids}::uuid[])`.execute(t.db);
    for (const { seq: _s, updated_at: _u, ...row } of rows.rows) out.push(`${table} ${JSON.stringify(row)}`);
  }
  const rel = await sql<
    Record<string, unknown>
  >`SELECT * FROM relationship WHERE person_id = ANY(${ids}::uuid[]) OR related_person_id = ANY(${ids}::uuid[])`.execute(
    t.db,
  );
  for (const { seq: _s, updated_at: _u, ...row } of rel.rows) out.push(`relationship ${JSON.stringify(row)}`);
  const idents = await sql<
    Record<string, unknown>
  >`SELECT entity_id, identifier FROM foreign_identifier WHERE entity_id = ANY(${ids}::uuid[])`.execute(t.db);
  for (const row of idents.rows) out.push(`identifier ${JSON.stringify(row)}`);
  const dups = await sql<
    Record<string, unknown>
  >`SELECT id, person_a, person_b, status FROM possible_duplicate WHERE person_a = ANY(${ids}::uuid[]) OR person_b = ANY(${ids}::uuid[])`.execute(
    t.db,
  );
  for (const row of dups.rows) out.push(`duplicate ${JSON.stringify(row)}`);
  return out.sort();
}

describe('merging two records of one person', () => {
  it('keeps the survivor’s values, fills its blanks, and unions everything else once', async () => {
    const a = await person({
      given_name: 'Maria',
      emails: [{ address: 'maria@example.org' }],
      tags: ['Volunteer'],
    });
    const b = await person({
      given_name: 'María',
      family_name: 'Lopez',
      birthdate: '1980-05-06',
      emails: [{ address: 'maria@example.org' }, { address: 'm.lopez@example.net' }],
      phones: [{ number: '+15105550101' }],
      tags: ['Volunteer', 'Tenant'],
    });
    await t.db
      .insertInto('note')
      .values({
        org_id: ctx.actor.orgId,
        id: newId(),
        person_id: b,
        author_id: null,
        body: 'Met at the rally',
      })
      .execute();
    const preview = await previewMerge(ctx, a, b);
    const before = await snapshotDatabase(t.db);
    expect(await snapshotDatabase(t.db)).toEqual(before);
    const { person: merged, merge_id } = await mergePeople(ctx, a, b);
    const { updated_at: _p, ...previewRest } = preview;
    const { updated_at: _m, ...mergedRest } = merged;
    expect(mergedRest).toEqual(previewRest);
    expect(merged).toMatchObject({
      given_name: 'Maria',
      family_name: 'Lopez',
      birthdate: '1980-05-06',
      tags: ['Tenant', 'Volunteer'],
    });
    expect(merged.emails?.map((e) => [e.address, e.primary])).toEqual([
      ['maria@example.org', true],
      ['m.lopez@example.net', false],
    ]);
    expect(merged.phones?.map((p) => p.number)).toEqual(['+15105550101']);
    const notes = await t.db
      .selectFrom('note')
      .select('person_id')
      .where('body', '=', 'Met at the rally')
      .execute();
    expect(notes).toEqual([{ person_id: a }]);
    expect((await t.call('GET', `/api/v1/people/${b}`, { as: admin })).statusCode).toBe(404);
    expect(merge_id).toBeTruthy();
  });

  it('is undone exactly, whatever the two records hold (property)', async () => {
    const email = fc.constantFrom('a@x.org', 'b@x.org', 'c@x.org', 'd@x.org');
    const phone = fc.constantFrom('+15105550001', '+15105550002', '+15105550003');
    const record = fc.record({
      given_name: fc.option(fc.constantFrom('Ana', 'Ann', 'Bo'), { nil: undefined }),
      birthdate: fc.option(fc.constantFrom('1970-01-01', '1990-02-02'), { nil: undefined }),
      emails: fc.uniqueArray(email, { maxLength: 3 }).map((l) => l.map((address) => ({ address }))),
      phones: fc.uniqueArray(phone, { maxLength: 2 }).map((l) => l.map((number) => ({ number }))),
      addresses: fc
        .uniqueArray(fc.constantFrom('1 Main St', '2 Oak Ave'), { maxLength: 2 })
        .map((l) => l.map((line) => ({ lines: [line], postal_code: '94607' }))),
      tags: fc.uniqueArray(fc.constantFrom('Volunteer', 'Donor', 'Tenant'), { maxLength: 2 }),
      notes: fc.array(fc.constantFrom('called', 'met'), { maxLength: 2 }),
    });
    await fc.assert(
      fc.asyncProperty(record, record, fc.boolean(), async (x, y, relate) => {
        const { notes: xNotes, ...xInput } = x;
        const { notes: yNotes, ...yInput } = y;
        const a = await person(xInput);
        const b = await person(yInput);
        for (const [id, notes] of [
          [a, xNotes],
          [b, yNotes],
        ] as const) {
          for (const body of notes)
            await t.db
              .insertInto('note')
              .values({ org_id: ctx.actor.orgId, id: newId(), person_id: id, author_id: null, body })
              .execute();
        }
        if (relate) {
          await t.db
            .insertInto('relationship')
            .values({
              org_id: ctx.actor.orgId,
              id: newId(),
              person_id: b,
              related_person_id: a,
              kind: 'household',
              custom_label: null,
            })
            .execute();
        }
        const before = await stateOf([a, b]);
        const { merge_id } = await mergePeople(ctx, a, b);
        expect(await stateOf([a, b])).not.toEqual(before);
        await undoMerge(ctx, merge_id);
        expect(await stateOf([a, b])).toEqual(before);
      }),
      { numRuns: 20 },
    );
  });

  it('keeps what was added to the survivor after the merge when undone', async () => {
    const a = await person({ given_name: 'Kai', emails: [{ address: 'kai@example.org' }] });
    const b = await person({ given_name: 'Kai', emails: [{ address: 'kai2@example.org' }] });
    const { merge_id } = await mergePeople(ctx, a, b);
    await t.call('POST', `/api/v1/people/${a}/phones`, { as: admin, body: { number: '+15105550177' } });
    const undone = await t.call('POST', `/api/v1/merges/${merge_id}/undo`, { as: admin });
    expect(undone.statusCode).toBe(200);
    expect(undone.json().survivor.phones.map((p: { number: string }) => p.number)).toEqual(['+15105550177']);
    expect(undone.json().restored.emails.map((e: { address: string }) => e.address)).toEqual([
      'kai2@example.org',
    ]);
    expect((await t.call('POST', `/api/v1/merges/${merge_id}/undo`, { as: admin })).statusCode).toBe(409);
  });

  it('refuses to undo when the survivor was merged away since', async () => {
    const a = await person({ given_name: 'Lu' });
    const b = await person({ given_name: 'Lu' });
    const c = await person({ given_name: 'Lu' });
    const first = await mergePeople(ctx, a, b);
    await mergePeople(ctx, c, a);
    await expect(undoMerge(ctx, first.merge_id)).rejects.toMatchObject({ code: 'conflict' });
  });
});

describe('merging over HTTP', () => {
  it('previews, merges and lists the merge in both people’s history', async () => {
    const a = await person({
      given_name: 'Louis',
      family_name: 'Rivers',
      emails: [{ address: 'louis@example.org' }],
    });
    const b = await person({
      given_name: 'Louis',
      birthdate: '1939-01-28',
      emails: [{ address: 'louis@example.org' }],
    });
    const preview = await t.call('POST', '/api/v1/people/merge/preview', {
      as: admin,
      body: { survivor_id: a, merged_id: b },
    });
    expect(preview.json()).toMatchObject({ id: a, family_name: 'Rivers', birthdate: '1939-01-28' });
    expect((await t.call('GET', `/api/v1/people/${b}`, { as: admin })).statusCode).toBe(200);
    const merged = await t.call('POST', '/api/v1/people/merge', {
      as: admin,
      body: { survivor_id: a, merged_id: b },
    });
    expect(merged.statusCode).toBe(200);
    const history = (await t.call('GET', `/api/v1/people/${a}/merges`, { as: admin })).json();
    expect(history.items).toEqual([
      expect.objectContaining({ id: merged.json().merge_id, survivor_id: a, merged_id: b, undone_at: null }),
    ]);
  });

  it('keeps other organizations and non-mergers out', async () => {
    const a = await person({ given_name: 'Zed' });
    const b = await person({ given_name: 'Zed' });
    const organizer = await makeUser(t.db, admin.orgId, 'local_organizer');
    const before = await snapshotDatabase(t.db);
    expect(
      (await t.call('POST', '/api/v1/people/merge', { as: outsider, body: { survivor_id: a, merged_id: b } }))
        .statusCode,
    ).toBe(404);
    expect(
      (
        await t.call('POST', '/api/v1/people/merge', {
          as: organizer,
          body: { survivor_id: a, merged_id: b },
        })
      ).statusCode,
    ).toBe(403);
    expect(
      (await t.call('POST', '/api/v1/people/merge', { as: admin, body: { survivor_id: a, merged_id: a } }))
        .statusCode,
    ).toBe(400);
    expect(await snapshotDatabase(t.db)).toEqual(before);
  });
});
