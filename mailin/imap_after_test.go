package mailin_test

import (
	"testing"

	"github.com/basis-crm/basis/internal/imaptest"
	"github.com/basis-crm/basis/mailin"
	"github.com/emersion/go-imap/v2"
)

func TestAfterFlagSetsKeywordAndSeen(t *testing.T) {
	srv := imaptest.Start(t, testUser, testPass)
	for i := range 3 {
		srv.Append(t, "INBOX", inquiry(i, 100))
	}
	c := mustDial(t, memAccount(srv))
	if err := c.After(testCtx(t), []uint32{1, 3}, "flag"); err != nil {
		t.Fatal(err)
	}
	msgs := srv.MustMessages(t, "INBOX")
	for _, m := range msgs {
		want := m.UID != 2
		if m.HasFlag(mailin.Keyword) != want || m.HasFlag(imap.FlagSeen) != want {
			t.Errorf("UID %d flags %v, want $Basis and \\Seen: %v", m.UID, m.Flags, want)
		}
	}
}

func TestAfterNoneLeavesMessages(t *testing.T) {
	srv := imaptest.Start(t, testUser, testPass)
	srv.Append(t, "INBOX", inquiry(1, 100))
	c := mustDial(t, memAccount(srv))
	if err := c.After(testCtx(t), []uint32{1}, "none"); err != nil {
		t.Fatal(err)
	}
	if m := srv.MustMessages(t, "INBOX"); len(m) != 1 || len(m[0].Flags) != 0 {
		t.Errorf("after none changed the mailbox: %+v", m)
	}
}

func TestAfterMoveCreatesFolderAndMoves(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts *imaptest.Options
	}{
		{"with MOVE", nil},
		{"COPY fallback", &imaptest.Options{Rev1Only: true}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := imaptest.StartWith(t, testUser, testPass, tc.opts)
			raws := [][]byte{inquiry(1, 100), inquiry(2, 100), inquiry(3, 100)}
			for _, r := range raws {
				srv.Append(t, "INBOX", r)
			}
			c := mustDial(t, memAccount(srv))
			if err := c.After(testCtx(t), []uint32{1, 2}, "move:Basis/Processed"); err != nil {
				t.Fatal(err)
			}
			inbox := srv.MustMessages(t, "INBOX")
			if len(inbox) != 1 || inbox[0].UID != 3 {
				t.Errorf("INBOX after move: %d messages %+v, want only UID 3", len(inbox), inbox)
			}
			moved := srv.MustMessages(t, "Basis/Processed")
			if len(moved) != 2 || string(moved[0].Raw) != string(raws[0]) || string(moved[1].Raw) != string(raws[1]) {
				t.Errorf("Basis/Processed holds %d messages, want the first two", len(moved))
			}
			// moving into the existing folder works too
			if err := c.After(testCtx(t), []uint32{3}, "move:Basis/Processed"); err != nil {
				t.Fatal(err)
			}
			if got := srv.MustMessages(t, "Basis/Processed"); len(got) != 3 {
				t.Errorf("second move: folder holds %d messages, want 3", len(got))
			}
		})
	}
}
