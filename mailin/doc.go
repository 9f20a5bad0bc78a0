// Package mailin turns inbound e-mail into something Basis understands.
//
// The pure layer (no database, no network) lives in the parse*, classify*,
// forward*, bounce*, autoreply* and signature* files:
//
//   - Parse reads raw RFC 5322 bytes into a Message. It never fails: a message
//     that cannot be parsed keeps its raw bytes and SHA-256 and carries a
//     ParseError naming what is wrong, so the pipeline stores it and flags it
//     for review.
//   - Classifier.Classify decides what a message is (bounce, auto-reply, list
//     mail, spam, unsubscribe request, forwarded inquiry, staff mail or a new
//     inquiry), in the order the product requires, and extracts who the
//     prospect is.
//   - ExtractForward recovers the original sender of a forwarded message,
//     attached (message/rfc822) or inline (Gmail, Outlook, Apple Mail,
//     Thunderbird, Yahoo and others, in it/en/de/fr/es).
//
// Replies (In-Reply-To matching a stored message, or a known contact) need
// the database: Classify never returns ClassReply; the pipeline upgrades
// ClassStaff or ClassInquiry to it.
//
// The pipeline (the ingest* files) fetches in UID batches, parses and
// classifies on worker goroutines while fetching, and stores each batch in
// one transaction with its checkpoint, while the next batch is fetched: the
// common messages (inquiries, forwards, replies, staff mail) are planned in
// Go and written together through crm.InboundBatch (ingest_batch*), the
// others one at a time (storeOne), in mailbox order. The full-text
// vectors of the batched messages are computed by PostgreSQL ahead of
// their batch, on a second connection (ingest_fts.go), so that the
// transaction does not parse their text. The after-action (flag or move)
// follows the commit.
package mailin
