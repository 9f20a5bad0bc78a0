package mailout

import (
	"context"
	"fmt"
)

// The contact spans shared by the missing-notice sweep (notice_sweep.go)
// and `basis notices update` (notice_update.go): both walk the contacts by
// id, a transaction per span, and give each the notice text of its
// language.

// noticeTextOfContactSQL picks, for contact row c, the Italian notice text
// ($1) or the English one ($2) by the contact's language, else by the
// organization's default language ($3), as Mailer.language does.
const noticeTextOfContactSQL = `CASE WHEN c.language = 'en' OR (c.language NOT IN ('it', 'en') AND $3 = 'en') THEN $2::bigint ELSE $1::bigint END`

// lastContactID is the highest contact id, 0 when there is none.
func (m *Mailer) lastContactID(ctx context.Context) (int64, error) {
	var last int64
	if err := m.db.GetContext(ctx, &last, `SELECT COALESCE(max(id), 0) FROM contacts`); err != nil {
		return 0, fmt.Errorf("highest contact id: %w", err)
	}
	return last, nil
}

// forContactSpans calls fn for the contact ids above from up to last, in
// spans of noticeSweepSpan ids (lo < id <= hi), each in a transaction of
// its own, and adds up what fn counted. It stops at the first error.
func forContactSpans(from, last int64, fn func(lo, hi int64) (int, error)) (int, error) {
	total := 0
	for lo := from; lo < last; lo += noticeSweepSpan {
		n, err := fn(lo, min(lo+noticeSweepSpan, last))
		total += n
		if err != nil {
			return total, err
		}
	}
	return total, nil
}
