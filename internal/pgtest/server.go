package pgtest

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"strings"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
	_ "github.com/lib/pq" // the "postgres" driver

	"github.com/basis-crm/basis/internal/pgdsn"

	"github.com/basis-crm/basis/internal/pglocal"
)

// localURL is the server tests use when one answers on the standard port.
const localURL = "postgres://postgres@127.0.0.1:5432/postgres?sslmode=disable&connect_timeout=3"

// server is a PostgreSQL server tests create their databases on.
type server struct {
	adminURL string   // the database administrative statements run in
	where    string   // for messages
	admin    *sqlx.DB // connected to adminURL

	cluster  *pglocal.Cluster // private cluster only
	tmpDir   string           // private cluster only: removed at close
	watchdog *exec.Cmd        // private cluster only

	tplOnce sync.Once
	tpl     string
	tplErr  error
}

var (
	defaultOnce sync.Once
	defaultMu   sync.Mutex
	defaultSrv  *server
	defaultErr  error
)

// shared returns the process-wide server, found on first use.
func shared() (*server, error) {
	defaultOnce.Do(func() {
		s, err := find(context.Background())
		defaultMu.Lock()
		defaultSrv, defaultErr = s, err
		defaultMu.Unlock()
	})
	defaultMu.Lock()
	defer defaultMu.Unlock()
	return defaultSrv, defaultErr
}

// find picks the server: BASIS_TEST_DATABASE_URL, else 127.0.0.1:5432
// (unless BASIS_TEST_PGLOCAL is set), else a private cluster.
func find(ctx context.Context) (*server, error) {
	if u := os.Getenv("BASIS_TEST_DATABASE_URL"); u != "" {
		s, err := connect(ctx, u, "BASIS_TEST_DATABASE_URL")
		if err != nil {
			return nil, fmt.Errorf("pgtest: BASIS_TEST_DATABASE_URL does not work (fix it or unset it): %w", err)
		}
		return s, nil
	}
	if os.Getenv("BASIS_TEST_PGLOCAL") == "" {
		if s, err := connect(ctx, localURL, "127.0.0.1:5432"); err == nil {
			return s, nil
		}
	}
	return startPrivate(ctx)
}

// connect opens and checks the administrative connection, then drops the
// databases earlier test runs leaked.
func connect(ctx context.Context, dsn, where string) (*server, error) {
	db, err := sqlx.Open("postgres", dsn)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	defer cancel()
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, err
	}
	s := &server{adminURL: dsn, where: where, admin: db}
	s.dropLeaked(ctx)
	return s, nil
}

// close drops the template, closes the connection and, for a private
// cluster, stops it and removes its directory.
func (s *server) close() error {
	ctx := context.Background()
	var errs []error
	if s.tpl != "" {
		if _, err := s.admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+s.tpl+" WITH (FORCE)"); err != nil {
			errs = append(errs, fmt.Errorf("pgtest: drop template %s: %w", s.tpl, err))
		}
	}
	s.admin.Close()
	if s.cluster != nil {
		if err := s.cluster.Stop(ctx); err != nil {
			errs = append(errs, err)
		}
		if err := os.RemoveAll(s.tmpDir); err != nil {
			errs = append(errs, fmt.Errorf("pgtest: %w", err))
		}
		stopWatchdog(s.watchdog)
	}
	return errors.Join(errs...)
}

// withDB returns dsn (a URL or key=value string) pointing at database name.
func withDB(dsn, name string) string {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err == nil {
			u.Path = "/" + name
			q := u.Query()
			q.Del("dbname")
			u.RawQuery = q.Encode()
			return pgdsn.Tune(u.String()) // the settings basis itself connects with
		}
	}
	return pgdsn.Tune(dsn + " dbname=" + name) // names are [a-z0-9_]: no quoting needed
}
