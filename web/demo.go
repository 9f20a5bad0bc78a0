package web

import (
	"fmt"
	"html/template"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
)

// DemoMailbox is the demo mode's mail, as the "Demo mailbox" page needs it:
// what Basis sent (caught by the in-process SMTP server, never delivered)
// and a way to drop a new inquiry into the demo inbox.
type DemoMailbox interface {
	// Caught returns the caught messages, oldest first.
	Caught() []CaughtMail
	// Drop puts an inquiry into the demo inbox, where the IMAP poller finds
	// it like any other message.
	Drop(name, email, subject, body string) error
}

// CaughtMail is one message the demo SMTP server accepted.
type CaughtMail struct {
	From     string   // envelope sender
	To       []string // envelope recipients
	Raw      []byte   // the exact bytes received
	Received time.Time
}

type caughtRow struct {
	N        int
	Received time.Time
	To       string
	Subject  string
}

type demoData struct {
	Rows                       []caughtRow
	Name, Email, Subject, Body string
}

type caughtData struct {
	N        int
	Received time.Time
	Msg      message
	Links    []string // links to this site found in the message
	ShowHTML bool
}

func (s *Server) needDemo(w http.ResponseWriter, r *http.Request) bool {
	if s.demo == nil {
		s.renderStatus(w, r, http.StatusNotFound, "Demo mode is off: Basis reads and sends real mail.")
		return false
	}
	return true
}

// demoMailbox lists caught mail, newest first, and the form that drops an
// inquiry into the demo inbox.
func (s *Server) demoMailbox(w http.ResponseWriter, r *http.Request) {
	if !s.needDemo(w, r) {
		return
	}
	caught := s.demo.Caught()
	d := demoData{Rows: make([]caughtRow, 0, len(caught))}
	for i := len(caught) - 1; i >= 0; i-- {
		m := parseMessage(caught[i].Raw)
		d.Rows = append(d.Rows, caughtRow{N: i + 1, Received: caught[i].Received, To: strings.Join(caught[i].To, ", "), Subject: m.Subject})
	}
	s.render(w, r, http.StatusOK, "demo", "Demo mailbox", d)
}

// caughtMail returns caught message number {n} (from 1), or writes 404.
func (s *Server) caughtMail(w http.ResponseWriter, r *http.Request) (CaughtMail, int, bool) {
	if !s.needDemo(w, r) {
		return CaughtMail{}, 0, false
	}
	n, err := strconv.Atoi(r.PathValue("n"))
	caught := s.demo.Caught()
	if err != nil || n < 1 || n > len(caught) {
		s.renderStatus(w, r, http.StatusNotFound, "No such message.")
		return CaughtMail{}, 0, false
	}
	return caught[n-1], n, true
}

// demoMessage shows one caught message as text, with the links to this
// site (double opt-in, unsubscribe, privacy notice) made clickable.
func (s *Server) demoMessage(w http.ResponseWriter, r *http.Request) {
	m, n, ok := s.caughtMail(w, r)
	if !ok {
		return
	}
	d := caughtData{N: n, Received: m.Received, Msg: parseMessage(m.Raw), ShowHTML: r.URL.Query().Get("html") == "1"}
	d.Links = s.siteLinks(d.Msg.Text)
	s.render(w, r, http.StatusOK, "demo_message", "Demo mailbox", d)
}

// demoMessageHTML is the sandboxed frame of a caught message's HTML part.
func (s *Server) demoMessageHTML(w http.ResponseWriter, r *http.Request) {
	m, _, ok := s.caughtMail(w, r)
	if !ok {
		return
	}
	writeMailFrame(w, r, parseMessage(m.Raw))
}

var linkRE = regexp.MustCompile(`https?://[^\s<>"'()]+`)

// siteLinks returns the distinct links in text that point at web.base_url.
func (s *Server) siteLinks(text string) []string {
	var out []string
	if s.baseURL == "" {
		return out
	}
	for _, l := range linkRE.FindAllString(text, 50) {
		l = strings.TrimRight(l, ".,;:")
		if strings.HasPrefix(l, strings.TrimSuffix(s.baseURL, "/")+"/") && !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}

// demoDrop puts a new inquiry into the demo inbox.
func (s *Server) demoDrop(w http.ResponseWriter, r *http.Request) {
	if !s.needDemo(w, r) {
		return
	}
	f := func(k string) string { return strings.TrimSpace(r.PostFormValue(k)) }
	d := demoData{Name: f("name"), Email: f("email"), Subject: f("subject"), Body: f("body")}
	if d.Email == "" || d.Subject == "" || d.Body == "" {
		v := s.newView(r, "Demo mailbox", d)
		v.Error = v.T("Give at least an address, a subject and a message.")
		s.renderView(w, r, http.StatusBadRequest, "demo", v)
		return
	}
	if err := s.demo.Drop(d.Name, d.Email, d.Subject, d.Body); err != nil {
		v := s.newView(r, "Demo mailbox", d)
		v.Error = err.Error()
		s.renderView(w, r, http.StatusBadRequest, "demo", v)
		return
	}
	back(w, r, "/demo", "dropped")
}

// writeMailFrame writes the frame document of a message: its HTML part
// sanitized by bluemonday (or its text, escaped), under the frame's CSP
// with a sandbox.
func writeMailFrame(w http.ResponseWriter, r *http.Request, m message) {
	body := mailPolicy.Sanitize(m.HTML)
	if m.HTML == "" {
		body = "<pre>" + template.HTMLEscapeString(m.Text) + "</pre>"
	}
	h := w.Header()
	h.Set("Content-Security-Policy", frameCSP(r.URL.Query().Get("images") == "1"))
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("Cross-Origin-Resource-Policy", "same-origin")
	h.Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, "<!doctype html><html><head><meta charset=\"utf-8\"><meta name=\"referrer\" content=\"no-referrer\">"+
		"<style>body{font:14px/1.4 sans-serif;margin:8px;word-wrap:break-word}img{max-width:100%%}</style></head><body>%s</body></html>", body)
}
