package crm

import (
	"crypto/hmac"
	"crypto/sha256"
	"errors"
	"fmt"
	"net/mail"
	"strings"

	"golang.org/x/net/idna"
)

// ErrInvalidAddress reports an address that cannot be a mailbox.
var ErrInvalidAddress = errors.New("invalid email address")

// NormalizeAddress trims and lower-cases an address and turns an IDN domain
// into its ASCII form, so that "Mario@Caffè.it" and "mario@xn--caff-8oa.it"
// are one contact.
func NormalizeAddress(raw string) (string, error) {
	s := strings.TrimSpace(raw)
	if a, err := mail.ParseAddress(s); err == nil {
		s = a.Address
	}
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 || strings.ContainsAny(s, " \t\r\n<>\",;") {
		return "", fmt.Errorf("%q: %w (expected name@domain)", raw, ErrInvalidAddress)
	}
	local, domain := strings.ToLower(s[:at]), strings.ToLower(strings.TrimSuffix(s[at+1:], "."))
	ascii, err := idna.Lookup.ToASCII(domain)
	if err != nil || !strings.Contains(ascii, ".") {
		return "", fmt.Errorf("%q: %w (domain %q is not a valid domain name)", raw, ErrInvalidAddress, domain)
	}
	return local + "@" + ascii, nil
}

// AddressHash is the keyed hash under which an address is suppressed; it
// survives erasure without revealing the address.
func (s *Store) AddressHash(normalized string) []byte {
	m := hmac.New(sha256.New, s.key)
	m.Write([]byte(normalized))
	return m.Sum(nil)
}

func domainOf(addr string) string { return addr[strings.LastIndexByte(addr, '@')+1:] }
