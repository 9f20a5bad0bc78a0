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
		{"text typo", "Ciao\n{{.Nmae}}\n", "", "mailout: template text:2:2 names {{.Nmae}}, which contacts do not have; known fields: Name, FirstName, LastName, Email"},
		{"in untaken branch", "Ciao\n\n{{if eq .Language \"xx\"}}{{.Nmae}}{{end}}", "", `text:3:`},
		{"in else", "{{if .Name}}x{{else}}{{.Compnay}}{{end}}", "", "names {{.Compnay}}, which contacts do not have"},
		{"dollar inside range", "{{range .Name}}{{$.Nmae}}{{end}}", "", "names {{.Nmae}}"},
		{"html typo", "ok", "<p>\n{{.FirstNmae}}</p>", "template html:2:2 names {{.FirstNmae}}"},
		{"in defined template", `{{define "x"}}{{.Nope}}{{end}}{{template "x" .}}`, "", "names {{.Nope}}"},
	}
	for _, tc := range cases {
		_, err := ParseTemplate(tc.text, tc.html)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "known fields: ") {
			t.Errorf("%s: got %v, want %q and the known fields", tc.name, err, tc.want)
		}
	}
}

func TestTemplateRefusesSyntaxErrorsAndEmptyText(t *testing.T) {
	const fix = "(fix the {{ }} there: a field is written {{.FirstName}}, and every {{if}}, {{range}} and {{with}} needs its {{end}})"
	for _, tc := range []struct{ text, html, want string }{
		{"{{.Name", "", "mailout: template: text:1: unclosed action " + fix},
		{"ok", "{{if .Name}}", "html:1: unexpected EOF " + fix},
		{"  \n", "", "mailout: template text: empty (write the message; only the HTML body is optional)"},
		{"{{.Name.First}}", "", "can't evaluate field First in type string (the template fails for a sample contact"},
	} {
		_, err := ParseTemplate(tc.text, tc.html)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("ParseTemplate(%q, %q): got %v, want %q", tc.text, tc.html, err, tc.want)
		}
	}
}

func TestTemplateAllowsDotInsideWithAndRange(t *testing.T) {
	if _, err := ParseTemplate("{{with .Company}}Azienda: {{.}}{{else}}{{.Name}}{{end}}", ""); err != nil {
		t.Fatal(err)
	}
}
