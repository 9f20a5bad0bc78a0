-- The senders that may have messages in flight, so that finding the
-- messages of a stopped sender does not read every open outbox row.
--
-- Since migration 00110 no index selects the rows being sent: the claim
-- (queued -> sending) is a HOT update because no index covers status. The
-- recovery of a stopped sender (mailout's recoverStale, at the start of
-- every pass: every 2 s under basis serve) would read every open row to
-- find the "sending" ones, a million with a paused campaign of a million
-- recipients. A sender now registers its advisory lock key here when it
-- starts and removes it when it stops with every claimed message recorded.
-- The recovery looks here for keys whose lock is no longer held (the
-- process died or lost its connection): with none, it reads nothing else.
-- Rows being sent when this migration runs count as a sender's each.

-- +goose Up
CREATE TABLE outbox_senders (
    owner      bigint PRIMARY KEY, -- the sender's advisory lock key, outbox.claimed_by
    started_at timestamptz NOT NULL DEFAULT now()
);
INSERT INTO outbox_senders (owner)
SELECT DISTINCT claimed_by FROM outbox WHERE status = 'sending' AND claimed_by IS NOT NULL;

-- +goose Down
DROP TABLE outbox_senders;
