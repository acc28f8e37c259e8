-- Public RSVPs taken into an intake log before they are merged (docs/adr/0026-rsvp-intake-log.md).
--
-- An RSVP to an event without a limit on places is answered once its row here has committed (the
-- person's submission, as checked, and when it arrived); the server merges the rows into people,
-- RSVPs, consent and reminders soon after, in arrival order, and deletes each row in the
-- transaction that merged it. A row the merge could not take (the event was cancelled in the
-- meantime) keeps its problem and is removed after 30 days.
CREATE TABLE signup_intake (
  org_id uuid NOT NULL REFERENCES org (id) ON DELETE CASCADE,
  id uuid PRIMARY KEY,
  event_id uuid NOT NULL,
  input jsonb NOT NULL,
  received_at timestamptz NOT NULL,
  problem text,
  CONSTRAINT signup_intake_event_fkey FOREIGN KEY (org_id, event_id) REFERENCES event (org_id, id) ON DELETE CASCADE
);
-- What is waiting, oldest first.
CREATE INDEX signup_intake_waiting_idx ON signup_intake (id) WHERE problem IS NULL;

SELECT enable_tenant_rls('signup_intake');
