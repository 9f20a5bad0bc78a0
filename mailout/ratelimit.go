package mailout

import (
	"context"
	"sync"
	"time"
)

// rateLimiter spaces events evenly at a fixed rate, with no burst: each
// Wait reserves the next free slot. A nil *rateLimiter never waits. (A small
// hand-written limiter rather than golang.org/x/time/rate: the sender needs
// only this, and it keeps the module's dependencies unchanged.)
type rateLimiter struct {
	mu       sync.Mutex
	interval time.Duration
	next     time.Time
	now      func() time.Time
}

// newRateLimiter returns a limiter for perSecond events a second, or nil for
// perSecond <= 0 (unlimited).
func newRateLimiter(perSecond float64) *rateLimiter {
	if perSecond <= 0 {
		return nil
	}
	return &rateLimiter{interval: time.Duration(float64(time.Second) / perSecond), now: time.Now}
}

// reserve takes the next slot and returns how long to wait for it.
func (l *rateLimiter) reserve() time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	now := l.now()
	if l.next.Before(now) {
		l.next = now
	}
	wait := l.next.Sub(now)
	l.next = l.next.Add(l.interval)
	return wait
}

// Wait blocks until the caller may send, or ctx ends. A slot reserved by a
// cancelled Wait is not given back.
func (l *rateLimiter) Wait(ctx context.Context) error {
	return sleep(ctx, l.delay())
}

// delay reserves the next slot and returns how long to wait for it; 0 for
// a nil limiter.
func (l *rateLimiter) delay() time.Duration {
	if l == nil {
		return 0
	}
	return l.reserve()
}

// sleep waits for d, or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
