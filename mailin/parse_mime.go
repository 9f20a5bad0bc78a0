package mailin

import (
	"bytes"
	"fmt"
	"mime"
	"strconv"
	"strings"

	message "github.com/emersion/go-message"
	"github.com/emersion/go-message/textproto"
)

func messageHeader(h textproto.Header) message.Header { return message.Header{Header: h} }

// walker walks the MIME tree of one message and fills its body fields.
type walker struct {
	m   *Message
	dec *headerDecoder
}

// entity handles one MIME entity: its header h and its still-encoded body.
func (w *walker) entity(h message.Header, body []byte, depth int, path string) {
	w.entityDefault(h, body, depth, path, "text/plain")
}

func (w *walker) entityDefault(h message.Header, body []byte, depth int, path, defaultType string) {
	mt, params := w.contentType(h, defaultType)
	if path == "" {
		w.m.mediaType = mt
		w.m.reportType = strings.ToLower(params["report-type"])
	}
	if depth > maxDepth {
		w.problem(path, ErrTooDeep)
		w.m.Attachments = append(w.m.Attachments, AttachmentInfo{ContentType: mt, Size: len(body)})
		return
	}
	switch {
	case strings.HasPrefix(mt, "multipart/"):
		w.multipart(mt, params, body, depth, path)
	case mt == "message/rfc822" || mt == "message/global" || isEMLAttachment(mt, w.filename(h, params)):
		data := w.transfer(h, body, path)
		sub := parseDepth(data, depth+1)
		w.m.Forwarded = append(w.m.Forwarded, sub)
		w.m.Attachments = append(w.m.Attachments, AttachmentInfo{
			Filename: w.filename(h, params), ContentType: mt, Size: len(data),
		})
	case isReportType(mt):
		data := w.transfer(h, body, path)
		w.m.reports = append(w.m.reports, reportPart{mediaType: mt, text: fallback8bit(data)})
	case (mt == "text/plain" || mt == "text/html") && !isAttachment(h, w.filename(h, params)):
		data := w.transfer(h, body, path)
		text, err := decodeCharset(params["charset"], data)
		if err != nil {
			w.problem(path, err)
		}
		if mt == "text/plain" {
			w.m.Text = appendText(w.m.Text, text)
		} else {
			w.m.HTML = appendText(w.m.HTML, text)
		}
	default:
		data := w.transfer(h, body, path)
		w.m.Attachments = append(w.m.Attachments, AttachmentInfo{
			Filename: w.filename(h, params), ContentType: mt, Size: len(data),
		})
	}
}

func appendText(have, more string) string {
	if have == "" {
		return more
	}
	return have + "\n" + more
}

func isReportType(mt string) bool {
	switch mt {
	case "message/delivery-status", "message/global-delivery-status",
		"message/disposition-notification", "message/global-disposition-notification",
		"message/feedback-report":
		return true
	}
	return false
}

func isEMLAttachment(mt, filename string) bool {
	return mt == "application/octet-stream" && strings.HasSuffix(strings.ToLower(filename), ".eml")
}

func isAttachment(h message.Header, filename string) bool {
	d := strings.ToLower(strings.TrimSpace(h.Get("Content-Disposition")))
	return strings.HasPrefix(d, "attachment") && filename != ""
}

// multipart splits a multipart body and walks each part.
func (w *walker) multipart(mt string, params map[string]string, body []byte, depth int, path string) {
	boundary := params["boundary"]
	if boundary == "" {
		w.problem(path, ErrMissingBoundary)
		boundary = guessBoundary(body)
		if boundary == "" {
			w.leafAsText(body)
			return
		}
	}
	parts, closed, found := splitMultipart(body, boundary, false)
	if !found {
		parts, closed, found = splitMultipart(body, boundary, true)
	}
	if !found {
		w.problem(path, fmt.Errorf("%w: %q", ErrBrokenBoundary, clip(boundary, 70)))
		w.leafAsText(body)
		return
	}
	if !closed {
		w.problem(path, fmt.Errorf("%w: %q", ErrUnterminatedMultipart, clip(boundary, 70)))
	}
	if len(parts) > maxParts {
		w.problem(path, ErrTooManyParts)
		parts = parts[:maxParts]
	}
	childDefault := "text/plain"
	if mt == "multipart/digest" {
		childDefault = "message/rfc822"
	}
	for i, p := range parts {
		sub := path + "." + strconv.Itoa(i+1)
		if path == "" {
			sub = strconv.Itoa(i + 1)
		}
		ph, pbody, err := readHeader(p)
		if err != nil {
			w.problem(sub, err)
		}
		w.entityDefault(messageHeader(ph), pbody, depth+1, sub, childDefault)
	}
}

// leafAsText keeps an unsplittable multipart body readable as text.
func (w *walker) leafAsText(body []byte) {
	w.m.Text = appendText(w.m.Text, fallback8bit(body))
}

// guessBoundary returns the boundary of the first line that looks like a
// delimiter ("--something"), for multiparts that forgot the parameter.
func guessBoundary(body []byte) string {
	for len(body) > 0 {
		end := bytes.IndexByte(body, '\n')
		line := body
		if end >= 0 {
			line, body = body[:end], body[end+1:]
		} else {
			body = nil
		}
		line = bytes.TrimRight(line, " \t")
		if len(line) > 2 && len(line) <= 72 && line[0] == '-' && line[1] == '-' {
			b := string(line[2:])
			return strings.TrimSuffix(b, "--")
		}
	}
	return ""
}

// splitMultipart returns the parts of body delimited by boundary. A delimiter
// is a line starting with "--boundary", optionally followed by "--" (the close
// delimiter) and whitespace. Without a closing delimiter the last part runs to
// the end of the body and closed is false. fold matches the boundary ignoring
// ASCII case. The scan is linear in the body size.
func splitMultipart(body []byte, boundary string, fold bool) (parts [][]byte, closed, found bool) {
	delim := []byte("--" + boundary)
	hay := body
	if fold {
		hay = asciiLower(body)
		delim = asciiLower(delim)
	}
	start := -1 // start of the current part's content
	pos := 0
	for pos <= len(hay) {
		// Find the next line that starts with the delimiter.
		var at int
		if pos == 0 && bytes.HasPrefix(hay, delim) {
			at = 0
		} else {
			i := bytes.Index(hay[pos:], append([]byte{'\n'}, delim...))
			if i < 0 {
				break
			}
			at = pos + i + 1
		}
		lineEnd := bytes.IndexByte(hay[at:], '\n')
		next := len(hay)
		if lineEnd >= 0 {
			lineEnd += at
			next = lineEnd + 1
		} else {
			lineEnd = len(hay)
		}
		rest := bytes.TrimRight(hay[at+len(delim):lineEnd], " \t")
		isClose := bytes.Equal(rest, []byte("--"))
		if len(rest) != 0 && !isClose {
			pos = at + 1 // "--boundaryX": not a delimiter
			if pos > len(hay) {
				break
			}
			continue
		}
		found = true
		if start >= 0 {
			end := at - 1 // the newline before the delimiter belongs to it
			if end < start {
				end = start
			}
			parts = append(parts, body[start:end])
		}
		if isClose {
			return parts, true, true
		}
		start = next
		pos = next
		if next >= len(hay) {
			break
		}
	}
	if start >= 0 && start <= len(body) {
		parts = append(parts, body[start:])
	}
	return parts, false, found
}

func asciiLower(b []byte) []byte {
	out := make([]byte, len(b))
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		out[i] = c
	}
	return out
}

// transfer undoes the Content-Transfer-Encoding of body using go-message.
// Undecodable input is kept: what decoded is returned with a problem noted.
func (w *walker) transfer(h message.Header, body []byte, path string) []byte {
	cte := strings.ToLower(strings.TrimSpace(h.Get("Content-Transfer-Encoding")))
	switch cte {
	case "", "7bit", "8bit", "binary":
		return body
	}
	var th message.Header
	th.Set("Content-Transfer-Encoding", cte)
	th.Set("Content-Type", "application/octet-stream")
	e, err := message.New(th, bytes.NewReader(body))
	if err != nil {
		w.problem(path, fmt.Errorf("%w %q", ErrUnknownEncoding, clip(cte, 40)))
		return body
	}
	var buf bytes.Buffer
	buf.Grow(len(body))
	_, err = buf.ReadFrom(e.Body)
	out := buf.Bytes()
	if err != nil {
		w.problem(path, fmt.Errorf("%w: %s: %v", ErrBadEncoding, cte, err))
	}
	return out
}

// contentType parses Content-Type leniently: duplicated or malformed
// parameters do not lose the media type, the boundary or the charset.
func (w *walker) contentType(h message.Header, defaultType string) (string, map[string]string) {
	v := h.Get("Content-Type")
	if strings.TrimSpace(v) == "" {
		return defaultType, map[string]string{}
	}
	mt, params, err := mime.ParseMediaType(v)
	if err != nil || mt == "" {
		mt, params = looseMediaType(v)
	}
	if !strings.Contains(mt, "/") {
		mt = defaultType
	}
	return mt, params
}

// looseMediaType splits "type/sub; a=b; c="d"" by hand, first value wins.
func looseMediaType(v string) (string, map[string]string) {
	params := map[string]string{}
	fields := splitParams(v)
	mt := strings.ToLower(strings.TrimSpace(fields[0]))
	for _, f := range fields[1:] {
		k, val, ok := strings.Cut(f, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		k = strings.TrimSuffix(k, "*")
		val = strings.Trim(strings.TrimSpace(val), `"`)
		if _, dup := params[k]; !dup && k != "" {
			params[k] = val
		}
	}
	return mt, params
}

// splitParams splits on semicolons outside double quotes.
func splitParams(v string) []string {
	var out []string
	quoted := false
	last := 0
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '"':
			quoted = !quoted
		case ';':
			if !quoted {
				out = append(out, v[last:i])
				last = i + 1
			}
		}
	}
	return append(out, v[last:])
}

// filename returns the decoded file name of a part, if any.
func (w *walker) filename(h message.Header, ctParams map[string]string) string {
	name := ""
	if d := h.Get("Content-Disposition"); d != "" {
		_, dp, err := mime.ParseMediaType(d)
		if err != nil {
			_, dp = looseMediaType(d)
		}
		name = dp["filename"]
	}
	if name == "" {
		name = ctParams["name"]
	}
	return w.dec.text(name)
}

func (w *walker) problem(path string, err error) {
	if path == "" {
		w.m.addProblem(err)
		return
	}
	w.m.addProblem(fmt.Errorf("part %s: %w", path, err))
}
