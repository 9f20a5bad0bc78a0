package mailout_test

import (
	"strings"
	"testing"

	"github.com/basis-crm/basis/crm"
	"github.com/basis-crm/basis/internal/pgtest"
	"github.com/basis-crm/basis/mailout"
)

// TestSMTPSettingsErrorsSayWhatToSet: each wrong mailout.smtp setting is
// refused naming the key, the value and what to write instead.
func TestSMTPSettingsErrorsSayWhatToSet(t *testing.T) {
	ok := mailout.SMTPConfig{Host: "smtp.example.com", Port: 587, TLS: mailout.TLSStartTLS, Concurrency: 4}
	cases := []struct {
		mod  func(*mailout.SMTPConfig)
		want string
	}{
		{func(c *mailout.SMTPConfig) { c.TLS = "ssl" },
			`mailout.smtp.tls: "ssl" is not one of implicit, starttls, none (implicit for port 465, starttls for 587)`},
		{func(c *mailout.SMTPConfig) { c.TLS = mailout.TLSNone },
			`mailout.smtp.tls: "none" is only allowed for a loopback host, not "smtp.example.com" (use starttls or implicit)`},
		{func(c *mailout.SMTPConfig) { c.TLS, c.Host = mailout.TLSNone, "10.0.0.5" },
			`mailout.smtp.tls: "none" is only allowed for a loopback host, not "10.0.0.5" (use starttls or implicit)`},
		{func(c *mailout.SMTPConfig) { c.Host = "" }, "mailout.smtp.host is empty (set the SMTP submission server, e.g. smtp.example.com)"},
		{func(c *mailout.SMTPConfig) { c.Port = 70000 }, "mailout.smtp.port: 70000 is not a TCP port (use 587 with tls: starttls, 465 with tls: implicit)"},
		{func(c *mailout.SMTPConfig) { c.Password = "x" }, "mailout.smtp.password is set but mailout.smtp.username is empty (set the username, or remove the password)"},
		{func(c *mailout.SMTPConfig) { c.Concurrency = -2 }, "mailout.concurrency: -2 must be at least 1 (the number of SMTP connections, e.g. 4)"},
		{func(c *mailout.SMTPConfig) { c.RatePerSecond = -1 }, "mailout.rate_per_second: -1 must be 0 (unlimited) or more"},
	}
	for _, tc := range cases {
		cfg := ok
		tc.mod(&cfg)
		if err := cfg.Validate(); err == nil || err.Error() != tc.want {
			t.Errorf("got %v, want %q", err, tc.want)
		}
		if _, err := mailout.NewSender(cfg, nil); err == nil || err.Error() != tc.want {
			t.Errorf("NewSender: got %v, want %q", err, tc.want)
		}
	}
}

// TestMailerAddressErrorsSayWhatToSet: a missing or malformed sender, an
// invalid unsubscribe address or a missing base URL stop the outbox
// before it queues anything, naming the key and an example.
func TestMailerAddressErrorsSayWhatToSet(t *testing.T) {
	st := crm.NewStore(pgtest.New(t), testKey, policy, nil)
	ok := mailout.Config{From: "Acme S.r.l. <info@acme-srl.it>", UnsubscribeMailto: "unsubscribe@acme-srl.it", BaseURL: "https://crm.acme-srl.it"}
	cases := []struct {
		mod  func(*mailout.Config)
		want []string
	}{
		{func(c *mailout.Config) { c.From = "" }, []string{`mailout: from "": mail: no address`, `(set mailout.from, e.g. "Acme S.r.l. <info@acme-srl.it>")`}},
		{func(c *mailout.Config) { c.From = "Acme <info>" }, []string{`mailout: from "Acme <info>"`, "(set mailout.from, e.g."}},
		{func(c *mailout.Config) { c.UnsubscribeMailto = "unsubscribe" },
			[]string{`mailout: unsubscribe_mailto "unsubscribe"`, "(use a bare address such as unsubscribe@acme-srl.it)"}},
		{func(c *mailout.Config) { c.BaseURL = "" }, []string{"mailout: web.base_url is empty: links in mail need it (e.g. https://crm.acme-srl.it)"}},
	}
	for _, tc := range cases {
		cfg := ok
		tc.mod(&cfg)
		_, err := mailout.New(st, cfg, nil)
		for _, w := range tc.want {
			if err == nil || !strings.Contains(err.Error(), w) {
				t.Errorf("got %v, want it to contain %q", err, w)
			}
		}
	}
}
