package web

import (
	"net/http"
	"strings"
	"testing"
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
