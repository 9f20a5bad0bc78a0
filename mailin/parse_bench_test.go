package mailin

import (
	"bytes"
	"strings"
	"testing"
)

// inquiry4K builds a realistic ~4 KB inquiry: Received chain, authentication
// results, multipart/alternative with a signature.
func inquiry4K() []byte {
	var b bytes.Buffer
	for i := 0; i < 4; i++ {
		b.WriteString("Received: from mail.rossi-impianti.it (mail.rossi-impianti.it [203.0.113.7])\r\n\tby mx.acme-srl.it (Postfix) with ESMTPS id 4N1abc2XyZ\r\n\tfor <info@acme-srl.it>; Tue, 04 Nov 2025 09:12:45 +0100 (CET)\r\n")
	}
	b.WriteString("Authentication-Results: mx.acme-srl.it; spf=pass smtp.mailfrom=rossi-impianti.it; dkim=pass header.d=rossi-impianti.it; dmarc=pass\r\n")
	b.WriteString("From: =?UTF-8?Q?Mario_Ross=C3=AC?= <mario.rossi@rossi-impianti.it>\r\nTo: info@acme-srl.it\r\n")
	b.WriteString("Subject: =?UTF-8?Q?Richiesta_preventivo_=E2=80=93_capannone?=\r\nDate: Tue, 04 Nov 2025 09:12:44 +0100\r\n")
	b.WriteString("Message-ID: <CAKx1@rossi-impianti.it>\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary=\"b1\"\r\n\r\n")
	para := "Buongiorno, vorremmo ricevere un preventivo per la fornitura di pannelli per il nostro capannone di Bergamo.\r\n"
	b.WriteString("--b1\r\nContent-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n")
	b.WriteString(strings.Repeat(para, 10))
	b.WriteString("\r\nCordiali saluti,\r\nMario Rossi\r\nTel. +39 035 123 4567\r\n\r\n")
	b.WriteString("--b1\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n<div>")
	b.WriteString(strings.Repeat("<p>"+para+"</p>", 10))
	b.WriteString("</div>\r\n--b1--\r\n")
	return b.Bytes()
}

func BenchmarkParseClassify(b *testing.B) {
	raw := inquiry4K()
	b.SetBytes(int64(len(raw)))
	b.ReportAllocs()
	for b.Loop() {
		m := Parse(raw)
		if r := testClassifier.Classify(m); r.Class != ClassInquiry {
			b.Fatalf("class %s", r.Class)
		}
	}
}

func BenchmarkParseClassifyOneMegabyteLine(b *testing.B) {
	raw := oneMegabyteLine()
	c := Classifier{StaffDomains: []string{"line.example"}}
	b.SetBytes(int64(len(raw)))
	for b.Loop() {
		c.Classify(Parse(raw))
	}
}
