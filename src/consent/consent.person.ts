import { sql } from 'kysely';
import { z } from 'zod';
import { assertFieldsWritable, maskEmail, maskPhone, requirePerson } from '../access/index.js';
import { auditPeopleRead } from '../audit/index.js';
import { actorSource, actorUserId, type Ctx } from '../context.js';
import { AppError, invalid } from '../errors.js';
import {
  accessOf,
  decide,
  fieldVisible,
  PERSON_FIELDS,
  type PersonField,
  visibleFields,
} from '../policy/index.js';
import {
  applyChoices,
  type ConsentChoices,
  type EmailStatus,
  personChoices,
  type SmsChoice,
} from './consent.service.js';

/** The status fields a person's consent is made of (all of class `status`). */
const CONSENT_FIELDS = ['email_status', 'phone_flags', 'do_not_contact'] as const satisfies PersonField[];

const note = z
  .string()
  .trim()
  .min(1)
  .max(500)
  .optional()
  .describe('How the person told us, in the user’s words (“she asked us on the phone not to text her”)');

/**
 * An opt-out a user records for a person: one channel at a time. Only withdrawals: consent to be
 * emailed or texted must come from the person (a signup form, their consent link), never from a
 * user on their behalf.
 */
export const OptOutInput = z.discriminatedUnion('channel', [
  z
    .object({
      channel: z.literal('email'),
      email_id: z.uuid().describe('The address to stop emailing'),
      note,
    })
    .strict(),
  z.object({ channel: z.literal('sms'), note }).strict(),
  z
    .object({
      channel: z.literal('call'),
      phone_id: z.uuid().describe('The number to mark do-not-call'),
      note,
    })
    .strict(),
  z
    .object({ channel: z.literal('all'), note })
    .strict()
    .describe('Do not contact at all: no email, texts or calls'),
]);
export type OptOutInput = z.infer<typeof OptOutInput>;

export type ChangeChoice = 'email' | 'sms' | 'do_not_call' | 'do_not_contact';

/** One change in a receipt: what it was about (a masked address or number), before and after. */
export interface ConsentChangeView {
  choice: ChangeChoice;
  target: string | null;
  before: string | boolean | null;
  after: string | boolean | null;
}

/** When and how a choice was given or withdrawn, newest first. */
export interface ConsentReceiptView {
  id: string;
  at: Date;
  /**
   * `consent_link`: the person on their own page; `user` / `api` / `system`: someone recording it
   * for them (`recorded_by`); `event` / `form` / `petition`: what the person ticked on a signup.
   */
  source: { kind: string; ref: string | null };
  recorded_by: { id: string; name: string } | null;
  note: string | null;
  language: string | null;
  changes: ConsentChangeView[];
}

/** A person's consent as a user may see it: states always, addresses and numbers as their grants allow. */
export interface PersonConsentView {
  person_id: string;
  do_not_contact: boolean;
  emails: { id: string; primary: boolean; address?: string; address_masked?: string; status: EmailStatus }[];
  phones: {
    id: string;
    primary: boolean;
    number?: string;
    number_masked?: string;
    sms_capable: boolean;
    do_not_call: boolean;
  }[];
  sms: { status: SmsChoice; changed_at: Date; source: { kind: string; ref: string | null } } | null;
  history: ConsentReceiptView[];
  /** Whether this user may record an opt-out for the person (people.write and the status class). */
  can_record_opt_out: boolean;
}

const HISTORY_LIMIT = 100;

type Json = Record<string, unknown>;
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const choiceValue = (v: unknown): string | boolean | null =>
  typeof v === 'string' || typeof v === 'boolean' ? v : null;
const CHOICES = new Set<string>(['email', 'sms', 'do_not_call', 'do_not_contact']);

/** A consent page's or a user's receipt (consent_receipt.receipt) as history. */
function fromReceipt(id: string, createdAt: Date, r: Json, names: Map<string, string>): ConsentReceiptView {
  const where = str(r.where) ?? '';
  const colon = where.indexOf(':');
  const recordedBy = str(r.recorded_by);
  const changes = Array.isArray(r.changes) ? (r.changes as Json[]) : [];
  return {
    id,
    at: str(r.at) ? new Date(r.at as string) : createdAt,
    source:
      colon < 0
        ? { kind: where, ref: null }
        : { kind: where.slice(0, colon), ref: where.slice(colon + 1) || null },
    recorded_by: recordedBy ? { id: recordedBy, name: names.get(recordedBy) ?? '' } : null,
    note: str(r.note),
    language: str(r.language),
    changes: changes
      .filter((c) => CHOICES.has(String(c.choice)))
      .map((c) => ({
        choice: c.choice as ChangeChoice,
        target: str(c.address) ?? str(c.number),
        before: choiceValue(c.before),
        after: choiceValue(c.after),
      })),
  };
}

/** What a person ticked on a signup (an RSVP's or a submission's consent receipt) as history. */
function fromSignup(id: string, createdAt: Date, r: Json): ConsentReceiptView | null {
  const choices = (r.choices ?? {}) as Record<string, { answer?: unknown }>;
  const changes: ConsentChangeView[] = [];
  const email = choices.email_updates?.answer;
  if (typeof email === 'boolean')
    changes.push({
      choice: 'email',
      target: null,
      before: null,
      after: email ? 'subscribed' : 'unsubscribed',
    });
  const sms = choices.sms_updates?.answer;
  if (typeof sms === 'boolean')
    changes.push({ choice: 'sms', target: null, before: null, after: sms ? 'opted_in' : 'opted_out' });
  if (changes.length === 0) return null;
  const where = str(r.where) ?? 'signup';
  const colon = where.indexOf(':');
  return {
    id,
    at: str(r.at) ? new Date(r.at as string) : createdAt,
    source:
      colon < 0 ? { kind: where, ref: null } : { kind: where.slice(0, colon), ref: where.slice(colon + 1) },
    recorded_by: null,
    note: null,
    language: str(r.language),
    changes,
  };
}

/**
 * A person's consent for the person page: each channel's current state and its history (the
 * consent page's and users' receipts, and what the person ticked on signups). Scoped like the
 * person read (404 out of reach); the states are status fields (403 without the status class);
 * addresses and numbers show only to users who may read contact fields (masked otherwise), and
 * reading them is audited as the person read is.
 */
export async function personConsent(ctx: Ctx, personId: string): Promise<PersonConsentView> {
  const facts = await requirePerson(ctx, personId, 'people.read');
  const access = accessOf(ctx.actor);
  for (const field of CONSENT_FIELDS) {
    const decision = decide(access, 'people.read', facts, { name: field, fieldClass: PERSON_FIELDS[field] });
    if (!decision.allowed)
      throw new AppError('forbidden', decision.reasons.at(-1)?.message ?? 'you may not see this', {
        internal: field,
      });
  }
  const grant = visibleFields(access, facts);
  const seeEmails = fieldVisible(grant, 'emails');
  const seePhones = fieldVisible(grant, 'phones');
  const orgId = ctx.actor.orgId;
  const [choices, receipts, rsvps, submissions] = await Promise.all([
    personChoices(ctx.db, orgId, personId),
    ctx.db
      .selectFrom('consent_receipt')
      .select(['id', 'receipt', 'created_at'])
      .where('org_id', '=', orgId)
      .where('person_id', '=', personId)
      .orderBy('created_at', 'desc')
      .orderBy('id', 'desc')
      .limit(HISTORY_LIMIT)
      .execute(),
    ctx.db
      .selectFrom('event_rsvp')
      .select(['id', 'consent', 'created_at'])
      .where('org_id', '=', orgId)
      .where('person_id', '=', personId)
      .where(sql<boolean>`consent <> '{}'::jsonb`)
      .orderBy('created_at', 'desc')
      .limit(HISTORY_LIMIT)
      .execute(),
    ctx.db
      .selectFrom('form_submission')
      .select(['id', 'consent', 'submitted_at as created_at'])
      .where('org_id', '=', orgId)
      .where('person_id', '=', personId)
      .where(sql<boolean>`consent <> '{}'::jsonb`)
      .orderBy('submitted_at', 'desc')
      .limit(HISTORY_LIMIT)
      .execute(),
  ]);
  const userIds = [
    ...new Set(
      receipts.map((r) => str((r.receipt as Json).recorded_by)).filter((v): v is string => v !== null),
    ),
  ];
  const users =
    userIds.length === 0
      ? []
      : await ctx.db
          .selectFrom('app_user')
          .select(['id', 'display_name', 'email'])
          .where('org_id', '=', orgId)
          .where('id', 'in', userIds)
          .execute();
  const names = new Map(users.map((u) => [u.id, u.display_name ?? u.email]));
  const history = [
    ...receipts.map((r) => fromReceipt(r.id, r.created_at, r.receipt as Json, names)),
    ...[...rsvps, ...submissions].flatMap((r) => fromSignup(r.id, r.created_at, r.consent as Json) ?? []),
  ]
    .sort((a, b) => b.at.getTime() - a.at.getTime() || (a.id < b.id ? 1 : -1))
    .slice(0, HISTORY_LIMIT);

  const audited = [...(seeEmails ? ['emails'] : []), ...(seePhones ? ['phones'] : [])];
  auditPeopleRead(ctx, [personId], audited, ctx.purpose);

  // A withdrawal is recorded even under legal hold (see recordOptOut).
  const judged = { ...facts, legalHold: false };
  const writable =
    decide(access, 'people.write', judged).allowed &&
    CONSENT_FIELDS.every(
      (field) =>
        decide(access, 'people.write', judged, { name: field, fieldClass: PERSON_FIELDS[field] }).allowed,
    );
  return {
    person_id: personId,
    do_not_contact: choices.doNotContact,
    emails: choices.emails.map((e) => ({
      id: e.id,
      primary: e.primary,
      ...(seeEmails ? { address: e.address } : { address_masked: maskEmail(e.address) }),
      status: e.status,
    })),
    phones: choices.phones.map((p) => ({
      id: p.id,
      primary: p.primary,
      ...(seePhones ? { number: p.number } : { number_masked: maskPhone(p.number) }),
      sms_capable: p.smsCapable,
      do_not_call: p.doNotCall,
    })),
    sms: choices.sms
      ? {
          status: choices.sms.status,
          changed_at: choices.sms.changedAt,
          source: { kind: choices.sms.sourceKind, ref: choices.sms.sourceRef },
        }
      : null,
    history,
    can_record_opt_out: writable,
  };
}

/**
 * Records an opt-out the person asked a user for ("she asked us on the phone not to text her"):
 * the same change and receipt as the person's own consent page (`applyChoices`), with the acting
 * user as its source. Needs what changing status fields needs: `people.write` over the person
 * and the status class. Legal hold does not refuse it, unlike other writes: a withdrawal destroys
 * nothing (the receipt is added to the record), and the person's own consent page works under a
 * hold too; a hold keeps records, it must not keep us contacting someone who asked us to stop.
 * Recording an opt-out that is already in place changes nothing and writes no receipt.
 */
export async function recordOptOut(
  ctx: Ctx,
  personId: string,
  raw: OptOutInput,
): Promise<{ changed: number; consent: PersonConsentView }> {
  const input = OptOutInput.parse(raw);
  const facts = await requirePerson(ctx, personId, 'people.write', { despiteLegalHold: true });
  const field: PersonField =
    input.channel === 'email' ? 'email_status' : input.channel === 'all' ? 'do_not_contact' : 'phone_flags';
  await assertFieldsWritable(ctx, facts, [{ name: field, fieldClass: PERSON_FIELDS[field] }]);
  const orgId = ctx.actor.orgId;
  const now = ctx.now();
  const result = await ctx.db.transaction().execute(async (trx) => {
    const current = await personChoices(trx, orgId, personId);
    const choices: ConsentChoices = { emails: {} };
    if (input.channel === 'email') {
      const email = current.emails.find((e) => e.id === input.email_id);
      if (!email) throw invalid('email_id', 'is not an email address of this person');
      // A spam complaint already stops all email to it, and says more than an unsubscribe.
      if (email.status !== 'spam_complaint') choices.emails[input.email_id] = 'unsubscribed';
    } else if (input.channel === 'call') {
      if (!current.phones.some((p) => p.id === input.phone_id))
        throw invalid('phone_id', 'is not a phone number of this person');
      choices.doNotCall = [input.phone_id];
    } else if (input.channel === 'sms') choices.sms = 'opted_out';
    else choices.doNotContact = true;
    return await applyChoices(
      trx,
      orgId,
      personId,
      choices,
      {
        kind: 'user',
        source: actorSource(ctx.actor),
        userId: actorUserId(ctx.actor),
        note: input.note ?? null,
      },
      now,
    );
  });
  ctx.log.info(
    { person: personId, channel: input.channel, changed: result.changed },
    'consent: opt-out recorded',
  );
  return { changed: result.changed, consent: await personConsent(ctx, personId) };
}
