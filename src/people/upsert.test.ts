import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testEngine } from '../../test/support/db.js';
import { makeOrg, systemCtx } from '../../test/support/fixtures.js';
import type { Ctx } from '../context.js';
import type { Database } from '../db/connect.js';
import { newId } from '../db/ids.js';
import { tenantDb } from '../db/tenant.js';
import { PersonInput, type PersonInputRaw, type Source } from './people.schemas.js';
import { loadPeople, type PersonView } from './people.view.js';
import { type UpsertOutcome, upsertPeople } from './upsert.js';
import { findByEmails, valuesLookup } from './upsert.queries.js';

/** The whole record, as stored (these tests check the engine, not what a user may see). */
async function getPerson(ctx: Ctx, id: string): Promise<PersonView> {
  const [person] = await loadPeople(ctx.db, ctx.actor.orgId, [id]);
  if (!person) throw new Error(`no person ${id}`);
  return person;
}

const importSource: Source = { kind: 'import', ref: 'import-1' };
const signup: Source = { kind: 'signup', ref: 'form-1' };

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.close();
});

async function freshCtx(): Promise<Ctx> {
  const org = await makeOrg(database.db);
  return systemCtx(database.db, org.id);
}

async function up(
  ctx: Ctx,
  raws: PersonInputRaw[],
  source: Source = importSource,
  options = {},
): Promise<UpsertOutcome[]> {
  return await upsertPeople(
    ctx,
    raws.map((r) => PersonInput.parse(r)),
    source,
    options,
  );
}

const ok = (r: UpsertOutcome | undefined) => {
  if (!r || r.outcome === 'rejected') throw new Error(`expected a person, got ${JSON.stringify(r)}`);
  return r;
};

async function countPeople(ctx: Ctx): Promise<number> {
  const row = await ctx.db
    .selectFrom('person')
    .select(sql<number>`count(*)::int`.as('n'))
    .where('org_id', '=', ctx.actor.orgId)
    .executeTakeFirstOrThrow();
  return row.n;
}

describe('upsertPeople', () => {
  it('creates a person with every value, its provenance, and one primary of each kind', async () => {
    const ctx = await freshCtx();
    const [result] = await up(ctx, [
      {
        given_name: ' Maria ',
        family_name: 'Garcia',
        birthdate: '1990-04-05',
        emails: [{ address: 'Maria@Example.ORG' }, { address: 'maria.g@example.net' }],
        phones: [{ number: '(510) 555-0134' }],
        addresses: [
          { lines: ['12 Oak St'], locality: 'Oakland', region: 'CA', postal_code: '94607', country: 'US' },
        ],
        tags: ['Volunteer'],
      },
    ]);
    const created = ok(result);
    expect(created.outcome).toBe('created');
    const person = await getPerson(ctx, created.personId);
    expect(person.given_name).toBe('Maria');
    expect(person.birthdate).toBe('1990-04-05');
    expect(person.emails.map((e) => [e.address, e.primary, e.status])).toEqual([
      ['maria@example.org', true, 'subscribed'],
      ['maria.g@example.net', false, 'subscribed'],
    ]);
    expect(person.emails[0]?.source).toEqual({ kind: 'import', ref: 'import-1' });
    expect(person.phones.map((p) => [p.number, p.primary])).toEqual([['+15105550134', true]]);
    expect(person.addresses[0]?.postal_code).toBe('94607');
    expect(person.tags).toEqual(['Volunteer']);
  });

  it('matches by email and merges arrays instead of replacing them', async () => {
    const ctx = await freshCtx();
    const first = ok(
      (
        await up(ctx, [
          {
            given_name: 'Ana',
            emails: [{ address: 'ana@example.org' }],
            phones: [{ number: '+14155550100' }],
          },
        ])
      )[0],
    );
    const second = ok(
      (
        await up(ctx, [
          {
            given_name: 'Ana',
            family_name: 'Lopez',
            emails: [{ address: 'ANA@example.org' }],
            phones: [{ number: '+14155550199' }],
          },
        ])
      )[0],
    );
    expect(second.personId).toBe(first.personId);
    expect(second.outcome).toBe('updated');
    const person = await getPerson(ctx, first.personId);
    expect(person.family_name).toBe('Lopez');
    expect(person.phones.map((p) => p.number).sort()).toEqual(['+14155550100', '+14155550199']);
    expect(person.phones.filter((p) => p.primary)).toHaveLength(1);
    expect(await countPeople(ctx)).toBe(1);
  });

  it('falls back to the phone when no email matches', async () => {
    const ctx = await freshCtx();
    const first = ok((await up(ctx, [{ given_name: 'Kim', phones: [{ number: '+14155550111' }] }]))[0]);
    const second = ok(
      (
        await up(ctx, [
          {
            given_name: 'Kim',
            emails: [{ address: 'kim@example.org' }],
            phones: [{ number: '415-555-0111' }],
          },
        ])
      )[0],
    );
    expect(second.personId).toBe(first.personId);
    const person = await getPerson(ctx, first.personId);
    expect(person.emails.map((e) => [e.address, e.primary])).toEqual([['kim@example.org', true]]);
  });

  it('keeps two people apart when the birth dates conflict, flags them, and stays idempotent on re-import', async () => {
    const ctx = await freshCtx();
    const rows: PersonInputRaw[] = [
      {
        given_name: 'Louis',
        family_name: 'Rivers',
        birthdate: '1939-01-28',
        emails: [{ address: 'louis.rivers@example.org' }],
      },
      {
        given_name: 'Louis',
        family_name: 'Rivers',
        birthdate: '1981-06-03',
        emails: [{ address: 'louis.rivers@example.org' }],
      },
      {
        given_name: 'Louis',
        family_name: 'Rivers',
        birthdate: '1999-07-28',
        emails: [{ address: 'louis.rivers@example.org' }],
      },
    ];
    const results = (await up(ctx, rows)).map(ok);
    expect(results.map((r) => r.outcome)).toEqual(['created', 'created', 'created']);
    expect(new Set(results.map((r) => r.personId)).size).toBe(3);
    expect(results[1]?.flaggedWith).toEqual([results[0]?.personId]);
    expect(results[2]?.flaggedWith.sort()).toEqual([results[0]?.personId, results[1]?.personId].sort());
    const flagged = await ctx.db
      .selectFrom('possible_duplicate')
      .selectAll()
      .where('org_id', '=', ctx.actor.orgId)
      .execute();
    expect(flagged).toHaveLength(3);
    expect(flagged.every((f) => f.reason.startsWith('different birth dates'))).toBe(true);

    const again = (await up(ctx, rows)).map(ok);
    expect(again.map((r) => r.outcome)).toEqual(['updated', 'updated', 'updated']);
    expect(again.map((r) => r.personId)).toEqual(results.map((r) => r.personId));
    expect(await countPeople(ctx)).toBe(3);
    expect(
      await ctx.db
        .selectFrom('possible_duplicate')
        .select('id')
        .where('org_id', '=', ctx.actor.orgId)
        .execute(),
    ).toHaveLength(3);
  });

  it('keeps a household sharing one email apart when the given names differ', async () => {
    const ctx = await freshCtx();
    const [jane, john] = (
      await up(ctx, [
        { given_name: 'Jane', family_name: 'Smith', emails: [{ address: 'smiths@example.org' }] },
        { given_name: 'John', family_name: 'Smith', emails: [{ address: 'smiths@example.org' }] },
      ])
    ).map(ok);
    expect(jane?.personId).not.toBe(john?.personId);
    expect(john?.flaggedWith).toEqual([jane?.personId]);
    // A short form of the same name is the same person.
    const al = ok((await up(ctx, [{ given_name: 'Al', emails: [{ address: 'alan@example.org' }] }]))[0]);
    const alan = ok((await up(ctx, [{ given_name: 'Alan', emails: [{ address: 'alan@example.org' }] }]))[0]);
    expect(alan.personId).toBe(al.personId);
  });

  it('merges rows of one batch that share an email into one person', async () => {
    const ctx = await freshCtx();
    const results = (
      await up(ctx, [
        { given_name: 'Sam', emails: [{ address: 'sam@example.org' }] },
        { given_name: 'Sam', emails: [{ address: 'sam@example.org' }], phones: [{ number: '+14155550123' }] },
      ])
    ).map(ok);
    expect(results.map((r) => r.outcome)).toEqual(['created', 'updated']);
    expect(results[0]?.personId).toBe(results[1]?.personId);
    const person = await getPerson(ctx, results[0]!.personId);
    expect(person.phones).toHaveLength(1);
  });

  it('treats a foreign identifier as authoritative', async () => {
    const ctx = await freshCtx();
    const first = ok(
      (
        await up(ctx, [
          {
            given_name: 'Lee',
            identifiers: ['actionnetwork:abc-1'],
            emails: [{ address: 'lee@example.org' }],
          },
        ])
      )[0],
    );
    const second = ok(
      (
        await up(ctx, [
          {
            given_name: 'Leigh',
            identifiers: ['actionnetwork:abc-1'],
            emails: [{ address: 'leigh@example.org' }],
          },
        ])
      )[0],
    );
    expect(second.personId).toBe(first.personId);
    const person = await getPerson(ctx, first.personId);
    expect(person.identifiers).toEqual(['actionnetwork:abc-1']);
    expect(person.emails.map((e) => e.address).sort()).toEqual(['lee@example.org', 'leigh@example.org']);
  });

  it('matches a person with no email or phone by full name and the same address', async () => {
    const ctx = await freshCtx();
    const row: PersonInputRaw = {
      given_name: 'Rosa',
      family_name: 'Parks',
      addresses: [{ lines: ['1 Main St'], postal_code: '36104' }],
    };
    const first = ok((await up(ctx, [row]))[0]);
    const again = ok(
      (await up(ctx, [{ ...row, addresses: [{ lines: ['1  MAIN st'], postal_code: '36104' }] }]))[0],
    );
    expect(again.personId).toBe(first.personId);
    const elsewhere = ok(
      (await up(ctx, [{ ...row, addresses: [{ lines: ['9 Elm St'], postal_code: '10001' }] }]))[0],
    );
    expect(elsewhere.outcome).toBe('created');
  });

  it('never resubscribes an opted-out address from a file, but does on the person’s own signup', async () => {
    const ctx = await freshCtx();
    const id = ok(
      (
        await up(ctx, [
          { given_name: 'Ola', emails: [{ address: 'ola@example.org', status: 'unsubscribed' }] },
        ])
      )[0],
    ).personId;
    await up(
      ctx,
      [{ given_name: 'Ola', emails: [{ address: 'ola@example.org', status: 'subscribed' }] }],
      importSource,
    );
    expect((await getPerson(ctx, id)).emails[0]?.status).toBe('unsubscribed');
    await up(ctx, [{ given_name: 'Ola', emails: [{ address: 'ola@example.org' }] }], signup);
    expect((await getPerson(ctx, id)).emails[0]?.status).toBe('unsubscribed');
    await up(
      ctx,
      [{ given_name: 'Ola', emails: [{ address: 'ola@example.org', status: 'subscribed' }] }],
      signup,
    );
    expect((await getPerson(ctx, id)).emails[0]?.status).toBe('subscribed');
  });

  it('moves the primary flag when a new value is given as primary', async () => {
    const ctx = await freshCtx();
    const id = ok(
      (await up(ctx, [{ given_name: 'Bo', emails: [{ address: 'old@example.org' }] }]))[0],
    ).personId;
    await up(
      ctx,
      [
        {
          given_name: 'Bo',
          emails: [{ address: 'old@example.org' }, { address: 'new@example.org', primary: true }],
        },
      ],
      signup,
    );
    const person = await getPerson(ctx, id);
    expect(person.emails.filter((e) => e.primary).map((e) => e.address)).toEqual(['new@example.org']);
  });

  it('gives new people the batch’s home unit and tags, and rejects an unknown unit', async () => {
    const ctx = await freshCtx();
    await ctx.db
      .insertInto('unit')
      .values({ org_id: ctx.actor.orgId, id: newId(), path: 'east', name: 'East', kind: 'chapter' })
      .execute();
    const result = ok(
      (
        await up(ctx, [{ given_name: 'Ty', emails: [{ address: 'ty@example.org' }] }], importSource, {
          unitPath: 'east',
          tags: ['March import'],
        })
      )[0],
    );
    const person = await getPerson(ctx, result.personId);
    expect(person.home_unit?.path).toBe('east');
    expect(person.tags).toEqual(['March import']);
    const [rejected] = await up(ctx, [{ given_name: 'Vi', home_unit: 'nowhere' }]);
    expect(rejected).toEqual({
      outcome: 'rejected',
      problems: [{ field: 'home_unit', message: 'no unit with path nowhere' }],
    });
  });

  it('validates custom field values by type, keeps values from every source, and prefers the newest', async () => {
    const ctx = await freshCtx();
    const field = (
      key: string,
      field_type: 'number' | 'multi_choice' | 'boolean',
      choices: string[] | null = null,
    ) => ({
      org_id: ctx.actor.orgId,
      id: newId(),
      key,
      label: key,
      field_type,
      choices,
      archived_at: null,
    });
    await ctx.db
      .insertInto('custom_field')
      .values([
        field('shirt_count', 'number'),
        field('issues', 'multi_choice', ['Housing', 'Transit']),
        field('driver', 'boolean'),
      ])
      .execute();
    const person = { given_name: 'Iris', emails: [{ address: 'iris@example.org' }] };
    const id = ok(
      (
        await up(ctx, [
          { ...person, custom_fields: { shirt_count: '2', issues: 'housing; Transit', driver: 'yes' } },
        ])
      )[0],
    ).personId;
    expect((await getPerson(ctx, id)).custom_fields).toEqual({
      shirt_count: 2,
      issues: ['Housing', 'Transit'],
      driver: true,
    });
    await up(ctx, [{ ...person, custom_fields: { shirt_count: 3 } }], signup);
    expect((await getPerson(ctx, id)).custom_fields.shirt_count).toBe(3);
    const stored = await ctx.db
      .selectFrom('person_field_value')
      .select(['value', 'is_preferred', 'source_kind'])
      .where('person_id', '=', id)
      .orderBy('observed_at')
      .execute();
    expect(
      stored
        .filter((v) => (v.value as number) === 2 || v.value === 3)
        .map((v) => [v.value, v.is_preferred, v.source_kind]),
    ).toEqual([
      [2, false, 'import'],
      [3, true, 'signup'],
    ]);
    const [rejected] = await up(ctx, [{ ...person, custom_fields: { shirt_count: 'lots', nope: 1 } }]);
    expect(rejected).toEqual({
      outcome: 'rejected',
      problems: [
        { field: 'custom_fields.shirt_count', message: 'must be a number' },
        { field: 'custom_fields.nope', message: 'no custom field with this key' },
      ],
    });
  });

  it('never matches across organizations', async () => {
    const a = await freshCtx();
    const b = await freshCtx();
    const inA = ok((await up(a, [{ given_name: 'Mo', emails: [{ address: 'mo@example.org' }] }]))[0]);
    const inB = ok((await up(b, [{ given_name: 'Mo', emails: [{ address: 'mo@example.org' }] }]))[0]);
    expect(inB.outcome).toBe('created');
    expect(inB.personId).not.toBe(inA.personId);
  });

  it.runIf(testEngine === 'postgres')(
    'creates one person when the same signup arrives twice at once',
    async () => {
      const ctx = await freshCtx();
      const row = { given_name: 'Pat', emails: [{ address: 'pat@example.org' }] };
      const results = await Promise.all(Array.from({ length: 8 }, () => up(ctx, [row], signup)));
      expect(new Set(results.map((r) => ok(r[0]).personId)).size).toBe(1);
      expect(await countPeople(ctx)).toBe(1);
    },
  );

  it('property: every value lands on its person with one primary of each kind, and people share an email only when flagged', async () => {
    const given = fc.constantFrom('Ana', 'Ben', 'Cy', 'Dee');
    const email = fc.constantFrom('a@x.org', 'b@x.org', 'c@x.org', 'd@x.org', 'e@x.org');
    const phone = fc.constantFrom('+14155550001', '+14155550002', '+14155550003');
    const birth = fc.option(fc.constantFrom('1980-01-01', '1990-02-02'), { nil: undefined });
    const row = fc.record({
      given_name: given,
      birthdate: birth,
      emails: fc.array(email, { maxLength: 2 }).map((list) => list.map((address) => ({ address }))),
      phones: fc.array(phone, { maxLength: 1 }).map((list) => list.map((number) => ({ number }))),
    });
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(row, { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 3 }),
        async (batches) => {
          const ctx = await freshCtx();
          for (const batch of batches) {
            const results = await up(ctx, batch, signup);
            for (const [i, result] of results.entries()) {
              const person = await getPerson(ctx, ok(result).personId);
              const input = batch[i]!;
              for (const e of input.emails) expect(person.emails.map((x) => x.address)).toContain(e.address);
              for (const p of input.phones) expect(person.phones.map((x) => x.number)).toContain(p.number);
              // Exactly one primary of each kind held, whoever matched whom.
              expect(person.emails.filter((x) => x.primary)).toHaveLength(person.emails.length > 0 ? 1 : 0);
              expect(person.phones.filter((x) => x.primary)).toHaveLength(person.phones.length > 0 ? 1 : 0);
            }
          }
          const shared = await sql<{ a: string; b: string }>`
          SELECT DISTINCT least(x.person_id, y.person_id) AS a, greatest(x.person_id, y.person_id) AS b
          FROM person_email x JOIN person_email y ON x.address = y.address AND x.person_id < y.person_id
          WHERE x.org_id = ${ctx.actor.orgId}`.execute(ctx.db);
          const flagged = await ctx.db
            .selectFrom('possible_duplicate')
            .select(['person_a', 'person_b'])
            .where('org_id', '=', ctx.actor.orgId)
            .execute();
          const flaggedPairs = new Set(flagged.map((f) => `${f.person_a}|${f.person_b}`));
          for (const pair of shared.rows) expect(flaggedPairs.has(`${pair.a}|${pair.b}`)).toBe(true);
        },
      ),
      { numRuns: 25 },
    );
  });
});

describe('matching look-ups', () => {
  it('probe the index once per value, whatever the planner thinks of the batch', async () => {
    const ctx = await freshCtx();
    const orgId = ctx.actor.orgId;
    // An organization of 6,000 people with fresh statistics, and a batch of 2,000 new e-mails and
    // phones: as a join, this batch was a scan of every value and a hash of every person.
    for (let from = 0; from < 6000; from += 2000) {
      await up(
        ctx,
        Array.from({ length: 2000 }, (_, i) => ({
          given_name: `P${from + i}`,
          emails: [{ address: `p${from + i}@example.org` }],
          phones: [{ number: `+1510555${String(from + i).padStart(4, '0')}` }],
        })),
      );
    }
    await sql`ANALYZE person, person_email, person_phone`.execute(database.db);
    const db = tenantDb(database.db, orgId);
    const emails = Array.from({ length: 2000 }, (_, i) => `new${i}@example.org`);
    const phones = Array.from({ length: 2000 }, (_, i) => `+1415555${String(i).padStart(4, '0')}`);
    for (const [table, column, values] of [
      ['person_email', 'address', emails],
      ['person_phone', 'number', phones],
    ] as const) {
      const { rows } = await sql<{
        'QUERY PLAN': string;
      }>`EXPLAIN ${valuesLookup(table, column, orgId, values)}`.execute(db);
      const plan = rows.map((r) => r['QUERY PLAN']).join('\n');
      expect(plan).not.toMatch(/Seq Scan on (person|person_email|person_phone)\b/);
      expect(plan).not.toContain('Hash');
      expect(plan).toMatch(new RegExp(`Index (Only )?Scan using ${table}_org_${column}_person_key`));
    }
    // And it finds who holds a value, oldest first, leaving out people merged into others.
    const found = await findByEmails(db, orgId, ['p1@example.org', 'p2@example.org', 'nobody@example.org']);
    expect([...found.keys()]).toEqual(['p1@example.org', 'p2@example.org']);
  });
});
