package crm

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/jmoiron/sqlx"
	"golang.org/x/crypto/bcrypt"
)

// Roles of staff accounts: admin (everything), staff (contacts, activities,
// campaigns), auditor (read-only everywhere).
var Roles = []string{"admin", "staff", "auditor"}

// User is a staff account.
type User struct {
	ID           int64      `db:"id" json:"id"`
	Email        string     `db:"email" json:"email"`
	Role         string     `db:"role" json:"role"`
	Language     string     `db:"language" json:"language"`
	PasswordHash string     `db:"password_hash" json:"-"`
	DisabledAt   *time.Time `db:"disabled_at" json:"disabled_at,omitempty"`
	CreatedAt    time.Time  `db:"created_at" json:"created_at"`
}

// ErrBadPassword reports a wrong password or an unknown or disabled user.
var ErrBadPassword = errors.New("wrong email or password")

// AddUser creates a staff account with a bcrypt-hashed password.
func (s *Store) AddUser(ctx context.Context, email, role, password string, actor Actor) (User, error) {
	norm, err := NormalizeAddress(email)
	if err != nil {
		return User{}, fmt.Errorf("crm: add user: %w", err)
	}
	if !slices.Contains(Roles, role) {
		return User{}, fmt.Errorf("crm: add user: role %q is not one of %v: %w", role, Roles, ErrInvalidInput)
	}
	if len(password) < 10 {
		return User{}, fmt.Errorf("crm: add user: password too short (at least 10 characters): %w", ErrInvalidInput)
	}
	hash, err := bcrypt.GenerateFromPassword([]byte(password), bcrypt.DefaultCost)
	if err != nil {
		return User{}, fmt.Errorf("crm: add user: %w", err)
	}
	var u User
	err = s.InTx(ctx, func(tx *sqlx.Tx) error {
		err := tx.GetContext(ctx, &u, `INSERT INTO users (email, role, password_hash) VALUES ($1, $2, $3)
			ON CONFLICT (email) DO NOTHING
			RETURNING id, email, role, language, password_hash, disabled_at, created_at`, norm, role, string(hash))
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("crm: add user %s: an account with this address exists already (change its role instead): %w", norm, ErrInvalidInput)
		}
		if err != nil {
			return fmt.Errorf("crm: add user %s: %w", norm, err)
		}
		return s.audit(ctx, tx, actor, "user.added", 0, map[string]any{"user": norm, "role": role})
	})
	return u, err
}

// Authenticate checks a password and returns the active user.
func (s *Store) Authenticate(ctx context.Context, email, password string) (User, error) {
	norm, err := NormalizeAddress(email)
	if err != nil {
		return User{}, ErrBadPassword
	}
	var u User
	err = s.db.GetContext(ctx, &u, `SELECT id, email, role, language, password_hash, disabled_at, created_at
		FROM users WHERE email = $1`, norm)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && u.DisabledAt != nil) {
		_ = bcrypt.CompareHashAndPassword([]byte("$2a$10$7EqJtq98hPqEX7fNZaFWoO5tXo5i7Qn5mVQ7s9Ic2b1iC4E7pQeW."), []byte(password))
		return User{}, ErrBadPassword
	}
	if err != nil {
		return User{}, fmt.Errorf("crm: authenticate: %w", err)
	}
	if bcrypt.CompareHashAndPassword([]byte(u.PasswordHash), []byte(password)) != nil {
		return User{}, ErrBadPassword
	}
	return u, nil
}

// CountUsers returns how many staff accounts exist (none on first run).
func (s *Store) CountUsers(ctx context.Context) (int, error) {
	var n int
	if err := s.db.GetContext(ctx, &n, `SELECT count(*) FROM users`); err != nil {
		return 0, fmt.Errorf("crm: count users: %w", err)
	}
	return n, nil
}
