package mailout

import (
	"testing"
	"time"
)

func TestRateLimiterSpacesSlotsEvenly(t *testing.T) {
	l := newRateLimiter(10)
	now := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	l.now = func() time.Time { return now }
	for i, want := range []time.Duration{0, 100 * time.Millisecond, 200 * time.Millisecond} {
		if got := l.reserve(); got != want {
			t.Errorf("reserve %d at the same instant: wait %v, want %v", i, got, want)
		}
	}
	now = now.Add(time.Second) // idle time does not build up a burst
	if got := l.reserve(); got != 0 {
		t.Errorf("after idle: wait %v, want 0", got)
	}
	if got := l.reserve(); got != 100*time.Millisecond {
		t.Errorf("second after idle: wait %v, want 100ms", got)
	}
}

func TestRateLimiterZeroIsUnlimited(t *testing.T) {
	if l := newRateLimiter(0); l != nil {
		t.Fatal("rate 0 must mean no limiter")
	}
	var l *rateLimiter
	if err := l.Wait(t.Context()); err != nil {
		t.Fatal(err)
	}
}
