package mailin

import (
	"bytes"
	"mime"
)

// StaffEnvelope wraps a body-only sample (the text of a forward as a mail
// client produced it) in a minimal message from a staff member, so tests
// and tools can run it through Parse and Classify. html selects text/html
// instead of text/plain; the body is declared UTF-8 and kept byte for byte.
func StaffEnvelope(from, subject string, html bool, body []byte) []byte {
	ct := "text/plain"
	if html {
		ct = "text/html"
	}
	var b bytes.Buffer
	b.Grow(len(body) + 300)
	b.WriteString("From: " + from + "\r\n")
	b.WriteString("To: info@acme-srl.it\r\n")
	b.WriteString("Subject: " + mime.QEncoding.Encode("utf-8", subject) + "\r\n")
	b.WriteString("Date: Mon, 03 Nov 2025 10:00:00 +0100\r\n")
	b.WriteString("Message-ID: <staff-envelope@acme-srl.it>\r\n")
	b.WriteString("MIME-Version: 1.0\r\n")
	b.WriteString("Content-Type: " + ct + "; charset=utf-8\r\n")
	b.WriteString("Content-Transfer-Encoding: 8bit\r\n\r\n")
	b.Write(body)
	return b.Bytes()
}
