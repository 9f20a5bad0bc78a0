package mailin_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/basis-crm/basis/internal/imaptest"
	"github.com/basis-crm/basis/mailin"
)

func TestFetchReturnsNewMessagesInUIDOrderAcrossBatches(t *testing.T) {
	srv := imaptest.Start(t, testUser, testPass)
	var raws [][]byte
	for i := range 7 {
		raw := inquiry(i, 300+i*50)
		raws = append(raws, raw)
		srv.Append(t, "INBOX", raw)
	}
	c := mustDial(t, memAccount(srv))

	got := fetchAll(t, c, 2, 2, 1<<20) // UIDs 3..7 in batches of 2
	if len(got) != 5 {
		t.Fatalf("fetched %d messages, want 5 (UIDs 3-7)", len(got))
	}
	for i, f := range got {
		uid := uint32(i + 3)
		if f.UID != uid {
			t.Errorf("message %d: UID %d, want %d", i, f.UID, uid)
		}
		if !bytes.Equal(f.Raw, raws[uid-1]) {
			t.Errorf("UID %d: raw bytes differ from what was appended", uid)
		}
		if f.Size != int64(len(raws[uid-1])) || f.Oversize || f.InternalDate.IsZero() {
			t.Errorf("UID %d: size %d oversize %v date %v", uid, f.Size, f.Oversize, f.InternalDate)
		}
	}
}

func TestFetchAfterLastUIDReturnsNothing(t *testing.T) {
	srv := imaptest.Start(t, testUser, testPass)
	srv.Append(t, "INBOX", inquiry(1, 100))
	srv.Append(t, "INBOX", inquiry(2, 100))
	c := mustDial(t, memAccount(srv))
	if got := fetchAll(t, c, 2, 10, 0); len(got) != 0 {
		t.Errorf("fetched UIDs after the last one: %d messages, first UID %d", len(got), got[0].UID)
	}
}

func TestFetchOversizeMessageGetsHeaderOnly(t *testing.T) {
	srv := imaptest.Start(t, testUser, testPass)
	srv.Append(t, "INBOX", inquiry(1, 500))
	big := inquiry(2, 64<<10)
	srv.Append(t, "INBOX", big)
	srv.Append(t, "INBOX", inquiry(3, 500))
	c := mustDial(t, memAccount(srv))

	got := fetchAll(t, c, 0, 10, 8<<10)
	if len(got) != 3 {
		t.Fatalf("fetched %d messages, want 3", len(got))
	}
	if got[0].Oversize || got[2].Oversize {
		t.Error("small messages marked oversize")
	}
	f := got[1]
	if f.UID != 2 || !f.Oversize || f.Size != int64(len(big)) {
		t.Fatalf("big message: UID %d oversize %v size %d", f.UID, f.Oversize, f.Size)
	}
	header, _, _ := bytes.Cut(big, []byte("\r\n\r\n"))
	if !bytes.HasPrefix(f.Raw, header) || len(f.Raw) > len(header)+4 {
		t.Errorf("oversize Raw is not the header (%d bytes, header is %d)", len(f.Raw), len(header))
	}
}

func TestFetchStopsOnCallbackError(t *testing.T) {
	srv := imaptest.Start(t, testUser, testPass)
	for i := range 5 {
		srv.Append(t, "INBOX", inquiry(i, 200))
	}
	c := mustDial(t, memAccount(srv))
	stop := errors.New("disk full")
	var seen int
	err := c.Fetch(testCtx(t), 0, 10, 0, func(f mailin.Fetched) error {
		seen++
		if f.UID == 2 {
			return stop
		}
		return nil
	})
	if !errors.Is(err, stop) || seen != 2 {
		t.Fatalf("err %v after %d messages, want the callback's error after 2", err, seen)
	}
	// the connection is still usable after the aborted fetch
	if got := fetchAll(t, c, 4, 10, 0); len(got) != 1 || got[0].UID != 5 {
		t.Errorf("fetch after abort: %+v", got)
	}
}

func TestFetchServerDropMidFetchReturnsConnectionError(t *testing.T) {
	srv := imaptest.Start(t, testUser, testPass)
	for i := range 4 {
		srv.Append(t, "INBOX", inquiry(i, 2000))
	}
	c := mustDial(t, memAccount(srv))
	var seen int
	err := c.Fetch(testCtx(t), 0, 1, 0, func(f mailin.Fetched) error {
		seen++
		if seen == 1 {
			srv.DropConnections()
		}
		return nil
	})
	if !errors.Is(err, mailin.ErrConnection) {
		t.Fatalf("err = %v after %d messages, want ErrConnection", err, seen)
	}
	if seen >= 4 {
		t.Errorf("all %d messages delivered despite the drop", seen)
	}
}
