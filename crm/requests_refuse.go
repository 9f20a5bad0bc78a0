package crm

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/jmoiron/sqlx"
)

// RefusalGrounds are the grounds on which the GDPR lets a controller decline
// a rights request: manifestly unfounded or excessive, in particular
// repetitive (Art. 12(5)); the requester's identity could not be verified
// (Art. 12(6), 11(2)); an exemption of the right itself, such as Art. 17(3)
// for an erasure (legal obligation, legal claims), named in the reason. The
// controller bears the burden of demonstrating the ground, so a reason is
// always recorded.
var RefusalGrounds = []string{"manifestly_unfounded", "excessive", "identity_not_verified", "exemption"}

// RefuseRequest closes an open request as refused on ground, recording
// reason with it. An objection to direct marketing cannot be refused (Art.
// 21(3)): it must be fulfilled. The person must be told the reasons and that
// they may complain to a supervisory authority and seek a judicial remedy
// (Art. 12(4)) by the request's due date; the outcome says so.
func (s *Store) RefuseRequest(ctx context.Context, id int64, ground, reason string, actor Actor) (Request, error) {
	reason = strings.TrimSpace(reason)
	switch {
	case !slices.Contains(RefusalGrounds, ground):
		return Request{}, fmt.Errorf("crm: refuse request %d: ground %q is not one of %s: %w", id, ground, strings.Join(RefusalGrounds, ", "), ErrInvalidInput)
	case reason == "":
		return Request{}, fmt.Errorf("crm: refuse request %d: a reason is required: the controller must be able to demonstrate the ground (Art. 12(5)): %w", id, ErrInvalidInput)
	}
	err := s.InTx(ctx, func(tx *sqlx.Tx) error {
		r, err := s.lockRequest(ctx, tx, id)
		if err != nil {
			return err
		}
		if r.Kind == "objection" {
			return fmt.Errorf("crm: refuse request %d: an objection to direct marketing cannot be refused (Art. 21(3)); fulfil it: %w", id, ErrInvalidInput)
		}
		outcome := fmt.Sprintf("refused (%s): %s; tell the person the reasons and that they may complain to a supervisory authority and seek a judicial remedy (Art. 12(4))",
			ground, reason)
		return s.completeRequest(ctx, tx, r, "refused", outcome, actor)
	})
	if err != nil {
		return Request{}, err
	}
	return s.GetRequest(ctx, s.db, id)
}
