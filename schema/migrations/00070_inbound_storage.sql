-- Storage of inbound mail for ingest speed. Evidence content (raw mail,
-- mostly text) and the preview of inbound messages are compressed with lz4
-- instead of pglz when they are large enough to be compressed: several
-- times cheaper to compress, a little larger on disk. Only rows written
-- from now on are affected. A server built without lz4 keeps pglz.

-- +goose Up
-- +goose StatementBegin
DO $$
BEGIN
    ALTER TABLE evidence ALTER COLUMN content SET COMPRESSION lz4;
    ALTER TABLE inbound_messages ALTER COLUMN preview SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'lz4 not supported by this server: evidence stays compressed with pglz';
END $$;
-- +goose StatementEnd

-- +goose Down
ALTER TABLE evidence ALTER COLUMN content SET COMPRESSION pglz;
ALTER TABLE inbound_messages ALTER COLUMN preview SET COMPRESSION pglz;
