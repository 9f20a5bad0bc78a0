-- Full-text search of inbound mail reads a stored tsvector column, fts,
-- instead of an index over the expression
-- to_tsvector('simple', subject || ' ' || from_name || ' ' || preview).
-- The value is the same, so searches find the same messages; what changes
-- is who computes it. Parsing a 4,000-byte preview is most of what storing
-- an inbound message costs PostgreSQL (to_tsvector: about 0.3 ms of a busy
-- CPU per message), and with the expression index it ran inside the
-- ingest's one transaction, one message after the other. mailin now asks
-- PostgreSQL for the vectors of the next messages on a second connection,
-- while the current batch is written, and inserts them with the rows.
--
-- The trigger keeps the column honest for every other writer: an INSERT
-- without fts gets it computed, and an UPDATE that changes subject,
-- from_name, preview or fts gets it recomputed from the text (erasure
-- blanks the text, so its words leave the index with it).

-- +goose Up
ALTER TABLE inbound_messages ADD COLUMN fts tsvector;
UPDATE inbound_messages SET fts = to_tsvector('simple', subject || ' ' || from_name || ' ' || preview);
ALTER TABLE inbound_messages ALTER COLUMN fts SET NOT NULL;

-- +goose StatementBegin
DO $$
BEGIN
    ALTER TABLE inbound_messages ALTER COLUMN fts SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
    RAISE NOTICE 'lz4 not supported by this server: inbound_messages.fts stays compressed with pglz';
END $$;
-- +goose StatementEnd

-- +goose StatementBegin
CREATE FUNCTION inbound_messages_fts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF NEW.fts IS NULL THEN
            NEW.fts := to_tsvector('simple', NEW.subject || ' ' || NEW.from_name || ' ' || NEW.preview);
        END IF;
    ELSIF (NEW.subject, NEW.from_name, NEW.preview, NEW.fts) IS DISTINCT FROM (OLD.subject, OLD.from_name, OLD.preview, OLD.fts) THEN
        NEW.fts := to_tsvector('simple', NEW.subject || ' ' || NEW.from_name || ' ' || NEW.preview);
    END IF;
    RETURN NEW;
END $$;
-- +goose StatementEnd

CREATE TRIGGER inbound_messages_fts BEFORE INSERT OR UPDATE ON inbound_messages
    FOR EACH ROW EXECUTE FUNCTION inbound_messages_fts();

DROP INDEX inbound_messages_fts;
CREATE INDEX inbound_messages_fts ON inbound_messages USING gin (fts);

-- +goose Down
DROP INDEX inbound_messages_fts;
DROP TRIGGER inbound_messages_fts ON inbound_messages;
DROP FUNCTION inbound_messages_fts();
ALTER TABLE inbound_messages DROP COLUMN fts;
CREATE INDEX inbound_messages_fts ON inbound_messages
    USING gin (to_tsvector('simple', subject || ' ' || from_name || ' ' || preview));
