// Package crm is Basis's domain: contacts, lawful bases, evidence, consent,
// activities, suppression, erasure, export and the audit chain. It is the only
// package that writes contact data, and every write appends an audit event in
// the same transaction.
package crm

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/jmoiron/sqlx"
)

// Actor names who did something: "user:anna@acme-srl.it", "system:mailin",
// "cli:root", "public:confirm-page".
type Actor string

// Policy says which basis kinds allow which purpose, and how long a
// legitimate interest lasts without activity.
type Policy struct {
	Purposes                 map[string][]string
	LegitimateInterestMonths int
}

// Store is the crm package's handle on PostgreSQL.
type Store struct {
	db        *sqlx.DB
	key       []byte
	policy    Policy
	log       *slog.Logger
	now       func() time.Time
	onCapture []CaptureHook
	stmts     sync.Map // query text -> *sqlx.Stmt, see prepared
}

// CaptureHook runs inside the capturing transaction after a new contact is
// created (mailout uses it to queue the privacy notice).
type CaptureHook func(ctx context.Context, tx *sqlx.Tx, c Contact) error

// NewStore returns a Store over db. key is the instance secret used for
// suppression hashes and tokens.
func NewStore(db *sqlx.DB, key []byte, policy Policy, log *slog.Logger) *Store {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Store{db: db, key: key, policy: policy, log: log, now: time.Now}
}

// DB returns the underlying pool, for packages that keep their own tables.
func (s *Store) DB() *sqlx.DB { return s.db }

// Policy returns the purpose policy the store enforces.
func (s *Store) Policy() Policy { return s.policy }

// OnCapture registers a hook run when a new contact is created.
func (s *Store) OnCapture(h CaptureHook) { s.onCapture = append(s.onCapture, h) }

// InTx runs fn in a transaction, committing when fn returns nil.
func (s *Store) InTx(ctx context.Context, fn func(tx *sqlx.Tx) error) error {
	tx, err := s.db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("crm: begin: %w", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("crm: commit: %w", err)
	}
	return nil
}

func (s *Store) clock() time.Time { return s.now().UTC().Truncate(time.Microsecond) }
