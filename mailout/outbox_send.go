package mailout

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// errRequeue marks a job not attempted (the run stopped on a configuration
// error): it goes back to the queue without counting as an attempt.
var errRequeue = errors.New("mailout: not attempted")

// errRender marks a message that could not be built; it is failed, not
// retried.
type renderError struct{ err error }

func (e renderError) Error() string { return e.err.Error() }
func (e renderError) Unwrap() error { return e.err }

// buildJob renders, composes and signs the message of one job; it
// returns the result to complete once sent (a renderError when the message
// could not be built) and the envelope sender.
func (m *Mailer) buildJob(ctx context.Context, j *job) (result, string) {
	d, err := m.draft(ctx, j)
	if err != nil {
		return result{job: j, err: renderError{err}}, ""
	}
	c, err := m.composer.Compose(d)
	if err != nil {
		return result{job: j, err: renderError{err}}, ""
	}
	raw := c.Raw
	if m.cfg.DKIM != nil {
		if raw, err = m.cfg.DKIM.Sign(raw); err != nil {
			return result{job: j, err: renderError{err}}, ""
		}
	}
	return result{job: j, raw: raw, mid: c.MessageID, subject: d.Subject}, c.EnvelopeFrom
}

// draft renders the message of one job.
func (m *Mailer) draft(ctx context.Context, j *job) (Draft, error) {
	d := Draft{From: m.cfg.From, ReplyTo: m.cfg.ReplyTo, To: j.Email, ToName: j.Name,
		Headers: []Header{{Name: "X-Basis-Outbox-ID", Value: strconv.FormatInt(j.ID, 10)}}}
	switch j.Kind {
	case "notice":
		subject, body, err := m.renderNotice(ctx, j)
		if err != nil {
			return d, err
		}
		d.Subject, d.Text, d.AutoSubmitted = subject, body, true
	case "consent_request":
		d.Subject, d.Text, d.HTML, d.AutoSubmitted = j.Subject, j.BodyText, j.BodyHTML, true
	case "campaign":
		return m.campaignDraft(ctx, j, d)
	default:
		return d, fmt.Errorf("mailout: outbox %d: kind %q cannot be sent", j.ID, j.Kind)
	}
	return d, nil
}

// templateData is what a template knows about one recipient, whose
// one-click unsubscribe URL is unsub.
func (m *Mailer) templateData(j *job, lang, unsub string) TemplateData {
	first, last, _ := strings.Cut(strings.TrimSpace(j.Name), " ")
	return TemplateData{Name: j.Name, FirstName: first, LastName: strings.TrimSpace(last), Email: j.Email,
		Company: j.Company, Language: lang, OrganizationName: m.cfg.Organization.Name,
		UnsubscribeURL: unsub, PrivacyURL: m.cfg.BaseURL + "/" + lang + "/privacy"}
}
