-- The privacy notices `basis notices update` queues for people told an
-- earlier version have their own purpose, privacy_notice_update, and stay
-- out of outbox_notice_unsent (migration 00100). That index holds the
-- candidates for an overdue notice, and a contact with an update notice
-- is never overdue: it was sent one before. With the update notices in
-- it, the dashboard's overdue count checked every one of them while they
-- waited to be sent: 0.5 s per visit with 100,000 informed contacts
-- (5 ms before the update), seconds with a million.
--
-- Update notices queued before this migration keep privacy_notice: they
-- are candidates only until they are sent.

-- +goose Up
DROP INDEX outbox_notice_unsent;
CREATE INDEX outbox_notice_unsent ON outbox (contact_id)
    WHERE kind = 'notice' AND sent_at IS NULL AND purpose <> 'privacy_notice_update';

-- +goose Down
DROP INDEX outbox_notice_unsent;
CREATE INDEX outbox_notice_unsent ON outbox (contact_id) WHERE kind = 'notice' AND sent_at IS NULL;
