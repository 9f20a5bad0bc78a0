// Command imapd runs a private Dovecot on loopback for the ingest benchmark
// (bench/ingest/run.sh), its INBOX filled with generated inquiry mail, until
// its standard input closes.
//
//	imapd -n 20000      # 20,000 messages of ~4 KB
//	imapd -big 40       # one message of 40 MB
//
// Once Dovecot has indexed the mailbox it prints one line,
// "HOST PORT USER PASSWORD MESSAGES", and waits.
package main

import (
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/emersion/go-imap/v2"

	"github.com/basis-crm/basis/bench/ingest/mailgen"
	"github.com/basis-crm/basis/internal/dovecot"
)

func main() {
	n := flag.Int("n", 20000, "messages to generate")
	big := flag.Int("big", 0, "generate one message of this many MB instead")
	flag.Parse()
	if err := run(*n, *big); err != nil {
		fmt.Fprintln(os.Stderr, "imapd:", err)
		os.Exit(1)
	}
}

func run(n, big int) error {
	d, err := dovecot.New("inbox@example.test", "secret")
	if err != nil {
		return err
	}
	defer d.Remove()
	mix := mailgen.Mix{N: n, Senders: max(n/4, 1), ForwardEvery: 5, BounceEvery: 997, AttachEvery: 50}
	if big > 0 {
		err = mailgen.WriteBig(d.Maildir(), big<<20)
	} else {
		err = mailgen.WriteMaildir(d.Maildir(), mix)
	}
	if err != nil {
		return err
	}
	if err := d.Launch(); err != nil {
		return err
	}
	c, err := d.Dial()
	if err != nil {
		return err
	}
	st, err := c.Status("INBOX", &imap.StatusOptions{NumMessages: true}).Wait() // Dovecot indexes new/ here
	c.Close()
	if err != nil {
		return fmt.Errorf("status: %w", err)
	}
	fmt.Printf("%s %d %s %s %d\n", d.Host(), d.Port(), d.User, d.Password, *st.NumMessages)
	io.Copy(io.Discard, os.Stdin)
	return nil
}
