package crm

import (
	"context"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/basis-crm/basis/internal/pgtest"
)

// BenchmarkAuditAppend10k appends 10,000 audit events, the issue's
// measurement (target over 5,000 events/s): in one transaction (an import,
// a batch of mail) and one transaction per event (staff actions).
func BenchmarkAuditAppend10k(b *testing.B) {
	ctx := context.Background()
	st := NewStore(pgtest.New(b), []byte("bench-secret-0123456789abcdef0123"), Policy{}, nil)
	payload := map[string]any{"kind": "note", "reason": "benchmark", "activity_id": 123456}
	b.Run("OneTransaction", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			err := st.InTx(ctx, func(tx *sqlx.Tx) error {
				for j := 0; j < 10_000; j++ {
					if err := st.audit(ctx, tx, "system:bench", "activity.logged", int64(j+1), payload); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N*10_000)/b.Elapsed().Seconds(), "events/s")
	})
	b.Run("Batched", func(b *testing.B) {
		entries := make([]auditEntry, 10_000)
		for j := range entries {
			entries[j] = auditEntry{contactID: int64(j + 1), payload: payload}
		}
		for i := 0; i < b.N; i++ {
			if err := st.InTx(ctx, func(tx *sqlx.Tx) error {
				return st.auditMany(ctx, tx, "system:bench", "activity.logged", entries)
			}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N*10_000)/b.Elapsed().Seconds(), "events/s")
		if res, err := st.VerifyAudit(ctx); err != nil || !res.OK {
			b.Fatalf("chain after batched appends: %+v %v", res, err)
		}
	})
	b.Run("TransactionEach", func(b *testing.B) {
		for i := 0; i < b.N; i++ {
			for j := 0; j < 10_000; j++ {
				if err := st.InTx(ctx, func(tx *sqlx.Tx) error {
					return st.audit(ctx, tx, "system:bench", "activity.logged", int64(j+1), payload)
				}); err != nil {
					b.Fatal(err)
				}
			}
		}
		b.ReportMetric(float64(b.N*10_000)/b.Elapsed().Seconds(), "events/s")
	})
}
