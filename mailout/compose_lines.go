package mailout

import (
	"bytes"
	"mime/quotedprintable"
	"strings"
	"sync"
)

// Composing a text-only message spends most of its time in the
// quoted-printable encoding of the body, and a campaign's messages share
// all their body lines but the few that name the recipient. A Composer
// therefore lets go-mail write the header block of each message around a
// placeholder body and encodes the body itself, one line at a time,
// remembering each line's encoding. Quoted-printable is line-local (every
// hard line break starts a fresh output line, and soft breaks only split a
// line; loneCR is the one exception), so the lines' encodings joined are
// the encoding of the whole body: the bytes are the ones Compose writes
// (compose_lines_test.go checks it against Compose).

// bodyMarker is the placeholder body go-mail writes; it is plain ASCII
// that quoted-printable leaves as it is.
const bodyMarker = "basis-body-placeholder"

// maxCachedLines bounds the memory of a Composer: when full, it forgets
// every line and starts over (a campaign's shared lines come back at once).
const maxCachedLines = 4096

// Composer composes messages as Compose does, faster for text-only
// messages that share lines. It is safe for concurrent use.
type Composer struct {
	mu    sync.Mutex
	lines map[string][]byte // body line with its "\n", or the last line without -> its encoding
}

// Compose renders in into RFC 5322 bytes, the same bytes as Compose.
func (c *Composer) Compose(in Draft) (*Composed, error) {
	if in.HTML != "" || in.Text == "" || loneCR(in.Text) {
		return Compose(in)
	}
	text := in.Text
	in.Text = bodyMarker
	out, err := Compose(in)
	if err != nil {
		return nil, err
	}
	head, ok := bytes.CutSuffix(out.Raw, []byte("\r\n\r\n"+bodyMarker))
	if !ok { // not the layout this was written for: let go-mail encode
		in.Text = text
		return Compose(in)
	}
	var buf bytes.Buffer
	buf.Grow(len(head) + 4 + len(text) + len(text)/8)
	buf.Write(head)
	buf.WriteString("\r\n\r\n")
	c.encodeBody(&buf, text)
	out.Raw = buf.Bytes()
	return out, nil
}

// encodeBody appends the quoted-printable encoding of text to buf.
func (c *Composer) encodeBody(buf *bytes.Buffer, text string) {
	lines := splitLines(text)
	enc := make([][]byte, len(lines))
	c.mu.Lock()
	for i, l := range lines {
		enc[i] = c.lines[l]
	}
	c.mu.Unlock()
	var fresh []int
	for i, l := range lines {
		if enc[i] == nil {
			enc[i] = encodeLine(l)
			fresh = append(fresh, i)
		}
	}
	if len(fresh) > 0 {
		c.mu.Lock()
		if c.lines == nil || len(c.lines)+len(fresh) > maxCachedLines {
			c.lines = make(map[string][]byte, maxCachedLines)
		}
		for _, i := range fresh {
			c.lines[lines[i]] = enc[i]
		}
		c.mu.Unlock()
	}
	for _, e := range enc {
		buf.Write(e)
	}
}

// loneCR reports a CR not followed by LF. mime/quotedprintable ends a line
// at such a CR and then takes the next LF for the second half of a CRLF
// if only encoded bytes came between: its state then crosses the LF, and
// lines can no longer be encoded apart.
func loneCR(text string) bool {
	for i := strings.IndexByte(text, '\r'); i >= 0; i = strings.IndexByte(text, '\r') {
		if i+1 == len(text) || text[i+1] != '\n' {
			return true
		}
		text = text[i+1:]
	}
	return false
}

// splitLines cuts text after each "\n", keeping it.
func splitLines(text string) []string {
	lines := make([]string, 0, strings.Count(text, "\n")+1)
	for text != "" {
		i := strings.IndexByte(text, '\n')
		if i < 0 {
			lines = append(lines, text)
			break
		}
		lines = append(lines, text[:i+1])
		text = text[i+1:]
	}
	return lines
}

// encodeLine is the quoted-printable encoding of one line, as go-mail's
// writer (mime/quotedprintable) makes it.
func encodeLine(line string) []byte {
	var b bytes.Buffer
	w := quotedprintable.NewWriter(&b)
	w.Write([]byte(line)) // writes to a bytes.Buffer do not fail
	w.Close()
	return b.Bytes() // not empty: splitLines makes no empty line
}
