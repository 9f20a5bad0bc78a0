package mailin_test

import (
	"context"
	"errors"
	"runtime"
	"testing"
	"time"

	"github.com/basis-crm/basis/internal/dovecot"
	"github.com/basis-crm/basis/mailin"
)

// Integration tests against a real Dovecot on loopback.

// dovecotAccount returns an Account for a private Dovecot.
func dovecotAccount(d *dovecot.Dovecot) mailin.Account {
	return accountFor(d.Host(), d.Port(), d.User, d.Password)
}

func TestDovecotIdleWakesOnDelivery(t *testing.T) {
	d := dovecot.Start(t)
	c := mustDial(t, dovecotAccount(d))
	if !c.CanIdle() {
		t.Fatal("Dovecot does not advertise IDLE")
	}
	go func() {
		time.Sleep(100 * time.Millisecond) // usually lands during IDLE; correct either way
		if err := d.Append("INBOX", inquiry(1, 500)); err != nil {
			t.Errorf("deliver: %v", err)
		}
	}()
	newMail, err := c.WaitForMail(testCtx(t), time.Hour)
	if err != nil || !newMail {
		t.Fatalf("WaitForMail = %v, %v; want woken by the delivery", newMail, err)
	}
	if got := fetchAll(t, c, 0, 10, 0); len(got) != 1 || got[0].UID != 1 {
		t.Errorf("after wake-up fetched %+v, want UID 1", got)
	}
}

func TestDovecotReconnectAfterRestart(t *testing.T) {
	d := dovecot.Start(t)
	d.Deliver(t, "INBOX", inquiry(1, 500))
	a := dovecotAccount(d)
	c := mustDial(t, a)
	ctx := testCtx(t)
	if got := fetchAll(t, c, 0, 10, 0); len(got) != 1 {
		t.Fatalf("fetched %d before restart, want 1", len(got))
	}

	d.Restart(t)
	if _, err := c.WaitForMail(ctx, time.Hour); !errors.Is(err, mailin.ErrConnection) {
		t.Fatalf("WaitForMail on a restarted server: %v, want ErrConnection", err)
	}
	d.Deliver(t, "INBOX", inquiry(2, 500))

	c2 := redial(t, ctx, a)
	got := fetchAll(t, c2, 1, 10, 0)
	if len(got) != 1 || got[0].UID != 2 {
		t.Errorf("after reconnect fetched %+v, want UID 2", got)
	}
}

// redial dials with backoff until it succeeds or ctx ends, as the poller does.
func redial(t *testing.T, ctx context.Context, a mailin.Account) *mailin.Conn {
	t.Helper()
	b := mailin.Backoff{Min: 10 * time.Millisecond, Max: 200 * time.Millisecond}
	for {
		c, err := mailin.Dial(ctx, a, quietLog)
		if err == nil {
			t.Cleanup(func() { c.Close() })
			return c
		}
		if werr := b.Wait(ctx); werr != nil {
			t.Fatalf("reconnect: %v (last error %v)", werr, err)
		}
	}
}

func TestDovecotUIDValidityChangeIsVisible(t *testing.T) {
	d := dovecot.Start(t)
	d.Deliver(t, "INBOX", inquiry(1, 500), inquiry(2, 500))
	a := dovecotAccount(d)
	c := mustDial(t, a)
	before := c.State()
	if before.UIDValidity == 0 || before.Exists != 2 {
		t.Fatalf("state before: %+v", before)
	}
	newValidity := d.ResetUIDValidity(t, "INBOX")

	c2 := redial(t, testCtx(t), a)
	after, err := c2.Select(testCtx(t))
	if err != nil {
		t.Fatal(err)
	}
	if after.UIDValidity != newValidity || after.UIDValidity == before.UIDValidity {
		t.Errorf("UIDVALIDITY %d after reset, want %d (was %d)", after.UIDValidity, newValidity, before.UIDValidity)
	}
	if got := fetchAll(t, c2, 0, 10, 0); len(got) != 2 {
		t.Errorf("rescan fetched %d messages, want 2", len(got))
	}
}

func TestDovecotAfterMoveToFolder(t *testing.T) {
	d := dovecot.Start(t)
	d.Deliver(t, "INBOX", inquiry(1, 500), inquiry(2, 500), inquiry(3, 500))
	c := mustDial(t, dovecotAccount(d))
	ctx := testCtx(t)
	if err := c.After(ctx, []uint32{1, 3}, "move:Basis/Processed"); err != nil {
		t.Fatal(err)
	}
	if st := d.Status(t, "INBOX"); *st.NumMessages != 1 {
		t.Errorf("INBOX holds %d messages after the move, want 1", *st.NumMessages)
	}
	if st := d.Status(t, "Basis/Processed"); *st.NumMessages != 2 {
		t.Errorf("Basis/Processed holds %d messages, want 2", *st.NumMessages)
	}
	if err := c.After(ctx, []uint32{2}, "flag"); err != nil {
		t.Fatal(err)
	}
	if got := fetchAll(t, c, 0, 10, 0); len(got) != 1 || got[0].UID != 2 {
		t.Errorf("INBOX after move: %+v, want UID 2 only", got)
	}
}

func TestDovecotFetchLargeMessageAllocatesItOnce(t *testing.T) {
	const size = 40 << 20
	d := dovecot.Start(t)
	d.Deliver(t, "INBOX", inquiry(1, size))
	c := mustDial(t, dovecotAccount(d))

	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	var got int
	err := c.Fetch(testCtx(t), 0, 10, 50<<20, func(f mailin.Fetched) error {
		got = len(f.Raw)
		if f.Oversize {
			t.Error("40 MB message marked oversize under a 50 MB limit")
		}
		return nil
	})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if got < size {
		t.Fatalf("fetched %d bytes, want at least %d", got, size)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 2*size {
		t.Errorf("fetching a %d MB message allocated %d MB, want at most twice its size", size>>20, alloc>>20)
	}

	// under a smaller limit only the header comes over
	runtime.ReadMemStats(&before)
	err = c.Fetch(testCtx(t), 0, 10, 1<<20, func(f mailin.Fetched) error {
		if !f.Oversize || len(f.Raw) > 4096 {
			t.Errorf("oversize fetch: Oversize %v, %d bytes", f.Oversize, len(f.Raw))
		}
		return nil
	})
	runtime.ReadMemStats(&after)
	if err != nil {
		t.Fatal(err)
	}
	if alloc := after.TotalAlloc - before.TotalAlloc; alloc > 1<<20 {
		t.Errorf("header-only fetch allocated %d KB", alloc>>10)
	}
}
