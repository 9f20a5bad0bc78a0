package main

import (
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"log/slog"
	"strconv"

	"github.com/basis-crm/basis/crm"
	"github.com/basis-crm/basis/dossier"
)

func init() {
	register("audit proof", "SEQ [--json]", auditProof)
}

// exportTo writes the export of email, with the evidence dossier when asked.
func exportTo(ctx context.Context, a *app, email string, w io.Writer, withDossier bool) error {
	if !withDossier {
		return a.store.Export(ctx, email, w, a.actor)
	}
	return dossier.Write(ctx, a.store, email, w, a.actor, dossier.Options{Organization: a.cfg.Organization.Name})
}

// auditProof prints one audit event exactly as hashed, recomputes its hash
// and checks that it is part of the verified chain.
func auditProof(ctx context.Context, env *cli, args []string) error {
	fs := newFlags("audit proof")
	asJSON := fs.Bool("json", false, "print JSON")
	pos, err := parsePositional(fs, args, 1, "SEQ")
	if err != nil {
		return err
	}
	seq, err := strconv.ParseInt(pos[0], 10, 64)
	if err != nil || seq <= 0 {
		return usagef("%q is not an event number", pos[0])
	}
	a, err := env.open(ctx, needCurrentSchema, slog.LevelWarn)
	if err != nil {
		return err
	}
	defer a.Close()
	ev, err := a.store.AuditEvent(ctx, seq)
	if err != nil {
		return err
	}
	chain, err := a.store.VerifyAudit(ctx)
	if err != nil {
		return err
	}
	p := crm.ProofOf(ev)
	recomputed := hex.EncodeToString(ev.ComputedHash())
	payloadOK := p.Redacted || ev.PayloadMatches()
	if *asJSON {
		if err := writeJSON(env.stdout, map[string]any{"event": p, "recomputed_hash": recomputed, "payload_matches": payloadOK, "chain": chain}); err != nil {
			return err
		}
	} else {
		fmt.Fprintf(env.stdout, "event %d\n  at       %s\n  actor    %s\n  action   %s\n  contact  %s\n  payload  %s\n  payload_sha256 %s\n  prev_hash %s\n  hash      %s\n  recomputed %s\n",
			p.Seq, p.At, p.Actor, p.Action, p.Contact, p.Payload, p.PayloadSHA256, p.PrevHash, p.Hash, recomputed)
		fmt.Fprintf(env.stdout, "chain: %d events, head %d %s\n", chain.Events, chain.HeadSeq, chain.HeadHash)
	}
	switch {
	case recomputed != p.Hash:
		return fmt.Errorf("audit event %d: hash does not match its content (edited)", seq)
	case !payloadOK:
		return fmt.Errorf("audit event %d: payload does not match its hash (edited)", seq)
	case !chain.OK:
		return fmt.Errorf("audit chain broken at event %d: %s", chain.BadSeq, chain.Problem)
	}
	if !*asJSON {
		fmt.Fprintf(env.stdout, "ok: event %d recomputes to its hash and is part of the verified chain\n", seq)
	}
	return nil
}
