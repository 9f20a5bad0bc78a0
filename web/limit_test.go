package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

func TestUnlimitedRoutesExist(t *testing.T) {
	f := newFixture(t)
	paths := map[string]bool{}
	for _, rt := range f.srv.Routes() {
		paths[rt.Path] = true
	}
	for p := range unlimited {
		if !paths[p] {
			t.Errorf("unlimited route %s is not in the route table", p)
		}
	}
}

func TestLimitServesInTurn(t *testing.T) {
	s := &Server{busy: make(chan struct{}, 1)}
	var inside, most atomic.Int32
	h := s.limit(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inside.Add(1)
		if n > most.Load() {
			most.Store(n)
		}
		time.Sleep(5 * time.Millisecond)
		inside.Add(-1)
	}))
	done := make(chan bool)
	for range 4 {
		go func() {
			h.ServeHTTP(httptest.NewRecorder(), httptest.NewRequest("GET", "/", nil))
			done <- true
		}()
	}
	for range 4 {
		<-done
	}
	if most.Load() != 1 {
		t.Errorf("%d requests served at once, want 1", most.Load())
	}
}

func TestFailQuietWhenClientLeft(t *testing.T) {
	var buf strings.Builder
	s := &Server{log: slog.New(slog.NewTextHandler(&buf, nil))}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	s.fail(httptest.NewRecorder(), httptest.NewRequest("GET", "/review", nil).WithContext(ctx), errors.New("pq: canceling statement"))
	if buf.Len() != 0 {
		t.Errorf("a canceled request logged at info or above: %s", buf.String())
	}
	s.fail(httptest.NewRecorder(), httptest.NewRequest("GET", "/review", nil), errors.New("pq: boom"))
	if !strings.Contains(buf.String(), "boom") {
		t.Errorf("a failed request was not logged")
	}
}
