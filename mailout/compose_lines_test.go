package mailout

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
)

// TestComposerWritesWhatComposeWrites compares the line-cached body with
// go-mail's own encoding of the whole body, byte for byte (go-mail writes
// some header fields in map order: those are compared as a set), over bodies
// that exercise quoted-printable: long lines, trailing blanks, "=", CR and
// CRLF line ends, non-ASCII, no final newline; each twice, so that the
// second message is built from cached lines.
func TestComposerWritesWhatComposeWrites(t *testing.T) {
	bodies := []string{
		"Ciao Mario,\n\ngrazie.\n",
		"plain ascii, no newline at the end",
		"Novità: qualità e più servizio.\n" + strings.Repeat("parola ", 40) + "\nfine\n",
		"trailing blanks   \ntab\t\n\tlead\n= sign =3D\n.dot line\n..two\n",
		"crlf line\r\nlone cr\rthen lf\n\r\n\n",
		strings.Repeat("x", 75) + "\n" + strings.Repeat("x", 76) + "\n" + strings.Repeat("é", 40) + "\n" + strings.Repeat("a=", 50),
		"emoji 😀 and ends with space ",
		"\n\n\nonly newlines first",
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 1000 {
		bodies = append(bodies, randomBody(r))
	}
	var c Composer
	for round := range 2 {
		for i, body := range bodies {
			d := testDraft()
			d.HTML = ""
			d.Text = body
			want := mustCompose(t, d)
			got, err := c.Compose(d)
			if err != nil {
				t.Fatal(err)
			}
			w := normalized(want)
			g := normalized(got)
			if g != w {
				t.Fatalf("round %d, body %d %q:\n got %q\nwant %q", round, i, body, g, w)
			}
			if got.EnvelopeFrom != want.EnvelopeFrom || !strings.HasPrefix(got.MessageID, "<") {
				t.Fatalf("envelope %q, Message-ID %q", got.EnvelopeFrom, got.MessageID)
			}
		}
	}
}

// TestComposerForgetsWhenFull checks that the cache stays bounded.
func TestComposerForgetsWhenFull(t *testing.T) {
	var c Composer
	d := testDraft()
	d.HTML = ""
	for i := range maxCachedLines + 10 {
		d.Text = strings.Repeat("line\n", 3) + "unique " + string(rune('a'+i%26)) + strings.Repeat("z", i%300) + "\n"
		if _, err := c.Compose(d); err != nil {
			t.Fatal(err)
		}
	}
	if n := len(c.lines); n > maxCachedLines {
		t.Errorf("%d cached lines, want at most %d", n, maxCachedLines)
	}
}

// normalized is c's raw message with its Message-ID replaced and its
// header lines sorted.
func normalized(c *Composed) string {
	raw := string(bytes.Replace(c.Raw, []byte(c.MessageID), []byte("<id>"), 1))
	head, body, _ := strings.Cut(raw, "\r\n\r\n")
	lines := strings.Split(head, "\r\n")
	slices.Sort(lines)
	return strings.Join(lines, "\r\n") + "\r\n\r\n" + body
}

func randomBody(r *rand.Rand) string {
	pieces := []string{"a", "preventivo ", "è", " ", "\t", "=", "\n", "\r\n", "\r", ".", "😀", strings.Repeat("w", 70), "  \n"}
	var b strings.Builder
	for range r.IntN(60) {
		b.WriteString(pieces[r.IntN(len(pieces))])
	}
	if b.Len() == 0 {
		return "x"
	}
	return b.String()
}
