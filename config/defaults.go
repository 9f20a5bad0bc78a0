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
	}
}
