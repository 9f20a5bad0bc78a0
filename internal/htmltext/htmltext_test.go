package htmltext

import "testing"

func TestText(t *testing.T) {
	cases := map[string]string{
		`<html><head><title>t</title><style>p{}</style></head><body><p>Buongiorno,</p><p>mandate il listino.</p></body></html>`: "Buongiorno,\nmandate il listino.",
		`<div><div><div>nested</div></div></div>after`:               "nested\nafter",
		`riga uno<br><br>riga due`:                                   "riga uno\n\nriga due",
		`<table><tr><td>Prezzo</td><td>100&nbsp;€</td></tr></table>`: "Prezzo 100 €",
		`<script>alert(1)</script>testo   con    spazi`:              "testo con spazi",
	}
	for in, want := range cases {
		if got := Text(in); got != want {
			t.Errorf("Text(%q) = %q, want %q", in, got, want)
		}
	}
}
