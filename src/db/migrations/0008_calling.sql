-- Calling: surveys (questions with structured answers, kept as history per person), call lists
-- (a static list worked by assigned callers, one person at a time) and phone trees (leaders who
-- call their callees; who is unreached by the deadline rolls up the tree).
--
-- Access needs no new assignment kind: a call list is backed by an ordinary static `list`, and a
-- caller gets an ordinary `list` assignment on it (docs/adr/0012-calling-call-lists-on-list-assignments.md).

-- ---------------------------------------------------------------------------------------------
-- Surveys

CREATE TABLE survey (
  org_id uuid NOT NULL REFERENCES org (id) ON DELETE CASCADE,
  id uuid PRIMARY KEY,
  name text NOT NULL,
  description text,
  created_by uuid REFERENCES app_user (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  seq bigint NOT NULL DEFAULT nextval('change_seq'),
  origin_node uuid,
  origin_id uuid,
  CONSTRAINT survey_org_id_key UNIQUE (org_id, id)
);

CREATE TABLE survey_question (
  org_id uuid NOT NULL,
  id uuid PRIMARY KEY,
  survey_id uuid NOT NULL,
  -- Stable across renames: answers, exports and OSDI responses name questions by key.
  key text NOT NULL,
  position integer NOT NULL,
  prompt text NOT NULL,
  question_type text NOT NULL,
  -- [{ "key": "y", "label": "Yes" }, ...] for the choice types; empty otherwise.
  choices jsonb NOT NULL DEFAULT '[]',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  seq bigint NOT NULL DEFAULT nextval('change_seq'),
  origin_node uuid,
  origin_id uuid,
  CONSTRAINT survey_question_survey_fkey FOREIGN KEY (org_id, survey_id) REFERENCES survey (org_id, id) ON DELETE CASCADE,
  CONSTRAINT survey_question_survey_key_key UNIQUE (survey_id, key),
  CONSTRAINT survey_question_key_format_check CHECK (key ~ '^[a-z][a-z0-9_]{0,62}$'),
  CONSTRAINT survey_question_type_check CHECK (question_type IN ('single_choice', 'multiple_choice', 'text', 'number', 'yes_no')),
  CONSTRAINT survey_question_org_id_key UNIQUE (org_id, id)
);
CREATE INDEX survey_question_survey_idx ON survey_question (survey_id, position);

-- One row per answer given: a new answer never overwrites an old one (the latest is current).
CREATE TABLE survey_answer (
  org_id uuid NOT NULL,
  id uuid PRIMARY KEY,
  person_id uuid NOT NULL,
  question_id uuid NOT NULL,
  -- A JSON string (text, single choice), array of choice keys, number or boolean.
  value jsonb NOT NULL,
  asked_by uuid REFERENCES app_user (id) ON DELETE SET NULL,
  asked_at timestamptz NOT NULL,
  -- How it was asked: on a call, at a door, or entered directly; the call or door knock is the
  -- activity on the person's timeline.
  via text NOT NULL,
  activity_id uuid REFERENCES activity (id) ON DELETE SET NULL,
  call_list_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  seq bigint NOT NULL DEFAULT nextval('change_seq'),
  origin_node uuid,
  origin_id uuid,
  CONSTRAINT survey_answer_person_fkey FOREIGN KEY (org_id, person_id) REFERENCES person (org_id, id) ON DELETE CASCADE,
  CONSTRAINT survey_answer_question_fkey FOREIGN KEY (org_id, question_id) REFERENCES survey_question (org_id, id) ON DELETE CASCADE,
  CONSTRAINT survey_answer_via_check CHECK (via IN ('call', 'door', 'direct'))
);
CREATE INDEX survey_answer_person_idx ON survey_answer (person_id, asked_at DESC);
CREATE INDEX survey_answer_question_idx ON survey_answer (question_id, asked_at DESC);

-- ---------------------------------------------------------------------------------------------
-- Call lists

CREATE TABLE call_list (
  org_id uuid NOT NULL REFERENCES org (id) ON DELETE CASCADE,
  id uuid PRIMARY KEY,
  name text NOT NULL,
  script text,
  survey_id uuid,
  -- The static list of the people to call; callers are assigned to it.
  list_id uuid NOT NULL REFERENCES list (id),
  -- What a caller's assignment gives on top of people.read and person.call.
  field_classes text[] NOT NULL DEFAULT '{}',
  fields text[] NOT NULL DEFAULT '{given_name}',
  claim_seconds integer NOT NULL DEFAULT 900,
  max_attempts integer NOT NULL DEFAULT 3,
  status text NOT NULL DEFAULT 'open',
  closed_at timestamptz,
  created_by uuid REFERENCES app_user (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  seq bigint NOT NULL DEFAULT nextval('change_seq'),
  origin_node uuid,
  origin_id uuid,
  CONSTRAINT call_list_survey_fkey FOREIGN KEY (org_id, survey_id) REFERENCES survey (org_id, id),
  CONSTRAINT call_list_list_key UNIQUE (list_id),
  CONSTRAINT call_list_status_check CHECK (status IN ('open', 'closed')),
  CONSTRAINT call_list_claim_seconds_check CHECK (claim_seconds BETWEEN 30 AND 86400),
  CONSTRAINT call_list_max_attempts_check CHECK (max_attempts BETWEEN 1 AND 20),
  CONSTRAINT call_list_field_classes_check CHECK (field_classes <@ ARRAY['basic', 'contact', 'status', 'restricted', 'financial'])
);
CREATE INDEX call_list_org_idx ON call_list (org_id, id);

-- A caller of a call list and the list assignment that gives them its people.
CREATE TABLE call_list_caller (
  org_id uuid NOT NULL,
  call_list_id uuid NOT NULL REFERENCES call_list (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
  assignment_id uuid REFERENCES assignment (id) ON DELETE SET NULL,
  created_by uuid REFERENCES app_user (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT call_list_caller_pkey PRIMARY KEY (call_list_id, user_id)
);
CREATE INDEX call_list_caller_user_idx ON call_list_caller (user_id);

-- One row per person to call: the work queue. A claim (claimed_by until claimed_until) keeps two
-- callers off the same person; an expired claim is free again. Not synced: it is a queue.
CREATE TABLE call_target (
  org_id uuid NOT NULL,
  id uuid PRIMARY KEY,
  call_list_id uuid NOT NULL REFERENCES call_list (id) ON DELETE CASCADE,
  person_id uuid NOT NULL,
  status text NOT NULL DEFAULT 'pending',
  attempts integer NOT NULL DEFAULT 0,
  last_outcome text,
  last_activity_id uuid REFERENCES activity (id) ON DELETE SET NULL,
  claimed_by uuid REFERENCES app_user (id) ON DELETE SET NULL,
  claimed_until timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT call_target_person_fkey FOREIGN KEY (org_id, person_id) REFERENCES person (org_id, id) ON DELETE CASCADE,
  CONSTRAINT call_target_list_person_key UNIQUE (call_list_id, person_id),
  CONSTRAINT call_target_status_check CHECK (status IN ('pending', 'done')),
  CONSTRAINT call_target_outcome_check CHECK (last_outcome IS NULL OR last_outcome IN
    ('reached', 'no_answer', 'left_message', 'busy', 'wrong_number', 'refused', 'do_not_call', 'skipped'))
);
-- The next pending person of a list, fewest attempts first.
CREATE INDEX call_target_queue_idx ON call_target (call_list_id, status, attempts, id);

-- ---------------------------------------------------------------------------------------------
-- Phone trees

CREATE TABLE phone_tree (
  org_id uuid NOT NULL REFERENCES org (id) ON DELETE CASCADE,
  id uuid PRIMARY KEY,
  name text NOT NULL,
  message text,
  -- Callees not reached by the deadline roll up one leader per escalation interval.
  deadline timestamptz NOT NULL,
  escalation_minutes integer NOT NULL DEFAULT 60,
  created_by uuid REFERENCES app_user (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  seq bigint NOT NULL DEFAULT nextval('change_seq'),
  origin_node uuid,
  origin_id uuid,
  CONSTRAINT phone_tree_escalation_check CHECK (escalation_minutes BETWEEN 1 AND 10080),
  CONSTRAINT phone_tree_org_id_key UNIQUE (org_id, id)
);

-- A person in a tree; their leader is the parent node (none for the tree's top).
CREATE TABLE phone_tree_node (
  org_id uuid NOT NULL,
  id uuid PRIMARY KEY,
  tree_id uuid NOT NULL,
  person_id uuid NOT NULL,
  parent_id uuid REFERENCES phone_tree_node (id) ON DELETE CASCADE,
  depth integer NOT NULL,
  result text,
  result_at timestamptz,
  result_by uuid REFERENCES app_user (id) ON DELETE SET NULL,
  activity_id uuid REFERENCES activity (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  seq bigint NOT NULL DEFAULT nextval('change_seq'),
  origin_node uuid,
  origin_id uuid,
  CONSTRAINT phone_tree_node_tree_fkey FOREIGN KEY (org_id, tree_id) REFERENCES phone_tree (org_id, id) ON DELETE CASCADE,
  CONSTRAINT phone_tree_node_person_fkey FOREIGN KEY (org_id, person_id) REFERENCES person (org_id, id) ON DELETE CASCADE,
  CONSTRAINT phone_tree_node_tree_person_key UNIQUE (tree_id, person_id),
  CONSTRAINT phone_tree_node_result_check CHECK (result IS NULL OR result IN ('reached', 'not_reached'))
);
CREATE INDEX phone_tree_node_tree_idx ON phone_tree_node (tree_id, depth);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['survey', 'survey_question', 'survey_answer', 'call_list', 'phone_tree', 'phone_tree_node']
  LOOP
    EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE ON %I FOR EACH ROW EXECUTE FUNCTION touch_row()', t || '_touch', t);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I FOR EACH ROW EXECUTE FUNCTION bury_row()', t || '_bury', t);
  END LOOP;
END $$;

-- ---------------------------------------------------------------------------------------------
-- calls.manage: create and run call lists, phone trees and surveys. Callers need nothing but
-- their assignment. Added to the built-in roles that organize; seed_builtin_roles stays as it is.

CREATE FUNCTION calling_grant_builtin(p_org uuid) RETURNS void LANGUAGE sql AS $$
  UPDATE role SET actions = array_append(actions, 'calls.manage')
  WHERE org_id = p_org AND builtin
    AND key IN ('org_admin', 'data_manager', 'staff_organizer', 'local_organizer')
    AND NOT ('calls.manage' = ANY (actions))
$$;

SELECT calling_grant_builtin(id) FROM org;

-- Fires after org_seed_roles (triggers of one event run in name order).
CREATE FUNCTION org_seed_roles_calling() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM calling_grant_builtin(NEW.id);
  RETURN NEW;
END $$;
CREATE TRIGGER org_seed_roles_calling AFTER INSERT ON org FOR EACH ROW EXECUTE FUNCTION org_seed_roles_calling();

-- Row-level security (0004): each organization sees only its own rows.
SELECT enable_tenant_rls('survey');
SELECT enable_tenant_rls('survey_question');
SELECT enable_tenant_rls('survey_answer');
SELECT enable_tenant_rls('call_list');
SELECT enable_tenant_rls('call_list_caller');
SELECT enable_tenant_rls('call_target');
SELECT enable_tenant_rls('phone_tree');
SELECT enable_tenant_rls('phone_tree_node');
