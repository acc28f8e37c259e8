import type { Kysely } from 'kysely';
import { z } from 'zod';
import { assertFieldsWritable, maskEmail, maskPhone, requirePerson } from '../access/index.js';
import { actorUserId, type Ctx } from '../context.js';
import { newId } from '../db/ids.js';
import type { DB } from '../db/schema.js';
import { lockOrgPeople } from '../people/index.js';
import { PERSON_FIELDS } from '../policy/index.js';
import { type Locale, messages, type PublicDeps } from '../signup/index.js';
import { consentKey, formToken, macMatches, newToken, parseToken, tokenMac } from './consent.tokens.js';

/** The page of a consent link (a path; the caller adds the origin). */
export const consentPagePath = (token: string) => `/consent/${token}`;

export const DEFAULT_LINK_DAYS = 90;
export const MAX_LINK_DAYS = 365;

export const MintInput = z
  .object({
    purpose: z
      .string()
      .trim()
      .min(1)
      .max(200)
      .describe('Why the link is made: the message or campaign it goes out with'),
    expires_in_days: z.number().int().min(1).max(MAX_LINK_DAYS).default(DEFAULT_LINK_DAYS),
  })
  .strict();
export type MintInput = z.infer<typeof MintInput>;

export interface MintedLink {
  id: string;
  person_id: string;
  /** The capability itself: shown once, never stored (only its HMAC is). */
  token: string;
  path: string;
  purpose: string;
  expires_at: Date;
}

/**
 * Makes a consent link for a person. The link lets whoever holds it change the person's email
 * subscriptions, texts and do-not-contact (status fields), so minting needs what changing those
 * needs: `people.write` over the person and the status class (legal hold refuses it too, as any
 * write). The token is returned once; only its HMAC is kept.
 */
export async function mintConsentLink(ctx: Ctx, personId: string, raw: MintInput): Promise<MintedLink> {
  const facts = await requirePerson(ctx, personId, 'people.write');
  await assertFieldsWritable(ctx, facts, [
    { name: 'email_status', fieldClass: PERSON_FIELDS.email_status },
    { name: 'do_not_contact', fieldClass: PERSON_FIELDS.do_not_contact },
  ]);
  const input = MintInput.parse(raw);
  const orgId = ctx.actor.orgId;
  const now = ctx.now();
  const id = newId();
  const { token, secret } = newToken(id);
  const expires_at = new Date(now.getTime() + input.expires_in_days * 24 * 3600 * 1000);
  await ctx.db.transaction().execute(async (trx) => {
    const key = await consentKey(trx, orgId);
    await trx
      .insertInto('consent_link')
      .values({
        org_id: orgId,
        id,
        person_id: personId,
        token_mac: tokenMac(key, id, secret),
        purpose: input.purpose,
        created_by: actorUserId(ctx.actor),
        created_at: now,
        expires_at,
      })
      .execute();
  });
  return { id, person_id: personId, token, path: consentPagePath(token), purpose: input.purpose, expires_at };
}

/** Ends every live link of a person (a link sent to the wrong address, a person's request). */
export async function revokeConsentLinks(ctx: Ctx, personId: string): Promise<{ revoked: number }> {
  await requirePerson(ctx, personId, 'people.write');
  const result = await ctx.db
    .updateTable('consent_link')
    .set({ revoked_at: ctx.now() })
    .where('org_id', '=', ctx.actor.orgId)
    .where('person_id', '=', personId)
    .where('revoked_at', 'is', null)
    .executeTakeFirst();
  return { revoked: Number(result.numUpdatedRows) };
}

/** A link that works: whose organization and person it names (the person a merge kept). */
export interface OpenLink {
  linkId: string;
  orgId: string;
  orgName: string;
  personId: string;
  /** The page's form token: HMAC under the organization's key, bound to this link. */
  formToken: string;
}

/**
 * The link a token names, or null when the token is malformed, unknown, its MAC does not match
 * (a guess, or the organization's key was replaced), it expired or it was revoked. All of these
 * look the same to the caller. A person merged into another is followed to the survivor.
 */
export async function openLink(db: Kysely<DB>, token: string, now: Date): Promise<OpenLink | null> {
  const parsed = parseToken(token);
  if (!parsed) return null;
  const row = await db
    .selectFrom('consent_link as l')
    .innerJoin('consent_key as k', 'k.org_id', 'l.org_id')
    .innerJoin('org as o', 'o.id', 'l.org_id')
    .select([
      'l.id',
      'l.org_id',
      'l.person_id',
      'l.token_mac',
      'l.expires_at',
      'l.revoked_at',
      'k.secret',
      'o.name',
    ])
    .where('l.id', '=', parsed.linkId)
    .executeTakeFirst();
  if (!row || !macMatches(row.token_mac, tokenMac(row.secret, row.id, parsed.secret))) return null;
  if (row.revoked_at !== null || row.expires_at <= now) return null;
  let personId = row.person_id;
  for (let hop = 0; hop < 10; hop++) {
    const person = await db
      .selectFrom('person')
      .select('merged_into')
      .where('org_id', '=', row.org_id)
      .where('id', '=', personId)
      .executeTakeFirst();
    if (!person) return null;
    if (person.merged_into === null)
      return {
        linkId: row.id,
        orgId: row.org_id,
        orgName: row.name,
        personId,
        formToken: formToken(row.secret, row.id),
      };
    personId = person.merged_into;
  }
  return null;
}

export type EmailChoice = 'subscribed' | 'unsubscribed';
export type SmsChoice = 'opted_in' | 'opted_out';

/** What the consent page shows: the person's own addresses, masked, and their current choices. */
export interface ConsentState {
  orgName: string;
  emails: {
    id: string;
    masked: string;
    status: 'subscribed' | 'unsubscribed' | 'bouncing' | 'spam_complaint';
  }[];
  phones: string[];
  sms: SmsChoice | null;
  doNotContact: boolean;
}

export async function consentState(db: Kysely<DB>, link: OpenLink): Promise<ConsentState> {
  const [emails, phones, sms, person] = await Promise.all([
    db
      .selectFrom('person_email')
      .select(['id', 'address', 'status'])
      .where('org_id', '=', link.orgId)
      .where('person_id', '=', link.personId)
      .orderBy('is_primary', 'desc')
      .orderBy('observed_at')
      .orderBy('id')
      .execute(),
    db
      .selectFrom('person_phone')
      .select('number')
      .where('org_id', '=', link.orgId)
      .where('person_id', '=', link.personId)
      .orderBy('is_primary', 'desc')
      .orderBy('observed_at')
      .execute(),
    db
      .selectFrom('channel_consent')
      .select('status')
      .where('org_id', '=', link.orgId)
      .where('person_id', '=', link.personId)
      .where('channel', '=', 'sms')
      .executeTakeFirst(),
    db
      .selectFrom('person')
      .select('do_not_contact')
      .where('org_id', '=', link.orgId)
      .where('id', '=', link.personId)
      .executeTakeFirstOrThrow(),
  ]);
  return {
    orgName: link.orgName,
    emails: emails.map((e) => ({
      id: e.id,
      masked: maskEmail(e.address),
      status: e.status as ConsentState['emails'][number]['status'],
    })),
    phones: phones.map((p) => maskPhone(p.number)),
    sms: sms?.status ?? null,
    doNotContact: person.do_not_contact,
  };
}

/** The choices a consent page posts: per email id, texts, do-not-contact. Absent means unchanged. */
export interface ConsentChoices {
  emails: Record<string, EmailChoice>;
  sms?: SmsChoice;
  doNotContact?: boolean;
}

/**
 * Applies a person's choices from their consent link, in one transaction with its receipt:
 *
 * - email: the address's `person_email.status`, the column every send path and every API reads.
 *   Unsubscribing an address unsubscribes it on every record of the organization that holds it
 *   (a duplicate record must not keep mailing it); subscribing again changes only this person's.
 * - texts: `channel_consent` (sms); opting out cancels the person's queued SMS reminders.
 * - do-not-contact: the person's own flag (deny rules then refuse message and call to everyone);
 *   it cancels every queued reminder.
 *
 * The person's own choice is honoured even under legal hold (a hold keeps records, it does not
 * oblige anyone to keep writing to a person). Returns what changed.
 */
export async function applyConsentChoices(
  deps: PublicDeps,
  link: OpenLink,
  choices: ConsentChoices,
  locale: Locale,
): Promise<{ changed: number }> {
  const now = deps.now();
  const m = messages(locale);
  return await deps.db.transaction().execute(async (trx) => {
    await lockOrgPeople(trx, link.orgId);
    const before = await consentState(trx, link);
    const changes: Record<string, unknown>[] = [];
    for (const email of before.emails) {
      const wanted = choices.emails[email.id];
      if (!wanted || wanted === email.status) continue;
      const address = await trx
        .selectFrom('person_email')
        .select('address')
        .where('org_id', '=', link.orgId)
        .where('id', '=', email.id)
        .executeTakeFirstOrThrow();
      let query = trx
        .updateTable('person_email')
        .set({ status: wanted })
        .where('org_id', '=', link.orgId)
        .where('address', '=', address.address);
      query =
        wanted === 'unsubscribed'
          ? query.where('status', '=', 'subscribed')
          : query.where('person_id', '=', link.personId);
      await query.execute();
      changes.push({
        choice: 'email',
        address: email.masked,
        asked: m.t('consent.emailLegend', { address: email.masked }),
        answer: wanted === 'subscribed' ? m.t('consent.emailYes') : m.t('consent.emailNo'),
        before: email.status,
        after: wanted,
      });
    }
    if (choices.sms && choices.sms !== before.sms) {
      const source = { source_kind: 'consent_link', source_ref: link.linkId };
      await trx
        .insertInto('channel_consent')
        .values({
          org_id: link.orgId,
          id: newId(),
          person_id: link.personId,
          channel: 'sms',
          status: choices.sms,
          changed_at: now,
          ...source,
        })
        .onConflict((oc) =>
          oc
            .constraint('channel_consent_person_channel_key')
            .doUpdateSet({ status: choices.sms as SmsChoice, changed_at: now, ...source }),
        )
        .execute();
      changes.push({
        choice: 'sms',
        asked: before.phones.length
          ? m.t('consent.smsLegend', { numbers: before.phones.join(', ') })
          : m.t('consent.smsLegendNone'),
        answer: choices.sms === 'opted_in' ? m.t('consent.smsYes') : m.t('consent.smsNo'),
        before: before.sms,
        after: choices.sms,
      });
    }
    if (choices.doNotContact !== undefined && choices.doNotContact !== before.doNotContact) {
      await trx
        .updateTable('person')
        .set({ do_not_contact: choices.doNotContact })
        .where('org_id', '=', link.orgId)
        .where('id', '=', link.personId)
        .execute();
      changes.push({
        choice: 'do_not_contact',
        asked: m.t('consent.dnc'),
        answer: choices.doNotContact,
        before: before.doNotContact,
        after: choices.doNotContact,
      });
    }
    const stopSms = choices.sms === 'opted_out' && before.sms !== 'opted_out';
    if (choices.doNotContact === true || stopSms) {
      let reminders = trx
        .updateTable('event_reminder')
        .set({ status: 'cancelled', updated_at: now })
        .where('org_id', '=', link.orgId)
        .where('person_id', '=', link.personId)
        .where('status', '=', 'queued');
      if (choices.doNotContact !== true) reminders = reminders.where('channel', '=', 'sms');
      await reminders.execute();
    }
    await trx
      .updateTable('consent_link')
      .set({ last_used_at: now })
      .where('org_id', '=', link.orgId)
      .where('id', '=', link.linkId)
      .execute();
    if (changes.length > 0)
      await trx
        .insertInto('consent_receipt')
        .values({
          org_id: link.orgId,
          id: newId(),
          person_id: link.personId,
          link_id: link.linkId,
          receipt: JSON.stringify({
            at: now.toISOString(),
            where: `consent_link:${link.linkId}`,
            language: locale,
            changes,
          }),
        })
        .execute();
    deps.log.info({ link: link.linkId, changed: changes.length }, 'consent link: choices saved');
    return { changed: changes.length };
  });
}
