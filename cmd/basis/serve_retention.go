package main

import (
	"context"
	"net/http"
	"time"
)

// The retention job applies the storage limits (Art. 5(1)(e)) once at start
// and then every retention.interval.
func init() {
	addComponent("retention", func(ctx context.Context, a *app, _ *http.ServeMux) ([]func(ctx context.Context) error, error) {
		if !a.cfg.Retention.Enabled {
			a.log.Info("retention job disabled (retention.enabled: false)")
			return nil, nil
		}
		rules := retentionRules(a.cfg)
		job := func(ctx context.Context) error {
			t := time.NewTicker(a.cfg.Retention.Interval)
			defer t.Stop()
			for {
				erased, err := a.store.ApplyRetention(ctx, rules, "system:retention")
				if err != nil && ctx.Err() == nil {
					a.log.Error("retention", "error", err, "erased", len(erased))
				}
				select {
				case <-ctx.Done():
					return nil
				case <-t.C:
				}
			}
		}
		return []func(ctx context.Context) error{job}, nil
	})
}
