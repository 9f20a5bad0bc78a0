package web

import (
	"net/http"

	"github.com/basis-crm/basis/crm"
)

type dashboardData struct {
	crm.Overview
	Leads []reviewRow
}

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) {
	o, err := s.store.Overview(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	items, err := s.store.ReviewQueue(r.Context(), 5, 0)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "dashboard", "Dashboard", dashboardData{Overview: o, Leads: reviewRows(items)})
}
