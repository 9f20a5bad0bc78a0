package mailin

import "time"

// Forward is a forwarded message found inside another one.
type Forward struct {
	From    Person    // the original sender (either field may be empty when not recoverable)
	Subject string    // the original subject, when known
	Date    time.Time // the original date, when it could be read
	// Style says how it was found: "attachment" (message/rfc822), "banner"
	// ("---------- Forwarded message ---------" and its translations),
	// "original-message" ("-----Original Message-----"), "header-block"
	// (a From:/Sent:/To:/Subject: block), "separator" (a rule line above such a
	// block) or "attribution" ("On ..., X <x@y> wrote:").
	Style    string
	Attached *Message // the attached message, for Style "attachment"
	Text     string   // the forwarded message's text, as far as it can be told apart
}

// ExtractForward finds the outermost forwarded message in m: the one the
// forwarding person received. Attachments (message/rfc822, possibly nested)
// and inline forwards are both recognised. Inline blocks that also appear in
// replies (header blocks, "Original Message", attribution lines) count as a
// forward only when the subject says so (FW:, Fwd:, I:, TR:, WG:, RV:, ...);
// an "Original Message" block also counts when the subject is not a reply.
// It does not look at who sent m: Classify checks the staff domain.
func ExtractForward(m *Message) (Forward, bool) {
	if m == nil {
		return Forward{}, false
	}
	hit := scanInline(m.Text)
	if hit.found && hit.style == "banner" {
		return hit.forward(), true
	}
	if len(m.Forwarded) > 0 {
		return attachedForward(m.Forwarded[0]), true
	}
	if !hit.found {
		return Forward{}, false
	}
	switch hit.style {
	case "original-message":
		if isReplySubject(m.Subject) {
			return Forward{}, false
		}
		return hit.forward(), true
	default:
		if isForwardSubject(m.Subject) {
			return hit.forward(), true
		}
	}
	return Forward{}, false
}

func attachedForward(f *Message) Forward {
	fw := Forward{Style: "attachment", Attached: f, Subject: f.Subject, Date: f.Date, Text: f.Text}
	if f.From != nil {
		fw.From = Person{Name: cleanName(f.From.Name), Address: f.From.Address}
	}
	return fw
}
