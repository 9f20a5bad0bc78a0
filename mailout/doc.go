// Package mailout sends what Basis is allowed to send.
//
// The layer in this package's compose, template, dkim, ratelimit and smtp
// files needs no database: Compose renders a Draft into the exact RFC 5322
// bytes that are sent and kept as evidence, a DKIMSigner adds a signature
// header in front of those bytes, a Template renders contact data into a
// draft's text and HTML, and a Sender delivers raw bytes over a small pool of
// reused SMTP connections at a bounded rate, classifying every failure as a
// SendError (temporary, permanent, recipient rejected, configuration).
//
// The outbox, built on top, claims rows from PostgreSQL only for contacts
// whose basis covers the message's purpose, and hands them to this layer.
package mailout
