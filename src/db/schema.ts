/**
 * Kysely's view of the schema in ./migrations. Hand-kept: a test (schema.test.ts) compares every
 * table and column here with the live database on both engines, so the two cannot drift.
 */
import type { ColumnType, Generated, Insertable, Selectable, Updateable } from 'kysely';

type Timestamp = ColumnType<Date, Date | string | undefined, Date | string>;
type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
/** jsonb: written as a JSON string or value, read back parsed. */
type Json<T = unknown> = ColumnType<T, string | T, string | T>;
type Seq = ColumnType<number, never, never>;

interface Synced {
  created_at: CreatedAt;
  updated_at: Timestamp;
  seq: Seq;
  origin_node: string | null;
  origin_id: string | null;
}

interface Provenance {
  source_kind: string;
  source_ref: string | null;
  observed_at: Timestamp;
  confirmed_at: Timestamp;
  confidence: ColumnType<number, number | undefined, number>;
}

export interface OrgTable extends Synced {
  id: string;
  org_id: ColumnType<string, never, never>;
  slug: string;
  name: string;
}

export type UnitKind = 'network' | 'organization' | 'chapter' | 'local' | 'team';
export interface UnitTable extends Synced {
  org_id: string;
  id: string;
  path: string;
  name: string;
  kind: UnitKind;
}

export interface AppUserTable {
  org_id: string;
  id: string;
  email: string;
  display_name: string | null;
  password_hash: string | null;
  disabled_at: Date | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface UserSessionTable {
  org_id: string;
  id: string;
  user_id: string;
  token_hash: string;
  csrf_token: string;
  created_at: CreatedAt;
  last_seen_at: Timestamp;
  expires_at: Date;
}

export interface ApiTokenTable {
  org_id: string;
  id: string;
  user_id: string;
  name: string;
  prefix: string;
  token_hash: string;
  created_at: CreatedAt;
  last_used_at: Date | null;
  revoked_at: Date | null;
}

export interface PersonTable extends Synced {
  org_id: string;
  id: string;
  given_name: string | null;
  family_name: string | null;
  additional_name: string | null;
  pronouns: string | null;
  preferred_language: string | null;
  birthdate: string | null;
  home_unit_id: string | null;
  home_unit_path: string | null;
  do_not_contact: Generated<boolean>;
  sensitive: Generated<boolean>;
  legal_hold: Generated<boolean>;
  merged_into: string | null;
}

export type EmailStatus = 'subscribed' | 'unsubscribed' | 'bouncing' | 'spam_complaint';
export interface PersonEmailTable extends Synced, Provenance {
  org_id: string;
  id: string;
  person_id: string;
  address: string;
  status: Generated<EmailStatus>;
  is_primary: Generated<boolean>;
}

export type PhoneType = 'mobile' | 'home' | 'work' | 'other';
export interface PersonPhoneTable extends Synced, Provenance {
  org_id: string;
  id: string;
  person_id: string;
  number: string;
  number_type: Generated<PhoneType>;
  sms_capable: Generated<boolean>;
  do_not_call: Generated<boolean>;
  is_primary: Generated<boolean>;
}

export interface PersonAddressTable extends Synced, Provenance {
  org_id: string;
  id: string;
  person_id: string;
  address_lines: ColumnType<string[], string[] | undefined, string[]>;
  locality: string | null;
  region: string | null;
  postal_code: string | null;
  country: string | null;
  latitude: number | null;
  longitude: number | null;
  address_key: string;
  is_primary: Generated<boolean>;
}

export type CustomFieldType = 'text' | 'number' | 'date' | 'boolean' | 'single_choice' | 'multi_choice';
export type FieldClass = 'basic' | 'contact' | 'status' | 'restricted' | 'financial';
export interface CustomFieldTable extends Synced {
  org_id: string;
  id: string;
  key: string;
  label: string;
  field_type: CustomFieldType;
  choices: string[] | null;
  field_class: Generated<FieldClass>;
  archived_at: Date | null;
}

export interface PersonFieldValueTable extends Synced, Provenance {
  org_id: string;
  id: string;
  person_id: string;
  field_id: string;
  value: Json;
  is_preferred: Generated<boolean>;
}

export interface TagTable extends Synced {
  org_id: string;
  id: string;
  name: string;
  description: string | null;
}

export interface TaggingTable extends Synced {
  org_id: string;
  id: string;
  tag_id: string;
  person_id: string;
  source_kind: Generated<string>;
  source_ref: string | null;
  /** Copies of the person's home_unit_path and sensitive flag, kept by triggers (migration 0022). */
  person_unit_path: ColumnType<string | null, never, never>;
  person_sensitive: ColumnType<boolean, never, never>;
}

export interface ListTable extends Synced {
  org_id: string;
  id: string;
  name: string;
  description: string | null;
  created_by: string | null;
}

export interface ListItemTable extends Synced {
  org_id: string;
  id: string;
  list_id: string;
  person_id: string;
}

export interface SavedSearchTable extends Synced {
  org_id: string;
  id: string;
  name: string;
  description: string | null;
  query: Json;
  created_by: string | null;
}

export interface NoteTable extends Synced {
  org_id: string;
  id: string;
  person_id: string;
  author_id: string | null;
  body: string;
}

export type RelationshipKind = 'recruited_by' | 'household' | 'works_with' | 'custom';
export interface RelationshipTable extends Synced {
  org_id: string;
  id: string;
  person_id: string;
  related_person_id: string;
  kind: RelationshipKind;
  custom_label: string | null;
}

export type ActivityKind =
  | 'note'
  | 'one_on_one'
  | 'call'
  | 'door_knock'
  | 'meeting'
  | 'other'
  | 'event_rsvp'
  | 'event_attendance'
  | 'form_submission'
  | 'petition_signature';
export interface ActivityTable extends Synced {
  org_id: string;
  id: string;
  person_id: string;
  kind: ActivityKind;
  occurred_at: Date;
  actor_id: string | null;
  outcome: string | null;
  body: string | null;
}

export type IdentifierEntity = 'person' | 'tag' | 'list';
export interface ForeignIdentifierTable {
  org_id: string;
  entity: IdentifierEntity;
  entity_id: string;
  identifier: string;
  created_at: CreatedAt;
}

export type DuplicateStatus = 'open' | 'merged' | 'dismissed';
export interface PossibleDuplicateTable {
  org_id: string;
  id: string;
  person_a: string;
  person_b: string;
  reason: string;
  status: Generated<DuplicateStatus>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface PersonMergeTable {
  org_id: string;
  id: string;
  survivor_id: string;
  merged_id: string;
  before_snapshot: Json;
  merged_by: string | null;
  merged_at: CreatedAt;
  undone_at: Date | null;
  undone_by: string | null;
}

export type ImportStatus = 'running' | 'completed' | 'failed';
export interface ImportJobTable {
  org_id: string;
  id: string;
  filename: string;
  file_sha256: string;
  file_size: number;
  status: Generated<ImportStatus>;
  options: Json;
  last_line: Generated<number>;
  rows_read: Generated<number>;
  created_count: Generated<number>;
  updated_count: Generated<number>;
  flagged_count: Generated<number>;
  rejected_count: Generated<number>;
  created_by: string | null;
  started_at: CreatedAt;
  updated_at: Timestamp;
  finished_at: Date | null;
  error: string | null;
}

export interface ImportRejectTable {
  org_id: string;
  import_id: string;
  line_no: number;
  reason: string;
  raw: string;
}

export interface TombstoneTable {
  org_id: string;
  entity: string;
  id: string;
  origin_node: string | null;
  origin_id: string | null;
  deleted_at: CreatedAt;
  seq: Seq;
}

/** The closed set of audited actions (the CHECK constraint in 0003_audit.sql holds the same list). */
export type AuditAction =
  | 'person.read'
  | 'people.export'
  | 'view_as.start'
  | 'view_as.read'
  | 'role.grant'
  | 'role.revoke'
  | 'role.define'
  | 'assignment.create'
  | 'assignment.delete'
  | 'policy.change'
  | 'login'
  | 'login.failed'
  | 'logout'
  | 'token.create'
  | 'token.revoke';
export type AuditActorKind = 'user' | 'system' | 'anonymous';
/** Append-only: rows are inserted by src/audit and never updated (triggers refuse it). */
export interface AuditEventTable {
  org_id: string;
  seq: number;
  id: string;
  at: Date;
  action: AuditAction;
  actor_kind: AuditActorKind;
  actor_id: string | null;
  actor_label: string | null;
  subject_ids: string[];
  fields: string[];
  purpose: string | null;
  detail: Json<Record<string, unknown>>;
  prev_hash: string;
  hash: string;
}

export interface AuditHeadTable {
  org_id: string;
  seq: number;
  hash: string;
}

export interface NodeSelfTable {
  id: string;
  created_at: CreatedAt;
  singleton: Generated<boolean>;
}

export interface RoleTable extends Synced {
  org_id: string;
  id: string;
  key: string;
  name: string;
  actions: string[];
  field_classes: string[];
  builtin: Generated<boolean>;
}

export interface RoleBindingTable extends Synced {
  org_id: string;
  id: string;
  user_id: string;
  role_id: string;
  unit_id: string | null;
  expires_at: Date | null;
  created_by: string | null;
}

export type AssignmentTargetKind = 'list' | 'saved_search' | 'event' | 'turf' | 'call_list';
export interface AssignmentTable extends Synced {
  org_id: string;
  id: string;
  user_id: string;
  target_kind: AssignmentTargetKind;
  target_id: string;
  actions: string[];
  field_classes: ColumnType<string[], string[] | undefined, string[]>;
  fields: ColumnType<string[], string[] | undefined, string[]>;
  expires_at: Date | null;
  created_by: string | null;
}

export interface LadderTable extends Synced {
  org_id: string;
  id: string;
  name: string;
  description: string | null;
  stale_after_days: ColumnType<number, number | undefined, number>;
  archived_at: Date | null;
}

export interface LadderLevelTable extends Synced {
  org_id: string;
  id: string;
  ladder_id: string;
  position: number;
  name: string;
  description: string | null;
  retired_at: Date | null;
}

export type LadderRuleSource = 'activity';
export interface LadderRuleTable extends Synced {
  org_id: string;
  id: string;
  ladder_id: string;
  level_id: string;
  name: string;
  source: ColumnType<LadderRuleSource, LadderRuleSource | undefined, LadderRuleSource>;
  activity_kinds: ColumnType<ActivityKind[], ActivityKind[] | undefined, ActivityKind[]>;
  min_count: number;
  window_days: number;
  enabled: ColumnType<boolean, boolean | undefined, boolean>;
}

export type AssessmentSource = 'organizer' | 'suggestion';
export interface LadderAssessmentTable extends Synced {
  org_id: string;
  id: string;
  person_id: string;
  ladder_id: string;
  level_id: string;
  assessed_at: Date;
  assessed_by: string | null;
  evidence: string | null;
  source: ColumnType<AssessmentSource, AssessmentSource | undefined, AssessmentSource>;
  suggestion_id: string | null;
}

export type SuggestionStatus = 'open' | 'accepted' | 'dismissed';
export interface LadderSuggestionTable extends Synced {
  org_id: string;
  id: string;
  person_id: string;
  ladder_id: string;
  level_id: string;
  rule_id: string | null;
  evidence: Json<Record<string, unknown>>;
  status: ColumnType<SuggestionStatus, SuggestionStatus | undefined, SuggestionStatus>;
  decided_by: string | null;
  decided_at: Date | null;
  assessment_id: string | null;
}

export interface OneOnOneTable {
  org_id: string;
  activity_id: string;
  interests: ColumnType<string[], string[] | undefined, string[]>;
  next_step: string | null;
  created_at: CreatedAt;
}

export type FollowUpStatus = 'open' | 'done' | 'cancelled';
export interface FollowUpTable extends Synced {
  org_id: string;
  id: string;
  person_id: string;
  owner_id: string | null;
  title: string;
  due_at: Date;
  status: ColumnType<FollowUpStatus, FollowUpStatus | undefined, FollowUpStatus>;
  done_at: Date | null;
  activity_id: string | null;
  created_by: string | null;
}

export interface PointPersonTable extends Synced {
  org_id: string;
  id: string;
  person_id: string;
  user_id: string;
  assigned_by: string | null;
}

export type QuestionType = 'single_choice' | 'multiple_choice' | 'text' | 'number' | 'yes_no';
export interface SurveyTable extends Synced {
  org_id: string;
  id: string;
  name: string;
  description: string | null;
  created_by: string | null;
}
export interface SurveyQuestionTable extends Synced {
  org_id: string;
  id: string;
  survey_id: string;
  key: string;
  position: number;
  prompt: string;
  question_type: QuestionType;
  choices: Json<{ key: string; label: string }[]>;
}
export type AnswerVia = 'call' | 'door' | 'direct';
export interface SurveyAnswerTable extends Synced {
  org_id: string;
  id: string;
  person_id: string;
  question_id: string;
  value: Json<unknown>;
  asked_by: string | null;
  asked_at: Date;
  via: AnswerVia;
  activity_id: string | null;
  call_list_id: string | null;
}
export type CallOutcome =
  | 'reached'
  | 'no_answer'
  | 'left_message'
  | 'busy'
  | 'wrong_number'
  | 'refused'
  | 'do_not_call'
  | 'skipped';
export interface CallListTable extends Synced {
  org_id: string;
  id: string;
  name: string;
  script: string | null;
  survey_id: string | null;
  list_id: string;
  field_classes: ColumnType<string[], string[] | undefined, string[]>;
  fields: ColumnType<string[], string[] | undefined, string[]>;
  claim_seconds: ColumnType<number, number | undefined, number>;
  max_attempts: ColumnType<number, number | undefined, number>;
  status: ColumnType<'open' | 'closed', 'open' | 'closed' | undefined, 'open' | 'closed'>;
  closed_at: Date | null;
  created_by: string | null;
}
export interface CallListCallerTable {
  org_id: string;
  call_list_id: string;
  user_id: string;
  assignment_id: string | null;
  created_by: string | null;
  created_at: CreatedAt;
}
export interface CallTargetTable {
  org_id: string;
  id: string;
  call_list_id: string;
  person_id: string;
  status: ColumnType<'pending' | 'done', 'pending' | 'done' | undefined, 'pending' | 'done'>;
  attempts: ColumnType<number, number | undefined, number>;
  last_outcome: CallOutcome | null;
  last_activity_id: string | null;
  claimed_by: string | null;
  claimed_until: Date | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}
export interface PhoneTreeTable extends Synced {
  org_id: string;
  id: string;
  name: string;
  message: string | null;
  deadline: Date;
  escalation_minutes: ColumnType<number, number | undefined, number>;
  created_by: string | null;
}
export interface PhoneTreeNodeTable extends Synced {
  org_id: string;
  id: string;
  tree_id: string;
  person_id: string;
  parent_id: string | null;
  depth: number;
  result: 'reached' | 'not_reached' | null;
  result_at: Date | null;
  result_by: string | null;
  activity_id: string | null;
}

export interface CampaignTable extends Synced {
  org_id: string;
  id: string;
  unit_id: string;
  title: string;
  description: string | null;
  starts_on: ColumnType<string, string, string>;
  ends_on: ColumnType<string, string, string>;
  trusted_host_emails: ColumnType<string[], string[] | undefined, string[]>;
  created_by: string | null;
}

export interface CampaignModeratorTable {
  org_id: string;
  campaign_id: string;
  user_id: string;
  created_at: CreatedAt;
}

export type EventVisibility = 'public' | 'unit' | 'private';
export type EventStatus = 'draft' | 'pending_approval' | 'published' | 'cancelled';
export interface EventTable extends Synced {
  org_id: string;
  id: string;
  unit_id: string;
  campaign_id: string | null;
  title: string;
  description: string | null;
  starts_at: Date;
  ends_at: Date;
  timezone: string;
  location_name: string | null;
  address_lines: ColumnType<string[], string[] | undefined, string[]>;
  locality: string | null;
  region: string | null;
  postal_code: string | null;
  country: string | null;
  latitude: number | null;
  longitude: number | null;
  virtual_url: string | null;
  capacity: number | null;
  waitlist: ColumnType<boolean, boolean | undefined, boolean>;
  visibility: EventVisibility;
  status: EventStatus;
  proposed_by: string | null;
  created_by: string | null;
}

export interface EventShiftTable extends Synced {
  org_id: string;
  id: string;
  event_id: string;
  name: string;
  starts_at: Date;
  ends_at: Date;
  capacity: number | null;
}

export type RsvpStatus = 'going' | 'waitlisted' | 'cancelled';
export type Attendance = 'attended' | 'no_show';
export type RsvpSource = 'public' | 'organizer' | 'osdi' | 'walk_in';
export interface EventRsvpTable extends Synced {
  org_id: string;
  id: string;
  event_id: string;
  person_id: string;
  shift_id: string | null;
  status: RsvpStatus;
  attendance: Attendance | null;
  walk_in: ColumnType<boolean, boolean | undefined, boolean>;
  checked_in_at: Date | null;
  source: RsvpSource;
  referrer: string | null;
  consent: Json<Record<string, unknown>>;
}

export type FormKind = 'form' | 'petition';
export type FormStatus = 'draft' | 'open' | 'closed';
export type SubmissionSource = 'public' | 'osdi' | 'organizer';
export interface FormTable extends Synced {
  org_id: string;
  id: string;
  unit_id: string;
  kind: FormKind;
  title: string;
  description: string | null;
  call_to_action: string | null;
  questions: Json<unknown[]>;
  targets: Json<unknown[]>;
  petition_text: string | null;
  status: ColumnType<FormStatus, FormStatus | undefined, FormStatus>;
  created_by: string | null;
}

export interface FormSubmissionTable extends Synced {
  org_id: string;
  id: string;
  form_id: string;
  person_id: string;
  form_kind: FormKind;
  answers: Json<Record<string, unknown>>;
  comment: string | null;
  source: SubmissionSource;
  referrer: string | null;
  consent: Json<Record<string, unknown>>;
  submitted_at: Date;
}

/** A public RSVP taken in, waiting to be merged (adr/0026). */
/** Live people per organization, kept by triggers on person (migration 0021); never written by the app. */
export interface PeopleCountTable {
  org_id: ColumnType<string, never, never>;
  /** bigint: read it cast (`people::int`). */
  people: ColumnType<string, never, never>;
  sensitive: ColumnType<string, never, never>;
}

/** Live people per tag, home unit and sensitivity; written only by triggers (migration 0022). */
export interface TagCountTable {
  org_id: ColumnType<string, never, never>;
  tag_id: ColumnType<string, never, never>;
  unit_path: ColumnType<string | null, never, never>;
  sensitive: ColumnType<boolean, never, never>;
  /** bigint: read it cast. */
  people: ColumnType<string, never, never>;
}

/** Live people per home unit and sensitivity; written only by triggers (migration 0024). */
export interface UnitPeopleCountTable {
  org_id: ColumnType<string, never, never>;
  unit_path: ColumnType<string | null, never, never>;
  sensitive: ColumnType<boolean, never, never>;
  /** bigint: read it cast. */
  people: ColumnType<string, never, never>;
}

/** Live people per (organization, given or family, lowered name): kept by triggers (migration 0029). */
export interface PersonNameCountTable {
  org_id: ColumnType<string, never, never>;
  part: ColumnType<'given' | 'family', never, never>;
  name: ColumnType<string, never, never>;
  /** bigint: read it cast. */
  people: ColumnType<string, never, never>;
}

export interface SignupIntakeTable {
  org_id: string;
  id: string;
  event_id: string;
  input: Json;
  received_at: Date;
  problem: string | null;
}

export interface EventReminderTable {
  org_id: string;
  id: string;
  event_id: string;
  rsvp_id: string;
  person_id: string;
  channel: 'email' | 'sms';
  send_at: Date;
  status: ColumnType<'queued' | 'sent' | 'cancelled', 'queued' | 'sent' | 'cancelled' | undefined>;
  created_at: CreatedAt;
  updated_at: Timestamp;
}

export interface TurfTable extends Synced {
  org_id: string;
  id: string;
  unit_id: string;
  name: string;
  geometry: unknown;
  zip_codes: ColumnType<string[], string[] | undefined, string[]>;
  min_lat: number | null;
  max_lat: number | null;
  min_lon: number | null;
  max_lon: number | null;
  created_by: string | null;
}
export type DoorResult = 'talked' | 'not_home' | 'moved' | 'refused';
export interface WalkListTable extends Synced {
  org_id: string;
  id: string;
  turf_id: string;
  name: string;
  survey_id: string | null;
  list_id: string;
  status: ColumnType<'open' | 'closed', 'open' | 'closed' | undefined, 'open' | 'closed'>;
  closed_at: Date | null;
  created_by: string | null;
}
export interface WalkListCanvasserTable {
  org_id: string;
  walk_list_id: string;
  user_id: string;
  assignment_id: string | null;
  created_by: string | null;
  created_at: CreatedAt;
}
export interface WalkDoorTable {
  org_id: string;
  id: string;
  walk_list_id: string;
  position: number;
  address_key: string;
  address_lines: ColumnType<string[], string[] | undefined, string[]>;
  locality: string | null;
  postal_code: string | null;
  latitude: number | null;
  longitude: number | null;
  status: ColumnType<'pending' | 'done', 'pending' | 'done' | undefined, 'pending' | 'done'>;
  last_result: DoorResult | null;
  last_result_at: Date | null;
  created_at: CreatedAt;
  updated_at: Timestamp;
}
export interface WalkDoorPersonTable {
  org_id: string;
  door_id: string;
  person_id: string;
}
// Consent links (0011_consent_links.sql). bytea arrives as a Buffer (pg) or a Uint8Array (PGlite).
export interface ConsentKeyTable {
  org_id: string;
  id: string;
  secret: ColumnType<Uint8Array, Uint8Array, never>;
  created_at: CreatedAt;
}

export interface ConsentLinkTable {
  org_id: string;
  id: string;
  person_id: string;
  token_mac: ColumnType<Uint8Array, Uint8Array, never>;
  purpose: string;
  created_by: string | null;
  created_at: CreatedAt;
  expires_at: Date;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

export interface ChannelConsentTable extends Synced {
  org_id: string;
  id: string;
  person_id: string;
  channel: 'sms';
  status: 'opted_in' | 'opted_out';
  changed_at: Date;
  source_kind: string;
  source_ref: string | null;
}

export interface ConsentReceiptTable {
  org_id: string;
  id: string;
  person_id: string;
  link_id: string | null;
  receipt: ColumnType<Record<string, unknown>, string, never>;
  created_at: CreatedAt;
}

export interface DB {
  node_self: NodeSelfTable;
  org: OrgTable;
  unit: UnitTable;
  app_user: AppUserTable;
  user_session: UserSessionTable;
  api_token: ApiTokenTable;
  person: PersonTable;
  person_email: PersonEmailTable;
  person_phone: PersonPhoneTable;
  person_address: PersonAddressTable;
  custom_field: CustomFieldTable;
  person_field_value: PersonFieldValueTable;
  tag: TagTable;
  tagging: TaggingTable;
  list: ListTable;
  list_item: ListItemTable;
  saved_search: SavedSearchTable;
  note: NoteTable;
  relationship: RelationshipTable;
  activity: ActivityTable;
  foreign_identifier: ForeignIdentifierTable;
  possible_duplicate: PossibleDuplicateTable;
  person_merge: PersonMergeTable;
  import_job: ImportJobTable;
  import_reject: ImportRejectTable;
  tombstone: TombstoneTable;
  role: RoleTable;
  role_binding: RoleBindingTable;
  assignment: AssignmentTable;
  audit_event: AuditEventTable;
  audit_head: AuditHeadTable;
  campaign: CampaignTable;
  campaign_moderator: CampaignModeratorTable;
  event: EventTable;
  event_shift: EventShiftTable;
  event_rsvp: EventRsvpTable;
  event_reminder: EventReminderTable;
  signup_intake: SignupIntakeTable;
  people_count: PeopleCountTable;
  tag_count: TagCountTable;
  unit_people_count: UnitPeopleCountTable;
  person_name_count: PersonNameCountTable;
  form: FormTable;
  form_submission: FormSubmissionTable;
  ladder: LadderTable;
  ladder_level: LadderLevelTable;
  ladder_rule: LadderRuleTable;
  ladder_assessment: LadderAssessmentTable;
  ladder_suggestion: LadderSuggestionTable;
  one_on_one: OneOnOneTable;
  follow_up: FollowUpTable;
  point_person: PointPersonTable;
  survey: SurveyTable;
  survey_question: SurveyQuestionTable;
  survey_answer: SurveyAnswerTable;
  call_list: CallListTable;
  call_list_caller: CallListCallerTable;
  call_target: CallTargetTable;
  turf: TurfTable;
  walk_list: WalkListTable;
  walk_list_canvasser: WalkListCanvasserTable;
  walk_door: WalkDoorTable;
  walk_door_person: WalkDoorPersonTable;
  phone_tree: PhoneTreeTable;
  phone_tree_node: PhoneTreeNodeTable;
  consent_key: ConsentKeyTable;
  consent_link: ConsentLinkTable;
  channel_consent: ChannelConsentTable;
  consent_receipt: ConsentReceiptTable;
}

export type Person = Selectable<PersonTable>;
export type NewPerson = Insertable<PersonTable>;
export type PersonUpdate = Updateable<PersonTable>;
export type PersonEmail = Selectable<PersonEmailTable>;
export type PersonPhone = Selectable<PersonPhoneTable>;
export type PersonAddress = Selectable<PersonAddressTable>;
