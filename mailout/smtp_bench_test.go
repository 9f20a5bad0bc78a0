package mailout

import (
	"crypto"
	"runtime"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/basis-crm/basis/internal/smtpsink"
)

// BenchmarkSend sends 4 KB messages over 10 reused connections into an
// in-process sink, unsigned and DKIM-signed (signing is inside the loop,
// as the outbox signs each message before sending it).
func BenchmarkSend(b *testing.B) {
	for _, tc := range []struct {
		name string
		key  func() crypto.Signer
	}{
		{"plain", nil},
		{"dkim-ed25519", func() crypto.Signer { return testEd25519Key(b) }},
		{"dkim-rsa2048", func() crypto.Signer { return testRSAKey(b) }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			var signer *DKIMSigner
			if tc.key != nil {
				var err error
				if signer, err = NewDKIMSigner("acme-srl.it", "sel1", tc.key()); err != nil {
					b.Fatal(err)
				}
			}
			benchmarkSend(b, signer)
		})
	}
}

func benchmarkSend(b *testing.B, signer *DKIMSigner) {
	sink := smtpsink.New(smtpsink.Options{Discard: true})
	if err := sink.Listen("127.0.0.1:0"); err != nil {
		b.Fatal(err)
	}
	defer sink.Close()
	cfg := sinkConfig(b, sink)
	cfg.Concurrency = 10
	s := newSender(b, cfg)
	d := testDraft()
	d.Text = strings.Repeat("Gentile cliente, questa è una riga di testo.\n", 80) // about 4 KB with headers
	d.HTML = ""
	c := mustCompose(b, d)
	b.SetBytes(int64(len(c.Raw)))
	// RunParallel starts parallelism*GOMAXPROCS goroutines: at least 10, so
	// that every connection is busy.
	b.SetParallelism((10 + runtime.GOMAXPROCS(0) - 1) / runtime.GOMAXPROCS(0))
	b.ResetTimer()
	var failed atomic.Int64
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			raw := c.Raw
			if signer != nil {
				var err error
				if raw, err = signer.Sign(c.Raw); err != nil {
					b.Error(err)
					return
				}
			}
			if err := s.Send(b.Context(), c.EnvelopeFrom, d.To, raw); err != nil {
				failed.Add(1)
				b.Error(err)
				return
			}
		}
	})
	b.StopTimer()
	if n := sink.Count(); n != b.N {
		b.Errorf("sink counted %d messages, want %d", n, b.N)
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "msg/s")
	if sink.Connections() > 10 {
		b.Errorf("%d connections, want at most 10", sink.Connections())
	}
}
