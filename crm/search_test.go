package crm_test

import (
	"slices"
	"testing"
)

func TestSearchContactsWholeWordsFirst(t *testing.T) {
	st, _ := newStore(t)
	mustCapture(t, st, "anna@rossi.it", "Anna Rossi")
	mustCapture(t, st, "anna@rossini.it", "Anna Rossini")
	for q, want := range map[string][]string{
		"anna rossi":  {"anna@rossi.it"},                    // whole words: the prefix is not needed
		"anna ross":   {"anna@rossini.it", "anna@rossi.it"}, // no whole word "ross": prefix, newest first
		"rossini":     {"anna@rossini.it"},
		"anna":        {"anna@rossini.it", "anna@rossi.it"},
		"anna rossi ": {"anna@rossi.it"},
	} {
		found, _, err := st.SearchContacts(ctx, q, 10, 0)
		var got []string
		for _, c := range found {
			got = append(got, c.Email)
		}
		if err != nil || !slices.Equal(got, want) {
			t.Errorf("search %q: %v, want %v (%v)", q, got, want, err)
		}
	}
	// Paging past the end of a prefix search stays a prefix search.
	found, more, err := st.SearchContacts(ctx, "anna ross", 1, 1)
	if err != nil || len(found) != 1 || found[0].Email != "anna@rossi.it" || more {
		t.Errorf("second page of %q: %v %v %v", "anna ross", found, more, err)
	}
}

func TestSearchContactsNamedFirst(t *testing.T) {
	st, _ := newStore(t)
	mustCapture(t, st, "m.rossi@example.it", "Mario Rossi")
	mustCapture(t, st, "mario@rossi-impianti.it", "Ufficio acquisti")
	mustCapture(t, st, "mario.rossi@gmail.com", "MARIO ROSSI")
	want := []string{"mario.rossi@gmail.com", "m.rossi@example.it", "mario@rossi-impianti.it"} // named (newest first), then the rest
	for offset := range 4 {
		found, more, err := st.SearchContacts(ctx, " Mario Rossi ", 1, offset)
		if err != nil {
			t.Fatal(err)
		}
		if offset < 3 && (len(found) != 1 || found[0].Email != want[offset] || more != (offset < 2)) {
			t.Errorf("page %d: %v more=%v, want %s", offset, found, more, want[offset])
		}
		if offset == 3 && (len(found) != 0 || more) {
			t.Errorf("page past the end: %v more=%v", found, more)
		}
	}
}
