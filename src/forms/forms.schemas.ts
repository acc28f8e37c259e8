import { z } from 'zod';
import { PublicSignupFields } from '../signup/index.js';

const Text = (max: number) => z.string().trim().min(1).max(max);
const Key = z
  .string()
  .regex(/^[a-z][a-z0-9_]{0,62}$/, 'lower-case letters, digits and underscores, starting with a letter');

export const QUESTION_TYPES = ['text', 'paragraph', 'single_choice', 'multiple_choice', 'yes_no'] as const;

/** A custom question of a form; its key names the answer. */
export const Question = z
  .object({
    key: Key,
    label: Text(500),
    type: z.enum(QUESTION_TYPES),
    required: z.boolean().default(false),
    choices: z
      .array(z.object({ key: Key, label: Text(200) }).strict())
      .max(50)
      .optional()
      .describe('single_choice and multiple_choice only'),
  })
  .strict()
  .refine((q) => (q.type === 'single_choice' || q.type === 'multiple_choice') === (q.choices !== undefined), {
    path: ['choices'],
    message: 'choice questions have choices; other questions have none',
  })
  .refine((q) => !q.choices || new Set(q.choices.map((c) => c.key)).size === q.choices.length, {
    path: ['choices'],
    message: 'choice keys must differ',
  });
export type Question = z.infer<typeof Question>;

/** Who a petition is addressed to. */
export const Target = z.object({ name: Text(200), title: Text(200).optional() }).strict();
export type Target = z.infer<typeof Target>;

const Questions = z
  .array(Question)
  .max(100)
  .refine((qs) => new Set(qs.map((q) => q.key)).size === qs.length, { message: 'question keys must differ' });

export const FORM_KINDS = ['form', 'petition'] as const;
export const FORM_STATUSES = ['draft', 'open', 'closed'] as const;

export const FormInput = z
  .object({
    unit_id: z.uuid().describe('The unit that owns the form'),
    kind: z.enum(FORM_KINDS).default('form'),
    title: Text(300),
    description: Text(10_000).optional(),
    call_to_action: Text(300).optional(),
    questions: Questions.default([]),
    targets: z.array(Target).max(100).default([]).describe('Petitions: who it is addressed to'),
    petition_text: Text(10_000).optional(),
    status: z.enum(FORM_STATUSES).default('open'),
  })
  .strict()
  .refine((f) => f.kind === 'petition' || (f.targets.length === 0 && f.petition_text === undefined), {
    path: ['targets'],
    message: 'only petitions have targets and a petition text',
  });
export type FormInput = z.infer<typeof FormInput>;

export const FormPatch = z
  .object({
    title: Text(300),
    description: Text(10_000).nullable(),
    call_to_action: Text(300).nullable(),
    questions: Questions,
    targets: z.array(Target).max(100),
    petition_text: Text(10_000).nullable(),
    status: z.enum(FORM_STATUSES),
  })
  .partial()
  .strict();
export type FormPatch = z.infer<typeof FormPatch>;

export const FormView = z.object({
  id: z.uuid(),
  unit_id: z.uuid(),
  kind: z.enum(FORM_KINDS),
  title: z.string(),
  description: z.string().nullable(),
  call_to_action: z.string().nullable(),
  questions: z.array(Question),
  targets: z.array(Target),
  petition_text: z.string().nullable(),
  status: z.enum(FORM_STATUSES),
  total_submissions: z.number().int(),
  created_at: z.date(),
  updated_at: z.date(),
});
export type FormView = z.infer<typeof FormView>;

/** One answer: text, a choice key, several choice keys, or yes/no. */
export const AnswerValue = z.union([
  z.string().max(10_000),
  z.array(z.string().max(100)).max(50),
  z.boolean(),
]);

/** A public submission or signature: the signup fields, the answers, a comment. */
export const PublicSubmissionInput = z
  .object({
    ...PublicSignupFields,
    answers: z.record(z.string(), AnswerValue).default({}),
    comment: Text(2000).optional().describe('Petitions: a comment with the signature'),
  })
  .strict()
  .refine((r) => r.email || r.phone, { path: ['email'], message: 'give an email address or a phone number' });
export type PublicSubmissionInput = z.infer<typeof PublicSubmissionInput>;

export const SubmissionView = z.object({
  id: z.uuid(),
  form_id: z.uuid(),
  person_id: z.uuid(),
  answers: z.record(z.string(), z.unknown()),
  comment: z.string().nullable(),
  source: z.enum(['public', 'osdi', 'organizer']),
  referrer: z.string().nullable(),
  submitted_at: z.date(),
});
export type SubmissionView = z.infer<typeof SubmissionView>;
