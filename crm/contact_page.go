package crm

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
)

// ContactPage is what the contact page shows: the contact's detail (as
// Detail returns it) and its inbound and outgoing messages, newest inbound
// first and at most the requested number of them.
type ContactPage struct {
	ContactDetail
	Inbound []InboundMessage
	Outbox  []OutboxEntry
}

// contactPageQuery reads a contact and everything its page lists in one
// statement, each list as a JSON array whose keys are the columns (and so
// the json names of the structs). The lists are those of Bases, EvidenceOf,
// Consents, Activities, InboundOf and OutboxOf, in the same order; the
// suppressions are those of the contact's address hash, as in eligibility.
const contactPageQuery = `SELECT ` + contactColumns + `,
	(SELECT COALESCE(json_agg(x ORDER BY x.valid_from, x.id), '[]') FROM (
		` + basisSelect + ` WHERE b.contact_id = k.id) x) AS bases,
	(SELECT COALESCE(json_agg(x ORDER BY x.received_at, x.id), '[]') FROM (
		SELECT ` + evidenceColumns + ` FROM evidence WHERE contact_id = k.id) x) AS evidence,
	(SELECT COALESCE(json_agg(x ORDER BY x.confirmed_at, x.id), '[]') FROM (
		` + consentSelect + ` WHERE c.contact_id = k.id) x) AS consents,
	(SELECT COALESCE(json_agg(x ORDER BY x.at DESC, x.id DESC), '[]') FROM (
		SELECT ` + activityColumns + ` FROM activities WHERE contact_id = k.id) x) AS activities,
	(SELECT COALESCE(json_agg(x), '[]') FROM (
		SELECT purpose, reason, created_at FROM suppressions WHERE address_hash = k.address_hash) x) AS suppressions,
	(SELECT COALESCE(json_agg(x ORDER BY x.internal_date DESC, x.id DESC), '[]') FROM (
		SELECT ` + inboundColumns + ` FROM inbound_messages WHERE contact_id = k.id
		ORDER BY internal_date DESC, id DESC LIMIT $2) x) AS inbound,
	(SELECT COALESCE(json_agg(x ORDER BY x.created_at, x.id), '[]') FROM (
		SELECT o.id, o.kind, o.purpose, o.status, ` + outboxSubject + ` AS subject, COALESCE(n.version, '') AS notice_version,
			o.evidence_id, o.created_at, o.sent_at
		FROM outbox o LEFT JOIN notice_texts n ON n.id = o.notice_text_id
		WHERE o.contact_id = k.id) x) AS outbox
	FROM contacts k WHERE k.id = $1`

// ContactPage returns contact id with its detail and at most maxInbound of
// its inbound messages, in one round trip to the database (the page used
// to take eleven), with a prepared statement.
func (s *Store) ContactPage(ctx context.Context, id int64, maxInbound int) (ContactPage, error) {
	var row struct {
		Contact
		Bases        []byte `db:"bases"`
		Evidence     []byte `db:"evidence"`
		Consents     []byte `db:"consents"`
		Activities   []byte `db:"activities"`
		Suppressions []byte `db:"suppressions"`
		Inbound      []byte `db:"inbound"`
		Outbox       []byte `db:"outbox"`
	}
	stmt, err := s.prepared(ctx, contactPageQuery)
	if err != nil {
		return ContactPage{}, err
	}
	err = stmt.GetContext(ctx, &row, id, maxInbound)
	if errors.Is(err, sql.ErrNoRows) {
		return ContactPage{}, fmt.Errorf("crm: contact %d: %w", id, ErrNotFound)
	}
	if err != nil {
		return ContactPage{}, fmt.Errorf("crm: contact page %d: %w", id, err)
	}
	p := ContactPage{ContactDetail: ContactDetail{Contact: row.Contact}}
	var supp []Suppression
	for _, l := range []struct {
		name string
		raw  []byte
		into any
	}{
		{"bases", row.Bases, &p.Bases}, {"evidence", row.Evidence, &p.Evidence}, {"consents", row.Consents, &p.Consents},
		{"activities", row.Activities, &p.Activities}, {"suppressions", row.Suppressions, &supp},
		{"inbound", row.Inbound, &p.Inbound}, {"outbox", row.Outbox, &p.Outbox},
	} {
		if err := json.Unmarshal(l.raw, l.into); err != nil {
			return ContactPage{}, fmt.Errorf("crm: contact page %d: %s: %w", id, l.name, err)
		}
	}
	if p.ErasedAt != nil {
		supp = nil // as Detail: an erased contact is refused as erased, not as suppressed
	}
	s.setActive(p.Bases, p.Contact)
	p.Eligibility = s.eligibilities(p.Contact, p.Bases, supp)
	return p, nil
}
