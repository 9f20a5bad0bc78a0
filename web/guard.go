package web

import (
	"context"
	"net/http"
	"slices"

	"github.com/basis-crm/basis/crm"
)

type userKey struct{}

// guard enforces a route's roles: no session sends a page request to the
// login form (401 for anything else), a role not in the list gets 403.
func (s *Server) guard(rt Route) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if rt.Roles == nil {
			rt.handler(w, r)
			return
		}
		u, ok, err := s.sessionUser(r)
		if err != nil {
			s.fail(w, r, err)
			return
		}
		if !ok {
			if r.Method == http.MethodGet {
				http.Redirect(w, r, "/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return
			}
			http.Error(w, "sign in first", http.StatusUnauthorized)
			return
		}
		if !slices.Contains(rt.Roles, u.Role) {
			s.renderStatus(w, r.WithContext(context.WithValue(r.Context(), userKey{}, u)), http.StatusForbidden,
				"Your role may not do this.")
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		rt.handler(w, r.WithContext(context.WithValue(r.Context(), userKey{}, u)))
	})
}

// currentUser returns the signed-in user (zero on public pages).
func currentUser(r *http.Request) (crm.User, bool) {
	u, ok := r.Context().Value(userKey{}).(crm.User)
	return u, ok
}

func actorOf(r *http.Request) crm.Actor {
	u, _ := currentUser(r)
	return crm.Actor("user:" + u.Email)
}

// canWrite reports whether the signed-in user may change data (for showing
// or hiding action forms; the route table is what enforces it).
func canWrite(r *http.Request) bool {
	u, _ := currentUser(r)
	return slices.Contains(writers, u.Role)
}
