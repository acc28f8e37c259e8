import { z } from 'zod';
import type { ProjectedPerson } from '../access/people-access.js';
import type { PersonInputRaw } from '../people/index.js';
import { compact } from './osdi.hal.js';

/** OSDI spells statuses with spaces and has "previous" variants; Rhizome keeps the four that matter. */
const STATUS_IN: Record<string, 'subscribed' | 'unsubscribed' | 'bouncing' | 'spam_complaint'> = {
  subscribed: 'subscribed',
  unsubscribed: 'unsubscribed',
  bouncing: 'bouncing',
  'previous bounce': 'bouncing',
  'spam complaint': 'spam_complaint',
  'previous spam complaint': 'spam_complaint',
};
const STATUS_OUT = {
  subscribed: 'subscribed',
  unsubscribed: 'unsubscribed',
  bouncing: 'bouncing',
  spam_complaint: 'spam complaint',
} as const;
const PHONE_TYPES_OUT = { mobile: 'Mobile', home: 'Home', work: 'Work', other: 'Other' } as const;

const looseString = z.union([z.string(), z.number()]).transform(String);

/** A person as OSDI clients send one (people POST/PUT, the signup helper): unknown members ignored. */
export const OsdiPerson = z
  .object({
    identifiers: z.array(z.string()).optional(),
    given_name: z.string().optional(),
    family_name: z.string().optional(),
    additional_name: z.string().optional(),
    preferred_language: z.string().optional(),
    languages_spoken: z.array(z.string()).optional(),
    birthdate: z
      .object({
        year: z.coerce.number().int().optional(),
        month: z.coerce.number().int().optional(),
        day: z.coerce.number().int().optional(),
      })
      .optional(),
    email_addresses: z
      .array(
        z
          .object({ address: z.string(), primary: z.boolean().optional(), status: z.string().optional() })
          .passthrough(),
      )
      .optional(),
    phone_numbers: z
      .array(
        z
          .object({
            number: looseString,
            primary: z.boolean().optional(),
            number_type: z.string().optional(),
            sms_capable: z.boolean().optional(),
            do_not_call: z.boolean().optional(),
          })
          .passthrough(),
      )
      .optional(),
    postal_addresses: z
      .array(
        z
          .object({
            primary: z.boolean().optional(),
            address_lines: z.array(z.string()).optional(),
            locality: z.string().optional(),
            region: z.string().optional(),
            postal_code: looseString.optional(),
            country: z.string().optional(),
            location: z
              .object({ latitude: z.number().optional(), longitude: z.number().optional() })
              .passthrough()
              .optional(),
          })
          .passthrough(),
      )
      .optional(),
    custom_fields: z.record(z.string(), z.unknown()).optional(),
  })
  .passthrough();
export type OsdiPerson = z.infer<typeof OsdiPerson>;

/** An OSDI person as Rhizome's signup input. Identifiers in our own namespace are not stored again. */
export function fromOsdi(person: OsdiPerson, namespace: string): PersonInputRaw {
  const b = person.birthdate;
  const pad = (n: number) => String(n).padStart(2, '0');
  const status = (s: string | undefined) => (s ? STATUS_IN[s.toLowerCase()] : undefined);
  const input: PersonInputRaw = {
    given_name: person.given_name,
    family_name: person.family_name,
    additional_name: person.additional_name,
    preferred_language: person.preferred_language ?? person.languages_spoken?.[0],
    birthdate: b?.year && b.month && b.day ? `${b.year}-${pad(b.month)}-${pad(b.day)}` : undefined,
    identifiers: (person.identifiers ?? []).filter((i) => !i.startsWith(`${namespace}:`)),
    emails: (person.email_addresses ?? []).map((e) =>
      compact({ address: e.address, primary: e.primary, status: status(e.status) }),
    ) as PersonInputRaw['emails'],
    phones: (person.phone_numbers ?? []).map((p) => {
      const type = p.number_type?.toLowerCase();
      return compact({
        // OSDI examples write numbers as digits with the country code and no plus.
        number: /^\d{11,15}$/.test(p.number) ? `+${p.number}` : p.number,
        primary: p.primary,
        type: type === 'mobile' || type === 'home' || type === 'work' ? type : undefined,
        sms_capable: p.sms_capable,
        do_not_call: p.do_not_call,
      });
    }) as PersonInputRaw['phones'],
    addresses: (person.postal_addresses ?? []).map((a) =>
      compact({
        lines: a.address_lines ?? [],
        locality: a.locality,
        region: a.region,
        postal_code: a.postal_code,
        country: a.country && a.country.length === 2 ? a.country.toUpperCase() : undefined,
        latitude: a.location?.latitude,
        longitude: a.location?.longitude,
        primary: a.primary,
      }),
    ) as PersonInputRaw['addresses'],
    custom_fields: person.custom_fields ?? {},
  };
  return compact(input as Record<string, unknown>) as PersonInputRaw;
}

/** A Rhizome person in OSDI's shape; values we do not have are left out, never null. */
export function toOsdi(person: ProjectedPerson, base: string, namespace: string): Record<string, unknown> {
  const self = `${base}/people/${person.id}`;
  const [year, month, day] = (person.birthdate ?? '').split('-').map(Number);
  // Only what the reader may see, and nothing masked: an OSDI client would store a masked address
  // as the real one. Absent fields are omitted, never null (OSDI reads null as "delete").
  const emails = (person.emails ?? []).filter((e) => e.address !== undefined);
  const phones = (person.phones ?? []).filter((p) => p.number !== undefined);
  return compact({
    identifiers: [`${namespace}:${person.id}`, ...(person.identifiers ?? [])],
    origin_system: 'Rhizome',
    created_date: person.created_at?.toISOString(),
    modified_date: person.updated_at?.toISOString(),
    given_name: person.given_name,
    family_name: person.family_name,
    additional_name: person.additional_name,
    birthdate: person.birthdate ? { year, month, day } : null,
    preferred_language: person.preferred_language,
    languages_spoken: person.preferred_language ? [person.preferred_language] : null,
    email_addresses:
      person.emails === undefined
        ? null
        : emails.map((e) =>
            compact({
              primary: e.primary,
              address: e.address,
              status: e.status ? STATUS_OUT[e.status] : null,
            }),
          ),
    phone_numbers:
      person.phones === undefined
        ? null
        : phones.map((p) =>
            compact({
              primary: p.primary,
              number: (p.number as string).replace(/^\+/, ''),
              number_type: p.type ? PHONE_TYPES_OUT[p.type] : null,
              sms_capable: p.sms_capable,
              do_not_call: p.do_not_call,
            }),
          ),
    postal_addresses: person.addresses?.map((a) =>
      compact({
        primary: a.primary,
        address_lines: a.lines,
        locality: a.locality,
        region: a.region,
        postal_code: a.postal_code,
        country: a.country,
        location:
          a.latitude !== null && a.latitude !== undefined && a.longitude !== null && a.longitude !== undefined
            ? { latitude: a.latitude, longitude: a.longitude }
            : null,
      }),
    ),
    custom_fields:
      person.custom_fields && Object.keys(person.custom_fields).length > 0 ? person.custom_fields : null,
    _links: {
      self: { href: self },
      'osdi:taggings': { href: `${self}/taggings` },
      'osdi:items': { href: `${self}/items` },
    },
  });
}
