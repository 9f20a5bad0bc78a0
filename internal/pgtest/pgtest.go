// Package pgtest gives each test a fresh, fully migrated PostgreSQL
// database, dropped when the test ends.
//
// The server is found once per test process, in this order:
// BASIS_TEST_DATABASE_URL if set (it must work); else the server on
// 127.0.0.1:5432 as user postgres if one answers (skipped when
// BASIS_TEST_PGLOCAL is set); else a private cluster started in a temporary
// directory with internal/pglocal, the code of the embedded default. Only
// when no PostgreSQL binaries exist at all does a test fail, saying what to
// install. Nothing is skipped.
//
// The schema is migrated once per process into a template database; each
// New copies it (CREATE DATABASE ... TEMPLATE), which is fast. Packages
// using pgtest call Main from TestMain so that the template is dropped and a
// private cluster stopped at the end:
//
//	func TestMain(m *testing.M) { pgtest.Main(m) }
package pgtest

import (
	"context"
	"fmt"
	"os"
	"testing"

	"github.com/jmoiron/sqlx"
)

// New returns a connection to a fresh, fully migrated database, dropped when
// the test ends.
func New(t testing.TB) *sqlx.DB {
	t.Helper()
	_, db := NewURL(t)
	return db
}

// NewURL is New that also returns the database's connection string (lib/pq
// format), for code under test that opens its own connections.
func NewURL(t testing.TB) (string, *sqlx.DB) {
	t.Helper()
	s, err := shared()
	if err != nil {
		t.Fatal(err)
	}
	return s.newDB(t)
}

func (s *server) newDB(t testing.TB) (string, *sqlx.DB) {
	t.Helper()
	ctx := context.Background()
	name, err := s.createDB(ctx)
	if err != nil {
		t.Fatal(err)
	}
	dsn := withDB(s.adminURL, name)
	db, err := sqlx.Open("postgres", dsn)
	if err == nil {
		err = db.PingContext(ctx)
	}
	t.Cleanup(func() {
		if db != nil {
			db.Close()
		}
		if err := s.dropDB(context.Background(), name); err != nil {
			t.Error(err)
		}
	})
	if err != nil {
		t.Fatalf("pgtest: connect to %s on %s: %v", name, s.where, err)
	}
	return dsn, db
}

// Main runs the tests, then drops the template database and stops the
// private cluster if one was started, and exits. Call it from TestMain.
func Main(m *testing.M) {
	code := m.Run()
	defaultMu.Lock()
	s := defaultSrv
	defaultMu.Unlock()
	if s != nil {
		if err := s.close(); err != nil {
			fmt.Fprintln(os.Stderr, err)
		}
	}
	os.Exit(code)
}
