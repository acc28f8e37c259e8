import { z } from 'zod';
import { ACTIONS, FIELD_CLASSES } from '../policy/index.js';

/** Wire contracts of the access routes (the OpenAPI document reads them). */

export const RoleSchema = z
  .object({
    id: z.string(),
    key: z.string(),
    name: z.string(),
    actions: z.array(z.string()),
    field_classes: z.array(z.string()),
    builtin: z.boolean(),
  })
  .meta({ id: 'Role' });

export const BindingSchema = z
  .object({
    binding_id: z.string(),
    user_id: z.string(),
    role: z.string(),
    unit: z.string().nullable().describe('Unit path, or null for the whole organization'),
    expires_at: z.date().nullable(),
    created_at: z.date(),
  })
  .meta({ id: 'RoleBinding' });

export const AssignmentSchema = z
  .object({
    id: z.string(),
    user_id: z.string(),
    target_kind: z.string(),
    target_id: z.string(),
    actions: z.array(z.string()),
    field_classes: z.array(z.string()),
    fields: z.array(z.string()),
    expires_at: z.date().nullable(),
    created_at: z.date(),
  })
  .meta({ id: 'Assignment' });

export const UserFilter = z.object({ user: z.uuid().optional().describe('Only this user’s') });

export const ExplainQuery = z.object({
  user: z
    .string()
    .trim()
    .min(1)
    .max(254)
    .optional()
    .describe('A user id or email (default: yourself); another user needs access.manage'),
  person: z.uuid().optional().describe('The person the question is about'),
  field: z
    .string()
    .max(200)
    .optional()
    .describe('A field: a built-in one (like emails) or custom_fields.KEY'),
  action: z.enum(ACTIONS).optional().describe('Default: people.read'),
});

const Reason = z.object({
  kind: z.enum(['grant', 'scope', 'field', 'deny', 'none']),
  message: z.string(),
  grant: z.string().optional(),
  via: z.enum(['binding', 'assignment']).optional(),
  field: z.string().optional(),
  fieldClass: z.enum(FIELD_CLASSES).optional(),
  rule: z.string().optional(),
});

export const ExplanationSchema = z
  .object({
    allowed: z.boolean(),
    reasons: z.array(Reason).describe('The chain that led to the answer'),
    user: z.object({ id: z.string(), email: z.string() }),
    action: z.string(),
    person: z.string().nullable(),
    field: z.object({ name: z.string(), class: z.enum(FIELD_CLASSES) }).nullable(),
    grants: z.array(
      z.object({
        id: z.string(),
        via: z.enum(['binding', 'assignment']),
        description: z.string(),
        expires_at: z.date().nullable(),
      }),
    ),
  })
  .meta({ id: 'AccessExplanation' });

const PreviewPerson = z.object({
  id: z.string(),
  given_name: z.string().nullable(),
  family_name: z.string().nullable(),
});
const PreviewChange = z.object({
  count: z.number().int(),
  sample: z.array(PreviewPerson).describe('Up to five, among the people you may read yourself'),
});
const BeforeAfter = <T extends z.ZodType>(item: T) =>
  z.object({ before: z.array(item), after: z.array(item) });

export const PreviewSchema = z
  .object({
    user: z.object({ id: z.string(), email: z.string() }),
    add: z.string().nullable(),
    remove: z.string().nullable(),
    people: z.object({
      before: z.number().int(),
      after: z.number().int(),
      by_unit: z.array(
        z.object({
          unit: z.string().nullable().describe('Top-level unit path; null: people with no home unit'),
          name: z.string().nullable(),
          before: z.number().int(),
          after: z.number().int(),
        }),
      ),
      gained: PreviewChange,
      lost: PreviewChange,
    }),
    field_classes: BeforeAfter(z.enum(FIELD_CLASSES)),
    fields: BeforeAfter(z.string()),
    actions: BeforeAfter(z.enum(ACTIONS)),
  })
  .meta({ id: 'AccessPreview' });

export const RolePreviewSchema = z
  .object({
    role: z.string(),
    actions: z.array(z.enum(ACTIONS)).describe('The role’s actions after the change'),
    field_classes: z.array(z.enum(FIELD_CLASSES)).describe('The role’s field classes after the change'),
    users: z
      .array(PreviewSchema.omit({ add: true, remove: true }))
      .describe('Up to twenty holders of the role (by email), each with what they would gain and lose'),
    total_users: z.number().int().describe('Everyone with a live binding of the role'),
  })
  .meta({ id: 'RoleChangePreview' });
