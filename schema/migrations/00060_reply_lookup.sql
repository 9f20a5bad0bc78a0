-- mailin recognises replies by the Message-ID of mail Basis sent.

-- +goose Up
CREATE INDEX outbox_message_id ON outbox (message_id);
-- Outbox rows change status several times: leave room for HOT updates.
ALTER TABLE outbox SET (fillfactor = 70);

-- +goose Down
ALTER TABLE outbox RESET (fillfactor);
DROP INDEX outbox_message_id;
