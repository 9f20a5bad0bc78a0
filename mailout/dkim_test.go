package mailout

import (
	"bytes"
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/emersion/go-msgauth/dkim"
)

var (
	rsaKeyOnce sync.Once
	rsaKey     *rsa.PrivateKey
)

// testRSAKey is one RSA-2048 key shared by the package's tests.
func testRSAKey(t testing.TB) *rsa.PrivateKey {
	rsaKeyOnce.Do(func() {
		k, err := rsa.GenerateKey(rand.Reader, 2048)
		if err != nil {
			t.Fatal(err)
		}
		rsaKey = k
	})
	return rsaKey
}

func testEd25519Key(t testing.TB) ed25519.PrivateKey {
	_, k, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// writeKey writes a PEM block of the given type and returns its path.
func writeKey(t testing.TB, typ string, der []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "dkim.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func pkcs8(t testing.TB, k crypto.Signer) []byte {
	der, err := x509.MarshalPKCS8PrivateKey(k)
	if err != nil {
		t.Fatal(err)
	}
	return der
}

// dnsRecord is the TXT record publishing k's public key.
func dnsRecord(t testing.TB, k crypto.Signer) string {
	switch pub := k.Public().(type) {
	case *rsa.PublicKey:
		der, err := x509.MarshalPKIXPublicKey(pub)
		if err != nil {
			t.Fatal(err)
		}
		return "v=DKIM1; k=rsa; p=" + base64.StdEncoding.EncodeToString(der)
	case ed25519.PublicKey:
		return "v=DKIM1; k=ed25519; p=" + base64.StdEncoding.EncodeToString(pub)
	}
	t.Fatalf("no record for %T", k)
	return ""
}

func verifyDKIM(t *testing.T, signed []byte, record string) []*dkim.Verification {
	t.Helper()
	vs, err := dkim.VerifyWithOptions(bytes.NewReader(signed), &dkim.VerifyOptions{
		LookupTXT: func(domain string) ([]string, error) {
			if domain != "sel1._domainkey.acme-srl.it" {
				t.Errorf("looked up %q", domain)
			}
			return []string{record}, nil
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	return vs
}

func TestDKIMSignaturesVerify(t *testing.T) {
	cases := []struct {
		name string
		key  crypto.Signer
		file func(crypto.Signer) string
	}{
		{"rsa-2048 pkcs1", testRSAKey(t), func(k crypto.Signer) string {
			return writeKey(t, "RSA PRIVATE KEY", x509.MarshalPKCS1PrivateKey(k.(*rsa.PrivateKey)))
		}},
		{"rsa-2048 pkcs8", testRSAKey(t), func(k crypto.Signer) string { return writeKey(t, "PRIVATE KEY", pkcs8(t, k)) }},
		{"ed25519 pkcs8", testEd25519Key(t), func(k crypto.Signer) string { return writeKey(t, "PRIVATE KEY", pkcs8(t, k)) }},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			s, err := LoadDKIM("acme-srl.it", "sel1", tc.file(tc.key))
			if err != nil {
				t.Fatal(err)
			}
			raw := mustCompose(t, testDraft()).Raw
			signed, err := s.Sign(raw)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.HasSuffix(signed, raw) || !bytes.HasPrefix(signed, []byte("DKIM-Signature:")) {
				t.Fatal("Sign must only prepend a DKIM-Signature header")
			}
			vs := verifyDKIM(t, signed, dnsRecord(t, tc.key))
			if len(vs) != 1 || vs[0].Err != nil || vs[0].Domain != "acme-srl.it" {
				t.Fatalf("verification: %+v", vs)
			}
			signedFields := strings.Join(vs[0].HeaderKeys, ":")
			for _, f := range []string{"from", "subject", "list-unsubscribe", "list-unsubscribe-post"} {
				if !strings.Contains(strings.ToLower(signedFields), f) {
					t.Errorf("%s not signed (h=%s)", f, signedFields)
				}
			}

			tampered := bytes.Replace(signed, []byte("ringraziamo"), []byte("ringraziamO"), 1)
			if vs := verifyDKIM(t, tampered, dnsRecord(t, tc.key)); vs[0].Err == nil {
				t.Error("a changed body still verifies")
			}
		})
	}
}

func TestLoadDKIMErrorsNameFileAndProblem(t *testing.T) {
	ec, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	notPEM := filepath.Join(t.TempDir(), "key.txt")
	os.WriteFile(notPEM, []byte("hello"), 0o600)
	pub, err := x509.MarshalPKIXPublicKey(testEd25519Key(t).Public())
	if err != nil {
		t.Fatal(err)
	}
	const gen = "openssl genpkey -algorithm ed25519 -out dkim.pem"
	cases := []struct {
		file string
		want string
	}{
		{notPEM, "not a PEM file (want a PEM private key, e.g. from " + gen + ")"},
		{writeKey(t, "PRIVATE KEY", pkcs8(t, ec)), "unsupported key type ECDSA (DKIM signs with RSA or Ed25519: " + gen + ")"},
		{writeKey(t, "EC PRIVATE KEY", []byte{1}), `unsupported key type: PEM block "EC PRIVATE KEY" (want "PRIVATE KEY" or "RSA PRIVATE KEY", an RSA or Ed25519 private key`},
		{writeKey(t, "PUBLIC KEY", pub), `unsupported key type: PEM block "PUBLIC KEY"`},
		{writeKey(t, "RSA PRIVATE KEY", []byte{1, 2, 3}), "(the file is damaged: export the key again)"},
		{writeKey(t, "PRIVATE KEY", []byte{1, 2, 3}), "bad PKCS#8 private key"},
		{filepath.Join(t.TempDir(), "missing.pem"), "no such file or directory (check the path and that basis may read it)"},
	}
	for _, tc := range cases {
		_, err := LoadDKIM("acme-srl.it", "sel1", tc.file)
		if err == nil || !strings.Contains(err.Error(), tc.want) || !strings.Contains(err.Error(), "mailout.dkim.private_key_file "+tc.file) {
			t.Errorf("%s: got %v, want %q naming the file", tc.file, err, tc.want)
		}
	}
	ed := writeKey(t, "PRIVATE KEY", pkcs8(t, testEd25519Key(t)))
	for _, tc := range []struct{ domain, selector, file, want string }{
		{"", "sel1", ed, "mailout.dkim.domain is empty (set the signing domain"},
		{"acme-srl.it", "", ed, "mailout.dkim.selector is empty (set the selector"},
		{"acme-srl.it", "sel1", "", "mailout.dkim.private_key_file is empty (set it to a PEM private key, or leave mailout.dkim.domain empty"},
	} {
		if _, err := LoadDKIM(tc.domain, tc.selector, tc.file); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("LoadDKIM(%q, %q, %q): got %v, want %q", tc.domain, tc.selector, tc.file, err, tc.want)
		}
	}
}
