package web

import (
	"net/http"
	"strings"

	"github.com/basis-crm/basis/crm"
)

type usersData struct {
	Users []crm.User
	Roles []string
}

func (s *Server) users(w http.ResponseWriter, r *http.Request) {
	us, err := s.store.ListUsers(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "users", "Users", usersData{Users: us, Roles: crm.Roles})
}

func (s *Server) addUser(w http.ResponseWriter, r *http.Request) {
	_, err := s.store.AddUser(r.Context(), strings.TrimSpace(r.PostFormValue("email")), r.PostFormValue("role"),
		r.PostFormValue("password"), actorOf(r))
	if err != nil {
		s.userError(w, r, err)
		return
	}
	back(w, r, "/users", "added")
}

func (s *Server) setRole(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.renderStatus(w, r, http.StatusNotFound, "No such user.")
		return
	}
	err := s.store.SetUserRole(r.Context(), id, r.PostFormValue("role"), actorOf(r))
	s.sessions.dropUser(id)
	if err != nil {
		s.userError(w, r, err)
		return
	}
	back(w, r, "/users", "role")
}

func (s *Server) disableUser(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.renderStatus(w, r, http.StatusNotFound, "No such user.")
		return
	}
	if u, _ := currentUser(r); u.ID == id {
		s.renderStatus(w, r, http.StatusBadRequest, "You cannot disable your own account.")
		return
	}
	err := s.store.DisableUser(r.Context(), id, actorOf(r))
	s.sessions.dropUser(id)
	if err != nil {
		s.userError(w, r, err)
		return
	}
	back(w, r, "/users", "disabled")
}
