package crm_test

import (
	"fmt"
	"os"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/basis-crm/basis/crm"
	"github.com/basis-crm/basis/internal/pgdsn"
	"github.com/basis-crm/basis/internal/pgtest"
)

// The benchmark: 1,000,000 contacts, 2,000,000 bases, 10% suppressed.
const benchContacts = 1_000_000

// seedLarge fills one database per benchmark process with generate_series
// (the suppression join only needs contact and suppression hashes to match,
// so plain SHA-256 stands in for the HMAC here).
//
// BASIS_BENCH_DATABASE_URL names an already migrated database to seed once
// and reuse across runs (seeding takes minutes).
func seedLarge(b *testing.B) (*crm.Store, *sqlx.DB) {
	var benchDB *sqlx.DB
	if url := os.Getenv("BASIS_BENCH_DATABASE_URL"); url != "" {
		benchDB = sqlx.MustConnect("postgres", pgdsn.Tune(url))
		b.Cleanup(func() { benchDB.Close() })
	} else {
		benchDB = pgtest.New(b)
	}
	benchDB.SetMaxIdleConns(16) // as basis itself does (cmd/basis connect)
	var have int
	if err := benchDB.Get(&have, `SELECT count(*) FROM contacts`); err != nil {
		b.Fatal(err)
	}
	if have < benchContacts {
		stmts := []string{
			`INSERT INTO contacts (email, address_hash, name, company, status, source, created_at, updated_at, last_activity_at)
			 SELECT 'p' || i || '@example.it', sha256(('p' || i || '@example.it')::bytea), 'Person ' || i, 'Company ' || (i % 5000),
			        (ARRAY['new','reviewed','qualified','customer'])[1 + i % 4], 'inbound_email',
			        now() - (i % 700) * interval '1 day', now(), now() - (i % 900) * interval '1 day'
			 FROM generate_series(1, ` + fmt.Sprint(benchContacts) + `) i`,
			`INSERT INTO bases (contact_id, purpose, kind, source, valid_from, created_by)
			 SELECT id, 'inquiry_followup', 'legitimate_interest', 'inbound_email', created_at, 'bench' FROM contacts`,
			`INSERT INTO bases (contact_id, purpose, kind, source, valid_from, withdrawn_at, created_by)
			 SELECT id, 'marketing', (ARRAY['consent','soft_opt_in','legitimate_interest'])[1 + id % 3], 'manual', created_at,
			        CASE WHEN id % 17 = 0 THEN now() END, 'bench' FROM contacts`,
			`INSERT INTO suppressions (address_hash, purpose, reason)
			 SELECT address_hash, CASE WHEN id % 20 = 0 THEN '*' ELSE 'marketing' END, 'objection' FROM contacts WHERE id % 10 = 0`,
			`VACUUM ANALYZE contacts`, `VACUUM ANALYZE bases`, `VACUUM ANALYZE suppressions`,
		}
		for _, s := range stmts {
			if _, err := benchDB.Exec(s); err != nil {
				b.Fatalf("seed: %v", err)
			}
		}
	}
	return crm.NewStore(benchDB, testKey, policy, nil), benchDB
}

// BenchmarkCRM seeds once and runs the three measurements on the
// same data: go test -run '^$' -bench BenchmarkCRM ./crm
func BenchmarkCRM(b *testing.B) {
	st, db := seedLarge(b)
	b.Run("EligibleAudienceCount", func(b *testing.B) { benchEligibleAudienceCount(b, st, db) })
	b.Run("ContactShow", func(b *testing.B) { benchContactShow(b, st) })
	b.Run("AuditAppend", func(b *testing.B) { benchAuditAppend(b, st) })
	b.Run("AuditAppendBatch10k", func(b *testing.B) { benchAuditAppendBatch(b, st) })
}

// benchEligibleAudienceCount counts the marketing audience (target < 1 s).
func benchEligibleAudienceCount(b *testing.B, st *crm.Store, db *sqlx.DB) {
	pred, args := st.EligibleSQL("c", 1, "marketing")
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		var n int
		if err := db.Get(&n, `SELECT count(*) FROM contacts c WHERE `+pred, args...); err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(n), "eligible")
	}
}

// benchContactShow loads one contact's detail (target < 5 ms).
func benchContactShow(b *testing.B, st *crm.Store) {
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := st.Detail(ctx, fmt.Sprintf("p%d@example.it", 1+i*7919%benchContacts)); err != nil {
			b.Fatal(err)
		}
	}
}

// benchAuditAppend appends events one per transaction (target > 5,000/s).
func benchAuditAppend(b *testing.B, st *crm.Store) {
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		err := st.InTx(ctx, func(tx *sqlx.Tx) error {
			_, err := st.LogActivity(ctx, tx, crm.ActivityInput{ContactID: int64(1 + i%benchContacts), Kind: "note", Reason: "bench", Actor: system})
			return err
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// benchAuditAppendBatch appends 10,000 events in one transaction, as an
// import does.
func benchAuditAppendBatch(b *testing.B, st *crm.Store) {
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		err := st.InTx(ctx, func(tx *sqlx.Tx) error {
			for j := 0; j < 10_000; j++ {
				if _, err := st.LogActivity(ctx, tx, crm.ActivityInput{ContactID: int64(1 + j), Kind: "note", Reason: "bench", Actor: system}); err != nil {
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
}
