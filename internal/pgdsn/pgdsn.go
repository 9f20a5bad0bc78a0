// Package pgdsn holds the connection settings every Basis connection to
// PostgreSQL uses, so that the binary, the tests and the benchmarks run with
// the same ones.
package pgdsn

import (
	"net/url"
	"strings"
)

// Tune returns dsn (a URL or key=value string) with Basis's session
// settings added as lib/pq run-time parameters, unless dsn sets them:
//
//   - jit=off: Basis's queries touch at most a few million rows, and
//     PostgreSQL's LLVM compilation of a costly-looking plan (the eligibility
//     predicate) took longer than running it (150 ms to 1.4 s per query);
//   - binary_parameters=yes: lib/pq then sends a query with parameters in
//     one round trip instead of two, and []byte parameters as raw bytes
//     (bytea) instead of hex text. JSON for jsonb columns must therefore be
//     passed as a string, never as []byte.
func Tune(dsn string) string {
	settings := [][2]string{{"jit", "off"}, {"binary_parameters", "yes"}}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		if u, err := url.Parse(dsn); err == nil {
			q := u.Query()
			for _, kv := range settings {
				if !q.Has(kv[0]) {
					q.Set(kv[0], kv[1])
				}
			}
			u.RawQuery = q.Encode()
			return u.String()
		}
	}
	for _, kv := range settings {
		if !strings.Contains(dsn, kv[0]+"=") {
			dsn += " " + kv[0] + "=" + kv[1]
		}
	}
	return dsn
}
