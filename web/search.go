package web

import (
	"html/template"
	"net/http"
	"strconv"
	"strings"

	"github.com/basis-crm/basis/crm"
)

const searchPage = 50

type searchData struct {
	Q          string
	Results    []template.HTML // searchRows
	Page, Next int
	Prev       int
	// Messages are inbound messages matching Q (full-text search), paged
	// on their own with MPage.
	Messages            []crm.InboundMessage
	MPage, MNext, MPrev int
}

// searchRows renders the contacts found as table rows in Go, each value
// escaped, for the reason given at queueHTML.
func searchRows(found []crm.ContactHit, lang string) []template.HTML {
	rows := make([]template.HTML, len(found))
	var b strings.Builder
	esc := template.HTMLEscapeString
	for i, c := range found {
		label := c.Name
		if label == "" {
			label = c.Email
		}
		b.Reset()
		b.WriteString(`<tr><td><a href="/contacts/` + strconv.FormatInt(c.ID, 10) + `">` + esc(label) + "</a></td><td>" + esc(c.Email) +
			"</td><td>" + esc(c.Company) + "</td><td>" + esc(translate(lang, c.Status)) + "</td><td>" + esc(formatWhen(c.CreatedAt)) + "</td></tr>\n")
		rows[i] = template.HTML(b.String())
	}
	return rows
}

func pageParam(r *http.Request, name string) int {
	page, _ := strconv.Atoi(r.URL.Query().Get(name))
	return min(max(page, 0), 1000)
}

// search finds contacts by name, address or company, and inbound messages
// by full text, a page at a time.
func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	page, mpage := pageParam(r, "page"), pageParam(r, "mpage")
	found, more, err := s.store.SearchContacts(r.Context(), q, searchPage, page*searchPage)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	msgs, mmore, err := s.store.SearchInbound(r.Context(), q, searchPage, mpage*searchPage)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := searchData{Q: q, Results: searchRows(found, s.langFor(r)), Page: page, Prev: page - 1, Messages: msgs, MPage: mpage, MPrev: mpage - 1}
	if more {
		d.Next = page + 1
	}
	if mmore {
		d.MNext = mpage + 1
	}
	s.render(w, r, http.StatusOK, "search", "Search", d)
}
