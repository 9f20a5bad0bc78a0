package mailin

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/basis-crm/basis/crm"
)

// storeOne keeps one fetched message as evidence and applies what its class
// means: a prospect, an activity, a suppression or a review flag. The
// caller counts it and has checked it is not stored already.
func (in *Ingester) storeOne(ctx context.Context, tx *sqlx.Tx, mb mailbox, p *parsed, sum *Summary) error {
	f, m, res := p.f, p.m, p.res
	row := newInboundRow(f, m)
	row.Class, row.Reason = res.Class, res.Reason
	if res.Class == ClassInquiry || res.Class == ClassStaff {
		contactID, reply, err := in.replyTo(ctx, tx, m)
		if err != nil {
			return err
		}
		if reply {
			row.Class, row.Reason, row.ContactID = ClassReply, "in a thread with a contact", contactID
		}
	}
	if row.Class == ClassInquiry || row.Class == ClassForwarded {
		if err := in.prospect(ctx, tx, m, f, res, &row, sum); err != nil {
			return err
		}
	}
	// Replies and prospects know their contact now: the evidence is stored
	// tied to it, which saves attaching it afterwards.
	known := row.ContactID
	ev, err := in.Store.AddEvidence(ctx, tx, crm.EvidenceInput{ContactID: known, Kind: evidenceKind(row.Class), ContentType: contentType(f),
		Content: f.Raw, ReceivedAt: f.InternalDate, Actor: actor, Metadata: evidenceMeta(mb, f, m, res)})
	if err != nil {
		return err
	}
	row.EvidenceID = ev.ID
	if err := in.apply(ctx, tx, m, f, res, &row, sum); err != nil {
		return err
	}
	if row.ContactID != 0 && known == 0 {
		if err := in.Store.AttachEvidence(ctx, tx, ev.ID, row.ContactID, string(row.Class)+" message", actor); err != nil {
			return err
		}
	}
	if row.Review != "" {
		sum.Review++
		in.Log.Info("message flagged for review", "account", mb.Account, "uid", f.UID, "review", row.Review, "reason", row.Reason)
	}
	return insertInbound(ctx, tx, mb, row)
}

// newInboundRow is the inbound_messages row of a message, before its class
// is applied.
func newInboundRow(f Fetched, m *Message) inboundRow {
	row := inboundRow{SHA256: m.SHA256, UID: f.UID, MessageID: m.MessageID, InReplyTo: m.InReplyTo, Subject: m.Subject,
		Preview: m.Text, InternalDate: f.InternalDate, Size: f.Size}
	if m.From != nil {
		row.FromAddress, row.FromName = strings.ToLower(m.From.Address), m.From.Name
	}
	return row
}

// classify runs the classifier, with the cases the pipeline knows first: a
// message over the size limit, one that did not parse.
func (in *Ingester) classify(m *Message, f Fetched) Result {
	if f.Oversize {
		return Result{Class: ClassReview, Reason: fmt.Sprintf("%d bytes, over mailin.max_message_bytes: left on the server, headers kept", f.Size)}
	}
	return in.Classifier.Classify(m)
}

func evidenceKind(c Class) string {
	if c == ClassForwarded {
		return "forwarded_email"
	}
	return "inbound_email"
}

func contentType(f Fetched) string {
	if f.Oversize {
		return "text/rfc822-headers"
	}
	return "message/rfc822"
}

func evidenceMeta(mb mailbox, f Fetched, m *Message, res Result) map[string]any {
	meta := map[string]any{
		"account": mb.Account, "mailbox": mb.Mailbox, "uidvalidity": mb.UIDValidity, "uid": f.UID,
		"message_id": clean(m.MessageID, 998), "internal_date": f.InternalDate, "size": f.Size,
		"authentication_results": cleanAll(m.AuthenticationResults), "class": string(res.Class),
	}
	if res.ForwardedBy != nil {
		meta["forwarded_by"] = strings.ToLower(res.ForwardedBy.Address)
	}
	if f.Oversize {
		meta["oversize"] = true
	}
	if m.ParseError != nil {
		meta["parse_error"] = clean(m.ParseError.Error(), 500)
	}
	return meta
}

func cleanAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = clean(s, 2000)
	}
	return out
}

// replyTo decides step 7 of the classification: a message in a thread we
// know, or from an address that is already a contact.
func (in *Ingester) replyTo(ctx context.Context, tx *sqlx.Tx, m *Message) (int64, bool, error) {
	if id, ok, err := knownMessageID(ctx, tx, threadIDs(m)); err != nil || (ok && id != 0) {
		return id, ok, err
	}
	if m.From == nil || in.Classifier.IsStaff(m.From.Address) {
		return 0, false, nil
	}
	c, err := in.Store.FindContact(ctx, tx, m.From.Address)
	switch {
	case err == nil && c.ErasedAt == nil:
		return c.ID, true, nil
	case err == nil, errors.Is(err, crm.ErrNotFound), errors.Is(err, crm.ErrInvalidAddress):
		return 0, false, nil
	}
	return 0, false, err
}
