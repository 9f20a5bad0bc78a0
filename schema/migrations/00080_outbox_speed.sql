-- The outbox under a large campaign: fewer index entries and checks per
-- message. Every outbox row is updated twice (claimed, then its outcome),
-- and neither update can be HOT (status is indexed), so each writes a new
-- entry in every index that covers the row.
--
-- outbox_open replaces outbox_campaign_status and outbox_sending: it holds
-- only the rows still queued or sending, which is all that the campaign
-- "done" check and the recovery of a stopped sender look for, so recording
-- an outcome adds no entry to it. Counting a campaign's rows by status reads
-- them through outbox_campaign_contact.
--
-- The foreign key from outbox.evidence_id to evidence goes: the outcome
-- update writes evidence_id in the transaction that inserts that evidence
-- row, and evidence rows are never deleted (erasure clears their content),
-- so the reference cannot dangle. Its check ran a query per sent message
-- and locked the evidence row (FOR KEY SHARE: one more write of the row
-- just inserted); on a new database the check's cached plan scanned the
-- whole evidence table for every message (20,000 messages: 200 million rows
-- read, 3-4× the time of the rest of the run).
--
-- Each sent message also has its audit event, and the deferred trigger
-- audit_head_advance ran at commit for every one of them (500 calls of a
-- PL/pgSQL function, each a max(seq) lookup, to move audit_head once): a
-- fifth of the CPU of the transaction that records sent messages. An
-- appender that writes audit_head itself in the statement that inserts its
-- events (crm's auditMany) sets basis.audit_head_set for that statement,
-- and its rows queue no trigger; every other insert still does. The head
-- ends at the chain's last event whatever the order of the two kinds of
-- append in a transaction: the trigger of an earlier single event finds a
-- later seq and leaves the head alone.

-- +goose Up
CREATE INDEX outbox_open ON outbox (status, campaign_id) WHERE status IN ('queued', 'sending');
DROP INDEX IF EXISTS outbox_campaign_status;
DROP INDEX IF EXISTS outbox_sending;
ALTER TABLE outbox DROP CONSTRAINT IF EXISTS outbox_evidence_id_fkey;
DROP TRIGGER audit_head_advance ON audit_events;
CREATE CONSTRAINT TRIGGER audit_head_advance AFTER INSERT ON audit_events
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
    WHEN (current_setting('basis.audit_head_set', true) IS DISTINCT FROM 'on')
    EXECUTE FUNCTION audit_head_advance();

-- +goose Down
DROP TRIGGER audit_head_advance ON audit_events;
CREATE CONSTRAINT TRIGGER audit_head_advance AFTER INSERT ON audit_events
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION audit_head_advance();
ALTER TABLE outbox ADD CONSTRAINT outbox_evidence_id_fkey FOREIGN KEY (evidence_id) REFERENCES evidence (id);
CREATE INDEX outbox_sending ON outbox (claimed_by) WHERE status = 'sending';
CREATE INDEX outbox_campaign_status ON outbox (campaign_id, status);
DROP INDEX outbox_open;
