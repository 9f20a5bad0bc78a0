-- mailin: every fetched message and the per-mailbox checkpoints. The raw
-- bytes live in evidence (crm); this table says where each came from and
-- what Basis made of it.

-- +goose Up
CREATE TABLE mailbox_checkpoints (
    account     text NOT NULL,
    mailbox     text NOT NULL,
    uidvalidity bigint NOT NULL,
    last_uid    bigint NOT NULL DEFAULT 0,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (account, mailbox, uidvalidity)
);

CREATE TABLE inbound_messages (
    id            bigserial PRIMARY KEY,
    evidence_id   bigint NOT NULL REFERENCES evidence (id),
    sha256        bytea NOT NULL,
    account       text NOT NULL,
    mailbox       text NOT NULL,
    uidvalidity   bigint NOT NULL,
    uid           bigint NOT NULL,
    message_id    text NOT NULL DEFAULT '',
    in_reply_to   text NOT NULL DEFAULT '',
    from_address  text NOT NULL DEFAULT '',
    from_name     text NOT NULL DEFAULT '',
    subject       text NOT NULL DEFAULT '',
    preview       text NOT NULL DEFAULT '',
    internal_date timestamptz NOT NULL,
    stored_at     timestamptz NOT NULL DEFAULT now(),
    size          bigint NOT NULL,
    class         text NOT NULL,
    reason        text NOT NULL DEFAULT '',
    review        text NOT NULL DEFAULT ''
                  CHECK (review IN ('', 'unparseable', 'oversize', 'spam', 'unsubscribe', 'missing_from', 'erased_sender')),
    reviewed_at   timestamptz,
    contact_id    bigint REFERENCES contacts (id),
    UNIQUE (account, mailbox, uidvalidity, uid)
);
CREATE INDEX inbound_messages_sha256 ON inbound_messages (account, mailbox, sha256);
CREATE INDEX inbound_messages_message_id ON inbound_messages (message_id);
CREATE INDEX inbound_messages_contact ON inbound_messages (contact_id, internal_date DESC);
CREATE INDEX inbound_messages_review ON inbound_messages (stored_at DESC) WHERE review <> '' AND reviewed_at IS NULL;
CREATE INDEX inbound_messages_fts ON inbound_messages
    USING gin (to_tsvector('simple', subject || ' ' || from_name || ' ' || preview));

-- +goose Down
DROP TABLE inbound_messages, mailbox_checkpoints;
