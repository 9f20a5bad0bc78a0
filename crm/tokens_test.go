package crm_test

import (
	"errors"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/basis-crm/basis/crm"
)

func TestUnsubscribeTokenCannotBeForged(t *testing.T) {
	st, db := newStore(t)
	c := mustCapture(t, st, "mario@example.it", "Mario")
	tok := st.UnsubscribeToken(c.ID, "marketing")
	id, purpose, err := st.ParseUnsubscribeToken(tok)
	if err != nil || id != c.ID || purpose != "marketing" {
		t.Fatalf("round trip: %d %q %v", id, purpose, err)
	}
	other := crm.NewStore(db, []byte("another-secret-key-0123456789abcdef"), policy, nil)
	for _, bad := range []string{other.UnsubscribeToken(c.ID, "marketing"), tok[:len(tok)-2] + "AA", "", "!!!"} {
		if _, _, err := st.ParseUnsubscribeToken(bad); !errors.Is(err, crm.ErrBadToken) {
			t.Errorf("token %q accepted: %v", bad, err)
		}
	}
	if _, _, err := st.Unsubscribe(ctx, tok, "one-click", "public:unsubscribe"); err != nil {
		t.Fatal(err)
	}
	if _, _, err := st.Unsubscribe(ctx, tok, "one-click", "public:unsubscribe"); err != nil {
		t.Fatalf("second unsubscribe is not idempotent: %v", err)
	}
	c, _ = st.FindContact(ctx, db, "mario@example.it")
	if e, _ := st.Eligible(ctx, db, c, "marketing"); e.Code != crm.ReasonObjected {
		t.Errorf("after unsubscribe: %+v", e)
	}
}

// The privacy notice's link (a token without a purpose) promises that the
// person can object to being contacted at all (Art. 21): it stops the
// follow-up of an inquiry too, not only marketing. A campaign's link stops
// its purpose only.
func TestNoticeLinkObjectsToEveryPurpose(t *testing.T) {
	st, db := newStore(t)
	c := mustCapture(t, st, "mario@example.it", "Mario")
	if _, _, err := st.Unsubscribe(ctx, st.UnsubscribeToken(c.ID, ""), "unsubscribe page", "public:unsubscribe"); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"marketing", "inquiry_followup"} {
		if e, _ := st.Eligible(ctx, db, c, p); e.Allowed || e.Code != crm.ReasonObjected {
			t.Errorf("%s after the notice's link: %+v", p, e)
		}
	}
	anna := mustCapture(t, st, "anna@example.it", "Anna")
	if _, _, err := st.Unsubscribe(ctx, st.UnsubscribeToken(anna.ID, "marketing"), "one-click", "public:unsubscribe"); err != nil {
		t.Fatal(err)
	}
	if e, _ := st.Eligible(ctx, db, anna, "inquiry_followup"); !e.Allowed {
		t.Errorf("follow-up after a campaign's unsubscribe link: %+v", e)
	}
	if got := st.ObjectionPurpose("purpose-removed-from-the-policy"); got != "" {
		t.Errorf("a removed purpose's token objects to %q, want all marketing", got)
	}
}

func TestDoubleOptIn(t *testing.T) {
	st, db := newStore(t)
	c := mustCapture(t, st, "mario@example.it", "Mario")
	var token string
	inTx(t, st, func(tx *sqlx.Tx) error {
		text, err := st.StoreConsentText(ctx, tx, "marketing", "it", "2026-11", "Acconsento a ricevere offerte.")
		if err != nil {
			return err
		}
		_, token, err = st.RequestConsent(ctx, tx, c.ID, text.ID, 7*24*time.Hour, system)
		if err != nil {
			return err
		}
		_, _, err = st.RequestConsent(ctx, tx, c.ID, text.ID, 7*24*time.Hour, system)
		if !errors.Is(err, crm.ErrRequestOpen) {
			t.Errorf("second open request: got %v, want ErrRequestOpen", err)
		}
		return nil
	})
	if _, _, _, err := st.LookupConsentRequest(ctx, token); err != nil {
		t.Fatal(err)
	}
	if e, _ := st.Eligible(ctx, db, c, "marketing"); e.Allowed {
		t.Fatal("looking at the request granted consent")
	}
	consent, err := st.ConfirmConsent(ctx, token, "203.0.113.9", "Mozilla/5.0")
	if err != nil {
		t.Fatal(err)
	}
	if consent.IP != "203.0.113.9" || consent.TextVersion != "2026-11" || consent.RequestID == nil {
		t.Errorf("consent record incomplete: %+v", consent)
	}
	if e, _ := st.Eligible(ctx, db, c, "marketing"); !e.Allowed {
		t.Errorf("not eligible after confirming: %+v", e)
	}
	if _, err := st.ConfirmConsent(ctx, token, "203.0.113.9", "x"); !errors.Is(err, crm.ErrTokenUsed) {
		t.Errorf("reused token: got %v", err)
	}
	if _, err := st.ConfirmConsent(ctx, "made-up", "", ""); !errors.Is(err, crm.ErrTokenUnknown) {
		t.Errorf("unknown token: got %v", err)
	}
	var n int
	db.Get(&n, `SELECT count(*) FROM consents`)
	if n != 1 {
		t.Errorf("%d consents, want 1", n)
	}
	mustVerify(t, st)
}

func TestExpiredConsentTokenChangesNothing(t *testing.T) {
	st, db := newStore(t)
	c := mustCapture(t, st, "mario@example.it", "Mario")
	var token string
	inTx(t, st, func(tx *sqlx.Tx) error {
		text, err := st.StoreConsentText(ctx, tx, "marketing", "it", "v1", "Acconsento.")
		if err == nil {
			_, token, err = st.RequestConsent(ctx, tx, c.ID, text.ID, -time.Minute, system)
		}
		return err
	})
	if _, err := st.ConfirmConsent(ctx, token, "", ""); !errors.Is(err, crm.ErrTokenExpired) {
		t.Fatalf("got %v, want ErrTokenExpired", err)
	}
	if e, _ := st.Eligible(ctx, db, c, "marketing"); e.Allowed {
		t.Error("expired token granted consent")
	}
}
