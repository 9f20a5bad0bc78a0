package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/basis-crm/basis/config"
)

func init() {
	register("register", "[--json]", registerPrint)
}

// processingRecord is the record of processing activities (GDPR Art. 30(1)).
type processingRecord struct {
	Controller        recordController `json:"controller"`
	Purposes          []recordPurpose  `json:"purposes"`
	DataCategories    []string         `json:"data_categories"`
	SubjectCategories []string         `json:"subject_categories"`
	Recipients        []string         `json:"recipients"`
	Transfers         string           `json:"transfers"`
	Retention         []string         `json:"retention"`
	SecurityMeasures  []string         `json:"security_measures"`
}

type recordController struct {
	Name         string `json:"name"`
	Address      string `json:"address"`
	PrivacyEmail string `json:"privacy_email"`
	DPO          string `json:"dpo"`
}

type recordPurpose struct {
	Name        string   `json:"name"`
	Description string   `json:"description"`
	Bases       []string `json:"bases"`
}

// basisArticle names the GDPR (or ePrivacy) provision of each basis kind.
var basisArticle = map[string]string{
	"consent":             "consent, GDPR Art. 6(1)(a)",
	"legitimate_interest": "legitimate interest, GDPR Art. 6(1)(f)",
	"contract":            "contract, GDPR Art. 6(1)(b)",
	"soft_opt_in":         "existing customer soft opt-in, ePrivacy Directive Art. 13(2) with GDPR Art. 6(1)(f)",
	"legal_obligation":    "legal obligation, GDPR Art. 6(1)(c)",
}

func recordOf(cfg config.Config) processingRecord {
	r := processingRecord{
		Controller: recordController{Name: cfg.Organization.Name, Address: cfg.Organization.Address,
			PrivacyEmail: cfg.Organization.PrivacyEmail, DPO: cfg.Register.DPO},
		DataCategories: cfg.Register.DataCategories, SubjectCategories: cfg.Register.SubjectCategories,
		Recipients: cfg.Register.Recipients, Transfers: cfg.Register.Transfers, SecurityMeasures: cfg.Register.SecurityMeasures,
	}
	names := make([]string, 0, len(cfg.Policy.Purposes))
	for name := range cfg.Policy.Purposes {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		p := recordPurpose{Name: name, Description: cfg.Register.Purposes[name]}
		for _, k := range cfg.Policy.Purposes[name] {
			p.Bases = append(p.Bases, basisArticle[k])
		}
		r.Purposes = append(r.Purposes, p)
	}
	r.Retention = []string{
		fmt.Sprintf("prospects with no activity and no active consent, contract or legal obligation: erased after %d months", cfg.Policy.LegitimateInterestMonths),
		fmt.Sprintf("contacts whose double opt-in request went unconfirmed, with no other basis: erased after %d days", cfg.Retention.UnconfirmedConsentDays),
		fmt.Sprintf("leads marked rejected: erased after %d days", cfg.Retention.RejectedDays),
		"evidence under legal hold: kept, restricted, until the hold is lifted (Art. 17(3)(e))",
		"after erasure: a keyed hash of the address on the suppression list, and the redacted audit record",
	}
	if !cfg.Retention.Enabled {
		r.Retention = append(r.Retention, "the retention rules are NOT applied automatically (retention.enabled: false); run `basis retention run`")
	}
	return r
}

func registerPrint(_ context.Context, env *cli, args []string) error {
	fs := newFlags("register")
	asJSON := fs.Bool("json", false, "print JSON")
	if _, err := parseInterspersed(fs, args); err != nil {
		return err
	}
	cfg, err := config.Load(env.configFile, env.configRequired, env.getenv)
	if err != nil {
		return err
	}
	r := recordOf(cfg)
	if *asJSON {
		return writeJSON(env.stdout, r)
	}
	return writeRecordMarkdown(env.stdout, r)
}

func writeRecordMarkdown(w io.Writer, r processingRecord) error {
	var b strings.Builder
	orNone := func(s string) string {
		if s == "" {
			return "(not set)"
		}
		return s
	}
	list := func(title string, items []string) {
		fmt.Fprintf(&b, "\n## %s\n\n", title)
		for _, it := range items {
			fmt.Fprintf(&b, "- %s\n", it)
		}
	}
	fmt.Fprintf(&b, "# Record of processing activities (GDPR Art. 30)\n\n## Controller\n\n")
	fmt.Fprintf(&b, "- Name: %s\n- Address: %s\n- Privacy contact: %s\n- Data protection officer: %s\n",
		r.Controller.Name, orNone(r.Controller.Address), orNone(r.Controller.PrivacyEmail), orNone(r.Controller.DPO))
	fmt.Fprintf(&b, "\n## Purposes and lawful bases\n\n")
	for _, p := range r.Purposes {
		fmt.Fprintf(&b, "- **%s**: %s\n  - bases: %s\n", p.Name, orNone(p.Description), strings.Join(p.Bases, "; "))
	}
	list("Categories of personal data", r.DataCategories)
	list("Categories of data subjects", r.SubjectCategories)
	list("Recipients", r.Recipients)
	fmt.Fprintf(&b, "\n## Transfers to third countries\n\n%s\n", orNone(r.Transfers))
	list("Retention (Art. 5(1)(e))", r.Retention)
	list("Security measures (Art. 32)", r.SecurityMeasures)
	_, err := io.WriteString(w, b.String())
	return err
}
