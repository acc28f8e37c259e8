import { z } from 'zod';
import { FIELD_CLASSES, isPersonField } from '../policy/index.js';
import { AnswerInput, SurveyView } from './surveys.schemas.js';

/** What a caller may record; `skipped` is set by the queue itself (a person no longer callable). */
export const CALL_OUTCOMES = [
  'reached',
  'no_answer',
  'left_message',
  'busy',
  'wrong_number',
  'refused',
  'do_not_call',
] as const;
export type CallOutcomeInput = (typeof CALL_OUTCOMES)[number];
/** Outcomes after which the person goes back to the queue (until the list's max_attempts). */
export const RETRY_OUTCOMES: ReadonlySet<string> = new Set(['no_answer', 'left_message', 'busy']);

const FieldName = z
  .string()
  .refine((f) => isPersonField(f) || /^custom_fields\.[a-z][a-z0-9_]*$/.test(f), 'a field name');

export const CallListInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    script: z.string().trim().max(20000).nullable().optional(),
    survey_id: z.uuid().nullable().optional(),
    list_id: z.uuid().optional().describe('Call the people of this list (a copy: the list may change)'),
    saved_search_id: z.uuid().optional().describe('...or the people this saved search finds now'),
    person_ids: z.array(z.uuid()).min(1).max(10000).optional().describe('...or these people'),
    field_classes: z
      .array(z.enum(FIELD_CLASSES))
      .default([])
      .describe("Field classes the callers' assignment gives (none: first name only)"),
    fields: z.array(FieldName).default(['given_name']).describe('Single fields on top of the classes'),
    claim_minutes: z.number().int().min(1).max(1440).default(15).describe('How long a caller holds a person'),
    max_attempts: z.number().int().min(1).max(20).default(3),
  })
  .strict()
  .superRefine((v, ctx) => {
    const sources = [v.list_id, v.saved_search_id, v.person_ids].filter((s) => s !== undefined).length;
    if (sources !== 1)
      ctx.addIssue({
        code: 'custom',
        path: ['list_id'],
        message: 'give exactly one of list_id, saved_search_id or person_ids',
      });
  });
export type CallListInput = z.input<typeof CallListInput>;

export const CallerInput = z.object({ user_id: z.uuid() }).strict();

export const CallInput = z
  .object({
    target_id: z.uuid().describe('From POST .../next'),
    outcome: z.enum(CALL_OUTCOMES),
    phone_id: z
      .uuid()
      .optional()
      .describe('The number called (do_not_call marks it); the first callable one when left out'),
    note: z.string().trim().min(1).max(20000).optional(),
    answers: z.array(AnswerInput).max(100).default([]),
  })
  .strict();
export type CallInput = z.input<typeof CallInput>;

export const Progress = z
  .object({
    total: z.number(),
    done: z.number(),
    pending: z.number(),
    in_progress: z.number().describe('Pending people a caller holds right now'),
    by_outcome: z.record(z.string(), z.number()),
  })
  .meta({ id: 'CallListProgress' });
export type Progress = z.infer<typeof Progress>;

export const CallListView = z
  .object({
    id: z.string(),
    name: z.string(),
    script: z.string().nullable(),
    survey_id: z.string().nullable(),
    list_id: z.string(),
    field_classes: z.array(z.string()),
    fields: z.array(z.string()),
    claim_seconds: z.number(),
    max_attempts: z.number(),
    status: z.enum(['open', 'closed']),
    callers: z.array(z.object({ user_id: z.string(), assignment_id: z.string().nullable() })),
    progress: Progress,
    created_at: z.date(),
    updated_at: z.date(),
  })
  .meta({ id: 'CallList' });
export type CallListView = z.infer<typeof CallListView>;

export const TargetView = z.object({
  id: z.string(),
  person_id: z.string(),
  status: z.enum(['pending', 'done']),
  attempts: z.number(),
  last_outcome: z.string().nullable(),
  claimed_until: z.date().nullable(),
});
export type TargetView = z.infer<typeof TargetView>;

export const NextView = z
  .object({
    target: TargetView.nullable().describe('null: nobody left to call right now'),
    person: z.record(z.string(), z.unknown()).nullable().describe('As the caller may see them'),
    script: z.string().nullable(),
    survey: SurveyView.nullable(),
    progress: Progress,
  })
  .meta({ id: 'CallListNext' });
