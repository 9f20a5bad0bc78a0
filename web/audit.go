package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/basis-crm/basis/crm"
)

type auditData struct {
	Filter  crm.AuditFilter
	Events  []crm.Event
	Next    int64
	Verify  *crm.VerifyResult
	Contact string
}

// auditLog lists audit events, filtered by contact, actor and action.
func (s *Server) auditLog(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	f := crm.AuditFilter{Actor: strings.TrimSpace(q.Get("actor")), Action: strings.TrimSpace(q.Get("action")), Limit: 100}
	f.ContactID, _ = strconv.ParseInt(q.Get("contact"), 10, 64)
	f.BeforeSeq, _ = strconv.ParseInt(q.Get("before"), 10, 64)
	evs, err := s.store.ListAudit(r.Context(), f)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := auditData{Filter: f, Events: evs}
	if f.ContactID > 0 {
		d.Contact = strconv.FormatInt(f.ContactID, 10)
	}
	if len(evs) == f.Limit {
		d.Next = evs[len(evs)-1].Seq
	}
	s.render(w, r, http.StatusOK, "audit", "Audit log", d)
}

// auditVerify recomputes the whole chain and shows the result.
func (s *Server) auditVerify(w http.ResponseWriter, r *http.Request) {
	res, err := s.store.VerifyAudit(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "audit", "Audit log", auditData{Verify: &res})
}
