package web

import (
	"errors"
	"fmt"
	"mime"
	"net/http"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/basis-crm/basis/crm"
)

// frameCSP is the policy of the sandboxed frame showing inbound HTML: no
// script, no plugins, no forms, images only when the user asked for them.
func frameCSP(images bool) string {
	img := "data:"
	if images {
		img = "data: https: http:"
	}
	return "default-src 'none'; img-src " + img + "; style-src 'unsafe-inline'; form-action 'none'; base-uri 'none'; " +
		"frame-ancestors 'self'; sandbox allow-popups allow-popups-to-escape-sandbox"
}

func (s *Server) loadEvidence(w http.ResponseWriter, r *http.Request) (crm.Evidence, []byte, bool) {
	id, ok := pathID(r)
	if !ok {
		s.renderStatus(w, r, http.StatusNotFound, "No such evidence.")
		return crm.Evidence{}, nil, false
	}
	ev, content, err := s.store.EvidenceContent(r.Context(), s.store.DB(), id)
	if errors.Is(err, crm.ErrNotFound) {
		s.renderStatus(w, r, http.StatusNotFound, "No such evidence.")
		return ev, nil, false
	}
	if err != nil {
		s.fail(w, r, err)
		return ev, nil, false
	}
	if ev.ErasedAt != nil {
		s.renderStatus(w, r, http.StatusGone, "This evidence was erased.")
		return ev, nil, false
	}
	return ev, content, true
}

// evidenceDownload sends the stored bytes as an attachment, never rendered
// by the browser, with their SHA-256 in a header.
func (s *Server) evidenceDownload(w http.ResponseWriter, r *http.Request) {
	ev, content, ok := s.loadEvidence(w, r)
	if !ok {
		return
	}
	name := downloadName(ev)
	h := w.Header()
	h.Set("Content-Type", "application/octet-stream")
	h.Set("Content-Disposition", mime.FormatMediaType("attachment", map[string]string{"filename": name}))
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("X-Evidence-SHA256", ev.SHA256)
	h.Set("Content-Length", strconv.Itoa(len(content)))
	_, _ = w.Write(content)
}

func downloadName(ev crm.Evidence) string {
	ext := ".bin"
	switch {
	case ev.ContentType == "message/rfc822":
		ext = ".eml"
	case ev.ContentType == "image/jpeg":
		ext = ".jpg"
	case ev.ContentType == "image/png":
		ext = ".png"
	case ev.ContentType == "application/pdf":
		ext = ".pdf"
	case ev.ContentType == "application/json":
		ext = ".json"
	}
	base := strings.Map(func(r rune) rune {
		if r < 0x20 || strings.ContainsRune(`/\"'<>:;`, r) {
			return '_'
		}
		return r
	}, filepath.Base(ev.FileName))
	if base == "" || base == "." || base == "_" {
		return fmt.Sprintf("evidence-%d-%s%s", ev.ID, ev.SHA256[:12], ext)
	}
	return base
}

type evidenceViewData struct {
	crm.Evidence
	Msg      message
	IsEmail  bool
	ShowHTML bool
	Images   bool
}

// evidenceView shows an inbound message: headers and the text part, and
// the HTML part only in a sandboxed frame when asked.
func (s *Server) evidenceView(w http.ResponseWriter, r *http.Request) {
	ev, content, ok := s.loadEvidence(w, r)
	if !ok {
		return
	}
	d := evidenceViewData{Evidence: ev, IsEmail: ev.ContentType == "message/rfc822",
		ShowHTML: r.URL.Query().Get("html") == "1", Images: r.URL.Query().Get("images") == "1"}
	if d.IsEmail {
		d.Msg = parseMessage(content)
	}
	s.render(w, r, http.StatusOK, "evidence", "Evidence", d)
}

// evidenceHTML is the frame document of a stored message (writeMailFrame).
func (s *Server) evidenceHTML(w http.ResponseWriter, r *http.Request) {
	ev, content, ok := s.loadEvidence(w, r)
	if !ok {
		return
	}
	if ev.ContentType != "message/rfc822" {
		s.renderStatus(w, r, http.StatusNotFound, "Not a message.")
		return
	}
	writeMailFrame(w, r, parseMessage(content))
}
