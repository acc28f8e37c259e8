-- Forms with custom questions and petitions with targets; their public submissions and
-- signatures. Both are a `form` (kind 'form' or 'petition'), and a signature is a submission of a
-- petition: one table each, one public signup path (src/signup), one set of access rules.
--
-- A form belongs to a unit: managing it (and reading its submissions, each scoped to the people
-- the reader may see) takes `forms.manage` over that unit.

CREATE TABLE form (
  org_id uuid NOT NULL REFERENCES org (id) ON DELETE CASCADE,
  id uuid PRIMARY KEY,
  unit_id uuid NOT NULL REFERENCES unit (id),
  kind text NOT NULL,
  title text NOT NULL,
  description text,
  call_to_action text,
  -- Custom questions, in order: [{key, label, type, required, choices}] (checked by zod in
  -- src/forms/forms.schemas.ts on write and on read).
  questions jsonb NOT NULL DEFAULT '[]',
  -- Petitions: who the petition is addressed to, [{name, title}]; the text they are sent.
  targets jsonb NOT NULL DEFAULT '[]',
  petition_text text,
  -- Only open forms take public submissions; a closed form's page says so.
  status text NOT NULL DEFAULT 'open',
  created_by uuid REFERENCES app_user (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  seq bigint NOT NULL DEFAULT nextval('change_seq'),
  origin_node uuid,
  origin_id uuid,
  CONSTRAINT form_org_id_key UNIQUE (org_id, id),
  CONSTRAINT form_kind_check CHECK (kind IN ('form', 'petition')),
  CONSTRAINT form_status_check CHECK (status IN ('draft', 'open', 'closed')),
  CONSTRAINT form_questions_check CHECK (jsonb_typeof(questions) = 'array'),
  CONSTRAINT form_targets_check CHECK (jsonb_typeof(targets) = 'array')
);
CREATE INDEX form_unit_idx ON form (unit_id);
CREATE INDEX form_org_created_idx ON form (org_id, created_at);

-- A submission of a form or a signature of a petition. A person signs a petition once (a second
-- signature is the same row); a form takes as many submissions as they send.
CREATE TABLE form_submission (
  org_id uuid NOT NULL,
  id uuid PRIMARY KEY,
  form_id uuid NOT NULL,
  person_id uuid NOT NULL,
  -- Copied from the form, so that the one-signature rule is a plain partial unique index.
  form_kind text NOT NULL,
  -- {question key: answer}, checked against the form's questions when written.
  answers jsonb NOT NULL DEFAULT '{}',
  comment text,
  -- Where it came from (the public page, an API client, an organizer) and who referred the person.
  source text NOT NULL,
  referrer text,
  -- The consent choices the person made, as a receipt: what was asked, the answer, when.
  consent jsonb NOT NULL DEFAULT '{}',
  submitted_at timestamptz NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  seq bigint NOT NULL DEFAULT nextval('change_seq'),
  origin_node uuid,
  origin_id uuid,
  CONSTRAINT form_submission_form_fkey FOREIGN KEY (org_id, form_id) REFERENCES form (org_id, id) ON DELETE CASCADE,
  CONSTRAINT form_submission_person_fkey FOREIGN KEY (org_id, person_id) REFERENCES person (org_id, id) ON DELETE CASCADE,
  CONSTRAINT form_submission_kind_check CHECK (form_kind IN ('form', 'petition')),
  CONSTRAINT form_submission_source_check CHECK (source IN ('public', 'osdi', 'organizer'))
);
CREATE INDEX form_submission_form_idx ON form_submission (form_id, submitted_at);
CREATE INDEX form_submission_person_idx ON form_submission (person_id);
CREATE UNIQUE INDEX form_submission_signature_key ON form_submission (form_id, person_id)
  WHERE form_kind = 'petition';

-- Submissions and signatures land on the person's timeline.
ALTER TABLE activity DROP CONSTRAINT activity_kind_check;
ALTER TABLE activity ADD CONSTRAINT activity_kind_check
  CHECK (kind IN ('note', 'one_on_one', 'call', 'door_knock', 'meeting', 'other', 'event_rsvp', 'event_attendance',
    'form_submission', 'petition_signature'));
-- Ladder rules may count them too ("signed 2 petitions in 30 days").
ALTER TABLE ladder_rule DROP CONSTRAINT ladder_rule_activity_kinds_check;
ALTER TABLE ladder_rule ADD CONSTRAINT ladder_rule_activity_kinds_check CHECK (activity_kinds <@ ARRAY[
  'note', 'one_on_one', 'call', 'door_knock', 'meeting', 'other', 'event_rsvp', 'event_attendance',
  'form_submission', 'petition_signature']);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['form', 'form_submission']
  LOOP
    EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE ON %I FOR EACH ROW EXECUTE FUNCTION touch_row()', t || '_touch', t);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I FOR EACH ROW EXECUTE FUNCTION bury_row()', t || '_bury', t);
  END LOOP;
END $$;

-- The organizing built-in roles get forms.manage (seed_builtin_roles stays as it is: a trigger
-- that fires after org_seed_roles adds it for new organizations).
CREATE FUNCTION forms_grant_builtin(p_org uuid) RETURNS void LANGUAGE sql AS $$
  UPDATE role SET actions = array_append(actions, 'forms.manage')
  WHERE org_id = p_org AND builtin
    AND key IN ('org_admin', 'data_manager', 'staff_organizer', 'local_organizer')
    AND NOT ('forms.manage' = ANY (actions))
$$;

SELECT forms_grant_builtin(id) FROM org;

-- Fires after org_seed_roles (triggers of one event run in name order).
CREATE FUNCTION org_seed_roles_forms() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM forms_grant_builtin(NEW.id);
  RETURN NEW;
END $$;
CREATE TRIGGER org_seed_roles_forms AFTER INSERT ON org FOR EACH ROW EXECUTE FUNCTION org_seed_roles_forms();

-- Row-level security (0004): each organization sees only its own rows.
SELECT enable_tenant_rls('form');
SELECT enable_tenant_rls('form_submission');
