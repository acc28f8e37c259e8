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
 * The person page's contact choices in real Chromium on a phone-sized window, against the real
 * server. Maria is a local organizer over east.oakland (basic and status fields, no contact
 * fields): she sees Ana's choices with her address and number masked, records the opt-out Ana
 * asked for on the phone, and sees it in the history and honoured in the API.
 */

const PASSWORD = 'correct horse battery staple';
let database: Database;
let audit: AuditLog;
let app: FastifyInstance;
let base: string;
let browser: Browser;
let org: { id: string; slug: string };
let admin: TestUser;
let maria: TestUser;
let ana = '';

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

beforeAll(async () => {
  ensureChromium();
  await ensureWebBuilt();
  database = await createTestDatabase();
  audit = testAuditLog(database.db);
  app = await buildApp({ db: database.db, log: silentLog, audit });
  base = (await app.listen({ port: 0, host: '127.0.0.1' })).replace('localhost', '127.0.0.1');

  org = await makeOrg(database.db, `org-person-${testEngine}`);
  admin = await makeUser(database.db, org.id, 'org_admin');
  for (const [path, kind, name] of [
    ['east', 'chapter', 'East'],
    ['east.oakland', 'local', 'Oakland'],
  ] as const)
    await call('POST', '/api/v1/units', admin, { path, kind, name });
  maria = await makeUser(database.db, org.id, 'local_organizer', 'east.oakland');
  await database.db
    .updateTable('app_user')
    .set({ password_hash: await hashPassword(PASSWORD), display_name: 'Maria Ruiz' })
    .where('id', '=', maria.id)
    .execute();
  const created = await call('POST', '/api/v1/people', admin, {
    given_name: 'Ana',
    family_name: 'Oakland',
    home_unit: 'east.oakland',
    emails: [{ address: 'ana@example.org' }],
    phones: [{ number: '+15105550199', sms_capable: true }],
  });
  ana = ((await created.json()) as { person: { id: string } }).person.id;
  browser = await launchBrowser();
}, 600_000);

afterEach(() => {
  // No uncaught exception and nothing the Content-Security-Policy refused.
  expect(browser.errors).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await database?.close();
});

const poll = <T>(value: () => Promise<T> | T) => expect.poll(value, { timeout: 20_000 });
const text = async (page: Page, selector: string) =>
  ((await page.locator(selector).first().textContent()) ?? '').replace(/\s+/g, ' ');

describe('the person page’s contact choices', { timeout: 180_000 }, () => {
  it('shows a local organizer the choices with masked values, records an opt-out and shows it in the history', async () => {
    const page = await browser.newPage();
    await submitSignIn(browser, page, base, { org: org.slug, email: maria.email, password: PASSWORD });
    await page.waitForURL(/\/(people|dashboard)$/);
    await page.goto(`${base}/people/${ana}`);

    const section = page.getByRole('region', { name: 'Contact choices' });
    await section.waitFor();
    const emails = section.getByRole('list', { name: 'Email' });
    await poll(() => emails.textContent()).toContain('gets email');
    // She may not read contact fields: the address and number are masked and labelled hidden.
    expect(await section.textContent()).not.toContain('ana@example.org');
    expect(await section.textContent()).not.toContain('5105550199');
    expect(await emails.textContent()).toContain('a•••@e•••.org');
    expect(await emails.textContent()).toContain('hidden');
    expect(await text(page, '[data-sms]')).toContain('No choice about texts recorded');
    expect(await section.getByRole('list', { name: 'Phone numbers' }).textContent()).toContain(
      'can receive texts, may be called',
    );
    expect(await section.getByText('Nothing recorded yet.').count()).toBe(1);

    // Only withdrawals are offered, and the hint says why.
    const choices = section.getByRole('group', { name: 'What did they ask?' });
    expect(await choices.getByRole('radio').count()).toBe(4);
    expect((await choices.textContent()) ?? '').not.toMatch(/yes/i);
    expect(await section.textContent()).toContain('must come from the person themselves');

    // Nothing picked: the error is announced and tied to the choices.
    await section.getByRole('button', { name: 'Record the opt-out' }).click();
    const error = section.getByRole('alert');
    await poll(() => error.textContent()).toBe('Choose what they asked for.');
    expect(await choices.getAttribute('aria-describedby')).toContain(
      (await error.getAttribute('id')) as string,
    );

    await choices.getByRole('radio', { name: 'No text messages' }).check();
    await section
      .getByLabel('How did they tell you? (optional)')
      .fill('She asked us on the phone not to text her');
    await screenshot(page, testEngine, 'person-01-consent-opt-out');
    expect(await lowContrast(page)).toEqual([]);
    await section.getByRole('button', { name: 'Record the opt-out' }).click();

    const status = section.getByRole('status');
    await poll(() => status.textContent()).toContain('Recorded. It takes effect at once.');
    await poll(() => text(page, '[data-sms]')).toContain('Said no to texts');
    expect(await text(page, '[data-sms]')).toContain('recorded by Maria Ruiz');
    const history = section.getByRole('list', { name: 'History' });
    const entry = ((await history.getByRole('listitem').first().textContent()) ?? '').replace(/\s+/g, ' ');
    expect(entry).toContain('recorded by Maria Ruiz');
    expect(entry).toContain('Texts: no more texts');
    expect(entry).toContain('“She asked us on the phone not to text her”');
    // The choice is gone from the form: it is in place.
    expect(await choices.getByRole('radio', { name: 'No text messages' }).count()).toBe(0);
    await screenshot(page, testEngine, 'person-02-consent-history');
    expect(await lowContrast(page)).toEqual([]);

    // Honoured where the API reads it, with Maria's session as the source.
    const consent = (await (await call('GET', `/api/v1/people/${ana}/consent`, admin)).json()) as {
      sms: { status: string; source: { kind: string; ref: string } };
    };
    expect(consent.sms.status).toBe('opted_out');
    expect(consent.sms.source).toEqual({ kind: 'user', ref: maria.id });
    await page.close();
  });
});
