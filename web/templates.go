package web

import (
	"fmt"
	"html/template"
	"io/fs"
	"path"
	"regexp"
	"strconv"
	"strings"
)

// parseTemplates builds, for each language, one template set per page: the
// page file with the staff layout, or with the public layout for files
// named public_*. They are keyed by language, then by page name.
func parseTemplates() (map[string]map[string]*template.Template, error) {
	entries, err := fs.ReadDir(templateFS, "templates")
	if err != nil {
		return nil, fmt.Errorf("web: templates: %w", err)
	}
	all := map[string]map[string]*template.Template{}
	for _, lang := range languages {
		pages := map[string]*template.Template{}
		for _, e := range entries {
			name := e.Name()
			if strings.HasPrefix(name, "layout") {
				continue
			}
			layout := "templates/layout.html"
			if strings.HasPrefix(name, "public_") {
				layout = "templates/layout_public.html"
			}
			t, err := parsePage(lang, layout, "templates/"+name)
			if err != nil {
				return nil, fmt.Errorf("web: template %s: %w", name, err)
			}
			pages[strings.TrimSuffix(name, ".html")] = t
		}
		all[lang] = pages
	}
	return all, nil
}

// parsePage parses a layout and a page file, with their fixed UI strings
// already in lang.
func parsePage(lang, layout, page string) (*template.Template, error) {
	read := func(file string) (string, error) {
		src, err := fs.ReadFile(templateFS, file)
		return translateLiterals(lang, string(src)), err
	}
	src, err := read(layout)
	if err != nil {
		return nil, err
	}
	t, err := template.New(path.Base(layout)).Funcs(funcs).Parse(src)
	if err != nil {
		return nil, err
	}
	if src, err = read(page); err != nil {
		return nil, err
	}
	if _, err := t.New(path.Base(page)).Parse(src); err != nil {
		return nil, err
	}
	return t, nil
}

// literalT matches an action that only translates a quoted string,
// {{.T "Save"}} or {{$.T "Save"}}.
var literalT = regexp.MustCompile(`\{\{(-? *)\$?\.T +("(?:[^"\\]|\\.)*")( *-?)\}\}`)

// translateLiterals replaces each {{.T "text"}} of src by the text in lang,
// HTML-escaped, as template text: the fixed strings are ours and stand only
// in element text and quoted attributes (aria-label, placeholder, title),
// where HTML escaping is the escaping html/template would apply. A page
// then spends no call on them (escaper and method calls by reflection were
// most of the rendering time). With a trim marker ({{- .T "x" -}}) the
// string stays an action, a constant; {{.T}} with arguments or a
// non-constant key stays a method call.
func translateLiterals(lang, src string) string {
	return literalT.ReplaceAllStringFunc(src, func(action string) string {
		m := literalT.FindStringSubmatch(action)
		key, err := strconv.Unquote(m[2])
		if err != nil {
			return action
		}
		text := translate(lang, key)
		if strings.Contains(m[1], "-") || strings.Contains(m[3], "-") {
			return "{{" + m[1] + strconv.Quote(text) + m[3] + "}}"
		}
		return strings.ReplaceAll(template.HTMLEscapeString(text), "{{", "&#123;&#123;")
	})
}
