package dossier

import (
	"bytes"
	_ "embed"
	"fmt"
	"html/template"
	"time"
)

//go:embed dossier.html.tmpl
var htmlSource string

var htmlTemplate = template.Must(template.New("dossier").Funcs(template.FuncMap{
	"when": func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04:05 UTC") },
	"whenp": func(t *time.Time) string {
		if t == nil {
			return "-"
		}
		return t.UTC().Format("2006-01-02 15:04:05 UTC")
	},
}).Parse(htmlSource))

// renderHTML writes the report; html/template escapes every value, so a
// hostile name or message cannot run script in the reader's browser.
func renderHTML(r report) ([]byte, error) {
	var b bytes.Buffer
	if err := htmlTemplate.Execute(&b, r); err != nil {
		return nil, fmt.Errorf("dossier: render HTML: %w", err)
	}
	return b.Bytes(), nil
}
