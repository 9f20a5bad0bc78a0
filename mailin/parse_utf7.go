package mailin

import (
	"encoding/base64"
	"strings"
	"unicode/utf16"
)

// decodeUTF7 decodes RFC 2152 UTF-7, which x/text does not provide but old
// Outlook and Netscape versions sent. Malformed shifts are kept as written.
func decodeUTF7(s string) string {
	if !strings.Contains(s, "+") {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '+' {
			b.WriteByte(c)
			continue
		}
		j := i + 1
		for j < len(s) && isBase64Byte(s[j]) {
			j++
		}
		if j == i+1 { // "+-" is a literal plus
			b.WriteByte('+')
			if j < len(s) && s[j] == '-' {
				i = j
			}
			continue
		}
		raw, err := base64.RawStdEncoding.DecodeString(s[i+1 : j])
		if err != nil || len(raw) < 2 {
			b.WriteString(s[i:j])
			i = j - 1
			continue
		}
		units := make([]uint16, len(raw)/2)
		for k := range units {
			units[k] = uint16(raw[2*k])<<8 | uint16(raw[2*k+1])
		}
		b.WriteString(string(utf16.Decode(units)))
		if j < len(s) && s[j] == '-' {
			j++ // the '-' that ends the shift is absorbed
		}
		i = j - 1
	}
	return b.String()
}

func isBase64Byte(c byte) bool {
	return c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/'
}
