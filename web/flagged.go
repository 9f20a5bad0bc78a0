package web

import (
	"net/http"
	"strings"

	"github.com/jmoiron/sqlx"

	"github.com/basis-crm/basis/crm"
)

const flaggedPage = 50

type flaggedData struct {
	Rows       []crm.InboundMessage
	Page, Next int
	Prev       int
}

// flagged lists inbound messages mailin flagged for review (unparseable,
// oversize, spam, unsubscribe, missing sender, erased sender).
func (s *Server) flagged(w http.ResponseWriter, r *http.Request) {
	page := pageParam(r, "page")
	rows, more, err := s.store.FlaggedMessages(r.Context(), flaggedPage, page*flaggedPage)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := flaggedData{Rows: rows, Page: page, Prev: page - 1}
	if more {
		d.Next = page + 1
	}
	s.render(w, r, http.StatusOK, "flagged", "Messages flagged for review", d)
}

// assignFlagged ties a flagged message to the contact with the given
// address: its evidence joins the contact's, the message leaves the queue.
func (s *Server) assignFlagged(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.renderStatus(w, r, http.StatusNotFound, "No such message.")
		return
	}
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	err := s.store.InTx(r.Context(), func(tx *sqlx.Tx) error {
		c, err := s.store.FindContact(r.Context(), tx, r.PostFormValue("email"))
		if err != nil {
			return err
		}
		return s.store.AssignInbound(r.Context(), tx, id, c.ID, reason, actorOf(r))
	})
	if err != nil {
		s.userError(w, r, err)
		return
	}
	back(w, r, "/messages/flagged", "assigned")
}

// dismissFlagged takes a flagged message off the queue; its raw bytes stay
// as evidence.
func (s *Server) dismissFlagged(w http.ResponseWriter, r *http.Request) {
	id, ok := pathID(r)
	if !ok {
		s.renderStatus(w, r, http.StatusNotFound, "No such message.")
		return
	}
	err := s.store.InTx(r.Context(), func(tx *sqlx.Tx) error {
		return s.store.DismissInbound(r.Context(), tx, id, r.PostFormValue("reason"), actorOf(r))
	})
	if err != nil {
		s.userError(w, r, err)
		return
	}
	back(w, r, "/messages/flagged", "dismissed")
}
