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
//     predicate) took longer than running it (150 ms to 1.4 s per query).
func Tune(dsn string) string {
	if strings.Contains(dsn, "jit=") {
		return dsn
	}
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		if u, err := url.Parse(dsn); err == nil {
			q := u.Query()
			q.Set("jit", "off")
			u.RawQuery = q.Encode()
			return u.String()
		}
	}
	return dsn + " jit=off"
}
