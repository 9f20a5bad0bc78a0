package crm_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/basis-crm/basis/crm"
)

func TestMergeMovesEverythingAndAudits(t *testing.T) {
	st, db := newStore(t)
	keep := mustCapture(t, st, "mario@rossi.it", "Mario Rossi")
	drop := mustCapture(t, st, "m.rossi@gmail.com", "")
	if err := st.Merge(ctx, keep.ID, drop.ID, "", system); !errors.Is(err, crm.ErrInvalidInput) {
		t.Fatalf("merge without reason: %v", err)
	}
	if err := st.Merge(ctx, keep.ID, drop.ID, "same person", system); err != nil {
		t.Fatal(err)
	}
	d, err := st.Detail(ctx, keep.Email)
	if err != nil || len(d.Evidence) != 2 || len(d.Bases) != 2 {
		t.Fatalf("merged detail: %d evidence, %d bases, %v", len(d.Evidence), len(d.Bases), err)
	}
	got, _ := st.GetContact(ctx, db, drop.ID)
	if got.Status != "rejected" {
		t.Fatalf("dropped contact status %s", got.Status)
	}
	evs, err := st.ListAudit(ctx, crm.AuditFilter{ContactID: keep.ID, Action: "contact.merged"})
	if err != nil || len(evs) != 1 {
		t.Fatalf("merge audit event: %v %v", evs, err)
	}
	if res, _ := st.VerifyAudit(ctx); !res.OK {
		t.Fatalf("chain broken: %+v", res)
	}
}

func TestSearchContactsEscapesWildcards(t *testing.T) {
	st, _ := newStore(t)
	mustCapture(t, st, "giulia@bianchi-srl.it", "Giulia Bianchi")
	for q, want := range map[string]int{"bianchi": 1, "GIULIA": 1, "%": 0, "_iulia": 0, "": 0,
		"ianchi": 0, "giulia bianchi": 1, "bianchi giu": 1, "giu bianchi": 0, "bianchi-srl": 1, "giulia@bianchi-srl.it": 1,
		"giulia bianchini": 0} {
		found, _, err := st.SearchContacts(ctx, q, 10, 0)
		if err != nil || len(found) != want {
			t.Errorf("search %q: %d results, want %d (%v)", q, len(found), want, err)
		}
	}
}

func TestUserAdminRoleAndDisable(t *testing.T) {
	st, _ := newStore(t)
	u, err := st.AddUser(ctx, "anna@acme-srl.it", "staff", "long enough password", system)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetUserRole(ctx, u.ID, "root", system); !errors.Is(err, crm.ErrInvalidInput) {
		t.Fatalf("unknown role accepted: %v", err)
	}
	if err := st.SetUserRole(ctx, u.ID, "auditor", system); err != nil {
		t.Fatal(err)
	}
	if err := st.DisableUser(ctx, u.ID, system); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Authenticate(ctx, "anna@acme-srl.it", "long enough password"); !errors.Is(err, crm.ErrBadPassword) {
		t.Fatalf("disabled user signed in: %v", err)
	}
	got, _ := st.GetUser(ctx, u.ID)
	if got.Role != "auditor" || got.DisabledAt == nil {
		t.Fatalf("user after admin: %+v", got)
	}
	if err := st.SetUserRole(ctx, 999999, "staff", system); !errors.Is(err, crm.ErrNotFound) {
		t.Fatalf("unknown user: %v", err)
	}
}

// The last active admin can neither lose the role nor be disabled (nobody
// could manage accounts any more), and an address that has an account
// already gets a clear refusal, not a database error.
func TestTheLastActiveAdminStaysAndAccountsAreUnique(t *testing.T) {
	st, _ := newStore(t)
	admin, err := st.AddUser(ctx, "admin@acme-srl.it", "admin", "long enough password", system)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetUserRole(ctx, admin.ID, "staff", system); !errors.Is(err, crm.ErrInvalidInput) || !strings.Contains(err.Error(), "only active admin") {
		t.Fatalf("last admin demoted: %v", err)
	}
	if err := st.DisableUser(ctx, admin.ID, system); !errors.Is(err, crm.ErrInvalidInput) {
		t.Fatalf("last admin disabled: %v", err)
	}
	if got, _ := st.GetUser(ctx, admin.ID); got.Role != "admin" || got.DisabledAt != nil {
		t.Fatalf("last admin after the refusals: %+v", got)
	}
	_, err = st.AddUser(ctx, "Admin@acme-srl.it", "staff", "another long password", system)
	if !errors.Is(err, crm.ErrInvalidInput) || !strings.Contains(err.Error(), "exists already") {
		t.Fatalf("second account for one address: %v", err)
	}
	second, err := st.AddUser(ctx, "giulia@acme-srl.it", "admin", "long enough password", system)
	if err != nil {
		t.Fatal(err)
	}
	if err := st.SetUserRole(ctx, admin.ID, "staff", system); err != nil {
		t.Fatalf("demoting one of two admins: %v", err)
	}
	if err := st.DisableUser(ctx, second.ID, system); !errors.Is(err, crm.ErrInvalidInput) {
		t.Fatalf("the remaining admin disabled: %v", err)
	}
}
