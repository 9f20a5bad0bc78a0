// Package mailgen makes realistic inquiry mail for the ingest benchmark and
// the crash test: direct inquiries from a pool of senders, inquiries
// forwarded by staff (Gmail style, in Italian), a few with a PDF attached,
// and a few delivery failure reports. The output is deterministic for a Mix.
package mailgen

import (
	"encoding/base64"
	"fmt"
	"math/rand/v2"
	"strings"
	"time"
)

// Mix says what to generate. Every Nth message is of the given kind; 0
// turns a kind off. Message i is a forward when i%ForwardEvery == 0, else a
// bounce when i%BounceEvery == 0, else a direct inquiry; any inquiry carries
// an attachment when i%AttachEvery == 0.
type Mix struct {
	N            int    // messages
	Senders      int    // distinct people writing in (1,000 by default)
	ForwardEvery int    // every Nth message is forwarded by staff
	BounceEvery  int    // every Nth message is a delivery failure report
	AttachEvery  int    // every Nth inquiry carries a PDF attachment
	Size         int    // target size of an inquiry in bytes (4 KB by default)
	StaffDomain  string // the organization's domain (acme-srl.it by default)
}

// Kind is what one generated message is.
type Kind int

// The kinds of generated message.
const (
	Direct Kind = iota
	Forwarded
	Bounce
)

// Kind returns what message i of the mix is.
func (m Mix) Kind(i int) Kind {
	switch {
	case m.ForwardEvery > 0 && i%m.ForwardEvery == 0:
		return Forwarded
	case m.BounceEvery > 0 && i%m.BounceEvery == 0:
		return Bounce
	}
	return Direct
}

func (m Mix) withDefaults() Mix {
	if m.Senders <= 0 {
		m.Senders = 1000
	}
	if m.Size <= 0 {
		m.Size = 4096
	}
	if m.StaffDomain == "" {
		m.StaffDomain = "acme-srl.it"
	}
	return m
}

// Sender returns the address of the person behind inquiry i (direct or
// forwarded); "" for a bounce.
func (m Mix) Sender(i int) string {
	m = m.withDefaults()
	if m.Kind(i) == Bounce {
		return ""
	}
	p := person(i % m.Senders)
	return p.addr
}

// SenderSet returns the distinct addresses that inquiries of the mix come from.
func (m Mix) SenderSet() map[string]bool {
	set := map[string]bool{}
	for i := range m.N {
		if s := m.Sender(i); s != "" {
			set[s] = true
		}
	}
	return set
}

var (
	firstNames = []string{"Mario", "Giulia", "Luca", "Francesca", "Marco", "Chiara", "Andrea", "Sara", "Paolo", "Elena",
		"Stefano", "Laura", "Davide", "Anna", "Matteo", "Valentina", "Peter", "Claire", "Hans", "Sophie"}
	lastNames = []string{"Rossi", "Russo", "Ferrari", "Esposito", "Bianchi", "Romano", "Colombo", "Ricci", "Marino",
		"Greco", "Bruno", "Gallo", "Conti", "De Luca", "Costa", "Giordano", "Müller", "Dubois", "Smith", "Fontana"}
	domains = []string{"gmail.com", "libero.it", "outlook.com", "verdi-costruzioni.it", "studio-bruno.it",
		"ferramenta-gallo.it", "hotel-conti.it", "example-gmbh.de", "atelier-dubois.fr", "tecnoimpianti.it"}
	subjects = []string{"Richiesta preventivo", "Informazioni prodotti", "Richiesta catalogo", "Disponibilità e prezzi",
		"Request for quotation", "Preventivo fornitura", "Informazioni su installazione", "Domanda sui tempi di consegna"}
	words = strings.Fields(`buongiorno vorrei ricevere un preventivo per la fornitura di serramenti in alluminio
		per un edificio di tre piani con consegna entro fine mese e installazione inclusa se possibile
		mi interessa anche sapere i tempi di garanzia le modalità di pagamento e se fate sopralluoghi
		gratuiti in provincia grazie per la disponibilità cordiali saluti resto in attesa di un vostro riscontro`)
)

type who struct{ name, addr string }

// person returns sender number k of the pool.
func person(k int) who {
	f := firstNames[k%len(firstNames)]
	l := lastNames[(k/len(firstNames))%len(lastNames)]
	d := domains[(k/7)%len(domains)]
	local := strings.ToLower(strings.ReplaceAll(f+"."+l, " ", ""))
	local = strings.NewReplacer("ü", "ue").Replace(local)
	return who{name: f + " " + l, addr: fmt.Sprintf("%s.%d@%s", local, k, d)}
}

// Message returns message i of the mix, as raw RFC 5322 bytes with CRLF line ends.
func (m Mix) Message(i int) []byte {
	m = m.withDefaults()
	rnd := rand.New(rand.NewPCG(uint64(i), 42))
	date := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC).Add(time.Duration(i) * time.Minute)
	switch m.Kind(i) {
	case Forwarded:
		return m.forward(i, rnd, date)
	case Bounce:
		return m.bounce(i, date)
	}
	p := person(i % m.Senders)
	var h strings.Builder
	fmt.Fprintf(&h, "Return-Path: <%s>\r\n", p.addr)
	fmt.Fprintf(&h, "Received: from mx.example.net (mx.example.net [192.0.2.%d])\r\n\tby mx.%s with ESMTPS id %X\r\n\tfor <info@%s>; %s\r\n",
		i%250+1, m.StaffDomain, rnd.Uint64(), m.StaffDomain, date.Format(time.RFC1123Z))
	fmt.Fprintf(&h, "Authentication-Results: mx.%s; spf=pass smtp.mailfrom=%s; dkim=pass header.d=%s\r\n",
		m.StaffDomain, p.addr, p.addr[strings.IndexByte(p.addr, '@')+1:])
	fmt.Fprintf(&h, "From: %s <%s>\r\nTo: Info <info@%s>\r\n", p.name, p.addr, m.StaffDomain)
	fmt.Fprintf(&h, "Subject: %s #%d\r\nDate: %s\r\nMessage-ID: <inq-%d.%x@example.net>\r\nMIME-Version: 1.0\r\n",
		subjects[i%len(subjects)], i, date.Format(time.RFC1123Z), i, rnd.Uint32())
	body := text(rnd, m.Size-h.Len()-200) + "\r\n--\r\n" + p.name + "\r\nTel. +39 02 " + fmt.Sprintf("%04d %04d", i%10000, rnd.IntN(10000)) + "\r\n"
	if m.AttachEvery > 0 && i%m.AttachEvery == 0 {
		return []byte(h.String() + attached(i, rnd, body))
	}
	return []byte(h.String() + "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + body)
}

// forward is an inquiry forwarded inline by a staff member, as Gmail writes it.
func (m Mix) forward(i int, rnd *rand.Rand, date time.Time) []byte {
	p := person(i % m.Senders)
	staff := fmt.Sprintf("giulia.bianchi@%s", m.StaffDomain)
	subj := subjects[i%len(subjects)]
	var b strings.Builder
	fmt.Fprintf(&b, "From: Giulia Bianchi <%s>\r\nTo: crm@%s\r\nSubject: Fwd: %s #%d\r\n", staff, m.StaffDomain, subj, i)
	fmt.Fprintf(&b, "Date: %s\r\nMessage-ID: <fwd-%d.%x@%s>\r\nMIME-Version: 1.0\r\n", date.Format(time.RFC1123Z), i, rnd.Uint32(), m.StaffDomain)
	b.WriteString("Content-Type: text/plain; charset=UTF-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n")
	b.WriteString("Vi giro questa richiesta arrivata sulla mia casella.\r\n\r\n---------- Forwarded message ---------\r\n")
	fmt.Fprintf(&b, "Da: %s <%s>\r\nDate: lun 2 mar 2026 alle ore 08:%02d\r\nSubject: %s #%d\r\nTo: <%s>\r\n\r\n\r\n",
		p.name, p.addr, i%60, subj, i, staff)
	b.WriteString(text(rnd, m.Size-b.Len()-100))
	fmt.Fprintf(&b, "\r\n%s\r\nCellulare: 333 %07d\r\n", p.name, i%10000000)
	return []byte(b.String())
}

// bounce is an RFC 3464 report of a permanent failure.
func (m Mix) bounce(i int, date time.Time) []byte {
	rcpt := fmt.Sprintf("nobody.%d@example-ditta.it", i)
	return []byte(fmt.Sprintf("From: Mail Delivery System <MAILER-DAEMON@mx.%[1]s>\r\nTo: newsletter@%[1]s\r\n"+
		"Subject: Undelivered Mail Returned to Sender\r\nDate: %[2]s\r\nMessage-ID: <dsn-%[3]d@mx.%[1]s>\r\nAuto-Submitted: auto-replied\r\n"+
		"MIME-Version: 1.0\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=\"B%[3]d\"\r\n\r\n"+
		"--B%[3]d\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n\r\n"+
		"--B%[3]d\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.%[1]s\r\n\r\n"+
		"Final-Recipient: rfc822; %[4]s\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\r\n\r\n"+
		"--B%[3]d\r\nContent-Type: text/rfc822-headers\r\n\r\nFrom: newsletter@%[1]s\r\nTo: %[4]s\r\nSubject: Novità di marzo\r\n\r\n"+
		"--B%[3]d--\r\n", m.StaffDomain, date.Format(time.RFC1123Z), i, rcpt))
}

// Big returns an inquiry of about size bytes: a short text and a large
// base64 attachment.
func Big(size int) []byte {
	m := Mix{N: 1}.withDefaults()
	rnd := rand.New(rand.NewPCG(1, 42))
	p := person(1)
	head := fmt.Sprintf("From: %s <%s>\r\nTo: info@%s\r\nSubject: Disegni del progetto\r\nDate: Mon, 02 Mar 2026 09:00:00 +0000\r\n"+
		"Message-ID: <big-%x@example.net>\r\nMIME-Version: 1.0\r\n", p.name, p.addr, m.StaffDomain, rnd.Uint64())
	return []byte(head + attachedN(0, rnd, text(rnd, 2000), size*3/4))
}

// attached wraps body in multipart/mixed with a small PDF.
func attached(i int, rnd *rand.Rand, body string) string { return attachedN(i, rnd, body, 6000) }

// attachedN wraps body in multipart/mixed with a PDF of n bytes.
func attachedN(i int, rnd *rand.Rand, body string, n int) string {
	pdf := make([]byte, n)
	for k := range pdf {
		pdf[k] = byte(rnd.IntN(256))
	}
	copy(pdf, "%PDF-1.4\n")
	enc := base64.StdEncoding.EncodeToString(pdf)
	var b strings.Builder
	fmt.Fprintf(&b, "Content-Type: multipart/mixed; boundary=\"mix-%d\"\r\n\r\n--mix-%d\r\n", i, i)
	b.WriteString("Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n" + body)
	fmt.Fprintf(&b, "--mix-%d\r\nContent-Type: application/pdf; name=\"capitolato-%d.pdf\"\r\n", i, i)
	fmt.Fprintf(&b, "Content-Disposition: attachment; filename=\"capitolato-%d.pdf\"\r\nContent-Transfer-Encoding: base64\r\n\r\n", i)
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	fmt.Fprintf(&b, "%s\r\n--mix-%d--\r\n", enc, i)
	return b.String()
}

// text returns about n bytes of inquiry prose in lines of at most 78 characters.
func text(rnd *rand.Rand, n int) string {
	var b, line strings.Builder
	for b.Len()+line.Len() < n {
		w := words[rnd.IntN(len(words))]
		if line.Len()+len(w)+1 > 76 {
			b.WriteString(line.String() + "\r\n")
			line.Reset()
		}
		if line.Len() > 0 {
			line.WriteByte(' ')
		}
		line.WriteString(w)
	}
	b.WriteString(line.String() + "\r\n")
	return b.String()
}
