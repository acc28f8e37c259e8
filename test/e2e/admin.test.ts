import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuditLog } from '../../src/audit/index.js';
import { hashPassword } from '../../src/auth/secrets.js';
import type { Database } from '../../src/db/connect.js';
import { existingRsvpIntake } from '../../src/events/rsvp-intake.js';
import { buildApp } from '../../src/http/app.js';
import { silentLog } from '../../src/log.js';
import { ensureWebBuilt } from '../../src/web/index.js';
import { createTestDatabase, testAuditLog, testEngine } from '../support/db.js';
import { makeOrg, makeUser, type TestUser } from '../support/fixtures.js';
import {
  type Browser,
  ensureChromium,
  launchBrowser,
  lowContrast,
  screenshot,
  submitSignIn,
} from './browser.js';

/**
 * The dashboard and the admin screens in real Chromium against the real server. Organization
 * "admin-e2e": units east ⊃ east.oakland, and west. Ana and Olga live in Oakland, Wendy in west.
 * The admin counts everyone; the local organizer over east.oakland counts Oakland only and has no
 * admin screens; Maria starts with no role at all, and the admin gives her one (previewed first).
 */

const PASSWORD = 'correct horse battery staple';
let database: Database;
let audit: AuditLog;
let app: FastifyInstance;
let base: string;
let browser: Browser;
let org: { id: string; slug: string };
let admin: TestUser;
let organizer: TestUser;
let maria: TestUser;
const people: Record<string, string> = {};
let eventId = '';

async function call(method: string, path: string, as: TestUser | null, body?: unknown): Promise<Response> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(as ? { authorization: `Bearer ${as.token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return response;
}

async function addPerson(input: object): Promise<string> {
  const response = await call('POST', '/api/v1/people', admin, input);
  return ((await response.json()) as { person: { id: string } }).person.id;
}

beforeAll(async () => {
  ensureChromium();
  await ensureWebBuilt();
  database = await createTestDatabase();
  audit = testAuditLog(database.db);
  app = await buildApp({ db: database.db, log: silentLog, audit });
  base = (await app.listen({ port: 0, host: '127.0.0.1' })).replace('localhost', '127.0.0.1');

  org = await makeOrg(database.db, `admin-e2e-${testEngine}`);
  admin = await makeUser(database.db, org.id, 'org_admin');
  for (const [path, kind, name] of [
    ['east', 'chapter', 'East'],
    ['east.oakland', 'local', 'Oakland'],
    ['west', 'chapter', 'West'],
  ] as const)
    await call('POST', '/api/v1/units', admin, { path, kind, name });
  organizer = await makeUser(database.db, org.id, 'local_organizer', 'east.oakland');
  maria = await makeUser(database.db, org.id, null);
  await database.db
    .updateTable('app_user')
    .set({ password_hash: await hashPassword(PASSWORD) })
    .where('org_id', '=', org.id)
    .execute();

  people.ana = await addPerson({ given_name: 'Ana', family_name: 'Oakland', home_unit: 'east.oakland' });
  people.olga = await addPerson({ given_name: 'Olga', family_name: 'Oakland', home_unit: 'east.oakland' });
  people.wendy = await addPerson({ given_name: 'Wendy', family_name: 'Westside', home_unit: 'west' });

  const oakland = (await (await call('GET', '/api/v1/units/east.oakland', admin)).json()) as { id: string };
  const now = Date.now();
  const event = await call('POST', '/api/v1/events', admin, {
    unit_id: oakland.id,
    title: 'House meeting',
    starts_at: new Date(now - 3_600_000).toISOString(),
    ends_at: new Date(now + 3 * 3_600_000).toISOString(),
    timezone: 'America/Los_Angeles',
    visibility: 'public',
    status: 'published',
  });
  eventId = ((await event.json()) as { id: string }).id;

  browser = await launchBrowser();
}, 600_000);

afterEach(() => {
  expect(browser.errors).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await database?.close();
});

async function signIn(page: Page, user: TestUser): Promise<void> {
  await submitSignIn(browser, page, base, { org: org.slug, email: user.email, password: PASSWORD });
}

const stat = async (page: Page, id: string) => (await page.locator(`#${id} dd`).textContent())?.trim();

/** The event turnout table's cells for one event: [RSVPs, attended]. */
async function turnout(page: Page, title: string): Promise<string[]> {
  const row = page.locator('section[aria-labelledby="h-events"] tbody tr').filter({ hasText: title });
  return (await row.locator('td').allTextContents()).map((s) => s.trim());
}

describe('the dashboard and administration in Chromium', { timeout: 180_000 }, () => {
  it('shows the admin the dashboard after sign-in, and its numbers follow new people and attendance', async () => {
    const page = await browser.newPage();
    const scripts: string[] = [];
    page.on('response', (r) => {
      if (r.url().endsWith('.js')) scripts.push(r.url());
    });
    await signIn(page, admin);
    await page.waitForURL(/\/dashboard$/);
    await page.getByRole('heading', { level: 1, name: 'Dashboard' }).waitFor();
    await expect.poll(() => stat(page, 'stat-total')).toBe('3');
    expect(await stat(page, 'stat-new')).toBe('3');
    expect(await turnout(page, 'House meeting')).toEqual(['0', '0']);
    // Each chart is an image with a summary, and chart.js arrived as its own chunk, lazily.
    await page.getByRole('img', { name: /3 new people over 12 weeks/ }).waitFor();
    await expect.poll(() => scripts.some((url) => /\/assets\/charts-/.test(url))).toBe(true);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).waitFor();

    // A new person, her RSVP (the public form, matched by email) and her check-in, through the API.
    people.nina = await addPerson({
      given_name: 'Nina',
      family_name: 'Newcomer',
      home_unit: 'east.oakland',
      emails: [{ address: 'nina.newcomer@example.org' }],
    });
    await call('POST', `/api/v1/public/events/${eventId}/rsvps`, null, {
      given_name: 'Nina',
      family_name: 'Newcomer',
      email: 'nina.newcomer@example.org',
      consent: { email_updates: false },
    });
    await existingRsvpIntake(database.db)?.drain();
    await page.reload();
    await expect.poll(() => stat(page, 'stat-total')).toBe('4');
    expect(await stat(page, 'stat-new')).toBe('4');
    expect(await turnout(page, 'House meeting')).toEqual(['1', '0']);

    await call('POST', `/api/v1/events/${eventId}/check-ins`, admin, {
      person_id: people.nina,
      attendance: 'attended',
    });
    await page.reload();
    await expect.poll(() => turnout(page, 'House meeting')).toEqual(['1', '1']);
    await page.getByText('Show the numbers').first().click();
    await screenshot(page, testEngine, '20-dashboard-admin');
    expect(await lowContrast(page)).toEqual([]);
    await page.close();
  });

  it('previews a role for a user, saves it, explains it, views as them and finds it all in the audit log', async () => {
    const page = await browser.newPage();
    // Still signed in as the admin (same profile).
    await page.goto(`${base}/admin`);
    await page.getByRole('heading', { level: 1, name: 'Administration' }).waitFor();
    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('heading', { level: 1, name: 'Users' }).waitFor();
    await page.getByRole('link', { name: maria.email }).click();
    await page.waitForURL(new RegExp(`/admin/users/${maria.id}$`));
    await page.getByText('No roles.').waitFor();

    // Preview: Maria would gain Oakland's three people, and nothing is saved yet.
    await page.getByLabel('Role', { exact: true }).selectOption('local_organizer');
    await page.getByLabel('Over').selectOption('east.oakland');
    await page.getByRole('button', { name: 'Preview' }).first().click();
    const pending = page.getByRole('region', { name: 'Check before saving' });
    await pending.getByText('Gains 3 people').waitFor();
    expect(await pending.textContent()).toContain('People they can see: 0 now, 3 after.');
    expect(await pending.textContent()).toContain('Ana Oakland');
    expect(await pending.textContent()).not.toContain('Wendy');
    const before = (await (await call('GET', `/api/v1/role-bindings?user=${maria.id}`, admin)).json()) as {
      items: unknown[];
    };
    expect(before.items).toEqual([]);
    await screenshot(page, testEngine, '21-admin-preview');

    await pending.getByRole('button', { name: 'Save this change' }).click();
    await page.getByRole('status').filter({ hasText: 'Saved' }).waitFor();
    await page.getByText('local_organizer over east.oakland').waitFor();

    // Why can Maria see Ana?
    await page.getByLabel('Find a person').fill('Ana');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.getByRole('button', { name: 'Explain for Ana Oakland' }).click();
    await page.getByText(`Yes: ${maria.email} may do people.read for Ana Oakland.`).waitFor();
    expect(await page.locator('.reasons').textContent()).toContain('local_organizer');
    await screenshot(page, testEngine, '22-admin-explain');

    // View as Maria: the banner, and only the people she sees.
    await page.getByRole('button', { name: `View as ${maria.email}` }).click();
    await page.waitForURL(/\/people$/);
    const banner = page.getByRole('region', { name: 'Viewing as another user' });
    await banner.getByText(`You are viewing Rhizome as ${maria.email}.`).waitFor();
    await expect.poll(() => page.getByRole('status').first().textContent()).toBe('3 people');
    const names = await page.locator('.people .person-link').allInnerTexts();
    expect(names.sort()).toEqual(['Ana Oakland', 'Nina Newcomer', 'Olga Oakland']);
    // Her navigation: no admin link, since she may not administer.
    expect(
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).count(),
    ).toBe(0);
    await screenshot(page, testEngine, '23-view-as-people');
    expect(await lowContrast(page)).toEqual([]);

    await banner.getByRole('button', { name: 'Stop viewing as them' }).click();
    await page.waitForURL(new RegExp(`/admin/users/${maria.id}$`));
    expect(await page.getByRole('region', { name: 'Viewing as another user' }).count()).toBe(0);

    // The audit log holds the grant and the reads made as Maria; the chain verifies.
    await page.goto(`${base}/admin/audit`);
    await page.getByRole('heading', { level: 1, name: 'Audit log' }).waitFor();
    const entries = page.getByRole('list', { name: 'Audit entries' });
    await entries.getByText('role.grant').first().waitFor();
    await entries.getByText('view_as.read').first().waitFor();
    await page.getByLabel('What').selectOption('role.grant');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect
      .poll(async () => new Set(await entries.locator('.audit-action').allTextContents()))
      .toEqual(new Set(['role.grant']));
    expect(await entries.textContent()).toContain(maria.email);
    await page.getByRole('button', { name: 'Verify the chain' }).click();
    await page.getByText(/The chain is intact/).waitFor();
    await screenshot(page, testEngine, '24-admin-audit');
    await page.close();
  });

  it('creates a custom role, previews an edit for the user who holds it, saves it, and refuses to delete it', async () => {
    const page = await browser.newPage();
    // Still signed in as the admin (same profile).
    await page.goto(`${base}/admin/roles`);
    await page.getByRole('heading', { level: 1, name: 'Roles' }).waitFor();
    // Built-in roles are read-only: no edit or delete for them.
    expect(await page.getByRole('button', { name: 'Edit the role Volunteer' }).count()).toBe(0);

    await page.getByRole('button', { name: 'New role' }).click();
    const editor = page.getByRole('region', { name: 'New role' });
    await editor.getByLabel('Name', { exact: true }).fill('West counter');
    await editor.getByLabel('Key', { exact: true }).fill('west_counter');
    await editor.getByLabel('See counts and charts (never individuals)').check();
    await editor.getByRole('button', { name: 'Preview' }).focus();
    await page.keyboard.press('Enter');
    const check = editor.getByRole('region', { name: 'Check before saving' });
    await check.getByText('Nobody holds a new role yet').waitFor();
    await check.getByRole('button', { name: 'Save this change' }).click();
    await page.getByRole('status').filter({ hasText: 'Role West counter created.' }).waitFor();
    const card = page.locator('section[data-role="west_counter"]');
    await card.getByText('See counts and charts (never individuals)').waitFor();

    // Maria holds it over the west; the edit would let her read Wendy (by name) there.
    await call('POST', '/api/v1/role-bindings', admin, {
      user_id: maria.id,
      role: 'west_counter',
      unit: 'west',
    });
    await page.getByRole('button', { name: 'Edit the role West counter' }).click();
    const edit = page.getByRole('region', { name: 'Edit West counter' });
    await edit.getByLabel('See people', { exact: true }).check();
    await edit.getByLabel('Basic (names, units, notes)').check();
    await edit.getByRole('button', { name: 'Preview' }).focus();
    await page.keyboard.press('Enter');
    const preview = edit.getByRole('region', { name: 'Check before saving' });
    await preview.getByText('Users who hold this role: 1').waitFor();
    await preview.getByText('Gains 1 person').waitFor();
    expect(await preview.textContent()).toContain('Wendy Westside');
    expect(await preview.textContent()).toContain(maria.email);
    // Nothing is saved by the preview.
    const roles = async () =>
      (
        (await (await call('GET', '/api/v1/roles', admin)).json()) as {
          items: { key: string; actions: string[] }[];
        }
      ).items;
    expect((await roles()).find((r) => r.key === 'west_counter')?.actions).toEqual(['people.aggregate']);
    await screenshot(page, testEngine, '27-admin-role-preview');

    await preview.getByRole('button', { name: 'Save this change' }).click();
    await page.getByRole('status').filter({ hasText: 'Role West counter saved.' }).waitFor();
    expect((await roles()).find((r) => r.key === 'west_counter')?.actions.sort()).toEqual([
      'people.aggregate',
      'people.read',
    ]);
    await card.getByText('See people', { exact: true }).waitFor();

    // Maria holds it: deleting is refused with the API's words.
    page.once('dialog', (dialog) => void dialog.accept());
    await page.getByRole('button', { name: 'Delete the role West counter' }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: 'West counter is given to 1 user: revoke it from them first, then delete it' })
      .waitFor();
    await card.waitFor();
    await screenshot(page, testEngine, '28-admin-roles');
    expect(await lowContrast(page)).toEqual([]);
    await page.close();
  });

  it('gives a local organizer her own numbers, no admin link, and a refusal at the admin address', async () => {
    const page = await browser.newPage();
    await signIn(page, organizer);
    await page.waitForURL(/\/dashboard$/);
    // Oakland's people only: Ana, Olga, Nina.
    await expect.poll(() => stat(page, 'stat-total')).toBe('3');
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'Dashboard' }).waitFor();
    expect(await nav.getByRole('link', { name: 'Admin' }).count()).toBe(0);
    await screenshot(page, testEngine, '25-dashboard-organizer');

    const refused: string[] = [];
    page.on('request', (r) => {
      if (/\/api\/v1\/(users|roles|audit|role-bindings|assignments)/.test(r.url())) refused.push(r.url());
    });
    await page.goto(`${base}/admin/users`);
    await page.getByRole('heading', { level: 1, name: 'Administration' }).waitFor();
    expect(await page.getByRole('alert').textContent()).toContain(
      'You do not have access to administration.',
    );
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).not.toContain(admin.email);
    expect(text).not.toContain(maria.email);
    expect(refused).toEqual([]);
    await screenshot(page, testEngine, '26-admin-refused');
    // The API refuses too, whatever the screen shows.
    expect((await page.request.get(`${base}/api/v1/users`)).status()).toBe(403);
    await page.close();
  });
});
