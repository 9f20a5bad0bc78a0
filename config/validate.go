package config

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"sort"
	"strings"
)

// BasisKinds are the lawful bases a purpose may list (GDPR Art. 6(1) plus the
// ePrivacy soft opt-in for existing customers).
var BasisKinds = []string{"consent", "legitimate_interest", "contract", "soft_opt_in", "legal_obligation"}

// Languages are those Basis has templates for.
var Languages = []string{"it", "en"}

// Validate reports every problem found, one per line.
func (c *Config) Validate() error {
	var errs []error
	add := func(format string, args ...any) { errs = append(errs, fmt.Errorf(format, args...)) }

	if strings.TrimSpace(c.DataDir) == "" {
		add("data_dir: empty (set a directory, e.g. ./var)")
	}
	if c.Database.URL != "" {
		if u, err := url.Parse(c.Database.URL); err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") {
			add("database.url: %q is not a postgres:// URL (or leave it empty for the embedded database)", redactURL(c.Database.URL))
		}
	}
	if c.SecretKey != "" && len(c.SecretKey) < 32 {
		add("secret_key: too short (%d characters; use at least 32, e.g. `openssl rand -hex 32`)", len(c.SecretKey))
	}
	if strings.TrimSpace(c.Organization.Name) == "" {
		add("organization.name: empty (the data controller's name appears in every notice)")
	}
	if !slices.Contains(Languages, c.Organization.DefaultLanguage) {
		add("organization.default_language: %q is not one of %s", c.Organization.DefaultLanguage, strings.Join(Languages, ", "))
	}
	for i, d := range c.Organization.StaffDomains {
		if d == "" || strings.ContainsAny(d, "@ ") {
			add("organization.staff_domains[%d]: %q is not a domain name (write acme-srl.it, not an address)", i, d)
		}
	}
	errs = append(errs, c.Policy.validate()...)
	errs = append(errs, c.Retention.validate()...)
	if c.Evidence.MaxFileBytes <= 0 {
		add("evidence.max_file_bytes: must be positive")
	}
	if _, _, err := net.SplitHostPort(c.Web.Listen); err != nil {
		add("web.listen: %q is not host:port (e.g. 127.0.0.1:8080)", c.Web.Listen)
	}
	if u, err := url.Parse(c.Web.BaseURL); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		add("web.base_url: %q is not an http(s) URL (write the address people open Basis at, e.g. https://crm.acme-srl.it: links in mail point here)", c.Web.BaseURL)
	}
	return errors.Join(errs...)
}

func (p Policy) validate() []error {
	var errs []error
	if len(p.Purposes) == 0 {
		errs = append(errs, errors.New("policy.purposes: empty (list each purpose with the basis kinds that allow it)"))
	}
	names := make([]string, 0, len(p.Purposes))
	for name := range p.Purposes {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		if name == "" || name == "*" || strings.ContainsAny(name, " ,") {
			errs = append(errs, fmt.Errorf("policy.purposes: %q is not a valid purpose name (use letters and _)", name))
		}
		if len(p.Purposes[name]) == 0 {
			errs = append(errs, fmt.Errorf("policy.purposes.%s: no basis kinds (nobody could ever be mailed for it)", name))
		}
		for _, kind := range p.Purposes[name] {
			if !slices.Contains(BasisKinds, kind) {
				errs = append(errs, fmt.Errorf("policy.purposes.%s: %q is not one of %s", name, kind, strings.Join(BasisKinds, ", ")))
			}
		}
	}
	if p.LegitimateInterestMonths <= 0 {
		errs = append(errs, fmt.Errorf("policy.legitimate_interest_months: %d must be positive", p.LegitimateInterestMonths))
	}
	return errs
}

func redactURL(s string) string {
	if u, err := url.Parse(s); err == nil && u.User != nil {
		u.User = url.User(u.User.Username())
		return u.String()
	}
	return s
}
