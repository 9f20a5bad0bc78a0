package web

import (
	"net/http"
	"strconv"

	"github.com/basis-crm/basis/crm"
)

const searchPage = 50

type searchData struct {
	Q          string
	Results    []searchRow
	Page, Next int
	Prev       int
	// Messages are inbound messages matching Q (full-text search), paged
	// on their own with MPage.
	Messages            []crm.InboundMessage
	MPage, MNext, MPrev int
}

// searchRow is one contact found, flat and ready to print (see reviewRow).
type searchRow struct {
	ID                                 int64
	Name, Email, Company, Status, When string
}

func searchRows(found []crm.Contact, lang string) []searchRow {
	rows := make([]searchRow, len(found))
	for i, c := range found {
		rows[i] = searchRow{ID: c.ID, Name: c.Name, Email: c.Email, Company: c.Company, Status: translate(lang, c.Status),
			When: formatWhen(c.CreatedAt)}
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
