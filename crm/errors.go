package crm

import (
	"errors"

	"github.com/lib/pq"
)

// ErrInvalidInput reports input the caller must correct (unknown purpose,
// missing reason, ...); the wrapping message says which and how.
var ErrInvalidInput = errors.New("invalid input")

// ErrErased reports an address whose contact was erased: it may not be added
// or imported again.
var ErrErased = errors.New("address was erased (Art. 17) and may not be added again")

// ErrSuppressed reports an address on the suppression list for the purpose.
var ErrSuppressed = errors.New("address is suppressed (objection, unsubscribe or bounce)")

func pqArray(s []string) any {
	if s == nil {
		s = []string{}
	}
	return pq.Array(s)
}
