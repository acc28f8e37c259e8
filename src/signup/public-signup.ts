import type { Kysely } from 'kysely';
import { z } from 'zod';
import type { AuditLog } from '../audit/index.js';
import type { Ctx } from '../context.js';
import type { DB } from '../db/schema.js';
import { AppError } from '../errors.js';
import type { Log } from '../log.js';
import { PersonInput, type PersonInputRaw, type Source, upsertPeople } from '../people/index.js';
import { LOCALES, type Locale, messages } from './i18n.js';

/** What the public forms ask (in English), kept with each answer as a receipt. */
export const CONSENT_WORDING = {
  email_updates: messages('en').t('signup.consentEmail'),
  sms_updates: messages('en').t('signup.consentSms'),
} as const;

/** The consent questions as a page in `locale` shows them. */
export function consentWording(locale: Locale): Record<keyof typeof CONSENT_WORDING, string> {
  const m = messages(locale);
  return { email_updates: m.t('signup.consentEmail'), sms_updates: m.t('signup.consentSms') };
}

/** What a public page sends with no login: the person, their consent choices, the trap for bots. */
export const PublicSignupFields = {
  given_name: z.string().trim().min(1).max(200),
  family_name: z.string().trim().min(1).max(200).optional(),
  email: z.string().max(320).optional(),
  phone: z.string().max(40).optional(),
  postal_code: z.string().trim().min(1).max(20).optional(),
  referrer: z
    .string()
    .trim()
    .min(1)
    .max(200)
    .optional()
    .describe('Who or what sent the person (a code, a name, a URL)'),
  consent: z
    .object({
      email_updates: z.boolean().describe(CONSENT_WORDING.email_updates),
      sms_updates: z.boolean().optional().describe(CONSENT_WORDING.sms_updates),
    })
    .strict()
    .describe('The choices the person made on the form'),
  website: z.string().max(500).optional().describe('Leave empty (a trap for bots)'),
  language: z
    .enum(Object.keys(LOCALES) as [Locale, ...Locale[]])
    .optional()
    .describe('The language the consent choices were shown in (the receipt keeps those words)'),
};

/** The signup part of any public form (an RSVP, a form submission, a petition signature). */
export interface PublicSignup {
  given_name: string;
  family_name?: string | undefined;
  email?: string | undefined;
  phone?: string | undefined;
  postal_code?: string | undefined;
  referrer?: string | undefined;
  consent: { email_updates: boolean; sms_updates?: boolean | undefined };
  website?: string | undefined;
  language?: Locale | undefined;
}

/** A bot filled the hidden field: answer as for a person, store nothing. */
export function isHoneypot(input: { website?: string | undefined }): boolean {
  return typeof input.website === 'string' && input.website.trim() !== '';
}

/** Parses a person from form fields; errors name the form's fields (email, not emails.0.address). */
export function parseSignupPerson(raw: PersonInputRaw): PersonInput {
  const parsed = PersonInput.safeParse(raw);
  if (!parsed.success) {
    const fields = parsed.error.issues.map((i) => {
      const field = i.path.map(String).join('.');
      return {
        field: field.startsWith('emails') ? 'email' : field.startsWith('phones') ? 'phone' : field,
        message: i.message,
      };
    });
    throw new AppError('validation_failed', `${fields[0]?.field}: ${fields[0]?.message}`, { fields });
  }
  return parsed.data;
}

/** The person a public form describes: the email is subscribed or not as the person chose. */
export function signupPerson(input: PublicSignup): PersonInput {
  return parseSignupPerson({
    given_name: input.given_name,
    ...(input.family_name ? { family_name: input.family_name } : {}),
    emails: input.email
      ? [{ address: input.email, status: input.consent.email_updates ? 'subscribed' : 'unsubscribed' }]
      : [],
    phones: input.phone ? [{ number: input.phone }] : [],
    addresses: input.postal_code ? [{ postal_code: input.postal_code }] : [],
  });
}

/**
 * The person's answer to "text me" when they gave a number and the form asked: their own choice,
 * recorded like the email box (ticked opts in, left empty opts out); null when there is none.
 */
export function signupTextChoice(input: PublicSignup): 'opted_in' | 'opted_out' | null {
  if (!input.phone || input.consent.sms_updates === undefined) return null;
  return input.consent.sms_updates ? 'opted_in' : 'opted_out';
}

/** The consent receipt: each choice with the words it answered, when and where it was given. */
export function consentReceipt(
  consent: PublicSignup['consent'],
  where: string,
  now: Date,
  language?: Locale,
): Record<string, unknown> {
  const wording = language ? consentWording(language) : CONSENT_WORDING;
  return {
    at: now.toISOString(),
    where,
    ...(language && language !== 'en' ? { language } : {}),
    choices: Object.fromEntries(
      (Object.keys(CONSENT_WORDING) as (keyof typeof CONSENT_WORDING)[])
        .filter((k) => consent[k] !== undefined)
        .map((k) => [k, { asked: wording[k], answer: consent[k] }]),
    ),
  };
}

/** What a public route hands its service: the owner's pool, not a tenant's (no actor yet). */
export interface PublicDeps {
  db: Kysely<DB>;
  now: () => Date;
  log: Log;
  audit: AuditLog;
}

/** The context a public write runs in: the system acting for the organization the URL names. */
export function publicCtx(deps: PublicDeps, db: Kysely<DB>, orgId: string, label: string): Ctx {
  return { db, actor: { kind: 'system', orgId, label }, now: deps.now, log: deps.log, audit: deps.audit };
}

/**
 * Matches or creates the person in the caller's transaction (the signup path: foreign id, email,
 * phone; a new person is homed in `unitPath`) and returns their id. A rejected person is a 400.
 */
export async function upsertSignup(
  ctx: Ctx,
  person: PersonInput,
  source: Source,
  unitPath: string,
  fieldPrefix = '',
): Promise<string> {
  const [outcome] = await upsertPeople(ctx, [person], source, { unitPath });
  if (!outcome || outcome.outcome === 'rejected') {
    const problems = outcome?.outcome === 'rejected' ? outcome.problems : [];
    throw new AppError('validation_failed', `${fieldPrefix}${problems[0]?.field}: ${problems[0]?.message}`, {
      fields: problems,
    });
  }
  return outcome.personId;
}
