package main

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"io"
	"math/big"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"carrierdesk/ent/privacy"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/auth"

	"entgo.io/ent/dialect"
	"github.com/golang-jwt/jwt/v5"
)

// This file forges tokens and sends them through HTTP: every bad token is a
// 401 with extensions.code UNAUTHENTICATED and no data, never a 500, whatever
// is wrong with it (the signature, the algorithm, the times, the claims, or
// who the claims name).

// authnQuery is any query; a rejected token must not get as far as running it.
const authnQuery = `{ carriers { totalCount } }`

// authnPeople are the users the forged tokens name.
type authnPeople struct {
	support, admin, inactiveRep string
	carrierA, carrierB          string
	contactA, inactiveContact   string
}

func newAuthnPeople(t *testing.T, app *testApp) authnPeople {
	t.Helper()
	c := app.db.Client
	ctx := privacy.DecisionContext(context.Background(), privacy.Allow)
	rep := func(email string, role enum.Role, active bool) string {
		return c.Rep.Create().
			SetName(email).
			SetEmail(email + "@authn.example").
			SetRole(role).
			SetRegion(enum.RegionWest).
			SetActive(active).
			SaveX(ctx).ID
	}
	carrier := func(ocn, ccna string) string {
		return c.Carrier.Create().
			SetName("Authn " + ccna).
			SetOcn(ocn).
			SetCcna(ccna).
			SaveX(ctx).ID
	}
	p := authnPeople{
		support:     rep("support", enum.RoleSupport, true),
		admin:       rep("admin", enum.RoleAdmin, true),
		inactiveRep: rep("gone", enum.RoleAdmin, false),
		carrierA:    carrier("8A00", "ANA"),
		carrierB:    carrier("8B00", "ANB"),
	}
	contact := func(email string, active bool) string {
		return c.Contact.Create().
			SetCarrierID(p.carrierA).
			SetName(email).
			SetEmail(email + "@carrier.example").
			SetActive(active).
			SaveX(ctx).ID
	}
	p.contactA = contact("user", true)
	p.inactiveContact = contact("former", false)
	return p
}

// claims are valid registered claims for sub in role, valid from a minute ago for an hour.
func authnClaims(sub, role string) jwt.MapClaims {
	now := time.Now()
	return jwt.MapClaims{
		"sub":  sub,
		"role": role,
		"iat":  now.Add(-time.Minute).Unix(),
		"nbf":  now.Add(-time.Minute).Unix(),
		"exp":  now.Add(time.Hour).Unix(),
	}
}

// with returns a copy of c with the given claims set, or removed where the value is nil.
func with(c jwt.MapClaims, kv ...any) jwt.MapClaims {
	out := jwt.MapClaims{}
	for k, v := range c {
		out[k] = v
	}
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i+1] == nil {
			delete(out, kv[i].(string))
			continue
		}
		out[kv[i].(string)] = kv[i+1]
	}
	return out
}

func signHMAC(t *testing.T, method jwt.SigningMethod, key []byte, c jwt.MapClaims) string {
	t.Helper()
	tok, err := jwt.NewWithClaims(method, c).SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func signRSA(t *testing.T, method jwt.SigningMethod, key *rsa.PrivateKey, kid string, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(method, c)
	if kid != "" {
		tok.Header["kid"] = kid
	}
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func b64(v any) string {
	var b []byte
	switch v := v.(type) {
	case []byte:
		b = v
	case string:
		b = []byte(v)
	default:
		b, _ = json.Marshal(v)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// unsigned hand-builds a token with header alg and claims c, and the given signature.
func unsigned(alg string, c jwt.MapClaims, sig string) string {
	return b64(map[string]string{"alg": alg, "typ": "JWT"}) + "." + b64(c) + "." + sig
}

// hmacOver is the HS256 signature of a token's signing input ("header.payload") under key.
func hmacOver(signingInput string, key []byte) string {
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(signingInput))
	return b64(mac.Sum(nil))
}

// tamper rewrites the payload of a signed token and keeps its signature.
func tamper(t *testing.T, token string, kv ...any) string {
	t.Helper()
	parts := strings.Split(token, ".")
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var c jwt.MapClaims
	if err := json.Unmarshal(raw, &c); err != nil {
		t.Fatal(err)
	}
	parts[1] = b64(with(c, kv...))
	return strings.Join(parts, ".")
}

func rsaKey(t *testing.T) (*rsa.PrivateKey, []byte) {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	der, err := x509.MarshalPKIXPublicKey(&key.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	return key, pem.EncodeToMemory(&pem.Block{Type: "PUBLIC KEY", Bytes: der})
}

func randomB64(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return b64(b)
}

// authnCase is a request whose Authorization header (absent when noHeader) must be refused.
type authnCase struct {
	name     string
	header   string
	noHeader bool
}

// bearerOf is an Authorization header carrying token.
func bearerOf(token string) string { return "Bearer " + token }

// assertUnauthenticated sends each case and checks the answer: 401,
// UNAUTHENTICATED, a challenge, no data.
func assertUnauthenticated(t *testing.T, app *testApp, cases []authnCase) {
	t.Helper()
	anonymous := app.as("")
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var res gqlResponse
			if tc.noHeader {
				res = anonymous.do(t, authnQuery, nil)
			} else {
				res = anonymous.do(t, authnQuery, nil, "Authorization", tc.header)
			}
			var top map[string]json.RawMessage
			if err := json.Unmarshal([]byte(res.Raw), &top); err != nil {
				t.Fatalf("body is not JSON: %q", res.Raw)
			}
			_, hasData := top["data"]
			if res.Status != http.StatusUnauthorized || res.Code() != "UNAUTHENTICATED" || len(res.Errors) != 1 || hasData {
				t.Errorf("want 401 UNAUTHENTICATED without data, got HTTP %d: %s", res.Status, res.Raw)
			}
		})
	}
}

// assertAccepted checks the positive controls: the same server takes a good token.
func assertAccepted(t *testing.T, app *testApp, header string) {
	t.Helper()
	res := app.as("").do(t, authnQuery, nil, "Authorization", header)
	if res.Status != http.StatusOK || len(res.Errors) > 0 || !strings.Contains(string(res.Data), "totalCount") {
		t.Fatalf("a good token was refused: HTTP %d %s", res.Status, res.Raw)
	}
}

func TestAuthnRejectsForgedTokens(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		p := newAuthnPeople(t, app)
		secret := app.cfg.Auth.Secret
		support := signHMAC(t, jwt.SigningMethodHS256, secret, authnClaims(p.support, "SUPPORT"))
		admin := authnClaims(p.admin, "ADMIN")
		now := time.Now()

		// The tokens below differ from these in one thing each.
		assertAccepted(t, app, bearerOf(support))
		assertAccepted(t, app, "bearer "+support)
		assertAccepted(t, app, bearerOf(signHMAC(t, jwt.SigningMethodHS256, secret, admin)))
		assertAccepted(t, app, bearerOf(signHMAC(t, jwt.SigningMethodHS256, secret,
			with(authnClaims(p.contactA, "CARRIER"), "carrier_id", p.carrierA))))

		_, rsaPEM := rsaKey(t)
		attacker, _ := rsaKey(t)
		oversized := signHMAC(t, jwt.SigningMethodHS256, secret, with(admin, "pad", strings.Repeat("x", auth.MaxTokenLength)))
		if len(oversized) <= 8<<10 {
			t.Fatalf("oversized token is only %d bytes", len(oversized))
		}

		cases := []authnCase{
			{name: "no Authorization header", noHeader: true},
			{name: "Basic scheme", header: "Basic c3VwcG9ydDpwYXNzd29yZA=="},
			{name: "Basic scheme with a valid JWT", header: "Basic " + support},
			{name: "token without a scheme", header: support},
			{name: "Bearer without a token", header: "Bearer"},
			{name: "Bearer with blanks", header: "Bearer    "},
			{name: "Token scheme", header: "Token " + support},

			{name: "empty token", header: "Bearer "},
			{name: "abc", header: bearerOf("abc")},
			{name: "a.b.c", header: bearerOf("a.b.c")},
			{name: "dots only", header: bearerOf("..")},
			{name: "random base64", header: bearerOf(randomB64(96))},
			{name: "three random segments", header: bearerOf(randomB64(20) + "." + randomB64(40) + "." + randomB64(32))},
			{name: "extra segment", header: bearerOf(support + "." + randomB64(8))},
			{name: "truncated signature", header: bearerOf(support[:len(support)-4])},
			{name: "no signature", header: bearerOf(support[:strings.LastIndex(support, ".")+1])},
			{name: "oversized, correctly signed", header: bearerOf(oversized)},

			{name: "wrong secret", header: bearerOf(signHMAC(t, jwt.SigningMethodHS256, []byte("some-other-secret-that-is-long-enough-1234"), admin))},
			{name: "HS256 keyed with an RSA public key PEM", header: bearerOf(signHMAC(t, jwt.SigningMethodHS256, rsaPEM, admin))},
			{name: "HS384 with the right secret", header: bearerOf(signHMAC(t, jwt.SigningMethodHS384, secret, admin))},
			{name: "HS512 with the right secret", header: bearerOf(signHMAC(t, jwt.SigningMethodHS512, secret, admin))},
			{name: "RS256 by an unknown key", header: bearerOf(signRSA(t, jwt.SigningMethodRS256, attacker, "", admin))},

			{name: "expired", header: bearerOf(signHMAC(t, jwt.SigningMethodHS256, secret,
				with(admin, "iat", now.Add(-2*time.Hour).Unix(), "nbf", now.Add(-2*time.Hour).Unix(), "exp", now.Add(-time.Hour).Unix())))},
			{name: "no exp", header: bearerOf(signHMAC(t, jwt.SigningMethodHS256, secret, with(admin, "exp", nil)))},
			{name: "exp not a number", header: bearerOf(signHMAC(t, jwt.SigningMethodHS256, secret, with(admin, "exp", "tomorrow")))},
			{name: "nbf in the future", header: bearerOf(signHMAC(t, jwt.SigningMethodHS256, secret, with(admin, "nbf", now.Add(time.Hour).Unix())))},
			{name: "iat in the future", header: bearerOf(signHMAC(t, jwt.SigningMethodHS256, secret, with(admin, "iat", now.Add(time.Hour).Unix())))},

			{name: "payload tampered: role ADMIN", header: bearerOf(tamper(t, support, "role", "ADMIN"))},
			{name: "payload tampered: subject the admin", header: bearerOf(tamper(t, support, "sub", p.admin))},
			{name: "payload tampered: exp later", header: bearerOf(tamper(t, support, "exp", now.Add(1000*time.Hour).Unix()))},

			{name: "no sub", header: bearerOf(signHMAC(t, jwt.SigningMethodHS256, secret, with(admin, "sub", nil)))},
			{name: "no role", header: bearerOf(signHMAC(t, jwt.SigningMethodHS256, secret, with(admin, "role", nil)))},
			{name: "sub not a string", header: bearerOf(signHMAC(t, jwt.SigningMethodHS256, secret, with(admin, "sub", 42)))},
			{name: "role not a string", header: bearerOf(signHMAC(t, jwt.SigningMethodHS256, secret, with(admin, "role", []string{"ADMIN"})))},
			{name: "unknown subject", header: bearerOf(app.sign(t, auth.Claims{Subject: "rep_" + strings.Repeat("0", 26), Role: "SUPPORT"}))},
			{name: "garbage subject", header: bearerOf(app.sign(t, auth.Claims{Subject: "' OR 1=1 --", Role: "ADMIN"}))},
			{name: "role differs from the rep's: ADMIN", header: bearerOf(app.sign(t, auth.Claims{Subject: p.support, Role: "ADMIN"}))},
			{name: "role differs from the rep's: MANAGER", header: bearerOf(app.sign(t, auth.Claims{Subject: p.support, Role: "MANAGER"}))},
			{name: "role in lower case", header: bearerOf(app.sign(t, auth.Claims{Subject: p.support, Role: "support"}))},
			{name: "unknown role", header: bearerOf(app.sign(t, auth.Claims{Subject: p.support, Role: "SUPERUSER"}))},
			{name: "deactivated rep", header: bearerOf(app.sign(t, auth.Claims{Subject: p.inactiveRep, Role: "ADMIN"}))},
			{name: "CARRIER with another carrier's ID", header: bearerOf(app.sign(t, auth.Claims{Subject: p.contactA, Role: "CARRIER", CarrierID: p.carrierB}))},
			{name: "CARRIER without a carrier ID", header: bearerOf(app.sign(t, auth.Claims{Subject: p.contactA, Role: "CARRIER"}))},
			{name: "CARRIER naming a rep", header: bearerOf(app.sign(t, auth.Claims{Subject: p.support, Role: "CARRIER", CarrierID: p.carrierA}))},
			{name: "rep role naming a contact", header: bearerOf(app.sign(t, auth.Claims{Subject: p.contactA, Role: "SUPPORT"}))},
			{name: "deactivated contact", header: bearerOf(app.sign(t, auth.Claims{Subject: p.inactiveContact, Role: "CARRIER", CarrierID: p.carrierA}))},
		}
		for _, alg := range []string{"none", "None", "NONE", "nOnE"} {
			noSig := unsigned(alg, admin, "")
			cases = append(cases,
				authnCase{name: "alg " + alg + " without signature", header: bearerOf(noSig)},
				authnCase{name: "alg " + alg + " with an HMAC signature", header: bearerOf(noSig + hmacOver(strings.TrimSuffix(noSig, "."), secret))},
				authnCase{name: "alg " + alg + " with a junk signature", header: bearerOf(noSig + randomB64(32))},
			)
		}
		cases = append(cases, authnCase{name: "alg missing", header: bearerOf(b64(map[string]string{"typ": "JWT"}) + "." + b64(admin) + ".")})
		assertUnauthenticated(t, app, cases)
	})
}

// TestAuthnOpenEndpoints: the probes and GraphiQL need no token; the API does.
func TestAuthnOpenEndpoints(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		for _, path := range []string{"/healthz", "/readyz", "/"} {
			res, err := http.Get(app.srv.URL + path)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				t.Errorf("GET %s without a token: HTTP %d %s", path, res.StatusCode, body)
			}
			if path == "/" && !strings.Contains(strings.ToLower(string(body)), "graphiql") {
				t.Errorf("GET / is not GraphiQL: %.200s", body)
			}
		}
		for _, method := range []string{http.MethodGet, http.MethodPost} {
			req, _ := http.NewRequest(method, app.srv.URL+"/query?query=%7B__typename%7D", strings.NewReader(`{"query":"{ __typename }"}`))
			req.Header.Set("Content-Type", "application/json")
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(res.Body)
			res.Body.Close()
			if res.StatusCode != http.StatusUnauthorized || !strings.Contains(string(body), "UNAUTHENTICATED") || strings.Contains(string(body), `"data"`) {
				t.Errorf("%s /query without a token: HTTP %d %s", method, res.StatusCode, body)
			}
			if !strings.HasPrefix(res.Header.Get("WWW-Authenticate"), "Bearer") {
				t.Errorf("%s /query without a token: no Bearer challenge", method)
			}
		}
	})
}

// newAuthnApp is a server configured by env, as an operator configures it,
// on an SQLite database of its own.
func newAuthnApp(t *testing.T, env map[string]string) *testApp {
	t.Helper()
	cfg, err := LoadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("configuration %v: %v", env, err)
	}
	cfg.SeedOnEmpty = false
	cfg.SQLitePath = filepath.Join(t.TempDir(), "authn.db")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := openDatabase(ctx, cfg, func(d dialect.Driver) dialect.Driver { return d })
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	verifier, err := auth.NewVerifier(ctx, cfg.Auth)
	if err != nil {
		t.Fatalf("the server does not start with %v: %v", env, err)
	}
	srv := httptest.NewServer(NewHandler(db, cfg, &Authenticator{Verifier: verifier, Client: db.Client}))
	t.Cleanup(srv.Close)
	return &testApp{db: db, cfg: cfg, srv: srv}
}

// TestAuthnProductionKeys runs the forgeries that need a production key
// source: a JWKS with kid lookup, issuer and audience checks, and a PEM public
// key that an attacker uses as an HMAC secret.
func TestAuthnProductionKeys(t *testing.T) {
	key, pubPEM := rsaKey(t)
	attacker, _ := rsaKey(t)
	dir := t.TempDir()
	pemFile := filepath.Join(dir, "public.pem")
	if err := os.WriteFile(pemFile, pubPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	jwks, _ := json.Marshal(map[string]any{"keys": []map[string]string{{
		"kty": "RSA", "kid": "k1", "use": "sig", "alg": "RS256",
		"n": b64(key.N.Bytes()), "e": b64(big.NewInt(int64(key.E)).Bytes()),
	}}})
	jwksFile := filepath.Join(dir, "jwks.json")
	if err := os.WriteFile(jwksFile, jwks, 0o600); err != nil {
		t.Fatal(err)
	}
	const issuer, audience = "https://idp.example/", "carrierdesk"

	t.Run("JWKS with issuer and audience", func(t *testing.T) {
		app := newAuthnApp(t, map[string]string{"JWT_JWKS_FILE": jwksFile, "JWT_ISSUER": issuer, "JWT_AUDIENCE": audience})
		p := newAuthnPeople(t, app)
		good := with(authnClaims(p.admin, "ADMIN"), "iss", issuer, "aud", audience)
		assertAccepted(t, app, bearerOf(signRSA(t, jwt.SigningMethodRS256, key, "k1", good)))
		noneToken := unsigned("none", good, "")
		assertUnauthenticated(t, app, []authnCase{
			{name: "unknown kid", header: bearerOf(signRSA(t, jwt.SigningMethodRS256, key, "k2", good))},
			{name: "no kid", header: bearerOf(signRSA(t, jwt.SigningMethodRS256, key, "", good))},
			{name: "known kid, another key", header: bearerOf(signRSA(t, jwt.SigningMethodRS256, attacker, "k1", good))},
			{name: "PS256 where the key says RS256", header: bearerOf(signRSA(t, jwt.SigningMethodPS256, key, "k1", good))},
			{name: "wrong issuer", header: bearerOf(signRSA(t, jwt.SigningMethodRS256, key, "k1", with(good, "iss", "https://evil.example/")))},
			{name: "no issuer", header: bearerOf(signRSA(t, jwt.SigningMethodRS256, key, "k1", with(good, "iss", nil)))},
			{name: "wrong audience", header: bearerOf(signRSA(t, jwt.SigningMethodRS256, key, "k1", with(good, "aud", "other-api")))},
			{name: "no audience", header: bearerOf(signRSA(t, jwt.SigningMethodRS256, key, "k1", with(good, "aud", nil)))},
			{name: "HS256 keyed with the public key PEM", header: bearerOf(signHMACWithKid(t, pubPEM, "k1", good))},
			{name: "alg none with kid", header: bearerOf(noneToken)},
			{name: "expired", header: bearerOf(signRSA(t, jwt.SigningMethodRS256, key, "k1", with(good, "exp", time.Now().Add(-time.Hour).Unix())))},
			{name: "development secret", header: bearerOf(signHMAC(t, jwt.SigningMethodHS256, []byte(auth.DevSecret), good))},
		})
	})

	t.Run("PEM public key", func(t *testing.T) {
		app := newAuthnApp(t, map[string]string{"JWT_PUBLIC_KEY_FILE": pemFile})
		p := newAuthnPeople(t, app)
		good := authnClaims(p.admin, "ADMIN")
		assertAccepted(t, app, bearerOf(signRSA(t, jwt.SigningMethodRS256, key, "", good)))
		der, _ := pem.Decode(pubPEM)
		assertUnauthenticated(t, app, []authnCase{
			{name: "HS256 keyed with the public key PEM", header: bearerOf(signHMAC(t, jwt.SigningMethodHS256, pubPEM, good))},
			{name: "HS256 keyed with the public key DER", header: bearerOf(signHMAC(t, jwt.SigningMethodHS256, der.Bytes, good))},
			{name: "another RSA key", header: bearerOf(signRSA(t, jwt.SigningMethodRS256, attacker, "", good))},
			{name: "development secret", header: bearerOf(signHMAC(t, jwt.SigningMethodHS256, []byte(auth.DevSecret), good))},
		})
	})
}

func signHMACWithKid(t *testing.T, key []byte, kid string, c jwt.MapClaims) string {
	t.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodHS256, c)
	tok.Header["kid"] = kid
	s, err := tok.SignedString(key)
	if err != nil {
		t.Fatal(err)
	}
	return s
}
