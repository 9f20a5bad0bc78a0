package mailout_test

import (
	"bytes"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/basis-crm/basis/mailout"
)

// count returns the number of rows q finds.
func (e *outboxEnv) count(t *testing.T, q string, args ...any) int {
	t.Helper()
	var n int
	if err := e.db.Get(&n, q, args...); err != nil {
		t.Fatal(err)
	}
	return n
}

// TestBadCampaignIsRefusedAtCreateNamingTheFix: a template that does not
// parse or names a field contacts do not have, or an unknown purpose, is
// refused before anything is stored, with the place and the fix.
func TestBadCampaignIsRefusedAtCreateNamingTheFix(t *testing.T) {
	e := newOutbox(t, nil)
	ok := mailout.CampaignInput{Name: "Autunno", Purpose: "marketing", Subject: "Novità per {{.FirstName}}",
		Text: "Ciao {{.FirstName}}", Language: "it", Actor: staff}
	cases := []struct {
		name string
		mod  func(*mailout.CampaignInput)
		want []string
	}{
		{"unknown field in text", func(in *mailout.CampaignInput) { in.Text = "Ciao\n{{.Nmae}}" },
			[]string{`mailout: campaign "Autunno": template text:2:2 names {{.Nmae}}, which contacts do not have; known fields: Name, FirstName`}},
		{"unknown field in subject", func(in *mailout.CampaignInput) { in.Subject = "Per {{.Compnay}}" },
			[]string{`mailout: campaign "Autunno": template subject:1:6 names {{.Compnay}}, which contacts do not have; known fields:`}},
		{"unknown field in html", func(in *mailout.CampaignInput) { in.HTML = "<p>{{.FristName}}</p>" },
			[]string{"template html:1:5 names {{.FristName}}"}},
		{"text does not parse", func(in *mailout.CampaignInput) { in.Text = "Ciao {{.FirstName" },
			[]string{`mailout: campaign "Autunno": template: text:1: unclosed action`, "(fix the {{ }} there: a field is written {{.FirstName}}"}},
		{"unclosed if", func(in *mailout.CampaignInput) { in.Text = "{{if .Company}}Ciao" },
			[]string{"unexpected EOF", "needs its {{end}}"}},
		{"empty text", func(in *mailout.CampaignInput) { in.Text = " \n" },
			[]string{"template text: empty (write the message"}},
		{"unknown purpose", func(in *mailout.CampaignInput) { in.Purpose = "newsletter" },
			[]string{`purpose "newsletter" is not one of [inquiry_followup marketing] (policy.purposes in the config)`}},
	}
	for _, tc := range cases {
		in := ok
		tc.mod(&in)
		_, err := e.m.CreateCampaign(ctx, in)
		if err == nil {
			t.Errorf("%s: created", tc.name)
			continue
		}
		if strings.Count(err.Error(), "mailout:") != 1 {
			t.Errorf("%s: %q repeats the package prefix", tc.name, err)
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: got %q, want it to contain %q", tc.name, err, w)
			}
		}
	}
	if n := e.count(t, `SELECT count(*) FROM campaigns`); n != 0 {
		t.Fatalf("%d campaigns stored by refused creates", n)
	}
}

// TestCampaignForAPurposeNobodyMayReceiveStaysDraft: scheduling a campaign
// no contact is eligible for says why each was excluded and what to do,
// and leaves the campaign a draft with nothing queued and nothing sent.
func TestCampaignForAPurposeNobodyMayReceiveStaysDraft(t *testing.T) {
	e := newOutbox(t, nil)
	e.capture(t, "mario.rossi@example.it", "Mario Rossi", "it")
	anna := e.capture(t, "anna.bianchi@example.it", "Anna Bianchi", "it")
	e.grantMarketing(t, anna)
	if _, _, err := e.store.Unsubscribe(ctx, e.store.UnsubscribeToken(anna.ID, "marketing"), "one-click", "public:unsubscribe"); err != nil {
		t.Fatal(err)
	}
	e.runOnce(t) // the privacy notices
	sent := e.sink.Count()
	camp := newCampaign(t, e, "Ciao {{.FirstName}}")

	_, err := e.m.ScheduleCampaign(ctx, camp.ID, timeNow(), staff)
	if !errors.Is(err, mailout.ErrNoAudience) {
		t.Fatalf("got %v, want ErrNoAudience", err)
	}
	want := `no contact may receive this campaign for purpose "marketing" (excluded: no_basis 1, objected 1); ` +
		"record a basis (e.g. basis consent request EMAIL --purpose marketing) or change the segment"
	if !strings.Contains(err.Error(), want) {
		t.Errorf("got %q, want it to contain %q", err, want)
	}
	got, err := e.m.Campaign(ctx, camp.ID)
	if err != nil || got.Status != "draft" {
		t.Fatalf("campaign %+v %v, want still a draft", got, err)
	}
	if err := e.m.Tick(ctx); err != nil {
		t.Fatal(err)
	}
	if n := e.count(t, `SELECT count(*) FROM outbox WHERE kind = 'campaign'`); n != 0 {
		t.Fatalf("%d campaign messages queued", n)
	}
	e.runOnce(t)
	if e.sink.Count() != sent {
		t.Fatalf("%d messages sent for a campaign nobody may receive", e.sink.Count()-sent)
	}
	if _, err := e.m.ScheduleCampaign(ctx, camp.ID, timeNow(), staff); !errors.Is(err, mailout.ErrNoAudience) {
		t.Fatalf("second try: %v, want ErrNoAudience again", err)
	}
}

// A campaign scheduled for someone who objects before it starts starts
// with nobody to send to: nothing goes out, and the sender's log says so
// instead of starting it in silence.
func TestCampaignWhoseAudienceLeftBeforeStartWarns(t *testing.T) {
	e := newOutbox(t, nil)
	anna := e.capture(t, "anna.bianchi@example.it", "Anna Bianchi", "it")
	e.grantMarketing(t, anna)
	e.runOnce(t) // the privacy notice
	sent := e.sink.Count()
	camp := newCampaign(t, e, "Ciao {{.FirstName}}")
	if _, err := e.m.ScheduleCampaign(ctx, camp.ID, timeNow().Add(time.Hour), staff); err != nil {
		t.Fatal(err)
	}
	if _, _, err := e.store.Unsubscribe(ctx, e.store.UnsubscribeToken(anna.ID, "marketing"), "one-click", "public:unsubscribe"); err != nil {
		t.Fatal(err)
	}
	if _, err := e.db.ExecContext(ctx, `UPDATE campaigns SET scheduled_at = now() - interval '1 minute' WHERE id = $1`, camp.ID); err != nil {
		t.Fatal(err)
	}
	var logs bytes.Buffer
	m, err := mailout.New(e.store, e.cfg, slog.New(slog.NewTextHandler(&logs, nil)))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := m.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if want := "campaign started with no recipient: nobody may receive it now (basis campaign preview says why)"; !strings.Contains(logs.String(), want) {
		t.Errorf("log %q, want %q", logs.String(), want)
	}
	if e.sink.Count() != sent {
		t.Errorf("%d messages sent", e.sink.Count()-sent)
	}
}
