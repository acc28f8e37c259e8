import { z } from 'zod';
import { PageQuery } from '../http/paging.js';
import { TIMELINE_KINDS } from '../notes/index.js';

/** Who a row is about: the person's id and name (basic fields). */
export const PersonRef = z
  .object({ id: z.string(), given_name: z.string().nullable(), family_name: z.string().nullable() })
  .meta({ id: 'PersonRef' });
export type PersonRef = z.infer<typeof PersonRef>;

const Name = z.string().trim().min(1).max(200);
const Description = z.string().trim().max(2000).nullable().optional();

export const LadderInput = z
  .object({
    name: Name,
    description: Description,
    stale_after_days: z
      .number()
      .int()
      .min(1)
      .max(3650)
      .optional()
      .describe('A person with no assessment for this many days is shown as stale (90 by default)'),
    levels: z
      .array(z.object({ name: Name, description: Description }).strict())
      .max(50)
      .optional()
      .describe('The levels, lowest first'),
  })
  .strict();
export type LadderInput = z.infer<typeof LadderInput>;

export const LadderPatch = z
  .object({
    name: Name.optional(),
    description: Description,
    stale_after_days: z.number().int().min(1).max(3650).optional(),
    archived: z
      .boolean()
      .optional()
      .describe('An archived ladder keeps its history and takes no assessments'),
  })
  .strict();
export type LadderPatch = z.infer<typeof LadderPatch>;

export const LevelInput = z.object({ name: Name, description: Description }).strict();
export type LevelInput = z.infer<typeof LevelInput>;

export const LevelPatch = z
  .object({
    name: Name.optional(),
    description: Description,
    retired: z
      .boolean()
      .optional()
      .describe('A retired level keeps its assessments but takes no new ones and no new rules'),
  })
  .strict();
export type LevelPatch = z.infer<typeof LevelPatch>;

export const RuleInput = z
  .object({
    name: Name,
    level_id: z.uuid().describe('The level the rule suggests'),
    source: z.enum(['activity']).default('activity'),
    activity_kinds: z.array(z.enum(TIMELINE_KINDS)).min(1).describe('Which timeline activities count'),
    min_count: z.number().int().min(1).max(1000),
    window_days: z.number().int().min(1).max(3650),
    enabled: z.boolean().optional(),
  })
  .strict();
export type RuleInput = z.infer<typeof RuleInput>;

export const RulePatch = z
  .object({
    name: Name.optional(),
    activity_kinds: z.array(z.enum(TIMELINE_KINDS)).min(1).optional(),
    min_count: z.number().int().min(1).max(1000).optional(),
    window_days: z.number().int().min(1).max(3650).optional(),
    enabled: z.boolean().optional(),
  })
  .strict();
export type RulePatch = z.infer<typeof RulePatch>;

export const LevelView = z
  .object({
    id: z.string(),
    position: z.number(),
    name: z.string(),
    description: z.string().nullable(),
    retired_at: z.date().nullable(),
  })
  .meta({ id: 'LadderLevel' });
export type LevelView = z.infer<typeof LevelView>;

export const RuleView = z
  .object({
    id: z.string(),
    name: z.string(),
    level_id: z.string(),
    source: z.enum(['activity']),
    activity_kinds: z.array(z.enum(TIMELINE_KINDS)),
    min_count: z.number(),
    window_days: z.number(),
    enabled: z.boolean(),
  })
  .meta({ id: 'LadderRule' });
export type RuleView = z.infer<typeof RuleView>;

export const LadderView = z
  .object({
    id: z.string(),
    name: z.string(),
    description: z.string().nullable(),
    stale_after_days: z.number(),
    archived_at: z.date().nullable(),
    levels: z.array(LevelView),
    rules: z.array(RuleView),
    created_at: z.date(),
    updated_at: z.date(),
  })
  .meta({ id: 'Ladder' });
export type LadderView = z.infer<typeof LadderView>;

export const AssessmentInput = z
  .object({
    ladder_id: z.uuid(),
    level_id: z.uuid(),
    assessed_at: z.coerce.date().optional().describe('When the organizer judged it; now when left out'),
    evidence: z.string().trim().min(1).max(5000).nullable().optional(),
  })
  .strict();
export type AssessmentInput = z.infer<typeof AssessmentInput>;

export const AssessmentView = z
  .object({
    id: z.string(),
    person_id: z.string(),
    ladder_id: z.string(),
    level_id: z.string(),
    level_name: z.string(),
    level_position: z.number(),
    assessed_at: z.date(),
    assessed_by: z.string().nullable(),
    evidence: z.string().nullable(),
    source: z.enum(['organizer', 'suggestion']),
    suggestion_id: z.string().nullable(),
  })
  .meta({ id: 'Assessment' });
export type AssessmentView = z.infer<typeof AssessmentView>;

export const PersonLadderView = z
  .object({
    ladder_id: z.string(),
    ladder_name: z.string(),
    current: AssessmentView.nullable().describe("The latest assessment: the person's current level"),
    days_since_assessed: z.number().nullable(),
    stale: z.boolean().describe('No assessment at all, or none in stale_after_days'),
  })
  .meta({ id: 'PersonLadder' });
export type PersonLadderView = z.infer<typeof PersonLadderView>;

export const SuggestionView = z
  .object({
    id: z.string(),
    person: PersonRef,
    ladder_id: z.string(),
    level_id: z.string(),
    level_name: z.string(),
    rule_id: z.string().nullable(),
    evidence: z.record(z.string(), z.unknown()),
    status: z.enum(['open', 'accepted', 'dismissed']),
    decided_by: z.string().nullable(),
    decided_at: z.date().nullable(),
    assessment_id: z.string().nullable(),
    created_at: z.date(),
  })
  .meta({ id: 'LadderSuggestion' });
export type SuggestionView = z.infer<typeof SuggestionView>;

export const SuggestionQuery = z.object({
  ladder_id: z.uuid().optional(),
  status: z.enum(['open', 'accepted', 'dismissed']).default('open'),
  ...PageQuery,
});
export type SuggestionQuery = z.infer<typeof SuggestionQuery>;

export const AcceptInput = z
  .object({
    evidence: z
      .string()
      .trim()
      .min(1)
      .max(5000)
      .optional()
      .describe("The organizer's words; the rule's evidence when left out"),
  })
  .strict();

export const PipelineQuery = z.object({
  from: z.coerce.date().optional().describe('First point (default: 6 steps before `to`)'),
  to: z.coerce.date().optional().describe('Last point (default: now)'),
  step: z
    .enum(['week', 'month'])
    .default('month')
    .describe(
      'Points every week or month from `from`; a step less than a minute before `to` gives way to `to`',
    ),
});

export const PipelineView = z
  .object({
    ladder_id: z.string(),
    points: z.array(
      z.object({
        at: z.date(),
        counts: z.array(
          z.object({
            unit_id: z.string().nullable(),
            unit_path: z.string().nullable(),
            level_id: z.string(),
            people: z.number(),
          }),
        ),
      }),
    ),
  })
  .meta({ id: 'LadderPipeline' });
export type PipelineView = z.infer<typeof PipelineView>;

export const PeriodQuery = z.object({
  since: z.coerce.date().optional().describe('Default: 30 days before `until`'),
  until: z.coerce.date().optional().describe('Default: now'),
  ...PageQuery,
});

export const MovementView = z
  .object({
    person: PersonRef,
    from_level_id: z.string().nullable(),
    to_level_id: z.string(),
    direction: z.enum(['up', 'down', 'new']).describe('"new": no level before the period'),
    at: z.date(),
  })
  .meta({ id: 'LadderMovement' });
export type MovementView = z.infer<typeof MovementView>;

export const LadderPeopleQuery = z.object({
  level_id: z.uuid().optional(),
  stale: z
    .enum(['true', 'false'])
    .optional()
    .transform((v) => (v === undefined ? undefined : v === 'true')),
  ...PageQuery,
});

export const LadderPersonView = z
  .object({
    person: PersonRef,
    level_id: z.string().nullable(),
    assessed_at: z.date().nullable(),
    stale: z.boolean(),
  })
  .meta({ id: 'LadderPerson' });
export type LadderPersonView = z.infer<typeof LadderPersonView>;

export const NewPeopleQuery = z.object({
  since: z.coerce.date().optional().describe('Default: the first day of this month (UTC)'),
  ...PageQuery,
});

export const NewPersonView = z
  .object({
    person: PersonRef,
    created_at: z.date(),
    activities: z.record(z.string(), z.number()).describe('Activities since they arrived, by kind'),
    levels: z.array(z.object({ ladder_id: z.string(), level_id: z.string(), level_name: z.string() })),
  })
  .meta({ id: 'NewPerson' });
export type NewPersonView = z.infer<typeof NewPersonView>;
