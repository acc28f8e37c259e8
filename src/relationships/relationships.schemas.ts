import { z } from 'zod';

export const RELATIONSHIP_KINDS = ['recruited_by', 'household', 'works_with', 'custom'] as const;

/**
 * A relationship from the person in the path to another: "this person was recruited_by
 * related_person_id". `custom` needs a label; the other kinds take none.
 */
export const RelationshipInput = z
  .object({
    related_person_id: z.uuid(),
    kind: z.enum(RELATIONSHIP_KINDS),
    custom_label: z.string().trim().min(1).max(100).optional(),
  })
  .strict()
  .superRefine((value, ctx) => {
    if (value.kind === 'custom' && !value.custom_label)
      ctx.addIssue({ code: 'custom', path: ['custom_label'], message: 'required for a custom relationship' });
    if (value.kind !== 'custom' && value.custom_label)
      ctx.addIssue({
        code: 'custom',
        path: ['custom_label'],
        message: 'only custom relationships have a label',
      });
  });
export type RelationshipInput = z.infer<typeof RelationshipInput>;

export const RelationshipView = z
  .object({
    id: z.string(),
    person_id: z.string(),
    related_person_id: z.string(),
    kind: z.enum(RELATIONSHIP_KINDS),
    custom_label: z.string().nullable(),
    direction: z
      .enum(['outgoing', 'incoming'])
      .describe('outgoing: this person is person_id; incoming: this person is related_person_id'),
    other: z.object({
      id: z.string(),
      given_name: z.string().nullable(),
      family_name: z.string().nullable(),
    }),
    created_at: z.date(),
  })
  .meta({ id: 'Relationship' });
export type RelationshipView = z.infer<typeof RelationshipView>;
