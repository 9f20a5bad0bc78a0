package web

import "testing"

func TestTranslateLiterals(t *testing.T) {
	for src, want := range map[string]string{
		`<h1>{{.T "Review queue"}}</h1>`:        `<h1>Contatti da esaminare</h1>`,
		`{{- $.T "Review queue" -}}`:            `{{- "Contatti da esaminare" -}}`,
		`{{.T "Send a test to %s" $d.TestTo}}`:  `{{.T "Send a test to %s" $d.TestTo}}`,
		`{{.T .Title}}`:                         `{{.T .Title}}`,
		`{{.T "not \"translated\" <b>\u00e8"}}`: `not &#34;translated&#34; &lt;b&gt;è`,
	} {
		if got := translateLiterals("it", src); got != want {
			t.Errorf("translateLiterals(%q) = %q, want %q", src, got, want)
		}
	}
}
