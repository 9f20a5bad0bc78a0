package web

import (
	"errors"
	"io"
	"net/http"
	"strings"

	"github.com/basis-crm/basis/crm"
)

type addData struct {
	Purposes, Kinds, Sources []string
	Form                     map[string]string
}

// addSources are the sources a contact entered by hand can have.
var addSources = []string{"business_card", "manual", "customer_relationship", "web_form"}

func (s *Server) addData(form map[string]string) addData {
	return addData{Purposes: s.store.PurposeNames(), Kinds: crm.Kinds, Sources: addSources, Form: form}
}

func (s *Server) addForm(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, "add", "Add contact", s.addData(map[string]string{"source": "business_card"}))
}

// add records a contact with its basis and an optional scan, whose size is
// bounded and whose type is sniffed from its bytes (JPEG, PNG, PDF).
func (s *Server) add(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, s.maxUp+(256<<10))
	if err := r.ParseMultipartForm(1 << 20); err != nil {
		s.renderStatus(w, r, http.StatusRequestEntityTooLarge, "The upload is too large (at most %d MB).", s.maxUp>>20)
		return
	}
	defer r.MultipartForm.RemoveAll()
	form := map[string]string{}
	for _, k := range []string{"email", "name", "company", "phone", "language", "purpose", "kind", "source", "reason"} {
		form[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	in := crm.AddInput{CaptureInput: crm.CaptureInput{Email: form["email"], Name: form["name"], Company: form["company"],
		Phone: form["phone"], Language: form["language"], Source: form["source"], Reason: form["reason"], Actor: actorOf(r)},
		Purpose: form["purpose"], Kind: form["kind"], MaxEvidenceBytes: s.maxUp}
	if f, hdr, err := r.FormFile("card"); err == nil {
		in.EvidenceFile, err = io.ReadAll(io.LimitReader(f, s.maxUp+1))
		f.Close()
		if err != nil {
			s.fail(w, r, err)
			return
		}
		in.EvidenceFileName = hdr.Filename
	} else if !errors.Is(err, http.ErrMissingFile) {
		s.renderStatus(w, r, http.StatusBadRequest, "Bad upload.")
		return
	}
	c, err := s.store.AddContact(r.Context(), in)
	if err != nil {
		if errors.Is(err, crm.ErrInvalidInput) || errors.Is(err, crm.ErrInvalidAddress) || errors.Is(err, crm.ErrErased) ||
			errors.Is(err, crm.ErrSuppressed) {
			v := s.newView(r, "Add contact", s.addData(form))
			v.Error = err.Error()
			s.renderView(w, r, http.StatusBadRequest, "add", v)
			return
		}
		s.userError(w, r, err)
		return
	}
	back(w, r, contactPath(c.ID), "added")
}
