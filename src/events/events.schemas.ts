import { z } from 'zod';
import { PublicSignupFields } from '../signup/index.js';

export const EVENT_VISIBILITIES = ['public', 'unit', 'private'] as const;
export const EVENT_STATUSES = ['draft', 'pending_approval', 'published', 'cancelled'] as const;

function isTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

const Text = (max: number) => z.string().trim().min(1).max(max);

const EventFields = {
  title: Text(200),
  description: z.string().trim().max(20000).nullable().optional(),
  starts_at: z.coerce.date().describe('ISO 8601 with an offset'),
  ends_at: z.coerce.date(),
  timezone: z.string().refine(isTimeZone, 'an IANA time zone such as America/New_York'),
  location_name: Text(200).nullable().optional(),
  address_lines: z.array(z.string().trim().min(1).max(300)).max(5).optional(),
  locality: Text(200).nullable().optional(),
  region: Text(100).nullable().optional(),
  postal_code: Text(20).nullable().optional(),
  country: z.string().trim().length(2).nullable().optional(),
  latitude: z.number().min(-90).max(90).nullable().optional(),
  longitude: z.number().min(-180).max(180).nullable().optional(),
  virtual_url: z
    .url({ protocol: /^https?$/ })
    .max(2000)
    .nullable()
    .optional(),
  capacity: z.number().int().min(0).max(1_000_000).nullable().optional(),
  waitlist: z.boolean().optional(),
  visibility: z.enum(EVENT_VISIBILITIES).optional(),
  status: z.enum(EVENT_STATUSES).optional(),
  campaign_id: z.uuid().nullable().optional(),
};

export const EventInput = z
  .object({ ...EventFields, unit_id: z.uuid().describe('The unit that owns the event') })
  .strict()
  .refine((e) => e.ends_at > e.starts_at, { path: ['ends_at'], message: 'must be after starts_at' })
  .refine((e) => (e.latitude == null) === (e.longitude == null), {
    path: ['longitude'],
    message: 'give latitude and longitude together',
  });
export type EventInput = z.infer<typeof EventInput>;

export const EventPatch = z
  .object({ ...EventFields, unit_id: z.uuid() })
  .partial()
  .strict();
export type EventPatch = z.infer<typeof EventPatch>;

export const EventView = z
  .object({
    id: z.string(),
    unit_id: z.string(),
    campaign_id: z.string().nullable(),
    title: z.string(),
    description: z.string().nullable(),
    starts_at: z.date(),
    ends_at: z.date(),
    timezone: z.string(),
    location_name: z.string().nullable(),
    address_lines: z.array(z.string()),
    locality: z.string().nullable(),
    region: z.string().nullable(),
    postal_code: z.string().nullable(),
    country: z.string().nullable(),
    latitude: z.number().nullable(),
    longitude: z.number().nullable(),
    virtual_url: z.string().nullable(),
    capacity: z.number().nullable(),
    waitlist: z.boolean(),
    visibility: z.enum(EVENT_VISIBILITIES),
    status: z.enum(EVENT_STATUSES),
    created_at: z.date(),
    updated_at: z.date(),
  })
  .meta({ id: 'Event' });
export type EventView = z.infer<typeof EventView>;

export const EventQuery = z.object({
  from: z.coerce.date().optional().describe('Events ending at or after this time'),
  to: z.coerce.date().optional().describe('Events starting before this time'),
  status: z.enum(EVENT_STATUSES).optional(),
  campaign_id: z.uuid().optional(),
  page: z.coerce.number().int().min(1).default(1),
  per_page: z.coerce.number().int().min(1).max(100).default(50),
});
export type EventQuery = z.infer<typeof EventQuery>;

export const ShiftInput = z
  .object({
    name: Text(200),
    starts_at: z.coerce.date(),
    ends_at: z.coerce.date(),
    capacity: z.number().int().min(0).nullable().optional(),
  })
  .strict()
  .refine((s) => s.ends_at > s.starts_at, { path: ['ends_at'], message: 'must be after starts_at' });
export type ShiftInput = z.infer<typeof ShiftInput>;

/** A shift's changes: any of its fields (the times are checked together with the stored ones). */
export const ShiftPatch = z
  .object({
    name: Text(200),
    starts_at: z.coerce.date(),
    ends_at: z.coerce.date(),
    capacity: z.number().int().min(0).nullable(),
  })
  .partial()
  .strict()
  .refine((s) => Object.keys(s).length > 0, { message: 'give something to change' })
  .refine((s) => !(s.starts_at && s.ends_at) || s.ends_at > s.starts_at, {
    path: ['ends_at'],
    message: 'must be after starts_at',
  });
export type ShiftPatch = z.infer<typeof ShiftPatch>;

export const ShiftView = z
  .object({
    id: z.string(),
    name: z.string(),
    starts_at: z.date(),
    ends_at: z.date(),
    capacity: z.number().int().nullable(),
  })
  .meta({ id: 'EventShift' });

export const ShiftDeleteQuery = z.object({
  move_to: z.uuid().optional().describe("Another shift of the event to move this shift's RSVPs to"),
});

/** The host: a user by id, or by their sign-in email (organizers need not see the user directory). */
export const HostInput = z
  .object({ user_id: z.uuid().optional(), email: z.email().max(320).optional() })
  .strict()
  .refine((h) => (h.user_id === undefined) !== (h.email === undefined), {
    path: ['user_id'],
    message: 'give user_id or email',
  });

/** What a person gives on the public RSVP form. `website` is a honeypot: people leave it empty. */
export const PublicRsvpInput = z
  .object({
    ...PublicSignupFields,
    shift_id: z.uuid().optional(),
  })
  .strict()
  .refine((r) => r.email || r.phone, { path: ['email'], message: 'give an email address or a phone number' });
export type PublicRsvpInput = z.infer<typeof PublicRsvpInput>;

export const CheckInInput = z
  .object({
    person_id: z.uuid(),
    attendance: z.enum(['attended', 'no_show']),
  })
  .strict();
export type CheckInInput = z.infer<typeof CheckInInput>;

export const WalkInInput = z
  .object({
    given_name: Text(200),
    family_name: Text(200).optional(),
    email: z.string().max(320).optional(),
    phone: z.string().max(40).optional(),
  })
  .strict();
export type WalkInInput = z.infer<typeof WalkInInput>;

export const RsvpView = z
  .object({
    id: z.string(),
    event_id: z.string(),
    person_id: z.string(),
    shift_id: z.string().nullable(),
    status: z.enum(['going', 'waitlisted', 'cancelled']),
    attendance: z.enum(['attended', 'no_show']).nullable(),
    walk_in: z.boolean(),
    checked_in_at: z.date().nullable(),
    source: z.string(),
    referrer: z.string().nullable(),
    created_at: z.date(),
  })
  .meta({ id: 'Rsvp' });
export type RsvpView = z.infer<typeof RsvpView>;
