-- Only messages that were sent have a Message-ID: the queued ones have ''.
-- Indexing '' gave every queued row (a campaign's whole audience, each
-- privacy notice) an index entry that no lookup reads; mailin's reply
-- lookup (mailin/ingest_batch_lookup.go) asks for non-empty ids and says
-- so, which lets the planner use this partial index.

-- +goose Up
DROP INDEX outbox_message_id;
CREATE INDEX outbox_message_id ON outbox (message_id) WHERE message_id <> '';

-- +goose Down
DROP INDEX outbox_message_id;
CREATE INDEX outbox_message_id ON outbox (message_id);
