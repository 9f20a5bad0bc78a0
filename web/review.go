package web

import (
	"fmt"
	"html/template"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/basis-crm/basis/crm"
	"github.com/jmoiron/sqlx"
)

const reviewPage = 50

// reviewRow is one lead as the queue and the dashboard show it. Its fields
// are flat and ready to print: templates reach embedded fields and call
// functions by reflection, which for 50 rows was much of the page's cost.
type reviewRow struct {
	ID                                                 int64
	Name, Email, Company, Subject, From, Preview, When string
}

type reviewData struct {
	Rows       []template.HTML // queueHTML
	Page, Next int
}

func reviewRows(items []crm.ReviewItem) []reviewRow {
	rows := make([]reviewRow, len(items))
	for i, it := range items {
		rows[i] = reviewRow{ID: it.ID, Name: it.Name, Email: it.Email, Company: it.Company, Subject: it.MessageSubject,
			From: it.MessageFrom, Preview: snippet(it.MessagePreview, 280), When: formatWhen(it.CreatedAt)}
	}
	return rows
}

// review lists leads waiting for review with a preview of their message.
func (s *Server) review(w http.ResponseWriter, r *http.Request) {
	page, _ := strconv.Atoi(r.URL.Query().Get("page"))
	page = max(page, 0)
	items, err := s.store.ReviewQueue(r.Context(), reviewPage+1, page*reviewPage)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := reviewData{Page: page}
	if len(items) > reviewPage {
		items, d.Next = items[:reviewPage], page+1
	}
	d.Rows = queueHTML(reviewRows(items), canWrite(r), translate(s.langFor(r), "Select"))
	s.render(w, r, http.StatusOK, "review", "Review queue", d)
}

// reviewAction applies one action to the selected leads: accept, reject,
// reject and erase, or merge (two leads: the newer into the older).
func (s *Server) reviewAction(w http.ResponseWriter, r *http.Request) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	if err := r.ParseForm(); err != nil {
		s.renderStatus(w, r, http.StatusBadRequest, "Bad form.")
		return
	}
	var ids []int64
	for _, v := range r.PostForm["id"] {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			s.renderStatus(w, r, http.StatusBadRequest, "Bad form.")
			return
		}
		ids = append(ids, id)
	}
	if len(ids) == 0 {
		s.renderStatus(w, r, http.StatusBadRequest, "Select at least one lead.")
		return
	}
	reason := strings.TrimSpace(r.PostFormValue("reason"))
	ctx, actor := r.Context(), actorOf(r)
	var err error
	switch action := r.PostFormValue("action"); action {
	case "accept", "reject":
		status := map[string]string{"accept": "reviewed", "reject": "rejected"}[action]
		if reason == "" {
			reason = "review: " + action
		}
		err = s.store.InTx(ctx, func(tx *sqlx.Tx) error {
			for _, id := range ids {
				if err := s.store.SetStatus(ctx, tx, id, status, reason, actor); err != nil {
					return err
				}
			}
			return nil
		})
	case "erase":
		if reason == "" {
			s.renderStatus(w, r, http.StatusBadRequest, "A reason is required to erase.")
			return
		}
		for _, id := range ids {
			c, gerr := s.store.GetContact(ctx, s.store.DB(), id)
			if gerr == nil && c.ErasedAt == nil {
				_, gerr = s.store.Erase(ctx, crm.ErasureInput{Email: c.Email, Reason: reason, Actor: actor})
			}
			if gerr != nil {
				err = gerr
				break
			}
		}
	case "merge":
		if len(ids) != 2 {
			s.renderStatus(w, r, http.StatusBadRequest, "Select exactly two leads to merge.")
			return
		}
		if reason == "" { // a merge cannot be undone: no merge by a stray click
			s.renderStatus(w, r, http.StatusBadRequest, "A reason is required to merge (e.g. same person, two addresses).")
			return
		}
		slices.Sort(ids)
		err = s.store.Merge(ctx, ids[0], ids[1], reason, actor)
	default:
		s.renderStatus(w, r, http.StatusBadRequest, "Unknown action.")
		return
	}
	if err != nil {
		s.userError(w, r, err)
		return
	}
	back(w, r, "/review", fmt.Sprintf("%d", len(ids)))
}
