package mailin

import (
	"bytes"
	"strings"
)

// Bounce describes a delivery failure report.
type Bounce struct {
	Recipients   []BouncedRecipient
	Feedback     bool   // an abuse/complaint feedback report (RFC 5965 ARF), not a failure
	ReportingMTA string // from a DSN, when present
}

// BouncedRecipient is one address the report is about.
type BouncedRecipient struct {
	Address    string
	Status     string // enhanced status code, e.g. "5.1.1"; may be empty for non-standard bounces
	Action     string // DSN Action (failed, delayed, ...) when known
	Permanent  bool   // a 5.x.x failure: the address must be suppressed
	Diagnostic string
}

// classifyBounce is step 1.
func classifyBounce(m *Message) (Result, bool) {
	for _, r := range m.reports {
		if strings.Contains(r.mediaType, "delivery-status") {
			b := parseDSN(r.text)
			if len(b.Recipients) == 0 {
				b.Recipients = textBounceRecipients(m)
			}
			return Result{Class: ClassBounce, Reason: "delivery status notification (RFC 3464)", Bounce: b}, true
		}
	}
	switch m.reportType {
	case "delivery-status":
		b := &Bounce{Recipients: textBounceRecipients(m)}
		return Result{Class: ClassBounce, Reason: "multipart/report delivery-status", Bounce: b}, true
	case "feedback-report":
		return Result{Class: ClassBounce, Reason: "feedback report (RFC 5965)", Bounce: &Bounce{Feedback: true}}, true
	}
	for _, r := range m.reports {
		if r.mediaType == "message/feedback-report" {
			return Result{Class: ClassBounce, Reason: "feedback report (RFC 5965)", Bounce: &Bounce{Feedback: true}}, true
		}
	}
	if reason, ok := nonStandardBounce(m); ok {
		return Result{Class: ClassBounce, Reason: reason, Bounce: &Bounce{Recipients: textBounceRecipients(m)}}, true
	}
	return Result{}, false
}

// parseDSN reads the per-recipient fields of a message/delivery-status body.
func parseDSN(text string) *Bounce {
	b := &Bounce{}
	blocks := strings.Split(strings.ReplaceAll(text, "\r\n", "\n"), "\n\n")
	for _, blk := range blocks {
		blk = strings.TrimSpace(blk)
		if blk == "" {
			continue
		}
		h, _, _ := readHeader([]byte(blk + "\n\n"))
		hdr := messageHeader(h)
		if v := hdr.Get("Reporting-Mta"); v != "" && b.ReportingMTA == "" {
			b.ReportingMTA = dsnValue(v)
		}
		rcpt := hdr.Get("Final-Recipient")
		if rcpt == "" {
			rcpt = hdr.Get("Original-Recipient")
		}
		if rcpt == "" {
			continue
		}
		r := BouncedRecipient{
			Address:    firstAddress(dsnValue(rcpt)),
			Action:     strings.ToLower(strings.TrimSpace(hdr.Get("Action"))),
			Status:     firstStatus(hdr.Get("Status")),
			Diagnostic: strings.TrimSpace(hdr.Get("Diagnostic-Code")),
		}
		if r.Address == "" {
			r.Address = strings.TrimSpace(dsnValue(rcpt))
		}
		r.Permanent = strings.HasPrefix(r.Status, "5") || (r.Status == "" && r.Action == "failed")
		if r.Action == "delayed" || r.Action == "delivered" || r.Action == "relayed" || r.Action == "expanded" {
			r.Permanent = false
		}
		b.Recipients = append(b.Recipients, r)
	}
	return b
}

// dsnValue strips the address-type prefix ("rfc822; x@y" -> "x@y").
func dsnValue(v string) string {
	if _, after, ok := strings.Cut(v, ";"); ok {
		return strings.TrimSpace(after)
	}
	return strings.TrimSpace(v)
}

// firstStatus returns the first enhanced status code (class.subject.detail)
// in s, or "".
func firstStatus(s string) string {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '2' && c != '4' && c != '5' {
			continue
		}
		if i > 0 && (isDigit(s[i-1]) || s[i-1] == '.') {
			continue
		}
		j := i + 1
		if j >= len(s) || s[j] != '.' {
			continue
		}
		j++
		k := j
		for k < len(s) && k-j < 3 && isDigit(s[k]) {
			k++
		}
		if k == j || k >= len(s) || s[k] != '.' {
			continue
		}
		k++
		l := k
		for l < len(s) && l-k < 3 && isDigit(s[l]) {
			l++
		}
		if l == k || (l < len(s) && (isDigit(s[l]) || s[l] == '.')) {
			continue
		}
		return s[i:l]
	}
	return ""
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// bounceSubjects are lower-case subject fragments of delivery failure notices.
var bounceSubjects = []string{
	"undeliver", "undelivered mail", "delivery status notification", "mail delivery failed",
	"delivery failure", "failure notice", "returned mail", "delivery has failed",
	"could not be delivered", "not delivered", "delivery notification", "mail system error",
	"bounce notification", "delivery delayed", "delayed mail", "warning: could not send",
	"mail delivery system", "non recapitabile", "mancato recapito", "unzustellbar",
	"nicht zustellbar", "non remis", "non distribuable", "échec de la remise",
	"no se puede entregar", "no entregado", "error de entrega", "rejected:",
}

// daemonNames are sender names of mail systems that send bounces.
var daemonNames = []string{"mailer-daemon", "mailer_daemon", "postmaster", "mail delivery", "mail-daemon", "mdaemon"}

// nonStandardBounce recognises bounces that are not RFC 3464 DSNs (qmail,
// Exim, Gmail text, Lotus Notes, ISP notices): a failed-recipients header, or
// a bounce subject together with a mail-system sender or a null return path.
func nonStandardBounce(m *Message) (string, bool) {
	if v := m.Header.Get("X-Failed-Recipients"); v != "" {
		return "X-Failed-Recipients: " + clip(v, 60), true
	}
	subj := strings.ToLower(m.Subject)
	subjectHit := ""
	for _, s := range bounceSubjects {
		if strings.Contains(subj, s) {
			subjectHit = s
			break
		}
	}
	if subjectHit == "" {
		return "", false
	}
	from := strings.ToLower(m.Header.Get("From"))
	for _, d := range daemonNames {
		if strings.Contains(from, d) {
			return "bounce from mail system: " + clip(m.Subject, 60), true
		}
	}
	rp := strings.TrimSpace(m.Header.Get("Return-Path"))
	if rp == "<>" || strings.HasPrefix(subj, "undeliverable") || strings.HasPrefix(subj, "undelivered mail returned") {
		return "bounce subject: " + clip(m.Subject, 60), true
	}
	return "", false
}

// textBounceRecipients reads failed addresses from a non-standard bounce:
// X-Failed-Recipients, else addresses in the notice text before the copy of
// the original message, with the first enhanced status code found there.
func textBounceRecipients(m *Message) []BouncedRecipient {
	var addrs []string
	for _, v := range m.Header.Values("X-Failed-Recipients") {
		for _, p := range strings.Split(v, ",") {
			if a := firstAddress(p); a != "" {
				addrs = append(addrs, a)
			}
		}
	}
	notice := bounceNotice(m.Text)
	if len(addrs) == 0 {
		addrs = noticeAddresses(m, notice)
	}
	status := firstStatus(notice)
	lower := strings.ToLower(notice)
	permanent := strings.HasPrefix(status, "5")
	if status == "" {
		permanent = !strings.Contains(lower, "delay") && !strings.Contains(lower, "will retry") &&
			!strings.Contains(lower, "temporar")
	}
	out := make([]BouncedRecipient, 0, len(addrs))
	for _, a := range addrs {
		out = append(out, BouncedRecipient{Address: a, Status: status, Permanent: permanent, Action: "failed"})
	}
	return out
}

// bounceNotice is the part of a bounce text before the returned message.
func bounceNotice(text string) string {
	const limit = 16 << 10
	if len(text) > limit {
		text = text[:limit]
	}
	lower := strings.ToLower(text)
	end := len(text)
	for _, marker := range []string{
		"this is a copy of the message", "below this line is a copy", "original message follows",
		"----- original message", "--- original message", "returned message", "original message headers",
		"\nreceived: ", "\nreturn-path:", "bounced e-mail:", "--- the header of the original message",
	} {
		if i := strings.Index(lower, marker); i >= 0 && i < end {
			end = i
		}
	}
	return text[:end]
}

// noticeAddresses lists distinct addresses in the notice that are not the
// bounce's own sender or recipients.
func noticeAddresses(m *Message, notice string) []string {
	skip := map[string]bool{}
	if m.From != nil {
		skip[strings.ToLower(m.From.Address)] = true
	}
	for _, a := range m.To {
		skip[strings.ToLower(a.Address)] = true
	}
	var out []string
	seen := map[string]bool{}
	rest := []byte(notice)
	for len(rest) > 0 && len(out) < 10 {
		i := bytes.IndexByte(rest, '@')
		if i < 0 {
			break
		}
		start := i
		for start > 0 && isAddrByte(rest[start-1]) {
			start--
		}
		end := i + 1
		for end < len(rest) && isAddrByte(rest[end]) {
			end++
		}
		a := firstAddress(string(rest[start:end]))
		rest = rest[end:]
		la := strings.ToLower(a)
		if a == "" || skip[la] || seen[la] || strings.HasPrefix(la, "mailer-daemon@") || strings.HasPrefix(la, "postmaster@") {
			continue
		}
		seen[la] = true
		out = append(out, a)
	}
	return out
}
