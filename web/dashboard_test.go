package web

import (
	"net/http"
	"strings"
	"testing"

	"github.com/basis-crm/basis/mailout"
)

func TestDashboardCountsOverdueNotices(t *testing.T) {
	f := newFixture(t)
	late := f.mustCapture("giulia.bianchi@example.it", "Giulia Bianchi", "")
	f.mustCapture("today@example.it", "Captured Today", "")
	if _, err := f.srv.mailer.QueueMissingNotices(ctx); err != nil {
		t.Fatal(err)
	}
	if _, err := f.st.DB().Exec(`UPDATE contacts SET created_at = now() - interval '45 days' WHERE id = $1`, late.ID); err != nil {
		t.Fatal(err)
	}
	rec := f.do("GET", "/", f.session("staff"), nil, "Accept-Language", "en")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /: %d", rec.Code)
	}
	body := rec.Body.String()
	for _, want := range []string{`id="overdue-count">1<`, `href="/contacts/` + itoa(late.ID) + `">giulia.bianchi@example.it`} {
		if !strings.Contains(body, want) {
			t.Errorf("dashboard lacks %s", want)
		}
	}
	if strings.Contains(body, "today@example.it") {
		t.Error("the dashboard lists a contact captured today as overdue")
	}
}

func TestDashboardListsRunningAndScheduledCampaignsOnly(t *testing.T) {
	f := newFixture(t)
	ids := map[string]int64{}
	for _, status := range []string{"draft", "scheduled", "running", "paused", "cancelled", "done"} {
		c, err := f.srv.mailer.CreateCampaign(ctx, mailout.CampaignInput{Name: "Campaign " + status, Purpose: "marketing",
			Subject: "Novità", Text: "Ciao", Actor: system})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := f.st.DB().Exec(`UPDATE campaigns SET status = $2 WHERE id = $1`, c.ID, status); err != nil {
			t.Fatal(err)
		}
		ids[status] = c.ID
	}
	rec := f.do("GET", "/", f.session("staff"), nil, "Accept-Language", "en")
	if rec.Code != http.StatusOK {
		t.Fatalf("GET /: %d", rec.Code)
	}
	body := rec.Body.String()
	// newest first: running was created after scheduled
	running := `<li><a href="/campaigns/` + itoa(ids["running"]) + `">Campaign running</a> · running</li>`
	scheduled := `<li><a href="/campaigns/` + itoa(ids["scheduled"]) + `">Campaign scheduled</a> · scheduled</li>`
	if !strings.Contains(body, `id="campaigns-running">2<`) || !strings.Contains(body, running+scheduled) {
		t.Errorf("dashboard does not list the running and the scheduled campaign, newest first:\n%s", body)
	}
	for _, status := range []string{"draft", "paused", "cancelled", "done"} {
		if strings.Contains(body, "Campaign "+status) {
			t.Errorf("dashboard lists a %s campaign", status)
		}
	}
}

// Without a privacy address or postal address, privacy notices give no way
// to reach the controller: the dashboard says what to set.
func TestDashboardWarnsWhenNoticesGiveNoContact(t *testing.T) {
	f := newFixture(t)
	cookie := f.session("staff")
	if body := f.do("GET", "/", cookie, nil).Body.String(); strings.Contains(body, `id="no-privacy-contact"`) {
		t.Fatalf("warning shown with a privacy address set")
	}
	f.srv.org.PrivacyEmail = ""
	body := f.do("GET", "/", cookie, nil).Body.String()
	if !strings.Contains(body, `id="no-privacy-contact"`) || !strings.Contains(body, "organization.privacy_email") {
		t.Fatalf("no warning without a privacy address: %s", body)
	}
}
