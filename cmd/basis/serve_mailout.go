package main

import (
	"context"
	"net/http"
	"time"

	"github.com/basis-crm/basis/config"
	"github.com/basis-crm/basis/mailout"
)

func init() {
	addComponent("mailout", func(ctx context.Context, a *app, _ *http.ServeMux) ([]func(ctx context.Context) error, error) {
		m, err := a.sendingMailer()
		if err != nil {
			return nil, err
		}
		if a.cfg.Mailout.SMTP.Host == "" {
			a.log.Warn("mailout.smtp.host is empty: nothing is sent; notices and consent requests wait in the outbox until an SMTP server is configured")
			return nil, nil
		}
		sender := func(ctx context.Context) error {
			defer m.Close()
			return m.Run(ctx, 2*time.Second)
		}
		scheduler := func(ctx context.Context) error {
			t := time.NewTicker(10 * time.Second)
			defer t.Stop()
			for {
				if err := m.Tick(ctx); err != nil && ctx.Err() == nil {
					a.log.Error("campaign scheduler", "error", err)
				}
				select {
				case <-ctx.Done():
					return nil
				case <-t.C:
				}
			}
		}
		return []func(ctx context.Context) error{sender, scheduler}, nil
	})
}

// sendingMailer is mailer for the commands that send or queue mail to
// send (serve's sender, send, consent request): it first checks the SMTP
// settings, so that a wrong one stops them with the key to fix. Commands
// that only change campaigns or read the outbox do not need them (an
// operator's shell may lack the password_env variable, and pausing a
// campaign must still work).
func (a *app) sendingMailer() (*mailout.Mailer, error) {
	if err := checkSMTP(a.cfg, smtpConfig(a.cfg)); err != nil {
		return nil, err
	}
	return a.mailer()
}

// smtpConfig is the SMTP part of the outbox's configuration.
func smtpConfig(c config.Config) mailout.SMTPConfig {
	return mailout.SMTPConfig{Host: c.Mailout.SMTP.Host, Port: c.Mailout.SMTP.Port, TLS: mailout.TLSMode(c.Mailout.SMTP.TLS),
		Username: c.Mailout.SMTP.Username, Password: c.Mailout.SMTP.Password,
		Concurrency: c.Mailout.Concurrency, RatePerSecond: c.Mailout.RatePerSecond}
}

// mailer returns the outbox built from the configuration, creating it (and
// registering the privacy notice on capture) the first time.
func (a *app) mailer() (*mailout.Mailer, error) {
	if a.mailout == nil && a.mailoutErr == nil {
		a.mailout, a.mailoutErr = a.newMailer()
	}
	return a.mailout, a.mailoutErr
}

func (a *app) newMailer() (*mailout.Mailer, error) {
	c := a.cfg
	if c.Mailout.From == "" && c.Mailout.SMTP.Host == "" {
		// Nothing is sent without SMTP; queued mail needs a sender all the same.
		c.Mailout.From = c.Organization.Name + " <info@" + firstOr(c.Organization.StaffDomains, "example.com") + ">"
	}
	cfg := mailout.Config{
		SMTP: smtpConfig(c),
		From: c.Mailout.From, ReplyTo: c.Mailout.ReplyTo, UnsubscribeMailto: c.Mailout.UnsubscribeMailto,
		BaseURL: c.Web.BaseURL,
		Organization: mailout.Organization{Name: c.Organization.Name, Address: c.Organization.Address,
			PrivacyEmail: c.Organization.PrivacyEmail, DefaultLanguage: c.Organization.DefaultLanguage,
			DPO: c.Register.DPO, Recipients: c.Register.Recipients, Transfers: c.Register.Transfers},
		MaxAttempts: c.Mailout.MaxAttempts, NoticeDelay: c.Mailout.Notice.Delay, NoticeDeadline: c.Mailout.Notice.Deadline,
		ConsentTTL: c.Mailout.ConsentTTL, RetentionMonths: c.Policy.LegitimateInterestMonths,
	}
	if k := c.Mailout.DKIM; k.PrivateKeyFile != "" || k.Domain != "" {
		signer, err := mailout.LoadDKIM(k.Domain, k.Selector, k.PrivateKeyFile)
		if err != nil {
			return nil, err
		}
		cfg.DKIM = signer
	}
	m, err := mailout.New(a.store, cfg, a.log)
	if err != nil {
		return nil, err
	}
	a.store.OnCapture(m.QueueNotice)
	return m, nil
}
