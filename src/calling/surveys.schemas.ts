import { z } from 'zod';

export const QUESTION_TYPES = ['single_choice', 'multiple_choice', 'text', 'number', 'yes_no'] as const;

const Key = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,62}$/, 'lower-case letters, digits and _ (like will_volunteer)');

export const Choice = z.object({
  key: z.string().regex(/^[A-Za-z0-9_-]{1,40}$/, 'letters, digits, _ or - (like Y)'),
  label: z.string().trim().min(1).max(200),
});

export const QuestionInput = z
  .object({
    key: Key.describe('Stable: answers name the question by it'),
    prompt: z.string().trim().min(1).max(2000),
    type: z.enum(QUESTION_TYPES),
    choices: z.array(Choice).max(50).default([]).describe('For single_choice and multiple_choice'),
  })
  .strict()
  .superRefine((q, ctx) => {
    const choosing = q.type === 'single_choice' || q.type === 'multiple_choice';
    if (choosing && q.choices.length < 2)
      ctx.addIssue({ code: 'custom', path: ['choices'], message: 'give at least two choices' });
    if (!choosing && q.choices.length > 0)
      ctx.addIssue({ code: 'custom', path: ['choices'], message: `a ${q.type} question has no choices` });
    const keys = q.choices.map((c) => c.key);
    if (new Set(keys).size !== keys.length)
      ctx.addIssue({ code: 'custom', path: ['choices'], message: 'choice keys must differ' });
  });
export type QuestionInput = z.input<typeof QuestionInput>;

export const SurveyInput = z
  .object({
    name: z.string().trim().min(1).max(200),
    description: z.string().trim().max(5000).nullable().optional(),
    questions: z.array(QuestionInput).max(100).default([]),
  })
  .strict()
  .superRefine((s, ctx) => {
    const keys = s.questions.map((q) => q.key);
    keys.forEach((key, i) => {
      if (keys.indexOf(key) !== i)
        ctx.addIssue({ code: 'custom', path: ['questions', i, 'key'], message: 'question keys must differ' });
    });
  });
export type SurveyInput = z.input<typeof SurveyInput>;

export const SurveyPatch = z
  .object({
    name: z.string().trim().min(1).max(200).optional(),
    description: z.string().trim().max(5000).nullable().optional(),
  })
  .strict();

/** One answer: the question by key; the value's shape follows the question's type. */
export const AnswerInput = z.object({
  question: Key,
  value: z.union([z.string().max(5000), z.number(), z.boolean(), z.array(z.string().max(40)).max(50)]),
});
export type AnswerInput = z.infer<typeof AnswerInput>;

export const AnswersInput = z
  .object({
    survey_id: z.uuid(),
    answers: z.array(AnswerInput).min(1).max(100),
    asked_at: z.coerce.date().optional().describe('When they answered; now when left out'),
    via: z.enum(['door', 'direct']).default('direct'),
    activity_id: z.uuid().optional().describe("The door knock (or other contact) on the person's timeline"),
  })
  .strict();
export type AnswersInput = z.input<typeof AnswersInput>;

export const QuestionView = z
  .object({
    id: z.string(),
    survey_id: z.string(),
    key: z.string(),
    position: z.number(),
    prompt: z.string(),
    type: z.enum(QUESTION_TYPES),
    choices: z.array(Choice),
    created_at: z.date(),
    updated_at: z.date(),
  })
  .meta({ id: 'SurveyQuestion' });
export type QuestionView = z.infer<typeof QuestionView>;

export const SurveyView = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    questions: z.array(QuestionView),
    created_at: z.date(),
    updated_at: z.date(),
  })
  .meta({ id: 'Survey' });
export type SurveyView = z.infer<typeof SurveyView>;

export const AnswerView = z
  .object({
    id: z.string(),
    person_id: z.string(),
    survey_id: z.string(),
    question_id: z.string(),
    question: z.string().describe("The question's key"),
    value: z.unknown(),
    asked_by: z.string().nullable(),
    asked_at: z.date(),
    via: z.enum(['call', 'door', 'direct']),
    activity_id: z.string().nullable().describe('The call or door knock on the timeline'),
    call_list_id: z.string().nullable(),
    created_at: z.date(),
  })
  .meta({ id: 'SurveyAnswer' });
export type AnswerView = z.infer<typeof AnswerView>;
