package web

import (
	"net/http"
	"strconv"

	"github.com/basis-crm/basis/crm"
)

const searchPage = 50

type searchData struct {
	Q          string
	Results    []crm.Contact
	Page, Next int
	Prev       int
}

// search finds contacts by name, address or company, a page at a time.
func (s *Server) search(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query().Get("q")
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = min(max(page, 0), 1000)
	found, more, err := s.store.SearchContacts(r.Context(), q, searchPage, page*searchPage)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := searchData{Q: q, Results: found, Page: page, Prev: page - 1}
	if more {
		d.Next = page + 1
	}
	s.render(w, r, http.StatusOK, "search", "Search", d)
}
