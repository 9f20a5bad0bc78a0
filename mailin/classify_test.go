package mailin

import (
	"os"
	"path/filepath"
	"testing"
)

// testClassifier is the configuration of the fictional Acme S.r.l.
var testClassifier = Classifier{
	StaffDomains:      []string{"acme-srl.it"},
	UnsubscribeMailto: "unsubscribe@acme-srl.it",
}

// mustFixture parses testdata/name.
func mustFixture(t testing.TB, name string) *Message {
	t.Helper()
	raw, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	return Parse(raw)
}

func TestClassifyFixtures(t *testing.T) {
	tests := []struct {
		file        string
		class       Class
		sender      Person
		forwardedBy string
		phone       string
		company     string
		token       string
	}{
		{file: "inquiry_it.eml", class: ClassInquiry, sender: Person{"Mario Rossì", "mario.rossi@rossi-impianti.it"}, phone: "+39 035 123 4567", company: "rossi-impianti.it"},
		{file: "inquiry_en.eml", class: ClassInquiry, sender: Person{"Jane Smith", "jane.smith1987@gmail.com"}, phone: "+44 7700 900123"},
		{file: "8bit_headers.eml", class: ClassInquiry, sender: Person{"Jürgen Müller", "juergen@mueller-gmbh.de"}, company: "mueller-gmbh.de"},
		{file: "fwd_gmail_it.eml", class: ClassForwarded, sender: Person{"Luca Verdi", "l.verdi@verdi-costruzioni.it"}, forwardedBy: "giulia.bianchi@acme-srl.it", phone: "333 123 4567", company: "verdi-costruzioni.it"},
		{file: "fwd_outlook_it.eml", class: ClassForwarded, sender: Person{"Bruno, Sara", "sara.bruno@example-ditta.it"}, forwardedBy: "p.neri@acme-srl.it", company: "example-ditta.it"},
		{file: "fwd_apple_html.eml", class: ClassForwarded, sender: Person{"Peter Müller", "peter@mueller-gmbh.de"}, forwardedBy: "anna@acme-srl.it", company: "mueller-gmbh.de"},
		{file: "fwd_attached.eml", class: ClassForwarded, sender: Person{"Luca Verdi", "l.verdi@verdi-costruzioni.it"}, forwardedBy: "giulia.bianchi@acme-srl.it", phone: "02 7654321", company: "verdi-costruzioni.it"},
		{file: "dsn.eml", class: ClassBounce},
		{file: "ooo_it.eml", class: ClassAutoReply, sender: Person{"Carla Blu", "carla@cliente.it"}},
		{file: "newsletter.eml", class: ClassList, sender: Person{"Fornitore News", "news@fornitore.example"}},
		{file: "spam.eml", class: ClassSpam, sender: Person{"Winner", "winner@lottery.example"}},
		{file: "unsubscribe_token.eml", class: ClassUnsubscribe, sender: Person{"Franco Rosa", "franco@rosa.example"}, token: "tk_9Zq3-XY"},
		{file: "unsubscribe_subject.eml", class: ClassUnsubscribe, sender: Person{"Franco Rosa", "franco@rosa.example"}},
		{file: "staff_plain.eml", class: ClassStaff, sender: Person{"Paolo Neri", "p.neri@acme-srl.it"}},
		{file: "missing_from.eml", class: ClassReview},
		{file: "broken_boundary.eml", class: ClassInquiry, sender: Person{"Broken Client", "someone@broken.example"}, company: "broken.example"},
		{file: "unknown_charset.eml", class: ClassInquiry, sender: Person{"Klaus", "klaus@klingon.example"}, company: "klingon.example"},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			m := mustFixture(t, tt.file)
			r := testClassifier.Classify(m)
			if r.Class != tt.class {
				t.Fatalf("class %s (%s), want %s", r.Class, r.Reason, tt.class)
			}
			if r.Reason == "" {
				t.Error("empty reason")
			}
			if r.Sender != tt.sender {
				t.Errorf("sender %+v, want %+v", r.Sender, tt.sender)
			}
			got := ""
			if r.ForwardedBy != nil {
				got = r.ForwardedBy.Address
			}
			if got != tt.forwardedBy {
				t.Errorf("forwarded by %q, want %q", got, tt.forwardedBy)
			}
			if r.Phone != tt.phone {
				t.Errorf("phone %q, want %q", r.Phone, tt.phone)
			}
			if r.Company != tt.company {
				t.Errorf("company %q, want %q", r.Company, tt.company)
			}
			if r.UnsubscribeToken != tt.token {
				t.Errorf("token %q, want %q", r.UnsubscribeToken, tt.token)
			}
		})
	}
}

func TestClassifyBounceRecipients(t *testing.T) {
	r := testClassifier.Classify(mustFixture(t, "dsn.eml"))
	if r.Bounce == nil || len(r.Bounce.Recipients) != 2 {
		t.Fatalf("bounce %+v, want two recipients", r.Bounce)
	}
	failed, delayed := r.Bounce.Recipients[0], r.Bounce.Recipients[1]
	if failed.Address != "nobody@example-ditta.it" || failed.Status != "5.1.1" || !failed.Permanent {
		t.Errorf("failed recipient %+v", failed)
	}
	if delayed.Address != "full@example-ditta.it" || delayed.Status != "4.2.2" || delayed.Permanent {
		t.Errorf("delayed recipient %+v", delayed)
	}
	if r.Bounce.ReportingMTA != "mx.acme-srl.it" {
		t.Errorf("reporting MTA %q", r.Bounce.ReportingMTA)
	}
}

func TestForwardedKeepsOriginalSubject(t *testing.T) {
	r := testClassifier.Classify(mustFixture(t, "fwd_attached.eml"))
	if r.OriginalSubject != "Richiesta listino" {
		t.Errorf("original subject %q", r.OriginalSubject)
	}
	if r.OriginalDate.IsZero() {
		t.Error("original date not read from the attached message")
	}
}

func TestStaffReplyWithQuotedBlockIsNotAForward(t *testing.T) {
	m := mustFixture(t, "staff_plain.eml")
	if fw, ok := ExtractForward(m); ok {
		t.Fatalf("a Re: with a quoted Outlook block was taken as a forward from %+v", fw.From)
	}
}

func TestSpamHeadersAreConfigurable(t *testing.T) {
	m := mustFixture(t, "spam.eml")
	c := testClassifier
	c.SpamHeaders = map[string]string{}
	if r := c.Classify(m); r.Class == ClassSpam {
		t.Error("spam check not disabled by an empty SpamHeaders")
	}
	c.SpamHeaders = map[string]string{"x-spam-status": "yes"}
	if r := c.Classify(m); r.Class != ClassSpam {
		t.Errorf("class %s with a custom spam header, want spam", r.Class)
	}
}

func TestUnsubscribeMailtoWithoutToken(t *testing.T) {
	m := Parse([]byte("From: a@b.example\r\nTo: Unsubscribe@ACME-SRL.IT\r\nSubject: hello\r\n\r\nbye\r\n"))
	r := testClassifier.Classify(m)
	if r.Class != ClassUnsubscribe || r.UnsubscribeToken != "" {
		t.Errorf("class %s token %q, want unsubscribe without token", r.Class, r.UnsubscribeToken)
	}
}

func TestBulkWithListHeadersIsListNotAutoReply(t *testing.T) {
	r := testClassifier.Classify(mustFixture(t, "newsletter.eml"))
	if r.Class != ClassList {
		t.Errorf("class %s (%s), want list", r.Class, r.Reason)
	}
}

func TestAutoSubmittedNoIsNotAutoReply(t *testing.T) {
	m := Parse([]byte("From: x@y.example\r\nAuto-Submitted: no\r\nSubject: hi\r\n\r\nbody\r\n"))
	if r := testClassifier.Classify(m); r.Class != ClassInquiry {
		t.Errorf("class %s (%s), want inquiry", r.Class, r.Reason)
	}
}

func TestSubdomainOfStaffDomainIsStaff(t *testing.T) {
	if !testClassifier.IsStaff("x@mail.ACME-SRL.it") {
		t.Error("subdomain not treated as staff")
	}
	if testClassifier.IsStaff("x@notacme-srl.it") {
		t.Error("suffix without a dot treated as staff")
	}
}
