package mailin_test

import (
	"testing"
	"time"

	"github.com/basis-crm/basis/mailin"
)

func TestBackoffGrowsWithJitterAndResets(t *testing.T) {
	b := mailin.Backoff{Min: 100 * time.Millisecond, Max: time.Second}
	wantMax := []time.Duration{100, 200, 400, 800, 1000, 1000}
	for i, hi := range wantMax {
		hi *= time.Millisecond
		d := b.Next()
		if d < hi/2 || d > hi {
			t.Errorf("attempt %d: %v, want in [%v, %v]", i, d, hi/2, hi)
		}
	}
	b.Reset()
	if d := b.Next(); d > 100*time.Millisecond {
		t.Errorf("after Reset: %v, want at most Min", d)
	}
}

func TestBackoffJitterVaries(t *testing.T) {
	seen := map[time.Duration]bool{}
	for range 20 {
		b := mailin.Backoff{Min: time.Second, Max: time.Minute}
		seen[b.Next()] = true
	}
	if len(seen) < 2 {
		t.Error("20 first delays were all equal: no jitter")
	}
}
