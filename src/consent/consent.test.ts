import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  createTestApp,
  ctxFor,
  makeOrg,
  makeUser,
  systemCtx,
  type TestApp,
  type TestUser,
} from '../../test/support/fixtures.js';
import { newId } from '../db/ids.js';
import { loggedUrl } from '../log.js';
import { mergePeople } from '../merges/index.js';
import { messages } from '../signup/index.js';
import { mintConsentLink, openLink, rotateConsentKey } from './index.js';

/**
 * Consent links on both engines: the token's design (unguessable, stored as an HMAC, one person of
 * one organization, expiring, revocable), the page (masked addresses only), the post (same origin,
 * form token, rate limit), and the choices honoured where every later read sees them.
 */
let t: TestApp;
let orgId: string;
let admin: TestUser;
let organizer: TestUser;
let volunteer: TestUser;
let otherAdmin: TestUser;
const FORM = { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' };

async function addPerson(body: Record<string, unknown>): Promise<string> {
  const created = await t.call('POST', '/api/v1/people', { as: admin, body });
  expect(created.statusCode, created.body).toBeLessThan(300);
  return created.json().person.id;
}

async function mint(personId: string, as: TestUser = admin, body: Record<string, unknown> = {}) {
  return await t.call('POST', `/api/v1/people/${personId}/consent-links`, {
    as,
    body: { purpose: 'spring newsletter', ...body },
  });
}

async function tokenFor(personId: string): Promise<string> {
  const minted = await mint(personId);
  expect(minted.statusCode, minted.body).toBe(201);
  return minted.json().token;
}

async function emailsOf(personId: string): Promise<{ id: string; address: string; status: string }[]> {
  const person = await t.call('GET', `/api/v1/people/${personId}`, { as: admin });
  return person.json().emails;
}

/** The page's form token (a hidden field) and each email's field name. */
function formOf(body: string): { formToken: string; emailFields: string[] } {
  const formToken = /name="form_token" value="([^"]+)"/.exec(body)?.[1] ?? '';
  const emailFields = [
    ...new Set([...body.matchAll(/name="(email_[0-9a-f-]+)"/g)].map((m) => m[1] as string)),
  ];
  return { formToken, emailFields };
}

let client = 0;
/** Each post from its own address: the rate limit (10 a minute per address) has its own test. */
async function post(
  token: string,
  fields: Record<string, string>,
  headers: Record<string, string> = FORM,
  remoteAddress = `192.0.2.${++client}`,
) {
  return await t.app.inject({
    method: 'POST',
    url: `/consent/${token}`,
    headers,
    payload: new URLSearchParams(fields).toString(),
    remoteAddress,
  });
}

beforeAll(async () => {
  t = await createTestApp();
  orgId = (await makeOrg(t.db)).id;
  await t.db
    .insertInto('unit')
    .values([
      { org_id: orgId, id: newId(), path: 'east', name: 'East', kind: 'chapter' },
      { org_id: orgId, id: newId(), path: 'west', name: 'West', kind: 'chapter' },
    ])
    .execute();
  admin = await makeUser(t.db, orgId, 'org_admin');
  organizer = await makeUser(t.db, orgId, 'local_organizer', 'east');
  volunteer = await makeUser(t.db, orgId, 'volunteer', 'east');
  otherAdmin = await makeUser(t.db, (await makeOrg(t.db)).id, 'org_admin');
});
afterAll(async () => {
  await t.close();
});

describe('minting a consent link', () => {
  it('returns an unguessable token once and stores only its HMAC', async () => {
    const ana = await addPerson({
      given_name: 'Ana',
      home_unit: 'east',
      emails: [{ address: 'ana@example.org' }],
    });
    const minted = await mint(ana, admin, { expires_in_days: 30 });
    expect(minted.statusCode, minted.body).toBe(201);
    const link = minted.json();
    expect(link.token).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    expect(link.url).toBe(`http://localhost:80/consent/${link.token}`);
    expect(new Date(link.expires_at).getTime() - Date.now()).toBeGreaterThan(29 * 24 * 3600 * 1000);
    const row = await t.db
      .selectFrom('consent_link')
      .selectAll()
      .where('id', '=', link.id)
      .executeTakeFirstOrThrow();
    expect(row.person_id).toBe(ana);
    expect(Buffer.from(row.token_mac).length).toBe(32);
    // Neither the token nor its secret part is anywhere in the row.
    const secret = link.token.split('.')[1];
    expect(JSON.stringify(row)).not.toContain(secret);
    expect(Buffer.from(row.token_mac).toString('base64url')).not.toBe(secret);
    // Two links for one person are two different tokens.
    expect((await mint(ana)).json().token).not.toBe(link.token);
  });

  it('needs people.write over the person and the status class; others are refused or see nothing', async () => {
    const east = await addPerson({ given_name: 'Eve', home_unit: 'east' });
    const west = await addPerson({ given_name: 'Wes', home_unit: 'west' });
    expect((await mint(east, organizer)).statusCode).toBe(201);
    expect((await mint(west, organizer)).statusCode).toBe(404);
    expect((await mint(east, volunteer)).statusCode).toBe(403);
    expect((await mint(east, otherAdmin)).statusCode).toBe(404);
    expect((await mint(east, admin, { purpose: '' })).statusCode).toBe(400);
    expect((await mint(east, admin, { expires_in_days: 400 })).statusCode).toBe(400);
    // A service caller (outreach, later) mints the same way.
    const made = await mintConsentLink(await ctxFor(t.db, admin), east, {
      purpose: 'outreach',
      expires_in_days: 7,
    });
    expect(await openLink(t.db, made.token, new Date())).toMatchObject({ orgId, personId: east });
  });
});

describe('the consent page', () => {
  it('shows only the person’s own addresses, masked, with safe headers, in their language', async () => {
    const bo = await addPerson({
      given_name: 'Bo',
      family_name: 'Secretname',
      home_unit: 'east',
      emails: [{ address: 'bo.private@example.org' }, { address: 'bo.work@example.com' }],
      phones: [{ number: '+1 510 555 0142' }],
    });
    await addPerson({ given_name: 'Other', emails: [{ address: 'other.person@example.org' }] });
    const token = await tokenFor(bo);
    const page = await t.call('GET', `/consent/${token}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<html lang="en">');
    expect(page.body).toContain('b•••@e•••.org');
    expect(page.body).toContain('b•••@e•••.com');
    expect(page.body).toContain('+1••••••••42');
    for (const secret of ['bo.private', 'bo.work', 'Secretname', '5550142', 'other.person'])
      expect(page.body).not.toContain(secret);
    expect(page.headers['cache-control']).toBe('no-store');
    expect(page.headers['referrer-policy']).toBe('same-origin');
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.body).toMatch(/<label><input type="radio" name="email_[0-9a-f-]+" value="unsubscribed">/);
    const spanish = await t.call('GET', `/consent/${token}`, {
      headers: { 'accept-language': 'es-MX,es;q=0.9' },
    });
    expect(spanish.body).toContain('<html lang="es">');
    expect(spanish.body).toContain(messages('es').t('consent.save'));
    expect(spanish.body).toContain('href="?lang=en"');
  });

  it('answers the same 404 page for a malformed, unknown, altered, expired or revoked token', async () => {
    const cy = await addPerson({
      given_name: 'Cy',
      home_unit: 'east',
      emails: [{ address: 'cy@example.org' }],
    });
    const token = await tokenFor(cy);
    const [id, secret] = token.split('.') as [string, string];
    const altered = `${id}.${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`;
    const unknown = `${Buffer.from(newId().replaceAll('-', ''), 'hex').toString('base64url')}.${secret}`;
    const gone = [];
    for (const bad of ['nope', unknown, altered]) gone.push(await t.call('GET', `/consent/${bad}`));
    const expired = await tokenFor(cy);
    await t.db
      .updateTable('consent_link')
      .set({ expires_at: new Date(Date.now() - 1000), created_at: new Date(Date.now() - 2000) } as never)
      .where('id', '=', (await openLink(t.db, expired, new Date()))?.linkId as string)
      .execute();
    gone.push(await t.call('GET', `/consent/${expired}`));
    const revoked = await t.call('POST', `/api/v1/people/${cy}/consent-links/revoke`, { as: admin });
    expect(revoked.statusCode, revoked.body).toBe(200);
    expect(revoked.json().revoked).toBeGreaterThanOrEqual(1);
    gone.push(await t.call('GET', `/consent/${token}`));
    const bodies = new Set(gone.map((r) => r.body));
    expect(gone.map((r) => r.statusCode)).toEqual([404, 404, 404, 404, 404]);
    expect(bodies.size).toBe(1);
    expect([...bodies][0]).toContain(messages('en').t('consent.gone.title'));
  });

  it('stops every outstanding link of the organization when its key is replaced', async () => {
    const di = await addPerson({ given_name: 'Di', home_unit: 'east' });
    const token = await tokenFor(di);
    expect((await t.call('GET', `/consent/${token}`)).statusCode).toBe(200);
    expect(await rotateConsentKey(t.db, orgId, new Date())).toBeGreaterThanOrEqual(1);
    expect((await t.call('GET', `/consent/${token}`)).statusCode).toBe(404);
    expect((await t.call('GET', `/consent/${await tokenFor(di)}`)).statusCode).toBe(200);
  });
});

describe('changing one’s choices', () => {
  it('unsubscribes an address everywhere it is held, records a receipt, and the API shows it', async () => {
    const ed = await addPerson({
      given_name: 'Ed',
      home_unit: 'east',
      emails: [{ address: 'ed@example.org' }, { address: 'ed.two@example.org' }],
    });
    // Another record of the organization holding the same address (a duplicate not yet merged).
    const twin = await t.db
      .selectFrom('person_email')
      .select('person_id')
      .where('address', '=', 'ed@example.org')
      .executeTakeFirstOrThrow();
    const dup = newId();
    await t.db
      .insertInto('person')
      .values({ org_id: orgId, id: dup, given_name: 'Edward' } as never)
      .execute();
    await t.db
      .insertInto('person_email')
      .values({
        org_id: orgId,
        id: newId(),
        person_id: dup,
        address: 'ed@example.org',
        source_kind: 'import',
        source_ref: null,
      })
      .execute();
    expect(twin.person_id).toBe(ed);
    const token = await tokenFor(ed);
    const page = await t.call('GET', `/consent/${token}`);
    const { formToken, emailFields } = formOf(page.body);
    const byAddress = Object.fromEntries((await emailsOf(ed)).map((e) => [e.address, e.id]));
    const saved = await post(token, {
      form_token: formToken,
      [`email_${byAddress['ed@example.org']}`]: 'unsubscribed',
      [`email_${byAddress['ed.two@example.org']}`]: 'subscribed',
      sms: 'opted_out',
      lang: 'en',
    });
    expect(emailFields).toHaveLength(2);
    expect(saved.statusCode, saved.body).toBe(200);
    expect(saved.body).toContain(messages('en').t('consent.saved'));
    const after = Object.fromEntries((await emailsOf(ed)).map((e) => [e.address, e.status]));
    expect(after).toEqual({ 'ed@example.org': 'unsubscribed', 'ed.two@example.org': 'subscribed' });
    const dupEmail = await t.db
      .selectFrom('person_email')
      .select('status')
      .where('person_id', '=', dup)
      .executeTakeFirstOrThrow();
    expect(dupEmail.status).toBe('unsubscribed');
    const sms = await t.db
      .selectFrom('channel_consent')
      .selectAll()
      .where('person_id', '=', ed)
      .executeTakeFirstOrThrow();
    expect(sms).toMatchObject({ channel: 'sms', status: 'opted_out', source_kind: 'consent_link' });
    const receipts = await t.db
      .selectFrom('consent_receipt')
      .selectAll()
      .where('person_id', '=', ed)
      .execute();
    expect(receipts).toHaveLength(1);
    expect(receipts[0]?.receipt).toMatchObject({
      language: 'en',
      changes: [
        {
          choice: 'email',
          address: 'e•••@e•••.org',
          before: 'subscribed',
          after: 'unsubscribed',
          answer: 'No more email',
        },
        { choice: 'sms', before: null, after: 'opted_out' },
      ],
    });
    expect(JSON.stringify(receipts[0]?.receipt)).not.toContain('ed@example.org');
    // Posting the same choices again changes nothing and writes no second receipt.
    expect(
      (await post(token, { form_token: formToken, [`email_${byAddress['ed@example.org']}`]: 'unsubscribed' }))
        .statusCode,
    ).toBe(200);
    expect(
      await t.db.selectFrom('consent_receipt').select('id').where('person_id', '=', ed).execute(),
    ).toHaveLength(1);
    // The page shows the choices as they now are.
    const again = await t.call('GET', `/consent/${token}`);
    expect(again.body).toContain(`name="email_${byAddress['ed@example.org']}" value="unsubscribed" checked`);
    expect(again.body).toContain('name="sms" value="opted_out" checked');
  });

  it('sets do-not-contact (message and call are then refused) and cancels queued reminders', async () => {
    const fay = await addPerson({
      given_name: 'Fay',
      home_unit: 'east',
      emails: [{ address: 'fay@example.org' }],
    });
    const unit = await t.db
      .selectFrom('unit')
      .select('id')
      .where('org_id', '=', orgId)
      .where('name', '=', 'East')
      .executeTakeFirstOrThrow();
    const event = newId();
    const starts = new Date(Date.now() + 7 * 24 * 3600 * 1000);
    await t.db
      .insertInto('event')
      .values({
        org_id: orgId,
        id: event,
        unit_id: unit.id,
        title: 'Meeting',
        starts_at: starts,
        ends_at: new Date(starts.getTime() + 3600 * 1000),
        timezone: 'UTC',
        visibility: 'public',
        status: 'published',
      } as never)
      .execute();
    const rsvp = newId();
    await t.db
      .insertInto('event_rsvp')
      .values({
        org_id: orgId,
        id: rsvp,
        event_id: event,
        person_id: fay,
        status: 'going',
        source: 'organizer',
      } as never)
      .execute();
    await t.db
      .insertInto('event_reminder')
      .values(
        (['email', 'sms'] as const).map((channel) => ({
          org_id: orgId,
          id: newId(),
          event_id: event,
          rsvp_id: rsvp,
          person_id: fay,
          channel,
          send_at: new Date(starts.getTime() - 3600 * 1000),
        })),
      )
      .execute();
    const token = await tokenFor(fay);
    const { formToken } = formOf((await t.call('GET', `/consent/${token}`)).body);
    expect((await post(token, { form_token: formToken, do_not_contact: 'yes' })).statusCode).toBe(200);
    const person = await t.call('GET', `/api/v1/people/${fay}`, { as: admin });
    expect(person.json().do_not_contact).toBe(true);
    expect(person.json().capabilities ?? {}).not.toHaveProperty('message');
    const reminders = await t.db
      .selectFrom('event_reminder')
      .select('status')
      .where('person_id', '=', fay)
      .execute();
    expect(reminders.map((r) => r.status)).toEqual(['cancelled', 'cancelled']);
  });

  it('honours the person’s choice under legal hold, and follows a merge to the record kept', async () => {
    const gus = await addPerson({
      given_name: 'Gus',
      home_unit: 'east',
      emails: [{ address: 'gus@example.org' }],
    });
    const gus2 = await addPerson({
      given_name: 'Gus',
      home_unit: 'east',
      emails: [{ address: 'gus.other@example.org' }],
    });
    const token = await tokenFor(gus2);
    await mergePeople(systemCtx(t.db, orgId), gus, gus2);
    await t.db
      .updateTable('person')
      .set({ legal_hold: true } as never)
      .where('id', '=', gus)
      .execute();
    const page = await t.call('GET', `/consent/${token}`);
    expect(page.statusCode).toBe(200);
    const { formToken, emailFields } = formOf(page.body);
    expect(emailFields.length).toBeGreaterThanOrEqual(1);
    const fields = Object.fromEntries(emailFields.map((f) => [f, 'unsubscribed']));
    expect((await post(token, { form_token: formToken, ...fields })).statusCode).toBe(200);
    const statuses = await t.db
      .selectFrom('person_email')
      .select('status')
      .where('person_id', '=', gus)
      .execute();
    expect(statuses.map((s) => s.status)).toEqual(statuses.map(() => 'unsubscribed'));
  });

  it('refuses a cross-site post or one without the page’s form token, and changes nothing', async () => {
    const hal = await addPerson({
      given_name: 'Hal',
      home_unit: 'east',
      emails: [{ address: 'hal@example.org' }],
    });
    const token = await tokenFor(hal);
    const { formToken, emailFields } = formOf((await t.call('GET', `/consent/${token}`)).body);
    const field = emailFields[0] as string;
    const crossSite = await post(
      token,
      { form_token: formToken, [field]: 'unsubscribed' },
      { ...FORM, origin: 'https://evil.example' },
    );
    expect(crossSite.statusCode).toBe(403);
    const fetchSite = await post(
      token,
      { form_token: formToken, [field]: 'unsubscribed' },
      { 'content-type': FORM['content-type'], 'sec-fetch-site': 'cross-site' },
    );
    expect(fetchSite.statusCode).toBe(403);
    expect((await post(token, { [field]: 'unsubscribed' })).statusCode).toBe(403);
    expect((await post(token, { form_token: 'x'.repeat(43), [field]: 'unsubscribed' })).statusCode).toBe(403);
    // Another link's form token does not fit this link.
    const other = await tokenFor(hal);
    const otherForm = formOf((await t.call('GET', `/consent/${other}`)).body).formToken;
    expect((await post(token, { form_token: otherForm, [field]: 'unsubscribed' })).statusCode).toBe(403);
    expect((await emailsOf(hal)).map((e) => e.status)).toEqual(['subscribed']);
    // A field naming another person's address is ignored.
    const ivy = await addPerson({ given_name: 'Ivy', emails: [{ address: 'ivy@example.org' }] });
    const ivyEmail = (await emailsOf(ivy))[0]?.id as string;
    expect(
      (await post(token, { form_token: formToken, [`email_${ivyEmail}`]: 'unsubscribed' })).statusCode,
    ).toBe(200);
    expect((await emailsOf(ivy)).map((e) => e.status)).toEqual(['subscribed']);
  });

  it('records the Spanish words a Spanish page showed', async () => {
    const jo = await addPerson({
      given_name: 'Jo',
      home_unit: 'east',
      emails: [{ address: 'jo@example.org' }],
    });
    const token = await tokenFor(jo);
    const page = await t.call('GET', `/consent/${token}?lang=es`);
    expect(page.body).toContain('<html lang="es">');
    const { formToken, emailFields } = formOf(page.body);
    const saved = await post(token, {
      form_token: formToken,
      [emailFields[0] as string]: 'unsubscribed',
      lang: 'es',
    });
    expect(saved.body).toContain(messages('es').t('consent.saved'));
    const receipt = await t.db
      .selectFrom('consent_receipt')
      .select('receipt')
      .where('person_id', '=', jo)
      .executeTakeFirstOrThrow();
    expect(receipt.receipt).toMatchObject({
      language: 'es',
      changes: [{ answer: messages('es').t('consent.emailNo') }],
    });
  });

  it('limits posts to 10 a minute from one address', async () => {
    const kim = await addPerson({ given_name: 'Kim', home_unit: 'east' });
    const token = await tokenFor(kim);
    const { formToken } = formOf((await t.call('GET', `/consent/${token}`)).body);
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++)
      statuses.push((await post(token, { form_token: formToken }, FORM, '198.51.100.77')).statusCode);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(200));
    expect(statuses[10]).toBe(429);
  });

  it('keeps the token out of the request log', () => {
    expect(loggedUrl('/consent/AAAA.BBBB?lang=es')).toBe('/consent/[token]?lang=es');
    expect(loggedUrl('/e/123')).toBe('/e/123');
  });
});
