package crm

import (
	"context"
	"fmt"
	"slices"

	"github.com/jmoiron/sqlx"
)

// Languages are the languages of the UI and of mail templates.
var Languages = []string{"it", "en"}

const userColumns = `id, email, role, language, password_hash, disabled_at, created_at`

// ListUsers returns every staff account, by address.
func (s *Store) ListUsers(ctx context.Context) ([]User, error) {
	out := []User{}
	if err := s.db.SelectContext(ctx, &out, `SELECT `+userColumns+` FROM users ORDER BY email`); err != nil {
		return nil, fmt.Errorf("crm: list users: %w", err)
	}
	return out, nil
}

// GetUser returns one staff account.
func (s *Store) GetUser(ctx context.Context, id int64) (User, error) {
	var u User
	if err := s.db.GetContext(ctx, &u, `SELECT `+userColumns+` FROM users WHERE id = $1`, id); err != nil {
		return u, fmt.Errorf("crm: user %d: %w", id, notFound(err))
	}
	return u, nil
}

// SetUserRole changes a staff account's role.
func (s *Store) SetUserRole(ctx context.Context, id int64, role string, actor Actor) error {
	if !slices.Contains(Roles, role) {
		return fmt.Errorf("crm: set role: %q is not one of %v: %w", role, Roles, ErrInvalidInput)
	}
	return s.updateUser(ctx, id, "user.role", `UPDATE users SET role = $2 WHERE id = $1 RETURNING email`, role, actor, role != "admin")
}

// SetUserLanguage changes the language a staff account sees the UI in ("" to
// follow the browser).
func (s *Store) SetUserLanguage(ctx context.Context, id int64, lang string, actor Actor) error {
	if lang != "" && !slices.Contains(Languages, lang) {
		return fmt.Errorf("crm: set language: %q is not one of %v: %w", lang, Languages, ErrInvalidInput)
	}
	return s.updateUser(ctx, id, "user.language", `UPDATE users SET language = $2 WHERE id = $1 RETURNING email`, lang, actor, false)
}

// DisableUser stops an account from signing in; its sessions stop working
// at once (the web layer checks disabled_at on every request).
func (s *Store) DisableUser(ctx context.Context, id int64, actor Actor) error {
	return s.updateUser(ctx, id, "user.disabled",
		`UPDATE users SET disabled_at = COALESCE(disabled_at, now()) WHERE id = $1 AND $2::text IS NOT NULL RETURNING email`, "", actor, true)
}

// updateUser runs q for user id and audits it; demotes says q may leave
// the user without the admin role or disabled.
func (s *Store) updateUser(ctx context.Context, id int64, action, q, value string, actor Actor, demotes bool) error {
	return s.InTx(ctx, func(tx *sqlx.Tx) error {
		if demotes {
			if err := keepAnAdmin(ctx, tx, id, action); err != nil {
				return err
			}
		}
		var email string
		if err := tx.GetContext(ctx, &email, q, id, value); err != nil {
			return fmt.Errorf("crm: %s %d: %w", action, id, notFound(err))
		}
		return s.audit(ctx, tx, actor, action, 0, map[string]any{"user": email, "value": value})
	})
}

// keepAnAdmin refuses to take the admin role from, or disable, the last
// active admin: nobody could manage accounts any more but from the server's
// command line. The active admins are locked, so that two admins demoting
// each other at once cannot both succeed.
func keepAnAdmin(ctx context.Context, tx *sqlx.Tx, id int64, action string) error {
	var admins []int64
	if err := tx.SelectContext(ctx, &admins, `SELECT id FROM users WHERE role = 'admin' AND disabled_at IS NULL ORDER BY id FOR UPDATE`); err != nil {
		return fmt.Errorf("crm: %s %d: %w", action, id, err)
	}
	if len(admins) == 1 && admins[0] == id {
		return fmt.Errorf("crm: %s %d: this is the only active admin; make another account admin first: %w", action, id, ErrInvalidInput)
	}
	return nil
}
