-- Data subject requests (Art. 12-22), legal holds on evidence (Art. 17(3)(e)).

-- +goose Up
-- One row per request a person made about their data. The requester is the
-- contact when Basis holds one; otherwise only the keyed hash of the address
-- is kept, so a request from a stranger leaves no address behind.
CREATE TABLE rights_requests (
    id                 bigserial PRIMARY KEY,
    contact_id         bigint REFERENCES contacts (id),
    address_hash       bytea NOT NULL,
    kind               text NOT NULL
                       CHECK (kind IN ('access', 'erasure', 'objection', 'rectification', 'portability', 'restriction')),
    channel            text NOT NULL
                       CHECK (channel IN ('email', 'letter', 'phone', 'web', 'in_person', 'other')),
    received_on        date NOT NULL,
    due_on             date NOT NULL,          -- received_on + 1 month + extended_months (Art. 12(3))
    extended_months    int NOT NULL DEFAULT 0 CHECK (extended_months BETWEEN 0 AND 2),
    extension_reason   text NOT NULL DEFAULT '',
    inbound_message_id bigint REFERENCES inbound_messages (id),
    note               text NOT NULL DEFAULT '',
    status             text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'fulfilled', 'refused')),
    outcome            text NOT NULL DEFAULT '',
    completed_at       timestamptz,
    completed_by       text NOT NULL DEFAULT '',
    created_at         timestamptz NOT NULL DEFAULT now(),
    created_by         text NOT NULL
);
CREATE INDEX rights_requests_open ON rights_requests (due_on) WHERE status = 'open';
CREATE INDEX rights_requests_contact ON rights_requests (contact_id);

-- A legal hold keeps one piece of evidence through an erasure, restricted,
-- until it is lifted (the contact is reached through evidence.contact_id).
CREATE TABLE legal_holds (
    id          bigserial PRIMARY KEY,
    evidence_id bigint NOT NULL REFERENCES evidence (id),
    reason      text NOT NULL CHECK (reason <> ''),
    placed_at   timestamptz NOT NULL DEFAULT now(),
    placed_by   text NOT NULL,
    lifted_at   timestamptz,
    lifted_by   text NOT NULL DEFAULT '',
    lift_reason text NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX legal_holds_active ON legal_holds (evidence_id) WHERE lifted_at IS NULL;

-- +goose Down
DROP TABLE legal_holds, rights_requests;
