package crm_test

import (
	"archive/zip"
	"bytes"
	"context"
	"io"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/basis-crm/basis/crm"
	"github.com/basis-crm/basis/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

var (
	ctx     = context.Background()
	testKey = []byte("test-secret-key-0123456789abcdef0123")
	system  = crm.Actor("system:test")
	policy  = crm.Policy{
		Purposes: map[string][]string{
			"inquiry_followup": {"legitimate_interest", "consent", "contract"},
			"marketing":        {"consent", "soft_opt_in"},
		},
		LegitimateInterestMonths: 24,
	}
)

func newStore(t *testing.T) (*crm.Store, *sqlx.DB) {
	t.Helper()
	db := pgtest.New(t)
	return crm.NewStore(db, testKey, policy, nil), db
}

func inTx(t *testing.T, st *crm.Store, fn func(tx *sqlx.Tx) error) {
	t.Helper()
	if err := st.InTx(ctx, fn); err != nil {
		t.Fatal(err)
	}
}

// mustCapture records a prospect with a legitimate-interest basis for
// inquiry follow-up backed by a raw email, as mailin does.
func mustCapture(t *testing.T, st *crm.Store, email, name string) crm.Contact {
	t.Helper()
	var c crm.Contact
	inTx(t, st, func(tx *sqlx.Tx) error {
		var err error
		c, _, err = st.Capture(ctx, tx, crm.CaptureInput{Email: email, Name: name, Source: "inbound_email", Actor: system, Reason: "inquiry"})
		if err != nil {
			return err
		}
		raw := []byte("From: " + name + " <" + email + ">\r\nSubject: Richiesta preventivo\r\n\r\nBuongiorno, vorrei un preventivo. " + name + "\r\n")
		ev, err := st.AddEvidence(ctx, tx, crm.EvidenceInput{ContactID: c.ID, Kind: "inbound_email", ContentType: "message/rfc822",
			Content: raw, Metadata: map[string]any{"from": email}, Actor: system})
		if err != nil {
			return err
		}
		_, err = st.Grant(ctx, tx, crm.GrantInput{ContactID: c.ID, Purpose: "inquiry_followup", Kind: "legitimate_interest",
			Source: "inbound_email", EvidenceID: ev.ID, Reason: "inquiry received", Actor: system})
		return err
	})
	return c
}

func mustVerify(t *testing.T, st *crm.Store) crm.VerifyResult {
	t.Helper()
	res, err := st.VerifyAudit(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if !res.OK {
		t.Fatalf("audit chain broken: %+v", res)
	}
	return res
}

// unzip returns the files of a ZIP by name.
func unzip(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	files := map[string][]byte{}
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		files[f.Name], _ = io.ReadAll(rc)
		rc.Close()
	}
	return files
}

// giveHistory gives Mario Rossi's contact c the personal data an erasure
// must remove: a call naming him with a note holding his address, and a
// double opt-in consent with his IP address and user agent.
func giveHistory(t *testing.T, st *crm.Store, c crm.Contact) {
	t.Helper()
	inTx(t, st, func(tx *sqlx.Tx) error {
		if _, err := st.LogActivity(ctx, tx, crm.ActivityInput{ContactID: c.ID, Kind: "call", Reason: "called Mario Rossi about the quote",
			Note: "mario.rossi@example.it wants a discount", Actor: system}); err != nil {
			return err
		}
		text, err := st.StoreConsentText(ctx, tx, "marketing", "it", "v1", "Acconsento a ricevere la newsletter.")
		if err != nil {
			return err
		}
		_, err = st.RecordConsent(ctx, tx, crm.ConsentInput{ContactID: c.ID, TextID: text.ID, Method: "double_opt_in",
			IP: "203.0.113.7", UserAgent: "Mozilla/5.0 Mario", Actor: "public:confirm-page"})
		return err
	})
}
