import fc from 'fast-check';
import { type Kysely, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase } from '../../test/support/db.js';
import { makeOrg, systemCtx } from '../../test/support/fixtures.js';
import { NOT_SENSITIVE } from '../access/scope.js';
import type { Database } from '../db/connect.js';
import { newIds } from '../db/ids.js';
import type { DB } from '../db/schema.js';
import { tenantDb } from '../db/tenant.js';
import { mergePeople, undoMerge } from '../merges/index.js';
import { PersonInput } from './people.schemas.js';
import { countEveryone } from './people.search.js';
import { deletePerson } from './people.service.js';
import { upsertPeople } from './upsert.js';

/**
 * people_count (migration 0021) is bookkeeping the database keeps with statement triggers: after
 * any sequence of writes to people it must equal a count of them, for every organization.
 */
describe('people_count', () => {
  let database: Database;
  let orgs: string[];

  beforeAll(async () => {
    database = await createTestDatabase();
    orgs = [(await makeOrg(database.db, 'north')).id, (await makeOrg(database.db, 'south')).id];
  });
  afterAll(async () => {
    await database.close();
  });

  async function expectExact(db: Kysely<DB>, orgId: string, label: string) {
    const { rows } = await sql<{ people: number; sensitive: number }>`
      SELECT count(*)::int AS people, count(*) FILTER (WHERE sensitive)::int AS sensitive
      FROM person WHERE org_id = ${orgId} AND merged_into IS NULL`.execute(db);
    const actual = rows[0] as { people: number; sensitive: number };
    const tenant = tenantDb(db, orgId);
    expect(await countEveryone(tenant, orgId, null), label).toBe(actual.people);
    expect(await countEveryone(tenant, orgId, NOT_SENSITIVE), label).toBe(actual.people - actual.sensitive);
  }

  type Op =
    | { kind: 'insert'; org: number; n: number; sensitive: boolean[] }
    | { kind: 'sensitive'; org: number; pick: number; value: boolean }
    | { kind: 'merge'; org: number; pick: number }
    | { kind: 'unmerge'; org: number; pick: number }
    | { kind: 'delete'; org: number; pick: number }
    | { kind: 'rename'; org: number };

  const op: fc.Arbitrary<Op> = fc.oneof(
    fc.record({
      kind: fc.constant('insert' as const),
      org: fc.nat(1),
      n: fc.integer({ min: 1, max: 6 }),
      sensitive: fc.array(fc.boolean(), { minLength: 6, maxLength: 6 }),
    }),
    fc.record({
      kind: fc.constant('sensitive' as const),
      org: fc.nat(1),
      pick: fc.nat(),
      value: fc.boolean(),
    }),
    fc.record({ kind: fc.constant('merge' as const), org: fc.nat(1), pick: fc.nat() }),
    fc.record({ kind: fc.constant('unmerge' as const), org: fc.nat(1), pick: fc.nat() }),
    fc.record({ kind: fc.constant('delete' as const), org: fc.nat(1), pick: fc.nat() }),
    fc.record({ kind: fc.constant('rename' as const), org: fc.nat(1) }),
  );

  it('equals a count of live people after any writes, as the application role', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(op, { minLength: 1, maxLength: 12 }), async (ops) => {
        for (const o of ops) {
          const orgId = orgs[o.org] as string;
          const db = tenantDb(database.db, orgId);
          const ids = (
            await sql<{ id: string; merged: boolean }>`
              SELECT id, merged_into IS NOT NULL AS merged FROM person WHERE org_id = ${orgId} ORDER BY id`.execute(
              db,
            )
          ).rows;
          const pick = (i: number, merged?: boolean) => {
            const pool = ids.filter((r) => merged === undefined || r.merged === merged);
            return pool.length > 0 ? pool[i % pool.length]?.id : undefined;
          };
          if (o.kind === 'insert') {
            const fresh = newIds(o.n);
            await db
              .insertInto('person')
              .values(fresh.map((id, i) => ({ org_id: orgId, id, sensitive: o.sensitive[i] ?? false })))
              .execute();
          } else if (o.kind === 'sensitive') {
            const id = pick(o.pick);
            if (id) await db.updateTable('person').set({ sensitive: o.value }).where('id', '=', id).execute();
          } else if (o.kind === 'merge') {
            const id = pick(o.pick, false);
            const into = pick(o.pick + 1, false);
            if (id && into && id !== into)
              await db.updateTable('person').set({ merged_into: into }).where('id', '=', id).execute();
          } else if (o.kind === 'unmerge') {
            const id = pick(o.pick, true);
            if (id) await db.updateTable('person').set({ merged_into: null }).where('id', '=', id).execute();
          } else if (o.kind === 'delete') {
            const id = pick(o.pick);
            if (id) {
              await db
                .updateTable('person')
                .set({ merged_into: null })
                .where('merged_into', '=', id)
                .execute();
              await db.deleteFrom('person').where('id', '=', id).execute();
            }
          } else {
            // An update that changes no total (every person's name at once).
            await db
              .updateTable('person')
              .set({ pronouns: 'they/them' })
              .where('org_id', '=', orgId)
              .execute();
          }
        }
        for (const orgId of orgs) await expectExact(database.db, orgId, JSON.stringify(ops));
      }),
      { numRuns: 25 },
    );
  });

  it('follows imports, merges, their undoing and deletes through the services', async () => {
    const orgId = (await makeOrg(database.db, 'services')).id;
    const ctx = systemCtx(tenantDb(database.db, orgId), orgId);
    await expectExact(database.db, orgId, 'a new organization');
    const outcomes = await upsertPeople(
      ctx,
      [
        { given_name: 'Ana', emails: [{ address: 'ana@example.org' }] },
        { given_name: 'Ana', emails: [{ address: 'ANA@example.org' }] },
        { given_name: 'Ben', emails: [{ address: 'ben@example.org' }] },
        { given_name: 'Cy', phones: [{ number: '+15105550100' }] },
      ].map((raw) => PersonInput.parse(raw)),
      { kind: 'import', ref: 'test' },
    );
    expect(outcomes.map((o) => o.outcome)).toEqual(['created', 'updated', 'created', 'created']);
    await expectExact(database.db, orgId, 'after an import');
    const [ana, , ben, cy] = outcomes.map((o) => (o.outcome === 'rejected' ? '' : o.personId));
    const { merge_id } = await mergePeople(ctx, ana as string, ben as string);
    await expectExact(database.db, orgId, 'after a merge');
    await undoMerge(ctx, merge_id);
    await expectExact(database.db, orgId, 'after undoing it');
    await deletePerson(ctx, cy as string);
    await expectExact(database.db, orgId, 'after a delete');
  });

  it('is written by the triggers only, and goes with its organization', async () => {
    const orgId = orgs[0] as string;
    const db = tenantDb(database.db, orgId);
    await expect(sql`UPDATE people_count SET people = 0`.execute(db)).rejects.toThrow();
    await expect(sql`INSERT INTO people_count (org_id) VALUES (${orgId})`.execute(db)).rejects.toThrow();
    const gone = (await makeOrg(database.db, 'gone')).id;
    await database.db
      .insertInto('person')
      .values(newIds(3).map((id) => ({ org_id: gone, id })))
      .execute();
    await expectExact(database.db, gone, 'before the organization goes');
    await database.db.deleteFrom('org').where('id', '=', gone).execute();
    const left = await database.db
      .selectFrom('people_count')
      .select('org_id')
      .where('org_id', '=', gone)
      .execute();
    expect(left).toEqual([]);
  });
});
