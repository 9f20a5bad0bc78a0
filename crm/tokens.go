package crm

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/jmoiron/sqlx"
)

// ErrBadToken reports an unsubscribe token that was forged or damaged.
var ErrBadToken = errors.New("unsubscribe link is not valid")

// UnsubscribeToken is an HMAC over (contact, purpose) with the instance
// secret: it needs no lookup table and cannot be forged. It is URL- and
// mail-local-part-safe (base64url without padding).
func (s *Store) UnsubscribeToken(contactID int64, purpose string) string {
	msg := make([]byte, 8, 8+len(purpose))
	binary.BigEndian.PutUint64(msg, uint64(contactID))
	msg = append(msg, purpose...)
	return base64.RawURLEncoding.EncodeToString(append(msg, s.tokenMAC(msg)...))
}

func (s *Store) tokenMAC(msg []byte) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte("unsubscribe\x00"))
	m.Write(msg)
	return m.Sum(nil)[:16]
}

// ParseUnsubscribeToken checks a token and returns its contact and purpose.
func (s *Store) ParseUnsubscribeToken(token string) (int64, string, error) {
	raw, err := base64.RawURLEncoding.DecodeString(token)
	if err != nil || len(raw) < 8+16 {
		return 0, "", ErrBadToken
	}
	msg, mac := raw[:len(raw)-16], raw[len(raw)-16:]
	if !hmac.Equal(mac, s.tokenMAC(msg)) {
		return 0, "", ErrBadToken
	}
	return int64(binary.BigEndian.Uint64(msg[:8])), string(msg[8:]), nil
}

// Unsubscribe records the objection a valid token carries (RFC 8058
// one-click, the unsubscribe page, or mail to unsubscribe+TOKEN@...). It is
// idempotent and works after the contact was erased (the suppression stays).
func (s *Store) Unsubscribe(ctx context.Context, token, via string, actor Actor) (Contact, string, error) {
	id, purpose, err := s.ParseUnsubscribeToken(token)
	if err != nil {
		return Contact{}, "", err
	}
	var c Contact
	err = s.InTx(ctx, func(tx *sqlx.Tx) error {
		if c, err = s.GetContact(ctx, tx, id); err != nil {
			return err
		}
		if c.ErasedAt != nil {
			return nil // already suppressed for everything
		}
		return s.Object(ctx, tx, ObjectionInput{Email: c.Email, Purpose: s.ObjectionPurpose(purpose), Unsubscribe: true,
			Reason: "unsubscribe via " + via, Actor: actor})
	})
	if err != nil {
		return Contact{}, "", fmt.Errorf("crm: unsubscribe: %w", err)
	}
	return c, purpose, nil
}

// ObjectionPurpose is what a token's purpose objects to. "" is the
// privacy notice's link, which promises that the person can object to
// being contacted at all (Art. 21(1)): every purpose. A purpose since
// removed from the policy stops all marketing ("").
func (s *Store) ObjectionPurpose(tokenPurpose string) string {
	if tokenPurpose == "" {
		return AllPurposes
	}
	if _, ok := s.policy.Purposes[tokenPurpose]; ok {
		return tokenPurpose
	}
	return ""
}
