package mailin

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/basis-crm/basis/crm"
)

// apply carries out what the class of a stored message means.
func (in *Ingester) apply(ctx context.Context, tx *sqlx.Tx, m *Message, f Fetched, res Result, row *inboundRow, sum *Summary) error {
	switch row.Class {
	case ClassBounce:
		sum.Bounces++
		return in.applyBounce(ctx, tx, res, row)
	case ClassAutoReply:
		sum.AutoReplies++
		return in.activityIfKnown(ctx, tx, row, "auto_reply", "auto-reply received: "+res.Reason)
	case ClassList:
		sum.Lists++
	case ClassSpam:
		row.Review = "spam"
	case ClassUnsubscribe:
		return in.applyUnsubscribe(ctx, tx, res, row)
	case ClassReply:
		sum.Replies++
		return in.activity(ctx, tx, row, "reply", "reply received: "+clean(m.Subject, 200))
	case ClassForwarded:
		sum.Forwarded++
		return in.grantFollowUp(ctx, tx, m, f, res, row)
	case ClassInquiry:
		return in.grantFollowUp(ctx, tx, m, f, res, row)
	case ClassReview:
		row.Review = reviewFlag(m, f)
	}
	return nil
}

func reviewFlag(m *Message, f Fetched) string {
	switch {
	case f.Oversize:
		return "oversize"
	case m.From == nil:
		return "missing_from"
	default:
		return "unparseable"
	}
}

// captureSource is the basis source of a prospect of class c.
func captureSource(c Class) string {
	if c == ClassForwarded {
		return "forwarded_email"
	}
	return "inbound_email"
}

// sentAt is when the prospect wrote: the forwarded message's date, or the message's.
func sentAt(m *Message, f Fetched, res Result) time.Time {
	if !res.OriginalDate.IsZero() {
		return res.OriginalDate
	}
	return messageTime(m, f)
}

// prospect turns the sender (or a forward's original sender) into a
// prospect, before the message is stored as evidence, and sets
// row.ContactID; or flags the message for review when there is no usable
// sender or the sender was erased after writing it.
func (in *Ingester) prospect(ctx context.Context, tx *sqlx.Tx, m *Message, f Fetched, res Result, row *inboundRow, sum *Summary) error {
	sender := res.Sender
	if _, err := crm.NormalizeAddress(sender.Address); err != nil {
		row.Review, row.Reason = "missing_from", "no usable sender address: "+clean(sender.Address, 200)
		return nil
	}
	erasedAt, erased, err := in.Store.ErasedAt(ctx, tx, sender.Address)
	if err != nil {
		return err
	}
	if erased && sentAt(m, f, res).Before(erasedAt) {
		row.Review, row.Reason = "erased_sender", "sender was erased after this message was sent: not captured again"
		return nil
	}
	c, created, err := in.Store.Capture(ctx, tx, crm.CaptureInput{Email: sender.Address, Name: sender.Name, Phone: res.Phone,
		Language: res.Language, Source: captureSource(row.Class), Actor: actor, Reason: "inquiry received by email", AfterErasure: erased})
	if err != nil {
		return err
	}
	row.ContactID = c.ID
	if created {
		sum.Prospects++
	}
	return nil
}

// grantFollowUp gives the prospect a legitimate-interest basis whose
// evidence is this message.
func (in *Ingester) grantFollowUp(ctx context.Context, tx *sqlx.Tx, m *Message, f Fetched, res Result, row *inboundRow) error {
	if row.ContactID == 0 {
		return nil // flagged for review by prospect
	}
	grant := followUp(m, f, res, row.Class)
	grant.ContactID, grant.EvidenceID = row.ContactID, row.EvidenceID
	_, err := in.Store.Grant(ctx, tx, grant)
	return followUpErr(err)
}

// followUp is the legitimate-interest basis an inquiry of class c gives.
func followUp(m *Message, f Fetched, res Result, c Class) crm.GrantInput {
	reason := "inquiry received by email: " + clean(m.Subject, 200)
	if res.ForwardedBy != nil {
		reason = "inquiry forwarded by " + strings.ToLower(res.ForwardedBy.Address) + ": " + clean(res.OriginalSubject, 200)
	}
	return crm.GrantInput{Purpose: crm.FollowUpPurpose, Kind: "legitimate_interest", Source: captureSource(c),
		Reason: reason, ValidFrom: sentAt(m, f, res), Actor: actor}
}

// followUpErr names the setting to fix when the follow-up purpose is not configured.
func followUpErr(err error) error {
	if err != nil && errors.Is(err, crm.ErrInvalidInput) {
		return fmt.Errorf("mailin: %w (policy.purposes must include %s)", err, crm.FollowUpPurpose)
	}
	return err
}

// applyBounce suppresses permanently failed addresses for all mail and notes
// the bounce on the contact.
func (in *Ingester) applyBounce(ctx context.Context, tx *sqlx.Tx, res Result, row *inboundRow) error {
	if res.Bounce == nil {
		return nil
	}
	for _, r := range res.Bounce.Recipients {
		if _, err := crm.NormalizeAddress(r.Address); err != nil {
			continue
		}
		c, err := in.Store.FindContact(ctx, tx, r.Address)
		if err != nil && !errors.Is(err, crm.ErrNotFound) {
			return err
		}
		reason := "hard_bounce"
		if res.Bounce.Feedback {
			reason = "complaint"
		} else if !r.Permanent {
			continue
		}
		if err := in.Store.Suppress(ctx, tx, r.Address, crm.AllPurposes, reason, c.ID, actor); err != nil {
			return err
		}
		if c.ID != 0 && row.ContactID == 0 {
			row.ContactID = c.ID
			if _, err := in.Store.LogActivity(ctx, tx, crm.ActivityInput{ContactID: c.ID, Kind: "bounce",
				Reason: clean(fmt.Sprintf("%s %s: %s", reason, r.Status, r.Diagnostic), 500), Actor: actor}); err != nil {
				return err
			}
		}
	}
	return nil
}

// applyUnsubscribe records the objection a valid token carries; anything
// else is flagged for staff.
func (in *Ingester) applyUnsubscribe(ctx context.Context, tx *sqlx.Tx, res Result, row *inboundRow) error {
	if res.UnsubscribeToken == "" {
		row.Review = "unsubscribe"
		return nil
	}
	id, purpose, err := in.Store.ParseUnsubscribeToken(res.UnsubscribeToken)
	if err != nil {
		row.Review, row.Reason = "unsubscribe", "unsubscribe token not valid"
		return nil
	}
	c, err := in.Store.GetContact(ctx, tx, id)
	if err != nil || c.ErasedAt != nil {
		row.Review, row.Reason = "unsubscribe", "unsubscribe token for an unknown or erased contact"
		return nil
	}
	row.ContactID = c.ID
	return in.Store.Object(ctx, tx, crm.ObjectionInput{Email: c.Email, Purpose: in.Store.ObjectionPurpose(purpose), Unsubscribe: true,
		Reason: "unsubscribe by email", Actor: actor})
}

func (in *Ingester) activityIfKnown(ctx context.Context, tx *sqlx.Tx, row *inboundRow, kind, reason string) error {
	if row.FromAddress == "" {
		return nil
	}
	c, err := in.Store.FindContact(ctx, tx, row.FromAddress)
	if errors.Is(err, crm.ErrNotFound) || errors.Is(err, crm.ErrInvalidAddress) {
		return nil
	}
	if err != nil {
		return err
	}
	row.ContactID = c.ID
	return in.activity(ctx, tx, row, kind, reason)
}

func (in *Ingester) activity(ctx context.Context, tx *sqlx.Tx, row *inboundRow, kind, reason string) error {
	if row.ContactID == 0 {
		return nil
	}
	_, err := in.Store.LogActivity(ctx, tx, crm.ActivityInput{ContactID: row.ContactID, Kind: kind, Reason: reason,
		EvidenceID: row.EvidenceID, At: row.InternalDate, Actor: actor})
	return err
}
