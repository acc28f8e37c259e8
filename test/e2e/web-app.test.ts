import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuditLog } from '../../src/audit/index.js';
import { hashPassword } from '../../src/auth/secrets.js';
import type { Database } from '../../src/db/connect.js';
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
 * The web app in real Chromium against the real server on a real database: one server and one
 * browser for the file. Organization "e2e": units east (a chapter) ⊃ east.oakland (a local) and
 * west (another chapter). Ana Oakland lives in east.oakland, Wendy Westside in west. The admin sees
 * everyone and everything; the local organizer over east.oakland sees Ana's name but not her
 * contact values (masked, with message and call offered) and cannot reach Wendy at all.
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
const people: Record<'ana' | 'wendy', string> = { ana: '', wendy: '' };

async function call(method: string, path: string, as: TestUser, body?: unknown): Promise<Response> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${as.token}`,
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

  org = await makeOrg(database.db, `e2e-${testEngine}`);
  admin = await makeUser(database.db, org.id, 'org_admin');
  for (const [path, kind] of [
    ['east', 'chapter'],
    ['east.oakland', 'local'],
    ['west', 'chapter'],
  ] as const)
    await call('POST', '/api/v1/units', admin, {
      path,
      kind,
      name: path === 'east.oakland' ? 'Oakland' : path,
    });
  organizer = await makeUser(database.db, org.id, 'local_organizer', 'east.oakland');
  const hash = await hashPassword(PASSWORD);
  await database.db
    .updateTable('app_user')
    .set({ password_hash: hash })
    .where('org_id', '=', org.id)
    .execute();

  people.ana = await addPerson({
    given_name: 'Ana',
    family_name: 'Oakland',
    pronouns: 'she/her',
    home_unit: 'east.oakland',
    emails: [{ address: 'ana.oakland@example.org' }],
    phones: [{ number: '+1 510 555 0100' }],
    tags: ['tenant-leader'],
  });
  people.wendy = await addPerson({
    given_name: 'Wendy',
    family_name: 'Westside',
    home_unit: 'west',
    emails: [{ address: 'wendy@example.org' }],
    tags: ['tenant-leader'],
  });
  // Enough people in Oakland for a second page of results (25 a page).
  for (let i = 0; i < 26; i++)
    await addPerson({
      given_name: `Member${String(i).padStart(2, '0')}`,
      family_name: 'Paging',
      home_unit: 'east.oakland',
    });
  await call('POST', `/api/v1/people/${people.ana}/notes`, admin, {
    body: 'Wants to lead the building meeting.',
  });
  await call('POST', `/api/v1/people/${people.ana}/activities`, admin, {
    kind: 'one_on_one',
    occurred_at: '2025-11-20T18:00:00Z',
    outcome: 'committed',
    body: 'Talked about the rent increase.',
  });

  browser = await launchBrowser();
}, 600_000);

afterEach(() => {
  // No uncaught exception and nothing the Content-Security-Policy refused, in any test's pages.
  expect(browser.errors).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await database?.close();
});

async function signIn(page: Page, user: TestUser, password = PASSWORD): Promise<void> {
  await submitSignIn(browser, page, base, { org: org.slug, email: user.email, password: password });
}

/**
 * Users who may count people land on the dashboard after signing in (test/e2e/admin.test.ts tests
 * it); these tests go on to the people search by its navigation link.
 */
async function toPeople(page: Page): Promise<void> {
  await page.waitForURL(/\/dashboard$/);
  await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'People' }).click();
  await page.waitForURL(/\/people$/);
}

// A browser on a loaded two-core machine: more time than the suite's default per test.
describe('the web app in Chromium', { timeout: 120_000 }, () => {
  it('refuses a wrong password with a message, and signs in with the right one', async () => {
    const page = await browser.newPage();
    await signIn(page, admin, 'not the password at all');
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('do not match');
    expect(page.url()).toContain('/sign-in');
    await screenshot(page, testEngine, '01-sign-in-refused');
    expect(await lowContrast(page)).toEqual([]);

    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await toPeople(page);
    await page.getByRole('heading', { level: 1, name: 'People' }).waitFor();
    await expect.poll(() => page.getByRole('status').first().textContent()).toBe('28 people');
    await screenshot(page, testEngine, '02-people');
    await page.close();
  });

  it('finds a person by name and opens their page with contact values, capabilities and timeline', async () => {
    const page = await browser.newPage();
    await signIn(page, admin);
    await toPeople(page);
    await page.getByLabel('Name or email').fill('ana oak');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.waitForURL(/q=ana\+oak/);
    await expect.poll(() => page.getByRole('status').first().textContent()).toBe('1 person');
    await screenshot(page, testEngine, '03-search');

    await page.getByRole('link', { name: 'Ana Oakland' }).click();
    await page.waitForURL(new RegExp(`/people/${people.ana}$`));
    await page.getByRole('heading', { level: 1, name: 'Ana Oakland' }).waitFor();
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).toContain('ana.oakland@example.org');
    expect(text).toContain('+15105550100');
    expect(text).toContain('she/her');
    expect(text).toContain('tenant-leader');
    expect(text).toContain('Oakland');
    // The admin may message and call: both are offered.
    await page.getByRole('button', { name: 'Message' }).waitFor();
    await page.getByRole('button', { name: 'Call' }).waitFor();
    // Timeline: the one-on-one and the note, newest first.
    const timeline = page.getByRole('region', { name: 'Timeline' });
    await timeline.getByText('Wants to lead the building meeting.').waitFor();
    const items = await timeline.getByRole('listitem').allInnerTexts();
    expect(items).toHaveLength(2);
    expect(items[0]).toContain('Wants to lead the building meeting.');
    expect(items[1]).toContain('One-on-one');
    expect(items[1]).toContain('committed');
    expect(await page.locator('.masked').count()).toBe(0);
    await screenshot(page, testEngine, '04-person-admin');
    await page.close();
  });

  it('filters by tag, unit and ZIP and pages through results, keeping them in the address', async () => {
    const page = await browser.newPage();
    await signIn(page, admin);
    await toPeople(page);
    await page.getByLabel('Tag').selectOption('tenant-leader');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toBe('2 people');
    await page.getByLabel('Unit').selectOption('west');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toBe('1 person');
    expect(await page.locator('.people .person-link').allInnerTexts()).toEqual(['Wendy Westside']);
    expect(page.url()).toMatch(/tag=tenant-leader/);
    expect(page.url()).toMatch(/unit=west/);

    await page.getByRole('link', { name: 'Clear' }).click();
    await page.getByLabel('Unit').selectOption('east.oakland');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toBe('27 people');
    const paging = page.getByRole('navigation', { name: 'Pages' });
    await paging.getByText('Page 1 of 2').waitFor();
    await paging.getByRole('link', { name: 'Next' }).click();
    await paging.getByText('Page 2 of 2').waitFor();
    expect(await page.locator('.people > li').count()).toBe(2);
    // Back returns to the first page (the page lives in the address).
    await page.goBack();
    await paging.getByText('Page 1 of 2').waitFor();
    expect(await page.locator('.people > li').count()).toBe(25);

    await page.getByRole('link', { name: 'Clear' }).click();
    await page.getByLabel('ZIP code', { exact: true }).fill('99999');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toBe('0 people');
    await page.getByText('No one matches').waitFor();
    await page.close();
  });

  it('shows a local organizer masked contact values and actions, and never another chapter’s person', async () => {
    const page = await browser.newPage();
    await signIn(page, organizer);
    await toPeople(page);
    // Only Oakland's people: Ana and the 26 members; not Wendy.
    await expect.poll(() => page.getByRole('status').first().textContent()).toBe('27 people');
    await page.getByLabel('Name or email').fill('Wendy');
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await expect.poll(() => page.getByRole('status').first().textContent()).toBe('0 people');
    await screenshot(page, testEngine, '05-organizer-search-other-chapter');

    // Typing the other chapter's person's address gets the same answer as a person who does not exist.
    await page.goto(`${base}/people/${people.wendy}`);
    await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
    expect(await page.getByRole('alert').textContent()).toContain('do not have access');
    expect((await page.locator('main').textContent()) ?? '').not.toContain('Wendy');
    await screenshot(page, testEngine, '06-organizer-other-chapter-person');

    await page.goto(`${base}/people/${people.ana}`);
    await page.getByRole('heading', { level: 1, name: 'Ana Oakland' }).waitFor();
    // Her contact choices (a section loaded after the page) mask the same values.
    await page.getByRole('region', { name: 'Contact choices' }).getByText('gets email').waitFor();
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).not.toContain('ana.oakland@example.org');
    expect(text).not.toContain('5550100');
    expect(await page.locator('section:not(.consent) .masked').count()).toBe(2);
    expect(await page.locator('section.consent .masked').count()).toBe(2);
    const masked = await page.locator('.masked').allInnerTexts();
    for (const value of masked) {
      expect(value).toContain('•');
      expect(value).toContain('hidden');
    }
    await page.getByRole('button', { name: 'Message' }).click();
    await page.getByText('coming soon').waitFor();
    await page.getByRole('button', { name: 'Call' }).waitFor();
    await screenshot(page, testEngine, '07-person-organizer-masked');
    expect(await lowContrast(page)).toEqual([]);
    await page.close();
  });

  it('signs out: the session ends on the server and the app returns to sign-in', async () => {
    const page = await browser.newPage();
    await signIn(page, admin);
    await toPeople(page);
    expect((await page.request.get(`${base}/api/v1/auth/me`)).status()).toBe(200);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/sign-in$/);
    expect((await page.request.get(`${base}/api/v1/auth/me`)).status()).toBe(401);
    // A deep link while signed out asks to sign in, then goes where it was headed.
    await page.goto(`${base}/people/${people.ana}`);
    await page.waitForURL(/\/sign-in\?next=/);
    await page.getByLabel('Email').fill(admin.email);
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(new RegExp(`/people/${people.ana}$`));
    await page.getByRole('heading', { level: 1, name: 'Ana Oakland' }).waitFor();
    await page.close();
  });

  it('speaks Spanish when asked, and remembers it', async () => {
    const page = await browser.newPage();
    await signIn(page, admin);
    await toPeople(page);
    await page.getByLabel('Language').selectOption('es');
    await page.getByRole('heading', { level: 1, name: 'Personas' }).waitFor();
    expect(await page.locator('html').getAttribute('lang')).toBe('es');
    await expect.poll(() => page.getByRole('status').first().textContent()).toBe('28 personas');
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Personas' }).waitFor();
    await screenshot(page, testEngine, '08-people-es');
    await page.getByLabel('Idioma').selectOption('en');
    await page.getByRole('heading', { level: 1, name: 'People' }).waitFor();
    await page.close();
  });

  it('names every control and is usable by keyboard: the skip link leads to the content', async () => {
    const page = await browser.newPage();
    // Still signed in from the last test (same browser profile): no sign-in, which is rate-limited.
    await page.goto(`${base}/people`);
    await page.getByRole('heading', { level: 1, name: 'People' }).waitFor();
    // Every control has an accessible name: a label, an aria-label or its own text.
    const unnamed = await page.evaluate(`[...document.querySelectorAll('input, select, button, a')]
      .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.textContent.trim())
      .map((e) => e.outerHTML)`);
    expect(unnamed).toEqual([]);
    expect(await lowContrast(page)).toEqual([]);
    await page.keyboard.press('Tab');
    expect(await page.locator(':focus').textContent()).toBe('Skip to content');
    await page.keyboard.press('Enter');
    expect(await page.locator(':focus').getAttribute('id')).toBe('main');
    await page.close();
  });
});
