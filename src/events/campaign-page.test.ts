import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  makeOrg,
  makeUser,
  type TestApp,
  type TestUser,
} from '../../test/support/fixtures.js';
import { newId } from '../db/ids.js';
import { fromAcceptLanguage, messages } from '../signup/index.js';
import { proposalFromPost, zonedInstant } from './campaign-page.routes.js';

/**
 * The public campaign page (/c/:id) without JavaScript: the ZIP search answered by the server, the
 * calendar, the host form; and the public pages in English and Spanish.
 */
let t: TestApp;
let orgId: string;
let staff: TestUser;
let campaign: string;
let oakland: string;
let cancelledOne: string;
const day = '2030-04-22';
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const en = messages('en');
const es = messages('es');

async function propose(body: Record<string, unknown>): Promise<string> {
  const proposed = await t.call('POST', `/api/v1/public/campaigns/${campaign}/events`, {
    body: {
      host: { given_name: 'Hana', email: 'trusted@example.org' },
      starts_at: `${day}T17:00:00Z`,
      ends_at: `${day}T19:00:00Z`,
      timezone: 'America/Los_Angeles',
      consent: { email_updates: false },
      ...body,
    },
  });
  expect(proposed.statusCode, proposed.body).toBe(202);
  return proposed.json().id;
}

beforeAll(async () => {
  t = await createTestApp();
  orgId = (await makeOrg(t.db)).id;
  const unit = newId();
  await t.db
    .insertInto('unit')
    .values({ org_id: orgId, id: unit, path: 'bay', name: 'Bay', kind: 'chapter' })
    .execute();
  staff = await makeUser(t.db, orgId, 'staff_organizer', 'bay');
  const created = await t.call('POST', '/api/v1/campaigns', {
    as: staff,
    body: {
      unit_id: unit,
      title: 'Earth Day <of> action',
      description: 'Clean a park near you.',
      starts_on: day,
      ends_on: day,
      trusted_host_emails: ['trusted@example.org'],
    },
  });
  expect(created.statusCode, created.body).toBe(201);
  campaign = created.json().id;
  oakland = await propose({ title: 'Oakland cleanup', postal_code: '94612', location_name: 'Lake Merritt' });
  await propose({ title: 'New York cleanup', postal_code: '10001' });
  cancelledOne = await propose({ title: 'Cancelled cleanup', postal_code: '94612' });
  await t.db.updateTable('event').set({ status: 'cancelled' }).where('id', '=', cancelledOne).execute();
});
afterAll(async () => {
  await t.close();
});

describe('the campaign page', () => {
  it('shows the campaign, its calendar, its upcoming events and the host form, without script', async () => {
    const page = await t.call('GET', `/c/${campaign}`);
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-security-policy']).toContain("default-src 'none'");
    expect(page.headers['content-security-policy']).not.toContain('script-src');
    expect(page.body).toContain('<html lang="en">');
    expect(page.body).toContain('Earth Day &lt;of&gt; action');
    expect(page.body).toContain(`href="/api/v1/public/campaigns/${campaign}/events.ics"`);
    expect(page.body).toContain(`href="/e/${oakland}?lang=en"`);
    expect(page.body).not.toContain('Cancelled cleanup');
    expect(page.body).toContain(`<form method="get" action="/c/${campaign}" role="search">`);
    expect(page.body).toContain('<label for="s-zip">ZIP code</label>');
    expect(page.body).toContain(`<form method="post" action="/c/${campaign}"`);
    expect(page.body).not.toContain('<script');
    expect((await t.call('GET', `/c/${newId()}`)).statusCode).toBe(404);
    expect((await t.call('GET', '/c/not-an-id')).statusCode).toBe(404);
  });

  it('lists the events near a ZIP code, nearest first, each linking to its page, with the map script', async () => {
    const page = await t.call('GET', `/c/${campaign}?zip=94607&radius_km=25`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(en.tn('campaign.results', 1, { km: 25, zip: '94607' }));
    expect(page.body).toContain(`href="/e/${oakland}?lang=en"`);
    expect(page.body).not.toContain('New York cleanup');
    expect(page.body).toMatch(/<li data-lat="37\.\d+" data-lon="-122\.\d+">/);
    expect(page.body).toContain('<script src="/c/map.js" defer></script>');
    expect(page.body).toContain('<option value="25" selected>');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const script = await t.call('GET', '/c/map.js');
    expect(script.statusCode).toBe(200);
    expect(script.headers['content-type']).toContain('text/javascript');
    expect(script.body.length).toBeLessThan(8 * 1024);

    const none = await t.call('GET', `/c/${campaign}?zip=59101&radius_km=10`);
    expect(none.body).toContain(en.t('campaign.noResults', { km: 10, zip: '59101' }));
    expect(none.body).not.toContain('<script');
    const unknown = await t.call('GET', `/c/${campaign}?zip=00000`);
    expect(unknown.statusCode).toBe(400);
    expect(unknown.body).toContain('aria-invalid="true" aria-describedby="s-zip-error"');
  });

  it('takes a host’s proposal posted as a plain form, in the host’s time zone', async () => {
    const posted = await t.call('POST', `/c/${campaign}`, {
      headers: FORM,
      body: new URLSearchParams({
        host_given_name: 'Rosa',
        host_email: 'rosa@example.org',
        title: 'Fruitvale cleanup',
        date: day,
        start_time: '10:00',
        end_time: '12:30',
        timezone: 'America/Los_Angeles',
        postal_code: '94601',
        consent_email: 'yes',
        lang: 'en',
      }).toString(),
    });
    expect(posted.statusCode, posted.body).toBe(200);
    expect(posted.body).toContain(en.t('campaign.thanksPending', { title: 'Fruitvale cleanup' }));
    const event = await t.db
      .selectFrom('event')
      .select(['starts_at', 'ends_at', 'status', 'timezone', 'campaign_id'])
      .where('title', '=', 'Fruitvale cleanup')
      .executeTakeFirstOrThrow();
    expect(event).toMatchObject({
      status: 'pending_approval',
      timezone: 'America/Los_Angeles',
      campaign_id: campaign,
    });
    // 10:00 in Los Angeles in April is 17:00 UTC (daylight time).
    expect(event.starts_at.toISOString()).toBe(`${day}T17:00:00.000Z`);
    expect(event.ends_at.toISOString()).toBe(`${day}T19:30:00.000Z`);

    const invalid = await t.call('POST', `/c/${campaign}`, {
      headers: FORM,
      body: new URLSearchParams({
        host_given_name: 'Rosa',
        date: '2030-05-01',
        start_time: '10:00',
        end_time: '11:00',
      }).toString(),
    });
    expect(invalid.statusCode).toBe(400);
    expect(invalid.body).toContain('role="alert"');
    expect(invalid.body).toContain('href="#f-title"');
    expect(invalid.body).toContain('value="Rosa"');
  });

  it('is in Spanish for a Spanish browser, with a switch back to English', async () => {
    const page = await t.call('GET', `/c/${campaign}?zip=94607`, {
      headers: { 'accept-language': 'es-US,es;q=0.9,en;q=0.8' },
    });
    expect(page.body).toContain('<html lang="es">');
    expect(page.headers['content-language']).toBe('es');
    expect(page.headers.vary).toContain('accept-language');
    expect(page.body).toContain(es.t('campaign.find'));
    expect(page.body).toContain('href="?zip=94607&amp;lang=en" hreflang="en" lang="en">English</a>');
    const chosen = await t.call('GET', `/c/${campaign}?lang=en`, { headers: { 'accept-language': 'es' } });
    expect(chosen.body).toContain('<html lang="en">');
  });
});

describe('the event and form pages in Spanish', () => {
  it('renders the event page and its thank-you in Spanish and keeps the Spanish words on the receipt', async () => {
    const headers = { 'accept-language': 'es' };
    const page = await t.call('GET', `/e/${oakland}`, { headers });
    expect(page.body).toContain('<html lang="es">');
    expect(page.body).toContain(
      `<label for="f-given_name">${es.t('signup.givenName')} ${es.t('page.required')}</label>`,
    );
    expect(page.body).toContain(es.t('event.rsvp'));
    expect(page.body).toContain('<input type="hidden" name="lang" value="es">');
    const posted = await t.call('POST', `/e/${oakland}`, {
      headers: FORM,
      body: 'given_name=Lupe&email=lupe%40example.org&consent_email=yes&lang=es',
    });
    expect(posted.statusCode, posted.body).toBe(200);
    expect(posted.body).toContain(es.t('event.thanksGoing', { title: 'Oakland cleanup' }));
    await t.settle();
    const rsvp = await t.db
      .selectFrom('event_rsvp')
      .select('consent')
      .where('event_id', '=', oakland)
      .executeTakeFirstOrThrow();
    expect(rsvp.consent).toMatchObject({
      language: 'es',
      choices: { email_updates: { asked: es.t('signup.consentEmail'), answer: true } },
    });
  });

  it('renders a petition page in Spanish', async () => {
    const unit = await t.db
      .selectFrom('unit')
      .select('id')
      .where('org_id', '=', orgId)
      .executeTakeFirstOrThrow();
    const admin = await makeUser(t.db, orgId, 'org_admin');
    const form = await t.call('POST', '/api/v1/forms', {
      as: admin,
      body: {
        unit_id: unit.id,
        kind: 'petition',
        title: 'Save the park',
        targets: [{ name: 'The council' }],
      },
    });
    expect(form.statusCode, form.body).toBe(201);
    const page = await t.call('GET', `/f/${form.json().id}?lang=es`);
    expect(page.body).toContain('<html lang="es">');
    expect(page.body).toContain(es.t('form.to'));
    expect(page.body).toContain(es.tn('form.signatures', 0));
    expect(page.body).toContain(es.t('form.sign'));
    const notFound = await t.call('GET', `/f/${newId()}`, { headers: { 'accept-language': 'es' } });
    expect(notFound.statusCode).toBe(404);
    expect(notFound.body).toContain(es.t('page.notFound.title'));
  });
});

describe('helpers', () => {
  it('reads Accept-Language by quality, regions counting as their language', () => {
    expect(fromAcceptLanguage('es-MX')).toBe('es');
    expect(fromAcceptLanguage('fr-FR, es;q=0.5, en;q=0.7')).toBe('en');
    expect(fromAcceptLanguage('de, fr')).toBeNull();
    expect(fromAcceptLanguage('en;q=0, es;q=0.1')).toBe('es');
    expect(fromAcceptLanguage(undefined)).toBeNull();
  });

  it('turns a wall-clock time in a zone into the instant, across daylight-saving changes', () => {
    expect(zonedInstant('2030-01-15', '09:00', 'America/New_York')?.toISOString()).toBe(
      '2030-01-15T14:00:00.000Z',
    );
    expect(zonedInstant('2030-07-15', '09:00', 'America/New_York')?.toISOString()).toBe(
      '2030-07-15T13:00:00.000Z',
    );
    expect(zonedInstant('2030-03-10', '03:30', 'America/Chicago')?.toISOString()).toBe(
      '2030-03-10T08:30:00.000Z',
    );
    expect(zonedInstant('2030-07-15', '09:00', 'Not/AZone')).toBeUndefined();
    expect(zonedInstant('tomorrow', '09:00', 'UTC')).toBeUndefined();
  });

  it('reads an end before the start as the next day', () => {
    const input = proposalFromPost({
      date: '2030-04-22',
      start_time: '22:00',
      end_time: '01:00',
      timezone: 'UTC',
    });
    expect(input.starts_at).toEqual(new Date('2030-04-22T22:00:00Z'));
    expect(input.ends_at).toEqual(new Date('2030-04-23T01:00:00Z'));
  });
});
