package main

import (
	"fmt"

	"github.com/basis-crm/basis/config"
	"github.com/basis-crm/basis/mailout"
)

// checkSMTP refuses SMTP settings that would otherwise only fail at the
// first send, so that `basis serve` stops at startup with the key to fix
// rather than leaving mail queued behind a sender that cannot start. With
// no mailout.smtp.host nothing is sent, and nothing is checked.
func checkSMTP(c config.Config, smtp mailout.SMTPConfig) error {
	m := c.Mailout
	if m.SMTP.Host == "" {
		return nil
	}
	err := smtp.Validate()
	switch {
	case m.SMTP.PasswordEnv != "" && m.SMTP.Password == "":
		err = fmt.Errorf("mailout.smtp.password_env: the environment variable %s is not set or empty (set it to the SMTP password, or remove password_env)", m.SMTP.PasswordEnv)
	case m.Concurrency < 1:
		err = fmt.Errorf("mailout.concurrency: %d must be at least 1 (the number of SMTP connections, e.g. 4)", m.Concurrency)
	}
	if err != nil {
		return fmt.Errorf("config %s: %w", configName(c), err)
	}
	return nil
}

// configName is the file the settings came from, as config.Load names it.
func configName(c config.Config) string {
	if c.File == "" {
		return "defaults"
	}
	return c.File
}
