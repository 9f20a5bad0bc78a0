package web

import (
	"context"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/basis-crm/basis/crm"
	"github.com/basis-crm/basis/mailout"
)

func itoa64(n int64) string { return strconv.FormatInt(n, 10) }

// campaignStep runs one state change (schedule, pause, resume, cancel) and
// returns to the campaign page, or shows why it was refused.
func (s *Server) campaignStep(w http.ResponseWriter, r *http.Request, done string,
	step func(ctx context.Context, id int64, actor crm.Actor) (mailout.Campaign, error)) {
	if !s.needMailer(w, r) {
		return
	}
	id, ok := pathID(r)
	if !ok {
		s.renderStatus(w, r, http.StatusNotFound, "No such campaign.")
		return
	}
	if _, err := step(r.Context(), id, actorOf(r)); err != nil {
		if errors.Is(err, mailout.ErrNoAudience) {
			s.renderStatus(w, r, http.StatusConflict, "No contact may receive this campaign: check its purpose and segment.")
			return
		}
		s.userError(w, r, err)
		return
	}
	back(w, r, campaignPath(id), done)
}

// scheduleCampaign starts a draft or paused campaign at the given local
// time, or now when none is given.
func (s *Server) scheduleCampaign(w http.ResponseWriter, r *http.Request) {
	var at time.Time
	if v := r.PostFormValue("at"); v != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", v, time.Local)
		if err != nil {
			s.renderStatus(w, r, http.StatusBadRequest, "The time %q is not a date and time (YYYY-MM-DDTHH:MM).", v)
			return
		}
		at = t
	}
	s.campaignStep(w, r, "scheduled", func(ctx context.Context, id int64, actor crm.Actor) (mailout.Campaign, error) {
		return s.mailer.ScheduleCampaign(ctx, id, at, actor)
	})
}

func (s *Server) pauseCampaign(w http.ResponseWriter, r *http.Request) {
	s.campaignStep(w, r, "paused", s.mailer.PauseCampaign)
}

func (s *Server) resumeCampaign(w http.ResponseWriter, r *http.Request) {
	s.campaignStep(w, r, "resumed", s.mailer.ResumeCampaign)
}

func (s *Server) cancelCampaign(w http.ResponseWriter, r *http.Request) {
	s.campaignStep(w, r, "cancelled", s.mailer.CancelCampaign)
}

// testCampaign renders the campaign for the signed-in staff member and,
// when a test sender is configured, mails it to their own address directly
// over SMTP. A test is not an outbox message: staff are not contacts, it
// needs no basis, it is not kept as evidence, and its unsubscribe link is
// a sample that unsubscribes no one. Without a test sender the page shows
// the rendered mail and says it was not sent.
func (s *Server) testCampaign(w http.ResponseWriter, r *http.Request) {
	c, ok := s.loadCampaign(w, r)
	if !ok {
		return
	}
	u, _ := currentUser(r)
	data := s.sampleData(c.Language)
	data.Name, data.FirstName, data.LastName, data.Company, data.Email = "", "", "", "", u.Email
	p, err := renderCampaign(c.Subject, c.Text, c.HTML, c.Language, data)
	if err != nil {
		s.userError(w, r, err)
		return
	}
	p.Subject = "[TEST] " + p.Subject
	sent := false
	if s.test != nil {
		if err := s.test(r.Context(), u.Email, p.Subject, p.Text, p.HTML); err != nil {
			s.log.Warn("campaign test not sent", "campaign_id", c.ID, "err", err)
			p.Error = err.Error()
		} else {
			sent = true
			s.log.Info("campaign test sent", "campaign_id", c.ID, "user_id", u.ID)
		}
	}
	s.showCampaign(w, r, http.StatusOK, &p, sent)
}
