import type { FastifyInstance } from 'fastify';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AuditLog } from '../../src/audit/index.js';
import type { Database } from '../../src/db/connect.js';
import { newId } from '../../src/db/ids.js';
import { existingRsvpIntake } from '../../src/events/rsvp-intake.js';
import { buildApp } from '../../src/http/app.js';
import { silentLog } from '../../src/log.js';
import { createTestDatabase, testAuditLog, testEngine } from '../support/db.js';
import { makeOrg, makeUser, type TestUser } from '../support/fixtures.js';
import { CHROMIUM, ensureChromium, lowContrast, screenshot } from './browser.js';

/**
 * The public pages in real Chromium, as a phone sees them: an event page (RSVP with JavaScript off
 * and on), a campaign searched by ZIP code (the list without script, the map with it), a consent
 * link that unsubscribes (and the API then shows the address unsubscribed), and the pages in
 * Spanish. Every page is checked for WCAG 2.1 AA basics: its language, a label for every field,
 * text contrast, and keyboard use.
 */

let database: Database;
let audit: AuditLog;
let app: FastifyInstance;
let base: string;
let browser: Browser;
let admin: TestUser;
let campaign: string;
let event: string;
let ana: string;
const contexts: Record<'noScript' | 'script' | 'spanish', BrowserContext> = {} as never;
const errors: string[] = [];

async function call<T = { id: string }>(
  method: string,
  path: string,
  as: TestUser | null,
  body?: unknown,
): Promise<T> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(as ? { authorization: `Bearer ${as.token}` } : {}),
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (await response.json()) as T;
}

async function newPage(which: keyof typeof contexts): Promise<Page> {
  const page = await contexts[which].newPage();
  page.on('pageerror', (error) => errors.push(`${page.url()}: ${error.message}`));
  page.on('console', (message) => {
    // A refused page answers 400 by design; scripts failing or refused by the CSP are errors.
    if (message.type() === 'error' && /Content Security Policy|Uncaught/i.test(message.text()))
      errors.push(`${page.url()}: ${message.text()}`);
  });
  return page;
}

/** WCAG basics on any public page: a language, a label for every field, enough contrast. */
async function accessible(page: Page, lang: string): Promise<void> {
  expect(await page.getAttribute('html', 'lang')).toBe(lang);
  const unlabelled = await page.evaluate(`[...document.querySelectorAll('input, select, textarea')]
    .filter((el) => el.type !== 'hidden' && !el.closest('[aria-hidden="true"]'))
    .filter((el) => el.labels.length === 0 && !el.getAttribute('aria-label'))
    .map((el) => el.name)`);
  expect(unlabelled).toEqual([]);
  expect(await lowContrast(page)).toEqual([]);
}

beforeAll(async () => {
  ensureChromium();
  database = await createTestDatabase();
  audit = testAuditLog(database.db);
  app = await buildApp({ db: database.db, log: silentLog, audit });
  base = (await app.listen({ port: 0, host: '127.0.0.1' })).replace('localhost', '127.0.0.1');
  const org = await makeOrg(database.db, `public-${testEngine}`);
  const unit = newId();
  await database.db
    .insertInto('unit')
    .values({ org_id: org.id, id: unit, path: 'bay', name: 'Bay', kind: 'chapter' })
    .execute();
  admin = await makeUser(database.db, org.id, 'org_admin');
  campaign = (
    await call('POST', '/api/v1/campaigns', admin, {
      unit_id: unit,
      title: 'Earth Day of action',
      description: 'Clean up a park, a creek or a street near you.',
      starts_on: '2030-04-22',
      ends_on: '2030-04-22',
      trusted_host_emails: ['host@example.org'],
    })
  ).id;
  const propose = async (title: string, zip: string, place: string) =>
    (
      await call('POST', `/api/v1/public/campaigns/${campaign}/events`, null, {
        host: { given_name: 'Host', email: 'host@example.org' },
        title,
        description: 'Gloves and bags provided.',
        starts_at: '2030-04-22T17:00:00Z',
        ends_at: '2030-04-22T19:00:00Z',
        timezone: 'America/Los_Angeles',
        location_name: place,
        locality: 'Oakland',
        postal_code: zip,
        consent: { email_updates: false },
      })
    ).id;
  event = await propose('Lake Merritt cleanup', '94612', 'Lake Merritt pergola');
  await propose('Fruitvale creek cleanup', '94601', 'Peralta Creek');
  await propose('Berkeley pier cleanup', '94710', 'Berkeley Marina');
  ana = (
    await call<{ person: { id: string } }>('POST', '/api/v1/people', admin, {
      given_name: 'Ana',
      family_name: 'Oakland',
      emails: [{ address: 'ana.oakland@example.org' }],
    })
  ).person.id;

  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
    ],
  });
  const phone = { viewport: { width: 390, height: 844 }, timezoneId: 'UTC' };
  contexts.noScript = await browser.newContext({ ...phone, locale: 'en-US', javaScriptEnabled: false });
  contexts.script = await browser.newContext({ ...phone, locale: 'en-US' });
  contexts.spanish = await browser.newContext({ ...phone, locale: 'es-MX' });
}, 600_000);

afterEach(() => {
  // No uncaught exception and nothing the Content-Security-Policy refused.
  expect(errors).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await database?.close();
});

async function attendees(): Promise<string[]> {
  // An RSVP is answered once in the intake log and merged just after (adr/0026).
  await existingRsvpIntake(database.db)?.drain();
  const page = await call<{ items: { person: { given_name?: string } }[] }>(
    'GET',
    `/api/v1/events/${event}/attendees`,
    admin,
  );
  return page.items.map((r) => r.person.given_name ?? '');
}

describe('the public pages in Chromium', { timeout: 120_000 }, () => {
  it('takes an RSVP on an event page with JavaScript off', async () => {
    const page = await newPage('noScript');
    await page.goto(`${base}/e/${event}`);
    await page.getByRole('heading', { level: 1, name: 'Lake Merritt cleanup' }).waitFor();
    await accessible(page, 'en');
    await screenshot(page, testEngine, 'public-01-event-no-script');
    await page.getByLabel('First name (required)').fill('Nora');
    await page.getByLabel('Email', { exact: true }).fill('nora@example.org');
    await page.getByLabel('Send me updates from this group by email').check();
    await page.getByRole('button', { name: 'RSVP' }).click();
    await page.getByRole('heading', { level: 1, name: 'Thank you' }).waitFor();
    expect(await page.locator('main').textContent()).toContain(
      'You are on the list for “Lake Merritt cleanup”',
    );
    await accessible(page, 'en');
    expect(await attendees()).toContain('Nora');
    await page.close();
  });

  it('takes an RSVP with JavaScript on, by keyboard alone, and shows errors linked to their fields', async () => {
    const page = await newPage('script');
    await page.goto(`${base}/e/${event}`);
    // Tab from the top: the language switch, then the first field.
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.textContent')).toBe('Español');
    await page.keyboard.press('Tab');
    expect(await page.evaluate('document.activeElement.id')).toBe('f-given_name');
    await page.keyboard.type('Omar');
    // Neither email nor phone: the server answers with the form again and its errors.
    await page.keyboard.press('Enter');
    await page.getByRole('alert').waitFor();
    await accessible(page, 'en');
    await screenshot(page, testEngine, 'public-02-event-errors');
    await page.getByLabel('Email', { exact: true }).fill('omar@example.org');
    await page.getByLabel('Email', { exact: true }).press('Enter');
    await page.getByRole('heading', { level: 1, name: 'Thank you' }).waitFor();
    expect(await attendees()).toContain('Omar');
    await page.close();
  });

  it('searches a campaign by ZIP code: the list from the server, the map from the script', async () => {
    const bare = await newPage('noScript');
    await bare.goto(`${base}/c/${campaign}`);
    await bare.getByLabel('ZIP code', { exact: true }).fill('94607');
    await bare.getByLabel('Distance').selectOption('10');
    await bare.getByRole('button', { name: 'Search' }).click();
    await bare.waitForURL(/zip=94607/);
    await bare.getByRole('heading', { level: 3, name: /events? within 10 km of 94607/ }).waitFor();
    const listed = await bare.locator('ol.events li a').allInnerTexts();
    expect(listed).toContain('Lake Merritt cleanup');
    expect(listed).toContain('Berkeley pier cleanup');
    expect(await bare.locator('#map svg').count()).toBe(0);
    await accessible(bare, 'en');
    await screenshot(bare, testEngine, 'public-03-campaign-no-script');
    await bare.getByRole('link', { name: 'Lake Merritt cleanup' }).click();
    await bare.getByRole('heading', { level: 1, name: 'Lake Merritt cleanup' }).waitFor();
    await bare.close();

    const page = await newPage('script');
    await page.goto(`${base}/c/${campaign}?zip=94607&radius_km=10`);
    await page.locator('#map svg circle').first().waitFor();
    expect(await page.locator('#map svg a').count()).toBe(listed.length);
    await accessible(page, 'en');
    await screenshot(page, testEngine, 'public-04-campaign-map');
    // A ZIP code that is not one: the field says so.
    await page.getByLabel('ZIP code', { exact: true }).fill('00000');
    await page.getByRole('button', { name: 'Search' }).click();
    await page.locator('#s-zip[aria-invalid="true"]').waitFor();
    await page.close();
  });

  it('unsubscribes through a consent link, and the API then shows the address unsubscribed', async () => {
    const link = await call<{ url: string }>('POST', `/api/v1/people/${ana}/consent-links`, admin, {
      purpose: 'e2e newsletter',
    });
    const page = await newPage('noScript');
    await page.goto(link.url.replace(/^http:\/\/[^/]+/, base));
    await page.getByRole('heading', { level: 1, name: 'Your choices' }).waitFor();
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).toContain('a•••@e•••.org');
    expect(text).not.toContain('ana.oakland');
    await accessible(page, 'en');
    await page.getByRole('group', { name: 'Email to a•••@e•••.org' }).getByLabel('No more email').check();
    await page.getByRole('button', { name: 'Save my choices' }).click();
    await page.getByRole('status').waitFor();
    expect(await page.getByRole('status').textContent()).toBe('Your choices are saved.');
    await screenshot(page, testEngine, 'public-05-consent-saved');
    const person = await call<{ emails: unknown[] }>('GET', `/api/v1/people/${ana}`, admin);
    expect(person.emails).toEqual([
      expect.objectContaining({ address: 'ana.oakland@example.org', status: 'unsubscribed' }),
    ]);
    await page.close();
  });

  it('shows the pages in Spanish for a Spanish browser, with a switch to English', async () => {
    const page = await newPage('spanish');
    await page.goto(`${base}/c/${campaign}`);
    await page.getByRole('heading', { level: 2, name: 'Busca un evento cerca de ti' }).waitFor();
    await accessible(page, 'es');
    await screenshot(page, testEngine, 'public-06-campaign-spanish');
    await page.goto(`${base}/e/${event}`);
    await page.getByRole('button', { name: 'Confirmar asistencia' }).waitFor();
    await accessible(page, 'es');
    await screenshot(page, testEngine, 'public-07-event-spanish');
    await page.getByRole('link', { name: 'English' }).click();
    await page.getByRole('button', { name: 'RSVP' }).waitFor();
    expect(await page.getAttribute('html', 'lang')).toBe('en');
    await page.close();
  });
});
