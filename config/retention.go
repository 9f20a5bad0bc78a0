package config

import (
	"fmt"
	"time"
)

// Retention says when Basis erases data it no longer needs (GDPR Art.
// 5(1)(e), storage limitation). Prospects with no activity and no active
// consent, contract or legal obligation are erased after
// policy.legitimate_interest_months; the other periods are here.
type Retention struct {
	// Enabled runs the rules periodically in `basis serve`.
	Enabled bool `yaml:"enabled"`
	// Interval is how often `basis serve` applies the rules.
	Interval time.Duration `yaml:"interval"`
	// UnconfirmedConsentDays erases a contact whose only tie is a double
	// opt-in request left unconfirmed this many days.
	UnconfirmedConsentDays int `yaml:"unconfirmed_consent_days"`
	// RejectedDays erases a lead marked rejected this many days ago.
	RejectedDays int `yaml:"rejected_days"`
}

func (r Retention) validate() []error {
	var errs []error
	if r.Interval < time.Minute {
		errs = append(errs, fmt.Errorf("retention.interval: %s is too short (use at least 1m; 24h is usual)", r.Interval))
	}
	if r.UnconfirmedConsentDays <= 0 {
		errs = append(errs, fmt.Errorf("retention.unconfirmed_consent_days: %d must be positive", r.UnconfirmedConsentDays))
	}
	if r.RejectedDays <= 0 {
		errs = append(errs, fmt.Errorf("retention.rejected_days: %d must be positive", r.RejectedDays))
	}
	return errs
}
