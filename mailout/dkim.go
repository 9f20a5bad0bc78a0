package mailout

import (
	"bytes"
	"crypto"
	"crypto/ecdh"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"os"

	"github.com/emersion/go-msgauth/dkim"
)

// signedHeaders are the fields covered by the signature (RFC 6376 5.4.1),
// with List-Unsubscribe and List-Unsubscribe-Post as RFC 8058 section 4
// requires. A listed field the message lacks is signed as absent, so it
// cannot be added in transit.
var signedHeaders = []string{
	"From", "Reply-To", "Subject", "Date", "To", "Cc", "Message-ID",
	"MIME-Version", "Content-Type", "Content-Transfer-Encoding",
	"List-Unsubscribe", "List-Unsubscribe-Post", "Auto-Submitted",
}

// DKIMSigner signs composed messages for one domain and selector.
type DKIMSigner struct {
	opts dkim.SignOptions
}

// LoadDKIM reads a PEM private key from keyFile: RSA (PKCS#1 or PKCS#8) or
// Ed25519 (PKCS#8). Errors name the setting and the file.
func LoadDKIM(domain, selector, keyFile string) (*DKIMSigner, error) {
	if keyFile == "" {
		return nil, errors.New("mailout.dkim.private_key_file is empty (set it to a PEM private key, or leave mailout.dkim.domain empty to send unsigned)")
	}
	data, err := os.ReadFile(keyFile)
	if err != nil {
		return nil, fmt.Errorf("mailout.dkim.private_key_file %s: %w (check the path and that basis may read it)", keyFile, err)
	}
	key, err := parseDKIMKey(data)
	if err != nil {
		return nil, fmt.Errorf("mailout.dkim.private_key_file %s: %w", keyFile, err)
	}
	return NewDKIMSigner(domain, selector, key)
}

// NewDKIMSigner signs with key, an *rsa.PrivateKey (2048 bits or more) or an
// ed25519.PrivateKey.
func NewDKIMSigner(domain, selector string, key crypto.Signer) (*DKIMSigner, error) {
	if domain == "" {
		return nil, errors.New("mailout.dkim.domain is empty (set the signing domain, e.g. acme-srl.it)")
	}
	if selector == "" {
		return nil, errors.New("mailout.dkim.selector is empty (set the selector whose key is published at SELECTOR._domainkey.DOMAIN)")
	}
	if k, ok := key.(*rsa.PrivateKey); ok && k.N.BitLen() < 1024 {
		return nil, fmt.Errorf("mailout.dkim: RSA key of %d bits is too short (use 2048)", k.N.BitLen())
	}
	return &DKIMSigner{opts: dkim.SignOptions{
		Domain:                 domain,
		Selector:               selector,
		Signer:                 key,
		HeaderCanonicalization: dkim.CanonicalizationRelaxed,
		BodyCanonicalization:   dkim.CanonicalizationRelaxed,
		HeaderKeys:             signedHeaders,
	}}, nil
}

// genKeyHint says how to make a key LoadDKIM accepts.
const genKeyHint = "openssl genpkey -algorithm ed25519 -out dkim.pem"

// keyKind names a parsed private key's algorithm for an error message.
func keyKind(k any) string {
	switch k.(type) {
	case *ecdsa.PrivateKey:
		return "ECDSA"
	case *ecdh.PrivateKey:
		return "ECDH (X25519)"
	default:
		return fmt.Sprintf("%T", k)
	}
}

func parseDKIMKey(data []byte) (crypto.Signer, error) {
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, errors.New("not a PEM file (want a PEM private key, e.g. from " + genKeyHint + ")")
	}
	switch block.Type {
	case "RSA PRIVATE KEY":
		k, err := x509.ParsePKCS1PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("bad RSA private key: %w (the file is damaged: export the key again)", err)
		}
		return k, nil
	case "PRIVATE KEY":
		k, err := x509.ParsePKCS8PrivateKey(block.Bytes)
		if err != nil {
			return nil, fmt.Errorf("bad PKCS#8 private key: %w (the file is damaged: export the key again)", err)
		}
		switch k := k.(type) {
		case *rsa.PrivateKey:
			return k, nil
		case ed25519.PrivateKey:
			return k, nil
		default:
			return nil, fmt.Errorf("unsupported key type %s (DKIM signs with RSA or Ed25519: %s)", keyKind(k), genKeyHint)
		}
	default:
		return nil, fmt.Errorf("unsupported key type: PEM block %q (want \"PRIVATE KEY\" or \"RSA PRIVATE KEY\", an RSA or Ed25519 private key: %s)", block.Type, genKeyHint)
	}
}

// Sign returns raw with a DKIM-Signature header in front. raw must use CRLF
// line endings, as Compose produces.
func (s *DKIMSigner) Sign(raw []byte) ([]byte, error) {
	signer, err := dkim.NewSigner(&s.opts)
	if err != nil {
		return nil, fmt.Errorf("mailout: dkim %s: %w", s.opts.Domain, err)
	}
	if _, err := signer.Write(raw); err != nil {
		signer.Close()
		return nil, fmt.Errorf("mailout: dkim %s: %w", s.opts.Domain, err)
	}
	if err := signer.Close(); err != nil {
		return nil, fmt.Errorf("mailout: dkim %s: %w", s.opts.Domain, err)
	}
	sig := signer.Signature()
	var out bytes.Buffer
	out.Grow(len(sig) + len(raw))
	out.WriteString(sig)
	out.Write(raw)
	return out.Bytes(), nil
}
