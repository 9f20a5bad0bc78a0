package dovecot_test

import (
	"os"
	"testing"

	"github.com/basis-crm/basis/internal/dovecot"
)

func TestDeliverRestartAndResetUIDValidity(t *testing.T) {
	d := dovecot.Start(t)
	raw := []byte("From: a@example.com\r\nSubject: hi\r\n\r\nbody\r\n")
	d.Deliver(t, "INBOX", raw, raw)
	d.Deliver(t, "Archive", raw)
	if st := d.Status(t, "INBOX"); *st.NumMessages != 2 || st.UIDNext != 3 {
		t.Fatalf("INBOX status %d messages, UIDNEXT %d", *st.NumMessages, st.UIDNext)
	}
	if _, err := os.Stat(d.Maildir()); err != nil {
		t.Errorf("Maildir: %v", err)
	}
	before := d.Status(t, "INBOX").UIDValidity
	d.Restart(t)
	if st := d.Status(t, "INBOX"); *st.NumMessages != 2 || st.UIDValidity != before {
		t.Errorf("after restart: %d messages, UIDVALIDITY %d (was %d)", *st.NumMessages, st.UIDValidity, before)
	}
	if v := d.ResetUIDValidity(t, "INBOX"); v == before {
		t.Errorf("UIDVALIDITY unchanged")
	}
	if st := d.Status(t, "INBOX"); *st.NumMessages != 2 {
		t.Errorf("messages lost by the UIDVALIDITY reset: %d left", *st.NumMessages)
	}
}
