package mailin_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/basis-crm/basis/internal/imaptest"
)

// appendWhenWaiting appends a message once the test has started waiting;
// the wait must end because of it, whenever it arrives.
func appendWhenWaiting(t *testing.T, srv *imaptest.Server, started <-chan struct{}) {
	go func() {
		<-started
		time.Sleep(50 * time.Millisecond) // let IDLE begin; correctness does not depend on it
		if _, err := srv.AppendMessage("INBOX", inquiry(99, 100), nil, time.Time{}); err != nil {
			t.Errorf("append: %v", err)
		}
	}()
}

func TestWaitForMailWakesOnAppendWithIdle(t *testing.T) {
	srv := imaptest.Start(t, testUser, testPass)
	c := mustDial(t, memAccount(srv))
	started := make(chan struct{})
	appendWhenWaiting(t, srv, started)
	close(started)
	// a poll interval longer than the test deadline: only IDLE can wake it
	newMail, err := c.WaitForMail(testCtx(t), time.Hour)
	if err != nil || !newMail {
		t.Fatalf("WaitForMail = %v, %v; want woken by new mail", newMail, err)
	}
	if got := fetchAll(t, c, 0, 10, 0); len(got) != 1 {
		t.Errorf("fetched %d messages after wake-up, want 1", len(got))
	}
}

func TestWaitForMailSeesMailThatArrivedBeforeWaiting(t *testing.T) {
	srv := imaptest.Start(t, testUser, testPass)
	c := mustDial(t, memAccount(srv))
	srv.Append(t, "INBOX", inquiry(1, 100))
	newMail, err := c.WaitForMail(testCtx(t), time.Hour)
	if err != nil || !newMail {
		t.Fatalf("WaitForMail = %v, %v; want woken by the message already there", newMail, err)
	}
}

func TestWaitForMailPollsWithoutIdle(t *testing.T) {
	srv := imaptest.StartWith(t, testUser, testPass, &imaptest.Options{NoIdle: true})
	c := mustDial(t, memAccount(srv))
	if c.CanIdle() {
		t.Fatal("server without IDLE reported as able to IDLE")
	}
	srv.Append(t, "INBOX", inquiry(1, 100))
	ctx := testCtx(t)
	for {
		newMail, err := c.WaitForMail(ctx, 20*time.Millisecond)
		if err != nil {
			t.Fatalf("WaitForMail: %v", err)
		}
		if newMail {
			break
		}
	}
}

func TestWaitForMailReturnsOnCancel(t *testing.T) {
	srv := imaptest.Start(t, testUser, testPass)
	c := mustDial(t, memAccount(srv))
	ctx, cancel := context.WithCancel(testCtx(t))
	go func() { time.Sleep(20 * time.Millisecond); cancel() }()
	newMail, err := c.WaitForMail(ctx, time.Hour)
	if !errors.Is(err, context.Canceled) || newMail {
		t.Fatalf("WaitForMail = %v, %v; want context.Canceled", newMail, err)
	}
}

func TestWaitForMailReportsDroppedConnection(t *testing.T) {
	srv := imaptest.Start(t, testUser, testPass)
	c := mustDial(t, memAccount(srv))
	go func() { time.Sleep(50 * time.Millisecond); srv.DropConnections() }()
	if _, err := c.WaitForMail(testCtx(t), time.Hour); err == nil {
		t.Fatal("WaitForMail returned no error after the server dropped the connection")
	}
}
