package mailout

import (
	"fmt"
	htmltemplate "html/template"
	"reflect"
	"strings"
	texttemplate "text/template"
	"text/template/parse"
)

// TemplateData is what a mail template can use: {{.FirstName}},
// {{.UnsubscribeURL}} and so on. A template naming anything else is refused
// when it is created.
type TemplateData struct {
	Name             string // full name, e.g. "Mario Rossi"
	FirstName        string // "Mario"
	LastName         string // "Rossi"
	Email            string // the recipient's address
	Company          string // the contact's company, may be empty
	Language         string // "it" or "en"
	OrganizationName string // the sender, organization.name in the config
	UnsubscribeURL   string // one-click unsubscribe page for this contact and purpose
	ConfirmURL       string // double opt-in confirmation page (consent requests)
	PrivacyURL       string // the privacy notice page
}

// SampleTemplateData is filled in every field, so that Validate runs the
// branches a real contact would take.
func SampleTemplateData() TemplateData {
	return TemplateData{
		Name: "Mario Rossi", FirstName: "Mario", LastName: "Rossi",
		Email: "mario.rossi@example.it", Company: "Rossi Impianti S.r.l.", Language: "it",
		OrganizationName: "Acme S.r.l.",
		UnsubscribeURL:   "https://crm.example.it/u/sample",
		ConfirmURL:       "https://crm.example.it/it/confirm/sample",
		PrivacyURL:       "https://crm.example.it/it/privacy",
	}
}

// Template is a parsed and validated pair of text and optional HTML bodies.
type Template struct {
	text *texttemplate.Template
	html *htmltemplate.Template // nil without an HTML body
}

// ParseTemplate parses the text body (text/template) and the optional HTML
// body (html/template, escaped by context) and validates both, so a typo such
// as {{.Nmae}} is an error now, naming the field and the line, and not a
// blank in every message.
func ParseTemplate(text, html string) (*Template, error) {
	t, err := parseTemplate("text", text, html)
	if err != nil {
		return nil, fmt.Errorf("mailout: %w", err)
	}
	return t, nil
}

// templateSyntaxHelp is the fix offered for a template that does not parse.
const templateSyntaxHelp = "fix the {{ }} there: a field is written {{.FirstName}}, and every {{if}}, {{range}} and {{with}} needs its {{end}}"

// parseTemplate is ParseTemplate with the text template named name
// ("text", "subject"), as errors show it.
func parseTemplate(name, text, html string) (*Template, error) {
	if strings.TrimSpace(text) == "" {
		return nil, fmt.Errorf("template %s: empty (write the message; only the HTML body is optional)", name)
	}
	t := &Template{}
	var err error
	t.text, err = texttemplate.New(name).Option("missingkey=error").Parse(text)
	if err != nil {
		return nil, fmt.Errorf("%w (%s)", err, templateSyntaxHelp)
	}
	if html != "" {
		t.html, err = htmltemplate.New("html").Option("missingkey=error").Parse(html)
		if err != nil {
			return nil, fmt.Errorf("%w (%s)", err, templateSyntaxHelp)
		}
	}
	if err := t.validate(); err != nil {
		return nil, err
	}
	return t, nil
}

// Validate checks that every field the templates name exists in
// TemplateData, in every branch, and that both render SampleTemplateData.
func (t *Template) Validate() error {
	if err := t.validate(); err != nil {
		return fmt.Errorf("mailout: %w", err)
	}
	return nil
}

func (t *Template) validate() error {
	for _, tt := range t.text.Templates() {
		if err := checkFields(tt.Tree); err != nil {
			return err
		}
	}
	if t.html != nil {
		for _, ht := range t.html.Templates() {
			if err := checkFields(ht.Tree); err != nil {
				return err
			}
		}
	}
	if _, _, err := t.render(SampleTemplateData()); err != nil {
		return fmt.Errorf("%w (the template fails for a sample contact: use the fields as they are, e.g. {{.FirstName}}, not a field of a field)", err)
	}
	return nil
}

// Render executes the templates with d; html is "" without an HTML body.
func (t *Template) Render(d TemplateData) (text, html string, err error) {
	if text, html, err = t.render(d); err != nil {
		return "", "", fmt.Errorf("mailout: %w", err)
	}
	return text, html, nil
}

func (t *Template) render(d TemplateData) (text, html string, err error) {
	var b strings.Builder
	if err := t.text.Execute(&b, d); err != nil {
		return "", "", err
	}
	text = b.String()
	if t.html == nil {
		return text, "", nil
	}
	b.Reset()
	if err := t.html.Execute(&b, d); err != nil {
		return "", "", err
	}
	return text, b.String(), nil
}

var templateFields = func() map[string]bool {
	m := map[string]bool{}
	for _, f := range fieldNames() {
		m[f] = true
	}
	return m
}()

// fieldNames lists TemplateData's fields in order.
func fieldNames() []string {
	var names []string
	for _, f := range reflect.VisibleFields(reflect.TypeFor[TemplateData]()) {
		names = append(names, f.Name)
	}
	return names
}

// checkFields walks tree and refuses the first field of the data that
// TemplateData lacks. Inside {{range}} and {{with}} the dot is something
// else, so only $.Field is checked there.
func checkFields(tree *parse.Tree) error {
	if tree == nil || tree.Root == nil {
		return nil
	}
	var walk func(n parse.Node, dotIsData bool) error
	check := func(n parse.Node, ident []string) error {
		if len(ident) == 0 || templateFields[ident[0]] {
			return nil
		}
		loc, _ := tree.ErrorContext(n)
		return fmt.Errorf("template %s names {{.%s}}, which contacts do not have; known fields: %s",
			loc, ident[0], strings.Join(fieldNames(), ", "))
	}
	walk = func(n parse.Node, dotIsData bool) error {
		switch n := n.(type) {
		case *parse.ListNode:
			if n == nil {
				return nil
			}
			for _, c := range n.Nodes {
				if err := walk(c, dotIsData); err != nil {
					return err
				}
			}
		case *parse.ActionNode:
			return walk(n.Pipe, dotIsData)
		case *parse.PipeNode:
			if n == nil {
				return nil
			}
			for _, c := range n.Cmds {
				if err := walk(c, dotIsData); err != nil {
					return err
				}
			}
		case *parse.CommandNode:
			for _, a := range n.Args {
				if err := walk(a, dotIsData); err != nil {
					return err
				}
			}
		case *parse.FieldNode:
			if dotIsData {
				return check(n, n.Ident)
			}
		case *parse.VariableNode:
			if len(n.Ident) > 1 && n.Ident[0] == "$" {
				return check(n, n.Ident[1:])
			}
		case *parse.ChainNode:
			return walk(n.Node, dotIsData)
		case *parse.IfNode:
			return walkBranch(walk, &n.BranchNode, dotIsData, dotIsData)
		case *parse.RangeNode:
			return walkBranch(walk, &n.BranchNode, dotIsData, false)
		case *parse.WithNode:
			return walkBranch(walk, &n.BranchNode, dotIsData, false)
		case *parse.TemplateNode:
			return walk(n.Pipe, dotIsData)
		}
		return nil
	}
	return walk(tree.Root, true)
}

// walkBranch checks an if/range/with: its pipeline and else in the outer
// dot, its body in bodyDot.
func walkBranch(walk func(parse.Node, bool) error, b *parse.BranchNode, dot, bodyDot bool) error {
	if err := walk(b.Pipe, dot); err != nil {
		return err
	}
	if err := walk(b.List, bodyDot); err != nil {
		return err
	}
	if b.ElseList != nil {
		return walk(b.ElseList, dot)
	}
	return nil
}
