package web

import (
	"net/http"

	"github.com/basis-crm/basis/crm"
	"github.com/basis-crm/basis/mailout"
)

type dashboardData struct {
	crm.Overview
	Leads            []reviewRow
	Flagged          int64
	Overdue          mailout.OverdueSummary
	CampaignsRunning []mailout.Campaign
	Mail             bool
	// NoPrivacyContact: organization.privacy_email and address are both
	// empty, so privacy notices give no way to reach the controller.
	NoPrivacyContact bool
}

func (s *Server) dashboard(w http.ResponseWriter, r *http.Request) {
	o, err := s.store.Overview(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	items, err := s.store.ReviewQueue(r.Context(), 5, 0)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	d := dashboardData{Overview: o, Leads: reviewRows(items), Mail: s.mailer != nil,
		NoPrivacyContact: s.org.PrivacyEmail == "" && s.org.Address == ""}
	if d.Flagged, err = s.store.CountFlaggedMessages(r.Context()); err != nil {
		s.fail(w, r, err)
		return
	}
	if s.mailer != nil {
		if err := s.mailDashboard(r, &d); err != nil {
			s.fail(w, r, err)
			return
		}
	}
	s.render(w, r, http.StatusOK, "dashboard", "Dashboard", d)
}

// overdueCountCap is where the dashboard stops counting overdue notices
// ("100+"): past it, the number matters less than fixing the sender, and
// each one counted is a few index lookups (5-10 ms for 100, 50-100 ms for
// 1000, with 10,000 overdue among a million contacts). `basis notices
// overdue` lists them all.
const overdueCountCap = 100

// mailDashboard adds overdue privacy notices and running campaigns.
func (s *Server) mailDashboard(r *http.Request, d *dashboardData) error {
	var err error
	if d.Overdue, err = s.mailer.NoticesOverdueSummary(r.Context(), overdueCountCap, 10); err != nil {
		return err
	}
	d.CampaignsRunning, err = s.mailer.ActiveCampaigns(r.Context())
	return err
}
