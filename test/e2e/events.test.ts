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
 * The events and campaign screens in real Chromium against the real server. Organization units:
 * east ⊃ east.oakland, and west. Olga organizes Oakland (local_organizer); Hana has no role and
 * becomes the host of Olga's event; Mo is a staff organizer in west and a moderator of the east
 * chapter's campaign, whose volunteer-proposed event waits in the queue.
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
let host: TestUser;
let moderator: TestUser;
const units: Record<string, string> = {};
let campaignId = '';
let proposedId = '';
let otherEventId = '';
/** The event Olga creates through the UI (set by the first test). */
let eventId = '';

// A week from now, as the date inputs take it.
const day = new Date(Date.now() + 7 * 86_400_000).toISOString().slice(0, 10);

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
const json = async <T>(response: Promise<Response>): Promise<T> => (await (await response).json()) as T;

beforeAll(async () => {
  ensureChromium();
  await ensureWebBuilt();
  database = await createTestDatabase();
  audit = testAuditLog(database.db);
  app = await buildApp({ db: database.db, log: silentLog, audit });
  base = (await app.listen({ port: 0, host: '127.0.0.1' })).replace('localhost', '127.0.0.1');

  org = await makeOrg(database.db, `e2e-events-${testEngine}`);
  admin = await makeUser(database.db, org.id, 'org_admin');
  for (const [path, kind] of [
    ['east', 'chapter'],
    ['east.oakland', 'local'],
    ['west', 'chapter'],
  ] as const) {
    const unit = await json<{ id: string }>(
      call('POST', '/api/v1/units', admin, { path, kind, name: path === 'east.oakland' ? 'Oakland' : path }),
    );
    units[path] = unit.id;
  }
  organizer = await makeUser(database.db, org.id, 'local_organizer', 'east.oakland');
  host = await makeUser(database.db, org.id, null);
  moderator = await makeUser(database.db, org.id, 'staff_organizer', 'west');
  await database.db
    .updateTable('app_user')
    .set({ password_hash: await hashPassword(PASSWORD) })
    .where('org_id', '=', org.id)
    .execute();

  // Another Oakland event the host must not see (unit visibility: Oakland's own people).
  otherEventId = (
    await json<{ id: string }>(
      call('POST', '/api/v1/events', admin, {
        unit_id: units['east.oakland'],
        title: 'Oakland steering committee',
        starts_at: `${day}T01:00:00Z`,
        ends_at: `${day}T03:00:00Z`,
        timezone: 'America/Los_Angeles',
        visibility: 'unit',
        status: 'published',
      }),
    )
  ).id;

  // The east chapter's day of action, moderated by Mo from the west, with one proposal waiting.
  campaignId = (
    await json<{ id: string }>(
      call('POST', '/api/v1/campaigns', admin, {
        unit_id: units.east,
        title: 'Tenant day of action',
        starts_on: day,
        ends_on: day,
      }),
    )
  ).id;
  await call('POST', `/api/v1/campaigns/${campaignId}/moderators`, admin, { user_id: moderator.id });
  const proposal = await json<{ id: string; status: string }>(
    call('POST', `/api/v1/public/campaigns/${campaignId}/events`, null, {
      host: { given_name: 'Vera', email: 'vera@example.org' },
      title: 'Fruitvale tenants meet',
      starts_at: `${day}T20:00:00Z`,
      ends_at: `${day}T22:00:00Z`,
      timezone: 'America/Los_Angeles',
      postal_code: '94601',
      consent: { email_updates: true },
    }),
  );
  expect(proposal.status).toBe('pending_approval');
  proposedId = proposal.id;

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
  // Home is the dashboard for those who may count people, the people search for the rest.
  await page.waitForURL(/\/(people|dashboard)$/);
}

/** Requests the page made to anywhere but this server (the map must fetch nothing from outside). */
function outsideRequests(page: Page): string[] {
  const outside: string[] = [];
  page.on('request', (request) => {
    const url = request.url();
    if (!url.startsWith(base) && !url.startsWith('data:') && !url.startsWith('blob:')) outside.push(url);
  });
  return outside;
}

describe('events in Chromium', { timeout: 180_000 }, () => {
  it('lets an organizer create an event, check a guest in and record a walk-in from a phone', async () => {
    const page = await browser.newPage();
    await signIn(page, organizer);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Events' }).click();
    await page.getByRole('heading', { level: 1, name: 'Events' }).waitFor();
    await page.getByRole('link', { name: 'New event' }).click();
    await page.getByRole('heading', { level: 1, name: 'New event' }).waitFor();

    await page.getByLabel('Title', { exact: true }).fill('Rent strike teach-in');
    await page.getByLabel('Description', { exact: true }).fill('How a rent strike works, and who is in.');
    await page
      .getByLabel('Unit that owns the event', { exact: true })
      .selectOption(units['east.oakland'] as string);
    await page.getByLabel('Starts', { exact: true }).fill(`${day}T18:00`);
    await page.getByLabel('Ends', { exact: true }).fill(`${day}T20:00`);
    await page.getByLabel('Time zone', { exact: true }).selectOption('America/Los_Angeles');
    await page.getByLabel('Place name', { exact: true }).fill('Fruitvale library');
    await page.getByLabel('Street address', { exact: true }).fill('3301 E 12th St');
    await page.getByLabel('City', { exact: true }).fill('Oakland');
    await page.getByLabel('State or region', { exact: true }).fill('CA');
    await page.getByLabel('ZIP code', { exact: true }).fill('94601');
    await page.getByLabel('Capacity', { exact: true }).fill('40');
    await page.getByLabel('Who can see it', { exact: true }).selectOption('public');
    await page.getByLabel('Status', { exact: true }).selectOption('published');
    await screenshot(page, testEngine, 'events-01-new-event');
    // Submitted from the keyboard (focus the button, Enter), as a keyboard user does. A mouse click on
    // the button, scrolled into view at the foot of the long form, did not submit it in headless
    // Chromium (no request was made; requestSubmit() and Enter do): not yet understood.
    const create = page.getByRole('button', { name: 'Create event' });
    await create.focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/events\/[0-9a-f-]{36}$/);
    eventId = page.url().split('/').pop() as string;
    await page.goto(`${base}/events/${eventId}`);
    await page.getByRole('heading', { level: 1, name: 'Rent strike teach-in' }).waitFor();
    const details = (await page.locator('main').textContent()) ?? '';
    // 18:00 on the day in Oakland, shown in the event's own zone.
    expect(details).toMatch(/6:00\s?PM PDT|6:00\s?PM PST/);
    expect(details).toContain('Published');

    // Guests RSVP on the public API (no account).
    for (const [given, family, email] of [
      ['Rosa', 'Parks', 'rosa@example.org'],
      ['Luis', 'Ortega', 'luis@example.org'],
    ])
      await call('POST', `/api/v1/public/events/${eventId}/rsvps`, null, {
        given_name: given,
        family_name: family,
        email,
        consent: { email_updates: true },
      });
    await existingRsvpIntake(database.db)?.drain();
    await page.reload();
    const attendees = page.getByRole('region', { name: 'Attendees' });
    await attendees.getByText('2 attendees you may see').waitFor();
    // The local organizer reads names, not addresses: masked, and labelled hidden.
    const text = (await attendees.textContent()) ?? '';
    expect(text).toContain('Rosa Parks');
    expect(text).not.toContain('rosa@example.org');
    const masked = await attendees.locator('.masked').allInnerTexts();
    expect(masked).toHaveLength(2);
    for (const value of masked) expect(value).toMatch(/•[\s\S]*hidden/);

    await attendees.getByRole('button', { name: 'Check in Rosa Parks' }).click();
    await attendees.locator('li', { hasText: 'Rosa Parks' }).locator('.attendance-attended').waitFor();
    await attendees.getByRole('button', { name: 'Mark Luis Ortega as a no-show' }).click();
    await attendees.locator('li', { hasText: 'Luis Ortega' }).locator('.attendance-no_show').waitFor();

    const walkIn = page.getByRole('region', { name: 'Record a walk-in' });
    await walkIn.getByLabel('First name').fill('Walter');
    await walkIn.getByLabel('Last name').fill('Mendez');
    await walkIn.getByLabel('Email').fill('walter@example.org');
    await walkIn.getByRole('button', { name: 'Add walk-in' }).click();
    await walkIn.getByText('Walter is checked in as a walk-in.').waitFor();
    await attendees.getByText('3 attendees you may see').waitFor();
    await page.getByText('Attended: 2').waitFor();
    await page.getByText('Walk-ins: 1').waitFor();
    await page.getByText('No-shows: 1').waitFor();

    // What next: both attendees came for the first time.
    const next = page.getByRole('region', { name: 'What next' });
    await next.getByText('Walter Mendez').first().waitFor();
    expect((await next.textContent()) ?? '').toContain('Rosa Parks');
    expect((await next.textContent()) ?? '').not.toContain('Luis');

    const rsvps = await database.db
      .selectFrom('event_rsvp')
      .select(['attendance', 'walk_in'])
      .where('event_id', '=', eventId)
      .orderBy('created_at')
      .execute();
    expect(rsvps).toEqual([
      { attendance: 'attended', walk_in: false },
      { attendance: 'no_show', walk_in: false },
      { attendance: 'attended', walk_in: true },
    ]);
    await screenshot(page, testEngine, 'events-02-event-organizer');
    expect(await lowContrast(page)).toEqual([]);
    await page.close();
  });

  it('shows the event on the map (or, without WebGL, lists it and says why), fetching nothing from outside', async () => {
    expect(eventId).not.toBe('');
    const page = await browser.newPage();
    const outside = outsideRequests(page);
    await page.goto(`${base}/events?view=map`);
    await page.getByRole('heading', { level: 1, name: 'Events' }).waitFor();
    const map = page.locator('section.events-map');
    await page
      .locator('section.events-map[data-map-state="ready"], section.events-map[data-map-state="fallback"]')
      .waitFor({ timeout: 60_000 });
    const state = await map.getAttribute('data-map-state');
    // Honest about what ran: the report names the path this browser took.
    console.log(
      `events map in Chromium (${testEngine}): ${state === 'ready' ? 'WebGL map drawn' : 'list fallback'}`,
    );
    if (state === 'ready') {
      expect(await map.locator('canvas.maplibregl-canvas').count()).toBe(1);
      const size = await map.locator('canvas.maplibregl-canvas').boundingBox();
      expect(size?.width ?? 0).toBeGreaterThan(100);
      // The event's point was drawn: MapLibre's rendered features name it.
      await expect
        .poll(async () => (await map.getAttribute('data-rendered-ids'))?.split(' ') ?? [], {
          timeout: 30_000,
        })
        .toContain(eventId);
    } else {
      await map.getByText('cannot draw the map').waitFor();
      await map.getByRole('link', { name: 'Rent strike teach-in' }).waitFor();
    }
    await screenshot(page, testEngine, `events-03-map-${state}`);
    expect(outside).toEqual([]);
    await page.close();
  });

  it('lets the organizer add and change a shift, and make Hana a host, from the event page', async () => {
    const page = await browser.newPage();
    // Still signed in as Olga (same profile).
    await page.goto(`${base}/events/${eventId}`);
    await page.getByRole('heading', { level: 1, name: 'Rent strike teach-in' }).waitFor();
    const shifts = page.getByRole('region', { name: 'Shifts' });
    await shifts.getByText('No shifts: people RSVP to the whole event.').waitFor();
    await shifts.locator('summary').filter({ hasText: 'Add a shift' }).click();
    await shifts.getByLabel('Shift name', { exact: true }).fill('Set up chairs');
    await shifts.getByLabel('Starts', { exact: true }).fill(`${day}T17:00`);
    await shifts.getByLabel('Ends', { exact: true }).fill(`${day}T18:00`);
    await shifts.getByLabel('Capacity (optional)', { exact: true }).fill('4');
    // Submitted from the keyboard, like the event form (see the first test).
    await shifts.getByRole('button', { name: 'Add a shift' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Shift Set up chairs added.' }).waitFor();
    await shifts.getByText('Capacity: 4').waitFor();

    await shifts.getByRole('button', { name: 'Edit the shift Set up chairs' }).click();
    await shifts.getByLabel('Capacity (optional)', { exact: true }).first().fill('6');
    await shifts.getByRole('button', { name: 'Save the shift' }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Shift Set up chairs saved.' }).waitFor();
    await shifts.getByText('Capacity: 6').waitFor();
    const saved = await database.db
      .selectFrom('event_shift')
      .select(['name', 'capacity', 'starts_at'])
      .where('event_id', '=', eventId)
      .execute();
    expect(saved.map((s) => [s.name, s.capacity])).toEqual([['Set up chairs', 6]]);

    const hosts = page.getByRole('region', { name: 'Hosts' });
    await hosts.getByText('No hosts yet.').waitFor();
    await hosts.getByLabel('Add a host: their sign-in email').fill(host.email);
    await hosts.getByRole('button', { name: 'Add the host' }).focus();
    await page.keyboard.press('Enter');
    await page
      .getByRole('status')
      .filter({ hasText: `${host.email} is now a host.` })
      .waitFor();
    await hosts.getByRole('button', { name: `Remove ${host.email} as a host` }).waitFor();
    const listed = await json<{ items: { user_id: string }[] }>(
      call('GET', `/api/v1/events/${eventId}/hosts`, admin),
    );
    expect(listed.items.map((h) => h.user_id)).toEqual([host.id]);
    await screenshot(page, testEngine, 'events-07-event-shifts-and-hosts');
    expect(await lowContrast(page)).toEqual([]);
    await page.close();
  });

  it('shows a host only her own event, her guests by first name, and no owner’s actions', async () => {
    await call('POST', `/api/v1/events/${eventId}/hosts`, admin, { user_id: host.id });
    const page = await browser.newPage();
    await signIn(page, host);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Events' }).click();
    await page.getByRole('heading', { level: 1, name: 'Events' }).waitFor();
    await expect.poll(() => page.locator('.count').first().textContent()).toBe('1 event');
    expect(await page.locator('.events .event-link').allInnerTexts()).toEqual(['Rent strike teach-in']);
    expect(await page.getByRole('link', { name: 'New event' }).count()).toBe(0);

    await page.getByRole('link', { name: 'Rent strike teach-in' }).click();
    await page.getByRole('heading', { level: 1, name: 'Rent strike teach-in' }).waitFor();
    const attendees = page.getByRole('region', { name: 'Attendees' });
    await attendees.getByText('3 attendees you may see').waitFor();
    const names = await attendees.locator('.person-link').allInnerTexts();
    expect(names.sort()).toEqual(['Luis', 'Rosa', 'Walter']);
    const text = (await page.locator('main').textContent()) ?? '';
    expect(text).not.toContain('Parks');
    expect(text).not.toContain('@example.org');
    // She may check people in and edit the event, not publish, cancel or change its hosts.
    await attendees.getByRole('button', { name: 'Check in Luis' }).waitFor();
    await page.getByRole('link', { name: 'Edit event' }).waitFor();
    expect(await page.getByRole('button', { name: 'Cancel event' }).count()).toBe(0);
    expect(await page.getByRole('region', { name: 'Hosts' }).count()).toBe(0);
    await screenshot(page, testEngine, 'events-04-host-view');
    expect(await lowContrast(page)).toEqual([]);

    // Another event of the same local is not hers: it does not exist for her.
    await page.goto(`${base}/events/${otherEventId}`);
    await page.getByRole('heading', { level: 1, name: 'Page not found' }).waitFor();
    expect((await page.locator('main').textContent()) ?? '').not.toContain('steering');
    await page.close();
  });

  it('lets a campaign moderator approve a proposed event from the queue', async () => {
    const page = await browser.newPage();
    await signIn(page, moderator);
    await page.goto(`${base}/campaigns`);
    await page.getByRole('link', { name: 'Tenant day of action' }).click();
    await page.getByRole('heading', { level: 1, name: 'Tenant day of action' }).waitFor();
    const queue = page.getByRole('region', { name: 'Waiting for approval' });
    await queue.getByText('1 event waiting').waitFor();
    await page.getByRole('region', { name: 'Moderators' }).getByText(moderator.email).waitFor();
    await screenshot(page, testEngine, 'events-05-campaign-queue');
    await queue.getByRole('button', { name: 'Approve Fruitvale tenants meet' }).click();
    await queue.getByText('Approved and published: Fruitvale tenants meet').waitFor();
    await queue.getByText('0 events waiting').waitFor();
    const row = await database.db
      .selectFrom('event')
      .select('status')
      .where('id', '=', proposedId)
      .executeTakeFirstOrThrow();
    expect(row.status).toBe('published');
    const events = page.getByRole('region', { name: 'Events of this campaign' });
    await events.getByText('Published').waitFor();
    await screenshot(page, testEngine, 'events-06-campaign-approved');
    expect(await lowContrast(page)).toEqual([]);
    await page.close();
  });

  it('lets whoever moderates over the campaign’s unit add moderators and trusted hosts, never leaving one moderator', async () => {
    const page = await browser.newPage();
    await signIn(page, admin);
    await page.goto(`${base}/campaigns/${campaignId}`);
    await page.getByRole('heading', { level: 1, name: 'Tenant day of action' }).waitFor();
    const moderators = page.getByRole('region', { name: 'Moderators' });
    await moderators.getByText(moderator.email).waitFor();
    await moderators.getByLabel('Add a moderator: their sign-in email').fill(admin.email);
    await moderators.getByRole('button', { name: 'Add', exact: true }).focus();
    await page.keyboard.press('Enter');
    await page
      .getByRole('status')
      .filter({ hasText: `${admin.email} is now a moderator.` })
      .waitFor();
    await moderators.getByText(admin.email).waitFor();

    // Two moderators: removing Mo would leave the admin as the only path to approval.
    await moderators.getByRole('button', { name: `Remove ${moderator.email} as a moderator` }).click();
    await page
      .getByRole('alert')
      .filter({ hasText: `would leave ${admin.email} as the only one who can approve` })
      .waitFor();
    const kept = await json<{ items: { user_id: string }[] }>(
      call('GET', `/api/v1/campaigns/${campaignId}/moderators`, admin),
    );
    expect(kept.items.map((m) => m.user_id).sort()).toEqual([admin.id, moderator.id].sort());

    const trusted = page.getByRole('region', { name: 'Trusted hosts' });
    await trusted.getByText('No trusted hosts.').waitFor();
    await trusted.getByLabel('Add a trusted host: their email').fill('Vera@Example.org');
    await trusted.getByRole('button', { name: 'Add', exact: true }).focus();
    await page.keyboard.press('Enter');
    await page.getByRole('status').filter({ hasText: 'Vera@Example.org is now a trusted host.' }).waitFor();
    await trusted.getByText('vera@example.org').waitFor();
    const campaign = await json<{ trusted_host_emails: string[] }>(
      call('GET', `/api/v1/campaigns/${campaignId}`, admin),
    );
    expect(campaign.trusted_host_emails).toEqual(['vera@example.org']);
    await screenshot(page, testEngine, 'events-08-campaign-people');
    expect(await lowContrast(page)).toEqual([]);
    await page.close();
  });
});
