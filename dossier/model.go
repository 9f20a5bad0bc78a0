package dossier

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/basis-crm/basis/crm"
)

// maxText is how much of a text evidence file the report shows inline; the
// whole file is always in the ZIP.
const maxText = 64 << 10

type report struct {
	Organization   string
	GeneratedAt    time.Time
	Contact        crm.Contact
	SourceText     string
	Obtained       []evidenceItem
	Bases          []basisItem
	Messages       []evidenceItem
	Outbox         []crm.OutboxEntry
	Consents       []crm.Consent
	ConsentRecords []evidenceItem
	Activities     []crm.Activity
	Eligibility    []eligibilityItem
	Objections     []eventItem // objections, unsubscribes, withdrawals, suppressions
	Events         []eventItem
	Proof          crm.AuditProof
	ManifestSHA256 string
	ExportEvent    *eventItem
}

type evidenceItem struct {
	crm.Evidence
	What      string
	Path      string // inside the ZIP; "" when erased
	Text      string // inline copy for text content
	Truncated bool
	Readable  string // a message as its reader saw it, decoded (readable.go)
}

type basisItem struct {
	crm.Basis
	Law        string
	SourceText string
}

type eligibilityItem struct {
	Purpose string
	crm.Eligibility
}

// objectionActions are the audit actions by which a person stopped, or
// limited, what is done with their data.
var objectionActions = map[string]bool{"contact.objected": true, "suppression.added": true, "basis.withdrawn": true,
	"consent.withdrawn": true, "contact.erased": true}

type eventItem struct {
	crm.ProofEvent
	Why string // the reason or a short summary from the payload
}

func build(b crm.ExportBundle, files map[string][]byte, proof crm.AuditProof, outbox []crm.OutboxEntry, org string) report {
	r := report{Organization: org, GeneratedAt: b.ExportedAt, Contact: b.Contact, SourceText: sourceText[b.Source],
		Outbox: outbox, Consents: b.Consents, Activities: b.Activities, Proof: proof}
	paths := manifestPaths(files["manifest.json"])
	sum := sha256.Sum256(files["manifest.json"])
	r.ManifestSHA256 = hex.EncodeToString(sum[:])
	for _, e := range b.Evidence {
		it := evidenceItem{Evidence: e, What: evidenceText[e.Kind], Path: paths[e.SHA256]}
		if content, ok := files[it.Path]; ok && isText(e.ContentType) {
			if e.ContentType == "message/rfc822" {
				it.Readable = readableMessage(content)
			}
			if len(content) > maxText {
				content, it.Truncated = content[:maxText], true
			}
			it.Text = strings.ToValidUTF8(string(content), "\uFFFD")
		}
		switch e.Kind {
		case "sent_message":
			r.Messages = append(r.Messages, it)
		case "consent_record":
			r.ConsentRecords = append(r.ConsentRecords, it)
		default:
			r.Obtained = append(r.Obtained, it)
		}
	}
	for _, bs := range b.Bases {
		r.Bases = append(r.Bases, basisItem{Basis: bs, Law: basisLaw[bs.Kind], SourceText: sourceText[bs.Source]})
	}
	for _, e := range proof.Events {
		it := eventItem{ProofEvent: e, Why: summary(e)}
		r.Events = append(r.Events, it)
		if objectionActions[e.Action] {
			r.Objections = append(r.Objections, it)
		}
		if e.Action == "contact.exported" {
			r.ExportEvent = &it
		}
	}
	for purpose, el := range b.Eligibility {
		r.Eligibility = append(r.Eligibility, eligibilityItem{Purpose: purpose, Eligibility: el})
	}
	sort.Slice(r.Eligibility, func(i, j int) bool { return r.Eligibility[i].Purpose < r.Eligibility[j].Purpose })
	sort.SliceStable(r.Activities, func(i, j int) bool { return r.Activities[i].At.Before(r.Activities[j].At) })
	return r
}

func manifestPaths(body []byte) map[string]string {
	var m struct {
		Files []crm.ManifestEntry `json:"files"`
	}
	json.Unmarshal(body, &m)
	out := make(map[string]string, len(m.Files))
	for _, f := range m.Files {
		out[f.SHA256] = f.Path
	}
	return out
}

func isText(contentType string) bool {
	return contentType == "message/rfc822" || contentType == "application/json" || strings.HasPrefix(contentType, "text/")
}

// summary picks the reason of an event, or lists its payload's fields.
func summary(e crm.ProofEvent) string {
	if e.Redacted {
		return "(payload redacted by erasure; its hash is kept)"
	}
	var p map[string]any
	if json.Unmarshal([]byte(e.Payload), &p) != nil {
		return ""
	}
	if r, ok := p["reason"].(string); ok && r != "" {
		return r
	}
	keys := make([]string, 0, len(p))
	for k := range p {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var parts []string
	for _, k := range keys {
		v, _ := json.Marshal(p[k])
		parts = append(parts, k+"="+string(v))
	}
	s := strings.Join(parts, ", ")
	if utf8.RuneCountInString(s) > 300 {
		s = string([]rune(s)[:300]) + "…"
	}
	return s
}
