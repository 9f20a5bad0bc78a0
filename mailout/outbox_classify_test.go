package mailout

import (
	"context"
	"testing"
	"time"
)

// A message the sender stopped before any of it reached the server goes
// back to the queue with its attempt given back, a campaign message too:
// only a message interrupted during SMTP is unknown.
func TestNotSentIsQueuedAgainEvenForCampaigns(t *testing.T) {
	m := &Mailer{cfg: Config{MaxAttempts: 3, BackoffBase: time.Second}}
	for _, kind := range []string{"campaign", "notice"} {
		o := m.classify(result{job: &job{Kind: kind, Attempts: 1}, err: notSent(context.Canceled)})
		if o.status != "queued" || !o.undo {
			t.Errorf("%s not sent: %+v, want queued with the attempt given back", kind, o)
		}
	}
	o := m.classify(result{job: &job{Kind: "campaign", Attempts: 1}, err: context.Canceled})
	if o.status != "unknown" {
		t.Errorf("campaign interrupted during SMTP: %+v, want unknown", o)
	}
}
