-- mailin recognises replies by the Message-ID of mail Basis sent.

-- +goose Up
CREATE INDEX outbox_message_id ON outbox (message_id);

-- +goose Down
DROP INDEX outbox_message_id;
