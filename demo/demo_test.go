package demo

import (
	"strings"
	"testing"
	"time"

	"github.com/basis-crm/basis/mailin"
)

// TestSeedIsClassifiedAsTheDemoPromises guards the demo's story: direct
// inquiries, forwards from Gmail, Outlook and Apple Mail by staff, an
// out-of-office, a bounce and a newsletter.
func TestSeedIsClassifiedAsTheDemoPromises(t *testing.T) {
	msgs, err := Seed(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	want := []struct {
		class  mailin.Class
		sender string
	}{
		{mailin.ClassInquiry, "marco.ferri@ferri-edilizia.it"},
		{mailin.ClassInquiry, "sarah.collins@northbridge-logistics.co.uk"},
		{mailin.ClassForwarded, "elena.russo@gmail.com"},
		{mailin.ClassForwarded, "t.weber@weber-maschinen.de"},
		{mailin.ClassForwarded, "claire.dubois@atelier-dubois.fr"},
		{mailin.ClassAutoReply, ""},
		{mailin.ClassBounce, ""},
		{mailin.ClassList, ""},
	}
	if len(msgs) != len(want) {
		t.Fatalf("%d seed messages, want %d", len(msgs), len(want))
	}
	cl := mailin.Classifier{StaffDomains: []string{"acme-srl.it"}}
	for i, raw := range msgs {
		if strings.Contains(string(raw), "{{") {
			t.Errorf("message %d has an unreplaced placeholder", i+1)
		}
		m := mailin.Parse(raw)
		if m.ParseError != nil {
			t.Errorf("message %d: %v", i+1, m.ParseError)
		}
		res := cl.Classify(m)
		if res.Class != want[i].class || (want[i].sender != "" && strings.ToLower(res.Sender.Address) != want[i].sender) {
			t.Errorf("message %d (%s): class %s sender %q, want %s %q", i+1, m.Subject, res.Class, res.Sender.Address, want[i].class, want[i].sender)
		}
	}
}

func TestDroppedInquiryIsAnInquiry(t *testing.T) {
	raw, err := Inquiry{Name: "Anna Conti", Email: "anna.conti@conti-arredi.it", Subject: "Preventivo cucina",
		Body: "Buongiorno,\nvorrei un preventivo.\nAnna"}.Raw(time.Now())
	if err != nil {
		t.Fatal(err)
	}
	res := mailin.Classifier{StaffDomains: []string{"acme-srl.it"}}.Classify(mailin.Parse(raw))
	if res.Class != mailin.ClassInquiry || res.Sender.Name != "Anna Conti" {
		t.Errorf("dropped inquiry: %+v", res)
	}
	if _, err := (Inquiry{Email: "not an address", Subject: "x", Body: "y"}).Raw(time.Now()); err == nil {
		t.Error("an invalid sender was accepted")
	}
}
