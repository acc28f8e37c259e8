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
 * The field screens in real Chromium at a phone's size, against the real server: a canvasser
 * works a walk list door by door, two callers work a call list (one sees numbers, one may only
 * call through Rhizome), and an organizer looks at a phone tree whose deadline has passed.
 *
 * Organization "field-<engine>", unit east. Set up through the API as the admin: a survey with a
 * yes/no question; a ZIP turf (94601) with two households (Ana and Ben at 1 Main St, Cleo at 2 Main
 * St) cut into a walk list with the survey; a call list of Dana, Eli and Fay; a phone tree Ana → Ben
 * → Cleo. The canvasser and the masked caller are volunteers with only their assignments; the
 * other caller is a staff organizer over east (contact values shown).
 */

const PASSWORD = 'correct horse battery staple';
let database: Database;
let audit: AuditLog;
let app: FastifyInstance;
let base: string;
let browser: Browser;
let org: { id: string; slug: string };
let admin: TestUser;
let canvasser: TestUser;
let maskedCaller: TestUser;
let staffCaller: TestUser;
const people: Record<string, string> = {};
let walkListId: string;
let callListId: string;
let treeId: string;

async function call<T = unknown>(method: string, path: string, as: TestUser, body?: unknown): Promise<T> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${as.token}`,
      ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
    },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  return (response.status === 204 ? undefined : await response.json()) as T;
}

async function addPerson(given: string, input: object): Promise<void> {
  const created = await call<{ person: { id: string } }>('POST', '/api/v1/people', admin, {
    given_name: given,
    family_name: 'Fieldtest',
    home_unit: 'east',
    ...input,
  });
  people[given] = created.person.id;
}

const at = (line: string) => ({ addresses: [{ lines: [line], locality: 'Oakland', postal_code: '94601' }] });
const phone = (n: number) => ({ phones: [{ number: `+1 510 555 01${n}` }] });

beforeAll(async () => {
  ensureChromium();
  await ensureWebBuilt();
  database = await createTestDatabase();
  audit = testAuditLog(database.db);
  app = await buildApp({ db: database.db, log: silentLog, audit });
  base = (await app.listen({ port: 0, host: '127.0.0.1' })).replace('localhost', '127.0.0.1');

  org = await makeOrg(database.db, `field-${testEngine}`);
  admin = await makeUser(database.db, org.id, 'org_admin');
  const east = await call<{ id: string }>('POST', '/api/v1/units', admin, {
    path: 'east',
    kind: 'chapter',
    name: 'East',
  });
  canvasser = await makeUser(database.db, org.id, 'volunteer');
  maskedCaller = await makeUser(database.db, org.id, 'volunteer');
  staffCaller = await makeUser(database.db, org.id, 'staff_organizer', 'east');
  await database.db
    .updateTable('app_user')
    .set({ password_hash: await hashPassword(PASSWORD) })
    .where('org_id', '=', org.id)
    .execute();

  await addPerson('Ana', at('1 Main St'));
  await addPerson('Ben', at('1 Main St'));
  await addPerson('Cleo', at('2 Main St'));
  await addPerson('Dana', phone(11));
  await addPerson('Eli', phone(12));
  await addPerson('Fay', phone(13));

  const survey = await call<{ id: string }>('POST', '/api/v1/surveys', admin, {
    name: 'Rent survey',
    questions: [{ key: 'support', prompt: 'Will you join the tenants union?', type: 'yes_no' }],
  });
  const turf = await call<{ id: string }>('POST', '/api/v1/turfs', admin, {
    name: 'Main Street',
    unit_id: east.id,
    zip_codes: ['94601'],
  });
  const walk = await call<{ id: string }>('POST', '/api/v1/walk-lists', admin, {
    name: 'Saturday on Main',
    turf_id: turf.id,
    survey_id: survey.id,
  });
  walkListId = walk.id;
  await call('POST', `/api/v1/walk-lists/${walkListId}/canvassers`, admin, { user_id: canvasser.id });

  const callList = await call<{ id: string }>('POST', '/api/v1/call-lists', admin, {
    name: 'Meeting reminders',
    script: 'Hi! We meet Thursday at 7 in the community room. Can you come?',
    survey_id: survey.id,
    person_ids: [people.Dana, people.Eli, people.Fay],
  });
  callListId = callList.id;
  for (const caller of [maskedCaller, staffCaller])
    await call('POST', `/api/v1/call-lists/${callListId}/callers`, admin, { user_id: caller.id });

  // The deadline passed two hours ago: Cleo, not reached, rolls up past Ben to Ana.
  const tree = await call<{ id: string }>('POST', '/api/v1/phone-trees', admin, {
    name: 'Eviction alert',
    message: 'Court hearing moved to Monday 9am.',
    deadline: new Date(Date.now() - 2 * 3600_000).toISOString(),
    escalation_minutes: 60,
    members: [
      { person_id: people.Ana, leader_id: null },
      { person_id: people.Ben, leader_id: people.Ana },
      { person_id: people.Cleo, leader_id: people.Ben },
    ],
  });
  treeId = tree.id;
  await call('POST', `/api/v1/phone-trees/${treeId}/results`, admin, {
    person_id: people.Ben,
    result: 'reached',
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

/** Every control has an accessible name: a label, an aria-label or its own text. */
async function unnamedControls(page: Page): Promise<string[]> {
  return await page.evaluate(`[...document.querySelectorAll('input, select, button, a, textarea')]
    .filter((e) => !(e.labels && e.labels.length) && !e.getAttribute('aria-label') && !e.textContent.trim())
    .map((e) => e.outerHTML)`);
}

// A browser on a loaded two-core machine: more time than the suite's default per test.
describe('the field screens on a phone', { timeout: 120_000 }, () => {
  it('lets a canvasser work two doors of her walk list, and stores what she recorded', async () => {
    const page = await browser.newPage();
    await signIn(page, canvasser);
    // She canvasses: the walk link, and no call link.
    await nav(page).getByRole('link', { name: 'Walk' }).click();
    expect(await nav(page).getByRole('link', { name: 'Call' }).count()).toBe(0);
    await page.waitForURL(/\/walk$/);
    await page.getByRole('heading', { level: 1, name: 'My walk lists' }).waitFor();
    await page.getByText('0 of 2 doors done').waitFor();
    const sheet = page.getByRole('link', { name: 'Printable walk sheet' });
    expect(await sheet.getAttribute('href')).toBe(`/api/v1/walk-lists/${walkListId}/sheet.html`);
    await screenshot(page, testEngine, 'field-01-walk-lists');

    await page.getByRole('link', { name: 'Saturday on Main' }).click();
    await page.waitForURL(new RegExp(`/walk/${walkListId}`));
    await page.getByText('Door 1 of 2').waitFor();
    const door = page.getByRole('region', { name: /1 Main St/ });
    await door.waitFor();
    // First names and the street address only: no family name, no contact values.
    expect(await door.locator('.field-person-name').allInnerTexts()).toEqual(['Ana', 'Ben']);
    expect((await page.locator('main').textContent()) ?? '').not.toContain('Fieldtest');
    expect(await unnamedControls(page)).toEqual([]);
    expect(await lowContrast(page)).toEqual([]);
    await screenshot(page, testEngine, 'field-02-walk-door-1');

    await page.getByLabel('Not home').check();
    await page.getByRole('button', { name: 'Save and go to the next door' }).click();
    await page.getByText('Saved door 1: Not home.').waitFor();
    await page.getByText('Door 2 of 2').waitFor();
    await page.getByRole('region', { name: /2 Main St/ }).waitFor();
    await page.getByLabel('Talked').check();
    const answers = page.getByRole('group', { name: 'Answers from Cleo' });
    await answers.getByLabel('Yes').check();
    await page.getByLabel('Note').fill('Cleo will bring a neighbour');
    await screenshot(page, testEngine, 'field-03-walk-door-2-survey');
    await page.getByRole('button', { name: 'Save and go to the next door' }).click();
    await page.getByText('Saved door 2: Talked.').waitFor();
    await page.getByText('2 of 2 doors done').waitFor();
    await page.getByText('Done: Talked').waitFor();
    // Previous goes back to the first door, which shows its result.
    await page.getByRole('button', { name: 'Previous' }).click();
    await page.getByText('Done: Not home').waitFor();
    await screenshot(page, testEngine, 'field-04-walk-done');

    // Stored: both doors done, a knock on each resident's timeline, Cleo's answer at the door.
    const list = await call<{ progress: { done: number } }>('GET', `/api/v1/walk-lists/${walkListId}`, admin);
    expect(list.progress.done).toBe(2);
    for (const [name, outcome] of [
      ['Ana', 'not_home'],
      ['Ben', 'not_home'],
      ['Cleo', 'talked'],
    ] as const) {
      const timeline = await call<{ items: { kind: string; outcome: string; body: string | null }[] }>(
        'GET',
        `/api/v1/people/${people[name]}/activities`,
        admin,
      );
      expect(timeline.items[0], name).toMatchObject({ kind: 'door_knock', outcome });
    }
    const cleo = await call<{ items: { question: string; value: unknown; via: string }[] }>(
      'GET',
      `/api/v1/people/${people.Cleo}/answers`,
      admin,
    );
    expect(cleo.items).toEqual([expect.objectContaining({ question: 'support', value: true, via: 'door' })]);
    await page.close();
  });

  it('lets a caller who may not see numbers claim the next person and record the call: the number stays masked', async () => {
    const page = await browser.newPage();
    await signIn(page, maskedCaller);
    expect(await nav(page).getByRole('link', { name: 'Walk' }).count()).toBe(0);
    await nav(page).getByRole('link', { name: 'Call' }).click();
    await page.waitForURL(/\/call$/);
    await page.getByRole('heading', { level: 1, name: 'My call lists' }).waitFor();
    // A caller does not manage calls: no phone trees.
    expect(await page.getByRole('heading', { name: 'Phone trees' }).count()).toBe(0);
    await page.getByRole('link', { name: 'Meeting reminders' }).click();
    await page.getByText('0 of 3 people called').waitFor();
    await page.getByText('We meet Thursday at 7').waitFor();
    await page.getByRole('button', { name: 'Call the next person' }).click();

    const card = page.locator('.field-call');
    const heading = card.getByRole('heading', { level: 2 });
    await heading.waitFor();
    const first = (await heading.textContent()) ?? '';
    expect(['Dana', 'Eli', 'Fay']).toContain(first);
    const masked = await card.locator('.masked').allInnerTexts();
    expect(masked).toHaveLength(1);
    expect(masked[0]).toContain('•');
    expect(masked[0]).toContain('hidden');
    expect(await card.locator('a[href^="tel:"]').count()).toBe(0);
    expect((await page.locator('main').textContent()) ?? '').not.toMatch(/555011[123]/);
    await card.getByRole('button', { name: 'Call through Rhizome' }).click();
    await card.getByText('coming soon').waitFor();
    expect(await unnamedControls(page)).toEqual([]);
    expect(await lowContrast(page)).toEqual([]);
    await screenshot(page, testEngine, 'field-05-call-masked');

    await card.getByRole('group', { name: 'Rent survey' }).getByLabel('Yes').check();
    await card.getByRole('group', { name: 'How did the call go?' }).getByLabel('Reached').check();
    await card.getByLabel('Note').fill('Coming Thursday');
    await card.getByRole('button', { name: 'Save and call the next person' }).click();
    await page.getByText('Call saved: Reached.').waitFor();
    // The next person is claimed at once.
    await expect.poll(async () => await heading.textContent()).not.toBe(first);
    await page.getByText('1 of 3 people called').waitFor();
    await screenshot(page, testEngine, 'field-06-call-next');

    const progress = await call<{ progress: { by_outcome: Record<string, number> } }>(
      'GET',
      `/api/v1/call-lists/${callListId}`,
      admin,
    );
    expect(progress.progress.by_outcome).toEqual({ reached: 1 });
    const called = Object.entries(people).find(([name]) => name === first)?.[1] as string;
    const timeline = await call<{ items: { kind: string; outcome: string; body: string }[] }>(
      'GET',
      `/api/v1/people/${called}/activities`,
      admin,
    );
    expect(timeline.items[0]).toMatchObject({ kind: 'call', outcome: 'reached', body: 'Coming Thursday' });
    const answers = await call<{ items: { value: unknown; via: string }[] }>(
      'GET',
      `/api/v1/people/${called}/answers`,
      admin,
    );
    expect(answers.items).toEqual([expect.objectContaining({ value: true, via: 'call' })]);
    await page.close();
  });

  it('shows a caller whose role reads contact values the number to dial', async () => {
    const page = await browser.newPage();
    await signIn(page, staffCaller);
    // A staff organizer manages calls and turf: both links.
    await nav(page).getByRole('link', { name: 'Walk' }).waitFor();
    await page.goto(`${base}/call/${callListId}`);
    await page.getByRole('button', { name: 'Call the next person' }).click();
    const card = page.locator('.field-call');
    await card.getByRole('heading', { level: 2 }).waitFor();
    // The one person nobody holds yet.
    const name = (await card.getByRole('heading', { level: 2 }).textContent()) ?? '';
    expect(name).toMatch(/^(Dana|Eli|Fay) Fieldtest$/);
    const dial = card.locator('a[href^="tel:"]');
    expect(await dial.count()).toBe(1);
    expect(await dial.getAttribute('href')).toMatch(/^tel:\+1510555011[123]$/);
    expect(await dial.textContent()).toMatch(/^Call \+1510555011[123]$/);
    expect(await card.locator('.masked').count()).toBe(0);
    expect(await card.getByRole('button', { name: 'Call through Rhizome' }).count()).toBe(0);
    await screenshot(page, testEngine, 'field-07-call-number-shown');

    await card.getByRole('group', { name: 'How did the call go?' }).getByLabel('Wrong number').check();
    await card.getByRole('button', { name: 'Save and call the next person' }).click();
    await page.getByText('Call saved: Wrong number.').waitFor();
    // Dana, Eli and Fay are each done or held by a caller: nobody left right now.
    await page.getByText('Nobody is left to call right now.').waitFor();
    await page.close();
  });

  it('shows a phone tree at a glance: who is reached, and what rolled up after the deadline', async () => {
    const page = await browser.newPage();
    await signIn(page, admin);
    await nav(page).getByRole('link', { name: 'Call' }).click();
    await page.getByRole('heading', { name: 'Phone trees' }).waitFor();
    await page.getByRole('link', { name: 'Eviction alert' }).click();
    await page.waitForURL(new RegExp(`/phone-trees/${treeId}$`));
    await page.getByRole('heading', { level: 1, name: 'Eviction alert' }).waitFor();
    await page.getByText('Court hearing moved to Monday 9am.').waitFor();
    await page.getByText('1 of 2 reached').waitFor();
    await page.getByText(/The deadline passed/).waitFor();
    const totals = await page.getByRole('list', { name: 'Totals' }).getByRole('listitem').allInnerTexts();
    expect(totals).toEqual(['1 reached', '0 not reached', '1 not called yet', '1 rolled up']);
    const leaders = page.getByRole('region', { name: 'Leaders' });
    await leaders.getByText('Rolled up to them: Cleo Fieldtest').waitFor();
    const tree = page.getByRole('region', { name: 'The tree' });
    await tree.getByText('Rolled up: now Ana Fieldtest calls').waitFor();
    expect(await tree.locator('.field-state-reached').count()).toBe(1);
    expect(await tree.locator('.field-state-pending').count()).toBe(1);
    expect(await unnamedControls(page)).toEqual([]);
    expect(await lowContrast(page)).toEqual([]);
    await screenshot(page, testEngine, 'field-08-phone-tree');
    await page.close();
  });
});
