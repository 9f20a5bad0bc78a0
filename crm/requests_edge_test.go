package crm_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/basis-crm/basis/crm"
)

// TestRequestFromAnAddressThatLaterBecomesAContact checks that a request
// recorded while Basis held nobody under its address is answered for the
// contact who has that address when it is fulfilled: an access request
// exports their data, an erasure request erases them.
func TestRequestFromAnAddressThatLaterBecomesAContact(t *testing.T) {
	st, _ := newStore(t)
	add := func(kind string) crm.Request {
		t.Helper()
		r, err := st.AddRequest(ctx, crm.RequestInput{Email: "Luca.Verdi@Example.it", Kind: kind, Channel: "letter", Actor: system})
		if err != nil {
			t.Fatal(err)
		}
		if r.ContactID != nil {
			t.Fatalf("request linked to contact %d before there is one", *r.ContactID)
		}
		return r
	}
	access, erasure := add("access"), add("erasure")
	luca := mustCapture(t, st, "luca.verdi@example.it", "Luca Verdi")

	var zip bytes.Buffer
	r, err := st.FulfilRequest(ctx, access.ID, crm.FulfilInput{Export: &zip, Actor: system})
	if err != nil {
		t.Fatal(err)
	}
	if r.ContactID == nil || *r.ContactID != luca.ID || strings.Contains(r.Outcome, "no personal data") || zip.Len() == 0 {
		t.Fatalf("access request answered as %+v with %d bytes of export; want Luca's data", r, zip.Len())
	}
	if r, err = st.FulfilRequest(ctx, erasure.ID, crm.FulfilInput{Reason: "Art. 17 request by letter", Actor: system}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(r.Outcome, "contact erased") {
		t.Errorf("erasure outcome %q, want the contact erased", r.Outcome)
	}
	if _, err := st.FindContact(ctx, st.DB(), "luca.verdi@example.it"); !errors.Is(err, crm.ErrNotFound) {
		t.Errorf("Luca is still there after the erasure request: %v", err)
	}
	mustVerify(t, st)
}

// TestConcurrentFulfilmentExportsOnce checks that two people fulfilling the
// same access request at the same moment produce one export: the second
// waits for the first, finds the request closed, and writes nothing.
func TestConcurrentFulfilmentExportsOnce(t *testing.T) {
	st, _ := newStore(t)
	mustCapture(t, st, "mario.rossi@example.it", "Mario Rossi")
	r, err := st.AddRequest(ctx, crm.RequestInput{Email: "mario.rossi@example.it", Kind: "access", Channel: "email", Actor: system})
	if err != nil {
		t.Fatal(err)
	}
	var zips [2]bytes.Buffer
	errs := make(chan error, 2)
	for i := range zips {
		go func() {
			_, err := st.FulfilRequest(ctx, r.ID, crm.FulfilInput{Export: &zips[i], Actor: system})
			errs <- err
		}()
	}
	var failed int
	for range zips {
		if err := <-errs; err != nil {
			if !errors.Is(err, crm.ErrInvalidInput) {
				t.Fatalf("second fulfilment: %v, want ErrInvalidInput", err)
			}
			failed++
		}
	}
	if failed != 1 || (zips[0].Len() == 0) == (zips[1].Len() == 0) {
		t.Errorf("%d fulfilments failed, exports of %d and %d bytes; want one export", failed, zips[0].Len(), zips[1].Len())
	}
	mustVerify(t, st)
}
