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
 * The organizing screens in real Chromium on a phone-sized window (390x844), against the real
 * server on a real database: one server and one browser for the file. Organization "org-e2e":
 * units east ⊃ east.oakland and west. Ana and Olu live in east.oakland, Wendy in west. Maria is a
 * local organizer over east.oakland; the admin sees everyone. Ladder "Engagement" (Supporter,
 * Volunteer, Leader) has a rule suggesting Volunteer after one one-on-one in 90 days.
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
const people = { ana: '', olu: '', wendy: '' };
let ladder: { id: string; levels: { id: string; name: string }[] };

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

async function json<T>(method: string, path: string, as: TestUser, body?: unknown): Promise<T> {
  return (await (await call(method, path, as, body)).json()) as T;
}

async function addPerson(input: object): Promise<string> {
  return (await json<{ person: { id: string } }>('POST', '/api/v1/people', admin, input)).person.id;
}

const level = (name: string) => ladder.levels.find((v) => v.name === name)?.id as string;

beforeAll(async () => {
  ensureChromium();
  await ensureWebBuilt();
  database = await createTestDatabase();
  audit = testAuditLog(database.db);
  app = await buildApp({ db: database.db, log: silentLog, audit });
  base = (await app.listen({ port: 0, host: '127.0.0.1' })).replace('localhost', '127.0.0.1');

  org = await makeOrg(database.db, `org-e2e-${testEngine}`);
  admin = await makeUser(database.db, org.id, 'org_admin');
  for (const [path, kind, name] of [
    ['east', 'chapter', 'East'],
    ['east.oakland', 'local', 'Oakland'],
    ['west', 'chapter', 'West'],
  ] as const)
    await call('POST', '/api/v1/units', admin, { path, kind, name });
  maria = await makeUser(database.db, org.id, 'local_organizer', 'east.oakland');
  await database.db
    .updateTable('app_user')
    .set({ password_hash: await hashPassword(PASSWORD) })
    .where('org_id', '=', org.id)
    .execute();

  people.ana = await addPerson({ given_name: 'Ana', family_name: 'Oakland', home_unit: 'east.oakland' });
  people.olu = await addPerson({ given_name: 'Olu', family_name: 'Okafor', home_unit: 'east.oakland' });
  people.wendy = await addPerson({ given_name: 'Wendy', family_name: 'Westside', home_unit: 'west' });
  await call('POST', '/api/v1/tags', admin, { name: 'tenant-leader' });

  ladder = await json('POST', '/api/v1/ladders', admin, {
    name: 'Engagement',
    levels: [{ name: 'Supporter' }, { name: 'Volunteer' }, { name: 'Leader' }],
  });
  await call('POST', `/api/v1/ladders/${ladder.id}/rules`, admin, {
    name: 'Had a one-on-one',
    level_id: level('Volunteer'),
    activity_kinds: ['one_on_one'],
    min_count: 1,
    window_days: 90,
  });
  // Olu had a one-on-one last week (the rule will suggest Volunteer); Wendy, in another chapter,
  // is a volunteer already: Maria's board must not count her.
  await call('POST', `/api/v1/people/${people.olu}/activities`, admin, {
    kind: 'one_on_one',
    occurred_at: new Date(Date.now() - 7 * 86_400_000).toISOString(),
    body: 'Met at the laundromat.',
  });
  await call('POST', `/api/v1/people/${people.wendy}/assessments`, admin, {
    ladder_id: ladder.id,
    level_id: level('Volunteer'),
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

async function signIn(page: Page, user: TestUser): Promise<void> {
  await submitSignIn(browser, page, base, { org: org.slug, email: user.email, password: PASSWORD });
  // Home is the dashboard for those who may count people, the people search for the rest.
  await page.waitForURL(/\/(people|dashboard)$/);
}

const nav = (page: Page) => page.getByRole('navigation', { name: 'Main' });
/** A value the page shows once a request answers: a machine under load can take seconds. */
const poll = <T>(value: () => Promise<T> | T) => expect.poll(value, { timeout: 20_000 });

describe('organizing on a phone', { timeout: 180_000 }, () => {
  it('lets a local organizer log a one-on-one with a next step in a few touches, see it on the timeline and close the follow-up', async () => {
    const page = await browser.newPage();
    expect(page.viewportSize()).toEqual({ width: 390, height: 844 });
    await signIn(page, maria);
    // Her links are those her role's actions allow: everything here but nothing she lacks.
    expect(await nav(page).getByRole('link').allInnerTexts()).toEqual(
      expect.arrayContaining(['People', 'Follow-ups', 'Log 1:1', 'Lists', 'Tags', 'Ladders']),
    );

    await nav(page).getByRole('link', { name: 'Log 1:1' }).click();
    await page.waitForURL(/\/one-on-ones\/new$/);
    await page.getByRole('heading', { level: 1, name: 'Log a one-on-one' }).waitFor();
    // "When" starts at now: nothing to fill.
    expect(await page.getByLabel('When').inputValue()).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);

    // Every touch the organizer makes is counted: fields filled, options picked, one submit.
    let touches = 0;
    const touch = async (action: () => Promise<unknown>) => {
      touches += 1;
      await action();
    };
    await touch(() => page.getByRole('combobox', { name: 'Who' }).fill('ana'));
    await touch(() => page.getByRole('option', { name: /Ana Oakland/ }).click());
    await touch(() =>
      page.getByLabel('Notes').fill('Worried about the rent increase; knows the neighbours.'),
    );
    await touch(() => page.getByLabel('Interests').fill('rent, childcare'));
    await touch(() => page.getByLabel('Next step').fill('Invite her to the building meeting'));
    await touch(() => page.getByRole('button', { name: 'Tomorrow' }).click());
    await screenshot(page, testEngine, 'organizing-01-log-one-on-one');
    expect(await lowContrast(page)).toEqual([]);
    await touch(() => page.getByRole('button', { name: 'Save one-on-one' }).click());
    expect(touches).toBeLessThanOrEqual(7);

    const status = page.getByRole('status').filter({ hasText: 'saved' });
    await poll(() => status.textContent()).toContain('One-on-one with Ana Oakland saved.');
    expect(await status.textContent()).toContain('Follow-up due');
    // The form is ready for the next one: empty, nobody chosen.
    expect(await page.getByRole('combobox', { name: 'Who' }).inputValue()).toBe('');
    await screenshot(page, testEngine, 'organizing-02-one-on-one-saved');

    await page.getByRole('link', { name: 'Open their page' }).click();
    await page.waitForURL(new RegExp(`/people/${people.ana}$`));
    const timeline = page.getByRole('region', { name: 'Timeline' });
    await timeline.getByText('Worried about the rent increase').waitFor();
    // Its interests and next step come with it (they load just after the entries).
    const entry = async () =>
      ((await timeline.getByRole('listitem').first().textContent()) ?? '').replace(/\s+/g, ' ');
    await poll(entry).toContain('Invite her to the building meeting');
    expect(await entry()).toContain('One-on-one');
    expect(await entry()).toContain('rent, childcare');

    // From her page it is fewer touches still: open the form, write, save.
    await page.getByRole('button', { name: 'Log a one-on-one' }).click();
    await page.getByLabel('Notes').fill('Called back: she is in.');
    await page.getByRole('button', { name: 'Save one-on-one' }).click();
    await timeline.getByText('Called back: she is in.').waitFor();
    expect(await timeline.getByText('One-on-one', { exact: true }).count()).toBe(2);
    await screenshot(page, testEngine, 'organizing-03-person-timeline');
    expect(await lowContrast(page)).toEqual([]);

    await nav(page).getByRole('link', { name: 'Follow-ups' }).click();
    await page.waitForURL(/\/follow-ups$/);
    await poll(() => page.getByRole('status').first().textContent()).toBe('1 open follow-up');
    const upcoming = page.getByRole('region', { name: 'Coming up' });
    await upcoming.getByText('Invite her to the building meeting').waitFor();
    await upcoming.getByRole('link', { name: 'Ana Oakland', exact: true }).waitFor();
    await screenshot(page, testEngine, 'organizing-04-follow-ups');
    expect(await lowContrast(page)).toEqual([]);

    await page
      .getByRole('button', { name: 'Mark “Invite her to the building meeting” with Ana Oakland done' })
      .click();
    await poll(() => page.getByRole('status').first().textContent()).toBe('0 open follow-ups');
    await page.getByRole('button', { name: 'Undo' }).waitFor();
    await screenshot(page, testEngine, 'organizing-05-follow-up-done');
    const stored = await json<{ items: { title: string; status: string }[] }>(
      'GET',
      `/api/v1/people/${people.ana}/follow-ups`,
      admin,
    );
    expect(stored.items).toEqual([
      expect.objectContaining({ title: 'Invite her to the building meeting', status: 'done' }),
    ]);
    await page.reload();
    await page.getByText('Nothing to follow up').waitFor();
    await page.close();
  });

  it('lets an admin create and rename a list and add people; an organizer sees only her people in it, with a total that agrees', async () => {
    const page = await browser.newPage();
    await signIn(page, admin);
    await nav(page).getByRole('link', { name: 'Lists' }).click();
    await page.waitForURL(/\/lists$/);
    await poll(() => page.getByRole('status').first().textContent()).toBe('0 lists');
    await page.getByLabel('New list').fill('Building captans');
    await page.getByRole('button', { name: 'Create' }).click();
    await page.waitForURL(/\/lists\/[0-9a-f-]{36}$/);
    const listUrl = page.url();
    await page.getByRole('heading', { level: 1, name: 'Building captans' }).waitFor();

    await page.getByRole('button', { name: 'Rename' }).click();
    await page.getByLabel('Name', { exact: true }).fill('Building captains');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Building captains' }).waitFor();

    for (const [typed, name] of [
      ['ana', 'Ana Oakland'],
      ['wendy', 'Wendy Westside'],
    ] as const) {
      await page.getByRole('combobox', { name: 'Add a person' }).fill(typed);
      await page.getByRole('option', { name: new RegExp(name) }).click();
      await page.getByRole('button', { name: 'Add', exact: true }).click();
      await page.getByRole('status').getByText(`${name} added.`).waitFor();
    }
    const members = page.getByRole('region', { name: 'People' });
    await poll(() => members.locator('.count').textContent()).toBe('2 people you can see');
    expect(await members.locator('.person-link').allInnerTexts()).toEqual(['Ana Oakland', 'Wendy Westside']);
    await screenshot(page, testEngine, 'organizing-06-list');
    expect(await lowContrast(page)).toEqual([]);

    // From a person's page: the list is there, and a tag can be added and removed.
    await members.getByRole('link', { name: 'Ana Oakland' }).click();
    await page.waitForURL(new RegExp(`/people/${people.ana}$`));
    const groupings = page.getByRole('region', { name: 'Lists and tags' });
    await groupings.getByRole('link', { name: 'Building captains' }).waitFor();
    await groupings.getByLabel('Add a tag').selectOption({ label: 'tenant-leader' });
    await groupings.getByRole('button', { name: 'Add', exact: true }).click();
    await groupings.getByRole('link', { name: 'tenant-leader' }).waitFor();
    await screenshot(page, testEngine, 'organizing-07-person-lists-and-tags');
    await groupings.getByRole('button', { name: 'Remove from tenant-leader' }).click();
    await groupings.getByText('Removed from tenant-leader.').waitFor();
    await poll(() => groupings.getByRole('link', { name: 'tenant-leader' }).count()).toBe(0);

    await page.goto(`${base}/lists`);
    await page.getByRole('link', { name: 'Building captains' }).waitFor();
    expect(await page.locator('.groupings li').first().textContent()).toContain('2 people you can see');

    // Maria, over Oakland only: the list shows her Ana and counts one, in the list and on its page.
    await signIn(page, maria);
    await page.goto(`${base}/lists`);
    await page.getByRole('link', { name: 'Building captains' }).waitFor();
    expect(await page.locator('.groupings li').first().textContent()).toContain('1 person you can see');
    await page.goto(listUrl);
    const hers = page.getByRole('region', { name: 'People' });
    await poll(() => hers.locator('.count').textContent()).toBe('1 person you can see');
    expect(await hers.locator('.person-link').allInnerTexts()).toEqual(['Ana Oakland']);
    expect((await page.locator('main').textContent()) ?? '').not.toContain('Wendy');
    await screenshot(page, testEngine, 'organizing-08-list-organizer');
    // She may not tag (no tags.write): the tags screen has no "New tag", and no removing.
    await page.goto(`${base}/tags`);
    await page.getByRole('link', { name: 'tenant-leader' }).waitFor();
    expect(await page.getByLabel('New tag').count()).toBe(0);
    await page.close();
  });

  it('shows a person on the pipeline board after an assessment, and accepts a suggested move', async () => {
    const page = await browser.newPage();
    await signIn(page, maria);
    await page.goto(`${base}/people/${people.ana}`);
    const ladders = page.getByRole('region', { name: 'Ladders' });
    await ladders.getByText('not assessed', { exact: true }).waitFor();
    await ladders.getByLabel('Volunteer').check();
    await ladders.getByLabel('Why (optional)').fill('Brought two neighbours to the meeting.');
    await ladders.getByRole('button', { name: 'Save level' }).click();
    await ladders.getByText('Level saved: Volunteer.').waitFor();
    await ladders.getByText('History (1)').click();
    await ladders.getByText('Brought two neighbours to the meeting.').waitFor();
    await screenshot(page, testEngine, 'organizing-09-person-ladder');

    await nav(page).getByRole('link', { name: 'Ladders' }).click();
    await page.waitForURL(/\/ladders$/);
    await page.getByRole('link', { name: 'Engagement' }).click();
    await page.waitForURL(new RegExp(`/ladders/${ladder.id}$`));
    await page.getByRole('heading', { level: 1, name: 'Engagement' }).waitFor();
    const volunteer = page
      .locator('.board > li')
      .filter({ has: page.getByRole('heading', { name: 'Volunteer' }) });
    await volunteer.getByRole('link', { name: 'Ana Oakland' }).waitFor();
    // Counts by unit: Oakland's one; Wendy (another chapter) is neither counted nor named.
    await poll(() => volunteer.locator('.total strong').textContent()).toBe('1 person');
    expect(await volunteer.locator('.units li').allInnerTexts()).toEqual([
      expect.stringMatching(/Oakland\s+1/),
    ]);
    expect((await page.locator('main').textContent()) ?? '').not.toContain('Wendy');
    const moved = page.getByRole('region', { name: 'Who moved' });
    await moved.getByText('new at Volunteer').waitFor();

    const suggestions = page.getByRole('region', { name: 'Suggested moves' });
    await poll(() => suggestions.locator('.count').textContent()).toBe('0 waiting');
    await suggestions.getByRole('button', { name: 'Look for new suggestions' }).click();
    await suggestions.getByText('1 new suggestion.').waitFor();
    await suggestions.getByRole('link', { name: 'Olu Okafor' }).waitFor();
    await screenshot(page, testEngine, 'organizing-10-board-suggestion');
    expect(await lowContrast(page)).toEqual([]);
    await suggestions.getByRole('button', { name: 'Accept Olu Okafor to Volunteer' }).click();
    await suggestions.getByText('Olu Okafor is now at Volunteer.').waitFor();
    await poll(() => suggestions.locator('.count').textContent()).toBe('0 waiting');
    await volunteer.getByRole('link', { name: 'Olu Okafor' }).waitFor();
    await poll(() => volunteer.locator('.total strong').textContent()).toBe('2 people');
    await screenshot(page, testEngine, 'organizing-11-board-accepted');

    const olu = await json<{ items: { level_name: string; source: string }[] }>(
      'GET',
      `/api/v1/people/${people.olu}/assessments`,
      admin,
    );
    expect(olu.items).toEqual([expect.objectContaining({ level_name: 'Volunteer', source: 'suggestion' })]);
    await page.close();
  });

  it('names every control on the organizing screens and speaks Spanish there', async () => {
    const page = await browser.newPage();
    // Still signed in as Maria from the last test (same profile): no sign-in, which is rate-limited.
    for (const path of [
      '/one-on-ones/new',
      '/follow-ups',
      '/lists',
      `/ladders/${ladder.id}`,
      `/people/${people.ana}`,
    ]) {
      await page.goto(`${base}${path}`);
      await page.getByRole('heading', { level: 1 }).waitFor();
      await page.waitForLoadState('networkidle');
      const unnamed =
        await page.evaluate(`[...document.querySelectorAll('input, select, textarea, button, a')]
        .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.textContent.trim())
        .map((e) => e.outerHTML)`);
      expect(unnamed, path).toEqual([]);
    }
    await page.getByLabel('Language').selectOption('es');
    await page.getByRole('region', { name: 'Escaleras' }).waitFor();
    await page
      .getByRole('navigation', { name: 'Principal' })
      .getByRole('link', { name: 'Seguimientos' })
      .click();
    await page.getByRole('heading', { level: 1, name: 'Mis seguimientos' }).waitFor();
    await page.getByLabel('Idioma').selectOption('en');
    await page.close();
  });
});
