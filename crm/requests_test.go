package crm_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/basis-crm/basis/crm"
)

func day(s string) time.Time {
	t, err := time.Parse(time.DateOnly, s)
	if err != nil {
		panic(err)
	}
	return t
}

func TestDueDateCountsCalendarMonthsAndClipsMonthEnds(t *testing.T) {
	cases := []struct {
		received string
		months   int
		want     string
	}{
		{"2025-01-15", 1, "2025-02-15"},
		{"2025-01-31", 1, "2025-02-28"}, // no 31 February: last day of February
		{"2024-01-31", 1, "2024-02-29"}, // leap year
		{"2024-01-30", 1, "2024-02-29"},
		{"2025-01-28", 1, "2025-02-28"},
		{"2025-03-31", 1, "2025-04-30"},
		{"2025-12-31", 1, "2026-01-31"}, // across the year
		{"2025-02-28", 1, "2025-03-28"}, // not the last day of March
		{"2025-01-31", 2, "2025-03-31"}, // an extension counts from receipt, not from the clipped date
		{"2025-01-31", 3, "2025-04-30"},
		{"2025-11-30", 3, "2026-02-28"},
		{"2027-11-30", 3, "2028-02-29"},
	}
	for _, c := range cases {
		if got := crm.DueDate(day(c.received), c.months).Format(time.DateOnly); got != c.want {
			t.Errorf("DueDate(%s, %d) = %s, want %s", c.received, c.months, got, c.want)
		}
	}
}

func TestRequestDeadlineAndExtensions(t *testing.T) {
	st, _ := newStore(t)
	mustCapture(t, st, "mario.rossi@example.it", "Mario Rossi")
	received := time.Now().UTC().AddDate(0, 0, -3)
	r, err := st.AddRequest(ctx, crm.RequestInput{Email: "Mario.Rossi@example.it", Kind: "access", Channel: "email", Received: received, Actor: system})
	if err != nil {
		t.Fatal(err)
	}
	if r.ContactID == nil || r.Email != "mario.rossi@example.it" || r.Status != "open" {
		t.Fatalf("request not tied to the contact: %+v", r)
	}
	if want := crm.DueDate(received, 1); !r.DueOn.Equal(want) {
		t.Errorf("due %s, want %s", r.DueOn, want)
	}
	if _, err := st.ExtendRequest(ctx, r.ID, 1, "", system); !errors.Is(err, crm.ErrInvalidInput) {
		t.Errorf("extension without a reason: got %v", err)
	}
	if r, err = st.ExtendRequest(ctx, r.ID, 1, "many archived messages to search", system); err != nil {
		t.Fatal(err)
	}
	if want := crm.DueDate(received, 2); !r.DueOn.Equal(want) || r.ExtendedMonths != 1 {
		t.Errorf("after one month's extension: due %s (%d), want %s", r.DueOn, r.ExtendedMonths, want)
	}
	if _, err := st.ExtendRequest(ctx, r.ID, 2, "more", system); !errors.Is(err, crm.ErrInvalidInput) {
		t.Errorf("extension past three months in all: got %v", err)
	}
	if r, err = st.ExtendRequest(ctx, r.ID, 1, "second batch", system); err != nil {
		t.Fatal(err)
	}
	if want := crm.DueDate(received, 3); !r.DueOn.Equal(want) || !strings.Contains(r.ExtensionReason, "second batch") {
		t.Errorf("after two months' extension: %+v, want due %s", r, want)
	}
	mustVerify(t, st)
}

func TestLateRequestsAreListedAndCannotBeExtended(t *testing.T) {
	st, _ := newStore(t)
	late, err := st.AddRequest(ctx, crm.RequestInput{Email: "stranger@example.org", Kind: "access", Channel: "letter",
		Received: time.Now().UTC().AddDate(0, -2, 0), Actor: system})
	if err != nil {
		t.Fatal(err)
	}
	if late.ContactID != nil {
		t.Errorf("a stranger's request is tied to contact %d", *late.ContactID)
	}
	fresh, err := st.AddRequest(ctx, crm.RequestInput{Email: "other@example.org", Kind: "erasure", Channel: "phone", Actor: system})
	if err != nil {
		t.Fatal(err)
	}
	due, err := st.DueRequests(ctx, 7*24*time.Hour)
	if err != nil {
		t.Fatal(err)
	}
	if len(due) != 1 || due[0].ID != late.ID || !due[0].Late(time.Now()) {
		t.Errorf("due within 7 days: %+v, want only the late request %d", due, late.ID)
	}
	all, _ := st.ListRequests(ctx, crm.RequestFilter{})
	if len(all) != 2 || all[1].ID != fresh.ID {
		t.Errorf("open requests: %+v", all)
	}
	if _, err := st.ExtendRequest(ctx, late.ID, 1, "too late", system); !errors.Is(err, crm.ErrInvalidInput) {
		t.Errorf("extension after the first month: got %v", err)
	}
	if _, err := st.AddRequest(ctx, crm.RequestInput{Email: "x@example.org", Kind: "access", Channel: "email",
		Received: time.Now().AddDate(0, 0, 2), Actor: system}); !errors.Is(err, crm.ErrInvalidInput) {
		t.Errorf("request received in the future: got %v", err)
	}
	if _, err := st.AddRequest(ctx, crm.RequestInput{Email: "x@example.org", Kind: "access", Channel: "email",
		InboundMessageID: 999, Actor: system}); !errors.Is(err, crm.ErrNotFound) {
		t.Errorf("link to a missing message: got %v", err)
	}
}

func TestFulfilRequests(t *testing.T) {
	st, _ := newStore(t)
	mustCapture(t, st, "mario.rossi@example.it", "Mario Rossi")
	mustCapture(t, st, "anna.bianchi@example.it", "Anna Bianchi")
	add := func(email, kind string) crm.Request {
		t.Helper()
		r, err := st.AddRequest(ctx, crm.RequestInput{Email: email, Kind: kind, Channel: "email", Actor: system})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	var zip bytes.Buffer
	r, err := st.FulfilRequest(ctx, add("mario.rossi@example.it", "access").ID, crm.FulfilInput{Export: &zip, Actor: system})
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != "fulfilled" || r.CompletedAt == nil || zip.Len() == 0 {
		t.Errorf("access request: %+v, %d bytes of export", r, zip.Len())
	}
	if _, err := st.FulfilRequest(ctx, r.ID, crm.FulfilInput{Export: &zip, Actor: system}); !errors.Is(err, crm.ErrInvalidInput) {
		t.Errorf("fulfilling twice: got %v", err)
	}
	er := add("anna.bianchi@example.it", "erasure")
	if _, err := st.FulfilRequest(ctx, er.ID, crm.FulfilInput{Actor: system}); !errors.Is(err, crm.ErrInvalidInput) {
		t.Errorf("erasure without a reason: got %v", err)
	}
	if r, err = st.FulfilRequest(ctx, er.ID, crm.FulfilInput{Reason: "Art. 17 request by email", Actor: system}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.FindContact(ctx, st.DB(), "anna.bianchi@example.it"); !errors.Is(err, crm.ErrNotFound) {
		t.Errorf("contact still there after its erasure request: %v", err)
	}
	if r.Status != "fulfilled" || r.Email != "" {
		t.Errorf("erasure request: %+v", r)
	}
	ob := add("stranger@example.org", "objection")
	if _, err := st.FulfilRequest(ctx, ob.ID, crm.FulfilInput{Actor: system}); err != nil {
		t.Fatal(err)
	}
	if sup, err := st.IsSuppressed(ctx, st.DB(), "stranger@example.org", "marketing"); err != nil || !sup {
		t.Errorf("stranger's objection did not suppress the address: %v %v", sup, err)
	}
	rect := add("mario.rossi@example.it", "rectification")
	if _, err := st.FulfilRequest(ctx, rect.ID, crm.FulfilInput{Actor: system}); !errors.Is(err, crm.ErrInvalidInput) {
		t.Errorf("rectification without outcome: got %v", err)
	}
	if r, err = st.FulfilRequest(ctx, rect.ID, crm.FulfilInput{Outcome: "phone number corrected", Actor: system}); err != nil || r.Outcome != "phone number corrected" {
		t.Errorf("rectification: %+v %v", r, err)
	}
	none, err := st.FulfilRequest(ctx, add("nobody@example.org", "access").ID, crm.FulfilInput{Actor: system})
	if err != nil || !strings.Contains(none.Outcome, "no personal data") {
		t.Errorf("stranger's access request: %+v %v", none, err)
	}
	mustVerify(t, st)
}
