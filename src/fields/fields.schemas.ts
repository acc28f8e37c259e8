import { z } from 'zod';
import { FIELD_CLASSES } from '../policy/actions.js';

export { FIELD_CLASSES };

export const FIELD_TYPES = ['text', 'number', 'date', 'boolean', 'single_choice', 'multi_choice'] as const;

const Choices = z.array(z.string().trim().min(1).max(100)).min(1).max(200);

/** A new custom field definition. Choices are required for (and only for) the choice types. */
export const FieldInput = z
  .object({
    key: z
      .string()
      .regex(/^[a-z][a-z0-9_]{0,62}$/, 'start with a letter; lower-case letters, digits and _ (at most 63)'),
    label: z.string().trim().min(1).max(200),
    type: z.enum(FIELD_TYPES),
    choices: Choices.optional(),
    field_class: z
      .enum(FIELD_CLASSES)
      .describe(
        'Who may see it: basic, contact, status, restricted (immigration status, health, identity) or financial',
      ),
  })
  .superRefine((value, ctx) => {
    const isChoice = value.type === 'single_choice' || value.type === 'multi_choice';
    if (isChoice && !value.choices)
      ctx.addIssue({ code: 'custom', path: ['choices'], message: 'required for a choice field' });
    if (!isChoice && value.choices)
      ctx.addIssue({ code: 'custom', path: ['choices'], message: 'only choice fields have choices' });
    if (value.choices && new Set(value.choices.map((c) => c.toLowerCase())).size !== value.choices.length)
      ctx.addIssue({ code: 'custom', path: ['choices'], message: 'choices must be distinct' });
  });
export type FieldInput = z.infer<typeof FieldInput>;

/** What may change on a field: never its key or type (stored values depend on them). */
export const FieldPatch = z
  .object({
    label: z.string().trim().min(1).max(200).optional(),
    choices: Choices.optional(),
    field_class: z.enum(FIELD_CLASSES).optional(),
    archived: z
      .boolean()
      .optional()
      .describe('Archive (true) or bring back (false); fields are never deleted'),
  })
  .strict();
export type FieldPatch = z.infer<typeof FieldPatch>;

export const FieldView = z
  .object({
    id: z.string(),
    key: z.string(),
    label: z.string(),
    type: z.enum(FIELD_TYPES),
    choices: z.array(z.string()).nullable(),
    field_class: z.enum(FIELD_CLASSES),
    archived_at: z.date().nullable(),
    created_at: z.date(),
    updated_at: z.date(),
  })
  .meta({ id: 'CustomField' });
export type FieldView = z.infer<typeof FieldView>;
