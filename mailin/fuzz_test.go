package mailin

import (
	"os"
	"path/filepath"
	"testing"
)

// addFixtureSeeds adds every testdata fixture as a fuzz seed.
func addFixtureSeeds(f *testing.F) {
	files, err := filepath.Glob(filepath.Join("testdata", "*.eml"))
	if err != nil || len(files) == 0 {
		f.Fatalf("no fixtures in testdata: %v", err)
	}
	for _, p := range files {
		raw, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(raw)
	}
}

// FuzzParseClassify checks that any input parses and classifies without a
// panic, keeps its raw bytes, and yields a known class with a reason.
func FuzzParseClassify(f *testing.F) {
	addFixtureSeeds(f)
	c := Classifier{StaffDomains: []string{"acme-srl.it"}, UnsubscribeMailto: "unsubscribe@acme-srl.it"}
	f.Fuzz(func(t *testing.T, raw []byte) {
		m := Parse(raw)
		if len(m.Raw) != len(raw) {
			t.Fatalf("raw bytes changed: %d -> %d", len(raw), len(m.Raw))
		}
		r := c.Classify(m)
		switch r.Class {
		case ClassBounce, ClassAutoReply, ClassList, ClassSpam, ClassUnsubscribe,
			ClassForwarded, ClassStaff, ClassInquiry, ClassReview:
		default:
			t.Fatalf("unknown class %q", r.Class)
		}
		if r.Reason == "" {
			t.Fatal("empty reason")
		}
		if r.Class == ClassForwarded && r.Sender.Address == "" {
			t.Fatal("forwarded without an original address")
		}
	})
}

// FuzzExtractForward feeds arbitrary bodies through the staff envelope to
// the forward extractor, with forward and reply subjects.
func FuzzExtractForward(f *testing.F) {
	f.Add([]byte("---------- Forwarded message ---------\nFrom: John Doe <john@x.example>\nSubject: hi\n\nbody"), "Fwd: hi")
	f.Add([]byte("   ----- Messaggio inoltrato ----- Da: John Doe <john@x.example>A: b@c.example Oggetto: ciao"), "I: ciao")
	f.Add([]byte("On Wed, Oct 27, 2021 at 9:31 AM John Doe <john@x.example>\nwrote:\n> hi"), "FW: x")
	f.Add([]byte("________________________________\n*From:* John, Doe<mailto:j@x.example> on behalf of t@x.example\n*Sent:* today\n"), "Re: x")
	f.Add([]byte("<div>Inizio messaggio inoltrato:</div><b>Da:</b> A &lt;a@b.example&gt;<br><b>Oggetto:</b> x"), "Fwd: x")
	f.Fuzz(func(t *testing.T, body []byte, subject string) {
		for _, html := range []bool{false, true} {
			m := Parse(StaffEnvelope("Staff <staff@acme-srl.it>", subject, html, body))
			fw, ok := ExtractForward(m)
			if !ok {
				continue
			}
			if fw.Style == "" {
				t.Fatal("forward without a style")
			}
			if fw.From.Address != "" && firstAddress(fw.From.Address) != fw.From.Address {
				t.Fatalf("recovered address %q is not an address", fw.From.Address)
			}
		}
	})
}
