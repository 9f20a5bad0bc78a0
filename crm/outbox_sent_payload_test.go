package crm

import (
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"testing"
)

// TestSentMessagePayloadIsJSONMarshal checks that the hand-encoded payload
// of a sent message's audit event is the bytes json.Marshal gave for it.
func TestSentMessagePayloadIsJSONMarshal(t *testing.T) {
	for _, c := range []struct {
		id   int64
		size int
	}{{1, 0}, {42, 4096}, {9007199254740993, 1 << 30}} {
		sum := sha256.Sum256([]byte(fmt.Sprint(c.id)))
		want, err := json.Marshal(map[string]any{"evidence_id": c.id, "kind": "sent_message", "sha256": fmt.Sprintf("%x", sum[:]),
			"size": c.size, "content_type": "message/rfc822", "file_name": ""})
		if err != nil {
			t.Fatal(err)
		}
		if got := sentMessagePayload(c.id, sum[:], c.size); string(got) != string(want) {
			t.Errorf("payload\n%s, want\n%s", got, want)
		}
	}
}
