import { sql } from 'kysely';
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
import { maskPhone } from '../access/index.js';
import { newId } from '../db/ids.js';
import { personConsent, recordOptOut } from './index.js';

/**
 * A person's consent on the person page, on both engines: the read (states for anyone with the
 * status class, addresses only for contact readers, audited like the person read) and the opt-out a
 * user records for the person (the consent page's own path and receipt, honoured where the API
 * and call lists read it).
 */
let t: TestApp;
let orgId: string;
let admin: TestUser;
let organizer: TestUser;
let volunteer: TestUser;
let otherAdmin: TestUser;

async function addPerson(body: Record<string, unknown>): Promise<string> {
  const created = await t.call('POST', '/api/v1/people', { as: admin, body });
  expect(created.statusCode, created.body).toBeLessThan(300);
  return created.json().person.id;
}

const consentOf = async (personId: string, as: TestUser = admin) =>
  await t.call('GET', `/api/v1/people/${personId}/consent`, { as });
const optOut = async (personId: string, body: Record<string, unknown>, as: TestUser = admin) =>
  await t.call('POST', `/api/v1/people/${personId}/consent/opt-out`, { as, body });

async function receipts(personId: string) {
  return await t.db
    .selectFrom('consent_receipt')
    .select(['receipt', 'link_id'])
    .where('person_id', '=', personId)
    .orderBy('created_at')
    .execute();
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

describe('GET /api/v1/people/:id/consent', () => {
  it('shows each channel’s state; addresses and numbers only to users who may read contact fields', async () => {
    const ana = await addPerson({
      given_name: 'Ana',
      home_unit: 'east',
      emails: [{ address: 'ana@example.org' }, { address: 'ana.old@example.org', status: 'bouncing' }],
      phones: [{ number: '+15105550101', sms_capable: true }],
    });
    const full = await consentOf(ana);
    expect(full.statusCode, full.body).toBe(200);
    const view = full.json();
    expect(view.person_id).toBe(ana);
    expect(view.do_not_contact).toBe(false);
    expect(view.emails.map((e: { address: string; status: string }) => [e.address, e.status])).toEqual([
      ['ana@example.org', 'subscribed'],
      ['ana.old@example.org', 'bouncing'],
    ]);
    expect(view.phones).toEqual([
      expect.objectContaining({ number: '+15105550101', sms_capable: true, do_not_call: false }),
    ]);
    expect(view.sms).toBeNull();
    expect(view.history).toEqual([]);
    expect(view.can_record_opt_out).toBe(true);

    // A local organizer has the status class but not contact: states, masked values.
    const masked = await consentOf(ana, organizer);
    expect(masked.statusCode, masked.body).toBe(200);
    const seen = masked.json();
    expect(masked.body).not.toContain('ana@example.org');
    expect(masked.body).not.toContain('+15105550101');
    expect(seen.emails[0]).toEqual(
      expect.objectContaining({ address_masked: 'a•••@e•••.org', status: 'subscribed' }),
    );
    expect(seen.emails[0].address).toBeUndefined();
    expect(seen.phones[0]).toEqual(
      expect.objectContaining({
        number_masked: maskPhone('+15105550101'),
        sms_capable: true,
        do_not_call: false,
      }),
    );
    expect(seen.can_record_opt_out).toBe(true);
  });

  it('is scoped like the person read: out of reach is 404, a role without people.read 403', async () => {
    const wes = await addPerson({ given_name: 'Wes', home_unit: 'west' });
    const eve = await addPerson({ given_name: 'Eve', home_unit: 'east' });
    expect((await consentOf(wes, organizer)).statusCode).toBe(404);
    expect((await consentOf(eve, otherAdmin)).statusCode).toBe(404);
    expect((await consentOf(eve, volunteer)).statusCode).toBe(403);
    expect((await consentOf(newId())).statusCode).toBe(404);
  });

  it('audits the read of addresses and numbers, and not a read of states alone', async () => {
    const cal = await addPerson({
      given_name: 'Cal',
      home_unit: 'east',
      emails: [{ address: 'cal@example.org' }],
    });
    await t.audit.flush();
    const entries = async () =>
      await t.db
        .selectFrom('audit_event')
        .select(['actor_id', 'fields'])
        .where('org_id', '=', orgId)
        .where('action', '=', 'person.read')
        .where(sql<boolean>`subject_ids @> ARRAY[${cal}]::uuid[]`)
        .execute();
    const before = await entries();
    expect((await consentOf(cal, organizer)).statusCode).toBe(200);
    await t.audit.flush();
    expect(await entries()).toEqual(before);
    expect((await consentOf(cal, admin)).statusCode).toBe(200);
    await t.audit.flush();
    const after = await entries();
    expect(after).toHaveLength(before.length + 1);
    expect(after.find((e) => !before.some((b) => JSON.stringify(b) === JSON.stringify(e)))).toEqual({
      actor_id: admin.id,
      fields: ['emails', 'phones'],
    });
  });
});

describe('POST /api/v1/people/:id/consent/opt-out', () => {
  it('records a text opt-out with a receipt naming the user and the note, once', async () => {
    const bea = await addPerson({
      given_name: 'Bea',
      home_unit: 'east',
      phones: [{ number: '+15105550102', sms_capable: true }],
    });
    const done = await optOut(
      bea,
      { channel: 'sms', note: 'She asked us on the phone not to text her' },
      organizer,
    );
    expect(done.statusCode, done.body).toBe(200);
    const answer = done.json();
    expect(answer.changed).toBe(1);
    expect(answer.consent.sms).toEqual(
      expect.objectContaining({ status: 'opted_out', source: expect.objectContaining({ kind: 'api' }) }),
    );
    const [entry] = answer.consent.history;
    expect(entry).toEqual(
      expect.objectContaining({
        source: expect.objectContaining({ kind: 'api' }),
        recorded_by: { id: organizer.id, name: expect.any(String) },
        note: 'She asked us on the phone not to text her',
        changes: [{ choice: 'sms', target: null, before: null, after: 'opted_out' }],
      }),
    );
    const stored = await receipts(bea);
    expect(stored).toHaveLength(1);
    expect(stored[0]?.link_id).toBeNull();
    expect(stored[0]?.receipt).toEqual(
      expect.objectContaining({
        recorded_by: organizer.id,
        note: 'She asked us on the phone not to text her',
      }),
    );
    const row = await t.db
      .selectFrom('channel_consent')
      .selectAll()
      .where('person_id', '=', bea)
      .executeTakeFirstOrThrow();
    expect([row.channel, row.status, row.source_kind]).toEqual(['sms', 'opted_out', 'api']);

    // Again: nothing changes, no second receipt.
    const again = await optOut(bea, { channel: 'sms' }, organizer);
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json().changed).toBe(0);
    expect(await receipts(bea)).toHaveLength(1);
  });

  it('unsubscribes an address on every record that holds it, as the consent page does', async () => {
    const cleo = await addPerson({
      given_name: 'Cleo',
      home_unit: 'east',
      emails: [{ address: 'cleo@example.org' }],
    });
    // A second record of the same address (a duplicate not merged yet) must not keep mailing it.
    const twin = await t.db
      .insertInto('person')
      .values({ org_id: orgId, id: newId(), given_name: 'Cleo', home_unit_path: 'east' })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.db
      .insertInto('person_email')
      .values({
        org_id: orgId,
        id: newId(),
        person_id: twin.id,
        address: 'cleo@example.org',
        source_kind: 'api',
      })
      .execute();
    const emailId = (await consentOf(cleo)).json().emails[0].id;
    const done = await optOut(cleo, { channel: 'email', email_id: emailId, note: 'Replied “stop”' });
    expect(done.statusCode, done.body).toBe(200);
    expect(done.json().consent.history[0].changes).toEqual([
      { choice: 'email', target: 'c•••@e•••.org', before: 'subscribed', after: 'unsubscribed' },
    ]);
    for (const id of [cleo, twin.id]) {
      const person = await t.call('GET', `/api/v1/people/${id}`, { as: admin });
      expect(person.json().emails[0].status, id).toBe('unsubscribed');
    }
  });

  it('marks a number do-not-call where call lists read it, and do-not-contact takes messaging away', async () => {
    const dan = await addPerson({
      given_name: 'Dan',
      home_unit: 'east',
      phones: [{ number: '+15105550103' }, { number: '+15105550104' }],
    });
    const phones = (await consentOf(dan)).json().phones as { id: string }[];
    const call = await optOut(dan, { channel: 'call', phone_id: phones[1]?.id }, organizer);
    expect(call.statusCode, call.body).toBe(200);
    const flags = (await t.call('GET', `/api/v1/people/${dan}`, { as: admin })).json().phones;
    expect(flags.map((p: { do_not_call: boolean }) => p.do_not_call)).toEqual([false, true]);
    expect(call.json().consent.history[0].changes).toEqual([
      { choice: 'do_not_call', target: maskPhone('+15105550104'), before: false, after: true },
    ]);

    expect(
      (await t.call('GET', `/api/v1/people/${dan}`, { as: organizer })).json().capabilities,
    ).toBeDefined();
    const all = await optOut(dan, { channel: 'all', note: 'Asked at the door' }, organizer);
    expect(all.statusCode, all.body).toBe(200);
    expect(all.json().consent.do_not_contact).toBe(true);
    const after = (await t.call('GET', `/api/v1/people/${dan}`, { as: organizer })).json();
    expect(after.do_not_contact).toBe(true);
    expect(after.capabilities).toBeUndefined();
  });

  it('offers withdrawals only, and only of this person’s own addresses and numbers', async () => {
    const eli = await addPerson({
      given_name: 'Eli',
      home_unit: 'east',
      emails: [{ address: 'eli@example.org' }],
    });
    const fay = await addPerson({
      given_name: 'Fay',
      home_unit: 'east',
      emails: [{ address: 'fay@example.org' }],
    });
    const faysEmail = (await consentOf(fay)).json().emails[0].id;
    const refused = await optOut(eli, { channel: 'email', email_id: faysEmail });
    expect(refused.statusCode).toBe(400);
    expect(refused.json().errors[0].field).toBe('email_id');
    expect((await optOut(eli, { channel: 'call', phone_id: newId() })).statusCode).toBe(400);
    expect((await optOut(eli, { channel: 'email' })).statusCode).toBe(400);
    // Opting in for someone is not an input at all.
    expect((await optOut(eli, { channel: 'sms', status: 'opted_in' })).statusCode).toBe(400);
    expect((await optOut(eli, { channel: 'opt_in' })).statusCode).toBe(400);
    expect((await optOut(eli, { channel: 'sms', note: 'x'.repeat(501) })).statusCode).toBe(400);
    expect(await receipts(eli)).toEqual([]);
    expect(await receipts(fay)).toEqual([]);
  });

  it('needs people.write over the person and the status class; legal hold does not stop a withdrawal', async () => {
    const gus = await addPerson({ given_name: 'Gus', home_unit: 'east' });
    const wes = await addPerson({ given_name: 'Wes', home_unit: 'west' });
    expect((await optOut(wes, { channel: 'sms' }, organizer)).statusCode).toBe(404);
    expect((await optOut(gus, { channel: 'sms' }, otherAdmin)).statusCode).toBe(404);
    expect((await optOut(gus, { channel: 'sms' }, volunteer)).statusCode).toBe(403);
    expect(await receipts(gus)).toEqual([]);
    // Under legal hold other writes are refused, but the person's request to stop is recorded.
    await t.db.updateTable('person').set({ legal_hold: true }).where('id', '=', gus).execute();
    const held = await t.call('PATCH', `/api/v1/people/${gus}`, { as: admin, body: { pronouns: 'he/him' } });
    expect(held.statusCode).toBe(403);
    expect((await consentOf(gus)).json().can_record_opt_out).toBe(true);
    expect((await optOut(gus, { channel: 'sms' })).statusCode).toBe(200);
    expect((await receipts(gus)).length).toBe(1);
    expect((await consentOf(gus)).json().sms.status).toBe('opted_out');
  });
});

describe('the history', () => {
  it('holds the person’s own consent page, users’ records and signups, newest first', async () => {
    const hal = await addPerson({
      given_name: 'Hal',
      home_unit: 'east',
      emails: [{ address: 'hal@example.org' }],
    });
    // A signup: the receipt an RSVP keeps (what the form asked and the person ticked).
    const unit = await t.db
      .selectFrom('unit')
      .select('id')
      .where('org_id', '=', orgId)
      .where('path', '=', 'east')
      .executeTakeFirstOrThrow();
    const event = await t.db
      .insertInto('event')
      .values({
        org_id: orgId,
        id: newId(),
        unit_id: unit.id,
        title: 'Meeting',
        starts_at: new Date('2030-01-01T18:00:00Z'),
        ends_at: new Date('2030-01-01T20:00:00Z'),
        timezone: 'UTC',
        status: 'published',
        visibility: 'unit',
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await t.db
      .insertInto('event_rsvp')
      .values({
        org_id: orgId,
        id: newId(),
        event_id: event.id,
        person_id: hal,
        status: 'going',
        source: 'public',
        consent: JSON.stringify({
          at: '2026-01-02T10:00:00.000Z',
          where: `event:${event.id}`,
          choices: {
            email_updates: { asked: 'Send me updates from this group by email', answer: true },
            sms_updates: { asked: 'Text me about this event and others', answer: false },
          },
        }),
      })
      .execute();
    // The person's own page, then a user's record.
    const minted = await t.call('POST', `/api/v1/people/${hal}/consent-links`, {
      as: admin,
      body: { purpose: 'newsletter' },
    });
    const token = minted.json().token;
    const page = await t.app.inject({ method: 'GET', url: `/consent/${token}` });
    const formToken = /name="form_token" value="([^"]+)"/.exec(page.body)?.[1] ?? '';
    const emailField = /name="(email_[0-9a-f-]+)"/.exec(page.body)?.[1] ?? '';
    const posted = await t.app.inject({
      method: 'POST',
      url: `/consent/${token}?lang=es`,
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://localhost' },
      payload: new URLSearchParams({
        form_token: formToken,
        [emailField]: 'unsubscribed',
        sms: 'opted_in',
      }).toString(),
    });
    expect(posted.statusCode, posted.body).toBe(200);
    await recordOptOut(await ctxFor(t.db, organizer), hal, {
      channel: 'sms',
      note: 'Changed her mind by phone',
    });

    const history = (await consentOf(hal)).json().history as {
      source: { kind: string };
      recorded_by: { id: string } | null;
      language: string | null;
      changes: { choice: string; after: unknown }[];
    }[];
    expect(history.map((h) => [h.source.kind, h.changes.map((c) => `${c.choice}:${c.after}`)])).toEqual([
      ['api', ['sms:opted_out']],
      ['consent_link', ['email:unsubscribed', 'sms:opted_in']],
      ['event', ['email:subscribed', 'sms:opted_out']],
    ]);
    expect(history[1]?.language).toBe('es');
    expect(history[0]?.recorded_by?.id).toBe(organizer.id);
  });
});

describe('the services', () => {
  it('read and record as the HTTP routes do, for the operator too', async () => {
    const ivy = await addPerson({
      given_name: 'Ivy',
      home_unit: 'east',
      phones: [{ number: '+15105550105' }],
    });
    const ctx = systemCtx(t.db, orgId);
    const before = await personConsent(ctx, ivy);
    expect(before.phones[0]?.number).toBe('+15105550105');
    const { changed, consent } = await recordOptOut(ctx, ivy, {
      channel: 'call',
      phone_id: before.phones[0]?.id as string,
    });
    expect(changed).toBe(1);
    expect(consent.phones[0]?.do_not_call).toBe(true);
    expect(consent.history[0]).toEqual(
      expect.objectContaining({ source: { kind: 'system', ref: 'test' }, recorded_by: null }),
    );
    await expect(personConsent(await ctxFor(t.db, volunteer), ivy)).rejects.toMatchObject({
      code: 'not_found',
    });
  });
});
