package crm

import (
	"context"
	"fmt"
	"time"

	"github.com/jmoiron/sqlx"
	"github.com/lib/pq"
)

// ContactsByAddress returns the contacts (not erased) of the given
// addresses, in one query, keyed by normalized address. Addresses that do
// not normalize are left out.
func (s *Store) ContactsByAddress(ctx context.Context, q sqlx.QueryerContext, addrs []string) (map[string]Contact, error) {
	norm := normalizedSet(addrs)
	out := make(map[string]Contact, len(norm))
	if len(norm) == 0 {
		return out, nil
	}
	var found []Contact
	err := sqlx.SelectContext(ctx, q, &found, `SELECT `+contactColumns+` FROM contacts
		WHERE email = ANY($1) AND erased_at IS NULL`, pq.Array(norm))
	if err != nil {
		return nil, fmt.Errorf("crm: contacts of %d addresses: %w", len(norm), err)
	}
	for _, c := range found {
		out[c.Email] = c
	}
	return out, nil
}

// ErasedAddresses returns, for those of the given addresses that were
// erased, when (as ErasedAt does for one), in one query, keyed by
// normalized address.
func (s *Store) ErasedAddresses(ctx context.Context, q sqlx.QueryerContext, addrs []string) (map[string]time.Time, error) {
	norm := normalizedSet(addrs)
	out := map[string]time.Time{}
	if len(norm) == 0 {
		return out, nil
	}
	byHash := make(map[string]string, len(norm))
	hashes := make([][]byte, len(norm))
	for i, a := range norm {
		hashes[i] = s.AddressHash(a)
		byHash[string(hashes[i])] = a
	}
	var rows []struct {
		Hash []byte    `db:"address_hash"`
		At   time.Time `db:"created_at"`
	}
	err := sqlx.SelectContext(ctx, q, &rows, `SELECT address_hash, created_at FROM suppressions
		WHERE address_hash = ANY($1) AND reason = 'erasure'`, pq.ByteaArray(hashes))
	if err != nil {
		return nil, fmt.Errorf("crm: erasures of %d addresses: %w", len(norm), err)
	}
	for _, r := range rows {
		if a, ok := byHash[string(r.Hash)]; ok {
			out[a] = r.At
		}
	}
	return out, nil
}

// normalizedSet normalizes addrs, leaving out duplicates and invalid ones.
func normalizedSet(addrs []string) []string {
	seen := make(map[string]bool, len(addrs))
	out := make([]string, 0, len(addrs))
	for _, a := range addrs {
		n, err := NormalizeAddress(a)
		if err != nil || seen[n] {
			continue
		}
		seen[n] = true
		out = append(out, n)
	}
	return out
}
