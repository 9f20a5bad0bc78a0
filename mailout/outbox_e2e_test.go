package mailout_test

import (
	"bytes"
	"errors"
	"net/mail"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/basis-crm/basis/crm"
)

var confirmLink = regexp.MustCompile(`https://crm\.acme-srl\.it/(it|en)/confirm/([A-Za-z0-9_-]+)`)

// TestCaptureToCampaignWithUnsubscribe walks the whole life of a contact:
// capture, privacy notice, double opt-in, a campaign that reaches exactly the
// eligible contacts, and an unsubscribe that stops the next message.
func TestCaptureToCampaignWithUnsubscribe(t *testing.T) {
	e := newOutbox(t, nil)
	mario := e.capture(t, "mario.rossi@example.it", "Mario Rossi", "it")
	anna := e.capture(t, "anna.smith@example.com", "Anna Smith", "en")
	luca := e.capture(t, "luca@example.it", "Luca Bianchi", "it")
	giulia := e.capture(t, "giulia@example.it", "Giulia Verdi", "it")

	// Privacy notices: one each, kept byte for byte.
	if c := e.runOnce(t); c.Sent != 4 {
		t.Fatalf("notices: %+v, want 4 sent", c)
	}
	got := e.sink.Messages()
	marioMsgs := to(got, mario.Email)
	if len(marioMsgs) != 1 {
		t.Fatalf("mario got %d notices", len(marioMsgs))
	}
	var kept []byte
	if err := e.db.Get(&kept, `SELECT e.content FROM outbox o JOIN evidence e ON e.id = o.evidence_id
		WHERE o.contact_id = $1 AND o.kind = 'notice' AND e.kind = 'sent_message'`, mario.ID); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(kept, marioMsgs[0].Raw) {
		t.Fatalf("evidence (%d bytes) differs from what the server received (%d bytes)", len(kept), len(marioMsgs[0].Raw))
	}
	notice := string(marioMsgs[0].Raw)
	for _, want := range []string{"Acme S.r.l.", "privacy@acme-srl.it", "https://crm.acme-srl.it/u/", "24 mesi"} {
		if !strings.Contains(strings.ReplaceAll(notice, "=\r\n", ""), want) {
			t.Errorf("notice lacks %q", want)
		}
	}
	if !strings.Contains(string(to(got, anna.Email)[0].Raw), "Controller") {
		t.Error("Anna (en) did not get the English notice")
	}
	if c := e.runOnce(t); c.Sent != 0 {
		t.Fatalf("a second pass sent %d messages; notices must go once", c.Sent)
	}
	var subject string
	if err := e.db.Get(&subject, `SELECT subject FROM outbox WHERE contact_id = $1 AND kind = 'notice'`, mario.ID); err != nil {
		t.Fatal(err)
	}
	if subject != "Come Acme S.r.l. tratta i suoi dati personali" {
		t.Errorf("the notice's outbox row keeps subject %q, want the one rendered and sent", subject)
	}

	// Double opt-in for Mario.
	if _, err := e.m.RequestConsent(ctx, mario.Email, "marketing", staff); err != nil {
		t.Fatal(err)
	}
	if _, err := e.m.RequestConsent(ctx, mario.Email, "marketing", staff); !errors.Is(err, crm.ErrRequestOpen) {
		t.Fatalf("second open request: %v, want ErrRequestOpen", err)
	}
	e.runOnce(t)
	reqs := to(e.sink.Messages(), mario.Email)
	m := confirmLink.FindStringSubmatch(strings.ReplaceAll(string(reqs[len(reqs)-1].Raw), "=\r\n", ""))
	if m == nil {
		t.Fatalf("no confirmation link in:\n%s", reqs[len(reqs)-1].Raw)
	}
	token := m[2]
	if _, err := e.store.ConfirmConsent(ctx, token+"x", "203.0.113.9", "test"); !errors.Is(err, crm.ErrTokenUnknown) {
		t.Fatalf("forged confirmation token: %v, want ErrTokenUnknown", err)
	}
	if _, _, _, err := e.store.LookupConsentRequest(ctx, token); err != nil { // what GET does: changes nothing
		t.Fatal(err)
	}
	if el, _ := e.store.Eligible(ctx, e.db, mario, "marketing"); el.Allowed {
		t.Fatal("Mario is eligible before confirming")
	}
	if _, err := e.store.ConfirmConsent(ctx, token, "203.0.113.9", "test"); err != nil {
		t.Fatal(err)
	}
	e.grantMarketing(t, anna)
	e.grantMarketing(t, giulia)

	// A campaign reaches exactly Mario, Anna and Giulia; Luca has no basis.
	camp := newCampaign(t, e, "Ciao {{.FirstName}},\nle nostre novità.\n")
	p, err := e.m.PreviewCampaign(ctx, camp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if p.Eligible != 3 || p.Excluded["no_basis"] != 1 {
		t.Fatalf("preview %+v, want 3 eligible and 1 without basis", p)
	}
	if _, err := e.m.ScheduleCampaign(ctx, camp.ID, time.Time{}, staff); err != nil {
		t.Fatal(err)
	}
	if err := e.m.Tick(ctx); err != nil { // materializes the audience
		t.Fatal(err)
	}
	// Giulia unsubscribes (one-click) after the campaign started.
	if _, _, err := e.store.Unsubscribe(ctx, e.store.UnsubscribeToken(giulia.ID, "marketing")+"A", "one-click", "public:unsubscribe"); !errors.Is(err, crm.ErrBadToken) {
		t.Fatalf("forged unsubscribe token: %v, want ErrBadToken", err)
	}
	if _, _, err := e.store.Unsubscribe(ctx, e.store.UnsubscribeToken(giulia.ID, "marketing"), "one-click", "public:unsubscribe"); err != nil {
		t.Fatal(err)
	}
	before := e.sink.Count()
	c := e.runOnce(t)
	if c.Sent != 2 || c.SkippedIneligible != 1 {
		t.Fatalf("campaign pass %+v, want 2 sent and 1 skipped", c)
	}
	all := e.sink.Messages()[before:]
	for _, who := range []crm.Contact{mario, anna} {
		if n := len(to(all, who.Email)); n != 1 {
			t.Errorf("%s got %d campaign messages, want 1", who.Email, n)
		}
	}
	for _, who := range []crm.Contact{luca, giulia} {
		if n := len(to(all, who.Email)); n != 0 {
			t.Errorf("%s got %d campaign messages, want 0", who.Email, n)
		}
	}
	msg, err := mail.ReadMessage(bytes.NewReader(to(all, mario.Email)[0].Raw))
	if err != nil {
		t.Fatal(err)
	}
	lu := msg.Header.Get("List-Unsubscribe")
	if !strings.Contains(lu, "<https://crm.acme-srl.it/u/") || !strings.Contains(lu, "<mailto:unsubscribe+") ||
		msg.Header.Get("List-Unsubscribe-Post") != "List-Unsubscribe=One-Click" {
		t.Fatalf("List-Unsubscribe %q, List-Unsubscribe-Post %q", lu, msg.Header.Get("List-Unsubscribe-Post"))
	}
	if !strings.Contains(string(to(all, mario.Email)[0].Raw), "Per non ricevere") {
		t.Error("no visible unsubscribe link in the campaign body")
	}
	r, err := e.m.ShowCampaign(ctx, camp.ID)
	if err != nil {
		t.Fatal(err)
	}
	if r.Messages["sent"] != 2 || r.Messages["skipped"] != 1 {
		t.Fatalf("campaign counts %v", r.Messages)
	}
	if err := e.m.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if r, _ := e.m.Campaign(ctx, camp.ID); r.Status != "done" {
		t.Fatalf("campaign status %s, want done", r.Status)
	}
	if res, err := e.store.VerifyAudit(ctx); err != nil || !res.OK {
		t.Fatalf("audit chain after sending: %+v %v", res, err)
	}
}
