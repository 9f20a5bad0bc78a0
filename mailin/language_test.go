package mailin_test

import (
	"strings"
	"testing"

	"github.com/basis-crm/basis/mailin"
)

func TestGuessLanguage(t *testing.T) {
	for _, c := range []struct {
		name, header, text, want string
	}{
		{"italian inquiry", "", "Buongiorno, vorrei un preventivo per la fornitura di 12 finestre. Grazie, cordiali saluti", "it"},
		{"english inquiry", "", "Dear Sir, we would like a quote for the supply of twelve windows. Thank you, best regards", "en"},
		{"german: neither", "", "Sehr geehrte Damen und Herren, wir bitten um ein Angebot für zwölf Fenster. Mit freundlichen Grüßen", ""},
		{"too short to tell", "", "Ciao!", ""},
		{"mixed, no clear winner", "", "Buongiorno, we would like il preventivo for the windows, grazie", ""},
		{"header decides", "en-GB", "Buongiorno, vorrei un preventivo per la fornitura. Grazie", "en"},
		{"header in another language: the text decides", "de", "Buongiorno, vorrei un preventivo per la fornitura. Grazie", "it"},
		{"only the first 4 KB count", "", "Dear Sir, thank you for the quote. " + strings.Repeat("x ", 2100) + "grazie di che per non una sono del", "en"},
	} {
		if got := mailin.GuessLanguage(c.header, c.text); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
}

// A new contact gets the language its inquiry was written in, on the
// batched path and one message at a time, for direct mail and for an
// inquiry forwarded by staff: the privacy notice then reaches an English
// writer in English.
func TestIngestGivesNewContactsTheirInquirysLanguage(t *testing.T) {
	english := strings.Replace(string(directMail("Sarah Collins", "sarah@collins.co.uk", "s1@collins.co.uk", "", "Quote")),
		"Buongiorno, vorrei un preventivo per serramenti.", "Dear Sir, we would like a quote for the windows of our office. Thank you, best regards", 1)
	for _, oneByOne := range []bool{false, true} {
		e := newIngestEnv(t)
		e.in.Batch = 50
		noFallback(t, e.in)
		if oneByOne {
			mailin.StoreOneByOne(e.in)
		}
		e.srv.Append(t, "INBOX", []byte(english))
		e.srv.Append(t, "INBOX", directMail("Anna Neri", "anna.neri@studio-neri.it", "a1@example.org", "", "Preventivo"))
		e.srv.Append(t, "INBOX", inlineForward("Bruno Blu", "bruno.blu@example.org", "f1@acme-srl.it"))
		e.ingest()
		for addr, want := range map[string]string{"sarah@collins.co.uk": "en", "anna.neri@studio-neri.it": "it", "bruno.blu@example.org": "it"} {
			c, err := e.store.FindContact(ctx, e.db, addr)
			if err != nil || c.Language != want {
				t.Errorf("one by one %v: %s has language %q (%v), want %q", oneByOne, addr, c.Language, err, want)
			}
		}
	}
}
