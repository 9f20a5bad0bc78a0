-- Core tables of the crm package: contacts, evidence, legal bases, consents,
-- activities, suppression, users and the append-only audit chain.

-- +goose Up
CREATE TABLE users (
    id            bigserial PRIMARY KEY,
    email         text NOT NULL UNIQUE,
    role          text NOT NULL CHECK (role IN ('admin', 'staff', 'auditor')),
    password_hash text NOT NULL,
    language      text NOT NULL DEFAULT '',
    disabled_at   timestamptz,
    created_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE contacts (
    id                bigserial PRIMARY KEY,
    email             text UNIQUE,   -- normalized address; NULL once erased
    address_hash      bytea,         -- HMAC-SHA256(secret_key, email); NULL once erased
    name              text NOT NULL DEFAULT '',
    company           text NOT NULL DEFAULT '',
    phone             text NOT NULL DEFAULT '',
    language          text NOT NULL DEFAULT '',
    status            text NOT NULL DEFAULT 'new'
                      CHECK (status IN ('new', 'reviewed', 'qualified', 'customer', 'rejected', 'erased')),
    source            text NOT NULL,
    previously_erased boolean NOT NULL DEFAULT false,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    last_activity_at  timestamptz NOT NULL DEFAULT now(),
    erased_at         timestamptz
);
-- Room in each page for HOT updates: last_activity_at and updated_at change
-- with every activity and are not indexed.
ALTER TABLE contacts SET (fillfactor = 80);
CREATE INDEX contacts_status_created ON contacts (status, created_at DESC);
CREATE INDEX contacts_address_hash ON contacts (address_hash);

CREATE TABLE evidence (
    id           bigserial PRIMARY KEY,
    contact_id   bigint REFERENCES contacts (id),
    kind         text NOT NULL,
    sha256       bytea NOT NULL CHECK (length(sha256) = 32),
    content      bytea,              -- NULL once erased
    size         bigint NOT NULL,
    content_type text NOT NULL,
    file_name    text NOT NULL DEFAULT '',
    metadata     jsonb NOT NULL DEFAULT '{}',
    received_at  timestamptz NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    created_by   text NOT NULL,
    erased_at    timestamptz
);
CREATE INDEX evidence_contact ON evidence (contact_id);
CREATE INDEX evidence_sha256 ON evidence (sha256);

-- Evidence is immutable: its hash never changes and its content may only be
-- removed (by erasure), never replaced.
-- +goose StatementBegin
CREATE FUNCTION evidence_immutable() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.sha256 <> OLD.sha256
       OR (NEW.content IS NOT NULL AND NEW.content IS DISTINCT FROM OLD.content) THEN
        RAISE EXCEPTION 'evidence % is immutable: only erasure may remove its content', OLD.id;
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd
CREATE TRIGGER evidence_immutable BEFORE UPDATE ON evidence
    FOR EACH ROW EXECUTE FUNCTION evidence_immutable();

CREATE TABLE consent_texts (
    id         bigserial PRIMARY KEY,
    purpose    text NOT NULL,
    language   text NOT NULL,
    version    text NOT NULL,
    body       text NOT NULL,
    sha256     bytea NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE consents (
    id               bigserial PRIMARY KEY,
    contact_id       bigint NOT NULL REFERENCES contacts (id),
    purpose          text NOT NULL,
    text_id          bigint NOT NULL REFERENCES consent_texts (id),
    method           text NOT NULL,
    requested_at     timestamptz,
    confirmed_at     timestamptz NOT NULL,
    ip               text NOT NULL DEFAULT '',
    user_agent       text NOT NULL DEFAULT '',
    request_id       bigint,
    evidence_id      bigint REFERENCES evidence (id),
    withdrawn_at     timestamptz,
    withdrawn_reason text NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX consents_contact ON consents (contact_id);

CREATE TABLE bases (
    id               bigserial PRIMARY KEY,
    contact_id       bigint NOT NULL REFERENCES contacts (id),
    purpose          text NOT NULL,
    kind             text NOT NULL
                     CHECK (kind IN ('consent', 'legitimate_interest', 'contract', 'soft_opt_in', 'legal_obligation')),
    source           text NOT NULL
                     CHECK (source IN ('inbound_email', 'forwarded_email', 'business_card', 'customer_relationship',
                                       'web_form', 'double_opt_in', 'manual', 'import')),
    evidence_id      bigint REFERENCES evidence (id),
    consent_id       bigint REFERENCES consents (id),
    reason           text NOT NULL DEFAULT '',
    valid_from       timestamptz NOT NULL DEFAULT now(),
    valid_until      timestamptz,
    withdrawn_at     timestamptz,
    withdrawn_reason text NOT NULL DEFAULT '',
    created_at       timestamptz NOT NULL DEFAULT now(),
    created_by       text NOT NULL
);
CREATE INDEX bases_contact ON bases (contact_id, purpose);
CREATE INDEX bases_purpose_active ON bases (purpose, contact_id) WHERE withdrawn_at IS NULL;

CREATE TABLE activities (
    id          bigserial PRIMARY KEY,
    contact_id  bigint NOT NULL REFERENCES contacts (id),
    kind        text NOT NULL
                CHECK (kind IN ('call', 'email', 'meeting', 'note', 'reply', 'auto_reply', 'bounce')),
    reason      text NOT NULL CHECK (reason <> ''),
    note        text NOT NULL DEFAULT '',
    evidence_id bigint REFERENCES evidence (id),
    actor       text NOT NULL,
    at          timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX activities_contact ON activities (contact_id, at DESC);

-- Suppression is keyed by HMAC-SHA256(secret_key, normalized address) so that
-- it survives erasure without keeping the address.
CREATE TABLE suppressions (
    id           bigserial PRIMARY KEY,
    address_hash bytea NOT NULL,
    purpose      text NOT NULL,   -- '*' = every purpose
    reason       text NOT NULL
                 CHECK (reason IN ('objection', 'unsubscribe', 'hard_bounce', 'complaint', 'erasure')),
    created_at   timestamptz NOT NULL DEFAULT now(),
    UNIQUE (address_hash, purpose)
);

CREATE TABLE audit_events (
    seq          bigint PRIMARY KEY,
    at           timestamptz NOT NULL,
    actor        text NOT NULL,
    action       text NOT NULL,
    contact_id   bigint,
    payload      json NOT NULL,   -- json, not jsonb: the exact bytes that payload_hash covers
    payload_hash bytea NOT NULL,
    prev_hash    bytea NOT NULL,
    hash         bytea NOT NULL,
    redacted_at  timestamptz
);
CREATE INDEX audit_events_contact ON audit_events (contact_id, seq);
CREATE INDEX audit_events_action ON audit_events (action, seq);

CREATE TABLE audit_head (
    id   int PRIMARY KEY CHECK (id = 1),
    seq  bigint NOT NULL,
    hash bytea NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, decode(repeat('00', 32), 'hex'));

-- audit_append adds one event to the chain in one round trip. A
-- transaction-scoped advisory lock serializes appenders until their
-- transactions end, so sequence order is commit order. The hash covers the
-- previous hash, the sequence number, the time (microseconds since the
-- epoch), actor, action, contact and the SHA-256 of the payload's exact
-- bytes; crm.VerifyAudit recomputes it in Go.
-- +goose StatementBegin
CREATE FUNCTION audit_append(p_at timestamptz, p_actor text, p_action text, p_contact bigint, p_payload json)
RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    h_seq  bigint := 0;
    h_hash bytea := decode(repeat('00', 32), 'hex');
    p_hash bytea := sha256(convert_to(p_payload::text, 'UTF8'));
    n_hash bytea;
BEGIN
    PERFORM pg_advisory_xact_lock(7305994112349750123);
    SELECT seq, hash INTO h_seq, h_hash FROM audit_events ORDER BY seq DESC LIMIT 1;
    IF NOT FOUND THEN
        h_seq := 0;
        h_hash := decode(repeat('00', 32), 'hex');
    END IF;
    n_hash := sha256(h_hash || int8send(h_seq + 1)
        || int8send((extract(epoch FROM p_at) * 1000000)::bigint)
        || convert_to(p_actor, 'UTF8') || '\x00'::bytea
        || convert_to(p_action, 'UTF8') || '\x00'::bytea
        || convert_to(COALESCE(p_contact::text, '-'), 'UTF8') || '\x00'::bytea
        || p_hash);
    INSERT INTO audit_events (seq, at, actor, action, contact_id, payload, payload_hash, prev_hash, hash)
    VALUES (h_seq + 1, p_at, p_actor, p_action, p_contact, p_payload, p_hash, h_hash, n_hash);
    RETURN h_seq + 1;
END $$;
-- +goose StatementEnd

-- audit_head records the chain's last event, so that deleting events at the
-- end is detected. It is written once per transaction, at commit, by the
-- last event's deferred trigger: updating one row for every event of a
-- large transaction would make each update walk all earlier versions.
-- +goose StatementBegin
CREATE FUNCTION audit_head_advance() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.seq = (SELECT max(seq) FROM audit_events) THEN
        UPDATE audit_head SET seq = NEW.seq, hash = NEW.hash WHERE id = 1;
    END IF;
    RETURN NULL;
END $$;
-- +goose StatementEnd
CREATE CONSTRAINT TRIGGER audit_head_advance AFTER INSERT ON audit_events
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audit_head_advance();

-- The audit table is append-only. The one exception is erasure's redaction,
-- which replaces the payload (and sets redacted_at) inside a transaction that
-- set basis.redacting; every hash stays as it was, so the chain still verifies.
-- +goose StatementBegin
CREATE FUNCTION audit_events_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND current_setting('basis.redacting', true) = 'on'
       AND NEW.seq = OLD.seq AND NEW.at = OLD.at AND NEW.actor = OLD.actor AND NEW.action = OLD.action
       AND NEW.contact_id IS NOT DISTINCT FROM OLD.contact_id
       AND NEW.payload_hash = OLD.payload_hash AND NEW.prev_hash = OLD.prev_hash AND NEW.hash = OLD.hash
       AND NEW.redacted_at IS NOT NULL THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit_events is append-only: % refused', TG_OP;
END $$;
-- +goose StatementEnd
CREATE TRIGGER audit_events_append_only BEFORE UPDATE OR DELETE ON audit_events
    FOR EACH ROW EXECUTE FUNCTION audit_events_append_only();
CREATE TRIGGER audit_events_no_truncate BEFORE TRUNCATE ON audit_events
    FOR EACH STATEMENT EXECUTE FUNCTION audit_events_append_only();

-- +goose Down
DROP TABLE audit_head, audit_events, suppressions, activities, bases, consents, consent_texts, evidence, contacts, users;
DROP FUNCTION audit_append, audit_head_advance, audit_events_append_only, evidence_immutable;
