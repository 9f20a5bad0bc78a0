package mailin

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"strings"
	"unicode/utf8"

	"github.com/emersion/go-message/charset"
	"golang.org/x/text/encoding/charmap"
)

// fallback8bit turns bytes of unknown encoding into UTF-8: valid UTF-8 is
// kept, anything else is read as Windows-1252 (a superset of Latin-1 that
// maps every byte), so no byte is ever dropped.
func fallback8bit(b []byte) string {
	if utf8.Valid(b) {
		return string(b)
	}
	out, err := charmap.Windows1252.NewDecoder().Bytes(b)
	if err != nil {
		return strings.ToValidUTF8(string(b), "\uFFFD")
	}
	return string(out)
}

// decodeCharset converts b from the named charset to UTF-8. Invalid bytes
// become U+FFFD; an unknown charset falls back to fallback8bit and returns an
// error wrapping ErrUnknownCharset.
func decodeCharset(cs string, b []byte) (string, error) {
	cs = strings.ToLower(strings.Trim(strings.TrimSpace(cs), `"'`))
	switch cs {
	case "", "us-ascii", "ascii", "us_ascii", "ansi_x3.4-1968", "iso-646-us", "default", "x-unknown", "unknown-8bit":
		// Mislabelled 8-bit text is common: keep valid UTF-8, else Windows-1252.
		return fallback8bit(b), nil
	case "utf-7", "utf7", "unicode-1-1-utf-7":
		return decodeUTF7(fallback8bit(b)), nil
	case "utf-8", "utf8", "unicode-1-1-utf-8":
		if utf8.Valid(b) {
			return string(b), nil
		}
		return strings.ToValidUTF8(string(b), "\uFFFD"), nil
	}
	r, err := charset.Reader(cs, bytes.NewReader(b))
	if err != nil {
		return fallback8bit(b), fmt.Errorf("%w %q", ErrUnknownCharset, cs)
	}
	out, err := io.ReadAll(r)
	s := strings.ToValidUTF8(string(out), "\uFFFD")
	if err != nil {
		return s, fmt.Errorf("%w: charset %q: %v", ErrBadEncoding, cs, err)
	}
	return s, nil
}

// headerDecoder decodes RFC 2047 encoded words leniently and remembers the
// first charset it did not know.
type headerDecoder struct {
	unknown string
	wd      mime.WordDecoder
}

func newHeaderDecoder() *headerDecoder {
	d := &headerDecoder{}
	d.wd.CharsetReader = func(cs string, r io.Reader) (io.Reader, error) {
		if strings.EqualFold(cs, "utf-7") {
			b, err := io.ReadAll(r)
			return strings.NewReader(decodeUTF7(string(b))), err
		}
		cr, err := charset.Reader(cs, r)
		if err != nil {
			if d.unknown == "" {
				d.unknown = cs
			}
			return r, nil // bytes kept; invalid UTF-8 is repaired after decoding
		}
		return cr, nil
	}
	return d
}

// text decodes a header value: raw 8-bit bytes are repaired, encoded words
// decoded, and the result is always valid UTF-8.
func (d *headerDecoder) text(v string) string {
	if !utf8.ValidString(v) {
		v = fallback8bit([]byte(v))
	}
	if !strings.Contains(v, "=?") {
		return v
	}
	out, err := d.wd.DecodeHeader(v)
	if err != nil {
		return v
	}
	return strings.ToValidUTF8(out, "\uFFFD")
}
