package mailin_test

import (
	"testing"

	"github.com/basis-crm/basis/internal/dovecot"
	"github.com/basis-crm/basis/mailin"
)

// BenchmarkFetch fetches 2,000 messages of about 4 KB from Dovecot, in
// batches of DefaultBatch; ns/op is for the whole mailbox.
func BenchmarkFetch(b *testing.B) {
	const n = 2000
	d := dovecot.Start(b)
	raws := make([][]byte, n)
	var total int64
	for i := range raws {
		raws[i] = inquiry(i, 4096)
		total += int64(len(raws[i]))
	}
	d.Deliver(b, "INBOX", raws...)
	a := dovecotAccount(d)
	ctx := b.Context()
	c, err := mailin.Dial(ctx, a, quietLog)
	if err != nil {
		b.Fatal(err)
	}
	defer c.Close()
	b.SetBytes(total)
	b.ResetTimer()
	for b.Loop() {
		count := 0
		err := c.Fetch(ctx, 0, mailin.DefaultBatch, 50<<20, func(f mailin.Fetched) error {
			count++
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		if count != n {
			b.Fatalf("fetched %d, want %d", count, n)
		}
	}
	b.ReportMetric(float64(n), "msgs/op")
}
