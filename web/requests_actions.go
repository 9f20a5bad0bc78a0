package web

import (
	"net/http"
	"strconv"
	"strings"
)

// extendRequest extends a request's deadline by one or two months, with
// the reason the person must be told (Art. 12(3)).
func (s *Server) extendRequest(w http.ResponseWriter, r *http.Request) {
	req, ok := s.loadRequest(w, r)
	if !ok {
		return
	}
	months, err := strconv.Atoi(r.PostFormValue("months"))
	if err != nil || months < 1 || months > 2 {
		s.requestRefused(w, r, req, translate(s.langFor(r), "Choose 1 or 2 months."))
		return
	}
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	if _, err := s.store.ExtendRequest(r.Context(), req.ID, months, reason, actorOf(r)); err != nil {
		s.requestError(w, r, req, err)
		return
	}
	back(w, r, requestPath(req.ID), "extended")
}

// refuseRequest closes a request as refused on a ground, with its reason.
// crm refuses to refuse an objection (Art. 21(3)); the page offers no form
// for one.
func (s *Server) refuseRequest(w http.ResponseWriter, r *http.Request) {
	req, ok := s.loadRequest(w, r)
	if !ok {
		return
	}
	_, err := s.store.RefuseRequest(r.Context(), req.ID, r.PostFormValue("ground"), r.PostFormValue("reason"), actorOf(r))
	if err != nil {
		s.requestError(w, r, req, err)
		return
	}
	back(w, r, requestPath(req.ID), "refused")
}
