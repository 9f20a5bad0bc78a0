package mailin

import "errors"

// Errors recorded in Message.ParseError. They are wrapped with the place
// where the problem was found (for example the MIME part path), so test them
// with errors.Is.
var (
	// ErrEmpty means the raw message has no bytes at all.
	ErrEmpty = errors.New("empty message")
	// ErrMalformedHeader means a header line could not be read as "Key: value".
	ErrMalformedHeader = errors.New("malformed header")
	// ErrNoFrom means the message has no From header.
	ErrNoFrom = errors.New("no From header")
	// ErrBadFrom means the From header holds no usable address.
	ErrBadFrom = errors.New("From header has no usable address")
	// ErrMissingBoundary means a multipart entity declares no boundary parameter.
	ErrMissingBoundary = errors.New("multipart without boundary parameter")
	// ErrBrokenBoundary means no delimiter line of the declared boundary was found.
	ErrBrokenBoundary = errors.New("multipart boundary not found in body")
	// ErrUnterminatedMultipart means the closing boundary delimiter is missing.
	ErrUnterminatedMultipart = errors.New("multipart without closing boundary")
	// ErrUnknownCharset means a charset was not recognised; the text was
	// decoded as UTF-8 or Windows-1252 instead.
	ErrUnknownCharset = errors.New("unknown charset")
	// ErrUnknownEncoding means a Content-Transfer-Encoding was not recognised;
	// the body was kept undecoded.
	ErrUnknownEncoding = errors.New("unknown transfer encoding")
	// ErrBadEncoding means a base64 or quoted-printable body is corrupt; what
	// could be decoded was kept.
	ErrBadEncoding = errors.New("corrupt transfer encoding")
	// ErrTooDeep means MIME nesting exceeded the limit; deeper parts are kept
	// only in the raw bytes.
	ErrTooDeep = errors.New("MIME nesting too deep")
	// ErrTooManyParts means a multipart had more parts than the limit.
	ErrTooManyParts = errors.New("too many MIME parts")
)

// maxParseErrors bounds how many problems one message records.
const maxParseErrors = 8
