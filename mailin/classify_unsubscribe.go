package mailin

import (
	"net/mail"
	"strings"
)

// unsubscribeWords mark an unsubscribe request in a subject (it/en).
var unsubscribeWords = []string{
	"unsubscribe", "un-subscribe", "remove me", "opt out", "opt-out", "stop mailing",
	"cancellami", "cancellatemi", "cancellazione", "disiscrivi", "disiscrivimi",
	"disiscrizione", "rimuovimi", "rimuovetemi", "non inviatemi", "disdetta newsletter",
}

// classifyUnsubscribe is step 5: mail to our unsubscribe address (with its
// +TOKEN) or with an unsubscribe subject.
func (c Classifier) classifyUnsubscribe(m *Message) (Result, bool) {
	if token, addr, ok := c.unsubscribeRecipient(m); ok {
		reason := "sent to " + addr
		if token == "" {
			reason += " (no token)"
		}
		return Result{Class: ClassUnsubscribe, Reason: reason, Sender: fromPerson(m), UnsubscribeToken: token}, true
	}
	subj := strings.ToLower(StripSubjectPrefixes(m.Subject))
	for _, w := range unsubscribeWords {
		if strings.Contains(subj, w) {
			return Result{Class: ClassUnsubscribe, Reason: "unsubscribe subject: " + clip(m.Subject, 60), Sender: fromPerson(m)}, true
		}
	}
	return Result{}, false
}

// unsubscribeRecipient finds our unsubscribe mailto among the recipients and
// returns the token after '+' (empty when the address has none).
func (c Classifier) unsubscribeRecipient(m *Message) (token, addr string, ok bool) {
	local, domain, found := strings.Cut(strings.TrimSpace(c.UnsubscribeMailto), "@")
	if !found || local == "" || domain == "" {
		return "", "", false
	}
	var rcpts []*mail.Address
	rcpts = append(rcpts, m.To...)
	rcpts = append(rcpts, m.Cc...)
	for _, k := range []string{"Delivered-To", "X-Original-To", "Envelope-To"} {
		for _, v := range m.Header.Values(k) {
			if a := firstAddress(v); a != "" {
				rcpts = append(rcpts, &mail.Address{Address: a})
			}
		}
	}
	for _, a := range rcpts {
		l, d, ok := strings.Cut(a.Address, "@")
		if !ok || !strings.EqualFold(d, domain) {
			continue
		}
		if strings.EqualFold(l, local) {
			return "", a.Address, true
		}
		if len(l) > len(local)+1 && strings.EqualFold(l[:len(local)], local) && l[len(local)] == '+' {
			return l[len(local)+1:], a.Address, true
		}
	}
	return "", "", false
}
