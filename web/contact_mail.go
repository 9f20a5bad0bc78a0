package web

import (
	"cmp"
	"errors"
	"net/http"

	"github.com/jmoiron/sqlx"

	"github.com/basis-crm/basis/crm"
)

// needMailer answers 503 when no Mailer is configured.
func (s *Server) needMailer(w http.ResponseWriter, r *http.Request) bool {
	if s.mailer == nil {
		s.renderStatus(w, r, http.StatusServiceUnavailable, "Outgoing mail is not configured (mailout.smtp in basis.yaml).")
		return false
	}
	return true
}

// mailError shows the mail refusals a person can act on (an open request,
// the rate limit, a suppressed or erased address) as one translated line.
func (s *Server) mailError(w http.ResponseWriter, r *http.Request, err error) {
	for _, known := range []struct {
		err error
		msg string
	}{
		{crm.ErrRequestOpen, "A consent request for this purpose is already waiting for the person's confirmation."},
		{crm.ErrRequestRate, "Too many consent requests were sent to this address recently: try again later."},
		{crm.ErrSuppressed, "This address objected, unsubscribed or bounced: no request can be sent."},
		{crm.ErrErased, "This contact was erased."},
	} {
		if errors.Is(err, known.err) {
			s.renderStatus(w, r, http.StatusConflict, known.msg)
			return
		}
	}
	s.userError(w, r, err)
}

// sendNotice queues the privacy notice (Art. 13/14) for the contact; the
// outbox sends it. A notice of the current version already queued or sent
// is not queued again.
func (s *Server) sendNotice(w http.ResponseWriter, r *http.Request) {
	c, ok := s.loadContact(w, r)
	if !ok || !s.needMailer(w, r) {
		return
	}
	var queued bool
	err := s.store.InTx(r.Context(), func(tx *sqlx.Tx) error {
		var err error
		queued, err = s.mailer.QueueCurrentNotice(r.Context(), tx, c)
		return err
	})
	if err != nil {
		s.mailError(w, r, err)
		return
	}
	if !queued {
		s.renderStatus(w, r, http.StatusConflict, "The current privacy notice is already queued or sent to this contact.")
		return
	}
	back(w, r, contactPath(c.ID), "notice")
}

// requestConsent opens a double opt-in request for the chosen purpose and
// queues the confirmation mail.
func (s *Server) requestConsent(w http.ResponseWriter, r *http.Request) {
	c, ok := s.loadContact(w, r)
	if !ok || !s.needMailer(w, r) {
		return
	}
	if _, err := s.mailer.RequestConsent(r.Context(), c.Email, r.PostFormValue("purpose"), actorOf(r)); err != nil {
		s.mailError(w, r, err)
		return
	}
	back(w, r, contactPath(c.ID), "consent_requested")
}

// mailItems are a contact's inbound and outgoing messages as timeline
// items, with the evidence they cover (shown once, as the message).
func mailItems(in []crm.InboundMessage, out []crm.OutboxEntry) ([]timelineItem, map[int64]bool) {
	covered := map[int64]bool{}
	var items []timelineItem
	for _, m := range in {
		detail := m.FromAddress
		if m.FromName != "" {
			detail = m.FromName + " <" + m.FromAddress + ">"
		}
		detail += " · " + m.Class
		if m.Preview != "" {
			detail += " · " + snippet(m.Preview, 160)
		}
		items = append(items, timelineItem{At: m.InternalDate, Kind: "received", Title: cmp.Or(m.Subject, "(no subject)"),
			Detail: detail, EvidenceID: m.EvidenceID})
		covered[m.EvidenceID] = true
	}
	for _, o := range out {
		what := o.Kind + " · " + o.Purpose
		if o.NoticeVersion != "" {
			what += " (" + o.NoticeVersion + ")"
		}
		t := timelineItem{At: o.CreatedAt, Kind: "sent", Title: cmp.Or(o.Subject, what), Detail: what + " · " + o.Status}
		if o.Subject == "" {
			t.Detail = o.Status
		}
		if o.SentAt != nil {
			t.At = *o.SentAt
		}
		if o.EvidenceID != nil {
			t.EvidenceID = *o.EvidenceID
			covered[*o.EvidenceID] = true
		}
		items = append(items, t)
	}
	return items, covered
}
