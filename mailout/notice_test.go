package mailout_test

import (
	"strings"
	"testing"

	"github.com/basis-crm/basis/mailout"
)

// TestNoticeNamesDPORecipientsAndTransfers checks that the privacy notice
// says what Art. 13(1)(b), (e) and (f) ask, from the register section, with
// the register's default wording translated for an Italian reader.
func TestNoticeNamesDPORecipientsAndTransfers(t *testing.T) {
	e := newOutbox(t, func(c *mailout.Config) {
		c.Organization.DPO = "Studio Bianchi, dpo@studio-bianchi.it"
		c.Organization.Recipients = []string{"email and hosting providers acting as processors (Art. 28)", "our accountant"}
		c.Organization.Transfers = "none outside the European Economic Area"
	})
	mario := e.capture(t, "mario.rossi@example.it", "Mario Rossi", "it")
	anna := e.capture(t, "anna.smith@example.com", "Anna Smith", "en")
	if c := e.runOnce(t); c.Sent != 2 {
		t.Fatalf("notices: %+v, want 2 sent", c)
	}
	body := func(addr string) string {
		t.Helper()
		msgs := to(e.sink.Messages(), addr)
		if len(msgs) != 1 {
			t.Fatalf("%s got %d messages", addr, len(msgs))
		}
		return strings.ReplaceAll(string(msgs[0].Raw), "=\r\n", "")
	}
	for addr, wants := range map[string][]string{
		mario.Email: {"Responsabile della protezione dei dati: Studio Bianchi, dpo@studio-bianchi.it.",
			"Destinatari: fornitori di servizi di posta elettronica e di hosting", "; our accountant.",
			"Trasferimenti fuori dall'UE: nessuno al di fuori dello Spazio economico europeo."},
		anna.Email: {"Data protection officer: Studio Bianchi, dpo@studio-bianchi.it.",
			"Who receives it: email and hosting providers acting as processors (Art. 28); our accountant.",
			"Transfers outside the EU: none outside the European Economic Area."},
	} {
		b := body(addr)
		for _, want := range wants {
			if !strings.Contains(b, want) {
				t.Errorf("notice to %s lacks %q:\n%s", addr, want, b)
			}
		}
	}
}
