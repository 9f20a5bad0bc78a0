-- Double opt-in requests: the token is stored only as its SHA-256.

-- +goose Up
CREATE TABLE consent_requests (
    id         bigserial PRIMARY KEY,
    contact_id bigint NOT NULL REFERENCES contacts (id),
    purpose    text NOT NULL,
    text_id    bigint NOT NULL REFERENCES consent_texts (id),
    token_hash bytea NOT NULL UNIQUE,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL,
    used_at    timestamptz,
    consent_id bigint REFERENCES consents (id),
    created_by text NOT NULL
);
CREATE INDEX consent_requests_contact ON consent_requests (contact_id, purpose);

-- +goose Down
DROP TABLE consent_requests;
