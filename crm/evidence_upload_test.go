package crm_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/basis-crm/basis/crm"
)

func TestLargeEvidenceIsStoredByteForByte(t *testing.T) {
	st, db := newStore(t)
	big := bytes.Repeat([]byte("Subject: allegato\r\n\r\n0123456789abcdef\x00\xff\r\n"), 150_000) // ~6 MB, binary bytes included
	var ids []int64
	inTx(t, st, func(tx *sqlx.Tx) error {
		for i := 0; i < 2; i++ { // two large pieces in one transaction
			content := append([]byte{byte('A' + i)}, big...)
			ev, err := st.AddEvidence(ctx, tx, crm.EvidenceInput{Kind: "inbound_email", ContentType: "message/rfc822", Content: content, Actor: system})
			if err != nil {
				return err
			}
			ids = append(ids, ev.ID)
		}
		return nil
	})
	for i, id := range ids {
		ev, got, err := st.EvidenceContent(ctx, db, id)
		if err != nil {
			t.Fatal(err)
		}
		want := append([]byte{byte('A' + i)}, big...)
		sum := sha256.Sum256(want)
		if !bytes.Equal(got, want) || ev.SHA256 != hex.EncodeToString(sum[:]) || ev.Size != int64(len(want)) {
			t.Errorf("evidence %d: %d bytes stored, want %d identical bytes with their hash", id, len(got), len(want))
		}
	}
}
