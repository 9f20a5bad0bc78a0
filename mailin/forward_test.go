package mailin

import (
	"strings"
	"testing"
)

func TestExtractForwardStyles(t *testing.T) {
	tests := []struct {
		name, subject, body string
		want                Person
		style               string
	}{
		{"gmail it", "Fwd: x", "nota\n\n---------- Forwarded message ---------\nDa: Luca Verdi <l@verdi.example>\nDate: oggi\nSubject: x\nTo: <a@acme-srl.it>\n\nciao", Person{"Luca Verdi", "l@verdi.example"}, "banner"},
		{"outlook mailto", "I: x", "-----Messaggio originale-----\nDa: Sara Bruno [mailto:sara@ditta.example]\nInviato: ieri\nA: a@acme-srl.it\nOggetto: x\n\nciao", Person{"Sara Bruno", "sara@ditta.example"}, "original-message"},
		{"owa on behalf", "Fw: x", "________________________________\nFrom: John Doe<mailto:john@x.example> <john@x.example<mailto:john@x.example>> on behalf of t@x.example<mailto:t@x.example>\nSent: today\nTo: a@acme-srl.it\nSubject: x\n", Person{"John Doe", "john@x.example"}, "separator"},
		{"bold labels", "FW: x", "*From:* John, Doe <john@x.example>\n*Sent:* today\n*Subject:* x\n", Person{"John, Doe", "john@x.example"}, "header-block"},
		{"address only", "Fwd: x", "Begin forwarded message:\n\n> From: john@x.example\n> Subject: x\n", Person{"", "john@x.example"}, "banner"},
		{"yahoo one line", "Fwd: x", "   ----- Messaggio inoltrato ----- Da: John Doe <john@x.example>A: \"b@c.example\" <b@c.example>Inviato: oggi Oggetto: x\n body", Person{"John Doe", "john@x.example"}, "banner"},
		{"outlook mac attribution", "FW: x", "\ufeffIl giorno 28/10/2021, 12:46 \"John Doe\" <john@x.example> ha scritto:\n\n    ciao", Person{"John Doe", "john@x.example"}, "attribution"},
		{"thunderbird fr", "Fwd: x", "-------- Message transféré --------\nSujet : \tx\nDate : \tWed, 3 Nov 2021 15:51:30 +0100\nDe : \tJohn Doe <john@x.example>\nPour : \tb@c.example\n", Person{"John Doe", "john@x.example"}, "banner"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m := Parse(StaffEnvelope("s@acme-srl.it", tt.subject, false, []byte(tt.body)))
			fw, ok := ExtractForward(m)
			if !ok {
				t.Fatal("no forward found")
			}
			if fw.From != tt.want || fw.Style != tt.style {
				t.Errorf("got %+v (%s), want %+v (%s)", fw.From, fw.Style, tt.want, tt.style)
			}
		})
	}
}

func TestReplyBlocksAreNotForwards(t *testing.T) {
	for _, subject := range []string{"Re: x", "inquiry", "R: preventivo"} {
		body := "ok\n\n________________________________\nFrom: John Doe <john@x.example>\nSent: today\nTo: a@acme-srl.it\nSubject: x\n"
		if _, ok := ExtractForward(Parse(StaffEnvelope("s@acme-srl.it", subject, false, []byte(body)))); ok {
			t.Errorf("subject %q: reply quote taken as a forward", subject)
		}
	}
}

// TestHostileForwardBodiesStayLinear would time out if the scan were
// quadratic: 200,000 label lines with no address, and as many rule lines.
func TestHostileForwardBodiesStayLinear(t *testing.T) {
	for _, body := range []string{
		strings.Repeat("From:\n", 200000),
		strings.Repeat("-----Original Message-----\n\n", 100000),
		strings.Repeat("______\nFrom: a\n", 100000),
	} {
		m := Parse(StaffEnvelope("s@acme-srl.it", "Fwd: x", false, []byte(body)))
		testClassifier.Classify(m)
	}
}
