package web

import (
	"bytes"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/basis-crm/basis/crm"
)

func (s *Server) setStatus(w http.ResponseWriter, r *http.Request) {
	c, ok := s.loadContact(w, r)
	if !ok {
		return
	}
	status := r.PostFormValue("status")
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	if !slices.Contains(crm.Statuses, status) {
		s.renderStatus(w, r, http.StatusBadRequest, "Unknown status.")
		return
	}
	err := s.store.InTx(r.Context(), func(tx *sqlx.Tx) error {
		return s.store.SetStatus(r.Context(), tx, c.ID, status, reason, actorOf(r))
	})
	if err != nil {
		s.userError(w, r, err)
		return
	}
	back(w, r, contactPath(c.ID), "status")
}

// logActivity records a call, email, meeting or note with its mandatory reason.
func (s *Server) logActivity(w http.ResponseWriter, r *http.Request) {
	c, ok := s.loadContact(w, r)
	if !ok {
		return
	}
	kind := r.PostFormValue("kind")
	if !slices.Contains([]string{"call", "email", "meeting", "note"}, kind) {
		s.renderStatus(w, r, http.StatusBadRequest, "Unknown activity kind.")
		return
	}
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	if reason == "" {
		s.renderStatus(w, r, http.StatusBadRequest, "A reason is required: why was this person contacted?")
		return
	}
	err := s.store.InTx(r.Context(), func(tx *sqlx.Tx) error {
		_, err := s.store.LogActivity(r.Context(), tx, crm.ActivityInput{ContactID: c.ID, Kind: kind, Reason: reason,
			Note: strings.TrimSpace(r.PostFormValue("note")), Actor: actorOf(r)})
		return err
	})
	if err != nil {
		s.userError(w, r, err)
		return
	}
	back(w, r, contactPath(c.ID), "activity")
}

// object records an objection for one purpose, all marketing, or every
// purpose ("*", Art. 21(1)).
func (s *Server) object(w http.ResponseWriter, r *http.Request) {
	c, ok := s.loadContact(w, r)
	if !ok {
		return
	}
	err := s.store.ObjectTx(r.Context(), crm.ObjectionInput{Email: c.Email, Purpose: r.PostFormValue("purpose"),
		Reason: strings.TrimSpace(r.PostFormValue("reason")), Actor: actorOf(r)})
	if err != nil {
		s.userError(w, r, err)
		return
	}
	back(w, r, contactPath(c.ID), "objection")
}

// merge folds the contact with the given address into this one.
func (s *Server) merge(w http.ResponseWriter, r *http.Request) {
	c, ok := s.loadContact(w, r)
	if !ok {
		return
	}
	other, err := s.store.FindContact(r.Context(), s.store.DB(), r.PostFormValue("other"))
	if err != nil {
		s.userError(w, r, err)
		return
	}
	if err := s.store.Merge(r.Context(), c.ID, other.ID, strings.TrimSpace(r.PostFormValue("reason")), actorOf(r)); err != nil {
		s.userError(w, r, err)
		return
	}
	back(w, r, contactPath(c.ID), "merged")
}

type eraseData struct {
	crm.Contact
	Reason string
}

// eraseForm is the confirmation step: the reason and the address typed again.
func (s *Server) eraseForm(w http.ResponseWriter, r *http.Request) {
	c, ok := s.loadContact(w, r)
	if !ok {
		return
	}
	s.render(w, r, http.StatusOK, "erase", "Erase", eraseData{Contact: c})
}

func (s *Server) erase(w http.ResponseWriter, r *http.Request) {
	c, ok := s.loadContact(w, r)
	if !ok {
		return
	}
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	confirm := strings.ToLower(strings.TrimSpace(r.PostFormValue("confirm")))
	if reason == "" || confirm != c.Email {
		v := s.newView(r, "Erase", eraseData{Contact: c, Reason: reason})
		v.Error = v.T("Give a reason and type the contact's address to confirm.")
		s.renderView(w, r, http.StatusBadRequest, "erase", v)
		return
	}
	if _, err := s.store.Erase(r.Context(), crm.ErasureInput{Email: c.Email, Reason: reason, Actor: actorOf(r)}); err != nil {
		s.userError(w, r, err)
		return
	}
	back(w, r, "/review", "erased")
}

// export sends the Art. 15/20 ZIP.
func (s *Server) export(w http.ResponseWriter, r *http.Request) {
	c, ok := s.loadContact(w, r)
	if !ok {
		return
	}
	if c.ErasedAt != nil {
		s.exportErasureRecord(w, r, c.ID)
		return
	}
	var buf bytes.Buffer
	if err := s.store.Export(r.Context(), c.Email, &buf, actorOf(r)); err != nil {
		s.userError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="basis-export-`+strconv.FormatInt(c.ID, 10)+`.zip"`)
	_, _ = buf.WriteTo(w)
}

// exportErasureRecord downloads the erasure record of the erased contact
// id: what remains of it by design, and nothing that names the person.
func (s *Server) exportErasureRecord(w http.ResponseWriter, r *http.Request, id int64) {
	var buf bytes.Buffer
	if _, err := s.store.ExportErasureRecordOf(r.Context(), id, &buf, actorOf(r)); err != nil {
		s.userError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "application/zip")
	w.Header().Set("Content-Disposition", `attachment; filename="basis-erasure-record-`+strconv.FormatInt(id, 10)+`.zip"`)
	_, _ = buf.WriteTo(w)
}
