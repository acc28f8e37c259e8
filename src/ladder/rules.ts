import { type RawBuilder, sql } from 'kysely';
import type { LadderRuleSource } from '../db/schema.js';

/** A rule as its counter needs it. */
export interface RuleToCount {
  id: string;
  source: LadderRuleSource;
  activity_kinds: string[];
  min_count: number;
  window_days: number;
}

/**
 * What a rule counts, per person, over its window ending at `now`: a query of rows
 * (`person_id`, `n`) holding only people who reach the rule's `min_count`.
 *
 * This is the extension point for event attendance: add `'attendance'` to the rule's sources
 * (`LadderRuleSource`, the `ladder_rule_source_check` constraint and `RuleInput.source`) and a
 * counter here that counts a person's attendances (checked in) in the window.
 */
export const RULE_COUNTERS: Record<
  LadderRuleSource,
  (orgId: string, rule: RuleToCount, now: Date) => RawBuilder<{ person_id: string; n: number }>
> = {
  activity: (orgId, rule, now) => sql`
    SELECT x.person_id, count(*)::int AS n FROM activity x
    WHERE x.org_id = ${orgId}
      AND x.kind = ANY(${rule.activity_kinds}::text[])
      AND x.occurred_at > ${now}::timestamptz - make_interval(days => ${rule.window_days}::int)
      AND x.occurred_at <= ${now}
    GROUP BY x.person_id
    HAVING count(*) >= ${rule.min_count}`,
};
