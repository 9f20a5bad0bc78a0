package main

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"

	"github.com/basis-crm/basis/mailout"
	"github.com/basis-crm/basis/web"
)

// The web UI and the public pages, mounted on the serve mux.
func init() {
	addComponent("web", func(ctx context.Context, a *app, mux *http.ServeMux) ([]func(ctx context.Context) error, error) {
		m, err := a.mailer()
		if err != nil {
			return nil, err
		}
		test, closeTest, err := a.testSender()
		if err != nil {
			return nil, err
		}
		opt := web.Options{Store: a.store, Organization: a.cfg.Organization, BaseURL: a.cfg.Web.BaseURL,
			MaxUploadBytes: a.cfg.Evidence.MaxFileBytes, Log: a.log, Mailer: m, SendTest: test}
		if a.demo != nil {
			opt.Demo = demoMailbox{a.demo}
		}
		srv, err := web.New(opt)
		if err != nil {
			return nil, err
		}
		srv.Mount(mux)
		// The outbox is shared with the mailout component, which closes it.
		closer := func(ctx context.Context) error {
			<-ctx.Done()
			closeTest()
			return nil
		}
		return []func(ctx context.Context) error{closer}, nil
	})
}

// testSender delivers campaign tests to staff over mailout.smtp, outside
// the outbox (staff are not contacts and a test is not evidence).
func (a *app) testSender() (func(ctx context.Context, to, subject, text, html string) error, func(), error) {
	c := a.cfg.Mailout
	if c.SMTP.Host == "" || c.From == "" {
		return nil, func() {}, nil
	}
	s, err := mailout.NewSender(mailout.SMTPConfig{Host: c.SMTP.Host, Port: c.SMTP.Port, TLS: mailout.TLSMode(c.SMTP.TLS),
		Username: c.SMTP.Username, Password: c.SMTP.Password, Concurrency: 1}, a.log.With("component", "campaign_test"))
	if err != nil {
		return nil, nil, err
	}
	send := func(ctx context.Context, to, subject, text, html string) error {
		msg, err := mailout.Compose(mailout.Draft{From: c.From, To: to, Subject: subject, Text: text, HTML: html,
			Headers: []mailout.Header{{Name: "X-Basis-Test", Value: "campaign test"}}})
		if err != nil {
			return fmt.Errorf("campaign test to %s: %w", to, err)
		}
		return s.Send(ctx, msg.EnvelopeFrom, to, msg.Raw)
	}
	return send, func() {
		if err := s.Close(); err != nil {
			a.log.Warn("campaign test sender close", slog.Any("err", err))
		}
	}, nil
}
