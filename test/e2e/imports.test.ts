import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
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
 * The import wizard and duplicate review in real Chromium, against the real server on a real
 * database (one of each for the file). Organization "imports": units east ⊃ east.oakland. Rosa
 * Duplicado is already in the database; the CSV the test writes brings her again with another
 * birth date (so the matching engine flags a possible duplicate) and one row with a bad email.
 * The admin imports it, then merges the pair and undoes the merge; a local organizer over
 * east.oakland gets neither screen, and the API refuses them too.
 */

const PASSWORD = 'correct horse battery staple';
let database: Database;
let app: FastifyInstance;
let base: string;
let browser: Browser;
let org: { id: string; slug: string };
let admin: TestUser;
let organizer: TestUser;
let dir: string;
let csvFile: string;

const CSV = [
  'First name,Last name,E-mail,Date of birth,Where,Shoe size',
  'Ana,Importada,ana.importada@example.org,1990-02-03,Oakland,38',
  'Bob,Malo,bob@,1985-05-06,Berkeley,44',
  'Cy,Nuevo,cy.nuevo@example.org,,Oakland,41',
  'Rosa,Duplicado,rosa.duplicado@example.org,1984-08-08,Oakland,37',
  '',
].join('\n');
const BOB_REASON = 'email: "bob@" is not a valid email address (column "E-mail")';

async function call(method: string, url: string, as: TestUser, body?: unknown, type = 'application/json') {
  return await fetch(`${base}${url}`, {
    method,
    headers: {
      authorization: `Bearer ${as.token}`,
      ...(body !== undefined ? { 'content-type': type } : {}),
    },
    ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
  });
}

async function ok(response: Promise<Response>): Promise<Response> {
  const r = await response;
  if (!r.ok) throw new Error(`${r.url}: ${r.status} ${await r.text()}`);
  return r;
}

/** How many people the admin finds by this text (everyone without it). */
async function peopleNamed(q?: string): Promise<number> {
  const response = await ok(call('GET', `/api/v1/people${q ? `?q=${encodeURIComponent(q)}` : ''}`, admin));
  return ((await response.json()) as { total: number }).total;
}

beforeAll(async () => {
  ensureChromium();
  await ensureWebBuilt();
  database = await createTestDatabase();
  app = await buildApp({ db: database.db, log: silentLog, audit: testAuditLog(database.db) });
  base = (await app.listen({ port: 0, host: '127.0.0.1' })).replace('localhost', '127.0.0.1');

  org = await makeOrg(database.db, `imports-${testEngine}`);
  admin = await makeUser(database.db, org.id, 'org_admin');
  for (const [unitPath, kind, name] of [
    ['east', 'chapter', 'East'],
    ['east.oakland', 'local', 'Oakland'],
  ] as const)
    await ok(call('POST', '/api/v1/units', admin, { path: unitPath, kind, name }));
  organizer = await makeUser(database.db, org.id, 'local_organizer', 'east.oakland');
  await database.db
    .updateTable('app_user')
    .set({ password_hash: await hashPassword(PASSWORD) })
    .where('org_id', '=', org.id)
    .execute();
  await ok(
    call('POST', '/api/v1/people', admin, {
      given_name: 'Rosa',
      family_name: 'Duplicado',
      birthdate: '1980-04-04',
      home_unit: 'east.oakland',
      emails: [{ address: 'rosa.duplicado@example.org' }],
      phones: [{ number: '+1 510 555 0177' }],
    }),
  );

  dir = mkdtempSync(path.join(tmpdir(), 'rhizome-e2e-imports-'));
  csvFile = path.join(dir, 'volunteers.csv');
  writeFileSync(csvFile, CSV);
  browser = await launchBrowser();
}, 600_000);

afterEach(() => {
  expect(browser.errors).toEqual([]);
});

afterAll(async () => {
  await browser?.close();
  await app?.close();
  await database?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function signIn(page: Page, user: TestUser): Promise<void> {
  await submitSignIn(browser, page, base, { org: org.slug, email: user.email, password: PASSWORD });
  // Home is the dashboard for those who may count people, the people search for the rest.
  await page.waitForURL(/\/(people|dashboard)$/);
}

describe('importing and reviewing duplicates in Chromium', { timeout: 180_000 }, () => {
  it('imports a CSV: mapping preview, progress, counts, rejects by row and field, the rejects file', async () => {
    const page = await browser.newPage();
    await signIn(page, admin);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Import' }).click();
    await page.waitForURL(/\/import$/);
    await page.getByRole('heading', { level: 1, name: 'Import people' }).waitFor();

    await page.getByLabel('CSV file').setInputFiles(csvFile);
    const mapping = page.getByRole('region', { name: 'Where each column goes' });
    await mapping.waitFor();
    // The server's own header detection, with the first rows under each column.
    await expect.poll(() => page.getByLabel('E-mail', { exact: true }).inputValue()).toBe('email');
    expect(await page.getByLabel('First name', { exact: true }).inputValue()).toBe('given_name');
    expect(await page.getByLabel('Date of birth', { exact: true }).inputValue()).toBe('birthdate');
    expect(await page.getByLabel('Where', { exact: true }).inputValue()).toBe('ignore');
    expect(await page.getByLabel('Shoe size', { exact: true }).inputValue()).toBe('ignore');
    expect(await mapping.getByRole('list', { name: 'First values of E-mail' }).textContent()).toContain(
      'ana.importada@example.org',
    );
    // The bad row is explained before anything is imported, by row and field.
    const check = page.getByRole('region', { name: 'Check of the first rows' });
    await check.getByText('Of the first 4 rows, 1 would be rejected:').waitFor();
    expect(await check.textContent()).toContain('Row 3:');
    expect(await check.textContent()).toContain(BOB_REASON);

    // "Where" holds cities: map it by hand; the preview follows.
    await page.getByLabel('Where', { exact: true }).selectOption('locality');
    await expect.poll(() => page.getByLabel('Where', { exact: true }).inputValue()).toBe('locality');
    await page.getByLabel('Tags for everyone in this file').fill('spring-drive, volunteers');
    await page.getByLabel('Home unit for people without one').selectOption('east.oakland');
    await screenshot(page, testEngine, 'imports-01-mapping');
    expect(await lowContrast(page)).toEqual([]);

    await page.getByRole('button', { name: 'Start the import' }).click();
    const status = page.locator('.import-progress [role="status"]');
    await expect.poll(() => status.textContent(), { timeout: 60_000 }).toBe('Import finished: 4 rows read.');
    expect(await page.locator('[data-count="created"]').textContent()).toBe('3');
    expect(await page.locator('[data-count="updated"]').textContent()).toBe('0');
    expect(await page.locator('[data-count="rejected"]').textContent()).toBe('1');
    expect(await page.locator('[data-count="flagged"]').textContent()).toBe('1');
    expect(await page.getByRole('progressbar', { name: 'Import progress' }).getAttribute('value')).toBe('1');
    // Each rejected row by line, with the field and column the API names.
    const rejects = page.locator('.import-progress .row-reasons');
    await rejects.getByText(BOB_REASON).waitFor();
    expect(await rejects.textContent()).toContain('Row 3:');
    await screenshot(page, testEngine, 'imports-02-finished');
    expect(await lowContrast(page)).toEqual([]);

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('link', { name: 'Download rejected rows (CSV)' }).click(),
    ]);
    const saved = await download.path();
    const text = readFileSync(saved, 'utf8');
    expect(text.split(/\r?\n/)[0]).toBe(
      'line,reason,First name,Last name,E-mail,Date of birth,Where,Shoe size',
    );
    expect(text).toContain('3,');
    expect(text).toContain('bob@');
    expect(text).toContain('(column ""E-mail"")');

    // What the import did, as the API tells it: the mapping, tags and unit were applied.
    const found = await ok(call('GET', '/api/v1/people?q=Importada', admin));
    const [ana] = ((await found.json()) as { items: { id: string }[] }).items;
    const person = (await (await ok(call('GET', `/api/v1/people/${ana?.id}`, admin))).json()) as {
      tags: string[];
      addresses: { locality: string | null }[];
      home_unit: { path: string } | null;
    };
    expect(person.tags.sort()).toEqual(['spring-drive', 'volunteers']);
    expect(person.addresses.map((a) => a.locality)).toEqual(['Oakland']);
    expect(person.home_unit?.path).toBe('east.oakland');
    expect(await peopleNamed('Duplicado')).toBe(2);
    await page.close();
  });

  it('reviews the flagged pair side by side, previews the merge, merges, and undoes it', async () => {
    const page = await browser.newPage();
    // Still signed in as the admin (same browser profile).
    await page.goto(`${base}/people`);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Duplicates' }).click();
    await page.waitForURL(/\/duplicates$/);
    await page.getByRole('heading', { level: 1, name: 'Possible duplicates' }).waitFor();
    await page.getByText('1 pair to review').waitFor();
    const pair = page.locator('.pair').first();
    await pair.getByRole('heading', { name: 'Rosa Duplicado and Rosa Duplicado' }).waitFor();
    const table = await pair.getByRole('table').textContent();
    expect(table).toContain('1980-04-04');
    expect(table).toContain('1984-08-08');
    expect(await pair.locator('td.differs').count()).toBe(2);
    await screenshot(page, testEngine, 'imports-03-duplicates');
    expect(await lowContrast(page)).toEqual([]);

    await pair.getByRole('button', { name: 'Compare and merge' }).click();
    await pair.getByRole('region', { name: 'Record 2' }).waitFor();
    const record1 = await pair.getByRole('region', { name: 'Record 1' }).textContent();
    expect(record1).toContain('rosa.duplicado@example.org');
    expect(await pair.locator('.masked').count()).toBe(0);
    await pair.getByRole('radio', { name: /^Record 1/ }).check();
    await pair.getByRole('button', { name: 'Preview the merge' }).click();
    const after = pair.getByRole('region', { name: 'After the merge' });
    await after.waitFor();
    const result = await after.textContent();
    expect(result).toContain('Rosa Duplicado');
    expect(result).toContain('rosa.duplicado@example.org');
    expect(result).toContain('+15105550177');
    // A preview writes nothing.
    expect(await peopleNamed('Duplicado')).toBe(2);
    await screenshot(page, testEngine, 'imports-04-merge-preview');
    expect(await lowContrast(page)).toEqual([]);

    await pair.getByRole('button', { name: 'Merge', exact: true }).click();
    await page.getByText('Merged: Rosa Duplicado is one record now.').waitFor();
    await page.getByText('0 pairs to review').waitFor();
    expect(await peopleNamed('Duplicado')).toBe(1);
    await screenshot(page, testEngine, 'imports-05-merged');

    await page.getByRole('button', { name: 'Undo merge' }).click();
    await page.getByText('Merge undone: both records are back as they were.').waitFor();
    await page.getByText('1 pair to review').waitFor();
    expect(await peopleNamed('Duplicado')).toBe(2);
    await screenshot(page, testEngine, 'imports-06-undone');
    await page.close();
  });

  it('gives a local organizer neither screen, and the API refuses them', async () => {
    const page = await browser.newPage();
    await signIn(page, organizer);
    const nav = page.getByRole('navigation', { name: 'Main' });
    await nav.getByRole('link', { name: 'People' }).waitFor();
    expect(await nav.getByRole('link', { name: 'Import' }).count()).toBe(0);
    expect(await nav.getByRole('link', { name: 'Duplicates' }).count()).toBe(0);

    await page.goto(`${base}/import`);
    await page.getByRole('heading', { level: 1, name: 'Import people' }).waitFor();
    expect(await page.getByRole('alert').textContent()).toContain(
      'You do not have permission to import people',
    );
    expect(await page.getByLabel('CSV file').count()).toBe(0);
    await screenshot(page, testEngine, 'imports-07-organizer-refused');
    expect(await lowContrast(page)).toEqual([]);

    const before = await peopleNamed();
    for (const url of ['/api/v1/imports', '/api/v1/imports/preview']) {
      const refused = await call('POST', url, organizer, CSV, 'text/csv');
      expect(refused.status, url).toBe(403);
    }
    expect((await call('GET', '/api/v1/imports', organizer)).status).toBe(403);
    expect(await peopleNamed()).toBe(before);
    await page.close();
  });
});
