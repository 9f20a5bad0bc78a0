package web

import (
	"fmt"
	"strings"

	"github.com/basis-crm/basis/mailout"
)

// renderedMail is a campaign message as a recipient would read it.
type renderedMail struct {
	Subject string `json:"subject"`
	Text    string `json:"text"`
	HTML    string `json:"html"` // sanitized by bluemonday; show only in a sandboxed frame
	Error   string `json:"error,omitempty"`
}

// unsubscribeFooters mirror the footer the outbox adds to a campaign whose
// text does not place {{.UnsubscribeURL}} itself.
var unsubscribeFooters = map[string]string{
	"it": "\n\n--\nPer non ricevere più questi messaggi: %s\n",
	"en": "\n\n--\nTo stop receiving these messages: %s\n",
}

// sampleData is the template data of the preview: a made-up recipient,
// this organization, and links on this site that name no one.
func (s *Server) sampleData(lang string) mailout.TemplateData {
	d := mailout.SampleTemplateData()
	d.Language, d.OrganizationName = lang, s.org.Name
	if s.baseURL != "" {
		base := strings.TrimSuffix(s.baseURL, "/")
		d.UnsubscribeURL, d.ConfirmURL, d.PrivacyURL = base+"/u/sample", base+"/"+lang+"/confirm/sample", base+"/"+lang+"/privacy"
	}
	return d
}

// renderCampaign renders subject, text and optional html for data, with
// the unsubscribe footer the outbox would add. A template error is returned
// for the person who wrote the template.
func renderCampaign(subject, text, html, lang string, data mailout.TemplateData) (renderedMail, error) {
	var out renderedMail
	st, err := mailout.ParseTemplate(subject, "")
	if err != nil {
		return out, fmt.Errorf("subject: %w", err)
	}
	bt, err := mailout.ParseTemplate(text, html)
	if err != nil {
		return out, err
	}
	if out.Subject, _, err = st.Render(data); err != nil {
		return out, fmt.Errorf("subject: %w", err)
	}
	if out.Text, out.HTML, err = bt.Render(data); err != nil {
		return out, err
	}
	footer, ok := unsubscribeFooters[lang]
	if !ok {
		footer = unsubscribeFooters["en"]
	}
	if !strings.Contains(text, "UnsubscribeURL") {
		out.Text += fmt.Sprintf(footer, data.UnsubscribeURL)
	}
	out.Subject = strings.TrimSpace(out.Subject)
	out.HTML = mailPolicy.Sanitize(out.HTML)
	return out, nil
}
