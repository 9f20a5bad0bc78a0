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
