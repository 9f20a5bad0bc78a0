-- Only messages that were sent have a Message-ID: the queued ones have ''.
-- Indexing '' gave every queued row (a campaign's whole audience, each
-- privacy notice) an index entry that no lookup reads; mailin's reply
-- lookup (mailin/ingest_batch_lookup.go) asks for non-empty ids and says
-- so, which lets the planner use this partial index.
--
-- The new index is built before the old one is dropped: the build takes a
-- SHARE lock (the outbox can be read, not written, meanwhile), and the
-- ACCESS EXCLUSIVE lock of DROP INDEX is held only from the drop to the
-- commit, not for the whole build.

-- +goose Up
CREATE INDEX outbox_message_id_sent ON outbox (message_id) WHERE message_id <> '';
DROP INDEX outbox_message_id;
ALTER INDEX outbox_message_id_sent RENAME TO outbox_message_id;

-- +goose Down
CREATE INDEX outbox_message_id_all ON outbox (message_id);
DROP INDEX outbox_message_id;
ALTER INDEX outbox_message_id_all RENAME TO outbox_message_id;
