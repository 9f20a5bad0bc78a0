package web

import (
	"bytes"
	"fmt"
	"html/template"
	"net/http"
	"strings"
	"time"

	"github.com/basis-crm/basis/crm"
)

// view is what every template gets: the page's data plus who is looking and
// in which language.
type view struct {
	Lang     string
	User     *crm.User
	Org      string
	Title    string
	CanWrite bool
	IsAdmin  bool
	Flash    string
	Error    string
	// Demo is set in demo mode: every staff page shows the banner.
	Demo bool
	// Mail is set when a Mailer is configured (mail actions are shown).
	Mail bool
	Data any
}

// T translates an English UI string into the view's language.
func (v view) T(key string, args ...any) string { return translate(v.Lang, key, args...) }

var funcs = template.FuncMap{
	"when": func(t any) string {
		switch t := t.(type) {
		case time.Time:
			return formatWhen(t)
		case *time.Time:
			if t == nil {
				return ""
			}
			return formatWhen(*t)
		}
		return ""
	},
	"short": func(s string) string {
		if len(s) > 12 {
			return s[:12] + "…"
		}
		return s
	},
	"add": func(a, b int) int { return a + b },
	"deref": func(p *int64) int64 {
		if p == nil {
			return 0
		}
		return *p
	},
	"upper": strings.ToUpper,
}

// formatWhen is how pages show a time.
func formatWhen(t time.Time) string { return t.Local().Format("2006-01-02 15:04") }

// render writes page with data, in the request's language.
func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page, title string, data any) {
	s.renderView(w, r, status, page, s.newView(r, title, data))
}

func (s *Server) newView(r *http.Request, title string, data any) view {
	v := view{Lang: s.langFor(r), Org: s.org.Name, Title: title, Data: data, Demo: s.demo != nil, Mail: s.mailer != nil}
	if u, ok := currentUser(r); ok {
		v.User = &u
		v.CanWrite = canWrite(r)
		v.IsAdmin = u.Role == "admin"
	}
	v.Flash = r.URL.Query().Get("done")
	return v
}

func (s *Server) renderView(w http.ResponseWriter, r *http.Request, status int, page string, v view) {
	t, ok := s.pages[v.Lang][page]
	if !ok {
		s.fail(w, r, fmt.Errorf("web: no template %q", page))
		return
	}
	var buf bytes.Buffer
	if err := t.Execute(&buf, v); err != nil {
		s.fail(w, r, fmt.Errorf("web: render %s: %w", page, err))
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = buf.WriteTo(w)
}

// renderStatus shows a short message page with an HTTP status.
func (s *Server) renderStatus(w http.ResponseWriter, r *http.Request, status int, msg string, args ...any) {
	v := s.newView(r, http.StatusText(status), nil)
	v.Error = v.T(msg, args...)
	page := "message"
	if v.User == nil {
		page = "public_message"
	}
	s.renderView(w, r, status, page, v)
}

// fail logs an unexpected error and shows a generic page (no details leak).
// A request whose client went away (its context done: the database call
// was canceled) is logged at debug level only; under load, every closed
// connection logged an error.
func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	if r.Context().Err() != nil {
		s.log.Debug("web request canceled by the client", "method", r.Method, "path", r.URL.Path, "err", err)
		return
	}
	s.log.Error("web request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	http.Error(w, "internal error (see the server log)", http.StatusInternalServerError)
}

func (s *Server) static(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Cache-Control", "public, max-age=3600")
	http.FileServerFS(staticFS).ServeHTTP(w, r)
}
