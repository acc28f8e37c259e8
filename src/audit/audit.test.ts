import fc from 'fast-check';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, testEngine } from '../../test/support/db.js';
import { makeOrg, systemCtx } from '../../test/support/fixtures.js';
import type { Actor } from '../context.js';
import type { Database } from '../db/connect.js';
import { newId } from '../db/ids.js';
import { silentLog } from '../log.js';
import { type ChainRow, canonicalJson, entryHash, toPendingRow } from './audit.chain.js';
import { AuditLog, recordNow } from './audit.log.js';
import { chainPage } from './audit.queries.js';
import { auditPeopleRead } from './audit.service.js';
import { verifyAuditChain } from './audit.verify.js';

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database.close();
});

const cli = (orgId: string): Actor => ({ kind: 'system', orgId, label: 'test' });
const user = (orgId: string): Actor => ({
  kind: 'user',
  orgId,
  userId: newId(),
  via: 'token',
  tokenId: newId(),
  access: { orgId, userId: null, grants: [] },
});

async function chainOf(orgId: string) {
  return await database.db
    .selectFrom('audit_event')
    .select(['seq', 'prev_hash', 'hash', 'action', 'purpose'])
    .where('org_id', '=', orgId)
    .orderBy('seq')
    .execute();
}

/** Runs SQL with the append-only triggers off, as a superuser tampering would. */
async function tamper(statement: ReturnType<typeof sql>): Promise<void> {
  await sql`ALTER TABLE audit_event DISABLE TRIGGER USER`.execute(database.db);
  await sql`ALTER TABLE audit_head DISABLE TRIGGER USER`.execute(database.db);
  try {
    await statement.execute(database.db);
  } finally {
    await sql`ALTER TABLE audit_event ENABLE TRIGGER USER`.execute(database.db);
    await sql`ALTER TABLE audit_head ENABLE TRIGGER USER`.execute(database.db);
  }
}

/** An organization with `n` entries (seq 1..n), written through the batching log. */
async function orgWithEntries(n: number): Promise<string> {
  const org = (await makeOrg(database.db)).id;
  const log = new AuditLog(database.db, silentLog, { maxBatch: 4 });
  for (let i = 0; i < n; i++)
    log.record({
      orgId: org,
      action: 'person.read',
      actor: cli(org),
      subjectIds: [newId()],
      fields: ['email'],
    });
  await log.close();
  return org;
}

describe('the hash', () => {
  it('is the same for the same entry whatever the key order of its detail', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: null } })).toBe(
      '{"a":{"c":null,"d":[1,{"x":1,"y":2}]},"b":1}',
    );
    fc.assert(
      fc.property(fc.dictionary(fc.string(), fc.jsonValue()), (detail) => {
        const reversed = Object.fromEntries(Object.entries(detail).reverse());
        expect(canonicalJson(reversed)).toBe(canonicalJson(detail));
      }),
    );
  });

  it('changes when any hashed column changes', () => {
    const orgId = newId();
    const base = {
      ...toPendingRow(
        {
          orgId,
          action: 'person.read',
          actor: user(orgId),
          subjectIds: [newId()],
          fields: ['email'],
          purpose: 'canvass',
          detail: { page: 1 },
        },
        new Date('2026-01-01T00:00:00Z'),
      ),
      seq: 7,
      prev_hash: 'a'.repeat(64),
    };
    const hash = entryHash(base);
    const changes: Partial<typeof base>[] = [
      { org_id: newId() },
      { seq: 8 },
      { id: newId() },
      { at: new Date('2026-01-01T00:00:00.001Z') },
      { action: 'people.export' },
      { actor_kind: 'system' },
      { actor_id: newId() },
      { actor_label: 'other' },
      { subject_ids: [...base.subject_ids, newId()] },
      { fields: ['phone'] },
      { purpose: null },
      { detail: { page: 2 } },
      { prev_hash: 'b'.repeat(64) },
    ];
    for (const change of changes)
      expect(entryHash({ ...base, ...change }), Object.keys(change)[0]).not.toBe(hash);
  });

  it('refuses a malformed entry at once, not at flush', () => {
    const log = new AuditLog(database.db, silentLog);
    const orgId = newId();
    expect(() =>
      log.record({ orgId, action: 'person.read', actor: cli(orgId), subjectIds: ['not-a-uuid'] }),
    ).toThrow(/not a uuid/);
    expect(() => log.record({ orgId, action: 'person.eat' as 'person.read', actor: cli(orgId) })).toThrow(
      /unknown action/,
    );
    expect(log.stats().pending).toBe(0);
  });
});

describe('the audit log', () => {
  it('returns at once from record, and writes one gapless chain over many flushes', async () => {
    const org = (await makeOrg(database.db)).id;
    const log = new AuditLog(database.db, silentLog, { maxBatch: 7, flushMs: 5 });
    for (let i = 0; i < 100; i++) {
      log.record({ orgId: org, action: 'person.read', actor: cli(org), fields: ['email'], purpose: `p${i}` });
      // Nothing was written yet: record only buffers.
      if (i === 0) expect(log.stats()).toMatchObject({ pending: 1, written: 0 });
      if (i % 10 === 9) await log.flush();
      else if (i % 13 === 0) await new Promise((r) => setTimeout(r, 2));
    }
    await log.close();
    expect(log.stats()).toMatchObject({ pending: 0, written: 100, dropped: 0 });
    expect(log.stats().flushes).toBeGreaterThanOrEqual(10);
    const chain = await chainOf(org);
    expect(chain.map((r) => r.seq)).toEqual(Array.from({ length: 100 }, (_, i) => i + 1));
    // Recorded order is chain order.
    expect(chain.map((r) => r.purpose)).toEqual(Array.from({ length: 100 }, (_, i) => `p${i}`));
    expect(chain[0]?.prev_hash).toBe('0'.repeat(64));
    for (let i = 1; i < chain.length; i++) expect(chain[i]?.prev_hash).toBe(chain[i - 1]?.hash);
    const head = await database.db
      .selectFrom('audit_head')
      .selectAll()
      .where('org_id', '=', org)
      .executeTakeFirstOrThrow();
    expect(head).toMatchObject({ seq: 100, hash: chain[99]?.hash });
    expect(await verifyAuditChain(database.db, org)).toMatchObject({ ok: true, checked: 100, problems: [] });
  });

  it('keeps one gapless chain when two logs (two processes) and recordNow write one organization at once', async () => {
    const org = (await makeOrg(database.db)).id;
    const a = new AuditLog(database.db, silentLog, { maxBatch: 5, flushMs: 1 });
    const b = new AuditLog(database.db, silentLog, { maxBatch: 3, flushMs: 1 });
    const writes: Promise<void>[] = [];
    for (let i = 0; i < 60; i++) {
      a.record({ orgId: org, action: 'person.read', actor: cli(org), purpose: `a${i}` });
      b.record({ orgId: org, action: 'people.export', actor: cli(org), purpose: `b${i}` });
      if (i % 10 === 0)
        writes.push(recordNow(database.db, { orgId: org, action: 'token.create', actor: cli(org) }));
      if (i % 7 === 0) writes.push(a.flush(), b.flush());
    }
    await Promise.all([...writes, a.close(), b.close()]);
    const chain = await chainOf(org);
    expect(chain).toHaveLength(126);
    expect(chain.map((r) => r.seq)).toEqual(Array.from({ length: 126 }, (_, i) => i + 1));
    // Each log's own entries stay in the order they were recorded.
    const aOrder = chain.filter((r) => r.purpose?.startsWith('a')).map((r) => Number(r.purpose?.slice(1)));
    expect(aOrder).toEqual([...aOrder].sort((x, y) => x - y));
    expect(await verifyAuditChain(database.db, org)).toMatchObject({ ok: true, checked: 126 });
  });

  it('writes recordNow with the caller’s transaction: a rollback leaves no entry', async () => {
    const org = (await makeOrg(database.db)).id;
    await database.db
      .transaction()
      .execute(async (trx) => {
        await recordNow(trx, {
          orgId: org,
          action: 'role.grant',
          actor: cli(org),
          detail: { role: 'volunteer' },
        });
        throw new Error('changed my mind');
      })
      .catch(() => {});
    expect(await chainOf(org)).toEqual([]);
    await database.db.transaction().execute(async (trx) => {
      await recordNow(trx, {
        orgId: org,
        action: 'role.grant',
        actor: cli(org),
        detail: { role: 'volunteer' },
      });
    });
    expect((await chainOf(org)).map((r) => [r.seq, r.action])).toEqual([[1, 'role.grant']]);
  });

  it('keeps the entries of a failed flush for the next one, and counts what it must drop', async () => {
    const org = (await makeOrg(database.db)).id;
    const log = new AuditLog(database.db, silentLog, { maxPending: 3, flushMs: 60_000 });
    await sql`ALTER TABLE audit_head RENAME TO audit_head_away`.execute(database.db);
    try {
      for (let i = 0; i < 5; i++)
        log.record({ orgId: org, action: 'person.read', actor: cli(org), purpose: `${i}` });
      await log.flush();
      expect(log.stats()).toMatchObject({ pending: 3, written: 0, dropped: 2, failedFlushes: 1 });
    } finally {
      await sql`ALTER TABLE audit_head_away RENAME TO audit_head`.execute(database.db);
    }
    await log.close();
    expect(log.stats()).toMatchObject({ pending: 0, written: 3, dropped: 2 });
    expect((await chainOf(org)).map((r) => r.purpose)).toEqual(['0', '1', '2']);
  });

  it('records one entry for a page of people read, and none when nothing sensitive was read', async () => {
    const org = (await makeOrg(database.db)).id;
    const ctx = systemCtx(database.db, org);
    const people = [newId(), newId(), newId()];
    auditPeopleRead(ctx, [...people, people[0] as string], ['phone', 'email', 'email'], 'phone bank');
    auditPeopleRead(ctx, [], ['email']);
    auditPeopleRead(ctx, people, []);
    await ctx.audit.flush();
    const rows = await database.db.selectFrom('audit_event').selectAll().where('org_id', '=', org).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      action: 'person.read',
      actor_kind: 'system',
      actor_label: 'test',
      fields: ['email', 'phone'],
      purpose: 'phone bank',
    });
    expect([...(rows[0]?.subject_ids ?? [])].sort()).toEqual([...people].sort());
  });
});

describe('append-only', () => {
  it('refuses UPDATE, DELETE and TRUNCATE, and a head moving back', async () => {
    const org = await orgWithEntries(3);
    const refused = [
      sql`UPDATE audit_event SET purpose = 'x' WHERE org_id = ${org}`,
      sql`DELETE FROM audit_event WHERE org_id = ${org} AND seq = 3`,
      sql`TRUNCATE audit_event`,
      sql`UPDATE audit_head SET seq = 1 WHERE org_id = ${org}`,
      sql`DELETE FROM audit_head WHERE org_id = ${org}`,
      sql`TRUNCATE audit_head`,
    ];
    for (const statement of refused)
      await expect(statement.execute(database.db), statement.compile(database.db).sql).rejects.toThrow(
        /append-only|only moves forward/,
      );
    expect(await chainOf(org)).toHaveLength(3);
    expect((await verifyAuditChain(database.db, org)).ok).toBe(true);
  });

  it('leaves the trail when its organization is deleted', async () => {
    const org = await orgWithEntries(2);
    await database.db.deleteFrom('org').where('id', '=', org).execute();
    expect(await chainOf(org)).toHaveLength(2);
    expect((await verifyAuditChain(database.db, org)).ok).toBe(true);
  });
});

describe('verify', () => {
  it('finds an edited entry, at its seq', async () => {
    const org = await orgWithEntries(10);
    await tamper(sql`UPDATE audit_event SET fields = '{phone}' WHERE org_id = ${org} AND seq = 4`);
    const result = await verifyAuditChain(database.db, org);
    expect(result.ok).toBe(false);
    expect(result.problems).toEqual([expect.objectContaining({ orgId: org, seq: 4, problem: 'edited' })]);
  });

  it('finds an entry rewritten with a recomputed hash by the broken link after it', async () => {
    const org = await orgWithEntries(5);
    const [stored] = await chainPage(database.db, org, 1, 1);
    const forged = { ...(stored as ChainRow), purpose: 'nothing to see' };
    const hash = entryHash(forged);
    await tamper(
      sql`UPDATE audit_event SET purpose = ${forged.purpose}, hash = ${hash} WHERE org_id = ${org} AND seq = 2`,
    );
    const result = await verifyAuditChain(database.db, org);
    expect(result.problems.map((p) => [p.seq, p.problem])).toEqual([[3, 'out of order']]);
  });

  it('reports an edited hash or prev_hash as an edit of that entry only', async () => {
    const org = await orgWithEntries(5);
    await tamper(sql`UPDATE audit_event SET hash = ${'f'.repeat(64)} WHERE org_id = ${org} AND seq = 2`);
    await tamper(sql`UPDATE audit_event SET prev_hash = ${'e'.repeat(64)} WHERE org_id = ${org} AND seq = 4`);
    expect((await verifyAuditChain(database.db, org)).problems.map((p) => [p.seq, p.problem])).toEqual([
      [2, 'edited'],
      [4, 'edited'],
    ]);
  });

  it('finds a deleted entry in the middle, at its seq', async () => {
    const org = await orgWithEntries(10);
    await tamper(sql`DELETE FROM audit_event WHERE org_id = ${org} AND seq = 6`);
    const result = await verifyAuditChain(database.db, org);
    expect(result.problems).toEqual([
      expect.objectContaining({ orgId: org, seq: 6, problem: 'missing', detail: 'entry 6 is missing' }),
    ]);
    expect(result.checked).toBe(9);
  });

  it('finds a deleted first entry', async () => {
    const org = await orgWithEntries(3);
    await tamper(sql`DELETE FROM audit_event WHERE org_id = ${org} AND seq = 1`);
    expect((await verifyAuditChain(database.db, org)).problems.map((p) => [p.seq, p.problem])).toEqual([
      [1, 'missing'],
    ]);
  });

  it('finds deleted newest entries through the head', async () => {
    const org = await orgWithEntries(10);
    await tamper(sql`DELETE FROM audit_event WHERE org_id = ${org} AND seq >= 8`);
    const result = await verifyAuditChain(database.db, org);
    expect(result.problems).toEqual([
      expect.objectContaining({ orgId: org, seq: 8, problem: 'head mismatch' }),
    ]);
    expect(result.problems[0]?.detail).toMatch(/entries 8 to 10 removed/);
  });

  it('finds entries written past the head, and a removed head', async () => {
    const org = await orgWithEntries(3);
    await tamper(sql`UPDATE audit_head SET seq = 2 WHERE org_id = ${org}`);
    expect((await verifyAuditChain(database.db, org)).problems.map((p) => [p.seq, p.problem])).toEqual([
      [2, 'head mismatch'],
      [3, 'head mismatch'],
    ]);
    const other = await orgWithEntries(3);
    await tamper(sql`DELETE FROM audit_head WHERE org_id = ${other}`);
    expect((await verifyAuditChain(database.db, other)).problems.map((p) => [p.seq, p.problem])).toEqual([
      [3, 'head mismatch'],
    ]);
  });

  it('continues a chain whose head was removed after its last entry, never reusing a seq', async () => {
    const org = await orgWithEntries(3);
    await tamper(sql`DELETE FROM audit_head WHERE org_id = ${org}`);
    await recordNow(database.db, { orgId: org, action: 'logout', actor: cli(org) });
    expect((await chainOf(org)).map((r) => r.seq)).toEqual([1, 2, 3, 4]);
  });

  it('checks every organization when none is named, in pages, and names the organization of each problem', async () => {
    const intact = await orgWithEntries(2500);
    const broken = await orgWithEntries(4);
    await tamper(sql`UPDATE audit_event SET purpose = 'edited' WHERE org_id = ${broken} AND seq = 3`);
    const all = await verifyAuditChain(database.db);
    expect(all.ok).toBe(false);
    expect(all.problems).toContainEqual(
      expect.objectContaining({ orgId: broken, seq: 3, problem: 'edited' }),
    );
    expect(all.problems.some((p) => p.orgId === intact)).toBe(false);
    expect(all.heads).toContainEqual(expect.objectContaining({ orgId: intact, seq: 2500 }));
    expect(await verifyAuditChain(database.db, intact)).toMatchObject({ ok: true, checked: 2500 });
  });
});

describe.runIf(testEngine === 'postgres')('on PostgreSQL', () => {
  it('serializes concurrent recordNow calls in their own transactions', async () => {
    const org = (await makeOrg(database.db)).id;
    await Promise.all(
      Array.from({ length: 40 }, () =>
        recordNow(database.db, { orgId: org, action: 'login', actor: cli(org) }),
      ),
    );
    expect((await chainOf(org)).map((r) => r.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect((await verifyAuditChain(database.db, org)).ok).toBe(true);
  });
});
