-- Staff sessions of the web UI, and the indexes that keep its pages fast
-- with a million contacts: trigram search over name, address and company.

-- +goose Up
CREATE TABLE web_sessions (
    id         bigserial PRIMARY KEY,
    token_hash bytea NOT NULL UNIQUE,   -- SHA-256 of the cookie value; the token itself is never stored
    user_id    bigint NOT NULL REFERENCES users (id),
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    ip         text NOT NULL DEFAULT '',
    user_agent text NOT NULL DEFAULT ''
);
CREATE INDEX web_sessions_user ON web_sessions (user_id);
CREATE INDEX web_sessions_expires ON web_sessions (expires_at);

-- A contact merged into another (same person, two addresses) points at it.
ALTER TABLE contacts ADD COLUMN merged_into bigint REFERENCES contacts (id);

CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX contacts_search_trgm ON contacts
    USING gin ((lower(COALESCE(email, '') || ' ' || name || ' ' || company)) gin_trgm_ops)
    WHERE erased_at IS NULL;
CREATE INDEX contacts_review ON contacts (created_at DESC, id DESC) WHERE status = 'new';
CREATE INDEX audit_events_actor ON audit_events (actor, seq);
CREATE INDEX evidence_contact_kind ON evidence (contact_id, kind, received_at);
CREATE INDEX consent_requests_open ON consent_requests (expires_at) WHERE used_at IS NULL;

-- +goose Down
DROP INDEX consent_requests_open, evidence_contact_kind, audit_events_actor, contacts_review, contacts_search_trgm;
DROP TABLE web_sessions;
ALTER TABLE contacts DROP COLUMN merged_into;
