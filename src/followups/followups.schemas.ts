import { z } from 'zod';
import { PageQuery } from '../http/paging.js';
import { PersonRef } from '../ladder/index.js';
import { ActivityView } from '../notes/index.js';

const Title = z.string().trim().min(1).max(500);

export const FollowUpInput = z
  .object({
    title: Title,
    due_at: z.coerce.date().describe('When it is due (ISO 8601)'),
    owner_id: z.uuid().optional().describe('The user who owns it; the caller when left out'),
  })
  .strict();
export type FollowUpInput = z.infer<typeof FollowUpInput>;

export const FollowUpPatch = z
  .object({
    title: Title.optional(),
    due_at: z.coerce.date().optional(),
    owner_id: z.uuid().optional(),
    status: z.enum(['open', 'done', 'cancelled']).optional(),
  })
  .strict();
export type FollowUpPatch = z.infer<typeof FollowUpPatch>;

export const FollowUpView = z
  .object({
    id: z.string(),
    person: PersonRef,
    owner_id: z.string().nullable(),
    title: z.string(),
    due_at: z.date(),
    status: z.enum(['open', 'done', 'cancelled']),
    done_at: z.date().nullable(),
    activity_id: z.string().nullable().describe('The one-on-one it came from'),
    created_by: z.string().nullable(),
    created_at: z.date(),
  })
  .meta({ id: 'FollowUp' });
export type FollowUpView = z.infer<typeof FollowUpView>;

export const MineQuery = z.object({
  when: z
    .enum(['open', 'due_soon', 'overdue'])
    .default('open')
    .describe('open: all open; due_soon: due in the next `days` (not overdue); overdue: due before now'),
  days: z.coerce.number().int().min(1).max(90).default(7),
  ...PageQuery,
});
export type MineQuery = z.infer<typeof MineQuery>;

export const OneOnOneInput = z
  .object({
    occurred_at: z.coerce.date().optional().describe('When it happened; now when left out'),
    by: z.uuid().optional().describe('The organizer who held it; the caller when left out'),
    notes: z.string().trim().min(1).max(20000).optional(),
    interests: z.array(z.string().trim().min(1).max(200)).max(50).optional(),
    next_step: z.string().trim().min(1).max(500).optional(),
    follow_up: z
      .object({
        due_at: z.coerce.date(),
        owner_id: z.uuid().optional(),
        title: Title.optional().describe('The next step when left out'),
      })
      .strict()
      .optional()
      .describe('A follow-up task created with it'),
  })
  .strict();
export type OneOnOneInput = z.infer<typeof OneOnOneInput>;

export const OneOnOneView = z
  .object({
    activity: ActivityView,
    interests: z.array(z.string()),
    next_step: z.string().nullable(),
    follow_up: FollowUpView.nullable(),
  })
  .meta({ id: 'OneOnOne' });
export type OneOnOneView = z.infer<typeof OneOnOneView>;

export const PointPersonInput = z.object({ user_id: z.uuid() }).strict();

export const PointPersonView = z
  .object({
    person_id: z.string(),
    user_id: z.string().nullable(),
    display_name: z.string().nullable(),
    assigned_by: z.string().nullable(),
    assigned_at: z.date().nullable(),
  })
  .meta({ id: 'PointPerson' });
export type PointPersonView = z.infer<typeof PointPersonView>;
