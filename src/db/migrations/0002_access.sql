-- Access control: roles (sets of actions and field classes, editable per organization), role
-- bindings (user, role, unit subtree, optional expiry) and assignments (user, list | saved search
-- | event | turf | call list), plus the deny flags a person record can carry.
--
-- A user's access is the union of their live bindings and assignments, read fresh on every
-- request: there is no per-user visibility cache to rebuild (docs/ARCHITECTURE.md, "Access").

CREATE TABLE role (
  org_id uuid NOT NULL REFERENCES org (id) ON DELETE CASCADE,
  id uuid PRIMARY KEY,
  -- Built-in roles keep their key (org_admin, data_manager, ...); custom roles get their own.
  key text NOT NULL,
  name text NOT NULL,
  actions text[] NOT NULL,
  field_classes text[] NOT NULL,
  builtin boolean NOT NULL DEFAULT false,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  seq bigint NOT NULL DEFAULT nextval('change_seq'),
  origin_node uuid,
  origin_id uuid,
  CONSTRAINT role_org_key_key UNIQUE (org_id, key),
  CONSTRAINT role_key_format_check CHECK (key ~ '^[a-z][a-z0-9_]{1,62}$'),
  CONSTRAINT role_field_classes_check CHECK (field_classes <@ ARRAY['basic', 'contact', 'status', 'restricted', 'financial'])
);

CREATE TABLE role_binding (
  org_id uuid NOT NULL REFERENCES org (id) ON DELETE CASCADE,
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
  role_id uuid NOT NULL REFERENCES role (id) ON DELETE CASCADE,
  -- NULL: the whole organization. Otherwise this unit and every unit under it, by the unit's
  -- current path (a unit that moves takes its bindings with it).
  unit_id uuid REFERENCES unit (id) ON DELETE CASCADE,
  expires_at timestamptz,
  created_by uuid REFERENCES app_user (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  seq bigint NOT NULL DEFAULT nextval('change_seq'),
  origin_node uuid,
  origin_id uuid,
  CONSTRAINT role_binding_user_role_unit_key UNIQUE NULLS NOT DISTINCT (org_id, user_id, role_id, unit_id)
);
CREATE INDEX role_binding_user_idx ON role_binding (user_id);

CREATE TABLE assignment (
  org_id uuid NOT NULL REFERENCES org (id) ON DELETE CASCADE,
  id uuid PRIMARY KEY,
  user_id uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
  -- What the assignment is for. Lists and saved searches exist today; events, turfs and call lists
  -- reference the tables that organizing adds.
  target_kind text NOT NULL,
  target_id uuid NOT NULL,
  actions text[] NOT NULL,
  field_classes text[] NOT NULL DEFAULT '{}',
  -- Single built-in fields granted on top of the classes (a host sees given_name only).
  fields text[] NOT NULL DEFAULT '{}',
  expires_at timestamptz,
  created_by uuid REFERENCES app_user (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  seq bigint NOT NULL DEFAULT nextval('change_seq'),
  origin_node uuid,
  origin_id uuid,
  CONSTRAINT assignment_user_target_key UNIQUE (org_id, user_id, target_kind, target_id),
  CONSTRAINT assignment_target_kind_check CHECK (target_kind IN ('list', 'saved_search', 'event', 'turf', 'call_list')),
  CONSTRAINT assignment_field_classes_check CHECK (field_classes <@ ARRAY['basic', 'contact', 'status', 'restricted', 'financial'])
);
CREATE INDEX assignment_user_idx ON assignment (user_id);
CREATE INDEX assignment_target_idx ON assignment (org_id, target_kind, target_id);

-- A person under legal hold cannot be changed, merged or deleted by anyone until the hold is lifted.
ALTER TABLE person ADD COLUMN legal_hold boolean NOT NULL DEFAULT false;

-- Built-in roles for every organization (new organizations get them from the orgs service).
CREATE FUNCTION seed_builtin_roles(p_org uuid) RETURNS void LANGUAGE sql AS $$
  INSERT INTO role (org_id, id, key, name, actions, field_classes, builtin)
  SELECT p_org, uuid_v7(), r.key, r.name, r.actions, r.field_classes, true
  FROM (VALUES
    ('org_admin', 'Organization admin',
      ARRAY['people.read', 'people.write', 'people.delete', 'people.merge', 'people.import', 'people.export',
        'people.aggregate', 'person.message', 'person.call', 'tags.read', 'tags.write', 'lists.read', 'lists.write',
        'fields.manage', 'units.read', 'units.manage', 'users.manage', 'access.manage', 'audit.read', 'tokens.own'],
      ARRAY['basic', 'contact', 'status', 'restricted', 'financial']),
    ('data_manager', 'Data manager',
      ARRAY['people.read', 'people.write', 'people.delete', 'people.merge', 'people.import', 'people.export',
        'people.aggregate', 'person.message', 'person.call', 'tags.read', 'tags.write', 'lists.read', 'lists.write',
        'fields.manage', 'units.read', 'tokens.own'],
      ARRAY['basic', 'contact', 'status', 'restricted', 'financial']),
    ('staff_organizer', 'Staff organizer',
      ARRAY['people.read', 'people.write', 'people.aggregate', 'person.message', 'person.call', 'tags.read',
        'tags.write', 'lists.read', 'lists.write', 'units.read', 'tokens.own'],
      ARRAY['basic', 'contact', 'status']),
    ('local_organizer', 'Local organizer',
      ARRAY['people.read', 'people.write', 'people.aggregate', 'person.message', 'person.call', 'tags.read',
        'lists.read', 'lists.write', 'units.read', 'tokens.own'],
      ARRAY['basic', 'status']),
    ('volunteer', 'Volunteer',
      ARRAY['tags.read', 'units.read', 'tokens.own'],
      ARRAY['basic']),
    ('analyst', 'Analyst (aggregates only)',
      ARRAY['people.aggregate', 'tags.read', 'units.read', 'tokens.own'],
      ARRAY[]::text[])
  ) AS r(key, name, actions, field_classes)
  ON CONFLICT ON CONSTRAINT role_org_key_key DO NOTHING
$$;

SELECT seed_builtin_roles(id) FROM org;

-- Every new organization starts with the built-in roles, whichever way it is created.
CREATE FUNCTION org_seed_roles() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM seed_builtin_roles(NEW.id);
  RETURN NEW;
END $$;
CREATE TRIGGER org_seed_roles AFTER INSERT ON org FOR EACH ROW EXECUTE FUNCTION org_seed_roles();

-- Each user's single organization-wide role becomes a binding at the organization root.
INSERT INTO role_binding (org_id, id, user_id, role_id)
SELECT u.org_id, uuid_v7(), u.id, r.id
FROM app_user u JOIN role r ON r.org_id = u.org_id AND r.key = u.role;

ALTER TABLE app_user DROP COLUMN role;

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['role', 'role_binding', 'assignment']
  LOOP
    EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE ON %I FOR EACH ROW EXECUTE FUNCTION touch_row()', t || '_touch', t);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I FOR EACH ROW EXECUTE FUNCTION bury_row()', t || '_bury', t);
  END LOOP;
END $$;
