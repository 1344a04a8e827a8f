package auth

import (
	"bytes"
	"context"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	mathrand "math/rand/v2"
	"strings"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestVerifyAccepts(t *testing.T) {
	k := testKeys()
	withIdentity := func(c Config) Config {
		c.Issuer, c.Audience = testIssuer, testAudience
		return c
	}
	pemFile := func(t *testing.T, pub any) Config {
		return withIdentity(Config{PublicKeyFile: writeFile(t, "key.pem", publicKeyPEM(t, pub))})
	}
	tests := []struct {
		name  string
		cfg   func(t *testing.T) Config
		token func(t *testing.T) string
		want  Claims
	}{
		{
			name: "HS256 secret",
			cfg:  func(t *testing.T) Config { return withIdentity(Config{Secret: []byte(testSecret)}) },
			token: func(t *testing.T) string {
				return sign(t, jwt.SigningMethodHS256, []byte(testSecret), "", validClaims())
			},
			want: wantClaims,
		},
		{
			name:  "RS256 PKIX PEM file",
			cfg:   func(t *testing.T) Config { return pemFile(t, &k.rsa.PublicKey) },
			token: func(t *testing.T) string { return sign(t, jwt.SigningMethodRS256, k.rsa, "", validClaims()) },
			want:  wantClaims,
		},
		{
			name: "RS256 PKCS1 PEM file",
			cfg: func(t *testing.T) Config {
				block := &pem.Block{Type: "RSA PUBLIC KEY", Bytes: x509.MarshalPKCS1PublicKey(&k.rsa.PublicKey)}
				return withIdentity(Config{PublicKeyFile: writeFile(t, "key.pem", pem.EncodeToMemory(block))})
			},
			token: func(t *testing.T) string { return sign(t, jwt.SigningMethodRS256, k.rsa, "", validClaims()) },
			want:  wantClaims,
		},
		{
			name: "RS256 certificate PEM file",
			cfg: func(t *testing.T) Config {
				tmpl := &x509.Certificate{
					SerialNumber: big.NewInt(1),
					Subject:      pkix.Name{CommonName: "id.example.test"},
					NotBefore:    testNow.Add(-time.Hour),
					NotAfter:     testNow.Add(time.Hour),
				}
				der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &k.rsa.PublicKey, k.rsa)
				if err != nil {
					t.Fatal(err)
				}
				block := &pem.Block{Type: "CERTIFICATE", Bytes: der}
				return withIdentity(Config{PublicKeyFile: writeFile(t, "cert.pem", pem.EncodeToMemory(block))})
			},
			token: func(t *testing.T) string { return sign(t, jwt.SigningMethodRS256, k.rsa, "", validClaims()) },
			want:  wantClaims,
		},
		{
			name:  "PS256 PEM file",
			cfg:   func(t *testing.T) Config { return pemFile(t, &k.rsa.PublicKey) },
			token: func(t *testing.T) string { return sign(t, jwt.SigningMethodPS256, k.rsa, "", validClaims()) },
			want:  wantClaims,
		},
		{
			name:  "ES256 PEM file",
			cfg:   func(t *testing.T) Config { return pemFile(t, &k.p256.PublicKey) },
			token: func(t *testing.T) string { return sign(t, jwt.SigningMethodES256, k.p256, "", validClaims()) },
			want:  wantClaims,
		},
		{
			name:  "ES384 PEM file",
			cfg:   func(t *testing.T) Config { return pemFile(t, &k.p384.PublicKey) },
			token: func(t *testing.T) string { return sign(t, jwt.SigningMethodES384, k.p384, "", validClaims()) },
			want:  wantClaims,
		},
		{
			name:  "EdDSA PEM file",
			cfg:   func(t *testing.T) Config { return pemFile(t, k.ed.Public()) },
			token: func(t *testing.T) string { return sign(t, jwt.SigningMethodEdDSA, k.ed, "", validClaims()) },
			want:  wantClaims,
		},
		{
			name: "audience array containing ours",
			cfg:  func(t *testing.T) Config { return withIdentity(Config{Secret: []byte(testSecret)}) },
			token: func(t *testing.T) string {
				return sign(t, jwt.SigningMethodHS256, []byte(testSecret), "", claimsWith(func(c jwt.MapClaims) {
					c["aud"] = []string{"billing", testAudience}
				}))
			},
			want: wantClaims,
		},
		{
			name: "no issuer or audience configured",
			cfg:  func(t *testing.T) Config { return Config{Secret: []byte(testSecret)} },
			token: func(t *testing.T) string {
				return sign(t, jwt.SigningMethodHS256, []byte(testSecret), "", claimsWith(func(c jwt.MapClaims) {
					delete(c, "iss")
					delete(c, "aud")
					delete(c, "carrier_id")
				}))
			},
			want: Claims{Subject: "contact-7", Role: "CARRIER", ExpiresAt: testNow.Add(time.Hour)},
		},
		{
			name: "clock skew within the default leeway",
			cfg:  func(t *testing.T) Config { return withIdentity(Config{Secret: []byte(testSecret)}) },
			token: func(t *testing.T) string {
				return sign(t, jwt.SigningMethodHS256, []byte(testSecret), "", claimsWith(func(c jwt.MapClaims) {
					c["exp"] = testNow.Add(-20 * time.Second).Unix()
					c["nbf"] = testNow.Add(20 * time.Second).Unix()
					c["iat"] = testNow.Add(20 * time.Second).Unix()
				}))
			},
			want: Claims{Subject: "contact-7", Role: "CARRIER", CarrierID: "carrier-3", ExpiresAt: testNow.Add(-20 * time.Second)},
		},
		{
			name: "at the size limit",
			cfg:  func(t *testing.T) Config { return withIdentity(Config{Secret: []byte(testSecret)}) },
			token: func(t *testing.T) string {
				token := paddedToken(t, false)
				if len(token) < MaxTokenLength-2 {
					t.Fatalf("padded token is only %d bytes", len(token))
				}
				return token
			},
			want: wantClaims,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v := mustVerifier(t, tt.cfg(t))
			got, err := v.Verify(context.Background(), tt.token(t))
			if err != nil {
				t.Fatalf("Verify: %v", err)
			}
			if !got.ExpiresAt.Equal(tt.want.ExpiresAt) {
				t.Errorf("ExpiresAt = %v, want %v", got.ExpiresAt, tt.want.ExpiresAt)
			}
			got.ExpiresAt, tt.want.ExpiresAt = time.Time{}, time.Time{}
			if got != tt.want {
				t.Errorf("Verify = %+v, want %+v", got, tt.want)
			}
		})
	}
}

// paddedToken is a valid HS256 token as long as the size limit allows
// (over false) or one step longer (over true), so the limit is tested apart
// from every other check.
func paddedToken(t testing.TB, over bool) string {
	t.Helper()
	var prev string
	for pad := MaxTokenLength*3/4 - 400; ; pad++ {
		token := sign(t, jwt.SigningMethodHS256, []byte(testSecret), "", claimsWith(func(c jwt.MapClaims) {
			c["pad"] = strings.Repeat("x", pad)
		}))
		if len(token) > MaxTokenLength {
			if over {
				return token
			}
			if prev == "" {
				t.Fatalf("padding starts above the limit: %d bytes", len(token))
			}
			return prev
		}
		prev = token
	}
}

// forgeryFixtures are verifiers configured as in production: issuer and
// audience required, one per kind of key source.
type forgeryFixtures struct {
	hs, rsa, jwks *Verifier
	rsaPEM        []byte
}

func newForgeryFixtures(t *testing.T) forgeryFixtures {
	k := testKeys()
	rsaPEM := publicKeyPEM(t, &k.rsa.PublicKey)
	jwks := jwksDocument(t,
		jwkOf(t, &k.rsa.PublicKey, "rsa-1", "RS256"),
		jwkOf(t, &k.p256.PublicKey, "ec-1", ""),
	)
	return forgeryFixtures{
		hs:     mustVerifier(t, Config{Secret: []byte(testSecret), Issuer: testIssuer, Audience: testAudience}),
		rsa:    mustVerifier(t, Config{PublicKeyFile: writeFile(t, "rsa.pem", rsaPEM), Issuer: testIssuer, Audience: testAudience}),
		jwks:   mustVerifier(t, Config{JWKSFile: writeFile(t, "jwks.json", jwks), Issuer: testIssuer, Audience: testAudience}),
		rsaPEM: rsaPEM,
	}
}

func TestVerifyRejectsForgedTokens(t *testing.T) {
	k := testKeys()
	fx := newForgeryFixtures(t)
	ctx := context.Background()
	secret := []byte(testSecret)

	// Each forgery is a small change to one of these, so they must pass;
	// otherwise the rejections below would prove nothing.
	baseline := map[string]struct {
		v     *Verifier
		token string
	}{
		"hs":        {fx.hs, sign(t, jwt.SigningMethodHS256, secret, "", validClaims())},
		"rsa":       {fx.rsa, sign(t, jwt.SigningMethodRS256, k.rsa, "", validClaims())},
		"jwks rsa":  {fx.jwks, sign(t, jwt.SigningMethodRS256, k.rsa, "rsa-1", validClaims())},
		"jwks ec":   {fx.jwks, sign(t, jwt.SigningMethodES256, k.p256, "ec-1", validClaims())},
		"hs padded": {fx.hs, paddedToken(t, false)},
	}
	for name, b := range baseline {
		if _, err := b.v.Verify(ctx, b.token); err != nil {
			t.Fatalf("baseline %s rejected: %v", name, err)
		}
	}

	hsWith := func(edit func(jwt.MapClaims)) string {
		return sign(t, jwt.SigningMethodHS256, secret, "", claimsWith(edit))
	}
	noneToken := func(alg string, sig []byte, kid string) string {
		header := map[string]any{"alg": alg, "typ": "JWT"}
		if kid != "" {
			header["kid"] = kid
		}
		return rawToken(t, header, validClaims(), sig)
	}
	tamper := func(token string, edit func(jwt.MapClaims)) string {
		parts := strings.Split(token, ".")
		payload, err := base64.RawURLEncoding.DecodeString(parts[1])
		if err != nil {
			t.Fatal(err)
		}
		var c jwt.MapClaims
		if err := json.Unmarshal(payload, &c); err != nil {
			t.Fatal(err)
		}
		edit(c)
		parts[1] = segment(t, c)
		return strings.Join(parts, ".")
	}
	toAdmin := func(c jwt.MapClaims) { c["role"] = "ADMIN" }
	random := make([]byte, 300)
	mathrand.NewChaCha8([32]byte{1}).Read(random)

	type forgery struct {
		name  string
		v     *Verifier
		token string
	}
	var tests []forgery
	for _, alg := range []string{"none", "None", "NONE", "nOnE"} {
		for _, sig := range [][]byte{nil, []byte("signature")} {
			suffix := " empty signature"
			if sig != nil {
				suffix = " with signature"
			}
			tests = append(tests,
				forgery{"alg " + alg + suffix + " vs HS256", fx.hs, noneToken(alg, sig, "")},
				forgery{"alg " + alg + suffix + " vs RSA", fx.rsa, noneToken(alg, sig, "")},
				forgery{"alg " + alg + suffix + " vs JWKS", fx.jwks, noneToken(alg, sig, "rsa-1")},
			)
		}
	}
	tests = append(tests, []forgery{
		{"wrong secret", fx.hs, sign(t, jwt.SigningMethodHS256, []byte("another-secret-that-is-32-bytes-long!"), "", validClaims())},
		{"HS256 keyed with the RSA public key PEM", fx.rsa, sign(t, jwt.SigningMethodHS256, fx.rsaPEM, "", validClaims())},
		{"HS256 keyed with the JWKS RSA public key PEM", fx.jwks, sign(t, jwt.SigningMethodHS256, fx.rsaPEM, "rsa-1", validClaims())},
		{"HS512 with the right secret", fx.hs, sign(t, jwt.SigningMethodHS512, secret, "", validClaims())},
		{"RS256 signed by a different RSA key", fx.rsa, sign(t, jwt.SigningMethodRS256, k.rsaOther, "", validClaims())},
		{"RS256 signed by a different RSA key, JWKS kid", fx.jwks, sign(t, jwt.SigningMethodRS256, k.rsaOther, "rsa-1", validClaims())},
		{"ES256 against an RSA key", fx.rsa, sign(t, jwt.SigningMethodES256, k.p256, "", validClaims())},
		{"PS256 against a JWKS key declared RS256", fx.jwks, sign(t, jwt.SigningMethodPS256, k.rsa, "rsa-1", validClaims())},
		{"ES256 naming the RSA kid", fx.jwks, sign(t, jwt.SigningMethodES256, k.p256, "rsa-1", validClaims())},
		{"unknown kid", fx.jwks, sign(t, jwt.SigningMethodRS256, k.rsa, "rsa-2", validClaims())},
		{"no kid against JWKS", fx.jwks, sign(t, jwt.SigningMethodRS256, k.rsa, "", validClaims())},
		{"expired beyond leeway", fx.hs, hsWith(func(c jwt.MapClaims) { c["exp"] = testNow.Add(-31 * time.Second).Unix() })},
		{"no exp", fx.hs, hsWith(func(c jwt.MapClaims) { delete(c, "exp") })},
		{"exp not a number", fx.hs, hsWith(func(c jwt.MapClaims) { c["exp"] = "tomorrow" })},
		{"nbf in the future", fx.hs, hsWith(func(c jwt.MapClaims) { c["nbf"] = testNow.Add(31 * time.Second).Unix() })},
		{"iat in the future", fx.hs, hsWith(func(c jwt.MapClaims) { c["iat"] = testNow.Add(31 * time.Second).Unix() })},
		{"wrong audience", fx.hs, hsWith(func(c jwt.MapClaims) { c["aud"] = "billing" })},
		{"missing audience", fx.hs, hsWith(func(c jwt.MapClaims) { delete(c, "aud") })},
		{"wrong issuer", fx.hs, hsWith(func(c jwt.MapClaims) { c["iss"] = "https://evil.example.test/" })},
		{"missing issuer", fx.hs, hsWith(func(c jwt.MapClaims) { delete(c, "iss") })},
		{"empty sub", fx.hs, hsWith(func(c jwt.MapClaims) { c["sub"] = "" })},
		{"missing role", fx.hs, hsWith(func(c jwt.MapClaims) { delete(c, "role") })},
		{"role under another case", fx.hs, hsWith(func(c jwt.MapClaims) { delete(c, "role"); c["ROLE"] = "ADMIN" })},
		{"role not a string", fx.hs, hsWith(func(c jwt.MapClaims) { c["role"] = 1 })},
		{"crit header", fx.hs, rawTokenSigned(t, map[string]any{"alg": "HS256", "crit": []string{"exp"}}, validClaims(), secret)},
		{"tampered payload HS256", fx.hs, tamper(baseline["hs"].token, toAdmin)},
		{"tampered payload RS256", fx.rsa, tamper(baseline["rsa"].token, toAdmin)},
		{"tampered payload JWKS", fx.jwks, tamper(baseline["jwks ec"].token, toAdmin)},
		{"signature stripped", fx.rsa, strings.Join(strings.Split(baseline["rsa"].token, ".")[:2], ".") + "."},
		{"oversized", fx.hs, paddedToken(t, true)},
		{"empty", fx.hs, ""},
		{"two segments", fx.hs, "a.b"},
		{"three junk segments", fx.hs, "a.b.c"},
		{"four segments", fx.hs, baseline["hs"].token + ".x"},
		{"random bytes", fx.hs, string(random)},
		{"base64 junk", fx.rsa, "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ4In0.AAAA"},
		{"header not JSON", fx.hs, base64.RawURLEncoding.EncodeToString([]byte("{alg")) + ".e30.AAAA"},
		{"padded base64", fx.hs, strings.Replace(baseline["hs"].token, ".", "=.", 1)},
		{"bearer prefix left on", fx.hs, "Bearer " + baseline["hs"].token},
	}...)

	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.v.Verify(ctx, tt.token)
			if err == nil {
				t.Fatalf("accepted forged token: %+v", got)
			}
			if !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("error %v does not wrap ErrInvalidToken", err)
			}
			if got != (Claims{}) {
				t.Fatalf("rejected token still returned claims %+v", got)
			}
		})
	}
}

// rawTokenSigned HMAC-signs a hand-built header, for headers golang-jwt's
// own signing would rewrite.
func rawTokenSigned(t testing.TB, header map[string]any, claims jwt.MapClaims, secret []byte) string {
	t.Helper()
	unsigned := segment(t, header) + "." + segment(t, claims)
	sig, err := jwt.SigningMethodHS256.Sign(unsigned, secret)
	if err != nil {
		t.Fatal(err)
	}
	return unsigned + "." + base64.RawURLEncoding.EncodeToString(sig)
}

func TestNewVerifierRejectsBadConfig(t *testing.T) {
	k := testKeys()
	pemOf := func(t *testing.T, pub any) string { return writeFile(t, "key.pem", publicKeyPEM(t, pub)) }
	jwksOf := func(t *testing.T, keys ...map[string]any) string {
		return writeFile(t, "jwks.json", jwksDocument(t, keys...))
	}
	tests := []struct {
		name string
		cfg  func(t *testing.T) Config
	}{
		{"no key source", func(t *testing.T) Config { return Config{Issuer: testIssuer} }},
		{"two key sources", func(t *testing.T) Config {
			return Config{Secret: []byte(testSecret), PublicKeyFile: pemOf(t, &k.rsa.PublicKey)}
		}},
		{"empty secret", func(t *testing.T) Config { return Config{Secret: []byte{}} }},
		{"short secret", func(t *testing.T) Config { return Config{Secret: []byte("hunter2")} }},
		{"negative leeway", func(t *testing.T) Config { return Config{Secret: []byte(testSecret), Leeway: -time.Second} }},
		{"missing PEM file", func(t *testing.T) Config { return Config{PublicKeyFile: t.TempDir() + "/nope.pem"} }},
		{"PEM file without PEM", func(t *testing.T) Config {
			return Config{PublicKeyFile: writeFile(t, "key.pem", []byte("not a key"))}
		}},
		{"private key PEM", func(t *testing.T) Config {
			der, err := x509.MarshalPKCS8PrivateKey(k.rsa)
			if err != nil {
				t.Fatal(err)
			}
			return Config{PublicKeyFile: writeFile(t, "key.pem", pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))}
		}},
		{"1024-bit RSA key", func(t *testing.T) Config { return Config{PublicKeyFile: pemOf(t, &k.rsaSmall.PublicKey)} }},
		{"P-521 key", func(t *testing.T) Config { return Config{PublicKeyFile: pemOf(t, &k.p521.PublicKey)} }},
		{"JWKS with only an HMAC key", func(t *testing.T) Config {
			return Config{JWKSFile: jwksOf(t, map[string]any{"kty": "oct", "kid": "h", "k": "c2VjcmV0"})}
		}},
		{"JWKS with only encryption keys", func(t *testing.T) Config {
			enc := jwkOf(t, &k.rsa.PublicKey, "enc", "")
			enc["use"] = "enc"
			return Config{JWKSFile: jwksOf(t, enc)}
		}},
		{"JWKS alg contradicting the key", func(t *testing.T) Config {
			return Config{JWKSFile: jwksOf(t, jwkOf(t, &k.p256.PublicKey, "ec", "ES384"))}
		}},
		{"JWKS EC point off the curve", func(t *testing.T) Config {
			bad := jwkOf(t, &k.p256.PublicKey, "ec", "")
			bad["y"] = bad["x"]
			return Config{JWKSFile: jwksOf(t, bad)}
		}},
		{"JWKS duplicate kid", func(t *testing.T) Config {
			return Config{JWKSFile: jwksOf(t, jwkOf(t, &k.rsa.PublicKey, "a", ""), jwkOf(t, &k.p256.PublicKey, "a", ""))}
		}},
		{"JWKS publishing a private key", func(t *testing.T) Config {
			priv := jwkOf(t, &k.rsa.PublicKey, "a", "")
			priv["d"] = base64.RawURLEncoding.EncodeToString(k.rsa.D.Bytes())
			return Config{JWKSFile: jwksOf(t, priv)}
		}},
		{"JWKS not JSON", func(t *testing.T) Config { return Config{JWKSFile: writeFile(t, "jwks.json", []byte("<html>"))} }},
		{"JWKS URL over plain HTTP", func(t *testing.T) Config {
			return Config{JWKSURL: "http://id.example.test/.well-known/jwks.json"}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if v, err := newVerifier(context.Background(), tt.cfg(t), fixedClock); err == nil {
				t.Fatalf("newVerifier accepted the config: %+v", v)
			}
		})
	}
}

func TestSign(t *testing.T) {
	v := mustVerifier(t, Config{Secret: []byte(DevSecret)})
	c := Claims{Subject: "rep-1", Role: "ADMIN"}
	token, err := Sign([]byte(DevSecret), c, 15*time.Minute, testNow)
	if err != nil {
		t.Fatal(err)
	}
	got, err := v.Verify(context.Background(), token)
	if err != nil {
		t.Fatalf("Verify(Sign(...)): %v", err)
	}
	want := Claims{Subject: "rep-1", Role: "ADMIN", ExpiresAt: testNow.Add(15 * time.Minute)}
	if got.Subject != want.Subject || got.Role != want.Role || got.CarrierID != "" || !got.ExpiresAt.Equal(want.ExpiresAt) {
		t.Fatalf("Verify = %+v, want %+v", got, want)
	}

	payload, err := base64.RawURLEncoding.DecodeString(strings.Split(token, ".")[1])
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	if err := json.Unmarshal(payload, &body); err != nil {
		t.Fatal(err)
	}
	for _, claim := range []string{"iat", "nbf"} {
		if body[claim] != float64(testNow.Unix()) {
			t.Errorf("%s = %v, want %d", claim, body[claim], testNow.Unix())
		}
	}
	if _, ok := body["carrier_id"]; ok {
		t.Errorf("empty carrier_id was written: %s", payload)
	}

	carrier, err := Sign([]byte(DevSecret), Claims{Subject: "contact-1", Role: "CARRIER", CarrierID: "carrier-9"}, time.Hour, testNow)
	if err != nil {
		t.Fatal(err)
	}
	if got, err := v.Verify(context.Background(), carrier); err != nil || got.CarrierID != "carrier-9" {
		t.Fatalf("carrier token: %+v, %v", got, err)
	}

	expired, err := Sign([]byte(DevSecret), c, time.Minute, testNow.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := v.Verify(context.Background(), expired); !errors.Is(err, ErrInvalidToken) {
		t.Fatalf("token signed an hour ago for a minute: %v", err)
	}

	for name, bad := range map[string]func() (string, error){
		"short secret": func() (string, error) { return Sign([]byte("short"), c, time.Hour, testNow) },
		"no subject":   func() (string, error) { return Sign([]byte(DevSecret), Claims{Role: "ADMIN"}, time.Hour, testNow) },
		"no role":      func() (string, error) { return Sign([]byte(DevSecret), Claims{Subject: "rep-1"}, time.Hour, testNow) },
		"zero ttl":     func() (string, error) { return Sign([]byte(DevSecret), c, 0, testNow) },
	} {
		if token, err := bad(); err == nil {
			t.Errorf("Sign with %s = %q, want an error", name, token)
		}
	}
}

func TestIsDevSecret(t *testing.T) {
	tests := []struct {
		secret []byte
		want   bool
	}{
		{[]byte(DevSecret), true},
		{[]byte(DevSecret + "\n"), true},
		{[]byte(testSecret), false},
		{bytes.ToUpper([]byte(DevSecret)), false},
		{nil, false},
	}
	for _, tt := range tests {
		if got := IsDevSecret(tt.secret); got != tt.want {
			t.Errorf("IsDevSecret(%q) = %v, want %v", tt.secret, got, tt.want)
		}
	}
}

// TestAsymmetricKeysNeverAllowHMAC guards the allow-lists themselves:
// golang-jwt's key type check also stops HMAC-with-a-public-key, but the
// verifier must not rely on a library detail for that.
func TestAsymmetricKeysNeverAllowHMAC(t *testing.T) {
	k := testKeys()
	sources := map[string]func(t *testing.T) (keySource, error){
		"RSA PEM": func(t *testing.T) (keySource, error) {
			return loadPublicKeyFile(writeFile(t, "k.pem", publicKeyPEM(t, &k.rsa.PublicKey)))
		},
		"P-256 PEM": func(t *testing.T) (keySource, error) {
			return loadPublicKeyFile(writeFile(t, "k.pem", publicKeyPEM(t, &k.p256.PublicKey)))
		},
		"Ed25519 PEM": func(t *testing.T) (keySource, error) {
			return loadPublicKeyFile(writeFile(t, "k.pem", publicKeyPEM(t, k.ed.Public())))
		},
		"JWKS": func(t *testing.T) (keySource, error) {
			return loadJWKSFile(writeFile(t, "jwks.json", jwksDocument(t, jwkOf(t, &k.rsa.PublicKey, "a", ""))))
		},
	}
	for name, load := range sources {
		t.Run(name, func(t *testing.T) {
			src, err := load(t)
			if err != nil {
				t.Fatal(err)
			}
			key, err := src.lookup(context.Background(), "a")
			if err != nil {
				t.Fatal(err)
			}
			for _, alg := range append(src.algorithms(), key.algs...) {
				if strings.HasPrefix(strings.ToUpper(alg), "HS") || strings.EqualFold(alg, "none") {
					t.Errorf("asymmetric key source allows %s", alg)
				}
			}
		})
	}
}
