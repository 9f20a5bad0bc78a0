package crm

import (
	"crypto/sha256"
	"errors"
	"fmt"
	"time"
)

// ContactRef names a contact inside an InboundBatch: the id of an existing
// contact (> 0), or a negative number for a contact the batch creates,
// which gets its id when the batch is flushed.
type ContactRef int64

// EvidenceRef names evidence added to an InboundBatch, by position.
type EvidenceRef int

// NoEvidence is the EvidenceRef of a write that has no evidence.
const NoEvidence EvidenceRef = -1

// ErrBatchConflict reports that a contact the batch was to create was
// created meanwhile by someone else: nothing of the batch is usable, the
// transaction must be rolled back and the writes made one at a time.
var ErrBatchConflict = errors.New("crm: a contact of the batch was created concurrently")

// InboundBatch collects the crm writes a batch of inbound mail makes (new
// contacts, details filled in, evidence, bases, activities) with their
// audit events in order, and writes them with a few multi-row statements
// (Flush) instead of one or more statements per write: mail arrives by the
// thousand. The caller decides what to write, having read the current state
// first (ContactsByAddress, ErasedAddresses); the batch only records it.
// An InboundBatch is used by one goroutine.
type InboundBatch struct {
	s          *Store
	actor      Actor
	now        time.Time
	contacts   []newContact
	touched    map[int64]*contactTouch
	touchOrder []int64
	evidence   []newEvidence
	bases      []newBasis
	activities []newActivity
	events     []batchEvent

	// ids assigned by Flush
	contactIDs, evidenceIDs, basisIDs, activityIDs []int64
}

type newContact struct {
	Contact
	hash []byte
}

// contactTouch is what the batch changes on an existing contact.
type contactTouch struct {
	name, company, phone, language string    // blanks filled in ("" = unchanged)
	updated                        bool      // updated_at = now
	lastActivity                   time.Time // last_activity_at = greatest(it, this)
}

type newEvidence struct {
	contact     ContactRef
	kind        string
	sum         [32]byte
	content     []byte
	contentType string
	fileName    string
	metadata    string
	receivedAt  time.Time
}

type newBasis struct {
	contact  ContactRef
	evidence EvidenceRef
	in       GrantInput
}

type newActivity struct {
	contact  ContactRef
	evidence EvidenceRef
	in       ActivityInput
}

// batchEvent is an audit event whose ids are known only at Flush: payload
// builds its payload then.
type batchEvent struct {
	action  string
	contact ContactRef
	payload func(b *InboundBatch) any
}

// NewInboundBatch starts an empty batch of writes recorded as actor.
func (s *Store) NewInboundBatch(actor Actor) *InboundBatch {
	return &InboundBatch{s: s, actor: actor, now: s.clock(), touched: map[int64]*contactTouch{}}
}

// Capture records a prospect, as Store.Capture does, for an address the
// caller checked was never erased. existing is the contact the address
// already has (from ContactsByAddress or an earlier Capture of this batch),
// nil when none: then a contact is created; otherwise its blank details are
// filled in. It returns the contact as it will be (ID is its ContactRef)
// and whether it is new.
func (b *InboundBatch) Capture(in CaptureInput, existing *Contact) (Contact, bool, error) {
	in, err := captureFields(in)
	if err != nil {
		return Contact{}, false, err
	}
	email := in.Email
	if existing != nil {
		return b.fillBlanks(*existing, in), false, nil
	}
	c := Contact{ID: -int64(len(b.contacts) + 1), Email: email, Name: in.Name, Company: in.Company, Phone: in.Phone,
		Language: in.Language, Status: "new", Source: in.Source, CreatedAt: b.now, UpdatedAt: b.now, LastActivityAt: b.now}
	b.contacts = append(b.contacts, newContact{Contact: c, hash: b.s.AddressHash(email)})
	payload := map[string]any{"email": c.Email, "name": c.Name, "company": c.Company, "phone": c.Phone, "source": c.Source,
		"previously_erased": false, "reason": in.Reason}
	b.event("contact.created", ContactRef(c.ID), payload)
	return c, true, nil
}

// fillBlanks completes c with the details it lacks, as Store.Capture does
// for an existing contact, and records a "contact.updated" event when
// something changed.
func (b *InboundBatch) fillBlanks(c Contact, in CaptureInput) Contact {
	fill := func(have *string, v string) bool {
		if *have == "" && v != "" {
			*have = v
			return true
		}
		return false
	}
	changed := fill(&c.Name, in.Name)
	changed = fill(&c.Company, in.Company) || changed
	changed = fill(&c.Phone, in.Phone) || changed
	changed = fill(&c.Language, in.Language) || changed
	if !changed {
		return c
	}
	c.UpdatedAt = b.now
	if c.ID < 0 {
		b.contacts[-c.ID-1].Contact = c
	} else {
		t := b.touch(c.ID)
		t.name, t.company, t.phone, t.language, t.updated = c.Name, c.Company, c.Phone, c.Language, true
	}
	b.event("contact.updated", ContactRef(c.ID), map[string]any{"name": c.Name, "company": c.Company, "phone": c.Phone,
		"language": c.Language, "reason": in.Reason})
	return c
}

func (b *InboundBatch) touch(id int64) *contactTouch {
	t, ok := b.touched[id]
	if !ok {
		t = &contactTouch{}
		b.touched[id] = t
		b.touchOrder = append(b.touchOrder, id)
	}
	return t
}

// AddEvidence records content as evidence, tied to contact (0: none), as
// Store.AddEvidence does. Content over 1 MB is refused: store it with
// Store.AddEvidence, which uploads it in chunks.
func (b *InboundBatch) AddEvidence(contact ContactRef, in EvidenceInput) (EvidenceRef, error) {
	if err := checkEvidenceKind(in.Kind); err != nil {
		return NoEvidence, err
	}
	if len(in.Content) > uploadChunk {
		return NoEvidence, fmt.Errorf("crm: evidence of %d bytes: batches take at most %d (use AddEvidence): %w", len(in.Content), uploadChunk, ErrInvalidInput)
	}
	in, meta, err := evidenceFields(in, b.now)
	if err != nil {
		return NoEvidence, err
	}
	ref := EvidenceRef(len(b.evidence))
	e := newEvidence{contact: contact, kind: in.Kind, sum: sha256.Sum256(in.Content), content: in.Content,
		contentType: in.ContentType, fileName: in.FileName, metadata: meta, receivedAt: in.ReceivedAt}
	b.evidence = append(b.evidence, e)
	b.event("evidence.added", contact, func(b *InboundBatch) any {
		return map[string]any{"evidence_id": b.evidenceIDs[ref], "kind": e.kind, "sha256": fmt.Sprintf("%x", e.sum),
			"size": int64(len(e.content)), "content_type": e.contentType, "file_name": e.fileName}
	})
	return ref, nil
}

// Grant records a lawful basis whose evidence is ev (NoEvidence: none), as
// Store.Grant does. in.ContactID and in.EvidenceID are ignored.
func (b *InboundBatch) Grant(contact ContactRef, ev EvidenceRef, in GrantInput) error {
	in, err := b.s.grantFields(in, b.now)
	if err != nil {
		return err
	}
	i := len(b.bases)
	b.bases = append(b.bases, newBasis{contact: contact, evidence: ev, in: in})
	if contact > 0 {
		b.touch(int64(contact)).updated = true
	}
	b.event("basis.granted", contact, func(b *InboundBatch) any {
		return map[string]any{"basis_id": b.basisIDs[i], "purpose": in.Purpose, "kind": in.Kind, "source": in.Source,
			"evidence_id": b.evidenceID(ev), "consent_id": (*int64)(nil), "reason": in.Reason}
	})
	return nil
}

// LogActivity records an action on a contact whose evidence is ev
// (NoEvidence: none), as Store.LogActivity does. in.ContactID and
// in.EvidenceID are ignored.
func (b *InboundBatch) LogActivity(contact ContactRef, ev EvidenceRef, in ActivityInput) error {
	in, err := activityFields(in, b.now)
	if err != nil {
		return err
	}
	in.At = in.At.UTC().Truncate(time.Microsecond)
	i := len(b.activities)
	b.activities = append(b.activities, newActivity{contact: contact, evidence: ev, in: in})
	if contact < 0 {
		c := &b.contacts[-contact-1]
		if in.At.After(c.LastActivityAt) {
			c.LastActivityAt = in.At
		}
	} else if t := b.touch(int64(contact)); in.At.After(t.lastActivity) {
		t.lastActivity = in.At
	}
	b.event("activity.logged", contact, func(b *InboundBatch) any {
		return map[string]any{"activity_id": b.activityIDs[i], "kind": in.Kind, "reason": in.Reason, "note": in.Note,
			"evidence_id": b.evidenceID(ev)}
	})
	return nil
}

func (b *InboundBatch) event(action string, contact ContactRef, payload any) {
	fn, ok := payload.(func(*InboundBatch) any)
	if !ok {
		fn = func(*InboundBatch) any { return payload }
	}
	b.events = append(b.events, batchEvent{action: action, contact: contact, payload: fn})
}

// ContactID is the id of a contact of the batch; valid after Flush.
func (b *InboundBatch) ContactID(ref ContactRef) int64 {
	if ref < 0 {
		return b.contactIDs[-ref-1]
	}
	return int64(ref)
}

// EvidenceID is the id of evidence of the batch; valid after Flush.
func (b *InboundBatch) EvidenceID(ref EvidenceRef) int64 { return b.evidenceIDs[ref] }

// evidenceID is the evidence id as the single-write methods put it in an
// audit payload: null for none.
func (b *InboundBatch) evidenceID(ref EvidenceRef) *int64 {
	if ref == NoEvidence {
		return nil
	}
	id := b.evidenceIDs[ref]
	return &id
}
