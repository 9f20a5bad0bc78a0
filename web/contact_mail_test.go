package web

import (
	"testing"
	"time"

	"github.com/basis-crm/basis/crm"
)

// TestMailItemsTitleSentMessagesBySubject checks that a sent message reads
// on the timeline by the subject it was sent with, and one still waiting by
// its kind and purpose.
func TestMailItemsTitleSentMessagesBySubject(t *testing.T) {
	at := time.Date(2026, 11, 29, 10, 0, 0, 0, time.UTC)
	ev := int64(7)
	items, covered := mailItems(nil, []crm.OutboxEntry{
		{ID: 1, Kind: "notice", Purpose: "privacy_notice", Status: "sent", Subject: "Come Acme S.r.l. tratta i suoi dati personali",
			NoticeVersion: "2026-1", EvidenceID: &ev, CreatedAt: at, SentAt: &at},
		{ID: 2, Kind: "campaign", Purpose: "marketing", Status: "queued", CreatedAt: at},
	})
	if len(items) != 2 || !covered[ev] {
		t.Fatalf("items %+v, covered %v", items, covered)
	}
	if items[0].Title != "Come Acme S.r.l. tratta i suoi dati personali" || items[0].Detail != "notice · privacy_notice (2026-1) · sent" {
		t.Errorf("sent notice: title %q, detail %q", items[0].Title, items[0].Detail)
	}
	if items[1].Title != "campaign · marketing" || items[1].Detail != "queued" {
		t.Errorf("waiting campaign message: title %q, detail %q", items[1].Title, items[1].Detail)
	}
}
