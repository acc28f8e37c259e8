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
import { buildApp } from '../http/app.js';
import { silentLog } from '../log.js';
import { addUser } from './users.service.js';

let t: TestApp;
let admin: TestUser;
const PASSWORD = 'correct horse battery staple';

beforeAll(async () => {
  t = await createTestApp();
  const org = await makeOrg(t.db, 'eastside');
  await makeOrg(t.db, 'westside');
  admin = await makeUser(t.db, org.id, 'org_admin');
  await addUser(systemCtx(t.db, org.id), {
    email: 'Maria@Example.org',
    role: 'local_organizer',
    password: PASSWORD,
  });
});
afterAll(async () => {
  await t.close();
});

async function signIn(
  body: Record<string, string> = { org: 'eastside', email: 'maria@example.org', password: PASSWORD },
) {
  const response = await t.app.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    payload: body,
    remoteAddress: `10.0.0.${Math.floor(Math.random() * 250)}`,
  });
  const cookie = response.cookies.find((c) => c.name === 'rhizome_session');
  return { response, cookie, csrf: response.json().csrf_token as string | undefined };
}

describe('signing in', () => {
  it('stores passwords as argon2id', async () => {
    const user = await t.db
      .selectFrom('app_user')
      .select('password_hash')
      .where('email', '=', 'maria@example.org')
      .executeTakeFirstOrThrow();
    expect(user.password_hash).toMatch(/^\$argon2id\$/);
  });

  it('opens a session in an http-only cookie and hands out its CSRF token', async () => {
    const { response, cookie, csrf } = await signIn();
    expect(response.statusCode).toBe(200);
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(csrf).toBeTruthy();
    expect(response.json().user).toMatchObject({
      email: 'maria@example.org',
      roles: [expect.objectContaining({ role: 'local_organizer', unit: null })],
    });
    const me = await t.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      cookies: { rhizome_session: cookie!.value },
    });
    expect(me.json()).toMatchObject({ user: { email: 'maria@example.org' }, csrf_token: csrf });
    // What her grants let her try (the web app offers links by it): a local organizer's actions.
    for (const body of [response.json(), me.json()]) {
      expect(body.actions).toEqual(expect.arrayContaining(['people.read', 'people.write', 'lists.write']));
      expect(body.actions).not.toContain('tags.write');
      expect(body.actions).not.toContain('users.manage');
    }
    // What the app may offer her: her role's actions, and nothing organization-wide it lacks.
    expect(me.json().actions).toEqual(expect.arrayContaining(['people.read', 'events.write']));
    expect(me.json().actions).not.toContain('users.manage');
    expect(me.json().role_actions).toEqual(me.json().actions);
    expect(response.json().actions).toEqual(me.json().actions);
    const stored = await t.db.selectFrom('user_session').select('token_hash').execute();
    expect(stored.map((s) => s.token_hash)).not.toContain(cookie!.value);
    expect(cookie?.secure).toBeFalsy();
  });

  it('marks the cookie Secure when the app is configured for HTTPS', async () => {
    const app = await buildApp({ db: t.db, log: silentLog, secureCookies: true });
    try {
      const response = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { org: 'eastside', email: 'maria@example.org', password: PASSWORD },
      });
      expect(response.statusCode).toBe(200);
      const cookie = response.cookies.find((c) => c.name === 'rhizome_session');
      expect(cookie).toMatchObject({ secure: true, httpOnly: true, sameSite: 'Lax' });
    } finally {
      await app.close();
    }
  });

  it('says the same thing for a wrong password, an unknown email and an unknown organization', async () => {
    const answers = await Promise.all([
      signIn({ org: 'eastside', email: 'maria@example.org', password: 'wrong password!' }),
      signIn({ org: 'eastside', email: 'nobody@example.org', password: PASSWORD }),
      signIn({ org: 'westside', email: 'maria@example.org', password: PASSWORD }),
    ]);
    for (const { response, cookie } of answers) {
      expect(response.statusCode).toBe(401);
      expect(response.json().detail).toBe('wrong organization, email or password');
      expect(cookie).toBeUndefined();
    }
  });

  it('limits sign-in attempts from one address', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) {
      const response = await t.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { org: 'eastside', email: 'maria@example.org', password: `guess number ${i}` },
        remoteAddress: '192.0.2.7',
      });
      statuses.push(response.statusCode);
    }
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(10)).toEqual([429, 429]);
  });
});

describe('CSRF protection on session writes', () => {
  it('refuses a cookie-authenticated write without the header, and changes nothing', async () => {
    const { cookie, csrf } = await signIn();
    const before = await snapshotDatabase(t.db);
    const refused = await t.app.inject({
      method: 'POST',
      url: '/api/v1/people',
      cookies: { rhizome_session: cookie!.value },
      payload: { given_name: 'Nope' },
    });
    expect(refused.statusCode).toBe(403);
    expect(refused.json().code).toBe('csrf_failed');
    const wrong = await t.app.inject({
      method: 'POST',
      url: '/api/v1/people',
      cookies: { rhizome_session: cookie!.value },
      headers: { 'x-csrf-token': 'not-it' },
      payload: { given_name: 'Nope' },
    });
    expect(wrong.statusCode).toBe(403);
    expect(await snapshotDatabase(t.db)).toEqual(before);
    const accepted = await t.app.inject({
      method: 'POST',
      url: '/api/v1/people',
      cookies: { rhizome_session: cookie!.value },
      headers: { 'x-csrf-token': csrf! },
      payload: { given_name: 'Yes', emails: [{ address: 'yes@example.org' }] },
    });
    expect(accepted.statusCode).toBe(201);
  });

  it('needs no CSRF header with an API token (a header is never sent cross-site)', async () => {
    const response = await t.call('POST', '/api/v1/people', {
      as: admin,
      body: { given_name: 'Token', emails: [{ address: 'token@example.org' }] },
    });
    expect(response.statusCode).toBe(201);
  });

  it('ends the session on logout', async () => {
    const { cookie, csrf } = await signIn();
    const out = await t.app.inject({
      method: 'POST',
      url: '/api/v1/auth/logout',
      cookies: { rhizome_session: cookie!.value },
      headers: { 'x-csrf-token': csrf! },
    });
    expect(out.statusCode).toBe(204);
    const cleared = out.cookies.find((c) => c.name === 'rhizome_session');
    expect(cleared?.value).toBe('');
    expect(cleared?.httpOnly).toBe(true);
    const after = await t.app.inject({
      method: 'GET',
      url: '/api/v1/auth/me',
      cookies: { rhizome_session: cookie!.value },
    });
    expect(after.statusCode).toBe(401);
  });
});

describe('API tokens', () => {
  it('are created once, listed without their secret, used, and stop working when revoked', async () => {
    const created = await t.call('POST', '/api/v1/tokens', { as: admin, body: { name: 'sync' } });
    expect(created.statusCode).toBe(201);
    const { token, id } = created.json();
    expect(token).toMatch(/^rz_/);
    const listed = await t.call('GET', '/api/v1/tokens', { as: admin });
    expect(listed.body).not.toContain(token);
    const withIt = await t.app.inject({
      method: 'GET',
      url: '/api/v1/people',
      headers: { 'osdi-api-token': token },
    });
    expect(withIt.statusCode).toBe(200);
    const used = (await t.call('GET', '/api/v1/tokens', { as: admin }))
      .json()
      .items.find((x: { id: string }) => x.id === id);
    expect(used.last_used_at).not.toBeNull();
    expect((await t.call('DELETE', `/api/v1/tokens/${id}`, { as: admin })).statusCode).toBe(200);
    const after = await t.app.inject({
      method: 'GET',
      url: '/api/v1/people',
      headers: { authorization: `Bearer ${token}` },
    });
    expect(after.statusCode).toBe(401);
    const stored = await t.db
      .selectFrom('api_token')
      .select('token_hash')
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    expect(stored.token_hash).not.toContain(token);
  });

  it("are each user's own: another user's token is neither listed nor revocable", async () => {
    const colleague = await makeUser(t.db, admin.orgId, 'org_admin');
    const theirs = await t.call('POST', '/api/v1/tokens', { as: colleague, body: { name: 'theirs' } });
    const { id } = theirs.json();
    const mine = await t.call('GET', '/api/v1/tokens', { as: admin });
    expect(mine.json().items.map((x: { id: string }) => x.id)).not.toContain(id);
    const revoke = await t.call('DELETE', `/api/v1/tokens/${id}`, { as: admin });
    expect(revoke.statusCode).toBe(404);
    const still = await t.call('GET', '/api/v1/tokens', { as: colleague });
    expect(still.json().items.find((x: { id: string }) => x.id === id).revoked_at).toBeNull();
  });

  it('stop working when their user is disabled', async () => {
    const helper = await makeUser(t.db, admin.orgId, 'staff_organizer');
    expect((await t.call('GET', '/api/v1/people', { as: helper })).statusCode).toBe(200);
    const disabled = await t.call('PATCH', `/api/v1/users/${helper.id}`, {
      as: admin,
      body: { disabled: true },
    });
    expect(disabled.json().disabled).toBe(true);
    expect((await t.call('GET', '/api/v1/people', { as: helper })).statusCode).toBe(401);
  });
});

describe('users', () => {
  it('are added by an admin, with errors that name the field', async () => {
    const added = await t.call('POST', '/api/v1/users', {
      as: admin,
      body: { email: 'New@Example.org', role: 'volunteer', password: 'long enough secret' },
    });
    expect(added.statusCode).toBe(201);
    expect(added.json()).toMatchObject({
      email: 'new@example.org',
      roles: [expect.objectContaining({ role: 'volunteer', unit: null })],
    });
    const badRole = await t.call('POST', '/api/v1/users', {
      as: admin,
      body: { email: 'x@example.org', role: 'king' },
    });
    expect(badRole.json().errors[0].field).toBe('role');
    const shortPassword = await t.call('POST', '/api/v1/users', {
      as: admin,
      body: { email: 'y@example.org', role: 'volunteer', password: 'short' },
    });
    expect(shortPassword.json().errors[0].field).toBe('password');
    const again = await t.call('POST', '/api/v1/users', {
      as: admin,
      body: { email: 'new@example.org', role: 'volunteer' },
    });
    expect(again.statusCode).toBe(409);
  });

  it('cannot be managed by an organizer', async () => {
    const organizer = await makeUser(t.db, admin.orgId, 'local_organizer');
    expect((await t.call('GET', '/api/v1/users', { as: organizer })).statusCode).toBe(403);
  });
});
