package web

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/basis-crm/basis/crm"
)

// sessionCookie names the cookie holding the session token. The database
// keeps only the token's SHA-256, so a leaked table opens no session.
const sessionCookie = "basis_session"

// newSession stores a session for u and returns its clear token.
func (s *Server) newSession(ctx context.Context, u crm.User, r *http.Request) (string, error) {
	raw := make([]byte, 32)
	rand.Read(raw)
	token := base64.RawURLEncoding.EncodeToString(raw)
	sum := sha256.Sum256([]byte(token))
	_, err := s.store.DB().ExecContext(ctx, `INSERT INTO web_sessions (token_hash, user_id, expires_at, ip, user_agent)
		VALUES ($1, $2, $3, $4, $5)`, sum[:], u.ID, time.Now().Add(s.ttl), clientIP(r), truncate(r.UserAgent(), 300))
	if err != nil {
		return "", fmt.Errorf("web: new session: %w", err)
	}
	// Opportunistic cleanup of expired sessions.
	_, _ = s.store.DB().ExecContext(ctx, `DELETE FROM web_sessions WHERE expires_at < now() - interval '1 day'`)
	return token, nil
}

// sessionUser returns the active user behind the request's session cookie,
// from the session cache when it was looked up within sessionCacheTTL.
func (s *Server) sessionUser(r *http.Request) (crm.User, bool, error) {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" || len(c.Value) > 100 {
		return crm.User{}, false, nil
	}
	sum := sha256.Sum256([]byte(c.Value))
	now := time.Now()
	if u, ok := s.sessions.get(sum, now); ok {
		return u, true, nil
	}
	var row struct {
		crm.User
		Expires time.Time `db:"expires_at"`
	}
	err = s.store.DB().GetContext(r.Context(), &row, `SELECT u.id, u.email, u.role, u.language, u.disabled_at, u.created_at, s.expires_at
		FROM web_sessions s JOIN users u ON u.id = s.user_id
		WHERE s.token_hash = $1 AND s.expires_at > now() AND u.disabled_at IS NULL`, sum[:])
	if errors.Is(err, sql.ErrNoRows) {
		return crm.User{}, false, nil
	}
	if err != nil {
		return crm.User{}, false, fmt.Errorf("web: session: %w", err)
	}
	s.sessions.put(sum, row.User, row.Expires, now)
	return row.User, true, nil
}

func (s *Server) endSession(r *http.Request) {
	if c, err := r.Cookie(sessionCookie); err == nil {
		sum := sha256.Sum256([]byte(c.Value))
		s.sessions.drop(sum)
		_, _ = s.store.DB().ExecContext(r.Context(), `DELETE FROM web_sessions WHERE token_hash = $1`, sum[:])
	}
}

func (s *Server) setSessionCookie(w http.ResponseWriter, token string, maxAge int) {
	http.SetCookie(w, &http.Cookie{Name: sessionCookie, Value: token, Path: "/", MaxAge: maxAge,
		HttpOnly: true, Secure: s.secure, SameSite: http.SameSiteLaxMode})
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
