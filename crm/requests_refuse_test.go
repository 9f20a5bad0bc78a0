package crm_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/basis-crm/basis/crm"
)

func TestRefuseRequests(t *testing.T) {
	st, _ := newStore(t)
	mustCapture(t, st, "mario.rossi@example.it", "Mario Rossi")
	add := func(kind string) crm.Request {
		t.Helper()
		r, err := st.AddRequest(ctx, crm.RequestInput{Email: "mario.rossi@example.it", Kind: kind, Channel: "email", Actor: system})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	access := add("access")
	for _, bad := range []struct{ ground, reason, want string }{
		{"unfounded", "sent every day", "is not one of"},
		{"excessive", "  ", "a reason is required"},
	} {
		if _, err := st.RefuseRequest(ctx, access.ID, bad.ground, bad.reason, system); !errors.Is(err, crm.ErrInvalidInput) || !strings.Contains(err.Error(), bad.want) {
			t.Errorf("refuse(%q, %q): %v, want %q", bad.ground, bad.reason, err, bad.want)
		}
	}
	r, err := st.RefuseRequest(ctx, access.ID, "excessive", "fifth identical access request this month, all answered", system)
	if err != nil {
		t.Fatal(err)
	}
	if r.Status != "refused" || r.CompletedAt == nil || !strings.Contains(r.Outcome, "refused (excessive): fifth identical") ||
		!strings.Contains(r.Outcome, "supervisory authority") {
		t.Errorf("refused request: %+v", r)
	}
	if _, err := st.RefuseRequest(ctx, access.ID, "excessive", "again", system); !errors.Is(err, crm.ErrInvalidInput) {
		t.Errorf("refusing a closed request: %v", err)
	}
	if _, err := st.FulfilRequest(ctx, access.ID, crm.FulfilInput{Actor: system}); !errors.Is(err, crm.ErrInvalidInput) {
		t.Errorf("fulfilling a refused request: %v", err)
	}
	ob := add("objection")
	if _, err := st.RefuseRequest(ctx, ob.ID, "manifestly_unfounded", "we like mailing", system); !errors.Is(err, crm.ErrInvalidInput) ||
		!strings.Contains(err.Error(), "Art. 21(3)") {
		t.Errorf("refusing an objection: %v, want Art. 21(3)", err)
	}
	if got, _ := st.GetRequest(ctx, st.DB(), ob.ID); got.Status != "open" {
		t.Errorf("objection after a refused refusal: %s", got.Status)
	}
	var events int
	if err := st.DB().Get(&events, `SELECT count(*) FROM audit_events WHERE action = 'request.refused'`); err != nil {
		t.Fatal(err)
	}
	if events != 1 {
		t.Errorf("%d request.refused audit events, want 1", events)
	}
	mustVerify(t, st)
}
