package web

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"github.com/basis-crm/basis/crm"
	"github.com/basis-crm/basis/mailout"
)

type campaignForm struct {
	Name, Purpose, Subject, Text, HTML, Language, Segment string
}

type campaignFormData struct {
	campaignForm
	Purposes []string
	Preview  renderedMail
}

type campaignData struct {
	mailout.CampaignReport
	Audience  mailout.Preview
	Preview   renderedMail
	Statuses  []string
	Test      *renderedMail // the test just rendered (and sent, if TestSent)
	TestSent  bool
	TestTo    string
	CanAct    bool
	HasTest   bool
	SegmentOK bool
}

var outboxStatuses = []string{"queued", "sending", "sent", "failed", "skipped", "unknown", "cancelled"}

// campaigns lists every campaign, newest first.
func (s *Server) campaigns(w http.ResponseWriter, r *http.Request) {
	if !s.needMailer(w, r) {
		return
	}
	list, err := s.mailer.Campaigns(r.Context())
	if err != nil {
		s.fail(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "campaigns", "Campaigns", list)
}

func (s *Server) newCampaignForm(w http.ResponseWriter, r *http.Request) {
	if !s.needMailer(w, r) {
		return
	}
	f := campaignForm{Language: s.defaultLang(), Purpose: "marketing", Text: "{{.FirstName}},\n\n"}
	s.render(w, r, http.StatusOK, "campaign_new", "New campaign", s.formData(f))
}

func (s *Server) formData(f campaignForm) campaignFormData {
	d := campaignFormData{campaignForm: f, Purposes: s.store.PurposeNames()}
	if p, err := renderCampaign(f.Subject, f.Text, f.HTML, f.Language, s.sampleData(f.Language)); err != nil {
		d.Preview.Error = err.Error()
	} else {
		d.Preview = p
	}
	return d
}

func readCampaignForm(r *http.Request) campaignForm {
	v := func(k string) string { return strings.ReplaceAll(r.PostFormValue(k), "\r\n", "\n") }
	return campaignForm{Name: strings.TrimSpace(v("name")), Purpose: v("purpose"), Subject: v("subject"), Text: v("text"),
		HTML: strings.TrimSpace(v("html")), Language: v("language"), Segment: strings.TrimSpace(v("segment"))}
}

// previewCampaign renders the form's templates for a sample recipient, for
// the live preview beside the form (JSON: subject, text, sanitized html,
// error).
func (s *Server) previewCampaign(w http.ResponseWriter, r *http.Request) {
	out, err := s.renderCampaignForm(w, r)
	if err != nil {
		out = renderedMail{Error: err.Error()}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

// previewCampaignHTML renders the HTML of the campaign being written into
// the preview frame, with the frame's own policy: a srcdoc frame would
// inherit the page's, whose frame-ancestors 'none' leaves it blank.
func (s *Server) previewCampaignHTML(w http.ResponseWriter, r *http.Request) {
	out, err := s.renderCampaignForm(w, r)
	if err != nil {
		out = renderedMail{Text: err.Error()}
	}
	writeMailFrame(w, r, message{Text: out.Text, HTML: out.HTML})
}

// renderCampaignForm renders the posted campaign form (at most 1 MiB) for a
// sample recipient.
func (s *Server) renderCampaignForm(w http.ResponseWriter, r *http.Request) (renderedMail, error) {
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	f := readCampaignForm(r)
	return renderCampaign(f.Subject, f.Text, f.HTML, f.Language, s.sampleData(f.Language))
}

// createCampaign stores a draft; its page then shows the audience and the
// scheduling controls.
func (s *Server) createCampaign(w http.ResponseWriter, r *http.Request) {
	if !s.needMailer(w, r) {
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, 1<<20)
	f := readCampaignForm(r)
	formError := func(msg string) {
		v := s.newView(r, "New campaign", s.formData(f))
		v.Error = msg
		s.renderView(w, r, http.StatusBadRequest, "campaign_new", v)
	}
	seg, err := mailout.ParseSegment(f.Segment)
	if err != nil {
		formError(err.Error())
		return
	}
	if _, err := renderCampaign(f.Subject, f.Text, f.HTML, f.Language, s.sampleData(f.Language)); err != nil {
		formError(err.Error())
		return
	}
	c, err := s.mailer.CreateCampaign(r.Context(), mailout.CampaignInput{Name: f.Name, Purpose: f.Purpose, Subject: f.Subject,
		Text: f.Text, HTML: f.HTML, Language: f.Language, Segment: seg, Actor: actorOf(r)})
	if errors.Is(err, crm.ErrInvalidInput) {
		formError(err.Error())
		return
	}
	if err != nil {
		s.fail(w, r, err)
		return
	}
	back(w, r, campaignPath(c.ID), "created")
}

// campaign shows one campaign: its progress, its audience as it stands now
// (eligible, and excluded by reason), the rendered mail and the controls.
func (s *Server) campaign(w http.ResponseWriter, r *http.Request) {
	s.showCampaign(w, r, http.StatusOK, nil, false)
}

func (s *Server) showCampaign(w http.ResponseWriter, r *http.Request, status int, test *renderedMail, sent bool) {
	if !s.needMailer(w, r) {
		return
	}
	rep, ok := loadByID(s, w, r, "No such campaign.", s.mailer.ShowCampaign)
	if !ok {
		return
	}
	aud, err := s.mailer.PreviewCampaign(r.Context(), rep.ID)
	if err != nil {
		s.fail(w, r, err)
		return
	}
	u, _ := currentUser(r)
	d := campaignData{CampaignReport: rep, Audience: aud, Statuses: outboxStatuses, Test: test, TestSent: sent, TestTo: u.Email,
		CanAct: canWrite(r), HasTest: s.test != nil}
	if d.Preview, err = renderCampaign(rep.Subject, rep.Text, rep.HTML, rep.Language, s.sampleData(rep.Language)); err != nil {
		d.Preview.Error = err.Error()
	}
	s.render(w, r, status, "campaign", rep.Name, d)
}

// campaignHTML is the sandboxed frame of a campaign's HTML body, rendered
// for the sample recipient and sanitized.
func (s *Server) campaignHTML(w http.ResponseWriter, r *http.Request) {
	c, ok := s.loadCampaign(w, r)
	if !ok {
		return
	}
	p, err := renderCampaign(c.Subject, c.Text, c.HTML, c.Language, s.sampleData(c.Language))
	if err != nil {
		s.userError(w, r, err)
		return
	}
	writeMailFrame(w, r, message{Text: p.Text, HTML: p.HTML})
}

func campaignPath(id int64) string { return "/campaigns/" + itoa64(id) }

// loadCampaign reads the campaign named by the path, or answers the request
// itself (no mailer, bad id, unknown campaign) and reports false.
func (s *Server) loadCampaign(w http.ResponseWriter, r *http.Request) (mailout.Campaign, bool) {
	if !s.needMailer(w, r) {
		return mailout.Campaign{}, false
	}
	id, ok := pathID(r)
	if !ok {
		s.renderStatus(w, r, http.StatusNotFound, "No such campaign.")
		return mailout.Campaign{}, false
	}
	c, err := s.mailer.Campaign(r.Context(), id)
	if err != nil {
		s.userError(w, r, err)
		return mailout.Campaign{}, false
	}
	return c, true
}
