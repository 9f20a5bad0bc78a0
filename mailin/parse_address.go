package mailin

import (
	"net/mail"
	"strings"
)

// parseAddressList parses an address header leniently: net/mail first (with
// lenient RFC 2047 decoding), and when that fails the loose parser, which
// finds the first address-looking token. Entries without an address are dropped.
func (d *headerDecoder) parseAddressList(v string) []*mail.Address {
	v = strings.TrimSpace(v)
	if v == "" {
		return nil
	}
	if !isASCII(v) {
		v = d.text(v) // raw 8-bit display names
	}
	p := mail.AddressParser{WordDecoder: &d.wd}
	if list, err := p.ParseList(v); err == nil {
		out := list[:0]
		for _, a := range list {
			if a.Address != "" {
				a.Name = strings.ToValidUTF8(a.Name, "\uFFFD")
				out = append(out, a)
			}
		}
		return out
	}
	// Two addresses without a comma: the first one alone may still parse.
	if i := strings.IndexByte(v, '>'); i > 0 && i < len(v)-1 {
		if a, err := p.Parse(v[:i+1]); err == nil && a.Address != "" {
			return []*mail.Address{a}
		}
	}
	if a := looseAddress(d.text(v)); a.Address != "" {
		return []*mail.Address{{Name: a.Name, Address: a.Address}}
	}
	return nil
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}

// looseAddress reads a sender as people and mail clients write it in the
// quoted header of a forward, or in a broken From header:
//
//	John Doe <john@x.it>            "John Doe" <john@x.it>
//	John Doe [mailto:john@x.it]     John Doe (john@x.it)
//	john@x.it<mailto:john@x.it>     John Doe<mailto:john@x.it> <john@x.it<mailto:john@x.it>>
//	John, Doe <john@x.it>           john@x.it
//	John Doe                        (name only: Address is empty)
//
// "on behalf of" and what follows are dropped. The name is never an address.
func looseAddress(v string) Person {
	v = strings.TrimSpace(strings.Trim(v, "\ufeff\u200e\u200f"))
	if i := indexFold(v, " on behalf of "); i >= 0 {
		v = v[:i]
	} else if i := indexFold(v, " im auftrag von "); i >= 0 {
		v = v[:i]
	} else if i := indexFold(v, " per conto di "); i >= 0 {
		v = v[:i]
	}
	// The name ends where the first bracket or address starts.
	cut := len(v)
	if i := strings.IndexAny(v, "<[("); i >= 0 {
		cut = i
	}
	addr := firstAddress(v)
	name := strings.TrimSpace(v[:cut])
	if addr != "" && strings.Contains(name, "@") {
		// "john@x.it <john@x.it>" or "john@x.it<mailto:...>": no display name.
		if a := firstAddress(name); a != "" {
			name = ""
		}
	}
	name = cleanName(name)
	if addr == "" && strings.Contains(name, "@") {
		name = ""
	}
	return Person{Name: name, Address: addr}
}

// cleanName strips quotes, markdown and stray punctuation around a display name.
func cleanName(s string) string {
	s = strings.TrimSpace(s)
	s = strings.Trim(s, "\"'*_ \t,;:")
	s = strings.TrimSpace(s)
	return strings.Join(strings.Fields(s), " ")
}

// firstAddress returns the first token of v that looks like an e-mail
// address (local@domain.tld), without brackets or a mailto: prefix.
func firstAddress(v string) string {
	for i := 0; i < len(v); i++ {
		if v[i] != '@' {
			continue
		}
		start := i
		for start > 0 && isAddrByte(v[start-1]) {
			start--
		}
		end := i + 1
		for end < len(v) && isAddrByte(v[end]) {
			end++
		}
		local := v[start:i]
		if c := strings.LastIndexByte(local, ':'); c >= 0 {
			local = local[c+1:] // "mailto:john@x.it"
		}
		local = strings.TrimLeft(local, ".")
		domain := strings.TrimRight(v[i+1:end], ".")
		if local == "" || !strings.Contains(domain, ".") && !strings.EqualFold(domain, "localhost") {
			continue
		}
		return local + "@" + domain
	}
	return ""
}

func isAddrByte(c byte) bool {
	switch {
	case c >= 'a' && c <= 'z', c >= 'A' && c <= 'Z', c >= '0' && c <= '9':
		return true
	case c >= 0x80:
		return true // internationalised addresses
	}
	return strings.IndexByte("!#$%&'*+-/=?^_`{|}~.:", c) >= 0
}

// indexFold is strings.Index ignoring ASCII case, for short needles.
func indexFold(s, needle string) int {
	n := len(needle)
	for i := 0; i+n <= len(s); i++ {
		if strings.EqualFold(s[i:i+n], needle) {
			return i
		}
	}
	return -1
}
