package web

import (
	"context"
	"net/http"
	"time"

	"github.com/basis-crm/basis/crm"
)

// requestData is one rights request and what may be done about it now.
type requestData struct {
	requestRow
	// CanExtend is set while an extension may still be decided: within the
	// first month, with months left (Art. 12(3)).
	CanExtend bool
	// ExtendMonths are the numbers of further months that may be asked.
	ExtendMonths []int
	Grounds      []string
	// Reason and Outcome keep what was typed when an action was refused.
	TypedReason, TypedOutcome string
}

func newRequestData(req crm.Request, today time.Time) requestData {
	d := requestData{requestRow: requestRow{Request: req, IsLate: req.Late(today)}, Grounds: crm.RefusalGrounds}
	for m := 1; m <= crm.MaxExtensionMonths-req.ExtendedMonths; m++ {
		d.ExtendMonths = append(d.ExtendMonths, m)
	}
	firstMonth := crm.DueDate(req.ReceivedOn, 1)
	y, mo, day := today.Date()
	d.CanExtend = req.Status == "open" && len(d.ExtendMonths) > 0 &&
		!time.Date(y, mo, day, 0, 0, 0, 0, time.UTC).After(firstMonth)
	return d
}

// request shows one rights request with the actions that fit its kind and
// state.
func (s *Server) request(w http.ResponseWriter, r *http.Request) {
	req, ok := s.loadRequest(w, r)
	if !ok {
		return
	}
	s.render(w, r, http.StatusOK, "requests_show", "Rights request", newRequestData(req, time.Now()))
}

// requestRefused shows the request page again with why an action was
// refused and what was typed.
func (s *Server) requestRefused(w http.ResponseWriter, r *http.Request, req crm.Request, msg string) {
	d := newRequestData(req, time.Now())
	d.TypedReason = r.PostFormValue("reason")
	d.TypedOutcome = r.PostFormValue("outcome")
	v := s.newView(r, "Rights request", d)
	v.Error = msg
	s.renderView(w, r, http.StatusBadRequest, "requests_show", v)
}

// requestError shows input errors from crm on the request page, anything
// else as userError does.
func (s *Server) requestError(w http.ResponseWriter, r *http.Request, req crm.Request, err error) {
	if !isInputError(err) {
		s.userError(w, r, err)
		return
	}
	if fresh, gerr := s.store.GetRequest(r.Context(), s.store.DB(), req.ID); gerr == nil {
		req = fresh
	}
	s.requestRefused(w, r, req, err.Error())
}

// loadRequest returns the request named by {id}, or writes 404.
func (s *Server) loadRequest(w http.ResponseWriter, r *http.Request) (crm.Request, bool) {
	return loadByID(s, w, r, "No such request.", func(ctx context.Context, id int64) (crm.Request, error) {
		return s.store.GetRequest(ctx, s.store.DB(), id)
	})
}
