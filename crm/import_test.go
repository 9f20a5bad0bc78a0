package crm_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/basis-crm/basis/crm"
)

var importOpt = crm.ImportOptions{Purpose: "marketing", Kind: "soft_opt_in", Source: "customer_relationship", Reason: "customers with orders in 2025", Actor: system}

func TestImportWithBadRowImportsNothing(t *testing.T) {
	st, db := newStore(t)
	csv := "email,name,company,phone\ngood@example.it,Good,,\nnot-an-address,Bad,,\nother@example.it,Other,,\n"
	rep, err := st.Import(ctx, strings.NewReader(csv), importOpt)
	if !errors.Is(err, crm.ErrBadRows) {
		t.Fatalf("got %v, want ErrBadRows", err)
	}
	if len(rep.Bad) != 1 || rep.Bad[0].Line != 3 {
		t.Errorf("bad rows %+v, want line 3", rep.Bad)
	}
	var n int
	db.Get(&n, `SELECT count(*) FROM contacts`)
	if n != 0 {
		t.Errorf("%d contacts written despite a bad row", n)
	}
	opt := importOpt
	opt.SkipBad = true
	rep, err = st.Import(ctx, strings.NewReader(csv), opt)
	if err != nil || rep.Added != 2 {
		t.Fatalf("skip-bad: %+v, %v", rep, err)
	}
	// Re-import updates and does not duplicate bases.
	rep, err = st.Import(ctx, strings.NewReader("email,name,company,phone\ngood@example.it,Good,Good Srl,+39 02 1234\n"), importOpt)
	if err != nil || rep.Updated != 1 {
		t.Fatalf("re-import: %+v, %v", rep, err)
	}
	db.Get(&n, `SELECT count(*) FROM bases`)
	if n != 2 {
		t.Errorf("%d bases after re-import, want 2", n)
	}
}

func TestImportRefusesSuppressed(t *testing.T) {
	st, _ := newStore(t)
	if err := st.ObjectTx(ctx, crm.ObjectionInput{Email: "no@example.it", Purpose: "marketing", Actor: system}); err != nil {
		t.Fatal(err)
	}
	rep, err := st.Import(ctx, strings.NewReader("email,name\nno@example.it,No\n"), importOpt)
	if err != nil || len(rep.Refused) != 1 || rep.Added != 0 {
		t.Fatalf("got %+v, %v; want the objector refused", rep, err)
	}
}

func TestImportRequiresKnownPurposeAndReason(t *testing.T) {
	st, _ := newStore(t)
	for _, opt := range []crm.ImportOptions{
		{Purpose: "newsletter", Kind: "consent", Source: "import", Reason: "x"},
		{Purpose: "marketing", Kind: "opt_in", Source: "import", Reason: "x"},
		{Purpose: "marketing", Kind: "consent", Source: "import"},
	} {
		if _, err := st.Import(ctx, strings.NewReader("email\na@example.it\n"), opt); !errors.Is(err, crm.ErrInvalidInput) {
			t.Errorf("%+v: got %v, want ErrInvalidInput", opt, err)
		}
	}
}
