package web

import (
	"net/http"
	"os"
	"runtime"
	"strconv"
)

// concurrency is the number of requests served at once: n, else
// BASIS_WEB_CONCURRENCY, else 2 per CPU and at least 4. A page is mostly CPU
// (here and in PostgreSQL), so more at once only makes each one slower.
func concurrency(n int) int {
	if n > 0 {
		return n
	}
	if v, err := strconv.Atoi(os.Getenv("BASIS_WEB_CONCURRENCY")); err == nil && v > 0 {
		return v
	}
	return max(4, 2*runtime.GOMAXPROCS(0))
}

// unlimited are the routes that wait on something other than the CPU and
// the database (the static files, a download to a slow client, a test mail
// over SMTP): they do not take a turn, so that they never hold up pages.
var unlimited = map[string]bool{
	"/static/":              true,
	"/evidence/{id}":        true,
	"/contacts/{id}/export": true,
	"/campaigns/{id}/test":  true,
}

// limit serves h at most cap(s.busy) requests at a time. Under load the
// others wait for a turn in arrival order instead of all sharing the CPUs
// and the database at once: each request then takes about as long as the
// next, instead of some taking many times the average.
func (s *Server) limit(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case s.busy <- struct{}{}:
		case <-r.Context().Done():
			return
		}
		defer func() { <-s.busy }()
		h.ServeHTTP(w, r)
	})
}
