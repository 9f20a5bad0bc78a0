package crm

import (
	"context"
	"fmt"
	"strings"

	"github.com/jmoiron/sqlx"
)

// OutboxEvent appends an audit event for something the outbox did to a
// contact (a notice or consent request queued, a campaign started). action
// must start with "outbox." or "campaign."; contactID may be 0.
func (s *Store) OutboxEvent(ctx context.Context, tx *sqlx.Tx, actor Actor, action string, contactID int64, payload map[string]any) error {
	if !strings.HasPrefix(action, "outbox.") && !strings.HasPrefix(action, "campaign.") {
		return fmt.Errorf("crm: outbox event %q: action must start with outbox. or campaign.: %w", action, ErrInvalidInput)
	}
	return s.audit(ctx, tx, actor, action, contactID, orEmpty(payload))
}
