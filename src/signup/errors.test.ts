import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  makeOrg,
  makeUser,
  type TestApp,
  type TestUser,
} from '../../test/support/fixtures.js';
import { newId } from '../db/ids.js';
import { escapeHtml, messages, publicFieldErrors, signupPosted } from './index.js';

/**
 * The validation messages of every public page kind (an event's RSVP, a form, a petition, a
 * campaign's host form) in the page's language, by `?lang=es` and by Accept-Language: each page
 * posted with bad input answers 400 with the Spanish sentences of the catalog (never the
 * services' English), keeps what the person typed, and ties each message to its field for screen
 * readers (a summary with role=alert linking to the field, aria-invalid and aria-describedby).
 */
let t: TestApp;
let orgId: string;
let staff: TestUser;
let eventId: string;
let formId: string;
let petitionId: string;
let campaignId: string;
const en = messages('en');
const es = messages('es');
const FORM = { 'content-type': 'application/x-www-form-urlencoded' };
const day = '2030-04-22';

/** The ways a page is asked for in Spanish: the query, or the browser's language. */
const SPANISH = [
  { how: '?lang=es', query: '?lang=es', headers: FORM },
  {
    how: 'Accept-Language: es',
    query: '',
    headers: { ...FORM, 'accept-language': 'es-MX,es;q=0.9,en;q=0.5' },
  },
] as const;

async function post(path: string, fields: Record<string, string>, headers: Record<string, string>) {
  return await t.app.inject({
    method: 'POST',
    url: path,
    headers,
    payload: new URLSearchParams(fields).toString(),
    remoteAddress: `198.51.100.${Math.floor(Math.random() * 250) + 1}`,
  });
}

/** The message shown next to a field, and whether the field points at it. */
function fieldError(body: string, id: string): string | null {
  const message = new RegExp(`<span class="error" id="${id}-error">([^<]*)</span>`).exec(body)?.[1];
  if (message === undefined) return null;
  expect(body, `${id} is described by its error`).toMatch(
    new RegExp(`id="${id}"[^>]*aria-invalid="true" aria-describedby="${id}-error"`),
  );
  expect(body, `the summary links to ${id}`).toContain(`<a href="#${id}">`);
  return message;
}

/** No English sentence of the services' reaches the page. */
const ENGLISH =
  /give an email address|not a valid|needs an answer|pick one of|must be after|Invalid input|expected/i;

beforeAll(async () => {
  t = await createTestApp();
  orgId = (await makeOrg(t.db)).id;
  const unit = newId();
  await t.db
    .insertInto('unit')
    .values({ org_id: orgId, id: unit, path: 'bay', name: 'Bay', kind: 'chapter' })
    .execute();
  staff = await makeUser(t.db, orgId, 'staff_organizer', 'bay');
  eventId = newId();
  await t.db
    .insertInto('event')
    .values({
      org_id: orgId,
      id: eventId,
      unit_id: unit,
      title: 'Tenant meeting',
      starts_at: new Date('2030-05-01T01:00:00Z'),
      ends_at: new Date('2030-05-01T03:00:00Z'),
      timezone: 'America/Los_Angeles',
      status: 'published',
      visibility: 'public',
    })
    .execute();
  const form = await t.call('POST', '/api/v1/forms', {
    as: staff,
    body: {
      unit_id: unit,
      title: 'Tenant survey',
      questions: [
        {
          key: 'issue',
          label: 'What matters most?',
          type: 'single_choice',
          required: true,
          choices: [
            { key: 'rent', label: 'Rent' },
            { key: 'repairs', label: 'Repairs' },
          ],
        },
        { key: 'story', label: 'Your story', type: 'paragraph', required: true },
      ],
    },
  });
  expect(form.statusCode, form.body).toBe(201);
  formId = form.json().id;
  const petition = await t.call('POST', '/api/v1/forms', {
    as: staff,
    body: {
      unit_id: unit,
      kind: 'petition',
      title: 'Fix the boilers',
      petition_text: 'Fix them.',
      targets: [{ name: 'The landlord' }],
    },
  });
  expect(petition.statusCode, petition.body).toBe(201);
  petitionId = petition.json().id;
  const campaign = await t.call('POST', '/api/v1/campaigns', {
    as: staff,
    body: { unit_id: unit, title: 'Earth Day', starts_on: day, ends_on: day },
  });
  expect(campaign.statusCode, campaign.body).toBe(201);
  campaignId = campaign.json().id;
});
afterAll(async () => {
  await t.close();
});

describe.each(SPANISH)('public pages in Spanish ($how)', ({ query, headers }) => {
  it('the event page: a missing name, then a bad phone, in Spanish, the rest kept', async () => {
    const page = await post(
      `/e/${eventId}${query}`,
      {
        given_name: '',
        family_name: 'Núñez',
        phone: '+15105550123',
        postal_code: '94612',
        consent_email: 'yes',
      },
      headers,
    );
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('<html lang="es">');
    expect(page.body).toContain(
      `<div class="errors" role="alert" tabindex="-1"><h2>${es.t('page.checkTheForm')}</h2>`,
    );
    expect(fieldError(page.body, 'f-given_name')).toBe(escapeHtml(es.t('error.givenName')));
    expect(page.body).not.toMatch(ENGLISH);
    // What the person typed stays, the consent box too.
    expect(page.body).toContain('value="Núñez"');
    expect(page.body).toContain('value="+15105550123"');
    expect(page.body).toContain('value="94612"');
    expect(page.body).toMatch(/name="consent_email" value="yes" checked/);

    const phone = await post(`/e/${eventId}${query}`, { given_name: 'Rosa', phone: '12' }, headers);
    expect(phone.statusCode).toBe(400);
    expect(fieldError(phone.body, 'f-phone')).toBe(escapeHtml(es.t('error.phone')));
    expect(phone.body).not.toMatch(ENGLISH);
    expect(phone.body).toContain('value="Rosa"');
    expect(phone.body).toContain('value="12"');
  });

  it('the event page: neither email nor phone, and an email that is not one', async () => {
    const none = await post(`/e/${eventId}${query}`, { given_name: 'Rosa' }, headers);
    expect(none.statusCode).toBe(400);
    expect(fieldError(none.body, 'f-email')).toBe(escapeHtml(es.t('error.emailOrPhone')));
    expect(none.body).toContain('value="Rosa"');
    const bad = await post(`/e/${eventId}${query}`, { given_name: 'Rosa', email: 'rosa@' }, headers);
    expect(bad.statusCode).toBe(400);
    expect(fieldError(bad.body, 'f-email')).toBe(escapeHtml(es.t('error.email')));
    expect(bad.body).toContain('value="rosa@"');
    expect(bad.body).not.toMatch(ENGLISH);
  });

  it('the form page: unanswered questions, then a bad email, in Spanish, answers kept', async () => {
    const page = await post(
      `/f/${formId}${query}`,
      { given_name: 'Rosa', email: 'rosa@example.org' },
      headers,
    );
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('<html lang="es">');
    expect(page.body).toContain('role="alert"');
    // A choice question's error is on its fieldset, linked from the summary.
    expect(page.body).toContain(
      `<span class="error" id="q-issue-error">${escapeHtml(es.t('error.answerNeeded'))}`,
    );
    expect(page.body).toContain(
      '<fieldset id="q-issue" aria-invalid="true" aria-describedby="q-issue-error">',
    );
    expect(page.body).toContain('<a href="#q-issue">');
    expect(fieldError(page.body, 'q-story')).toBe(escapeHtml(es.t('error.answerNeeded')));
    expect(page.body).not.toMatch(ENGLISH);
    expect(page.body).toContain('value="Rosa"');
    expect(page.body).toContain('value="rosa@example.org"');

    const email = await post(
      `/f/${formId}${query}`,
      { given_name: 'Rosa', email: 'no-at-sign', q_issue: 'repairs', q_story: 'El techo gotea' },
      headers,
    );
    expect(email.statusCode).toBe(400);
    expect(fieldError(email.body, 'f-email')).toBe(escapeHtml(es.t('error.email')));
    expect(email.body).not.toMatch(ENGLISH);
    expect(email.body).toMatch(/name="q_issue" value="repairs" checked/);
    expect(email.body).toContain('El techo gotea</textarea>');
  });

  it('the petition page: a missing name and a bad postal code in Spanish, the comment kept', async () => {
    const page = await post(
      `/f/${petitionId}${query}`,
      { given_name: ' ', email: 'ana@example.org', postal_code: '9'.repeat(25), comment: 'Hace frío' },
      headers,
    );
    expect(page.statusCode).toBe(400);
    expect(fieldError(page.body, 'f-given_name')).toBe(escapeHtml(es.t('error.givenName')));
    expect(fieldError(page.body, 'f-postal_code')).toBe(escapeHtml(es.t('error.postalCode')));
    expect(page.body).not.toMatch(ENGLISH);
    expect(page.body).toContain('value="ana@example.org"');
    expect(page.body).toContain('value="Hace frío"');
  });

  it('the campaign page’s host form: a missing title, a date outside the campaign, a bad email', async () => {
    const host = {
      host_given_name: 'Hana',
      host_email: 'hana@example.org',
      title: 'Park cleanup',
      date: day,
      start_time: '10:00',
      end_time: '12:00',
      timezone: 'America/Los_Angeles',
      locality: 'Oakland',
    };
    const page = await post(`/c/${campaignId}${query}`, { ...host, title: '' }, headers);
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('<html lang="es">');
    expect(page.body).toContain(es.t('page.checkTheForm'));
    expect(fieldError(page.body, 'f-title')).toBe(escapeHtml(es.t('error.eventTitle')));
    expect(page.body).not.toMatch(ENGLISH);
    expect(page.body).toContain('value="Hana"');
    expect(page.body).toContain('value="Oakland"');

    const outside = await post(`/c/${campaignId}${query}`, { ...host, date: '2030-05-09' }, headers);
    expect(outside.statusCode).toBe(400);
    expect(fieldError(outside.body, 'f-date')).toBe(escapeHtml(es.t('error.dateInCampaign')));
    expect(outside.body).toContain('value="Park cleanup"');
    expect(outside.body).not.toMatch(ENGLISH);

    const email = await post(`/c/${campaignId}${query}`, { ...host, host_email: 'hana@example' }, headers);
    expect(email.statusCode).toBe(400);
    expect(fieldError(email.body, 'f-host_email')).toBe(escapeHtml(es.t('error.email')));
    expect(email.body).toContain('value="hana@example"');
    expect(email.body).not.toMatch(ENGLISH);
  });
});

describe('the messages', () => {
  it('are English on an English page, and never the services’ own words', async () => {
    const page = await post(`/e/${eventId}`, { given_name: 'Rosa', email: 'rosa@' }, FORM);
    expect(page.statusCode).toBe(400);
    expect(page.body).toContain('<html lang="en">');
    expect(fieldError(page.body, 'f-email')).toBe(escapeHtml(en.t('error.email')));
    expect(page.body).not.toMatch(ENGLISH);
  });

  it('turn a problem with a field the page does not show into the form’s general message', () => {
    const errors = publicFieldErrors(
      [
        { field: 'unit', message: 'no unit with path bay' },
        { field: 'given_name', message: 'Too small: expected string to have >=1 characters' },
        { field: 'emails.0.address', message: 'not a valid email address' },
      ],
      'unit: no unit with path bay',
      es,
      signupPosted,
    );
    expect([...errors]).toEqual([
      ['form', es.t('error.form')],
      ['given_name', es.t('error.givenName')],
      ['email', es.t('error.email')],
    ]);
    expect([...publicFieldErrors([], 'the event is full', es, signupPosted)]).toEqual([
      ['form', es.t('error.eventFull')],
    ]);
    expect([...publicFieldErrors([], 'something unforeseen', es, signupPosted)]).toEqual([
      ['form', es.t('error.form')],
    ]);
  });
});
