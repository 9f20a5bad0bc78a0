package mailin

import (
	"net/mail"
	"strings"
	"time"
)

// Class is what an inbound message is, as recorded on the stored message.
type Class string

// The classes, in the order Classify decides them.
const (
	ClassBounce      Class = "bounce"      // delivery failure report (DSN or a known non-standard format)
	ClassAutoReply   Class = "autoreply"   // out-of-office, vacation, read receipt
	ClassList        Class = "list"        // mailing-list or bulk notification mail
	ClassSpam        Class = "spam"        // flagged as spam by the receiving server
	ClassUnsubscribe Class = "unsubscribe" // a request to stop mail
	ClassForwarded   Class = "forwarded"   // an inquiry forwarded by a staff member
	ClassReply       Class = "reply"       // set by the pipeline (needs the database), never by Classify
	ClassStaff       Class = "staff"       // mail from a staff address that is not a forward
	ClassInquiry     Class = "inquiry"     // a new inquiry: the sender becomes a prospect
	ClassReview      Class = "review"      // cannot be decided safely: a person looks at it
)

// Classifier holds the configuration classification depends on. The zero
// value works: no staff domains, the default spam headers, no unsubscribe address.
type Classifier struct {
	// StaffDomains are the organization's own domains
	// (organization.staff_domains); subdomains match too.
	StaffDomains []string
	// SpamHeaders maps a header field to the value that marks spam, both
	// compared case-insensitively. Nil means DefaultSpamHeaders; an empty
	// non-nil map disables the check.
	SpamHeaders map[string]string
	// UnsubscribeMailto is the address campaign mail offers for unsubscribing,
	// e.g. "unsubscribe@acme-srl.it"; mail to "unsubscribe+TOKEN@acme-srl.it"
	// carries TOKEN.
	UnsubscribeMailto string
}

// DefaultSpamHeaders is used when Classifier.SpamHeaders is nil.
var DefaultSpamHeaders = map[string]string{"X-Spam-Flag": "YES"}

// Person is a name and an address; either may be empty.
type Person struct {
	Name    string
	Address string
}

// Result is the outcome of Classify.
type Result struct {
	Class  Class
	Reason string // human-readable why, e.g. "Auto-Submitted: auto-replied"

	// Sender is who the prospect would be: the From of direct mail, the
	// original sender of a forward.
	Sender          Person
	ForwardedBy     *mail.Address // the staff member, for forwards
	OriginalSubject string        // of the forwarded message
	OriginalDate    time.Time     // of the forwarded message, when it could be read

	Bounce           *Bounce // for ClassBounce
	UnsubscribeToken string  // from an unsubscribe+TOKEN@ recipient, if any

	Phone    string // from a simple signature, if present
	Company  string // hint: the sender's domain when it is not a free-mail provider
	Language string // "it" or "en" when the inquiry is in that language (GuessLanguage), else ""
}

// Classify decides what m is. The order is the product's: bounce, auto-reply,
// list, spam, unsubscribe, forwarded inquiry, staff, inquiry. Replies are
// recognised later by the pipeline, which upgrades ClassStaff or ClassInquiry
// to ClassReply. A message without a usable From is ClassReview.
func (c Classifier) Classify(m *Message) Result {
	if m == nil {
		return Result{Class: ClassReview, Reason: "no message"}
	}
	if r, ok := classifyBounce(m); ok {
		return r
	}
	if reason, ok := autoReplyReason(m); ok {
		return Result{Class: ClassAutoReply, Reason: reason, Sender: fromPerson(m)}
	}
	if reason, ok := listReason(m); ok {
		return Result{Class: ClassList, Reason: reason, Sender: fromPerson(m)}
	}
	if reason, ok := c.spamReason(m); ok {
		return Result{Class: ClassSpam, Reason: reason, Sender: fromPerson(m)}
	}
	if m.From == nil || m.From.Address == "" {
		return Result{Class: ClassReview, Reason: noFromReason(m)}
	}
	if r, ok := c.classifyUnsubscribe(m); ok {
		return r
	}
	if c.IsStaff(m.From.Address) {
		if fw, ok := ExtractForward(m); ok {
			return forwardResult(m, fw)
		}
		return Result{Class: ClassStaff, Reason: "from staff domain " + domainOf(m.From.Address), Sender: fromPerson(m)}
	}
	return inquiryResult(m)
}

func noFromReason(m *Message) string {
	if m.Header.Get("From") == "" {
		if m.ParseError != nil {
			return "no From header; " + m.ParseError.Error()
		}
		return "no From header"
	}
	return "From header has no usable address: " + clip(m.Header.Get("From"), 80)
}

func fromPerson(m *Message) Person {
	if m.From == nil {
		return Person{}
	}
	return Person{Name: strings.TrimSpace(m.From.Name), Address: m.From.Address}
}

// IsStaff reports whether addr belongs to one of the staff domains (or a
// subdomain of one).
func (c Classifier) IsStaff(addr string) bool {
	d := domainOf(addr)
	if d == "" {
		return false
	}
	for _, s := range c.StaffDomains {
		s = strings.ToLower(strings.TrimPrefix(strings.TrimSpace(s), "@"))
		if s != "" && (d == s || strings.HasSuffix(d, "."+s)) {
			return true
		}
	}
	return false
}

// domainOf returns the lower-case domain of an address.
func domainOf(addr string) string {
	i := strings.LastIndexByte(addr, '@')
	if i < 0 {
		return ""
	}
	return strings.ToLower(strings.TrimRight(strings.TrimSpace(addr[i+1:]), ">."))
}

// inquiryResult is step 9: the sender becomes a prospect.
func inquiryResult(m *Message) Result {
	p := fromPerson(m)
	return Result{
		Class:    ClassInquiry,
		Reason:   "direct mail from " + p.Address,
		Sender:   p,
		Phone:    SignaturePhone(m.Text),
		Company:  CompanyHint(p.Address),
		Language: GuessLanguage(m.Header.Get("Content-Language"), m.Text),
	}
}

// forwardResult is step 6: the original sender becomes the prospect.
func forwardResult(m *Message, fw Forward) Result {
	r := Result{
		Class:           ClassForwarded,
		Reason:          "forwarded by staff (" + fw.Style + ")",
		Sender:          fw.From,
		ForwardedBy:     m.From,
		OriginalSubject: fw.Subject,
		OriginalDate:    fw.Date,
		Phone:           SignaturePhone(fw.Text),
		Company:         CompanyHint(fw.From.Address),
		Language:        GuessLanguage(forwardedContentLanguage(fw), fw.Text),
	}
	if fw.From.Address == "" {
		r.Class = ClassReview
		r.Reason = "forwarded by staff (" + fw.Style + ") but the original sender's address cannot be recovered"
	}
	return r
}

// forwardedContentLanguage is the Content-Language of a forward attached
// whole; an inline forward has none (the staff's client wrote the header).
func forwardedContentLanguage(fw Forward) string {
	if fw.Attached == nil {
		return ""
	}
	return fw.Attached.Header.Get("Content-Language")
}
