package auth

import (
	"context"
	"crypto"
	"crypto/hmac"
	"crypto/rsa"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

// FuzzVerify checks that no input panics Verify and that whatever it accepts
// carries a signature an independent check (stdlib crypto, not golang-jwt)
// confirms, with the claims Verify promises.
func FuzzVerify(f *testing.F) {
	k := testKeys()
	secret := []byte(testSecret)
	rsaPEM := publicKeyPEM(f, &k.rsa.PublicKey)
	hs := mustVerifier(f, Config{Secret: secret, Issuer: testIssuer, Audience: testAudience})
	rs := mustVerifier(f, Config{PublicKeyFile: writeFile(f, "rsa.pem", rsaPEM)})

	valid := sign(f, jwt.SigningMethodHS256, secret, "", validClaims())
	for _, seed := range []string{
		valid,
		sign(f, jwt.SigningMethodRS256, k.rsa, "", validClaims()),
		sign(f, jwt.SigningMethodPS256, k.rsa, "", validClaims()),
		sign(f, jwt.SigningMethodHS256, rsaPEM, "", validClaims()),
		rawToken(f, map[string]any{"alg": "none"}, validClaims(), nil),
		rawToken(f, map[string]any{"alg": "nOnE"}, validClaims(), []byte("x")),
		strings.ToUpper(valid),
		valid + ".",
		"", "a.b", "a.b.c", "..", "eyJhbGciOiJIUzI1NiJ9.e30.",
	} {
		f.Add(seed)
	}

	f.Fuzz(func(t *testing.T, token string) {
		ctx := context.Background()
		for name, v := range map[string]*Verifier{"hs": hs, "rsa": rs} {
			got, err := v.Verify(ctx, token)
			if err != nil {
				if !errors.Is(err, ErrInvalidToken) {
					t.Fatalf("%s: error %v does not wrap ErrInvalidToken", name, err)
				}
				continue
			}
			if got.Subject == "" || got.Role == "" {
				t.Fatalf("%s: accepted claims without subject or role: %+v", name, got)
			}
			if !signedBy(token, secret, &k.rsa.PublicKey, name == "hs") {
				t.Fatalf("%s: accepted a token whose signature does not check: %q", name, token)
			}
			again, err := v.Verify(ctx, token)
			if err != nil || again != got {
				t.Fatalf("%s: re-verifying gave %+v, %v; first %+v", name, again, err, got)
			}
		}
	})
}

// signedBy checks the signature with stdlib crypto only, for the one
// algorithm family each fuzzed verifier may accept.
func signedBy(token string, secret []byte, pub *rsa.PublicKey, hmacKey bool) bool {
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		return false
	}
	headerJSON, err := base64.RawURLEncoding.DecodeString(parts[0])
	if err != nil {
		return false
	}
	var header map[string]any
	if json.Unmarshal(headerJSON, &header) != nil {
		return false
	}
	alg, _ := header["alg"].(string)
	sig, err := base64.RawURLEncoding.DecodeString(parts[2])
	if err != nil {
		return false
	}
	digest := sha256.Sum256([]byte(parts[0] + "." + parts[1]))
	switch {
	case hmacKey && alg == "HS256":
		mac := hmac.New(sha256.New, secret)
		mac.Write([]byte(parts[0] + "." + parts[1]))
		return hmac.Equal(mac.Sum(nil), sig)
	case !hmacKey && alg == "RS256":
		return rsa.VerifyPKCS1v15(pub, crypto.SHA256, digest[:], sig) == nil
	case !hmacKey && alg == "PS256":
		return rsa.VerifyPSS(pub, crypto.SHA256, digest[:], sig, nil) == nil
	}
	return false
}
