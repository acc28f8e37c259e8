-- The audit trail: an append-only, hash-chained log per organization (docs/ARCHITECTURE.md,
-- "Audit trail"). Rows are written only by src/audit (the chain code computes seq and hash).
--
--   * audit_event has no foreign key to org: the trail outlives an organization's deletion.
--   * seq runs 1, 2, 3... per organization with no gaps; hash = SHA-256 over a canonical JSON of
--     the entry including prev_hash (the previous entry's hash; 64 zeros for the first).
--   * audit_head holds each chain's end, so that removing the newest entries is detected too.
--   * Triggers refuse UPDATE, DELETE and TRUNCATE. A superuser (or the table owner) can still
--     disable them (ALTER TABLE ... DISABLE TRIGGER): that is what `rhizome audit verify` is for.

CREATE TABLE audit_event (
  org_id uuid NOT NULL,
  seq bigint NOT NULL,
  id uuid NOT NULL,
  at timestamptz NOT NULL,
  action text NOT NULL,
  actor_kind text NOT NULL,
  actor_id uuid,
  actor_label text,
  subject_ids uuid[] NOT NULL DEFAULT '{}',
  fields text[] NOT NULL DEFAULT '{}',
  purpose text,
  detail jsonb NOT NULL DEFAULT '{}',
  prev_hash text NOT NULL,
  hash text NOT NULL,
  CONSTRAINT audit_event_pkey PRIMARY KEY (org_id, seq),
  CONSTRAINT audit_event_seq_check CHECK (seq > 0),
  CONSTRAINT audit_event_action_check CHECK (action IN (
    'person.read', 'people.export', 'view_as.start', 'view_as.read',
    'role.grant', 'role.revoke', 'role.define',
    'assignment.create', 'assignment.delete', 'policy.change',
    'login', 'login.failed', 'logout', 'token.create', 'token.revoke')),
  CONSTRAINT audit_event_actor_kind_check CHECK (actor_kind IN ('user', 'system', 'anonymous')),
  CONSTRAINT audit_event_hash_format_check CHECK (hash ~ '^[0-9a-f]{64}$' AND prev_hash ~ '^[0-9a-f]{64}$')
);
CREATE INDEX audit_event_org_at_idx ON audit_event (org_id, at);
CREATE INDEX audit_event_org_action_idx ON audit_event (org_id, action, seq);
CREATE INDEX audit_event_org_actor_idx ON audit_event (org_id, actor_id, seq) WHERE actor_id IS NOT NULL;
CREATE INDEX audit_event_subject_idx ON audit_event USING gin (subject_ids);

CREATE TABLE audit_head (
  org_id uuid NOT NULL,
  seq bigint NOT NULL,
  hash text NOT NULL,
  CONSTRAINT audit_head_pkey PRIMARY KEY (org_id),
  CONSTRAINT audit_head_hash_format_check CHECK (hash ~ '^[0-9a-f]{64}$')
);

CREATE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'the audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME
    USING ERRCODE = 'insufficient_privilege';
END $$;

-- The head only moves forward, and only for its own organization.
CREATE FUNCTION audit_head_advance() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.org_id <> OLD.org_id OR NEW.seq <= OLD.seq THEN
    RAISE EXCEPTION 'the audit head only moves forward (% to %)', OLD.seq, NEW.seq
      USING ERRCODE = 'insufficient_privilege';
  END IF;
  RETURN NEW;
END $$;

CREATE TRIGGER audit_event_no_update BEFORE UPDATE OR DELETE ON audit_event
  FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_event
  FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_head_forward BEFORE UPDATE ON audit_head
  FOR EACH ROW EXECUTE FUNCTION audit_head_advance();
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_head
  FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_head
  FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
