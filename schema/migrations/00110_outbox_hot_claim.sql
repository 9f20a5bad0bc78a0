-- The claim of a message (queued -> sending) becomes a HOT update. Every
-- outbox row is written three times under a campaign: inserted queued,
-- claimed, then its outcome recorded. A HOT update writes no index entry,
-- but PostgreSQL allows it only when no indexed column changes, counting
-- the columns of partial-index predicates. outbox_due (WHERE status =
-- 'queued') and outbox_open (status, campaign_id WHERE status IN ...) made
-- every claim non-HOT: five new index entries per message (pkey,
-- outbox_campaign_contact, outbox_contact, outbox_message_id, outbox_open).
--
-- They become outbox_queue and outbox_unfinished, which select the open
-- rows by finished_at IS NULL, which the claim of an eligible message does
-- not change. The due scan (mailout's claim) filters status = 'queued' on
-- the row and walks past the few hundred rows in flight (claimed, outcome
-- not yet recorded); the outcome sets finished_at and takes the row out of
-- both indexes.
--
-- A HOT update also needs room for the new version on the row's page. At
-- the fillfactor of 70 (migration 00060) only about 40% of the claims of a
-- 20,000-message campaign found it (pg_stat_user_tables.n_tup_hot_upd);
-- at 50 a page keeps room for one more version of each of its rows.
--
-- A row queued or sending must have no finished_at, or the claim would
-- never find it: the check outbox_open_not_finished says so for every
-- writer. Every writer already did (a retry queues with finished_at NULL, a
-- recovered notice too); rows that break it, if any, are reopened first.
-- A closed row without a finished_at would stay in both indexes and every
-- claim would walk past it (the queries filter status, so only time is
-- lost): crm's erasure cancels queued rows without setting it. Such rows
-- get the migration's time as the time they were closed.

-- +goose Up
UPDATE outbox SET finished_at = NULL WHERE status IN ('queued', 'sending') AND finished_at IS NOT NULL;
UPDATE outbox SET finished_at = now() WHERE status NOT IN ('queued', 'sending') AND finished_at IS NULL;
ALTER TABLE outbox ADD CONSTRAINT outbox_open_not_finished CHECK (finished_at IS NULL OR status NOT IN ('queued', 'sending'));
ALTER TABLE outbox SET (fillfactor = 50);
CREATE INDEX outbox_queue ON outbox (next_attempt_at, id) WHERE finished_at IS NULL;
CREATE INDEX outbox_unfinished ON outbox (campaign_id) WHERE finished_at IS NULL;
DROP INDEX outbox_due;
DROP INDEX outbox_open;

-- +goose Down
CREATE INDEX outbox_open ON outbox (status, campaign_id) WHERE status IN ('queued', 'sending');
CREATE INDEX outbox_due ON outbox (next_attempt_at, id) WHERE status = 'queued';
DROP INDEX outbox_unfinished;
DROP INDEX outbox_queue;
ALTER TABLE outbox DROP CONSTRAINT outbox_open_not_finished;
ALTER TABLE outbox SET (fillfactor = 70);
