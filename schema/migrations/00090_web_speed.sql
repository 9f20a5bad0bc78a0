-- The staff pages under load: contact search by whole words and word
-- prefixes (crm.SearchContacts) instead of substrings. The trigram index
-- read long posting lists for every common fragment ("person", "com"); a
-- word index reads one entry per query word.

-- +goose Up
CREATE INDEX IF NOT EXISTS contacts_search_words ON contacts USING gin (
    to_tsvector('simple', regexp_replace(lower(COALESCE(email, '') || ' ' || name || ' ' || company), '[^[:alnum:]]+', ' ', 'g')))
    WHERE erased_at IS NULL;
DROP INDEX IF EXISTS contacts_search_trgm;

-- +goose Down
CREATE INDEX contacts_search_trgm ON contacts
    USING gin ((lower(COALESCE(email, '') || ' ' || name || ' ' || company)) gin_trgm_ops)
    WHERE erased_at IS NULL;
DROP INDEX contacts_search_words;
