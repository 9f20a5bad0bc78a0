package mailin

import (
	"context"
	"math/rand/v2"
	"time"
)

// Backoff spaces out reconnection attempts: each failure doubles the delay
// from Min up to Max, with jitter so that several pollers do not retry in
// step; Reset after a success starts again from Min. The zero value uses
// 1s and 5m. A Backoff is used by one goroutine.
type Backoff struct {
	Min, Max time.Duration
	failures int
}

// Next returns the delay before the next attempt and counts a failure.
// The delay is drawn uniformly from [d/2, d], d = Min·2^failures capped at Max.
func (b *Backoff) Next() time.Duration {
	lo, hi := b.Min, b.Max
	if lo <= 0 {
		lo = time.Second
	}
	if hi < lo {
		hi = max(lo, 5*time.Minute)
	}
	d := lo
	for i := 0; i < b.failures && d < hi; i++ {
		d *= 2
	}
	d = min(d, hi)
	b.failures++
	half := d / 2
	return half + rand.N(d-half+1)
}

// Reset forgets past failures, after a successful connection.
func (b *Backoff) Reset() { b.failures = 0 }

// Wait sleeps for Next(), or returns ctx.Err() if ctx ends first.
func (b *Backoff) Wait(ctx context.Context) error {
	t := time.NewTimer(b.Next())
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
