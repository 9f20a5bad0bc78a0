package web

import (
	"html/template"
	"strconv"
	"strings"
)

// queueHTML renders the review queue's rows in Go, each value escaped for
// where it stands (element text or a quoted attribute), as the template
// did. With 50 rows of nine values each, the template's reflective field
// and escaper calls were about half of the page's CPU time; rendered here,
// the template makes one call per row. TestContactPageEscapesHostileContent
// checks hostile names and messages on this page.
func queueHTML(rows []reviewRow, canWrite bool, selectLabel string) []template.HTML {
	out := make([]template.HTML, len(rows))
	var b strings.Builder
	esc := template.HTMLEscapeString
	for i, r := range rows {
		b.Reset()
		id := strconv.FormatInt(r.ID, 10)
		b.WriteString(`<tr class="lead" tabindex="0" data-href="/contacts/` + id + `">` + "\n  <td>")
		if canWrite {
			b.WriteString(`<input type="checkbox" name="id" value="` + id + `" aria-label="` + esc(selectLabel) + `">`)
		}
		label := r.Name
		if label == "" {
			label = r.Email
		}
		b.WriteString("</td>\n  <td><a href=\"/contacts/" + id + "\">" + esc(label) + `</a><br><span class="small">` + esc(r.Email) + "</span></td>\n")
		b.WriteString("  <td>" + esc(r.Company) + "</td>\n")
		b.WriteString("  <td><b>" + esc(r.Subject) + `</b><br><span class="preview">` + esc(r.Preview) + "</span></td>\n")
		b.WriteString("  <td>" + esc(r.When) + "</td>\n</tr>\n")
		out[i] = template.HTML(b.String())
	}
	return out
}
