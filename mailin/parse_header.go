package mailin

import (
	"bytes"
	"fmt"

	"github.com/emersion/go-message/textproto"
)

// normalizeNewlines returns s with CRLF and lone CR turned into LF. It returns
// s itself when there is nothing to change, so the common LF-only and the
// CRLF cases cost one pass.
func normalizeNewlines(s []byte) []byte {
	i := bytes.IndexByte(s, '\r')
	if i < 0 {
		return s
	}
	out := make([]byte, 0, len(s))
	out = append(out, s[:i]...)
	for ; i < len(s); i++ {
		c := s[i]
		if c != '\r' {
			out = append(out, c)
			continue
		}
		out = append(out, '\n')
		if i+1 < len(s) && s[i+1] == '\n' {
			i++
		}
	}
	return out
}

// headerLine classifies one header line.
type headerLine int

const (
	lineBlank headerLine = iota
	lineContinuation
	lineField
	lineOther
)

func classifyHeaderLine(l []byte) headerLine {
	if len(l) == 0 {
		return lineBlank
	}
	if l[0] == ' ' || l[0] == '\t' {
		// A whitespace-only line is a continuation too (obsolete folding):
		// RFC 5322 ends the header only at an empty line.
		return lineContinuation
	}
	colon := bytes.IndexByte(l, ':')
	if colon <= 0 {
		return lineOther
	}
	key := bytes.TrimRight(l[:colon], " \t")
	if len(key) == 0 {
		return lineOther
	}
	for i := 0; i < len(key); i++ {
		c := key[i]
		if c < 33 || c > 126 {
			return lineOther
		}
	}
	return lineField
}

// readHeader reads a header block from LF-normalised text tolerantly and
// returns the header, the body that follows and a description of any
// problem. It never fails:
//   - an mbox "From " line or other junk before the first field is skipped;
//   - a first field indented by mistake is read as a field;
//   - a line that is not a field is a continuation when a field follows it,
//     otherwise it starts the body (a missing blank line);
//   - a whitespace-only line continues the folded field it is in.
func readHeader(s []byte) (textproto.Header, []byte, error) {
	var fields [][2]int // start and end offsets of each field, folded lines included
	var problem error
	pos := 0
	for pos < len(s) {
		end := bytes.IndexByte(s[pos:], '\n')
		next := len(s)
		if end >= 0 {
			end += pos
			next = end + 1
		} else {
			end = len(s)
		}
		line := s[pos:min(end, pos+998)] // classification needs only the start
		switch classifyHeaderLine(line) {
		case lineBlank:
			return buildHeader(s, fields), s[next:], problem
		case lineField:
			fields = append(fields, [2]int{pos, end})
		case lineContinuation:
			if len(fields) == 0 {
				if classifyHeaderLine(bytes.TrimLeft(line, " \t")) == lineField {
					fields = append(fields, [2]int{pos, end})
					if problem == nil {
						problem = fmt.Errorf("%w: first line is indented", ErrMalformedHeader)
					}
				}
				break
			}
			fields[len(fields)-1][1] = end
		case lineOther:
			if bytes.HasPrefix(line, []byte("From ")) && len(fields) == 0 {
				break // mbox separator line
			}
			if next < len(s) && nextIsHeaderish(s[next:]) {
				if len(fields) > 0 {
					fields[len(fields)-1][1] = end
				}
				if problem == nil {
					problem = fmt.Errorf("%w: line %q", ErrMalformedHeader, clip(string(line), 40))
				}
				break
			}
			// The body starts here without a blank line.
			if problem == nil && len(fields) > 0 {
				problem = fmt.Errorf("%w: no blank line before the body", ErrMalformedHeader)
			}
			if len(fields) == 0 {
				problem = fmt.Errorf("%w: no header fields", ErrMalformedHeader)
			}
			return buildHeader(s, fields), s[pos:], problem
		}
		pos = next
	}
	return buildHeader(s, fields), nil, problem
}

// nextIsHeaderish reports whether the line at the start of s is a header field
// or a continuation line.
func nextIsHeaderish(s []byte) bool {
	end := bytes.IndexByte(s, '\n')
	if end < 0 {
		end = len(s)
	}
	k := classifyHeaderLine(s[:min(end, 200)])
	return k == lineField || k == lineContinuation
}

// buildHeader makes a go-message header from field spans, in document order
// (go-message stores fields last-first, so they are added in reverse).
func buildHeader(s []byte, spans [][2]int) textproto.Header {
	var h textproto.Header
	for i := len(spans) - 1; i >= 0; i-- {
		raw := bytes.TrimLeft(s[spans[i][0]:spans[i][1]], " \t")
		if bytes.IndexByte(raw, ':') < 0 {
			continue
		}
		kv := make([]byte, 0, len(raw)+1)
		kv = append(kv, raw...)
		kv = append(kv, '\n')
		h.AddRaw(kv)
	}
	return h
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
