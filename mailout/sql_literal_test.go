package mailout_test

import (
	"strings"
	"testing"
	"time"

	"github.com/lib/pq"

	"github.com/basis-crm/basis/internal/pgtest"
	"github.com/basis-crm/basis/mailout"
)

func TestInlineParamsReplacesEachPlaceholderOnce(t *testing.T) {
	args := []any{"a$2", 2, 3, 4, 5, 6, 7, 8, -9, "ten"}
	got, err := mailout.InlineParams(`SELECT $1, $10, $2::bigint, 1 -$9`, args)
	if err != nil {
		t.Fatal(err)
	}
	// $10 is the tenth value, not the first followed by "0", the "$2"
	// inside the first value's literal stays as it is, and a negative
	// number after a minus does not start a comment.
	if want := `SELECT 'a$2', 'ten', 2::bigint, 1 -(-9)`; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

func TestInlineParamsRejectsMissingValuesAndUnknownTypes(t *testing.T) {
	for _, c := range []struct {
		q    string
		args []any
		want string
	}{
		{`SELECT $3`, []any{1, 2}, `placeholder "$3" at byte 7: 2 values given`},
		{`SELECT $0`, []any{1}, `placeholder "$0"`},
		{`SELECT $`, []any{1}, `placeholder "$"`},
		{`SELECT $1`, []any{3.5}, `placeholder $1: no SQL literal for a float64`},
	} {
		_, err := mailout.InlineParams(c.q, c.args)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s with %v: error %v, want it to say %q", c.q, c.args, err, c.want)
		}
	}
}

// Each literal means to PostgreSQL what the same value bound as a
// parameter means.
func TestInlineParamsLiteralsEqualBoundValues(t *testing.T) {
	db := pgtest.New(t)
	at := time.Date(2026, 11, 29, 18, 30, 1, 123456000, time.FixedZone("CET", 3600))
	for _, c := range []struct {
		cast string
		v    any
	}{
		{"text", "O'Brien \\ \"quoted\" ; DROP TABLE contacts; --"},
		{"text", ""},
		{"bigint", int64(-9007199254740993)},
		{"int", 24},
		{"boolean", true},
		{"timestamptz", at},
		{"text[]", pq.Array([]string{"consent", "soft opt-in", `a"b`, "c,d", "{e}"})},
		{"text[]", pq.Array([]string{})},
		{"text", nil},
	} {
		q, err := mailout.InlineParams(`SELECT ($1)::`+c.cast+` IS NOT DISTINCT FROM $2::`+c.cast, []any{c.v, "$2"})
		if err != nil {
			t.Fatal(err)
		}
		q = strings.Replace(q, `'$2'`, `$1`, 1) // the second operand is bound
		var same bool
		if err := db.GetContext(ctx, &same, q, c.v); err != nil {
			t.Fatalf("%v: %s: %v", c.v, q, err)
		}
		if !same {
			t.Errorf("%v as a literal (%s) differs from the bound value", c.v, q)
		}
	}
}
