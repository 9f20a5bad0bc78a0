package mailin_test

import (
	"os"
	"strconv"
	"testing"

	"github.com/basis-crm/basis/bench/ingest/mailgen"
	"github.com/basis-crm/basis/internal/imaptest"
	"github.com/basis-crm/basis/internal/pgtest"
	"github.com/basis-crm/basis/mailin"
)

// BenchmarkIngest stores a mailbox of realistic ~4 KB inquiries (the mix of
// bench/ingest) from the in-process IMAP server into an empty database, the
// in-process counterpart of bench/ingest/run.sh for profiling:
//
//	go test -run '^$' -bench Ingest -benchtime 3x -cpuprofile cpu.out ./mailin
//
// BENCH_INGEST_N sets the mailbox size (2,000), BENCH_INGEST_BATCH the batch.
func BenchmarkIngest(b *testing.B) {
	n := envInt("BENCH_INGEST_N", 2000)
	mix := mailgen.Mix{N: n, Senders: n / 4, ForwardEvery: 5, BounceEvery: 997, AttachEvery: 50}
	srv := imaptest.Start(b, "inbox@acme-srl.it", "secret")
	for i := range n {
		srv.Append(b, "INBOX", mix.Message(i))
	}
	acct := mailin.Account{Name: "shared", Host: srv.Host(), Port: srv.Port(), TLS: "none", Username: srv.User,
		Password: srv.Password, Mailbox: "INBOX", After: "none"}
	b.ResetTimer()
	for range b.N {
		b.StopTimer()
		in := ingesterFor(pgtest.New(b), discardLog())
		in.Batch = envInt("BENCH_INGEST_BATCH", 0)
		c, err := mailin.Dial(ctx, acct, discardLog())
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		sum, err := in.IngestOnce(ctx, c)
		b.StopTimer()
		c.Close()
		if err != nil || sum.Fetched != n {
			b.Fatalf("ingest: %+v, %v", sum, err)
		}
		b.StartTimer()
	}
	b.ReportMetric(float64(n*b.N)/b.Elapsed().Seconds(), "msg/s")
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

// BenchmarkIngestLarge stores one 40 MB message, for -memprofile: what a
// large message costs beyond its own bytes.
func BenchmarkIngestLarge(b *testing.B) {
	srv := imaptest.Start(b, "inbox@acme-srl.it", "secret")
	srv.Append(b, "INBOX", mailgen.Big(40<<20))
	acct := mailin.Account{Name: "shared", Host: srv.Host(), Port: srv.Port(), TLS: "none", Username: srv.User,
		Password: srv.Password, Mailbox: "INBOX", After: "none"}
	for range b.N {
		b.StopTimer()
		in := ingesterFor(pgtest.New(b), discardLog())
		c, err := mailin.Dial(ctx, acct, discardLog())
		if err != nil {
			b.Fatal(err)
		}
		b.StartTimer()
		sum, err := in.IngestOnce(ctx, c)
		c.Close()
		if err != nil || sum.Fetched != 1 {
			b.Fatalf("ingest: %+v, %v", sum, err)
		}
	}
}
