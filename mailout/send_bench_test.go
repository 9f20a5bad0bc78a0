package mailout_test

import (
	"fmt"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/basis-crm/basis/crm"
	"github.com/basis-crm/basis/internal/pgtest"
	"github.com/basis-crm/basis/internal/smtpsink"
	"github.com/basis-crm/basis/mailout"
)

// BenchmarkSendCampaign times what `basis send --once` does for a campaign
// (materializing the audience, claiming, composing, sending into an
// in-process sink over 10 connections, storing every message's bytes as
// evidence with its audit event) for BENCH_SEND_N recipients (2,000 if
// unset), one campaign per iteration:
//
//	go test -run '^$' -bench SendCampaign -benchtime 1x ./mailout
func BenchmarkSendCampaign(b *testing.B) {
	n := 2000
	if v, err := strconv.Atoi(os.Getenv("BENCH_SEND_N")); err == nil && v > 0 {
		n = v
	}
	e := newBenchOutbox(b)
	seedAudience(b, e, n)
	text := "Ciao {{.FirstName}},\n\n" + strings.Repeat("preventivo fornitura consegna impianto offerta cliente ordine magazzino listino sconto qualità\n", 38)
	b.ResetTimer()
	for i := range b.N {
		c, err := e.m.CreateCampaign(ctx, mailout.CampaignInput{Name: fmt.Sprint("bench ", i), Purpose: "marketing",
			Subject: "Novità per {{.FirstName}}", Text: text, Language: "it", Actor: staff})
		if err != nil {
			b.Fatal(err)
		}
		if _, err := e.m.ScheduleCampaign(ctx, c.ID, time.Time{}, staff); err != nil {
			b.Fatal(err)
		}
		counts, err := e.m.RunOnce(ctx)
		if err != nil {
			b.Fatal(err)
		}
		if counts.Sent != n {
			b.Fatalf("sent %d of %d: %+v", counts.Sent, n, counts)
		}
	}
	b.StopTimer()
	if got := e.sink.Count(); got != n*b.N {
		b.Errorf("sink counted %d messages, want %d", got, n*b.N)
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "msg/s")
}

// newBenchOutbox is an outbox over a fresh database sending to a sink that
// only counts, with the bench's settings: no rate limit, 10 connections.
func newBenchOutbox(b *testing.B) *outboxEnv {
	db := pgtest.New(b)
	st := crm.NewStore(db, testKey, policy, nil)
	sink := smtpsink.New(smtpsink.Options{Discard: true})
	if err := sink.Listen("127.0.0.1:0"); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { sink.Close() })
	host, port, _ := strings.Cut(sink.Addr(), ":")
	p, _ := strconv.Atoi(port)
	m, err := mailout.New(st, mailout.Config{
		SMTP: mailout.SMTPConfig{Host: host, Port: p, TLS: mailout.TLSNone, Concurrency: 10, Timeout: 30 * time.Second},
		From: "Acme S.r.l. <info@acme-srl.it>", UnsubscribeMailto: "unsubscribe@acme-srl.it",
		BaseURL:      "https://crm.acme-srl.it",
		Organization: mailout.Organization{Name: "Acme S.r.l.", PrivacyEmail: "privacy@acme-srl.it", DefaultLanguage: "it"},
	}, nil)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { m.Close() })
	return &outboxEnv{db: db, store: st, m: m, sink: sink}
}

// seedAudience imports n contacts with a marketing basis, as the command
// bench does, and marks their privacy notices done so that only the
// campaign is sent.
func seedAudience(b *testing.B, e *outboxEnv, n int) {
	var csv strings.Builder
	csv.WriteString("email,name,company,phone\n")
	for i := range n {
		fmt.Fprintf(&csv, "person%06d@example.com,Person %d,,\n", i, i)
	}
	_, err := e.store.Import(ctx, strings.NewReader(csv.String()), crm.ImportOptions{Purpose: "marketing", Kind: "soft_opt_in",
		Source: "customer_relationship", Reason: "bench audience", Actor: staff})
	if err != nil {
		b.Fatal(err)
	}
	if _, err := e.db.Exec(`INSERT INTO outbox (contact_id, kind, purpose, status) SELECT id, 'notice', 'privacy_notice', 'cancelled' FROM contacts`); err != nil {
		b.Fatal(err)
	}
}
