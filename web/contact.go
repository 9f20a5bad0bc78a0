package web

import (
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/basis-crm/basis/crm"
)

// timelineItem is one line of a contact's history.
type timelineItem struct {
	At         time.Time
	Kind       string // activity kind, "message", "evidence", "basis", "consent"
	Title      string
	Detail     string
	Actor      crm.Actor
	EvidenceID int64
}

type purposeRow struct {
	Purpose string
	crm.Eligibility
}

type contactData struct {
	crm.ContactDetail
	Purposes      []purposeRow
	Timeline      []timelineItem
	ActivityKinds []string
	Statuses      []string
}

const maxTimeline = 500

// contact shows a contact's page, read in one query (crm.ContactPage).
// erasedData is the page of an erased contact: when, and the link to its
// erasure record.
type erasedData struct {
	ID int64
	On string
}

func (s *Server) contact(w http.ResponseWriter, r *http.Request) {
	p, ok := loadByID(s, w, r, "No such contact.", func(ctx context.Context, id int64) (crm.ContactPage, error) {
		return s.store.ContactPage(ctx, id, maxTimeline)
	})
	if !ok {
		return
	}
	if p.ErasedAt != nil {
		s.render(w, r, http.StatusGone, "erased", "Contact erased", erasedData{ID: p.ID, On: p.ErasedAt.Format(time.DateOnly)})
		return
	}
	mail, covered := mailItems(p.Inbound, p.Outbox)
	data := contactData{ContactDetail: p.ContactDetail, ActivityKinds: []string{"call", "email", "meeting", "note"},
		Statuses: crm.Statuses, Timeline: timeline(p.ContactDetail, mail, covered)}
	for _, name := range s.store.PurposeNames() {
		data.Purposes = append(data.Purposes, purposeRow{name, p.Eligibility[name]})
	}
	s.render(w, r, http.StatusOK, "contact", displayName(p.Contact), data)
}

func displayName(c crm.Contact) string {
	if c.Name != "" {
		return c.Name
	}
	return c.Email
}

// timeline merges activities, evidence, bases, consents and the messages
// received and sent (mail, whose evidence is in covered), newest first.
func timeline(d crm.ContactDetail, mail []timelineItem, covered map[int64]bool) []timelineItem {
	out := mail
	for _, a := range d.Activities {
		t := timelineItem{At: a.At, Kind: a.Kind, Title: a.Reason, Detail: a.Note, Actor: a.Actor}
		if a.EvidenceID != nil {
			t.EvidenceID = *a.EvidenceID
		}
		out = append(out, t)
	}
	for _, e := range d.Evidence {
		if covered[e.ID] {
			continue
		}
		kind := "evidence"
		if strings.HasSuffix(e.Kind, "_email") || e.Kind == "sent_message" {
			kind = "message"
		}
		out = append(out, timelineItem{At: e.ReceivedAt, Kind: kind, Title: e.Kind, Detail: "SHA-256 " + e.SHA256,
			Actor: e.CreatedBy, EvidenceID: e.ID})
	}
	for _, b := range d.Bases {
		out = append(out, timelineItem{At: b.ValidFrom, Kind: "basis", Title: fmt.Sprintf("%s: %s (%s)", b.Purpose, b.Kind, b.Source),
			Detail: b.Reason, Actor: b.CreatedBy})
		if b.WithdrawnAt != nil {
			out = append(out, timelineItem{At: *b.WithdrawnAt, Kind: "basis", Title: fmt.Sprintf("%s: %s withdrawn", b.Purpose, b.Kind),
				Detail: b.WithdrawnReason})
		}
	}
	for _, c := range d.Consents {
		out = append(out, timelineItem{At: c.ConfirmedAt, Kind: "consent", Title: fmt.Sprintf("%s: consent (%s, text %s)", c.Purpose, c.Method, c.TextVersion),
			Detail: "IP " + c.IP + " · " + c.UserAgent})
		if c.WithdrawnAt != nil {
			out = append(out, timelineItem{At: *c.WithdrawnAt, Kind: "consent", Title: c.Purpose + ": consent withdrawn", Detail: c.WithdrawnReason})
		}
	}
	slices.SortStableFunc(out, func(a, b timelineItem) int { return b.At.Compare(a.At) })
	if len(out) > maxTimeline {
		out = out[:maxTimeline]
	}
	return out
}
