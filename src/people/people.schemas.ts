import { z } from 'zod';
import { normalizeBirthdate, normalizeEmail, normalizePhone } from './normalize.js';

export const EMAIL_STATUSES = ['subscribed', 'unsubscribed', 'bouncing', 'spam_complaint'] as const;
export const PHONE_TYPES = ['mobile', 'home', 'work', 'other'] as const;

const Text = (max: number) =>
  z
    .string()
    .max(max)
    .transform((s) => s.trim())
    .transform((s) => (s === '' ? undefined : s));

export const EmailInput = z.object({
  address: z.string().transform((raw, ctx) => {
    const address = normalizeEmail(raw);
    if (!address) {
      ctx.addIssue({ code: 'custom', message: 'not a valid email address' });
      return z.NEVER;
    }
    return address;
  }),
  /** Given explicitly only: an import or signup never silently resubscribes someone. */
  status: z.enum(EMAIL_STATUSES).optional(),
  primary: z.boolean().optional(),
});

export const PhoneInput = z.object({
  number: z.string().transform((raw, ctx) => {
    const e164 = normalizePhone(raw);
    if (!e164) {
      ctx.addIssue({ code: 'custom', message: 'not a valid phone number' });
      return z.NEVER;
    }
    return e164;
  }),
  type: z.enum(PHONE_TYPES).optional(),
  sms_capable: z.boolean().optional(),
  do_not_call: z.boolean().optional(),
  primary: z.boolean().optional(),
});

export const AddressInput = z.object({
  lines: z
    .array(
      z
        .string()
        .max(300)
        // Control characters never belong in an address (and \u001f separates lines in bulk writes).
        // biome-ignore lint/suspicious/noControlCharactersInRegex: matching them is the point
        .transform((s) => s.replace(/[\u0000-\u001f]/g, ' ').trim()),
    )
    .max(5)
    .default([])
    .transform((l) => l.filter(Boolean)),
  locality: Text(200).optional(),
  region: Text(100).optional(),
  postal_code: Text(20).optional(),
  country: Text(2).optional(),
  latitude: z.number().min(-90).max(90).optional(),
  longitude: z.number().min(-180).max(180).optional(),
  primary: z.boolean().optional(),
});

/**
 * A person as it arrives on any signup path (REST, OSDI, import, later forms), already
 * normalized: emails lower-cased, phones E.164, dates checked. Arrays merge into an existing
 * record; they never replace it.
 */
export const PersonInput = z.object({
  given_name: Text(200).optional(),
  family_name: Text(200).optional(),
  additional_name: Text(200).optional(),
  pronouns: Text(50).optional(),
  preferred_language: Text(35).optional(),
  birthdate: z
    .string()
    .transform((raw, ctx) => {
      const date = normalizeBirthdate(raw);
      if (!date) {
        ctx.addIssue({ code: 'custom', message: 'not a valid date (YYYY-MM-DD, not in the future)' });
        return z.NEVER;
      }
      return date;
    })
    .optional(),
  emails: z.array(EmailInput).max(50).default([]),
  phones: z.array(PhoneInput).max(50).default([]),
  addresses: z.array(AddressInput).max(20).default([]),
  /** Custom field values by key; validated against the organization's definitions. */
  custom_fields: z.record(z.string(), z.unknown()).default({}),
  /** Tag names; missing tags are created. */
  tags: z.array(z.string().trim().min(1).max(100)).max(100).default([]),
  /** Identifiers in other systems, "system:id", kept exactly as given. */
  identifiers: z
    .array(z.string().regex(/^[^:\s]+:.+$/, 'use the form system:id'))
    .max(50)
    .default([]),
  /** The home unit's path, e.g. "east.oakland". */
  home_unit: z
    .string()
    .regex(/^[a-z0-9_]+(\.[a-z0-9_]+)*$/, 'a unit path like east.oakland')
    .optional(),
});
export type PersonInput = z.infer<typeof PersonInput>;
export type PersonInputRaw = z.input<typeof PersonInput>;

/** Where facts come from, recorded on every email, phone, address and field value. */
export const SOURCE_KINDS = [
  'import',
  'api',
  'user',
  'form',
  'signup',
  'system',
  'merge',
  'partner',
] as const;
export interface Source {
  kind: (typeof SOURCE_KINDS)[number];
  ref: string | null;
  /** 0..1; 1 unless the source says otherwise. */
  confidence?: number;
}

export interface UpsertResult {
  personId: string;
  outcome: 'created' | 'updated';
  /** Existing people this one was kept apart from because a strong identifier conflicts. */
  flaggedWith: string[];
}
