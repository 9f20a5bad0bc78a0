package web

import (
	"context"
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

// loadByID returns what get reads for the {id} path value, or writes 404
// with notFound when there is no such id, or a server error.
func loadByID[T any](s *Server, w http.ResponseWriter, r *http.Request, notFound string,
	get func(ctx context.Context, id int64) (T, error)) (T, bool) {
	var zero T
	id, ok := pathID(r)
	if !ok {
		s.renderStatus(w, r, http.StatusNotFound, notFound)
		return zero, false
	}
	v, err := get(r.Context(), id)
	if errors.Is(err, crm.ErrNotFound) {
		s.renderStatus(w, r, http.StatusNotFound, notFound)
		return zero, false
	}
	if err != nil {
		s.fail(w, r, err)
		return zero, false
	}
	return v, true
}

// loadContact returns the contact named by {id}, or writes 404.
func (s *Server) loadContact(w http.ResponseWriter, r *http.Request) (crm.Contact, bool) {
	return loadByID(s, w, r, "No such contact.", func(ctx context.Context, id int64) (crm.Contact, error) {
		return s.store.GetContact(ctx, s.store.DB(), id)
	})
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
