package mailin

import (
	"context"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/basis-crm/basis/crm"
)

// maxBatchedBytes: larger messages are stored one at a time, by
// crm.AddEvidence, which uploads them in chunks.
const maxBatchedBytes = 1 << 20

// batchWriter plans the common messages of a batch into one
// crm.InboundBatch and writes them, with their inbound_messages rows, when
// flushed. It decides as storeOne does, from what the database held when
// it last looked (look) and what the batch added since.
type batchWriter struct {
	in   *Ingester
	mb   mailbox
	b    *crm.InboundBatch
	rows []batchRow

	// what the database holds, as of the last look
	inbound  map[string]int64 // Message-ID of stored mail -> its contact (0: none)
	outbox   map[string]int64 // Message-ID of sent mail -> its contact
	contacts map[string]crm.Contact
	erased   map[string]time.Time

	// what the batch added since the last flush
	batchIDs      map[string]crm.ContactRef
	batchContacts map[string]crm.Contact
}

// batchRow is an inbound_messages row whose contact and evidence get their
// ids when the batch is flushed.
type batchRow struct {
	inboundRow
	contact  crm.ContactRef
	evidence crm.EvidenceRef
}

func (in *Ingester) newBatchWriter(mb mailbox) *batchWriter {
	w := &batchWriter{in: in, mb: mb}
	w.reset()
	return w
}

func (w *batchWriter) reset() {
	w.b = w.in.Store.NewInboundBatch(actor)
	w.rows = w.rows[:0]
	w.batchIDs = map[string]crm.ContactRef{}
	w.batchContacts = map[string]crm.Contact{}
}

// plan adds p to the batch when it is one of the common cases, and reports
// whether it did; otherwise it writes nothing, and p is to be stored with
// storeOne. Classes, their order and their effects are storeOne's.
func (w *batchWriter) plan(p *parsed, sum *Summary) (bool, error) {
	f, m, res := p.f, p.m, p.res
	if w.in.oneByOne || f.Oversize || len(f.Raw) > maxBatchedBytes {
		return false, nil
	}
	class := res.Class
	var contact crm.ContactRef
	switch class {
	case ClassInquiry, ClassStaff:
		if c, ok := w.replyTo(m); ok {
			class, contact = ClassReply, c
		}
	case ClassForwarded:
	default:
		return false, nil // bounces, auto-replies, lists, spam, unsubscribes, review
	}
	var sender string
	if class == ClassInquiry || class == ClassForwarded {
		norm, err := crm.NormalizeAddress(res.Sender.Address)
		if err != nil {
			return false, nil // flagged for review by prospect
		}
		if _, erased := w.erased[norm]; erased {
			return false, nil // the erasure rules of prospect
		}
		sender = norm
	}
	row := batchRow{inboundRow: newInboundRow(f, m)}
	row.FTS = p.fts
	row.Class, row.Reason = class, res.Reason
	if class == ClassReply {
		row.Reason = "in a thread with a contact"
	}
	if sender != "" {
		c, created, err := w.b.Capture(crm.CaptureInput{Email: res.Sender.Address, Name: res.Sender.Name, Phone: res.Phone,
			Language: res.Language, Source: captureSource(class), Actor: actor, Reason: "inquiry received by email"}, w.contact(sender))
		if err != nil {
			return false, err
		}
		w.batchContacts[sender], contact = c, crm.ContactRef(c.ID)
		if created {
			sum.Prospects++
		}
	}
	ev, err := w.b.AddEvidence(contact, crm.EvidenceInput{Kind: evidenceKind(class), ContentType: contentType(f),
		Content: f.Raw, ReceivedAt: f.InternalDate, Actor: actor, Metadata: evidenceMeta(w.mb, f, m, res)})
	if err != nil {
		return false, err
	}
	switch class {
	case ClassReply:
		sum.Replies++
		err = w.b.LogActivity(contact, ev, crm.ActivityInput{Kind: "reply", Reason: "reply received: " + clean(m.Subject, 200),
			At: f.InternalDate, Actor: actor})
	case ClassForwarded, ClassInquiry:
		if class == ClassForwarded {
			sum.Forwarded++
		}
		err = followUpErr(w.b.Grant(contact, ev, followUp(m, f, res, class)))
	}
	if err != nil {
		return false, err
	}
	if id := clean(m.MessageID, 998); id != "" {
		if _, ok := w.batchIDs[id]; !ok {
			w.batchIDs[id] = contact
		}
	}
	row.contact, row.evidence = contact, ev
	w.rows = append(w.rows, row)
	return true, nil
}

// replyTo decides step 7 of the classification as Ingester.replyTo does:
// a message in a thread we know with a contact, or from an address that
// is a contact.
func (w *batchWriter) replyTo(m *Message) (crm.ContactRef, bool) {
	ids := threadIDs(m)
	found, contact := false, crm.ContactRef(0)
	for _, known := range []func(string) (crm.ContactRef, bool){
		func(id string) (crm.ContactRef, bool) { c, ok := w.inbound[id]; return crm.ContactRef(c), ok },
		func(id string) (crm.ContactRef, bool) { c, ok := w.batchIDs[id]; return c, ok },
		func(id string) (crm.ContactRef, bool) { c, ok := w.outbox[id]; return crm.ContactRef(c), ok },
	} {
		for _, id := range ids {
			if contact, found = known(id); found {
				break
			}
		}
		if found {
			break
		}
	}
	if found && contact != 0 {
		return contact, true
	}
	if m.From == nil || w.in.Classifier.IsStaff(m.From.Address) {
		return 0, false
	}
	norm, err := crm.NormalizeAddress(m.From.Address)
	if err != nil {
		return 0, false
	}
	if c := w.contact(norm); c != nil {
		return crm.ContactRef(c.ID), true
	}
	return 0, false
}

// contact is the contact of a normalized address, as the batch left it.
func (w *batchWriter) contact(norm string) *crm.Contact {
	if c, ok := w.batchContacts[norm]; ok {
		return &c
	}
	if c, ok := w.contacts[norm]; ok {
		return &c
	}
	return nil
}

// flush writes what the batch planned: crm's writes, then the
// inbound_messages rows that refer to them.
func (w *batchWriter) flush(ctx context.Context, tx *sqlx.Tx) error {
	if len(w.rows) == 0 {
		return nil
	}
	if err := w.b.Flush(ctx, tx); err != nil {
		return err
	}
	rows := make([]inboundRow, len(w.rows))
	for i, r := range w.rows {
		rows[i] = r.inboundRow
		if r.contact != 0 {
			rows[i].ContactID = w.b.ContactID(r.contact)
		}
		rows[i].EvidenceID = w.b.EvidenceID(r.evidence)
	}
	if err := insertInbounds(ctx, tx, w.mb, rows); err != nil {
		return err
	}
	w.reset()
	return nil
}
