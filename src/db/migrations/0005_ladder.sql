-- Organizing: engagement ladders, assessments, suggestion rules and suggestions, follow-ups, one-on-ones
-- and the point person (docs/ARCHITECTURE.md, "Ladders, one-on-ones and follow-ups").
--
--   * A ladder's levels are ordered by position; a level is renamed in place and retired (never
--     deleted), so every assessment keeps pointing at the level it named.
--   * A person's current level on a ladder is their latest assessment (assessed_at, then id): there
--     is no "current level" column to drift from the history.
--   * Rules only ever create suggestions; an organizer accepts one (which writes an assessment) or
--     dismisses it. Nothing changes a level without a person deciding.

CREATE TABLE ladder (
  org_id uuid NOT NULL REFERENCES org (id) ON DELETE CASCADE,
  id uuid PRIMARY KEY,
  name text NOT NULL,
  description text,
  -- A person whose latest assessment is older than this is shown as stale.
  stale_after_days integer NOT NULL DEFAULT 90,
  archived_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  seq bigint NOT NULL DEFAULT nextval('change_seq'),
  origin_node uuid,
  origin_id uuid,
  CONSTRAINT ladder_org_name_key UNIQUE (org_id, name),
  CONSTRAINT ladder_org_id_key UNIQUE (org_id, id),
  CONSTRAINT ladder_stale_after_days_check CHECK (stale_after_days BETWEEN 1 AND 3650)
);

CREATE TABLE ladder_level (
  org_id uuid NOT NULL,
  id uuid PRIMARY KEY,
  ladder_id uuid NOT NULL,
  position integer NOT NULL,
  name text NOT NULL,
  description text,
  retired_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  seq bigint NOT NULL DEFAULT nextval('change_seq'),
  origin_node uuid,
  origin_id uuid,
  CONSTRAINT ladder_level_ladder_fkey FOREIGN KEY (org_id, ladder_id) REFERENCES ladder (org_id, id) ON DELETE CASCADE,
  CONSTRAINT ladder_level_position_key UNIQUE (ladder_id, position),
  CONSTRAINT ladder_level_ladder_id_key UNIQUE (ladder_id, id),
  CONSTRAINT ladder_level_position_check CHECK (position >= 1)
);
-- Two live levels of one ladder cannot share a name; a retired one can be named again.
CREATE UNIQUE INDEX ladder_level_live_name_key ON ladder_level (ladder_id, lower(name)) WHERE retired_at IS NULL;

-- Rules that suggest a level from a person's activity. `source` says what is counted: 'activity'
-- counts rows of the activity timeline of the given kinds. Event attendance arrives with events:
-- add its source here and its counter in src/ladder/rules.ts (RULE_COUNTERS).
CREATE TABLE ladder_rule (
  org_id uuid NOT NULL,
  id uuid PRIMARY KEY,
  ladder_id uuid NOT NULL,
  level_id uuid NOT NULL,
  name text NOT NULL,
  source text NOT NULL DEFAULT 'activity',
  activity_kinds text[] NOT NULL DEFAULT '{}',
  min_count integer NOT NULL,
  window_days integer NOT NULL,
  enabled boolean NOT NULL DEFAULT true,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  seq bigint NOT NULL DEFAULT nextval('change_seq'),
  origin_node uuid,
  origin_id uuid,
  CONSTRAINT ladder_rule_ladder_fkey FOREIGN KEY (org_id, ladder_id) REFERENCES ladder (org_id, id) ON DELETE CASCADE,
  CONSTRAINT ladder_rule_level_fkey FOREIGN KEY (ladder_id, level_id) REFERENCES ladder_level (ladder_id, id) ON DELETE CASCADE,
  CONSTRAINT ladder_rule_source_check CHECK (source IN ('activity')),
  CONSTRAINT ladder_rule_activity_kinds_check CHECK (
    activity_kinds <@ ARRAY['note', 'one_on_one', 'call', 'door_knock', 'meeting', 'other']),
  CONSTRAINT ladder_rule_min_count_check CHECK (min_count >= 1),
  CONSTRAINT ladder_rule_window_days_check CHECK (window_days BETWEEN 1 AND 3650)
);

CREATE TABLE ladder_assessment (
  org_id uuid NOT NULL,
  id uuid PRIMARY KEY,
  person_id uuid NOT NULL,
  ladder_id uuid NOT NULL,
  level_id uuid NOT NULL,
  assessed_at timestamptz NOT NULL,
  assessed_by uuid REFERENCES app_user (id) ON DELETE SET NULL,
  evidence text,
  -- 'organizer' (assessed directly) or 'suggestion' (an accepted suggestion, named in suggestion_id).
  source text NOT NULL DEFAULT 'organizer',
  suggestion_id uuid,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  seq bigint NOT NULL DEFAULT nextval('change_seq'),
  origin_node uuid,
  origin_id uuid,
  CONSTRAINT ladder_assessment_person_fkey FOREIGN KEY (org_id, person_id) REFERENCES person (org_id, id) ON DELETE CASCADE,
  CONSTRAINT ladder_assessment_level_fkey FOREIGN KEY (ladder_id, level_id) REFERENCES ladder_level (ladder_id, id) ON DELETE CASCADE,
  CONSTRAINT ladder_assessment_source_check CHECK (source IN ('organizer', 'suggestion'))
);
CREATE INDEX ladder_assessment_person_idx ON ladder_assessment (person_id, ladder_id, assessed_at DESC);
CREATE INDEX ladder_assessment_ladder_idx ON ladder_assessment (org_id, ladder_id, assessed_at);
-- Each person's latest assessment on a ladder, in index order (DISTINCT ON without a sort).
CREATE INDEX ladder_assessment_latest_idx ON ladder_assessment (ladder_id, person_id, assessed_at DESC, id DESC);

CREATE TABLE ladder_suggestion (
  org_id uuid NOT NULL,
  id uuid PRIMARY KEY,
  person_id uuid NOT NULL,
  ladder_id uuid NOT NULL,
  level_id uuid NOT NULL,
  rule_id uuid REFERENCES ladder_rule (id) ON DELETE SET NULL,
  -- What the rule saw: {"count": 3, "window_days": 90, "kinds": ["meeting"]}.
  evidence jsonb NOT NULL,
  status text NOT NULL DEFAULT 'open',
  decided_by uuid REFERENCES app_user (id) ON DELETE SET NULL,
  decided_at timestamptz,
  assessment_id uuid REFERENCES ladder_assessment (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  seq bigint NOT NULL DEFAULT nextval('change_seq'),
  origin_node uuid,
  origin_id uuid,
  CONSTRAINT ladder_suggestion_person_fkey FOREIGN KEY (org_id, person_id) REFERENCES person (org_id, id) ON DELETE CASCADE,
  CONSTRAINT ladder_suggestion_level_fkey FOREIGN KEY (ladder_id, level_id) REFERENCES ladder_level (ladder_id, id) ON DELETE CASCADE,
  CONSTRAINT ladder_suggestion_status_check CHECK (status IN ('open', 'accepted', 'dismissed')),
  CONSTRAINT ladder_suggestion_decided_check CHECK ((status = 'open') = (decided_at IS NULL))
);
-- At most one open suggestion of one level for one person.
CREATE UNIQUE INDEX ladder_suggestion_open_key ON ladder_suggestion (person_id, ladder_id, level_id) WHERE status = 'open';
CREATE INDEX ladder_suggestion_org_idx ON ladder_suggestion (org_id, ladder_id, status, created_at);

ALTER TABLE ladder_assessment ADD CONSTRAINT ladder_assessment_suggestion_fkey
  FOREIGN KEY (suggestion_id) REFERENCES ladder_suggestion (id) ON DELETE SET NULL;

-- A one-on-one is an activity of kind one_on_one on the person's timeline; this holds what the
-- timeline has no column for.
CREATE TABLE one_on_one (
  org_id uuid NOT NULL,
  activity_id uuid PRIMARY KEY REFERENCES activity (id) ON DELETE CASCADE,
  interests text[] NOT NULL DEFAULT '{}',
  next_step text,
  created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE follow_up (
  org_id uuid NOT NULL,
  id uuid PRIMARY KEY,
  person_id uuid NOT NULL,
  owner_id uuid REFERENCES app_user (id) ON DELETE SET NULL,
  title text NOT NULL,
  due_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'open',
  done_at timestamptz,
  -- The one-on-one (activity) it came from, if any.
  activity_id uuid REFERENCES activity (id) ON DELETE SET NULL,
  created_by uuid REFERENCES app_user (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  seq bigint NOT NULL DEFAULT nextval('change_seq'),
  origin_node uuid,
  origin_id uuid,
  CONSTRAINT follow_up_person_fkey FOREIGN KEY (org_id, person_id) REFERENCES person (org_id, id) ON DELETE CASCADE,
  CONSTRAINT follow_up_status_check CHECK (status IN ('open', 'done', 'cancelled')),
  CONSTRAINT follow_up_done_check CHECK ((status = 'open') = (done_at IS NULL))
);
CREATE INDEX follow_up_owner_idx ON follow_up (owner_id, due_at) WHERE status = 'open';
CREATE INDEX follow_up_person_idx ON follow_up (person_id, due_at);

-- The organizer who owns the relationship with a person (one per person).
CREATE TABLE point_person (
  org_id uuid NOT NULL,
  id uuid PRIMARY KEY,
  person_id uuid NOT NULL,
  user_id uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
  assigned_by uuid REFERENCES app_user (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  seq bigint NOT NULL DEFAULT nextval('change_seq'),
  origin_node uuid,
  origin_id uuid,
  CONSTRAINT point_person_person_fkey FOREIGN KEY (org_id, person_id) REFERENCES person (org_id, id) ON DELETE CASCADE,
  CONSTRAINT point_person_person_key UNIQUE (org_id, person_id)
);
CREATE INDEX point_person_user_idx ON point_person (user_id);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['ladder', 'ladder_level', 'ladder_rule', 'ladder_assessment', 'ladder_suggestion',
    'follow_up', 'point_person']
  LOOP
    EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE ON %I FOR EACH ROW EXECUTE FUNCTION touch_row()', t || '_touch', t);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I FOR EACH ROW EXECUTE FUNCTION bury_row()', t || '_bury', t);
  END LOOP;
END $$;

-- New actions: ladders.read (every built-in role, like units.read) and ladders.manage (configuring
-- ladders, levels and rules: organization-wide). seed_builtin_roles is left as it is (other
-- migrations add actions too): the existing built-in roles are updated here, and a trigger named to
-- fire after org_seed_roles adds the actions to a new organization's built-in roles.
CREATE FUNCTION ladder_grant_builtin_actions(p_org uuid) RETURNS void LANGUAGE sql AS $$
  UPDATE role r SET actions = r.actions || ARRAY(
    SELECT a FROM unnest(CASE WHEN r.key IN ('org_admin', 'data_manager')
      THEN ARRAY['ladders.read', 'ladders.manage'] ELSE ARRAY['ladders.read'] END) AS a
    WHERE NOT a = ANY(r.actions))
  WHERE r.org_id = p_org AND r.builtin
    AND r.key IN ('org_admin', 'data_manager', 'staff_organizer', 'local_organizer', 'volunteer', 'analyst')
$$;

SELECT ladder_grant_builtin_actions(id) FROM org;

CREATE FUNCTION org_seed_roles_ladder() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM ladder_grant_builtin_actions(NEW.id);
  RETURN NEW;
END $$;
CREATE TRIGGER org_seed_roles_ladder AFTER INSERT ON org FOR EACH ROW EXECUTE FUNCTION org_seed_roles_ladder();

-- Row-level security (0004): each organization sees only its own rows.
SELECT enable_tenant_rls('ladder');
SELECT enable_tenant_rls('ladder_level');
SELECT enable_tenant_rls('ladder_rule');
SELECT enable_tenant_rls('ladder_assessment');
SELECT enable_tenant_rls('ladder_suggestion');
SELECT enable_tenant_rls('one_on_one');
SELECT enable_tenant_rls('follow_up');
SELECT enable_tenant_rls('point_person');
