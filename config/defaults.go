package config

import "time"

// Default returns the configuration used when basis.yaml is absent: the
// embedded database under ./var and the safe purpose policy of DESIGN.md.
func Default() Config {
	return Config{
		DataDir: "./var",
		Organization: Organization{
			Name:            "Acme S.r.l.",
			StaffDomains:    []string{"acme-srl.it"},
			DefaultLanguage: "it",
		},
		Policy: Policy{
			Purposes: map[string][]string{
				"inquiry_followup": {"legitimate_interest", "consent", "contract"},
				"marketing":        {"consent", "soft_opt_in"},
			},
			LegitimateInterestMonths: 24,
		},
		Evidence: Evidence{MaxFileBytes: 25 << 20},
		Web:      Web{Listen: "127.0.0.1:8080", BaseURL: "http://127.0.0.1:8080"},
		Mailin: Mailin{
			Accounts:        []MailinAccount{},
			PollInterval:    60 * time.Second,
			MaxMessageBytes: 50 << 20,
			SpamHeaders:     map[string]string{"X-Spam-Flag": "YES"},
		},
		Mailout: Mailout{
			SMTP:          SMTP{Port: 587, TLS: "starttls"},
			RatePerSecond: 50,
			Concurrency:   4,
			MaxAttempts:   8,
			Notice:        Notice{Delay: 0, Deadline: 720 * time.Hour},
			ConsentTTL:    7 * 24 * time.Hour,
		},
		Retention: Retention{Enabled: true, Interval: 24 * time.Hour, UnconfirmedConsentDays: 30, RejectedDays: 30},
		Register:  defaultRegister(),
	}
}

// defaultRegister describes a small company's CRM fed by email; edit it to
// match what the company really does.
func defaultRegister() Register {
	return Register{
		Purposes: map[string]string{
			"inquiry_followup": "answering inquiries received by email and following them up one to one",
			"marketing":        "newsletters and commercial offers to people who consented or are customers (soft opt-in)",
		},
		DataCategories: []string{
			"identification and contact data (name, email address, phone, company)",
			"correspondence (inquiry emails and replies, as received)",
			"consent records (time, IP address, user agent, text agreed to)",
			"records of contacts made (calls, meetings, messages sent)",
		},
		SubjectCategories: []string{"prospects who wrote to us", "customers and their staff", "business contacts met in person"},
		Recipients:        []string{"email and hosting providers acting as processors (Art. 28)"},
		Transfers:         "none outside the European Economic Area",
		SecurityMeasures: []string{
			"access limited to named staff accounts with roles (admin, staff, auditor)",
			"passwords stored with a slow hash; sessions over HTTPS",
			"append-only audit log in a hash chain, verifiable with `basis audit verify`",
			"evidence stored with its SHA-256; erasure removes personal data everywhere",
			"backups of the database and of the secret key",
		},
	}
}
