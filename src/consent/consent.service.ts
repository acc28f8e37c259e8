import { type Kysely, sql } from 'kysely';
import { z } from 'zod';
import { assertFieldsWritable, maskEmail, maskPhone, requirePerson } from '../access/index.js';
import { actorUserId, type Ctx } from '../context.js';
import { column } from '../db/columns.js';
import { newId, newIds } from '../db/ids.js';
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
export type EmailStatus = 'subscribed' | 'unsubscribed' | 'bouncing' | 'spam_complaint';

/** What the consent page shows: the person's own addresses, masked, and their current choices. */
export interface ConsentState {
  orgName: string;
  emails: {
    id: string;
    masked: string;
    status: EmailStatus;
  }[];
  phones: string[];
  sms: SmsChoice | null;
  doNotContact: boolean;
}

/**
 * A person's choices on every channel as stored: each address's status, each number's flags, the
 * text-message choice with who last changed it, do-not-contact. Values are raw; callers mask.
 */
export interface PersonChoices {
  emails: { id: string; address: string; primary: boolean; status: EmailStatus }[];
  phones: { id: string; number: string; primary: boolean; smsCapable: boolean; doNotCall: boolean }[];
  sms: { status: SmsChoice; changedAt: Date; sourceKind: string; sourceRef: string | null } | null;
  doNotContact: boolean;
}

export async function personChoices(db: Kysely<DB>, orgId: string, personId: string): Promise<PersonChoices> {
  const [emails, phones, sms, person] = await Promise.all([
    db
      .selectFrom('person_email')
      .select(['id', 'address', 'status', 'is_primary'])
      .where('org_id', '=', orgId)
      .where('person_id', '=', personId)
      .orderBy('is_primary', 'desc')
      .orderBy('observed_at')
      .orderBy('id')
      .execute(),
    db
      .selectFrom('person_phone')
      .select(['id', 'number', 'is_primary', 'sms_capable', 'do_not_call'])
      .where('org_id', '=', orgId)
      .where('person_id', '=', personId)
      .orderBy('is_primary', 'desc')
      .orderBy('observed_at')
      .orderBy('id')
      .execute(),
    db
      .selectFrom('channel_consent')
      .select(['status', 'changed_at', 'source_kind', 'source_ref'])
      .where('org_id', '=', orgId)
      .where('person_id', '=', personId)
      .where('channel', '=', 'sms')
      .executeTakeFirst(),
    db
      .selectFrom('person')
      .select('do_not_contact')
      .where('org_id', '=', orgId)
      .where('id', '=', personId)
      .executeTakeFirstOrThrow(),
  ]);
  return {
    emails: emails.map((e) => ({
      id: e.id,
      address: e.address,
      primary: e.is_primary,
      status: e.status as EmailStatus,
    })),
    phones: phones.map((p) => ({
      id: p.id,
      number: p.number,
      primary: p.is_primary,
      smsCapable: p.sms_capable,
      doNotCall: p.do_not_call,
    })),
    sms: sms
      ? {
          status: sms.status,
          changedAt: sms.changed_at,
          sourceKind: sms.source_kind,
          sourceRef: sms.source_ref,
        }
      : null,
    doNotContact: person.do_not_contact,
  };
}

export async function consentState(db: Kysely<DB>, link: OpenLink): Promise<ConsentState> {
  const choices = await personChoices(db, link.orgId, link.personId);
  return {
    orgName: link.orgName,
    emails: choices.emails.map((e) => ({ id: e.id, masked: maskEmail(e.address), status: e.status })),
    phones: choices.phones.map((p) => maskPhone(p.number)),
    sms: choices.sms?.status ?? null,
    doNotContact: choices.doNotContact,
  };
}

/**
 * Changes to a person's choices. Absent means unchanged: per email id, texts, do-not-contact, and
 * the phone ids to mark do-not-call (a user recording what the person said; the page has no such
 * choice).
 */
export interface ConsentChoices {
  emails: Record<string, EmailChoice>;
  sms?: SmsChoice;
  doNotContact?: boolean;
  doNotCall?: string[];
}

/**
 * Who changed the choices, for `channel_consent` and the receipt: the person on their consent link
 * (the receipt keeps the words the page showed, in its language), or a user recording what the
 * person told them (`source` is the actor's provenance, `note` how the person said it).
 */
export type ChoiceSource =
  | { kind: 'consent_link'; linkId: string; locale: Locale }
  | {
      kind: 'user';
      source: { kind: string; ref: string | null };
      userId: string | null;
      note: string | null;
    };

/** A text-message choice a person made on a public signup (an event, a form or a petition). */
export interface SignupTextChoice {
  personId: string;
  choice: SmsChoice;
  /** Where it was made: `event:<id>`, `form:<id>`, `petition:<id>` (the consent receipt's `where`). */
  where: string;
}

/**
 * The text-message choices people made on public signups, in the caller's transaction: the
 * person's own answer to "text me", like the email box that subscribes or unsubscribes their
 * address. Set-based (one statement for a batch of signups); a person who appears twice keeps
 * their last answer. A choice already in place changes nothing (its date and source stay); an
 * opt-out cancels the person's queued SMS reminders, as on their consent page.
 */
export async function recordSignupTexts(
  trx: Kysely<DB>,
  orgId: string,
  entries: SignupTextChoice[],
  now: Date,
): Promise<void> {
  const last = new Map(entries.map((e) => [e.personId, e]));
  if (last.size === 0) return;
  const rows = [...last.values()].map((e) => {
    const [kind, ...ref] = e.where.split(':');
    return { person_id: e.personId, status: e.choice, kind: kind ?? 'form', ref: ref.join(':') || null };
  });
  await sql`
    WITH changed AS (
      INSERT INTO channel_consent (org_id, id, person_id, channel, status, changed_at, source_kind, source_ref)
      SELECT ${orgId}::uuid, u.id, u.person_id, 'sms', u.status, ${now.toISOString()}::timestamptz, u.kind, u.ref
      FROM unnest(${newIds(rows.length)}::uuid[], ${column(rows, 'person_id')}::uuid[], ${column(rows, 'status')}::text[],
        ${column(rows, 'kind')}::text[], ${column(rows, 'ref')}::text[]) AS u(id, person_id, status, kind, ref)
      ON CONFLICT ON CONSTRAINT channel_consent_person_channel_key DO UPDATE SET
        status = excluded.status, changed_at = excluded.changed_at,
        source_kind = excluded.source_kind, source_ref = excluded.source_ref
      WHERE channel_consent.status <> excluded.status
      RETURNING person_id, status
    )
    UPDATE event_reminder SET status = 'cancelled', updated_at = ${now.toISOString()}::timestamptz
    WHERE org_id = ${orgId} AND channel = 'sms' AND status = 'queued'
      AND person_id IN (SELECT person_id FROM changed WHERE status = 'opted_out')`.execute(trx);
}

/**
 * The one way a person's choices change, in the caller's transaction with its receipt (the consent
 * page and a user recording an opt-out both come here):
 *
 * - email: the address's `person_email.status`, the column every send path and every API reads.
 *   Unsubscribing an address unsubscribes it on every record of the organization that holds it
 *   (a duplicate record must not keep mailing it); subscribing again changes only this person's.
 * - texts: `channel_consent` (sms); opting out cancels the person's queued SMS reminders.
 * - do-not-call: `person_phone.do_not_call` on the number, on every record that holds it (call
 *   lists skip such numbers and never offer them).
 * - do-not-contact: the person's own flag (deny rules then refuse message and call to everyone);
 *   it cancels every queued reminder.
 *
 * Returns the number of changes (a receipt is written only when there is one).
 */
export async function applyChoices(
  trx: Kysely<DB>,
  orgId: string,
  personId: string,
  choices: ConsentChoices,
  from: ChoiceSource,
  now: Date,
): Promise<{ changed: number }> {
  await lockOrgPeople(trx, orgId);
  const before = await personChoices(trx, orgId, personId);
  const m = from.kind === 'consent_link' ? messages(from.locale) : null;
  const changes: Record<string, unknown>[] = [];
  const maskedPhones = before.phones.map((p) => maskPhone(p.number));
  for (const email of before.emails) {
    const wanted = choices.emails[email.id];
    if (!wanted || wanted === email.status) continue;
    let query = trx
      .updateTable('person_email')
      .set({ status: wanted })
      .where('org_id', '=', orgId)
      .where('address', '=', email.address);
    // This person's own address whatever its state; another record's only while it is subscribed
    // (a bounce or a complaint there says more than an unsubscribe).
    query =
      wanted === 'unsubscribed'
        ? query.where((eb) => eb.or([eb('person_id', '=', personId), eb('status', '=', 'subscribed')]))
        : query.where('person_id', '=', personId);
    await query.execute();
    const masked = maskEmail(email.address);
    changes.push({
      choice: 'email',
      address: masked,
      ...(m
        ? {
            asked: m.t('consent.emailLegend', { address: masked }),
            answer: wanted === 'subscribed' ? m.t('consent.emailYes') : m.t('consent.emailNo'),
          }
        : {}),
      before: email.status,
      after: wanted,
    });
  }
  if (choices.sms && choices.sms !== before.sms?.status) {
    const source =
      from.kind === 'consent_link'
        ? { source_kind: 'consent_link', source_ref: from.linkId }
        : { source_kind: from.source.kind, source_ref: from.source.ref };
    await trx
      .insertInto('channel_consent')
      .values({
        org_id: orgId,
        id: newId(),
        person_id: personId,
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
      ...(m
        ? {
            asked: maskedPhones.length
              ? m.t('consent.smsLegend', { numbers: maskedPhones.join(', ') })
              : m.t('consent.smsLegendNone'),
            answer: choices.sms === 'opted_in' ? m.t('consent.smsYes') : m.t('consent.smsNo'),
          }
        : {}),
      before: before.sms?.status ?? null,
      after: choices.sms,
    });
  }
  for (const phone of before.phones) {
    if (!choices.doNotCall?.includes(phone.id) || phone.doNotCall) continue;
    await trx
      .updateTable('person_phone')
      .set({ do_not_call: true })
      .where('org_id', '=', orgId)
      .where('number', '=', phone.number)
      .where('do_not_call', '=', false)
      .execute();
    changes.push({ choice: 'do_not_call', number: maskPhone(phone.number), before: false, after: true });
  }
  if (choices.doNotContact !== undefined && choices.doNotContact !== before.doNotContact) {
    await trx
      .updateTable('person')
      .set({ do_not_contact: choices.doNotContact })
      .where('org_id', '=', orgId)
      .where('id', '=', personId)
      .execute();
    changes.push({
      choice: 'do_not_contact',
      ...(m ? { asked: m.t('consent.dnc'), answer: choices.doNotContact } : {}),
      before: before.doNotContact,
      after: choices.doNotContact,
    });
  }
  const stopSms = choices.sms === 'opted_out' && before.sms?.status !== 'opted_out';
  if (choices.doNotContact === true || stopSms) {
    let reminders = trx
      .updateTable('event_reminder')
      .set({ status: 'cancelled', updated_at: now })
      .where('org_id', '=', orgId)
      .where('person_id', '=', personId)
      .where('status', '=', 'queued');
    if (choices.doNotContact !== true) reminders = reminders.where('channel', '=', 'sms');
    await reminders.execute();
  }
  if (changes.length > 0)
    await trx
      .insertInto('consent_receipt')
      .values({
        org_id: orgId,
        id: newId(),
        person_id: personId,
        link_id: from.kind === 'consent_link' ? from.linkId : null,
        receipt: JSON.stringify(
          from.kind === 'consent_link'
            ? { at: now.toISOString(), where: `consent_link:${from.linkId}`, language: from.locale, changes }
            : {
                at: now.toISOString(),
                where: `${from.source.kind}:${from.source.ref ?? ''}`,
                recorded_by: from.userId,
                ...(from.note ? { note: from.note } : {}),
                changes,
              },
        ),
      })
      .execute();
  return { changed: changes.length };
}

/**
 * Applies a person's choices from their consent link (`applyChoices`, with the link as the
 * source). The person's own choice is honoured even under legal hold (a hold keeps records, it
 * does not oblige anyone to keep writing to a person). Returns what changed.
 */
export async function applyConsentChoices(
  deps: PublicDeps,
  link: OpenLink,
  choices: ConsentChoices,
  locale: Locale,
): Promise<{ changed: number }> {
  const now = deps.now();
  return await deps.db.transaction().execute(async (trx) => {
    const { doNotCall: _notOnThePage, ...asked } = choices;
    const result = await applyChoices(
      trx,
      link.orgId,
      link.personId,
      asked,
      { kind: 'consent_link', linkId: link.linkId, locale },
      now,
    );
    await trx
      .updateTable('consent_link')
      .set({ last_used_at: now })
      .where('org_id', '=', link.orgId)
      .where('id', '=', link.linkId)
      .execute();
    deps.log.info({ link: link.linkId, changed: result.changed }, 'consent link: choices saved');
    return result;
  });
}
