package main

import (
	"context"
	"net/http"
	"time"

	"github.com/basis-crm/basis/mailout"
)

func init() {
	addComponent("mailout", func(ctx context.Context, a *app, _ *http.ServeMux) ([]func(ctx context.Context) error, error) {
		m, err := a.mailer()
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
		SMTP: mailout.SMTPConfig{Host: c.Mailout.SMTP.Host, Port: c.Mailout.SMTP.Port, TLS: mailout.TLSMode(c.Mailout.SMTP.TLS),
			Username: c.Mailout.SMTP.Username, Password: c.Mailout.SMTP.Password,
			Concurrency: c.Mailout.Concurrency, RatePerSecond: c.Mailout.RatePerSecond},
		From: c.Mailout.From, ReplyTo: c.Mailout.ReplyTo, UnsubscribeMailto: c.Mailout.UnsubscribeMailto,
		BaseURL: c.Web.BaseURL,
		Organization: mailout.Organization{Name: c.Organization.Name, Address: c.Organization.Address,
			PrivacyEmail: c.Organization.PrivacyEmail, DefaultLanguage: c.Organization.DefaultLanguage,
			DPO: c.Register.DPO, Recipients: c.Register.Recipients, Transfers: c.Register.Transfers},
		MaxAttempts: c.Mailout.MaxAttempts, NoticeDelay: c.Mailout.Notice.Delay, NoticeDeadline: c.Mailout.Notice.Deadline,
		ConsentTTL: c.Mailout.ConsentTTL, RetentionMonths: c.Policy.LegitimateInterestMonths,
	}
	if err := checkSMTP(c, cfg.SMTP); err != nil {
		return nil, err
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
