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
 * The people search's filters and saved searches in real Chromium on a phone-sized window, against
 * the real server on a real database. Organization "org-search": Ana (ZIP 94607, no coordinates)
 * and Olu (coordinates in downtown Oakland) are tenant leaders near Oakland; Wendy is a tenant
 * leader in New York (10001); Zed lives at 94607 without the tag.
 */

const PASSWORD = 'correct horse battery staple';
let database: Database;
let audit: AuditLog;
let app: FastifyInstance;
let base: string;
let browser: Browser;
let org: { id: string; slug: string };
let admin: TestUser;

async function addPerson(input: object): Promise<void> {
  const response = await fetch(`${base}/api/v1/people`, {
    method: 'POST',
    headers: { authorization: `Bearer ${admin.token}`, 'content-type': 'application/json' },
    body: JSON.stringify(input),
  });
  if (!response.ok) throw new Error(`POST /api/v1/people: ${response.status} ${await response.text()}`);
}

beforeAll(async () => {
  ensureChromium();
  await ensureWebBuilt();
  database = await createTestDatabase();
  audit = testAuditLog(database.db);
  app = await buildApp({ db: database.db, log: silentLog, audit });
  base = (await app.listen({ port: 0, host: '127.0.0.1' })).replace('localhost', '127.0.0.1');

  org = await makeOrg(database.db, `org-search-${testEngine}`);
  admin = await makeUser(database.db, org.id, 'org_admin');
  await database.db
    .updateTable('app_user')
    .set({ password_hash: await hashPassword(PASSWORD) })
    .where('org_id', '=', org.id)
    .execute();
  await addPerson({
    given_name: 'Ana',
    family_name: 'Alvarez',
    tags: ['tenant-leader'],
    addresses: [{ postal_code: '94607' }],
  });
  await addPerson({
    given_name: 'Olu',
    family_name: 'Okafor',
    tags: ['tenant-leader'],
    addresses: [{ lines: ['1 Broadway'], postal_code: '94612', latitude: 37.8, longitude: -122.272 }],
  });
  await addPerson({
    given_name: 'Wendy',
    family_name: 'Westside',
    tags: ['tenant-leader'],
    addresses: [{ postal_code: '10001' }],
  });
  await addPerson({ given_name: 'Zed', family_name: 'Zimmer', addresses: [{ postal_code: '94607' }] });

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

/** A value the page shows once a request answers: a machine under load can take seconds. */
const poll = <T>(value: () => Promise<T> | T) => expect.poll(value, { timeout: 20_000 });
const count = (page: Page) => page.locator('.count').textContent();
const names = (page: Page) => page.locator('.people .person-link').allInnerTexts();

describe('people search on a phone', { timeout: 180_000 }, () => {
  it('filters by tag and by distance from a ZIP code, saves the search and reopens it with the same people', async () => {
    const page = await browser.newPage();
    await submitSignIn(browser, page, base, { org: org.slug, email: admin.email, password: PASSWORD });
    await page.waitForURL(/\/(people|dashboard)$/);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'People' }).click();
    await page.waitForURL(/\/people$/);
    await poll(() => count(page)).toBe('4 people');

    // Every control has its label; the tag comes from the organization's tags.
    await page.getByLabel('Tag', { exact: true }).selectOption({ label: 'tenant-leader' });
    await page.getByRole('button', { name: 'Search', exact: true }).click();
    await page.waitForURL(/[?&]tag=tenant-leader/);
    await poll(() => count(page)).toBe('3 people');
    expect((await names(page)).sort()).toEqual(['Ana Alvarez', 'Olu Okafor', 'Wendy Westside']);

    // Near a ZIP code, from the keyboard: type it, choose the distance, Enter.
    await page.getByLabel('Near ZIP code', { exact: true }).fill('94607');
    await page.getByLabel('Within', { exact: true }).selectOption({ label: '5 km' });
    await page.getByLabel('Near ZIP code', { exact: true }).press('Enter');
    await page.waitForURL(/near_zip=94607/);
    expect(new URL(page.url()).searchParams.get('radius_km')).toBe('5');
    await poll(() => count(page)).toBe('2 people');
    expect((await names(page)).sort()).toEqual(['Ana Alvarez', 'Olu Okafor']);
    const linkable = page.url();
    await screenshot(page, testEngine, 'search-01-tag-and-radius');
    expect(await lowContrast(page)).toEqual([]);

    await page.getByLabel('Name for this search').fill('Tenant leaders near Oakland');
    await page.getByRole('button', { name: 'Save this search' }).click();
    await page.getByText('Saved “Tenant leaders near Oakland”.').waitFor();
    const saved = page.getByRole('region', { name: 'Saved searches' });
    await saved.getByRole('link', { name: 'Tenant leaders near Oakland' }).waitFor();

    // Start over, then open the saved search: the same filters, the same people.
    await page.getByRole('link', { name: 'Clear' }).click();
    await page.waitForURL(/\/people$/);
    await poll(() => count(page)).toBe('4 people');
    expect(await page.getByLabel('Near ZIP code', { exact: true }).inputValue()).toBe('');
    await saved.getByRole('link', { name: 'Tenant leaders near Oakland' }).click();
    await page.waitForURL(/near_zip=94607/);
    await poll(() => count(page)).toBe('2 people');
    expect((await names(page)).sort()).toEqual(['Ana Alvarez', 'Olu Okafor']);
    expect(await page.getByLabel('Tag', { exact: true }).inputValue()).toBe('tenant-leader');
    expect(await page.getByLabel('Near ZIP code', { exact: true }).inputValue()).toBe('94607');
    expect(await page.getByLabel('Within', { exact: true }).inputValue()).toBe('5');
    await screenshot(page, testEngine, 'search-02-saved-search-reopened');

    // The address itself is the search: a fresh load of the link finds them too.
    await page.goto(linkable);
    await poll(() => count(page)).toBe('2 people');
    expect((await names(page)).sort()).toEqual(['Ana Alvarez', 'Olu Okafor']);

    // Renamed from the list; what the API stores is what the screen shows.
    await saved.getByRole('button', { name: 'Rename “Tenant leaders near Oakland”' }).click();
    await saved.getByLabel('Rename “Tenant leaders near Oakland”').fill('Oakland tenant leaders');
    await saved.getByRole('button', { name: 'Save name' }).click();
    await saved.getByRole('link', { name: 'Oakland tenant leaders' }).waitFor();
    const stored = (await (
      await fetch(`${base}/api/v1/saved-searches`, { headers: { authorization: `Bearer ${admin.token}` } })
    ).json()) as { items: { name: string; query: Record<string, unknown> }[] };
    expect(stored.items).toEqual([
      expect.objectContaining({
        name: 'Oakland tenant leaders',
        query: expect.objectContaining({ tag: 'tenant-leader', near_zip: '94607', radius_km: 5 }),
      }),
    ]);
    await screenshot(page, testEngine, 'search-03-saved-search-renamed');
    expect(await lowContrast(page)).toEqual([]);
    await page.close();
  });
});
