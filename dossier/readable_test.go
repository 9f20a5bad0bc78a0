package dossier

import (
	"strings"
	"testing"
)

func TestReadableMessage(t *testing.T) {
	cases := []struct {
		name      string
		raw       string
		want      []string
		wantEmpty bool
	}{{
		name: "quoted-printable in Latin-1 with an encoded subject",
		raw: "From: =?ISO-8859-1?Q?Jos=E9_Garc=EDa?= <jose@example.es>\r\nTo: info@acme-srl.it\r\n" +
			"Subject: =?UTF-8?B?UHJldmVudGl2byBwZXIgbGEgc2VkZSBkaSBNw7xuY2hlbg==?=\r\n" +
			"Content-Type: text/plain; charset=ISO-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n" +
			"Quest'anno la qualit=E0 =E8 migliorata, gra=\r\nzie.\r\n",
		want: []string{"From: José García <jose@example.es>", "Subject: Preventivo per la sede di München",
			"Quest'anno la qualità è migliorata, grazie."},
	}, {
		name: "alternative parts: the plain text wins, the attachment is named",
		raw: "From: a@example.com\r\nSubject: Offer\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary=OUT\r\n\r\n" +
			"--OUT\r\nContent-Type: multipart/alternative; boundary=IN\r\n\r\n" +
			"--IN\r\nContent-Type: text/plain; charset=utf-8\r\n\r\nPlain words.\r\n" +
			"--IN\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>HTML words</p>\r\n--IN--\r\n" +
			"--OUT\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename=\"listino.pdf\"\r\n" +
			"Content-Transfer-Encoding: base64\r\n\r\nJVBERi0xLjQK\r\n--OUT--\r\n",
		want: []string{"Plain words.", "[attachment: listino.pdf application/pdf]"},
	}, {
		name: "HTML only, base64",
		raw: "From: b@example.com\r\nSubject: Hi\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n" +
			"PGh0bWw+PGhlYWQ+PHN0eWxlPnAge308L3N0eWxlPjwvaGVhZD48Ym9keT48cD5CdW9uZ2lvcm5vLDwvcD48cD5tYW5kYXRlIGlsIGxpc3Rpbm8uPC9wPjwvYm9keT48L2h0bWw+\r\n",
		want: []string{"Buongiorno,", "mandate il listino."},
	}, {
		// A charset or transfer encoding nobody knows is no reason to show
		// nothing: the headers decode, the text is shown as it is, as for
		// such a part inside a multipart message.
		name: "unknown charset",
		raw:  "From: =?UTF-8?Q?Jos=C3=A9?= <jose@example.es>\r\nSubject: ciao\r\nContent-Type: text/plain; charset=x-nonesuch\r\n\r\nBuongiorno, vorrei un preventivo.\r\n",
		want: []string{"From: José <jose@example.es>", "Buongiorno, vorrei un preventivo."},
	}, {
		name: "unknown transfer encoding",
		raw:  "From: a@example.com\r\nSubject: ciao\r\nContent-Transfer-Encoding: x-weird\r\n\r\nBuongiorno.\r\n",
		want: []string{"Subject: ciao", "Buongiorno."},
	}, {
		name:      "not a message",
		raw:       "\x00\x01\x02",
		wantEmpty: true,
	}}
	for _, c := range cases {
		got := readableMessage([]byte(c.raw))
		if c.wantEmpty {
			if strings.TrimSpace(got) != "" {
				t.Errorf("%s: got %q, want nothing", c.name, got)
			}
			continue
		}
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", c.name, got, w)
			}
		}
		if strings.Contains(got, "HTML words") || strings.Contains(got, "p {") {
			t.Errorf("%s: %q shows the HTML alternative or a style sheet", c.name, got)
		}
	}
}
