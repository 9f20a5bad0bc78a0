package mailin

import (
	"bytes"
	"crypto/sha256"
	"errors"
	"strings"
	"testing"
)

func TestParseKeepsRawAndHash(t *testing.T) {
	m := mustFixture(t, "inquiry_it.eml")
	if m.SHA256 != sha256.Sum256(m.Raw) {
		t.Error("SHA256 does not match Raw")
	}
	if m.ParseError != nil {
		t.Errorf("unexpected parse error: %v", m.ParseError)
	}
	if m.MessageID != "CAKx1@rossi-impianti.it" {
		t.Errorf("Message-ID %q", m.MessageID)
	}
	if m.Subject != "Richiesta preventivo per fornitura – capannone" {
		t.Errorf("subject %q", m.Subject)
	}
	if !strings.Contains(m.Text, "È possibile") && !strings.Contains(m.Text, "è possibile") {
		t.Errorf("ISO-8859-1 quoted-printable body not decoded: %q", clip(m.Text, 200))
	}
	if len(m.AuthenticationResults) != 1 || !strings.Contains(m.AuthenticationResults[0], "dmarc=pass") {
		t.Errorf("Authentication-Results %q", m.AuthenticationResults)
	}
	if m.Date.IsZero() || m.Date.Year() != 2025 {
		t.Errorf("date %v", m.Date)
	}
}

func TestParseProblems(t *testing.T) {
	tests := []struct {
		file string
		want error
	}{
		{"broken_boundary.eml", ErrBrokenBoundary},
		{"unknown_charset.eml", ErrUnknownCharset},
		{"missing_from.eml", ErrNoFrom},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			m := mustFixture(t, tt.file)
			if !errors.Is(m.ParseError, tt.want) {
				t.Fatalf("ParseError %v, want %v", m.ParseError, tt.want)
			}
			if !strings.HasPrefix(m.ParseError.Error(), "mailin: parse: ") {
				t.Errorf("error %q lacks the package prefix", m.ParseError)
			}
		})
	}
}

func TestBrokenBoundaryKeepsTheText(t *testing.T) {
	m := mustFixture(t, "broken_boundary.eml")
	if !strings.Contains(m.Text, "I would like a quote.") {
		t.Errorf("text lost: %q", m.Text)
	}
}

func TestUnknownCharsetReplacesNeverDrops(t *testing.T) {
	m := mustFixture(t, "unknown_charset.eml")
	if !strings.Contains(m.Text, "Café ordering") {
		t.Errorf("body %q: the Latin-1 byte was not kept", m.Text)
	}
	if !strings.Contains(m.Subject, "qapla") {
		t.Errorf("subject %q", m.Subject)
	}
}

func TestEightBitHeadersAreDecoded(t *testing.T) {
	m := mustFixture(t, "8bit_headers.eml")
	if m.Subject != "Anfrage für Preise" {
		t.Errorf("subject %q", m.Subject)
	}
	if m.From == nil || m.From.Name != "Jürgen Müller" {
		t.Errorf("from %+v", m.From)
	}
}

func TestHTMLOnlyMailGetsPlainText(t *testing.T) {
	m := mustFixture(t, "fwd_apple_html.eml")
	if m.HTML == "" {
		t.Fatal("HTML part not kept")
	}
	if strings.Contains(m.Text, "<div") || strings.Contains(m.Text, "<b>") || !strings.Contains(m.Text, "Could we book a demo next week?") {
		t.Errorf("plain-text rendering %q", m.Text)
	}
}

func TestAttachedMessagesAreParsedNested(t *testing.T) {
	m := mustFixture(t, "fwd_attached.eml")
	if len(m.Forwarded) != 1 || len(m.Forwarded[0].Forwarded) != 1 {
		t.Fatalf("forwarded tree: %d outer", len(m.Forwarded))
	}
	if got := m.Forwarded[0].Forwarded[0].From.Address; got != "earlier@old-thread.example" {
		t.Errorf("nested sender %q", got)
	}
	if len(m.Attachments) != 1 || m.Attachments[0].Filename != "Richiesta listino.eml" || m.Attachments[0].ContentType != "message/rfc822" {
		t.Errorf("attachments %+v", m.Attachments)
	}
}

func TestMissingClosingBoundaryKeepsParts(t *testing.T) {
	raw := "From: a@b.example\r\nContent-Type: multipart/mixed; boundary=X\r\n\r\n--X\r\nContent-Type: text/plain\r\n\r\nhello there\r\n"
	m := Parse([]byte(raw))
	if !errors.Is(m.ParseError, ErrUnterminatedMultipart) {
		t.Errorf("ParseError %v", m.ParseError)
	}
	if strings.TrimSpace(m.Text) != "hello there" {
		t.Errorf("text %q", m.Text)
	}
}

func TestParseNeverFails(t *testing.T) {
	for _, raw := range []string{"", "\r\n", "garbage without header", ":", "From:\r\n\r\n", "Content-Type: multipart/mixed\r\n\r\n--\r\n"} {
		m := Parse([]byte(raw))
		if m == nil || m.SHA256 != sha256.Sum256([]byte(raw)) {
			t.Errorf("Parse(%q) lost the raw message", raw)
		}
		if r := testClassifier.Classify(m); r.Class != ClassReview {
			t.Errorf("Parse(%q): class %s, want review", raw, r.Class)
		}
	}
}

// oneMegabyteLine makes an inquiry whose body is a single 1 MB line.
func oneMegabyteLine() []byte {
	var b bytes.Buffer
	b.WriteString("From: Long Line <long@line.example>\r\nTo: info@acme-srl.it\r\nSubject: Fwd: long\r\n\r\n")
	b.WriteString(strings.Repeat("From: x <y@z.example> wrote: ", 1<<20/29))
	b.WriteString("\r\n")
	return b.Bytes()
}

func TestOneMegabyteLine(t *testing.T) {
	raw := oneMegabyteLine()
	m := Parse(raw)
	if len(m.Text) < 1<<20-100 {
		t.Errorf("text has %d bytes, want the whole line", len(m.Text))
	}
	r := testClassifier.Classify(m)
	if r.Class != ClassInquiry {
		t.Errorf("class %s (%s), want inquiry", r.Class, r.Reason)
	}
	c := Classifier{StaffDomains: []string{"line.example"}}
	c.Classify(m) // forward extraction over the long line must end
}

func TestCROnlyLineEndings(t *testing.T) {
	m := Parse([]byte("From: Mac User <mac@old.example>\rSubject: classic\r\rHello from 1999\r"))
	if m.From == nil || m.From.Address != "mac@old.example" || m.Subject != "classic" || strings.TrimSpace(m.Text) != "Hello from 1999" {
		t.Errorf("from %+v subject %q text %q", m.From, m.Subject, m.Text)
	}
}
