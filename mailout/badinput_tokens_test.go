package mailout_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/basis-crm/basis/crm"
)

// TestForgedOrExpiredTokensChangeNothing: a forged unsubscribe link, and a
// confirmation link that is forged, expired or used, each get their own
// message and leave the contact as it was; after an expired link the
// person can be sent a new one, as the expired page tells them to ask.
func TestForgedOrExpiredTokensChangeNothing(t *testing.T) {
	e := newOutbox(t, nil)
	mario := e.capture(t, "mario.rossi@example.it", "Mario Rossi", "it")
	anna := e.capture(t, "anna.bianchi@example.it", "Anna Bianchi", "it")
	e.grantMarketing(t, anna)
	eligible := func(c crm.Contact) bool {
		t.Helper()
		el, err := e.store.Eligible(ctx, e.db, c, "marketing")
		if err != nil {
			t.Fatal(err)
		}
		return el.Allowed
	}
	events := func() int { return e.count(t, `SELECT count(*) FROM audit_events`) }

	good := e.store.UnsubscribeToken(anna.ID, "marketing")
	before := events()
	for _, forged := range []string{good[:len(good)-2] + "AA", good + "A", "", "not-a-token"} {
		_, _, err := e.store.Unsubscribe(ctx, forged, "one-click", "public:unsubscribe")
		if !errors.Is(err, crm.ErrBadToken) || !strings.Contains(err.Error(), "unsubscribe link is not valid") {
			t.Errorf("forged unsubscribe token %q: %v, want %q", forged, err, crm.ErrBadToken)
		}
	}
	if !eligible(anna) || events() != before {
		t.Fatal("a forged unsubscribe token changed something")
	}

	req, err := e.m.RequestConsent(ctx, mario.Email, "marketing", staff)
	if err != nil {
		t.Fatal(err)
	}
	_, token, _ := strings.Cut(req.ConfirmURL, "/confirm/")
	if _, err := e.store.ConfirmConsent(ctx, token+"x", "203.0.113.9", "test"); !errors.Is(err, crm.ErrTokenUnknown) ||
		!strings.Contains(err.Error(), "this confirmation link is not known") {
		t.Errorf("forged confirmation token: %v", err)
	}
	if _, err := e.db.Exec(`UPDATE consent_requests SET expires_at = now() - interval '1 minute' WHERE id = $1`, req.Request.ID); err != nil {
		t.Fatal(err)
	}
	before = events()
	if _, _, _, err := e.store.LookupConsentRequest(ctx, token); !errors.Is(err, crm.ErrTokenExpired) {
		t.Errorf("GET of an expired link: %v, want ErrTokenExpired", err)
	}
	_, err = e.store.ConfirmConsent(ctx, token, "203.0.113.9", "test")
	if !errors.Is(err, crm.ErrTokenExpired) || !strings.Contains(err.Error(), "this confirmation link has expired") {
		t.Errorf("expired confirmation token: %v, want %q", err, crm.ErrTokenExpired)
	}
	if eligible(mario) || events() != before || e.count(t, `SELECT count(*) FROM consents`) != 0 {
		t.Fatal("an expired or forged confirmation link recorded something")
	}

	again, err := e.m.RequestConsent(ctx, mario.Email, "marketing", staff)
	if err != nil {
		t.Fatalf("a new request after the old link expired: %v", err)
	}
	_, token, _ = strings.Cut(again.ConfirmURL, "/confirm/")
	if _, err := e.store.ConfirmConsent(ctx, token, "203.0.113.9", "test"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.ConfirmConsent(ctx, token, "203.0.113.9", "test"); !errors.Is(err, crm.ErrTokenUsed) ||
		!strings.Contains(err.Error(), "already used") {
		t.Errorf("used token: %v, want ErrTokenUsed", err)
	}
	if !eligible(mario) || e.count(t, `SELECT count(*) FROM consents`) != 1 {
		t.Fatal("the fresh link did not record exactly one consent")
	}
}
