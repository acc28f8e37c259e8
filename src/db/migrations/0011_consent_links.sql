-- Consent links: a person reached by email opens /consent/<token> and changes a few plain choices
-- (email per address, texts, do-not-contact) without signing in. See
-- docs/adr/0018-consent-links-token-design.md.
--
-- A token is `<link id>.<32 random bytes>`, both base64url. Only HMAC-SHA256(key, link id || '.' ||
-- random part) is stored, under a secret kept per organization on this node (consent_key): a copy
-- of consent_link alone cannot confirm a token, and replacing an organization's key ends every
-- link it has outstanding. A link names one person of one organization, expires, and can be
-- revoked.

CREATE TABLE consent_key (
  org_id uuid NOT NULL REFERENCES org (id) ON DELETE CASCADE,
  id uuid PRIMARY KEY,
  secret bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT consent_key_org_key UNIQUE (org_id),
  CONSTRAINT consent_key_secret_check CHECK (octet_length(secret) = 32)
);

CREATE TABLE consent_link (
  org_id uuid NOT NULL,
  id uuid PRIMARY KEY,
  person_id uuid NOT NULL,
  token_mac bytea NOT NULL,
  -- Why the link was made (the message or campaign it went out with), for the organization's records.
  purpose text NOT NULL,
  created_by uuid REFERENCES app_user (id) ON DELETE SET NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  expires_at timestamptz NOT NULL,
  revoked_at timestamptz,
  last_used_at timestamptz,
  CONSTRAINT consent_link_person_fkey FOREIGN KEY (org_id, person_id) REFERENCES person (org_id, id) ON DELETE CASCADE,
  CONSTRAINT consent_link_mac_check CHECK (octet_length(token_mac) = 32),
  CONSTRAINT consent_link_purpose_check CHECK (char_length(purpose) BETWEEN 1 AND 200),
  CONSTRAINT consent_link_expiry_check CHECK (expires_at > created_at)
);
CREATE INDEX consent_link_person_idx ON consent_link (org_id, person_id, created_at);

-- A person's choice for a channel the person record has no column for: texts (SMS). Email keeps
-- its status on each address (person_email.status); do-not-contact is the person's own flag.
CREATE TABLE channel_consent (
  org_id uuid NOT NULL,
  id uuid PRIMARY KEY,
  person_id uuid NOT NULL,
  channel text NOT NULL,
  status text NOT NULL,
  changed_at timestamptz NOT NULL,
  -- Who changed it last: the person on a consent link, a user, an import (as provenance elsewhere).
  source_kind text NOT NULL,
  source_ref text,
  created_at timestamptz NOT NULL DEFAULT now(),
  updated_at timestamptz NOT NULL DEFAULT now(),
  seq bigint NOT NULL DEFAULT nextval('change_seq'),
  origin_node uuid,
  origin_id uuid,
  CONSTRAINT channel_consent_person_channel_key UNIQUE (org_id, person_id, channel),
  CONSTRAINT channel_consent_person_fkey FOREIGN KEY (org_id, person_id) REFERENCES person (org_id, id) ON DELETE CASCADE,
  CONSTRAINT channel_consent_channel_check CHECK (channel IN ('sms')),
  CONSTRAINT channel_consent_status_check CHECK (status IN ('opted_in', 'opted_out'))
);

-- Every change made on a consent page, as a receipt: what the page asked (in its language), what
-- each choice was before and after, when, through which link.
CREATE TABLE consent_receipt (
  org_id uuid NOT NULL,
  id uuid PRIMARY KEY,
  person_id uuid NOT NULL,
  link_id uuid REFERENCES consent_link (id) ON DELETE SET NULL,
  receipt jsonb NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now(),
  CONSTRAINT consent_receipt_person_fkey FOREIGN KEY (org_id, person_id) REFERENCES person (org_id, id) ON DELETE CASCADE,
  CONSTRAINT consent_receipt_object_check CHECK (jsonb_typeof(receipt) = 'object')
);
CREATE INDEX consent_receipt_person_idx ON consent_receipt (org_id, person_id, created_at);

CREATE TRIGGER channel_consent_touch BEFORE UPDATE ON channel_consent FOR EACH ROW EXECUTE FUNCTION touch_row();
CREATE TRIGGER channel_consent_bury AFTER DELETE ON channel_consent FOR EACH ROW EXECUTE FUNCTION bury_row();

-- Row-level security (0004): each organization sees only its own rows.
SELECT enable_tenant_rls('consent_key');
SELECT enable_tenant_rls('consent_link');
SELECT enable_tenant_rls('channel_consent');
SELECT enable_tenant_rls('consent_receipt');
