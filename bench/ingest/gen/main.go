// Command gen fills a Maildir with realistic inquiry mail for the ingest
// benchmark (see bench/ingest/run.sh).
//
//	go run ./bench/ingest/gen -n 20000 -maildir DIR
//	go run ./bench/ingest/gen -big 40 -maildir DIR   # one 40 MB message
package main

import (
	"flag"
	"fmt"
	"os"

	"github.com/basis-crm/basis/bench/ingest/mailgen"
)

func main() {
	n := flag.Int("n", 20000, "messages to write")
	dir := flag.String("maildir", "", "Maildir to fill (its new/ subdirectory)")
	big := flag.Int("big", 0, "write one message of this many MB instead")
	flag.Parse()
	if *dir == "" {
		fmt.Fprintln(os.Stderr, "gen: -maildir is required")
		os.Exit(2)
	}
	mix := mailgen.Mix{N: *n, Senders: 1000, ForwardEvery: 5, BounceEvery: 997, AttachEvery: 50}
	var err error
	if *big > 0 {
		err = mailgen.WriteBig(*dir, *big<<20)
	} else {
		err = mailgen.WriteMaildir(*dir, mix)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}
