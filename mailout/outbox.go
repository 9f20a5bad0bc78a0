package mailout

import (
	"fmt"
	"log/slog"
	"net/mail"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"

	"github.com/basis-crm/basis/crm"
)

// Organization is the data controller named in every notice.
type Organization struct {
	Name            string // organization.name
	Address         string // organization.address
	PrivacyEmail    string // organization.privacy_email: where to ask for access or erasure
	DefaultLanguage string // organization.default_language: "it" or "en"
	// DPO, Recipients and Transfers come from the register section: the
	// notice must name them (Art. 13(1)(b), (e), (f)).
	DPO        string
	Recipients []string
	Transfers  string
}

// Config is what the outbox needs from the configuration file.
type Config struct {
	SMTP              SMTPConfig
	From              string // mailout.from
	ReplyTo           string // mailout.reply_to
	UnsubscribeMailto string // mailout.unsubscribe_mailto; the token goes in the local part
	BaseURL           string // web.base_url: links in mail point here
	Organization      Organization
	MaxAttempts       int           // mailout.max_attempts; 8 if 0
	NoticeDelay       time.Duration // mailout.notice.delay
	NoticeDeadline    time.Duration // mailout.notice.deadline (Art. 14(3)); 720h if 0
	ConsentTTL        time.Duration // mailout.consent_ttl; 7 days if 0
	RetentionMonths   int           // policy.legitimate_interest_months, told in the notice
	DKIM              *DKIMSigner   // nil: messages are not signed
	// BackoffBase is the wait before the first retry; each further retry
	// waits twice as long. 1 minute if 0.
	BackoffBase time.Duration
	// BatchSize is how many messages one claim takes; 20 per connection if 0.
	BatchSize int
}

func (c Config) withDefaults() Config {
	if c.MaxAttempts <= 0 {
		c.MaxAttempts = 8
	}
	if c.NoticeDeadline <= 0 {
		c.NoticeDeadline = 720 * time.Hour
	}
	if c.ConsentTTL <= 0 {
		c.ConsentTTL = 7 * 24 * time.Hour
	}
	if c.BackoffBase <= 0 {
		c.BackoffBase = time.Minute
	}
	if c.SMTP.Concurrency <= 0 {
		c.SMTP.Concurrency = 1
	}
	if c.BatchSize <= 0 {
		c.BatchSize = 20 * c.SMTP.Concurrency
	}
	if c.Organization.DefaultLanguage == "" {
		c.Organization.DefaultLanguage = "it"
	}
	c.BaseURL = strings.TrimRight(c.BaseURL, "/")
	return c
}

// Mailer is the outbox: it queues notices, consent requests and campaign
// messages, and sends what is due to the contacts who may receive it.
type Mailer struct {
	store *crm.Store
	db    *sqlx.DB
	cfg   Config
	log   *slog.Logger

	mu     sync.Mutex
	sender *Sender // made on first send, so that commands that only queue need no SMTP settings

	templates campaignTemplates
	composer  Composer // remembers the encoded lines that messages share
	// unsubLocal and unsubDomain split mailout.unsubscribe_mailto, where
	// the token goes between them after a "+".
	unsubLocal, unsubDomain string

	sweep noticeSweep // how far the missing-notice sweep has looked
}

// New returns a Mailer over store's database. It checks the addresses in
// cfg; SMTP settings are checked when something is first sent.
func New(store *crm.Store, cfg Config, log *slog.Logger) (*Mailer, error) {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	cfg = cfg.withDefaults()
	if _, err := mail.ParseAddress(cfg.From); err != nil {
		return nil, fmt.Errorf("mailout: from %q: %v (set mailout.from, e.g. \"Acme S.r.l. <info@acme-srl.it>\")", cfg.From, err)
	}
	var unsubLocal, unsubDomain string
	if cfg.UnsubscribeMailto != "" {
		a, err := mail.ParseAddress(cfg.UnsubscribeMailto)
		if err != nil {
			return nil, fmt.Errorf("mailout: unsubscribe_mailto %q: %v (use a bare address such as unsubscribe@acme-srl.it)", cfg.UnsubscribeMailto, err)
		}
		at := strings.LastIndexByte(a.Address, '@')
		unsubLocal, unsubDomain = a.Address[:at], a.Address[at:]
	}
	if cfg.BaseURL == "" {
		return nil, fmt.Errorf("mailout: web.base_url is empty: links in mail need it (e.g. https://crm.acme-srl.it)")
	}
	return &Mailer{store: store, db: store.DB(), cfg: cfg, log: log, unsubLocal: unsubLocal, unsubDomain: unsubDomain}, nil
}

// Close closes the SMTP connections.
func (m *Mailer) Close() error {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.sender == nil {
		return nil
	}
	err := m.sender.Close()
	m.sender = nil
	return err
}

func (m *Mailer) smtp() (*Sender, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.sender == nil {
		s, err := NewSender(m.cfg.SMTP, m.log)
		if err != nil {
			return nil, err
		}
		m.sender = s
	}
	return m.sender, nil
}

// system is the actor of everything the outbox does on its own.
const system crm.Actor = "system:mailout"

// unsubscribeURL is the one-click unsubscribe page for a contact and purpose.
func (m *Mailer) unsubscribeURL(contactID int64, purpose string) (url, mailto string) {
	tok := m.store.UnsubscribeToken(contactID, purpose)
	url = m.cfg.BaseURL + "/u/" + tok
	if m.unsubDomain != "" {
		mailto = m.unsubLocal + "+" + tok + m.unsubDomain
	}
	return url, mailto
}

// language picks the contact's language if there is a template for it,
// else the organization's default.
func (m *Mailer) language(contactLang string) string {
	switch contactLang {
	case "it", "en":
		return contactLang
	}
	if d := m.cfg.Organization.DefaultLanguage; d == "en" {
		return d
	}
	return "it"
}
