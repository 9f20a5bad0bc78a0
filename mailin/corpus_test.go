package mailin

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// corpusDir finds shared/corpus by walking up from the working directory.
func corpusDir(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		for _, c := range []string{filepath.Join(dir, "shared", "corpus"), filepath.Join(dir, "..", "shared", "corpus")} {
			if fi, err := os.Stat(c); err == nil && fi.IsDir() {
				return c
			}
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Skip("shared/corpus not found above the working directory: corpus test skipped")
		}
		dir = parent
	}
}

// sidecar is the part of a corpus .expected.json this test uses.
type sidecar struct {
	IsForward    *bool   `json:"is_forward"`
	Kind         string  `json:"kind"`
	OuterFrom    *string `json:"outer_from"`
	OuterSubject *string `json:"outer_subject"`
	OriginalFrom *struct {
		Address *string `json:"address"`
		Name    *string `json:"name"`
	} `json:"original_from"`
	Recoverable *bool `json:"recoverable"`
}

type corpusSample struct {
	path, category, name string
	raw                  []byte
	side                 *sidecar
	bodyOnly, html       bool
}

func loadCorpus(t *testing.T) []corpusSample {
	root := corpusDir(t)
	var out []corpusSample
	err := filepath.WalkDir(root, func(p string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() || strings.HasSuffix(p, ".json") || strings.HasSuffix(p, ".md") {
			return nil
		}
		raw, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		s := corpusSample{
			path: p, category: filepath.Dir(rel), name: filepath.Base(p), raw: raw,
			bodyOnly: strings.Contains(p, ".body."), html: strings.HasSuffix(p, ".body.html"),
		}
		if js, err := os.ReadFile(p + ".expected.json"); err == nil {
			s.side = &sidecar{}
			if err := json.Unmarshal(js, s.side); err != nil {
				t.Fatalf("%s.expected.json: %v", rel, err)
			}
		}
		out = append(out, s)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(out) == 0 {
		t.Fatalf("corpus at %s has no samples", root)
	}
	return out
}

// message returns the sample as a full message: body-only samples get a
// synthetic staff envelope (the sidecar's outer subject, else "Fwd: inquiry"
// for forwards and "inquiry" for the negative samples).
func (s corpusSample) message() []byte {
	if !s.bodyOnly {
		return s.raw
	}
	subject := "Fwd: inquiry"
	if s.side != nil && s.side.IsForward != nil && !*s.side.IsForward {
		subject = "inquiry"
	}
	if s.side != nil && s.side.OuterSubject != nil {
		subject = *s.side.OuterSubject
	}
	return StaffEnvelope("Staff Member <staff@acme-srl.it>", subject, s.html, s.raw)
}

// classifierFor treats the sample's own sender domain as staff for
// full-message forwards, so the forward path is exercised.
func classifierFor(s corpusSample, m *Message) Classifier {
	c := Classifier{StaffDomains: []string{"acme-srl.it"}}
	if !s.bodyOnly && s.category == "forwarded" && m.From != nil {
		c.StaffDomains = append(c.StaffDomains, domainOf(m.From.Address))
	}
	return c
}

type tally struct{ ok, total int }

func TestCorpus(t *testing.T) {
	samples := loadCorpus(t)
	classes := map[string]Class{"bounce": ClassBounce, "autoreply": ClassAutoReply, "list": ClassList}
	rates := map[string]*tally{}
	count := func(key string, ok bool) {
		if rates[key] == nil {
			rates[key] = &tally{}
		}
		rates[key].total++
		if ok {
			rates[key].ok++
		}
	}
	for _, s := range samples {
		m := Parse(s.message())
		c := classifierFor(s, m)
		r := c.Classify(m)
		if want, ok := classes[s.category]; ok {
			good := r.Class == want
			if !good {
				t.Errorf("%s/%s: class %s (%s), want %s", s.category, s.name, r.Class, r.Reason, want)
			}
			count(s.category, good)
		}
		if s.side == nil || s.side.IsForward == nil {
			count(s.category+" (parsed, no panic)", true)
			continue
		}
		key := "forward full-message"
		if s.bodyOnly {
			key = "forward body-only"
		}
		if !*s.side.IsForward {
			fw, found := ExtractForward(m)
			good := !found
			if !good {
				t.Errorf("%s/%s: not a forward, but found %s from %+v", s.category, s.name, fw.Style, fw.From)
			}
			count("not-forward negatives", good)
			continue
		}
		if s.side.OriginalFrom == nil || (s.side.Recoverable != nil && !*s.side.Recoverable) {
			count(key+" (unrecoverable, no panic)", true)
			continue
		}
		// Full messages must all pass: each miss fails the test. Body-only
		// misses are logged and the rate is checked against its target below.
		report := t.Errorf
		if s.bodyOnly {
			report = t.Logf
		}
		good := true
		want := s.side.OriginalFrom
		if r.Class != ClassForwarded && !(r.Class == ClassReview && want.Address == nil) {
			report("%s/%s: class %s (%s), want forwarded", s.category, s.name, r.Class, r.Reason)
			good = false
		}
		if want.Address != nil && !sameText(r.Sender.Address, *want.Address) {
			report("%s/%s: original address %q, want %q", s.category, s.name, r.Sender.Address, *want.Address)
			good = false
		}
		if want.Name != nil && !sameText(r.Sender.Name, *want.Name) {
			report("%s/%s: original name %q, want %q", s.category, s.name, r.Sender.Name, *want.Name)
			good = false
		}
		count(key, good)
	}
	keys := make([]string, 0, len(rates))
	for k := range rates {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		r := rates[k]
		t.Logf("%-40s %3d/%3d  %5.1f%%", k, r.ok, r.total, 100*float64(r.ok)/float64(r.total))
	}
	if r := rates["forward full-message"]; r == nil || r.ok != r.total {
		t.Errorf("full-message forwards: target 100%%")
	}
	if r := rates["forward body-only"]; r == nil || float64(r.ok) < 0.95*float64(r.total) {
		t.Errorf("body-only forwards: target at least 95%%")
	}
}

func sameText(got, want string) bool {
	return strings.EqualFold(strings.TrimSpace(got), strings.TrimSpace(want))
}
