import { z } from 'zod';

export const ACTIVITY_KINDS = ['note', 'one_on_one', 'call', 'door_knock', 'meeting', 'other'] as const;
/** Kinds a timeline can hold: those logged by hand, and those recorded by events (RSVP, attendance). */
export const TIMELINE_KINDS = [
  ...ACTIVITY_KINDS,
  'event_rsvp',
  'event_attendance',
  'form_submission',
  'petition_signature',
] as const;

export const Paging = z.object({
  page: z.coerce.number().int().min(1).default(1),
  per_page: z.coerce.number().int().min(1).max(100).default(50),
});

export const NoteInput = z.object({ body: z.string().trim().min(1).max(20000) }).strict();
export type NoteInput = z.infer<typeof NoteInput>;

export const NoteView = z
  .object({
    id: z.string(),
    person_id: z.string(),
    author_id: z.string().nullable(),
    body: z.string(),
    created_at: z.date(),
    updated_at: z.date(),
  })
  .meta({ id: 'Note' });
export type NoteView = z.infer<typeof NoteView>;

export const ActivityInput = z
  .object({
    kind: z.enum(ACTIVITY_KINDS),
    occurred_at: z.coerce.date().describe('When it happened (ISO 8601)'),
    actor_id: z.uuid().nullable().optional().describe('The user who did it; the caller when left out'),
    outcome: z.string().trim().min(1).max(200).nullable().optional(),
    body: z.string().trim().min(1).max(20000).nullable().optional(),
  })
  .strict();
export type ActivityInput = z.infer<typeof ActivityInput>;

export const ActivityPatch = z
  .object({
    kind: z.enum(ACTIVITY_KINDS).optional(),
    occurred_at: z.coerce.date().optional(),
    actor_id: z.uuid().nullable().optional(),
    outcome: z.string().trim().min(1).max(200).nullable().optional(),
    body: z.string().trim().min(1).max(20000).nullable().optional(),
  })
  .strict();
export type ActivityPatch = z.infer<typeof ActivityPatch>;

export const ActivityView = z
  .object({
    id: z.string(),
    person_id: z.string(),
    kind: z.enum(TIMELINE_KINDS),
    occurred_at: z.date(),
    actor_id: z.string().nullable(),
    outcome: z.string().nullable(),
    body: z.string().nullable(),
    created_at: z.date(),
    updated_at: z.date(),
  })
  .meta({ id: 'Activity' });
export type ActivityView = z.infer<typeof ActivityView>;

export const TimelineEntry = z
  .object({
    type: z.enum(['note', 'activity']),
    id: z.string(),
    at: z.date().describe("A note's created_at, an activity's occurred_at"),
    kind: z.enum(TIMELINE_KINDS).nullable().describe('Activities only'),
    actor_id: z.string().nullable().describe("An activity's actor, a note's author"),
    outcome: z.string().nullable(),
    body: z.string().nullable(),
  })
  .meta({ id: 'TimelineEntry' });
export type TimelineEntry = z.infer<typeof TimelineEntry>;
