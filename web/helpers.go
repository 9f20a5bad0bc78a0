package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"

	"github.com/basis-crm/basis/crm"
)

// pathID parses the {id} path value.
func pathID(r *http.Request) (int64, bool) {
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	return id, err == nil && id > 0
}

// loadContact returns the contact named by {id}, or writes 404.
func (s *Server) loadContact(w http.ResponseWriter, r *http.Request) (crm.Contact, bool) {
	id, ok := pathID(r)
	if !ok {
		s.renderStatus(w, r, http.StatusNotFound, "No such contact.")
		return crm.Contact{}, false
	}
	c, err := s.store.GetContact(r.Context(), s.store.DB(), id)
	if errors.Is(err, crm.ErrNotFound) {
		s.renderStatus(w, r, http.StatusNotFound, "No such contact.")
		return crm.Contact{}, false
	}
	if err != nil {
		s.fail(w, r, err)
		return crm.Contact{}, false
	}
	return c, true
}

// userError shows errors a person can fix (bad input, not found, erased,
// suppressed) with their message, and anything else as a server error.
func (s *Server) userError(w http.ResponseWriter, r *http.Request, err error) {
	switch {
	case errors.Is(err, crm.ErrNotFound):
		s.renderStatus(w, r, http.StatusNotFound, "%s", err.Error())
	case errors.Is(err, crm.ErrInvalidInput), errors.Is(err, crm.ErrErased), errors.Is(err, crm.ErrSuppressed),
		errors.Is(err, crm.ErrInvalidAddress), errors.Is(err, crm.ErrRequestOpen), errors.Is(err, crm.ErrRequestRate):
		s.renderStatus(w, r, http.StatusBadRequest, "%s", err.Error())
	default:
		s.fail(w, r, err)
	}
}

// back redirects to path with a short confirmation shown on the next page.
func back(w http.ResponseWriter, r *http.Request, path, done string) {
	http.Redirect(w, r, path+"?done="+url.QueryEscape(done), http.StatusSeeOther)
}

func contactPath(id int64) string { return "/contacts/" + strconv.FormatInt(id, 10) }
