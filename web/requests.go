package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/basis-crm/basis/crm"
)

// requestRow is a rights request as the pages show it: its dates as days
// and whether it is late today.
type requestRow struct {
	crm.Request
	IsLate bool
}

func requestRows(list []crm.Request, today time.Time) []requestRow {
	rows := make([]requestRow, len(list))
	for i, r := range list {
		rows[i] = requestRow{Request: r, IsLate: r.Late(today)}
	}
	return rows
}

// Received is the day the request was received.
func (r requestRow) Received() string { return r.ReceivedOn.Format(time.DateOnly) }

// Due is the last day to answer the request.
func (r requestRow) Due() string { return r.DueOn.Format(time.DateOnly) }

type requestsData struct {
	Requests []requestRow
	All      bool
	Kinds    []string
	Channels []string
	Form     map[string]string
}

func (s *Server) requestsData(r *http.Request, form map[string]string) (requestsData, error) {
	all := r.URL.Query().Get("all") == "1"
	list, err := s.store.ListRequests(r.Context(), crm.RequestFilter{All: all})
	if err != nil {
		return requestsData{}, err
	}
	if form == nil {
		form = map[string]string{"kind": "access", "channel": "email", "received": time.Now().Format(time.DateOnly)}
	}
	return requestsData{Requests: requestRows(list, time.Now()), All: all, Kinds: crm.RequestKinds,
		Channels: crm.RequestChannels, Form: form}, nil
}

// requests lists the open rights requests, the most urgent first (all of
// them with ?all=1), with the form to record a new one.
func (s *Server) requests(w http.ResponseWriter, r *http.Request) {
	d, err := s.requestsData(r, nil)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "requests", "Rights requests", d)
}

// addRequest records a rights request and opens it; bad input is shown
// above the form, which keeps what was typed.
func (s *Server) addRequest(w http.ResponseWriter, r *http.Request) {
	form := map[string]string{}
	for _, k := range []string{"email", "kind", "channel", "received", "note"} {
		form[k] = strings.TrimSpace(r.PostFormValue(k))
	}
	in := crm.RequestInput{Email: form["email"], Kind: form["kind"], Channel: form["channel"], Note: form["note"], Actor: actorOf(r)}
	var err error
	if form["received"] != "" {
		if in.Received, err = time.Parse(time.DateOnly, form["received"]); err != nil {
			s.requestsFormError(w, r, form, translate(s.langFor(r), "The date %q is not a date (YYYY-MM-DD).", form["received"]))
			return
		}
	}
	req, err := s.store.AddRequest(r.Context(), in)
	if err != nil {
		if isInputError(err) {
			s.requestsFormError(w, r, form, err.Error())
			return
		}
		s.userError(w, r, err)
		return
	}
	back(w, r, requestPath(req.ID), "added")
}

func (s *Server) requestsFormError(w http.ResponseWriter, r *http.Request, form map[string]string, msg string) {
	d, err := s.requestsData(r, form)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	v := s.newView(r, "Rights requests", d)
	v.Error = msg
	s.renderView(w, r, http.StatusBadRequest, "requests", v)
}

// isInputError reports whether err is one a person can fix by changing
// what they typed.
func isInputError(err error) bool {
	return errors.Is(err, crm.ErrInvalidInput) || errors.Is(err, crm.ErrInvalidAddress)
}

func requestPath(id int64) string { return "/requests/" + strconv.FormatInt(id, 10) }
