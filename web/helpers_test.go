package web

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/basis-crm/basis/config"
	"github.com/basis-crm/basis/crm"
	"github.com/basis-crm/basis/internal/pgtest"
	"github.com/basis-crm/basis/mailin"
	"github.com/basis-crm/basis/mailout"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var (
	ctx     = context.Background()
	testKey = []byte("web-test-secret-key-0123456789abcdef")
	system  = crm.Actor("system:test")
	policy  = crm.Policy{
		Purposes: map[string][]string{
			"inquiry_followup": {"legitimate_interest", "consent", "contract"},
			"marketing":        {"consent", "soft_opt_in"},
		},
		LegitimateInterestMonths: 24,
	}
)

const testPassword = "correct horse battery"

// fixture is a server over a fresh database with one user per role.
type fixture struct {
	t     *testing.T
	st    *crm.Store
	srv   *Server
	h     http.Handler
	users map[string]crm.User
}

func newFixture(t *testing.T) *fixture {
	t.Helper()
	t.Parallel()
	db := pgtest.New(t)
	st := crm.NewStore(db, testKey, policy, nil)
	mailer, err := mailout.New(st, mailout.Config{SMTP: mailout.SMTPConfig{Host: "127.0.0.1", Port: 1, TLS: mailout.TLSNone},
		From: "Acme S.r.l. <info@acme-srl.it>", UnsubscribeMailto: "unsubscribe@acme-srl.it", BaseURL: "http://127.0.0.1:8080",
		Organization: mailout.Organization{Name: "Acme S.r.l.", DefaultLanguage: "it", PrivacyEmail: "privacy@acme-srl.it"}}, nil)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := New(Options{Store: st, Organization: config.Organization{Name: "Acme S.r.l.", DefaultLanguage: "it",
		PrivacyEmail: "privacy@acme-srl.it"}, BaseURL: "http://127.0.0.1:8080", MaxUploadBytes: 1 << 20, Mailer: mailer})
	if err != nil {
		t.Fatal(err)
	}
	f := &fixture{t: t, st: st, srv: srv, h: srv.Handler(), users: map[string]crm.User{}}
	for _, role := range crm.Roles {
		u, err := st.AddUser(ctx, role+"@acme-srl.it", role, testPassword, system)
		if err != nil {
			t.Fatal(err)
		}
		f.users[role] = u
	}
	return f
}

// session returns a fresh session cookie for the user with role.
func (f *fixture) session(role string) *http.Cookie {
	f.t.Helper()
	req := httptest.NewRequest("GET", "/", nil)
	token, err := f.srv.newSession(ctx, f.users[role], req)
	if err != nil {
		f.t.Fatal(err)
	}
	return &http.Cookie{Name: sessionCookie, Value: token}
}

// do runs one request through the full handler; form (if not nil) is
// posted url-encoded.
func (f *fixture) do(method, target string, cookie *http.Cookie, form url.Values, hdr ...string) *httptest.ResponseRecorder {
	f.t.Helper()
	var req *http.Request
	if form != nil {
		req = httptest.NewRequest(method, target, strings.NewReader(form.Encode()))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	} else {
		req = httptest.NewRequest(method, target, nil)
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	if cookie != nil {
		req.AddCookie(cookie)
	}
	rec := httptest.NewRecorder()
	f.h.ServeHTTP(rec, req)
	return rec
}

// mustCapture records a prospect from an inbound email with raw as the
// message, as mailin does.
func (f *fixture) mustCapture(email, name string, raw string) crm.Contact {
	f.t.Helper()
	var c crm.Contact
	err := f.st.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		c, _, err = f.st.Capture(ctx, tx, crm.CaptureInput{Email: email, Name: name, Source: "inbound_email", Actor: system, Reason: "inquiry"})
		if err != nil {
			return err
		}
		if raw == "" {
			raw = "From: " + name + " <" + email + ">\r\nSubject: Richiesta preventivo\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nBuongiorno, vorrei un preventivo.\r\n"
		}
		ev, err := f.st.AddEvidence(ctx, tx, crm.EvidenceInput{ContactID: c.ID, Kind: "inbound_email", ContentType: "message/rfc822",
			Content: []byte(raw), Actor: system})
		if err != nil {
			return err
		}
		// The row mailin records beside the evidence: where it came from and what it says.
		m := mailin.Parse([]byte(raw))
		if _, err := tx.Exec(`INSERT INTO inbound_messages (evidence_id, sha256, account, mailbox, uidvalidity, uid, from_address,
			from_name, subject, preview, internal_date, size, class, contact_id)
			VALUES ($1, $2, 'fixtures', 'INBOX', 1, $1, $3, $4, $5, $6, now(), $7, 'inquiry', $8)`,
			ev.ID, m.SHA256[:], email, name, m.Subject, m.Text, len(raw), c.ID); err != nil {
			return err
		}
		_, err = f.st.Grant(ctx, tx, crm.GrantInput{ContactID: c.ID, Purpose: "inquiry_followup", Kind: "legitimate_interest",
			Source: "inbound_email", EvidenceID: ev.ID, Reason: "inquiry received", Actor: system})
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return c
}

// consentLink opens a double opt-in request for marketing and returns the
// confirmation path.
func (f *fixture) consentLink(c crm.Contact, lang string) string {
	f.t.Helper()
	var token string
	err := f.st.InTx(ctx, func(tx *sqlx.Tx) error {
		text, err := f.st.StoreConsentText(ctx, tx, "marketing", lang, "2026-01", "Acconsento a ricevere la newsletter di Acme.")
		if err != nil {
			return err
		}
		_, token, err = f.st.RequestConsent(ctx, tx, c.ID, text.ID, 24*time.Hour, system)
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return "/" + lang + "/confirm/" + token
}
