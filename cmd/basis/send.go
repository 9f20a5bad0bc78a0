package main

import (
	"context"
	"fmt"
	"log/slog"
	"runtime/debug"
)

func init() {
	register("send", "--once [--json]", send)
}

func send(ctx context.Context, env *cli, args []string) error {
	fs := newFlags("send")
	once := fs.Bool("once", false, "send everything due, then exit")
	asJSON := fs.Bool("json", false, "print the counts as JSON")
	pos, err := parseInterspersed(fs, args)
	if err != nil {
		return err
	}
	if err := exactly(0, pos, "no arguments"); err != nil {
		return err
	}
	if !*once {
		return usagef("--once is required (basis serve sends continuously)")
	}
	lessGC(env)
	a, err := env.open(ctx, needCurrentSchema, slog.LevelWarn)
	if err != nil {
		return err
	}
	defer a.Close()
	m, err := a.mailer()
	if err != nil {
		return err
	}
	defer m.Close()
	c, err := m.RunOnce(ctx)
	if *asJSON {
		if jerr := writeJSON(env.stdout, c); jerr != nil {
			return jerr
		}
	} else {
		fmt.Fprintf(env.stdout, "sent %d, retried %d, failed %d, skipped_ineligible %d", c.Sent, c.Retried, c.Failed, c.SkippedIneligible)
		if c.Unknown > 0 || c.Requeued > 0 {
			fmt.Fprintf(env.stdout, ", unknown %d (in flight at a crash, not resent), requeued %d", c.Unknown, c.Requeued)
		}
		fmt.Fprintln(env.stdout)
	}
	return err
}

// lessGC lets the heap grow to five times what is live before collecting
// (GOGC=400), unless GOGC says otherwise. The sender keeps little alive (a
// few hundred messages of ~4 KB in flight) but allocates every message
// several times over (rendering, encoding, the evidence batch): with the
// default the collector took about a tenth of its CPU. basis serve too: a
// page allocates a lot and keeps nothing, and the collector took a fifth
// of the server's CPU under load (its live heap is a few tens of MB). basis
// ingest too: parsing allocates each message several times over and keeps
// a batch alive; its soft memory limit (softMemoryLimit) still bounds the
// heap, so a 40 MB message makes the collector work harder, not the RSS
// grow.
func lessGC(env *cli) {
	if env.getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
}
