package auth

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

func TestVerifyJWKSFileSelectsKeyByKid(t *testing.T) {
	k := testKeys()
	encryption := jwkOf(t, &k.rsaOther.PublicKey, "enc-1", "RSA-OAEP")
	delete(encryption, "use")
	doc := jwksDocument(t,
		jwkOf(t, &k.rsa.PublicKey, "rsa-1", "RS256"),
		jwkOf(t, k.ed.Public(), "ed-1", ""),
		encryption,
		map[string]any{"kty": "oct", "kid": "hmac-1", "k": "c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0"},
	)
	v := mustVerifier(t, Config{JWKSFile: writeFile(t, "jwks.json", doc), Issuer: testIssuer, Audience: testAudience})
	tests := []struct {
		name   string
		token  string
		accept bool
	}{
		{"RS256 with its kid", sign(t, jwt.SigningMethodRS256, k.rsa, "rsa-1", validClaims()), true},
		{"EdDSA with its kid", sign(t, jwt.SigningMethodEdDSA, k.ed, "ed-1", validClaims()), true},
		{"RS256 under the EdDSA kid", sign(t, jwt.SigningMethodRS256, k.rsa, "ed-1", validClaims()), false},
		{"EdDSA under the RSA kid", sign(t, jwt.SigningMethodEdDSA, k.ed, "rsa-1", validClaims()), false},
		{"RS256 under the encryption key's kid", sign(t, jwt.SigningMethodRS256, k.rsaOther, "enc-1", validClaims()), false},
		{"HS256 under the published HMAC kid", sign(t, jwt.SigningMethodHS256, []byte("secretsecretsecretsecretsecret"), "hmac-1", validClaims()), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := v.Verify(context.Background(), tt.token)
			if tt.accept {
				if err != nil || got.Subject != wantClaims.Subject {
					t.Fatalf("Verify = %+v, %v; want accepted", got, err)
				}
				return
			}
			if !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("Verify = %+v, %v; want ErrInvalidToken", got, err)
			}
		})
	}
}

// jwksServer is an identity provider whose published keys the test changes.
type jwksServer struct {
	*httptest.Server
	mu      sync.Mutex
	doc     []byte
	failing bool
	fetches atomic.Int32
}

func newJWKSServer(t *testing.T, doc []byte) *jwksServer {
	s := &jwksServer{doc: doc}
	s.Server = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		s.fetches.Add(1)
		s.mu.Lock()
		defer s.mu.Unlock()
		if s.failing {
			http.Error(w, "maintenance", http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "application/jwk-set+json")
		w.Write(s.doc)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *jwksServer) publish(doc []byte, failing bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if doc != nil {
		s.doc = doc
	}
	s.failing = failing
}

func TestVerifyJWKSURLRotation(t *testing.T) {
	k := testKeys()
	ctx := context.Background()
	old := jwkOf(t, &k.rsa.PublicKey, "2031-01", "RS256")
	next := jwkOf(t, &k.p256.PublicKey, "2031-02", "ES256")
	later := jwkOf(t, k.ed.Public(), "2031-03", "EdDSA")
	server := newJWKSServer(t, jwksDocument(t, old))
	clock := &testClock{now: testNow}
	v, err := newVerifier(ctx, Config{
		JWKSURL:    server.URL + "/.well-known/jwks.json",
		HTTPClient: server.Client(),
		Issuer:     testIssuer,
		Audience:   testAudience,
	}, clock.Now)
	if err != nil {
		t.Fatal(err)
	}
	oldToken := sign(t, jwt.SigningMethodRS256, k.rsa, "2031-01", validClaims())
	nextToken := sign(t, jwt.SigningMethodES256, k.p256, "2031-02", validClaims())
	laterToken := sign(t, jwt.SigningMethodEdDSA, k.ed, "2031-03", validClaims())
	forgedToken := sign(t, jwt.SigningMethodRS256, k.rsaOther, "made-up", validClaims())

	// Steps run in order against one verifier, as a provider rotates its keys.
	steps := []struct {
		name        string
		publish     []byte // nil keeps the published document
		failing     bool
		advance     time.Duration
		token       string
		concurrency int
		accept      bool
		fetches     int32 // fetches so far, the initial load included
	}{
		{name: "initial key", token: oldToken, accept: true, fetches: 1},
		{name: "unknown kid refetches and finds the rotated key", publish: jwksDocument(t, old, next), token: nextToken, accept: true, fetches: 2},
		{name: "unknown kid within 30s of a fetch does not refetch", token: forgedToken, fetches: 2},
		{name: "a burst of unknown kids does not refetch", token: forgedToken, concurrency: 20, fetches: 2},
		{name: "key published 10s later is not fetched yet", publish: jwksDocument(t, old, next, later), advance: 10 * time.Second, token: laterToken, fetches: 2},
		{name: "key is fetched once 30s have passed", advance: 21 * time.Second, token: laterToken, accept: true, fetches: 3},
		{name: "fresh keys are not refetched", token: oldToken, accept: true, fetches: 3},
		{name: "retired key fails once the set is stale", publish: jwksDocument(t, next, later), advance: 5 * time.Minute, token: oldToken, fetches: 4},
		{name: "current key still verifies", token: nextToken, accept: true, fetches: 4},
		{name: "provider outage keeps the last keys", failing: true, advance: 6 * time.Minute, token: laterToken, accept: true, fetches: 5},
		{name: "outage is not retried within 30s", failing: true, advance: time.Second, token: laterToken, accept: true, fetches: 5},
		{name: "recovered provider is fetched again", advance: 30 * time.Second, token: laterToken, accept: true, fetches: 6},
		{name: "unknown kid refetches once, then fails", advance: 31 * time.Second, token: forgedToken, concurrency: 20, fetches: 7},
	}
	for _, step := range steps {
		server.publish(step.publish, step.failing)
		clock.Advance(step.advance)
		n := max(step.concurrency, 1)
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				_, errs[i] = v.Verify(ctx, step.token)
			})
		}
		wg.Wait()
		for _, err := range errs {
			if step.accept && err != nil {
				t.Fatalf("%s: rejected: %v", step.name, err)
			}
			if !step.accept && !errors.Is(err, ErrInvalidToken) {
				t.Fatalf("%s: want ErrInvalidToken, got %v", step.name, err)
			}
		}
		if got := server.fetches.Load(); got != step.fetches {
			t.Fatalf("%s: %d JWKS fetches so far, want %d", step.name, got, step.fetches)
		}
	}
}

func TestNewVerifierJWKSURLUnreachable(t *testing.T) {
	server := newJWKSServer(t, []byte(`{"keys":[]}`))
	server.publish(nil, true)
	_, err := newVerifier(context.Background(), Config{JWKSURL: server.URL, HTTPClient: server.Client()}, fixedClock)
	if err == nil {
		t.Fatal("verifier started without its key set")
	}
	if server.fetches.Load() != 1 {
		t.Fatalf("%d fetches, want 1", server.fetches.Load())
	}
}
