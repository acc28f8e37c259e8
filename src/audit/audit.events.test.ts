import { PassThrough } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  makeOrg,
  makeUser,
  systemCtx,
  type TestApp,
  type TestUser,
} from '../../test/support/fixtures.js';
import { addUser } from '../auth/index.js';
import { exportPeopleCsv } from '../exports/index.js';
import { PersonInput, upsertPeople } from '../people/index.js';
import { verifyAuditChain } from './index.js';

/** The audit trail records what happens today: sign-ins, sign-outs, tokens, exports, role grants. */
let t: TestApp;
let orgId: string;
let admin: TestUser;
let mariaId: string;
const PASSWORD = 'correct horse battery staple';

beforeAll(async () => {
  t = await createTestApp();
  orgId = (await makeOrg(t.db, 'eastside')).id;
  admin = await makeUser(t.db, orgId, 'org_admin');
  mariaId = (
    await addUser(systemCtx(t.db, orgId), {
      email: 'maria@example.org',
      role: 'local_organizer',
      password: PASSWORD,
    })
  ).id;
  await upsertPeople(
    systemCtx(t.db, orgId),
    [
      PersonInput.parse({ given_name: 'Ana', emails: [{ address: 'ana@example.org' }], tags: ['spring'] }),
      PersonInput.parse({ given_name: 'Bo', emails: [{ address: 'bo@example.org' }] }),
    ],
    { kind: 'import', ref: 'test' },
  );
});
afterAll(async () => {
  await t.close();
});

async function entries(action: string) {
  await t.audit.flush();
  return await t.db
    .selectFrom('audit_event')
    .selectAll()
    .where('org_id', '=', orgId)
    .where('action', '=', action as 'login')
    .orderBy('seq')
    .execute();
}

const signIn = (body: Record<string, string>) =>
  t.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: body, remoteAddress: '198.51.100.9' });

describe('the audit trail records', () => {
  it('a role granted with a new user (a binding over the whole organization)', async () => {
    const [grant] = await entries('role.grant');
    expect(grant).toMatchObject({
      actor_kind: 'system',
      actor_label: 'test',
      detail: { user_id: mariaId, role: 'local_organizer', unit: null, expires_at: null },
    });
  });

  it('a sign-in and a sign-out, by the user, with the session', async () => {
    const response = await signIn({ org: 'eastside', email: 'maria@example.org', password: PASSWORD });
    expect(response.statusCode).toBe(200);
    const [login] = await entries('login');
    expect(login).toMatchObject({
      actor_kind: 'user',
      actor_id: mariaId,
      actor_label: 'session',
      detail: { email: 'maria@example.org', ip: '198.51.100.9' },
    });
    const cookie = response.cookies.find((c) => c.name === 'rhizome_session')?.value as string;
    const out = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      cookies: { rhizome_session: cookie },
      headers: { 'x-csrf-token': response.json().csrf_token },
    });
    expect(out.statusCode).toBe(204);
    const [logout] = await entries('logout');
    expect(logout).toMatchObject({
      actor_kind: 'user',
      actor_id: mariaId,
      detail: { session_id: (login?.detail as { session_id?: string } | undefined)?.session_id },
    });
  });

  it('failed sign-ins with the email tried and why, never the password', async () => {
    const wrong = await signIn({ org: 'eastside', email: 'maria@example.org', password: 'wrong password 1' });
    const unknown = await signIn({
      org: 'eastside',
      email: 'nobody@example.org',
      password: 'wrong password 2',
    });
    const noOrg = await signIn({ org: 'nowhere', email: 'maria@example.org', password: 'wrong password 3' });
    for (const r of [wrong, unknown, noOrg]) expect(r.statusCode).toBe(401);
    const failed = await entries('login.failed');
    expect(failed.map((e) => [e.actor_kind, e.actor_id, e.detail])).toEqual([
      [
        'anonymous',
        null,
        { email: 'maria@example.org', reason: 'wrong password', user_id: mariaId, ip: '198.51.100.9' },
      ],
      ['anonymous', null, { email: 'nobody@example.org', reason: 'unknown email', ip: '198.51.100.9' }],
    ]);
    const everything = JSON.stringify(await t.db.selectFrom('audit_event').selectAll().execute());
    expect(everything).not.toContain('wrong password 1');
    expect(everything).not.toContain(PASSWORD);
  });

  it('API tokens created and revoked, by whom and for whom, without the secret', async () => {
    const created = await t.call('POST', '/api/v1/tokens', { as: admin, body: { name: 'sync' } });
    const { id, token } = created.json();
    expect((await t.call('DELETE', `/api/v1/tokens/${id}`, { as: admin })).statusCode).toBe(200);
    const [create] = await entries('token.create');
    const [revoke] = await entries('token.revoke');
    for (const entry of [create, revoke]) {
      expect(entry).toMatchObject({
        actor_kind: 'user',
        actor_id: admin.id,
        detail: { token_id: id, token_name: 'sync', owner_id: admin.id },
      });
      expect(entry?.actor_label).toMatch(/^token:/);
      expect(JSON.stringify(entry)).not.toContain(token);
    }
  });

  it('an export through the API: the columns, the filters and the row count, not the ids', async () => {
    const response = await t.call('GET', '/api/v1/people.csv?columns=given_name,email&tag=spring', {
      as: admin,
    });
    expect(response.statusCode).toBe(200);
    // The export streams; its entry is recorded when the last row is written.
    let exports = await entries('people.export');
    for (let i = 0; i < 50 && exports.length === 0; i++) {
      await new Promise((r) => setTimeout(r, 20));
      exports = await entries('people.export');
    }
    expect(exports).toHaveLength(1);
    expect(exports[0]).toMatchObject({
      actor_kind: 'user',
      actor_id: admin.id,
      fields: ['given_name', 'email'],
      subject_ids: [],
      detail: { format: 'csv', filters: { tag: 'spring' }, rows: 1, completed: true },
    });
  });

  it('an export from the command line, as the operator', async () => {
    const ctx = { ...systemCtx(t.db, orgId), actor: { kind: 'system' as const, orgId, label: 'cli' } };
    const out = new PassThrough();
    out.resume();
    await exportPeopleCsv(ctx, { out, columns: ['id', 'phone'] });
    const exports = await entries('people.export');
    expect(exports[exports.length - 1]).toMatchObject({
      actor_kind: 'system',
      actor_label: 'cli',
      fields: ['id', 'phone'],
      detail: { filters: {}, rows: 2, completed: true },
    });
  });

  it('all of it in one intact chain', async () => {
    await t.audit.flush();
    const result = await verifyAuditChain(t.db, orgId);
    expect(result).toMatchObject({ ok: true, problems: [] });
    expect(result.checked).toBeGreaterThanOrEqual(8);
  });
});

describe('organizations', () => {
  it('each have their own chain', async () => {
    const other = await makeOrg(t.db, 'westside');
    await addUser(systemCtx(t.db, other.id), { email: 'w@example.org', role: 'volunteer' });
    const theirs = await t.db
      .selectFrom('audit_event')
      .select(['seq'])
      .where('org_id', '=', other.id)
      .execute();
    expect(theirs.map((r) => r.seq)).toEqual([1]);
  });
});
