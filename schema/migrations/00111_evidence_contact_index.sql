-- One index entry fewer for every evidence row, which the outbox writes for
-- every message it sends (and mailin for every message it keeps).
-- evidence_contact (contact_id) is a prefix of evidence_contact_kind
-- (contact_id, kind, received_at, migration 00030): every lookup by contact
-- (the contact page, the dossier, erasure's count, the foreign key's check
-- when a contact row goes) can use the longer index, which the planner
-- already preferred for the contact's evidence in received_at order.

-- +goose Up
DROP INDEX evidence_contact;

-- +goose Down
CREATE INDEX evidence_contact ON evidence (contact_id);
