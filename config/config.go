// Package config loads, defaults and validates basis.yaml.
//
// Decoding is strict: an unknown key is an error naming the key and the file.
// Secrets can come from the environment (BASIS_DATABASE_URL, BASIS_SECRET_KEY
// and the *_env keys of each section).
package config

import "time"

// Config is the whole of basis.yaml.
type Config struct {
	Database     Database     `yaml:"database"`
	DataDir      string       `yaml:"data_dir"`
	SecretKey    string       `yaml:"secret_key"`
	Organization Organization `yaml:"organization"`
	Policy       Policy       `yaml:"policy"`
	Evidence     Evidence     `yaml:"evidence"`
	Web          Web          `yaml:"web"`
	Mailin       Mailin       `yaml:"mailin"`
	Mailout      Mailout      `yaml:"mailout"`
	Retention    Retention    `yaml:"retention"`
	Register     Register     `yaml:"register"`

	// File is the path the configuration was read from ("" for defaults only).
	File string `yaml:"-"`
}

// Database says where PostgreSQL is.
type Database struct {
	// URL is a lib/pq connection URL; empty means the embedded cluster under DataDir.
	URL string `yaml:"url"`
}

// Organization describes the data controller.
type Organization struct {
	Name            string   `yaml:"name"`
	StaffDomains    []string `yaml:"staff_domains"`
	DefaultLanguage string   `yaml:"default_language"`
	Address         string   `yaml:"address"`
	PrivacyEmail    string   `yaml:"privacy_email"`
}

// Policy says which basis kinds allow which purpose.
type Policy struct {
	Purposes                 map[string][]string `yaml:"purposes"`
	LegitimateInterestMonths int                 `yaml:"legitimate_interest_months"`
}

// Evidence limits.
type Evidence struct {
	MaxFileBytes int64 `yaml:"max_file_bytes"`
}

// Web is the HTTP side.
type Web struct {
	Listen  string `yaml:"listen"`
	BaseURL string `yaml:"base_url"`
}

// Mailin is the IMAP side; see the mailin package.
type Mailin struct {
	Accounts        []MailinAccount   `yaml:"accounts"`
	PollInterval    time.Duration     `yaml:"poll_interval"`
	MaxMessageBytes int64             `yaml:"max_message_bytes"`
	SpamHeaders     map[string]string `yaml:"spam_headers"`
}

// MailinAccount is one polled mailbox.
type MailinAccount struct {
	Name        string `yaml:"name"`
	Host        string `yaml:"host"`
	Port        int    `yaml:"port"`
	TLS         string `yaml:"tls"`
	Username    string `yaml:"username"`
	Password    string `yaml:"password"`
	PasswordEnv string `yaml:"password_env"`
	Mailbox     string `yaml:"mailbox"`
	After       string `yaml:"after"`
}

// Mailout is the SMTP side; see the mailout package.
type Mailout struct {
	SMTP              SMTP          `yaml:"smtp"`
	From              string        `yaml:"from"`
	ReplyTo           string        `yaml:"reply_to"`
	UnsubscribeMailto string        `yaml:"unsubscribe_mailto"`
	RatePerSecond     float64       `yaml:"rate_per_second"`
	Concurrency       int           `yaml:"concurrency"`
	MaxAttempts       int           `yaml:"max_attempts"`
	DKIM              DKIM          `yaml:"dkim"`
	Notice            Notice        `yaml:"notice"`
	ConsentTTL        time.Duration `yaml:"consent_ttl"`
}

// SMTP is the submission server.
type SMTP struct {
	Host        string `yaml:"host"`
	Port        int    `yaml:"port"`
	TLS         string `yaml:"tls"`
	Username    string `yaml:"username"`
	Password    string `yaml:"password"`
	PasswordEnv string `yaml:"password_env"`
}

// DKIM signing of outgoing mail (optional).
type DKIM struct {
	Domain         string `yaml:"domain"`
	Selector       string `yaml:"selector"`
	PrivateKeyFile string `yaml:"private_key_file"`
}

// Notice is the Art. 13/14 privacy notice schedule.
type Notice struct {
	Delay    time.Duration `yaml:"delay"`
	Deadline time.Duration `yaml:"deadline"`
}
