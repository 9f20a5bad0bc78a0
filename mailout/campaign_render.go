package mailout

import (
	"context"
	"fmt"
	"strings"
	"sync"
)

// campaignTemplates caches parsed campaign templates for a run.
type campaignTemplates struct {
	mu sync.Mutex
	m  map[int64]*parsedCampaign
}

type parsedCampaign struct {
	c       Campaign
	subject *Template
	body    *Template
}

var footers = map[string]string{
	"it": "\n\n--\nPer non ricevere più questi messaggi: %s\n",
	"en": "\n\n--\nTo stop receiving these messages: %s\n",
}

func (m *Mailer) parsedCampaign(ctx context.Context, id int64) (*parsedCampaign, error) {
	m.templates.mu.Lock()
	defer m.templates.mu.Unlock()
	if p, ok := m.templates.m[id]; ok {
		return p, nil
	}
	c, err := m.Campaign(ctx, id)
	if err != nil {
		return nil, err
	}
	p := &parsedCampaign{c: c}
	if p.subject, err = parseTemplate("subject", c.Subject, ""); err != nil {
		return nil, fmt.Errorf("mailout: campaign %d: %w", id, err)
	}
	if p.body, err = parseTemplate("text", c.Text, c.HTML); err != nil {
		return nil, fmt.Errorf("mailout: campaign %d: %w", id, err)
	}
	if m.templates.m == nil {
		m.templates.m = map[int64]*parsedCampaign{}
	}
	m.templates.m[id] = p
	return p, nil
}

// campaignDraft renders a campaign message with its List-Unsubscribe
// headers and a visible unsubscribe link.
func (m *Mailer) campaignDraft(ctx context.Context, j *job, d Draft) (Draft, error) {
	if j.CampaignID == nil {
		return d, fmt.Errorf("mailout: outbox %d: campaign message without a campaign", j.ID)
	}
	p, err := m.parsedCampaign(ctx, *j.CampaignID)
	if err != nil {
		return d, err
	}
	unsubURL, unsubMailto := m.unsubscribeURL(j.ContactID, j.Purpose)
	data := m.templateData(j, p.c.Language, unsubURL)
	subject, _, err := p.subject.Render(data)
	if err != nil {
		return d, err
	}
	text, html, err := p.body.Render(data)
	if err != nil {
		return d, err
	}
	if !strings.Contains(p.c.Text, "UnsubscribeURL") {
		text += fmt.Sprintf(footers[p.c.Language], data.UnsubscribeURL)
	}
	if html != "" && !strings.Contains(p.c.HTML, "UnsubscribeURL") {
		html += fmt.Sprintf(`<p style="font-size:small">%s</p>`, strings.TrimSpace(fmt.Sprintf(footers[p.c.Language][4:], `<a href="`+data.UnsubscribeURL+`">`+data.UnsubscribeURL+`</a>`)))
	}
	d.Subject, d.Text, d.HTML = strings.TrimSpace(subject), text, html
	d.UnsubscribeURL, d.UnsubscribeMailto = unsubURL, unsubMailto
	d.Headers = append(d.Headers, Header{Name: "X-Basis-Campaign-ID", Value: fmt.Sprint(p.c.ID)})
	return d, nil
}
