package web

import (
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/basis-crm/basis/crm"
)

type loginData struct {
	Email, Next string
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "login", "Sign in", loginData{Next: safeNext(r.URL.Query().Get("next"))})
}

// login checks the password, with attempts limited per client address and
// per account, and starts a session.
func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
	email := strings.TrimSpace(r.PostFormValue("email"))
	next := safeNext(r.PostFormValue("next"))
	keys := []string{"ip:" + clientIP(r), "user:" + strings.ToLower(email)}
	now := time.Now()
	v := s.newView(r, "Sign in", loginData{Email: email, Next: next})
	if !s.limiter.allowed(now, keys...) {
		v.Error = v.T("Too many failed attempts. Wait 15 minutes and try again.")
		s.renderView(w, r, http.StatusTooManyRequests, "login", v)
		return
	}
	u, err := s.store.Authenticate(r.Context(), email, r.PostFormValue("password"))
	if errors.Is(err, crm.ErrBadPassword) {
		s.limiter.fail(now, keys...)
		s.log.Warn("sign-in refused", "ip", clientIP(r))
		v.Error = v.T("Wrong email or password.")
		s.renderView(w, r, http.StatusUnauthorized, "login", v)
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.limiter.reset(keys...)
	token, err := s.newSession(r.Context(), u, r)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.setSessionCookie(w, token, int(s.ttl.Seconds()))
	http.Redirect(w, r, next, http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	s.endSession(r)
	s.setSessionCookie(w, "", -1)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

// setLanguage stores the signed-in user's UI language ("" follows the browser).
func (s *Server) setLanguage(w http.ResponseWriter, r *http.Request) {
	u, _ := currentUser(r)
	lang := r.PostFormValue("language")
	if lang != "" && !slices.Contains(languages, lang) {
		s.renderStatus(w, r, http.StatusBadRequest, "Unknown language.")
		return
	}
	err := s.store.SetUserLanguage(r.Context(), u.ID, lang, actorOf(r))
	s.sessions.dropUser(u.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	http.Redirect(w, r, safeNext(r.PostFormValue("next")), http.StatusSeeOther)
}
