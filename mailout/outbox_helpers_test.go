package mailout_test

import (
	"context"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/basis-crm/basis/crm"
	"github.com/basis-crm/basis/internal/pgtest"
	"github.com/basis-crm/basis/internal/smtpsink"
	"github.com/basis-crm/basis/mailout"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var (
	ctx     = context.Background()
	testKey = []byte("test-secret-key-0123456789abcdef0123")
	staff   = crm.Actor("user:anna@acme-srl.it")
	policy  = crm.Policy{
		Purposes: map[string][]string{
			"inquiry_followup": {"legitimate_interest", "consent", "contract"},
			"marketing":        {"consent", "soft_opt_in"},
		},
		LegitimateInterestMonths: 24,
	}
)

// outboxEnv is a store, an outbox and the SMTP sink it sends to.
type outboxEnv struct {
	db    *sqlx.DB
	store *crm.Store
	m     *mailout.Mailer
	sink  *smtpsink.Server
	cfg   mailout.Config // what m was made with
}

func newOutbox(t *testing.T, tune func(*mailout.Config)) *outboxEnv {
	t.Helper()
	db := pgtest.New(t)
	st := crm.NewStore(db, testKey, policy, nil)
	sink := smtpsink.Start(t)
	host, port, _ := strings.Cut(sink.Addr(), ":")
	p, _ := strconv.Atoi(port)
	cfg := mailout.Config{
		SMTP: mailout.SMTPConfig{Host: host, Port: p, TLS: mailout.TLSNone, Concurrency: 3, Timeout: 5 * time.Second},
		From: "Acme S.r.l. <info@acme-srl.it>", UnsubscribeMailto: "unsubscribe@acme-srl.it",
		BaseURL:      "https://crm.acme-srl.it",
		Organization: mailout.Organization{Name: "Acme S.r.l.", Address: "Via Roma 1, Milano", PrivacyEmail: "privacy@acme-srl.it", DefaultLanguage: "it"},
		MaxAttempts:  3, BackoffBase: time.Nanosecond, RetentionMonths: 24,
	}
	if tune != nil {
		tune(&cfg)
	}
	m, err := mailout.New(st, cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { m.Close() })
	st.OnCapture(m.QueueNotice)
	return &outboxEnv{db: db, store: st, m: m, sink: sink, cfg: cfg}
}

// capture records a prospect from an inquiry email, with a legitimate
// interest basis for follow-up, as mailin does.
func (e *outboxEnv) capture(t *testing.T, email, name, lang string) crm.Contact {
	t.Helper()
	var c crm.Contact
	err := e.store.InTx(ctx, func(tx *sqlx.Tx) error {
		var err error
		c, _, err = e.store.Capture(ctx, tx, crm.CaptureInput{Email: email, Name: name, Language: lang, Source: "inbound_email",
			Actor: "system:mailin", Reason: "inquiry"})
		if err != nil {
			return err
		}
		_, err = e.store.Grant(ctx, tx, crm.GrantInput{ContactID: c.ID, Purpose: "inquiry_followup", Kind: "legitimate_interest",
			Source: "inbound_email", Reason: "inquiry received", Actor: "system:mailin"})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// grantConsent gives a contact a marketing consent basis directly.
func (e *outboxEnv) grantMarketing(t *testing.T, c crm.Contact) {
	t.Helper()
	err := e.store.InTx(ctx, func(tx *sqlx.Tx) error {
		_, err := e.store.Grant(ctx, tx, crm.GrantInput{ContactID: c.ID, Purpose: "marketing", Kind: "soft_opt_in",
			Source: "customer_relationship", Reason: "customer", Actor: staff})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

func (e *outboxEnv) runOnce(t *testing.T) mailout.Counts {
	t.Helper()
	c, err := e.m.RunOnce(ctx)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// outboxStatus returns the statuses of a contact's messages of kind.
func (e *outboxEnv) statuses(t *testing.T, contactID int64, kind string) []string {
	t.Helper()
	var out []string
	if err := e.db.Select(&out, `SELECT status FROM outbox WHERE contact_id = $1 AND kind = $2 ORDER BY id`, contactID, kind); err != nil {
		t.Fatal(err)
	}
	return out
}

// to returns the messages the sink received for addr.
func to(msgs []smtpsink.Message, addr string) []smtpsink.Message {
	var out []smtpsink.Message
	for _, m := range msgs {
		for _, r := range m.To {
			if strings.EqualFold(r, addr) {
				out = append(out, m)
			}
		}
	}
	return out
}

func newCampaign(t *testing.T, e *outboxEnv, text string) mailout.Campaign {
	t.Helper()
	c, err := e.m.CreateCampaign(ctx, mailout.CampaignInput{Name: "Autunno", Purpose: "marketing",
		Subject: "Novità per {{.FirstName}}", Text: text, Language: "it", Actor: staff})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func timeNow() time.Time { return time.Now() }

func crmErasure(email string) crm.ErasureInput {
	return crm.ErasureInput{Email: email, Reason: "Art. 17 request", Actor: staff}
}
