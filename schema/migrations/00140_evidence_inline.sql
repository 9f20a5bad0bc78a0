-- Keep a typical message in the evidence row itself. PostgreSQL compresses
-- a row's content when the row passes ~2 KB, and moves it to the TOAST
-- table when it is still over the row's target after compression (2 KB by
-- default). A 4-5 KB message compresses to just over 2 KB with lz4
-- (migration 00070), so every sent notice or campaign message, and most
-- inquiries, went out of line in two TOAST chunks: two more heap rows and
-- two more index entries, with their WAL, per message. With a target of
-- 4 KB it stays in the row, compressed; larger messages still go to TOAST.
-- Rows already stored are not rewritten.

-- +goose Up
ALTER TABLE evidence SET (toast_tuple_target = 4096);

-- +goose Down
ALTER TABLE evidence RESET (toast_tuple_target);
