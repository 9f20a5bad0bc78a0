package mailout_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/basis-crm/basis/internal/smtpsink"
	"github.com/basis-crm/basis/mailout"
)

func TestTemporaryFailuresAreRetriedThenSent(t *testing.T) {
	for _, code := range []int{421, 451} {
		t.Run(strings.TrimSpace(string(rune('0'+code/100))+"xx"), func(t *testing.T) {
			e := newOutbox(t, nil)
			c := e.capture(t, "mario.rossi@example.it", "Mario Rossi", "it")
			e.sink.FailNext(code, "4.7.1", "try again later", 1)
			if got := e.runOnce(t); got.Retried != 1 || got.Sent != 0 {
				t.Fatalf("first pass %+v, want 1 retried", got)
			}
			if got := e.runOnce(t); got.Sent != 1 {
				t.Fatalf("second pass %+v, want 1 sent", got)
			}
			if s := e.statuses(t, c.ID, "notice"); len(s) != 1 || s[0] != "sent" {
				t.Fatalf("notice statuses %v", s)
			}
			if n := len(to(e.sink.Messages(), c.Email)); n != 1 {
				t.Fatalf("sink has %d messages for %s, want 1", n, c.Email)
			}
		})
	}
}

func TestUnknownRecipientFailsAndIsSuppressed(t *testing.T) {
	e := newOutbox(t, nil)
	c := e.capture(t, "nobody@example.it", "No Body", "it")
	e.sink.RejectRecipient(c.Email, 550, "5.1.1", "no such user", 0)
	if got := e.runOnce(t); got.Failed != 1 {
		t.Fatalf("pass %+v, want 1 failed", got)
	}
	if s := e.statuses(t, c.ID, "notice"); s[0] != "failed" {
		t.Fatalf("status %v, want failed", s)
	}
	el, err := e.store.Eligible(ctx, e.db, c, "inquiry_followup")
	if err != nil {
		t.Fatal(err)
	}
	if el.Allowed || el.Code != "bounced" {
		t.Fatalf("after 5.1.1 the address is %+v, want bounced", el)
	}
}

func TestSMTPDownLosesNothing(t *testing.T) {
	e := newOutbox(t, nil)
	addr := e.sink.Addr()
	c := e.capture(t, "mario.rossi@example.it", "Mario Rossi", "it")
	e.sink.Close()
	if got := e.runOnce(t); got.Retried != 1 {
		t.Fatalf("pass with the server down %+v, want 1 retried", got)
	}
	if s := e.statuses(t, c.ID, "notice"); s[0] != "queued" {
		t.Fatalf("status %v, want queued", s)
	}
	back := smtpsink.New(smtpsink.Options{})
	if err := back.Listen(addr); err != nil {
		t.Fatal(err)
	}
	defer back.Close()
	if got := e.runOnce(t); got.Sent != 1 {
		t.Fatalf("pass with the server back %+v, want 1 sent", got)
	}
	if back.Count() != 1 {
		t.Fatalf("server got %d messages", back.Count())
	}
}

func TestDropDuringDataIsRetried(t *testing.T) {
	e := newOutbox(t, nil)
	e.capture(t, "mario.rossi@example.it", "Mario Rossi", "it")
	e.sink.DropDuringData(1)
	e.runOnce(t)
	e.runOnce(t)
	if e.sink.Count() != 1 {
		t.Fatalf("sink has %d messages, want 1", e.sink.Count())
	}
}

func TestCampaignTemplateWithUnknownFieldIsRefused(t *testing.T) {
	e := newOutbox(t, nil)
	_, err := e.m.CreateCampaign(ctx, mailout.CampaignInput{Name: "x", Purpose: "marketing", Subject: "Hi",
		Text: "Ciao {{.Nmae}}", Actor: staff})
	if err == nil || !strings.Contains(err.Error(), "Nmae") {
		t.Fatalf("err %v, want the unknown field named", err)
	}
	if _, err := e.m.CreateCampaign(ctx, mailout.CampaignInput{Name: "x", Purpose: "newsletter", Subject: "Hi", Text: "Ciao", Actor: staff}); err == nil {
		t.Fatal("a campaign for an unconfigured purpose was created")
	}
}

func TestCampaignNobodyMayReceiveIsRefused(t *testing.T) {
	e := newOutbox(t, nil)
	e.capture(t, "mario.rossi@example.it", "Mario Rossi", "it")
	camp := newCampaign(t, e, "Ciao {{.FirstName}}")
	_, err := e.m.ScheduleCampaign(ctx, camp.ID, timeNow(), staff)
	if !errors.Is(err, mailout.ErrNoAudience) || !strings.Contains(err.Error(), "no_basis 1") {
		t.Fatalf("err %v, want ErrNoAudience with the reasons", err)
	}
}

func TestErasureClearsQueuedConsentRequest(t *testing.T) {
	e := newOutbox(t, nil)
	c := e.capture(t, "mario.rossi@example.it", "Mario Rossi", "it")
	e.runOnce(t)
	if _, err := e.m.RequestConsent(ctx, c.Email, "marketing", staff); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Erase(ctx, crmErasure(c.Email)); err != nil {
		t.Fatal(err)
	}
	var body string
	if err := e.db.Get(&body, `SELECT body_text || subject FROM outbox WHERE kind = 'consent_request'`); err != nil {
		t.Fatal(err)
	}
	if body != "" {
		t.Fatalf("outbox keeps %q after erasure", body)
	}
	before := e.sink.Count()
	e.runOnce(t)
	if e.sink.Count() != before {
		t.Fatal("a message went to an erased contact")
	}
}
