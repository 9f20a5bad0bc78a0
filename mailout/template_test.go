package mailout

import (
	"strings"
	"testing"
)

func TestTemplateRendersContactFields(t *testing.T) {
	tpl, err := ParseTemplate(
		"Gentile {{.FirstName}}{{if .Company}} ({{.Company}}){{end}},\nannulla: {{.UnsubscribeURL}}\n",
		`<p>Gentile {{.FirstName}}</p><a href="{{.UnsubscribeURL}}">annulla</a>`)
	if err != nil {
		t.Fatal(err)
	}
	d := SampleTemplateData()
	d.FirstName = "<Anna>"
	d.Company = ""
	text, html, err := tpl.Render(d)
	if err != nil {
		t.Fatal(err)
	}
	if text != "Gentile <Anna>,\nannulla: https://crm.example.it/u/sample\n" {
		t.Errorf("text = %q", text)
	}
	if !strings.Contains(html, "Gentile &lt;Anna&gt;") || !strings.Contains(html, `href="https://crm.example.it/u/sample"`) {
		t.Errorf("html = %q", html)
	}
}

func TestTemplateRefusesUnknownFieldNamingFieldAndLine(t *testing.T) {
	cases := []struct {
		name, text, html, want string
	}{
		{"text typo", "Ciao\n{{.Nmae}}\n", "", `template text:2:2: unknown field "Nmae"`},
		{"in untaken branch", "Ciao\n\n{{if eq .Language \"xx\"}}{{.Nmae}}{{end}}", "", `text:3:`},
		{"in else", "{{if .Name}}x{{else}}{{.Compnay}}{{end}}", "", `unknown field "Compnay"`},
		{"dollar inside range", "{{range .Name}}{{$.Nmae}}{{end}}", "", `unknown field "Nmae"`},
		{"html typo", "ok", "<p>\n{{.FirstNmae}}</p>", `template html:2:2: unknown field "FirstNmae"`},
		{"in defined template", `{{define "x"}}{{.Nope}}{{end}}{{template "x" .}}`, "", `unknown field "Nope"`},
	}
	for _, tc := range cases {
		_, err := ParseTemplate(tc.text, tc.html)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.name, err, tc.want)
		}
	}
}

func TestTemplateRefusesSyntaxErrorsAndEmptyText(t *testing.T) {
	for _, tc := range []struct{ text, html string }{
		{"{{.Name", ""},
		{"ok", "{{if .Name}}"},
		{"  \n", ""},
		{"{{.Name.First}}", ""}, // a field of a string: fails on the sample
	} {
		if _, err := ParseTemplate(tc.text, tc.html); err == nil {
			t.Errorf("ParseTemplate(%q, %q) succeeded", tc.text, tc.html)
		}
	}
}

func TestTemplateAllowsDotInsideWithAndRange(t *testing.T) {
	if _, err := ParseTemplate("{{with .Company}}Azienda: {{.}}{{else}}{{.Name}}{{end}}", ""); err != nil {
		t.Fatal(err)
	}
}
