/**
 * The field API as the walk-list, call-list and phone-tree screens use it (src/turf, src/calling).
 * People inside are projected for the signed-in user: a field they may not see is absent, a
 * contact value they may reach but not read comes masked next to a capability.
 */
import type { Person } from '../../api.js';

export const DOOR_RESULTS = ['talked', 'not_home', 'moved', 'refused'] as const;
export type DoorResult = (typeof DOOR_RESULTS)[number];

/** What a caller may record (src/calling CALL_OUTCOMES). */
export const CALL_OUTCOMES = [
  'reached',
  'no_answer',
  'left_message',
  'busy',
  'wrong_number',
  'refused',
  'do_not_call',
] as const;
export type CallOutcome = (typeof CALL_OUTCOMES)[number];

export interface WalkList {
  id: string;
  name: string;
  turf_id: string;
  survey_id: string | null;
  list_id: string;
  status: 'open' | 'closed';
  created_at: string;
  canvassers: { user_id: string; assignment_id: string | null }[];
  progress: { doors: number; done: number; people: number };
}

export interface Door {
  id: string;
  position: number;
  /** Present only when the reader may read a resident's street address. */
  address?: {
    lines: string[];
    locality: string | null;
    postal_code: string | null;
  };
  status: 'pending' | 'done';
  last_result: DoorResult | null;
  people: Person[];
}

export interface WalkSheet extends WalkList {
  doors: Door[];
}

export interface DoorInput {
  result: DoorResult;
  note?: string;
  answers: { person_id: string; answers: Answer[] }[];
}

export type QuestionType = 'single_choice' | 'multiple_choice' | 'text' | 'number' | 'yes_no';

export interface Question {
  id: string;
  key: string;
  position: number;
  prompt: string;
  type: QuestionType;
  choices: { key: string; label: string }[];
}

export interface Survey {
  id: string;
  name: string;
  description: string | null;
  questions: Question[];
}

export type AnswerValue = string | number | boolean | string[];
export interface Answer {
  question: string;
  value: AnswerValue;
}

export interface CallProgress {
  total: number;
  done: number;
  pending: number;
  in_progress: number;
  by_outcome: Record<string, number>;
}

export interface CallList {
  id: string;
  name: string;
  script: string | null;
  survey_id: string | null;
  status: 'open' | 'closed';
  callers: { user_id: string; assignment_id: string | null }[];
  progress: CallProgress;
  created_at: string;
}

export interface CallTarget {
  id: string;
  person_id: string;
  status: 'pending' | 'done';
  attempts: number;
  last_outcome: string | null;
  claimed_until: string | null;
}

export interface NextCall {
  /** null: nobody left to call right now. */
  target: CallTarget | null;
  person: Person | null;
  script: string | null;
  survey: Survey | null;
  progress: CallProgress;
}

export interface CallInput {
  target_id: string;
  outcome: CallOutcome;
  note?: string;
  answers: Answer[];
}

export interface PhoneTreeSummary {
  id: string;
  name: string;
  deadline: string;
  people: number;
}

export interface TreeNode {
  id: string;
  person_id: string;
  parent_id: string | null;
  depth: number;
  result: 'reached' | 'not_reached' | null;
  result_at: string | null;
  /** Who should be calling this person now (null: reached, or the top of the tree). */
  responsible_id: string | null;
  /** The call rolled up past their own leader. */
  escalated: boolean;
  person: Person | null;
}

export interface TreeLeader {
  node_id: string;
  person_id: string;
  callees: number;
  reached: number;
  not_reached: number;
  pending: number;
  escalated_to_them: string[];
}

export interface PhoneTree {
  id: string;
  name: string;
  message: string | null;
  deadline: string;
  escalation_minutes: number;
  at: string;
  totals: { people: number; reached: number; not_reached: number; pending: number };
  leaders: TreeLeader[];
  nodes: TreeNode[];
}
