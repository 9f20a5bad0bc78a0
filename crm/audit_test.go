package crm_test

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"
)

// tamper runs SQL as superuser with the append-only trigger disabled, as an
// attacker with database access would.
func tamper(t *testing.T, db *sqlx.DB, stmts ...string) {
	t.Helper()
	all := append([]string{"ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"}, stmts...)
	all = append(all, "ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only")
	for _, s := range all {
		if _, err := db.Exec(s); err != nil {
			t.Fatalf("%s: %v", s, err)
		}
	}
}

func TestAuditVerifyCatchesTampering(t *testing.T) {
	cases := []struct {
		name  string
		stmts []string
		bad   int64
	}{
		{"edited payload", []string{`UPDATE audit_events SET payload = '{"name":"Someone Else"}' WHERE seq = 2`}, 2},
		{"edited actor", []string{`UPDATE audit_events SET actor = 'user:boss' WHERE seq = 3`}, 3},
		{"deleted event", []string{`DELETE FROM audit_events WHERE seq = 3`}, 3},
		{"deleted last event", []string{`DELETE FROM audit_events WHERE seq = (SELECT max(seq) FROM audit_events)`}, 0},
		{"inserted event", []string{
			`UPDATE audit_events SET seq = seq + 1000 WHERE seq >= 3`,
			`UPDATE audit_events SET seq = seq - 999 WHERE seq >= 1003`,
			`INSERT INTO audit_events (seq, at, actor, action, payload, payload_hash, prev_hash, hash)
			 SELECT 3, at, actor, 'contact.created', payload, payload_hash, hash, hash FROM audit_events WHERE seq = 2`}, 3},
		{"swapped events", []string{
			`UPDATE audit_events SET seq = -1 WHERE seq = 2`,
			`UPDATE audit_events SET seq = 2 WHERE seq = 3`,
			`UPDATE audit_events SET seq = 3 WHERE seq = -1`}, 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			st, db := newStore(t)
			mustCapture(t, st, "mario.rossi@example.it", "Mario Rossi")
			mustCapture(t, st, "anna.bianchi@example.it", "Anna Bianchi")
			mustVerify(t, st)
			tamper(t, db, tc.stmts...)
			res, err := st.VerifyAudit(ctx)
			if err != nil {
				t.Fatal(err)
			}
			if res.OK {
				t.Fatalf("tampering (%s) not detected", tc.name)
			}
			if tc.bad != 0 && res.BadSeq != tc.bad {
				t.Errorf("first bad event = %d (%s), want %d", res.BadSeq, res.Problem, tc.bad)
			}
		})
	}
}

func TestAuditTableRefusesUpdateAndDelete(t *testing.T) {
	st, db := newStore(t)
	mustCapture(t, st, "mario.rossi@example.it", "Mario Rossi")
	for _, q := range []string{
		`UPDATE audit_events SET actor = 'x' WHERE seq = 1`,
		`DELETE FROM audit_events WHERE seq = 1`,
		`TRUNCATE audit_events`,
		`UPDATE audit_events SET payload = '{}', redacted_at = now() WHERE seq = 1`, // redaction outside erasure
	} {
		_, err := db.Exec(q)
		if err == nil || !strings.Contains(err.Error(), "append-only") {
			t.Errorf("%s: got %v, want append-only refusal", q, err)
		}
	}
	mustVerify(t, st)
}

func TestParallelAppendsKeepOneChain(t *testing.T) {
	st, _ := newStore(t)
	const workers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			for i := 0; i < each; i++ {
				email := fmt.Sprintf("p%d.%d@example.it", w, i)
				if err := st.InTx(ctx, func(tx *sqlx.Tx) error {
					_, _, err := st.Capture(ctx, tx, captureInput(email))
					return err
				}); err != nil {
					errs <- err
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if res := mustVerify(t, st); res.Events != workers*each {
		t.Errorf("chain has %d events, want %d", res.Events, workers*each)
	}
}
