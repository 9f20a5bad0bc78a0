package web

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/basis-crm/basis/config"
	"github.com/basis-crm/basis/crm"
	"github.com/basis-crm/basis/internal/smtpsink"
	"github.com/basis-crm/basis/mailout"
)

// mailFixture is a fixture whose Mailer sends to an in-process SMTP sink,
// served on a real listener so links in the mail point back at it.
type mailFixture struct {
	*fixture
	sink   *smtpsink.Server
	mailer *mailout.Mailer
	url    string
}

// sinkMailbox is the demo mailbox over a test's SMTP sink; dropped
// inquiries are kept for the test to check.
type sinkMailbox struct {
	sink    *smtpsink.Server
	mu      sync.Mutex
	dropped []string
}

func (m *sinkMailbox) Caught() []CaughtMail {
	var out []CaughtMail
	for _, msg := range m.sink.Messages() {
		out = append(out, CaughtMail{From: msg.From, To: msg.To, Raw: msg.Raw, Received: msg.Received})
	}
	return out
}

func (m *sinkMailbox) Drop(name, email, subject, body string) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.dropped = append(m.dropped, email+" "+subject)
	return nil
}

func newMailFixture(t *testing.T) *mailFixture {
	t.Helper()
	f := newFixture(t)
	sink := smtpsink.Start(t)
	var h http.Handler
	// https: one-click List-Unsubscribe (RFC 8058) needs an https link.
	ts := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { h.ServeHTTP(w, r) }))
	t.Cleanup(ts.Close)
	host, port := hostPortOf(t, sink.Addr())
	mailer, err := mailout.New(f.st, mailout.Config{SMTP: mailout.SMTPConfig{Host: host, Port: port, TLS: mailout.TLSNone},
		From: "Acme S.r.l. <info@acme-srl.it>", UnsubscribeMailto: "unsubscribe@acme-srl.it", BaseURL: ts.URL,
		Organization: mailout.Organization{Name: "Acme S.r.l.", DefaultLanguage: "it", PrivacyEmail: "privacy@acme-srl.it"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mailer.Close() })
	srv, err := New(Options{Store: f.st, Organization: config.Organization{Name: "Acme S.r.l.", DefaultLanguage: "it"},
		BaseURL: ts.URL, Mailer: mailer, Demo: &sinkMailbox{sink: sink}})
	if err != nil {
		t.Fatal(err)
	}
	f.srv, f.h = srv, srv.Handler()
	h = f.h
	return &mailFixture{fixture: f, sink: sink, mailer: mailer, url: ts.URL}
}

func hostPortOf(t *testing.T, addr string) (string, int) {
	t.Helper()
	u, err := url.Parse("smtp://" + addr)
	if err != nil {
		t.Fatal(err)
	}
	p, _ := strconv.Atoi(u.Port())
	return u.Hostname(), p
}

func TestConsentRequestAndNoticeFromContactPage(t *testing.T) {
	f := newMailFixture(t)
	c := f.mustCapture("mario@example.com", "Mario Rossi", "")
	staff := f.session("staff")
	if rec := f.do("POST", contactPath(c.ID)+"/consent", staff, url.Values{"purpose": {"marketing"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("request consent: %d %s", rec.Code, rec.Body)
	}
	rec := f.do("POST", contactPath(c.ID)+"/consent", staff, url.Values{"purpose": {"marketing"}}, "Accept-Language", "en")
	if rec.Code != http.StatusConflict || !strings.Contains(rec.Body.String(), "already waiting") {
		t.Fatalf("second consent request: %d, want 409 saying a request is open:\n%s", rec.Code, rec.Body)
	}
	if rec := f.do("POST", contactPath(c.ID)+"/notice", staff, url.Values{}); rec.Code != http.StatusSeeOther {
		t.Fatalf("send notice: %d %s", rec.Code, rec.Body)
	}
	if rec := f.do("POST", contactPath(c.ID)+"/notice", staff, url.Values{}); rec.Code != http.StatusConflict {
		t.Fatalf("second notice: %d, want 409", rec.Code)
	}
	if _, err := f.mailer.RunOnce(ctx); err != nil {
		t.Fatal(err)
	}
	if n := len(f.sink.Messages()); n != 2 {
		t.Fatalf("%d messages sent, want the consent request and the notice", n)
	}
	body := f.do("GET", contactPath(c.ID), staff, nil, "Accept-Language", "en").Body.String()
	if strings.Count(body, `class="t-sent"`) != 2 {
		t.Fatalf("timeline does not show the two sent messages:\n%s", body)
	}
	demo := f.do("GET", "/demo", staff, nil).Body.String()
	if strings.Count(demo, `class="caught"`) != 2 || !strings.Contains(f.do("GET", "/demo/1", staff, nil).Body.String(), f.url+"/") {
		t.Fatalf("demo mailbox lacks the caught mail or its links:\n%s", demo)
	}
}

// mustFlagged stores raw as an unassigned inbound message flagged for review.
func mustFlagged(t *testing.T, st *crm.Store, uid int64, review, subject, preview string) int64 {
	t.Helper()
	var id int64
	err := st.InTx(ctx, func(tx *sqlx.Tx) error {
		ev, err := st.AddEvidence(ctx, tx, crm.EvidenceInput{Kind: "inbound_email", ContentType: "message/rfc822",
			Content: []byte("Subject: " + subject + "\r\n\r\n" + preview + "\r\n"), Actor: system})
		if err != nil {
			return err
		}
		return tx.GetContext(ctx, &id, `INSERT INTO inbound_messages (evidence_id, sha256, account, mailbox, uidvalidity, uid,
			from_name, subject, preview, internal_date, size, class, review)
			SELECT $1, sha256, 'shared', 'INBOX', 1, $2, '', $3, $4, now(), size, 'inquiry', $5 FROM evidence WHERE id = $1
			RETURNING id`, ev.ID, uid, subject, preview, review)
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestFlaggedMessagesAssignDismissAndSearch(t *testing.T) {
	f := newFixture(t)
	c := f.mustCapture("mario@example.com", "Mario Rossi", "")
	a := mustFlagged(t, f.st, 1, "missing_from", "Caldaie <script>window.pwned=1</script>", "tre caldaie a condensazione")
	b := mustFlagged(t, f.st, 2, "spam", "Win a prize", "click here now")
	staff := f.session("staff")
	page := f.do("GET", "/messages/flagged", f.session("auditor"), nil).Body.String()
	if strings.Count(page, `class="flagged"`) != 2 || strings.Contains(page, "<script>window") {
		t.Fatalf("flagged page: rows missing or content unescaped:\n%s", page)
	}
	if rec := f.do("POST", "/messages/"+itoa(a)+"/assign", staff, url.Values{"email": {c.Email}, "reason": {"same person"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("assign: %d %s", rec.Code, rec.Body)
	}
	if rec := f.do("POST", "/messages/"+itoa(b)+"/dismiss", staff, url.Values{"reason": {"spam"}}); rec.Code != http.StatusSeeOther {
		t.Fatalf("dismiss: %d %s", rec.Code, rec.Body)
	}
	if rec := f.do("POST", "/messages/"+itoa(b)+"/dismiss", staff, url.Values{}); rec.Code != http.StatusBadRequest {
		t.Fatalf("dismiss twice: %d, want 400", rec.Code)
	}
	if page := f.do("GET", "/messages/flagged", staff, nil).Body.String(); strings.Contains(page, `class="flagged"`) {
		t.Fatal("handled messages still in the queue")
	}
	if body := f.do("GET", contactPath(c.ID), staff, nil).Body.String(); !strings.Contains(body, `class="t-received"`) {
		t.Fatal("assigned message not on the contact's timeline")
	}
	found := f.do("GET", "/search?q=caldaie", staff, nil).Body.String()
	if !strings.Contains(found, "tre caldaie a condensazione") || strings.Contains(found, "click here now") {
		t.Fatalf("full-text search results wrong:\n%s", found)
	}
}

func TestCampaignPreviewRendersAndRefusesBadTemplate(t *testing.T) {
	f := newFixture(t)
	staff := f.session("staff")
	form := url.Values{"name": {"Spring"}, "purpose": {"marketing"}, "language": {"en"}, "subject": {"Hello {{.FirstName}}"},
		"text": {"Dear {{.FirstName}}, <b>news</b>."}, "html": {`<p onclick="x()">Hi {{.FirstName}}</p><script>alert(1)</script>`}}
	rec := f.do("POST", "/campaigns/preview", staff, form)
	if body := rec.Body.String(); !strings.Contains(body, "Hello Mario") || !strings.Contains(body, "To stop receiving") ||
		strings.Contains(body, "onclick") || strings.Contains(body, "<script") {
		t.Fatalf("preview: %s", body)
	}
	form.Set("text", "Dear {{.Nmae}}")
	if rec := f.do("POST", "/campaigns", staff, form); rec.Code != http.StatusBadRequest || !strings.Contains(rec.Body.String(), "Nmae") {
		t.Fatalf("bad template: %d, want 400 naming the field", rec.Code)
	}
	form.Set("text", "Dear {{.FirstName}}")
	rec = f.do("POST", "/campaigns", staff, form)
	if rec.Code != http.StatusSeeOther {
		t.Fatalf("create: %d %s", rec.Code, rec.Body)
	}
	page := f.do("GET", strings.Split(rec.Header().Get("Location"), "?")[0], f.session("auditor"), nil, "Accept-Language", "en").Body.String()
	if !strings.Contains(page, `id="eligible">0<`) || strings.Contains(page, `id="schedule"`) {
		t.Fatalf("campaign page for the auditor: audience missing or controls shown:\n%s", page)
	}
}
