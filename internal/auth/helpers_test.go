package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"math/big"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

const (
	testSecret   = "0123456789abcdef0123456789abcdef-test-only"
	testIssuer   = "https://id.example.test/"
	testAudience = "carrierdesk"
)

// testNow is far from the wall clock so a verifier that ignored the injected
// clock would reject every token.
var testNow = time.Date(2031, 3, 14, 9, 26, 53, 0, time.UTC)

func fixedClock() time.Time { return testNow }

// testClock is a clock tests can move forward across JWKS refresh intervals.
type testClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *testClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *testClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

type signingKeys struct {
	rsa, rsaOther, rsaSmall *rsa.PrivateKey
	p256, p384, p521        *ecdsa.PrivateKey
	ed                      ed25519.PrivateKey
}

// testKeys generates the keys once per test binary: 2048-bit RSA generation
// is slow enough to dominate the suite otherwise.
var testKeys = sync.OnceValue(func() signingKeys {
	must := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	var k signingKeys
	var err error
	k.rsa, err = rsa.GenerateKey(rand.Reader, 2048)
	must(err)
	k.rsaOther, err = rsa.GenerateKey(rand.Reader, 2048)
	must(err)
	k.rsaSmall, err = rsa.GenerateKey(rand.Reader, 1024)
	must(err)
	k.p256, err = ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(err)
	k.p384, err = ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	must(err)
	k.p521, err = ecdsa.GenerateKey(elliptic.P521(), rand.Reader)
	must(err)
	_, k.ed, err = ed25519.GenerateKey(rand.Reader)
	must(err)
	return k
})

// validClaims is a token body every test verifier accepts at testNow.
func validClaims() jwt.MapClaims {
	return jwt.MapClaims{
		"sub":        "contact-7",
		"role":       "CARRIER",
		"carrier_id": "carrier-3",
		"iss":        testIssuer,
		"aud":        testAudience,
		"exp":        testNow.Add(time.Hour).Unix(),
		"iat":        testNow.Unix(),
		"nbf":        testNow.Unix(),
	}
}

// wantClaims is what Verify returns for validClaims.
var wantClaims = Claims{
	Subject:   "contact-7",
	Role:      "CARRIER",
	CarrierID: "carrier-3",
	ExpiresAt: testNow.Add(time.Hour),
}

// claimsWith returns validClaims changed by edit.
func claimsWith(edit func(jwt.MapClaims)) jwt.MapClaims {
	c := validClaims()
	edit(c)
	return c
}

func sign(t testing.TB, method jwt.SigningMethod, key any, kid string, claims jwt.MapClaims) string {
	t.Helper()
	token := jwt.NewWithClaims(method, claims)
	if kid != "" {
		token.Header["kid"] = kid
	}
	s, err := token.SignedString(key)
	if err != nil {
		t.Fatalf("signing %s token: %v", method.Alg(), err)
	}
	return s
}

// rawToken assembles a token from JSON parts, for headers golang-jwt would refuse to sign.
func rawToken(t testing.TB, header map[string]any, claims jwt.MapClaims, signature []byte) string {
	t.Helper()
	return segment(t, header) + "." + segment(t, claims) + "." + base64.RawURLEncoding.EncodeToString(signature)
}

func segment(t testing.TB, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func writeFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

func publicKeyPEM(t testing.TB, pub any) []byte {
	t.Helper()
	der, err := x509.MarshalPKIXPublicKey(pub)
	if err != nil {
		t.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

// jwkOf encodes pub the way identity providers publish it.
func jwkOf(t testing.TB, pub any, kid, alg string) map[string]any {
	t.Helper()
	b64 := base64.RawURLEncoding.EncodeToString
	k := map[string]any{"kid": kid, "use": "sig"}
	if alg != "" {
		k["alg"] = alg
	}
	switch pub := pub.(type) {
	case *rsa.PublicKey:
		k["kty"] = "RSA"
		k["n"] = b64(pub.N.Bytes())
		k["e"] = b64(big.NewInt(int64(pub.E)).Bytes())
	case *ecdsa.PublicKey:
		point, err := pub.Bytes()
		if err != nil {
			t.Fatal(err)
		}
		size := (len(point) - 1) / 2
		k["kty"] = "EC"
		k["crv"] = pub.Curve.Params().Name
		k["x"] = b64(point[1 : 1+size])
		k["y"] = b64(point[1+size:])
	case ed25519.PublicKey:
		k["kty"] = "OKP"
		k["crv"] = "Ed25519"
		k["x"] = b64(pub)
	default:
		t.Fatalf("no JWK encoding for %T", pub)
	}
	return k
}

func jwksDocument(t testing.TB, keys ...map[string]any) []byte {
	t.Helper()
	b, err := json.Marshal(map[string]any{"keys": keys})
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustVerifier(t testing.TB, cfg Config) *Verifier {
	t.Helper()
	v, err := newVerifier(context.Background(), cfg, fixedClock)
	if err != nil {
		t.Fatalf("newVerifier: %v", err)
	}
	return v
}
