// Package schema holds Basis's SQL migrations, embedded in the binary, and
// applies them with goose under a PostgreSQL advisory lock.
package schema

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io/fs"

	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
)

//go:embed migrations/*.sql
var migrations embed.FS

// ErrStale reports that the database schema is older than this binary.
var ErrStale = errors.New("database schema is older than this program (run `basis migrate`)")

func provider(db *sql.DB) (*goose.Provider, error) {
	sub, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return nil, fmt.Errorf("schema: embedded migrations: %w", err)
	}
	locker, err := lock.NewPostgresSessionLocker()
	if err != nil {
		return nil, fmt.Errorf("schema: advisory lock: %w", err)
	}
	p, err := goose.NewProvider(goose.DialectPostgres, db, sub, goose.WithSessionLocker(locker))
	if err != nil {
		return nil, fmt.Errorf("schema: %w", err)
	}
	return p, nil
}

// Migrate applies every pending migration, each in its own transaction, under
// a session advisory lock so that concurrent callers apply each one once.
// It returns the versions it applied.
func Migrate(ctx context.Context, db *sql.DB) ([]int64, error) {
	p, err := provider(db)
	if err != nil {
		return nil, err
	}
	results, err := p.Up(ctx)
	if err != nil {
		return nil, fmt.Errorf("schema: migrate: %w", err)
	}
	applied := make([]int64, 0, len(results))
	for _, r := range results {
		applied = append(applied, r.Source.Version)
	}
	return applied, nil
}

// Check returns ErrStale when migrations are pending, so that `basis serve`
// refuses to run against an old schema.
func Check(ctx context.Context, db *sql.DB) error {
	p, err := provider(db)
	if err != nil {
		return err
	}
	current, target, err := p.GetVersions(ctx)
	if err != nil {
		return fmt.Errorf("schema: read version: %w", err)
	}
	if current < target {
		return fmt.Errorf("schema version %d, this program needs %d: %w", current, target, ErrStale)
	}
	return nil
}
