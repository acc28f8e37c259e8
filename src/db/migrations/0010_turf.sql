-- Field: turf (a polygon, multipolygon or a set of ZIP codes owned by a unit) and walk lists (the
-- people of a turf by household, in walking order, worked door by door by canvassers).
--
-- Like call lists (0008), a walk list is backed by an ordinary static `list`; a canvasser is an
-- ordinary `list` assignment on it (docs/adr/0014-turf-walk-lists.md).

CREATE TABLE turf (
  org_id uuid NOT NULL REFERENCES org (id) ON DELETE CASCADE,
  id uuid PRIMARY KEY,
  unit_id uuid NOT NULL REFERENCES unit (id),
  name text NOT NULL,
  -- A GeoJSON Polygon or MultiPolygon ([lon, lat] positions, RFC 7946), or NULL for a ZIP turf.
  geometry jsonb,
  zip_codes text[] NOT NULL DEFAULT '{}',
  -- The geometry's bounding box: the indexed prefilter before the exact test.
  min_lat double precision,
  max_lat double precision,
  min_lon double precision,
  max_lon double precision,
  created_by uuid REFERENCES app_user (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  seq bigint NOT NULL DEFAULT nextval('change_seq'),
  origin_node uuid,
  origin_id uuid,
  CONSTRAINT turf_org_id_key UNIQUE (org_id, id),
  CONSTRAINT turf_shape_check CHECK (geometry IS NOT NULL OR cardinality(zip_codes) > 0),
  CONSTRAINT turf_bbox_check CHECK ((geometry IS NULL) = (min_lat IS NULL))
);
CREATE INDEX turf_org_unit_idx ON turf (org_id, unit_id);

-- The bounding-box prefilter of a polygon turf (and of the ZIP fallback's postal codes).
CREATE INDEX person_address_coordinates_idx ON person_address (org_id, latitude, longitude)
  WHERE latitude IS NOT NULL AND longitude IS NOT NULL;

CREATE TABLE walk_list (
  org_id uuid NOT NULL REFERENCES org (id) ON DELETE CASCADE,
  id uuid PRIMARY KEY,
  turf_id uuid NOT NULL,
  name text NOT NULL,
  survey_id uuid,
  -- The static list of the walk list's people; canvassers are assigned to it.
  list_id uuid NOT NULL REFERENCES list (id) ON DELETE CASCADE,
  status text NOT NULL DEFAULT 'open',
  closed_at timestamptz,
  created_by uuid REFERENCES app_user (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  seq bigint NOT NULL DEFAULT nextval('change_seq'),
  origin_node uuid,
  origin_id uuid,
  CONSTRAINT walk_list_turf_fkey FOREIGN KEY (org_id, turf_id) REFERENCES turf (org_id, id) ON DELETE CASCADE,
  CONSTRAINT walk_list_survey_fkey FOREIGN KEY (org_id, survey_id) REFERENCES survey (org_id, id),
  CONSTRAINT walk_list_list_key UNIQUE (list_id),
  CONSTRAINT walk_list_org_id_key UNIQUE (org_id, id),
  CONSTRAINT walk_list_status_check CHECK (status IN ('open', 'closed'))
);
CREATE INDEX walk_list_turf_idx ON walk_list (turf_id);

CREATE TABLE walk_list_canvasser (
  org_id uuid NOT NULL,
  walk_list_id uuid NOT NULL REFERENCES walk_list (id) ON DELETE CASCADE,
  user_id uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
  assignment_id uuid REFERENCES assignment (id) ON DELETE SET NULL,
  created_by uuid REFERENCES app_user (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT walk_list_canvasser_pkey PRIMARY KEY (walk_list_id, user_id)
);
CREATE INDEX walk_list_canvasser_user_idx ON walk_list_canvasser (user_id);

-- A door: one household (one address_key) of the walk list, at its place in the route.
CREATE TABLE walk_door (
  org_id uuid NOT NULL,
  id uuid PRIMARY KEY,
  walk_list_id uuid NOT NULL REFERENCES walk_list (id) ON DELETE CASCADE,
  position integer NOT NULL,
  address_key text NOT NULL,
  address_lines text[] NOT NULL DEFAULT '{}',
  locality text,
  postal_code text,
  latitude double precision,
  longitude double precision,
  status text NOT NULL DEFAULT 'pending',
  last_result text,
  last_result_at timestamptz,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT walk_door_list_position_key UNIQUE (walk_list_id, position),
  CONSTRAINT walk_door_list_address_key UNIQUE (walk_list_id, address_key),
  CONSTRAINT walk_door_status_check CHECK (status IN ('pending', 'done')),
  CONSTRAINT walk_door_result_check CHECK (last_result IS NULL OR last_result IN ('talked', 'not_home', 'moved', 'refused'))
);

CREATE TABLE walk_door_person (
  org_id uuid NOT NULL,
  door_id uuid NOT NULL REFERENCES walk_door (id) ON DELETE CASCADE,
  person_id uuid NOT NULL,
  CONSTRAINT walk_door_person_pkey PRIMARY KEY (door_id, person_id),
  CONSTRAINT walk_door_person_person_fkey FOREIGN KEY (org_id, person_id) REFERENCES person (org_id, id) ON DELETE CASCADE
);
CREATE INDEX walk_door_person_person_idx ON walk_door_person (person_id);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['turf', 'walk_list']
  LOOP
    EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE ON %I FOR EACH ROW EXECUTE FUNCTION touch_row()', t || '_touch', t);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I FOR EACH ROW EXECUTE FUNCTION bury_row()', t || '_bury', t);
  END LOOP;
END $$;

-- turf.manage: draw turf, cut walk lists and assign canvassers. Canvassers need nothing but their
-- assignment. Added to the built-in roles that organize; seed_builtin_roles stays as it is.
CREATE FUNCTION turf_grant_builtin(p_org uuid) RETURNS void LANGUAGE sql AS $$
  UPDATE role SET actions = array_append(actions, 'turf.manage')
  WHERE org_id = p_org AND builtin
    AND key IN ('org_admin', 'data_manager', 'staff_organizer', 'local_organizer')
    AND NOT ('turf.manage' = ANY (actions))
$$;

SELECT turf_grant_builtin(id) FROM org;

-- Fires after org_seed_roles (triggers of one event run in name order).
CREATE FUNCTION org_seed_roles_turf() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM turf_grant_builtin(NEW.id);
  RETURN NEW;
END $$;
CREATE TRIGGER org_seed_roles_turf AFTER INSERT ON org FOR EACH ROW EXECUTE FUNCTION org_seed_roles_turf();

SELECT enable_tenant_rls('turf');
SELECT enable_tenant_rls('walk_list');
SELECT enable_tenant_rls('walk_list_canvasser');
SELECT enable_tenant_rls('walk_door');
SELECT enable_tenant_rls('walk_door_person');
