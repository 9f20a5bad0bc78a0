-- The mailout package's tables: privacy notice texts, campaigns and the
-- outbox. The exact bytes of every sent message are crm evidence rows
-- (kind sent_message), referenced here by evidence_id.

-- +goose Up
-- Each version of a privacy notice (Art. 13/14), stored once with its hash.
CREATE TABLE notice_texts (
    id         bigserial PRIMARY KEY,
    language   text NOT NULL,
    version    text NOT NULL,
    subject    text NOT NULL,
    body       text NOT NULL,
    sha256     bytea NOT NULL UNIQUE CHECK (length(sha256) = 32),
    created_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE campaigns (
    id           bigserial PRIMARY KEY,
    name         text NOT NULL CHECK (name <> ''),
    purpose      text NOT NULL,
    subject      text NOT NULL,
    text_body    text NOT NULL,
    html_body    text NOT NULL DEFAULT '',
    language     text NOT NULL DEFAULT '',
    segment      jsonb NOT NULL DEFAULT '{}',
    status       text NOT NULL DEFAULT 'draft'
                 CHECK (status IN ('draft', 'scheduled', 'running', 'paused', 'cancelled', 'done')),
    scheduled_at timestamptz,
    started_at   timestamptz,
    finished_at  timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now(),
    created_by   text NOT NULL
);

-- One row per outgoing message. The recipient's address and name are not
-- copied here: they are read from contacts when the message is sent. Only a
-- consent request keeps its rendered text (the confirmation token exists
-- nowhere else in clear), until it is sent or the contact is erased.
CREATE TABLE outbox (
    id              bigserial PRIMARY KEY,
    contact_id      bigint NOT NULL REFERENCES contacts (id),
    kind            text NOT NULL CHECK (kind IN ('notice', 'consent_request', 'campaign', 'manual')),
    purpose         text NOT NULL,
    campaign_id     bigint REFERENCES campaigns (id),
    notice_text_id  bigint REFERENCES notice_texts (id),
    consent_request_id bigint REFERENCES consent_requests (id),
    subject         text NOT NULL DEFAULT '',
    body_text       text NOT NULL DEFAULT '',
    body_html       text NOT NULL DEFAULT '',
    status          text NOT NULL DEFAULT 'queued'
                    CHECK (status IN ('queued', 'sending', 'sent', 'failed', 'unknown', 'skipped', 'cancelled')),
    attempts        int NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    claimed_by      bigint,       -- the sender's advisory lock key while status = 'sending'
    claimed_at      timestamptz,
    message_id      text NOT NULL DEFAULT '',
    evidence_id     bigint REFERENCES evidence (id),
    last_error      text NOT NULL DEFAULT '',
    sent_at         timestamptz,
    finished_at     timestamptz,
    created_at      timestamptz NOT NULL DEFAULT now(),
    created_by      text NOT NULL DEFAULT ''
);
CREATE UNIQUE INDEX outbox_campaign_contact ON outbox (campaign_id, contact_id) WHERE campaign_id IS NOT NULL;
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE status = 'queued';
CREATE INDEX outbox_sending ON outbox (claimed_by) WHERE status = 'sending';
CREATE INDEX outbox_contact ON outbox (contact_id, kind);
CREATE INDEX outbox_campaign_status ON outbox (campaign_id, status);

-- +goose Down
DROP TABLE outbox, campaigns, notice_texts;
