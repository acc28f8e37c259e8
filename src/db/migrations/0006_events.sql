-- Events, RSVPs and attendance, reminders waiting for outreach, and distributed days of action
-- (campaigns whose volunteers propose events, moderated by any of the campaign's moderators).
--
-- Who sees an event follows its unit (docs/ARCHITECTURE.md, "Events"); who sees its attendees is
-- the access model's: an `event` assignment covers exactly the people with an RSVP to the event.

CREATE TABLE campaign (
  org_id uuid NOT NULL REFERENCES org (id) ON DELETE CASCADE,
  id uuid PRIMARY KEY,
  unit_id uuid NOT NULL REFERENCES unit (id),
  title text NOT NULL,
  description text,
  starts_on date NOT NULL,
  ends_on date NOT NULL,
  -- Hosts trusted to publish without moderation, by email address (they need no account).
  trusted_host_emails text[] NOT NULL DEFAULT '{}',
  created_by uuid REFERENCES app_user (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  seq bigint NOT NULL DEFAULT nextval('change_seq'),
  origin_node uuid,
  origin_id uuid,
  CONSTRAINT campaign_window_check CHECK (ends_on >= starts_on),
  CONSTRAINT campaign_org_id_key UNIQUE (org_id, id)
);

-- Any one of a campaign's moderators may approve a proposed event; there can be several.
CREATE TABLE campaign_moderator (
  org_id uuid NOT NULL,
  campaign_id uuid NOT NULL,
  user_id uuid NOT NULL REFERENCES app_user (id) ON DELETE CASCADE,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT campaign_moderator_pkey PRIMARY KEY (campaign_id, user_id),
  CONSTRAINT campaign_moderator_campaign_fkey FOREIGN KEY (org_id, campaign_id) REFERENCES campaign (org_id, id) ON DELETE CASCADE
);
CREATE INDEX campaign_moderator_user_idx ON campaign_moderator (user_id);

CREATE TABLE event (
  org_id uuid NOT NULL REFERENCES org (id) ON DELETE CASCADE,
  id uuid PRIMARY KEY,
  -- The owning unit: who may see and change the event follows its current path.
  unit_id uuid NOT NULL REFERENCES unit (id),
  campaign_id uuid,
  title text NOT NULL,
  description text,
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  -- IANA zone the event is held in (feeds and pages show local time in it).
  timezone text NOT NULL,
  location_name text,
  address_lines text[] NOT NULL DEFAULT '{}',
  locality text,
  region text,
  postal_code text,
  country text,
  latitude double precision,
  longitude double precision,
  virtual_url text,
  -- NULL: no limit. Past capacity, RSVPs go to the waitlist when it is on, or are refused.
  capacity integer,
  waitlist boolean NOT NULL DEFAULT true,
  visibility text NOT NULL DEFAULT 'unit',
  status text NOT NULL DEFAULT 'draft',
  -- A volunteer who proposed the event through a campaign's public form.
  proposed_by uuid,
  created_by uuid REFERENCES app_user (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  seq bigint NOT NULL DEFAULT nextval('change_seq'),
  origin_node uuid,
  origin_id uuid,
  CONSTRAINT event_org_id_key UNIQUE (org_id, id),
  CONSTRAINT event_campaign_fkey FOREIGN KEY (org_id, campaign_id) REFERENCES campaign (org_id, id) ON DELETE SET NULL (campaign_id),
  CONSTRAINT event_proposed_by_fkey FOREIGN KEY (org_id, proposed_by) REFERENCES person (org_id, id) ON DELETE SET NULL (proposed_by),
  CONSTRAINT event_times_check CHECK (ends_at > starts_at),
  CONSTRAINT event_visibility_check CHECK (visibility IN ('public', 'unit', 'private')),
  CONSTRAINT event_status_check CHECK (status IN ('draft', 'pending_approval', 'published', 'cancelled')),
  CONSTRAINT event_capacity_check CHECK (capacity IS NULL OR capacity >= 0),
  CONSTRAINT event_coordinates_check CHECK ((latitude IS NULL) = (longitude IS NULL)
    AND (latitude IS NULL OR (latitude BETWEEN -90 AND 90 AND longitude BETWEEN -180 AND 180)))
);
CREATE INDEX event_org_starts_idx ON event (org_id, starts_at);
CREATE INDEX event_unit_idx ON event (unit_id);
CREATE INDEX event_campaign_idx ON event (campaign_id, status);
-- The public search: published public events by position.
CREATE INDEX event_public_position_idx ON event (latitude, longitude)
  WHERE visibility = 'public' AND status = 'published' AND latitude IS NOT NULL;

CREATE TABLE event_shift (
  org_id uuid NOT NULL,
  id uuid PRIMARY KEY,
  event_id uuid NOT NULL,
  name text NOT NULL,
  starts_at timestamptz NOT NULL,
  ends_at timestamptz NOT NULL,
  capacity integer,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  seq bigint NOT NULL DEFAULT nextval('change_seq'),
  origin_node uuid,
  origin_id uuid,
  CONSTRAINT event_shift_org_id_key UNIQUE (org_id, id),
  CONSTRAINT event_shift_event_fkey FOREIGN KEY (org_id, event_id) REFERENCES event (org_id, id) ON DELETE CASCADE,
  CONSTRAINT event_shift_times_check CHECK (ends_at > starts_at),
  CONSTRAINT event_shift_capacity_check CHECK (capacity IS NULL OR capacity >= 0)
);
CREATE INDEX event_shift_event_idx ON event_shift (event_id);

-- One row per person per event: the RSVP, then what happened (attended, no-show), or a walk-in.
CREATE TABLE event_rsvp (
  org_id uuid NOT NULL,
  id uuid PRIMARY KEY,
  event_id uuid NOT NULL,
  person_id uuid NOT NULL,
  shift_id uuid,
  status text NOT NULL,
  attendance text,
  walk_in boolean NOT NULL DEFAULT false,
  checked_in_at timestamptz,
  -- Where the RSVP came from (public form, organizer, OSDI) and who referred the person.
  source text NOT NULL,
  referrer text,
  -- The consent choices the person made, as a receipt: what was asked, the answer, when.
  consent jsonb NOT NULL DEFAULT '{}',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  seq bigint NOT NULL DEFAULT nextval('change_seq'),
  origin_node uuid,
  origin_id uuid,
  CONSTRAINT event_rsvp_event_person_key UNIQUE (event_id, person_id),
  CONSTRAINT event_rsvp_event_fkey FOREIGN KEY (org_id, event_id) REFERENCES event (org_id, id) ON DELETE CASCADE,
  CONSTRAINT event_rsvp_person_fkey FOREIGN KEY (org_id, person_id) REFERENCES person (org_id, id) ON DELETE CASCADE,
  CONSTRAINT event_rsvp_shift_fkey FOREIGN KEY (org_id, shift_id) REFERENCES event_shift (org_id, id) ON DELETE SET NULL (shift_id),
  CONSTRAINT event_rsvp_status_check CHECK (status IN ('going', 'waitlisted', 'cancelled')),
  CONSTRAINT event_rsvp_attendance_check CHECK (attendance IS NULL OR attendance IN ('attended', 'no_show')),
  CONSTRAINT event_rsvp_source_check CHECK (source IN ('public', 'organizer', 'osdi', 'walk_in'))
);
CREATE INDEX event_rsvp_person_idx ON event_rsvp (person_id);

-- Reminders for outreach to send; nothing here sends them.
CREATE TABLE event_reminder (
  org_id uuid NOT NULL,
  id uuid PRIMARY KEY,
  event_id uuid NOT NULL,
  rsvp_id uuid NOT NULL REFERENCES event_rsvp (id) ON DELETE CASCADE,
  person_id uuid NOT NULL,
  channel text NOT NULL,
  send_at timestamptz NOT NULL,
  status text NOT NULL DEFAULT 'queued',
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT event_reminder_event_fkey FOREIGN KEY (org_id, event_id) REFERENCES event (org_id, id) ON DELETE CASCADE,
  CONSTRAINT event_reminder_person_fkey FOREIGN KEY (org_id, person_id) REFERENCES person (org_id, id) ON DELETE CASCADE,
  CONSTRAINT event_reminder_rsvp_channel_at_key UNIQUE (rsvp_id, channel, send_at),
  CONSTRAINT event_reminder_channel_check CHECK (channel IN ('email', 'sms')),
  CONSTRAINT event_reminder_status_check CHECK (status IN ('queued', 'sent', 'cancelled'))
);
CREATE INDEX event_reminder_due_idx ON event_reminder (send_at) WHERE status = 'queued';

-- RSVPs and attendance land on the person's timeline.
ALTER TABLE activity DROP CONSTRAINT activity_kind_check;
ALTER TABLE activity ADD CONSTRAINT activity_kind_check
  CHECK (kind IN ('note', 'one_on_one', 'call', 'door_knock', 'meeting', 'other', 'event_rsvp', 'event_attendance'));
-- Ladder rules (0005) may count them too: "attended 3 events in 90 days" suggests a level.
ALTER TABLE ladder_rule DROP CONSTRAINT ladder_rule_activity_kinds_check;
ALTER TABLE ladder_rule ADD CONSTRAINT ladder_rule_activity_kinds_check CHECK (activity_kinds <@ ARRAY[
  'note', 'one_on_one', 'call', 'door_knock', 'meeting', 'other', 'event_rsvp', 'event_attendance']);

DO $$
DECLARE t text;
BEGIN
  FOREACH t IN ARRAY ARRAY['campaign', 'event', 'event_shift', 'event_rsvp']
  LOOP
    EXECUTE format('CREATE TRIGGER %I BEFORE UPDATE ON %I FOR EACH ROW EXECUTE FUNCTION touch_row()', t || '_touch', t);
    EXECUTE format('CREATE TRIGGER %I AFTER DELETE ON %I FOR EACH ROW EXECUTE FUNCTION bury_row()', t || '_bury', t);
  END LOOP;
END $$;

-- The built-in roles get the event actions (seed_builtin_roles stays as it is: a trigger that
-- fires after org_seed_roles adds them for new organizations). Volunteers get none: a host's
-- event assignment gives them their event.
CREATE FUNCTION add_event_actions(p_org uuid) RETURNS void LANGUAGE sql AS $$
  UPDATE role r SET actions = ARRAY(SELECT DISTINCT unnest(r.actions || a.actions) ORDER BY 1)
  FROM (VALUES
    ('org_admin', ARRAY['events.read', 'events.write', 'events.moderate']),
    ('data_manager', ARRAY['events.read', 'events.write', 'events.moderate']),
    ('staff_organizer', ARRAY['events.read', 'events.write', 'events.moderate']),
    ('local_organizer', ARRAY['events.read', 'events.write'])
  ) AS a(key, actions)
  WHERE r.org_id = p_org AND r.builtin AND r.key = a.key
$$;

SELECT add_event_actions(id) FROM org;

CREATE FUNCTION org_seed_roles_events() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM add_event_actions(NEW.id);
  RETURN NEW;
END $$;
CREATE TRIGGER org_seed_roles_events AFTER INSERT ON org FOR EACH ROW EXECUTE FUNCTION org_seed_roles_events();

-- Row-level security (0004): each organization sees only its own rows.
SELECT enable_tenant_rls('campaign');
SELECT enable_tenant_rls('campaign_moderator');
SELECT enable_tenant_rls('event');
SELECT enable_tenant_rls('event_shift');
SELECT enable_tenant_rls('event_rsvp');
SELECT enable_tenant_rls('event_reminder');
