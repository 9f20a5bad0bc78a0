package crm_test

import (
	"errors"
	"sync"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/basis-crm/basis/crm"
)

func captureInput(email string) crm.CaptureInput {
	return crm.CaptureInput{Email: email, Source: "inbound_email", Actor: system, Reason: "inquiry"}
}

func TestNormalizeAddress(t *testing.T) {
	cases := []struct{ in, want string }{
		{"  Mario.Rossi@Example.IT ", "mario.rossi@example.it"},
		{"Mario Rossi <mario@example.it>", "mario@example.it"},
		{"info@caffè.it", "info@xn--caff-8oa.it"},
		{"info@xn--caff-8oa.it", "info@xn--caff-8oa.it"},
		{"INFO@CAFFÈ.IT", "info@xn--caff-8oa.it"},
	}
	for _, tc := range cases {
		got, err := crm.NormalizeAddress(tc.in)
		if err != nil || got != tc.want {
			t.Errorf("NormalizeAddress(%q) = %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
	for _, bad := range []string{"", "mario", "@example.it", "mario@", "mario@localhost", "ma rio@example.it", "a@b@"} {
		if _, err := crm.NormalizeAddress(bad); !errors.Is(err, crm.ErrInvalidAddress) {
			t.Errorf("NormalizeAddress(%q): got %v, want ErrInvalidAddress", bad, err)
		}
	}
}

func TestIDNFormsAreOneContact(t *testing.T) {
	st, _ := newStore(t)
	a := mustCapture(t, st, "info@caffè.it", "Bar")
	b := mustCapture(t, st, "INFO@xn--caff-8oa.it", "")
	if a.ID != b.ID {
		t.Errorf("unicode and ASCII forms made two contacts: %d and %d", a.ID, b.ID)
	}
}

func TestConcurrentCapturesMakeOneContact(t *testing.T) {
	st, db := newStore(t)
	var wg sync.WaitGroup
	ids := make(chan int64, 10)
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = st.InTx(ctx, func(tx *sqlx.Tx) error {
				c, _, err := st.Capture(ctx, tx, crm.CaptureInput{Email: "Same.Person@Example.it", Name: "Same Person",
					Source: "inbound_email", Actor: system, Reason: "inquiry"})
				if err == nil {
					ids <- c.ID
				}
				return err
			})
		}()
	}
	wg.Wait()
	close(ids)
	var first int64
	n := 0
	for id := range ids {
		if first == 0 {
			first = id
		}
		if id != first {
			t.Errorf("two contacts: %d and %d", first, id)
		}
		n++
	}
	if n != 10 {
		t.Fatalf("%d of 10 captures succeeded", n)
	}
	var count, created int
	db.Get(&count, `SELECT count(*) FROM contacts`)
	db.Get(&created, `SELECT count(*) FROM audit_events WHERE action = 'contact.created'`)
	if count != 1 || created != 1 {
		t.Errorf("contacts = %d, contact.created events = %d; want 1 and 1", count, created)
	}
	mustVerify(t, st)
}

func TestCaptureFillsBlanksAndGuessesCompany(t *testing.T) {
	st, _ := newStore(t)
	mustCapture(t, st, "giulia@rossi-impianti.it", "")
	c := mustCapture(t, st, "giulia@rossi-impianti.it", "Giulia Verdi")
	if c.Name != "Giulia Verdi" || c.Company != "Rossi Impianti" {
		t.Errorf("got name %q company %q", c.Name, c.Company)
	}
	g := mustCapture(t, st, "someone@gmail.com", "Some One")
	if g.Company != "" {
		t.Errorf("free mail domain gave company %q", g.Company)
	}
}

func TestActivityNeedsReason(t *testing.T) {
	st, _ := newStore(t)
	c := mustCapture(t, st, "mario@example.it", "Mario")
	err := st.InTx(ctx, func(tx *sqlx.Tx) error {
		_, err := st.LogActivity(ctx, tx, crm.ActivityInput{ContactID: c.ID, Kind: "call", Reason: "  ", Actor: system})
		return err
	})
	if !errors.Is(err, crm.ErrInvalidInput) {
		t.Fatalf("activity without reason: got %v", err)
	}
	inTx(t, st, func(tx *sqlx.Tx) error {
		_, err := st.LogActivity(ctx, tx, crm.ActivityInput{ContactID: c.ID, Kind: "call", Reason: "follow-up of the quote request", Actor: system})
		return err
	})
	d, err := st.Detail(ctx, "mario@example.it")
	if err != nil || len(d.Activities) != 1 || d.Activities[0].Reason != "follow-up of the quote request" {
		t.Fatalf("detail: %+v, %v", d.Activities, err)
	}
}
