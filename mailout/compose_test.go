package mailout

import (
	"bytes"
	"io"
	"mime"
	"mime/multipart"
	"net/mail"
	"strings"
	"testing"
	"time"
)

func testDraft() Draft {
	return Draft{
		From:              "Acme S.r.l. <info@acme-srl.it>",
		ToName:            "Mario Rossi",
		To:                "mario.rossi@example.it",
		ReplyTo:           "Vendite <vendite@acme-srl.it>",
		Subject:           "Perché ci ha scritto: informativa sulla privacy",
		Text:              "Gentile Mario,\nla ringraziamo.\n",
		HTML:              "<p>Gentile Mario,<br>la ringraziamo.</p>",
		UnsubscribeURL:    "https://crm.acme-srl.it/u/TOKEN",
		UnsubscribeMailto: "unsubscribe+TOKEN@acme-srl.it",
		AutoSubmitted:     true,
		Headers:           []Header{{Name: "X-Basis-Outbox-ID", Value: "42"}},
		Date:              time.Date(2025, 3, 4, 10, 0, 0, 0, time.UTC),
	}
}

func mustCompose(t testing.TB, d Draft) *Composed {
	t.Helper()
	c, err := Compose(d)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func TestComposeHeaders(t *testing.T) {
	c := mustCompose(t, testDraft())
	m, err := mail.ReadMessage(bytes.NewReader(c.Raw))
	if err != nil {
		t.Fatalf("composed message does not parse: %v\n%s", err, c.Raw)
	}
	var dec mime.WordDecoder
	subject, err := dec.DecodeHeader(m.Header.Get("Subject"))
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"From":                  `"Acme S.r.l." <info@acme-srl.it>`,
		"To":                    `"Mario Rossi" <mario.rossi@example.it>`,
		"Reply-To":              `"Vendite" <vendite@acme-srl.it>`,
		"Message-Id":            c.MessageID,
		"List-Unsubscribe":      "<https://crm.acme-srl.it/u/TOKEN>, <mailto:unsubscribe+TOKEN@acme-srl.it>",
		"List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
		"Auto-Submitted":        "auto-generated",
		"X-Basis-Outbox-Id":     "42",
	}
	for k, v := range want {
		if got := m.Header.Get(k); got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if subject != testDraft().Subject {
		t.Errorf("Subject decodes to %q", subject)
	}
	if d, err := m.Header.Date(); err != nil || !d.Equal(testDraft().Date) {
		t.Errorf("Date = %v (%v)", d, err)
	}
	if c.EnvelopeFrom != "info@acme-srl.it" {
		t.Errorf("EnvelopeFrom = %q", c.EnvelopeFrom)
	}
	if !strings.HasPrefix(c.MessageID, "<") || !strings.HasSuffix(c.MessageID, "@acme-srl.it>") {
		t.Errorf("MessageID = %q, want <random@acme-srl.it>", c.MessageID)
	}
}

func TestComposeAlternativeBodies(t *testing.T) {
	d := testDraft()
	c := mustCompose(t, d)
	m, err := mail.ReadMessage(bytes.NewReader(c.Raw))
	if err != nil {
		t.Fatal(err)
	}
	mt, params, err := mime.ParseMediaType(m.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/alternative" {
		t.Fatalf("Content-Type %q (%v), want multipart/alternative", m.Header.Get("Content-Type"), err)
	}
	mr := multipart.NewReader(m.Body, params["boundary"])
	var types, bodies []string
	for {
		p, err := mr.NextPart() // decodes quoted-printable
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(p)
		types = append(types, strings.Split(p.Header.Get("Content-Type"), ";")[0])
		bodies = append(bodies, strings.ReplaceAll(string(b), "\r\n", "\n"))
	}
	if len(types) != 2 || types[0] != "text/plain" || types[1] != "text/html" {
		t.Fatalf("parts %v, want text/plain then text/html", types)
	}
	if bodies[0] != d.Text || bodies[1] != d.HTML {
		t.Errorf("bodies %q", bodies)
	}
}

func TestComposeUsesCRLFOnly(t *testing.T) {
	raw := mustCompose(t, testDraft()).Raw
	if bytes.Contains(bytes.ReplaceAll(raw, []byte("\r\n"), nil), []byte("\n")) {
		t.Errorf("bare LF in composed message:\n%s", raw)
	}
}

func TestComposeMessageIDsDiffer(t *testing.T) {
	a, b := mustCompose(t, testDraft()), mustCompose(t, testDraft())
	if a.MessageID == b.MessageID {
		t.Errorf("two messages share Message-ID %s", a.MessageID)
	}
}

func TestComposeRefusesBadInput(t *testing.T) {
	cases := map[string]func(*Draft){
		"bad from":         func(d *Draft) { d.From = "not an address" },
		"bad to":           func(d *Draft) { d.To = "nobody" },
		"no body":          func(d *Draft) { d.Text, d.HTML = "", "" },
		"http unsubscribe": func(d *Draft) { d.UnsubscribeURL = "http://crm.acme-srl.it/u/T" },
		"header injection": func(d *Draft) { d.Headers = []Header{{Name: "X-A", Value: "1\r\nBcc: x@y.z"}} },
		"bad header name":  func(d *Draft) { d.Headers = []Header{{Name: "X A", Value: "1"}} },
		"bad reply-to":     func(d *Draft) { d.ReplyTo = "@@" },
	}
	for name, mod := range cases {
		d := testDraft()
		mod(&d)
		if _, err := Compose(d); err == nil {
			t.Errorf("%s: composed without error", name)
		}
	}
}

func TestComposeSubjectCannotInjectHeaders(t *testing.T) {
	d := testDraft()
	d.Subject = "hello\r\nBcc: victim@example.org"
	c, err := Compose(d)
	if err != nil {
		return // refusing is fine too
	}
	m, err := mail.ReadMessage(bytes.NewReader(c.Raw))
	if err != nil {
		t.Fatal(err)
	}
	if m.Header.Get("Bcc") != "" {
		t.Errorf("subject injected a Bcc header:\n%s", c.Raw)
	}
}

func TestComposeSingleBody(t *testing.T) {
	for _, tc := range []struct{ text, html, want string }{
		{"solo testo\n", "", "text/plain"},
		{"", "<p>solo html</p>", "text/html"},
	} {
		d := testDraft()
		d.Text, d.HTML = tc.text, tc.html
		d.UnsubscribeURL, d.UnsubscribeMailto, d.AutoSubmitted = "", "", false
		m, err := mail.ReadMessage(bytes.NewReader(mustCompose(t, d).Raw))
		if err != nil {
			t.Fatal(err)
		}
		if ct := m.Header.Get("Content-Type"); !strings.HasPrefix(ct, tc.want) {
			t.Errorf("Content-Type %q, want %s", ct, tc.want)
		}
		for _, h := range []string{"List-Unsubscribe", "List-Unsubscribe-Post", "Auto-Submitted"} {
			if m.Header.Get(h) != "" {
				t.Errorf("%s present without being asked for", h)
			}
		}
	}
}

func TestUnsubscribeOverPlainHTTPOnlyOnLoopback(t *testing.T) {
	base := Draft{From: "Acme <info@acme-srl.it>", To: "mario@example.it", Subject: "Novità", Text: "ciao",
		UnsubscribeMailto: "unsubscribe+tok@acme-srl.it"}
	demo := base
	demo.UnsubscribeURL = "http://127.0.0.1:8080/u/tok"
	c, err := Compose(demo)
	if err != nil {
		t.Fatalf("loopback http (demo mode): %v", err)
	}
	if !strings.Contains(string(c.Raw), "List-Unsubscribe: <http://127.0.0.1:8080/u/tok>, <mailto:unsubscribe+tok@acme-srl.it>") ||
		!strings.Contains(string(c.Raw), "List-Unsubscribe-Post: List-Unsubscribe=One-Click") {
		t.Errorf("headers:\n%s", c.Raw)
	}
	public := base
	public.UnsubscribeURL = "http://crm.acme-srl.it/u/tok"
	if _, err := Compose(public); err == nil || !strings.Contains(err.Error(), "must be https") {
		t.Errorf("plain http on a public host: got %v, want a refusal naming web.base_url", err)
	}
}
