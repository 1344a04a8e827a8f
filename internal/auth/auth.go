// Package auth verifies the bearer JWTs that authenticate every API request.
//
// The key source decides which algorithms are acceptable, never the token: a
// token can pick neither "none" nor HMAC against a public key, and a JWKS key
// only verifies the algorithms its kty, crv and alg allow.
package auth

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// ErrInvalidToken is the one kind of failure Verify returns, so that callers
// answer every bad token alike and only logs see the wrapped reason.
var ErrInvalidToken = errors.New("invalid token")

// MaxTokenLength bounds what Verify will parse, so oversized headers cannot
// buy base64 and JSON work.
const MaxTokenLength = 8 << 10

// DevSecret is the well-known development HS256 secret; production refuses it.
const DevSecret = "carrierdesk-development-secret-do-not-use-in-production"

// minSecretLength follows RFC 7518 §3.2: an HS256 key shorter than the hash is guessable.
const minSecretLength = 32

const (
	defaultLeeway      = 30 * time.Second
	defaultJWKSRefresh = 5 * time.Minute
	// minJWKSRefetch stops tokens with made-up kids from turning the verifier
	// into a request amplifier against the identity provider.
	minJWKSRefetch   = 30 * time.Second
	jwksFetchTimeout = 10 * time.Second
)

// Claims is what a verified token says about its bearer.
type Claims struct {
	Subject   string
	Role      string
	CarrierID string
	ExpiresAt time.Time
	// Issuer and Audience, when set, are written by Sign; Verify checks
	// them against Config rather than reporting them.
	Issuer   string
	Audience string
}

// Config selects exactly one key source and the claims every token must carry.
type Config struct {
	// Secret is an HS256 key, meant for development tokens made by Sign.
	Secret []byte
	// PublicKeyFile is a PEM public key or certificate (RSA, ECDSA P-256/P-384, Ed25519).
	PublicKeyFile string
	// JWKSFile is a JWKS document read once at start.
	JWKSFile string
	// JWKSURL is a JWKS endpoint, refetched periodically and on unknown kids.
	JWKSURL string
	// Issuer, when set, must equal the token's iss.
	Issuer string
	// Audience, when set, must be among the token's aud.
	Audience string
	// Leeway absorbs clock skew on exp, nbf and iat; zero means 30s.
	Leeway time.Duration
	// HTTPClient fetches JWKSURL; nil means a client with a 10s timeout.
	HTTPClient *http.Client
	// JWKSRefresh is how old a fetched JWKS may get before it is refetched; zero means 5m.
	JWKSRefresh time.Duration
}

// Verifier checks bearer tokens against one configured key source; it is safe for concurrent use.
type Verifier struct {
	keys   keySource
	parser *jwt.Parser
}

// NewVerifier checks cfg and loads its keys, so a misconfigured server fails at start, not per request.
func NewVerifier(ctx context.Context, cfg Config) (*Verifier, error) {
	return newVerifier(ctx, cfg, time.Now)
}

// newVerifier takes the clock as a parameter so tests can step through expiry and JWKS refreshes.
func newVerifier(ctx context.Context, cfg Config, now func() time.Time) (*Verifier, error) {
	if cfg.Leeway < 0 || cfg.JWKSRefresh < 0 {
		return nil, errors.New("auth: negative leeway or JWKS refresh interval")
	}
	if cfg.Leeway == 0 {
		cfg.Leeway = defaultLeeway
	}
	if cfg.JWKSRefresh == 0 {
		cfg.JWKSRefresh = defaultJWKSRefresh
	}
	keys, err := loadKeySource(ctx, cfg, now)
	if err != nil {
		return nil, fmt.Errorf("auth: %w", err)
	}
	opts := []jwt.ParserOption{
		jwt.WithValidMethods(keys.algorithms()),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(cfg.Leeway),
		jwt.WithTimeFunc(now),
		jwt.WithStrictDecoding(),
	}
	if cfg.Issuer != "" {
		opts = append(opts, jwt.WithIssuer(cfg.Issuer))
	}
	if cfg.Audience != "" {
		opts = append(opts, jwt.WithAudience(cfg.Audience))
	}
	return &Verifier{keys: keys, parser: jwt.NewParser(opts...)}, nil
}

// loadKeySource insists on exactly one source, because silently preferring
// one over another hides a deployment mistake.
func loadKeySource(ctx context.Context, cfg Config, now func() time.Time) (keySource, error) {
	given := 0
	for _, set := range []bool{cfg.Secret != nil, cfg.PublicKeyFile != "", cfg.JWKSFile != "", cfg.JWKSURL != ""} {
		if set {
			given++
		}
	}
	if given != 1 {
		return nil, fmt.Errorf("exactly one of Secret, PublicKeyFile, JWKSFile or JWKSURL must be set, got %d", given)
	}
	switch {
	case cfg.Secret != nil:
		if len(cfg.Secret) < minSecretLength {
			return nil, fmt.Errorf("HS256 secret must be at least %d bytes", minSecretLength)
		}
		return staticKey{key: bytes.Clone(cfg.Secret), algs: []string{jwt.SigningMethodHS256.Alg()}}, nil
	case cfg.PublicKeyFile != "":
		return loadPublicKeyFile(cfg.PublicKeyFile)
	case cfg.JWKSFile != "":
		return loadJWKSFile(cfg.JWKSFile)
	default:
		return newRemoteKeySet(ctx, cfg.JWKSURL, cfg.HTTPClient, cfg.JWKSRefresh, now)
	}
}

// Verify returns the claims of a token signed by the configured key and valid
// now; every failure wraps ErrInvalidToken.
func (v *Verifier) Verify(ctx context.Context, token string) (Claims, error) {
	c, err := v.verify(ctx, token)
	if err != nil {
		return Claims{}, fmt.Errorf("%w: %w", ErrInvalidToken, err)
	}
	return c, nil
}

func (v *Verifier) verify(ctx context.Context, token string) (Claims, error) {
	if token == "" {
		return Claims{}, errors.New("empty token")
	}
	if len(token) > MaxTokenLength {
		return Claims{}, fmt.Errorf("token is %d bytes, limit is %d", len(token), MaxTokenLength)
	}
	var claims tokenClaims
	_, err := v.parser.ParseWithClaims(token, &claims, func(t *jwt.Token) (any, error) {
		// golang-jwt ignores crit; RFC 7515 §4.1.11 says a token with
		// extensions we do not understand (such as b64=false) must fail.
		if _, ok := t.Header["crit"]; ok {
			return nil, errors.New("crit header is not supported")
		}
		kid, _ := t.Header["kid"].(string)
		key, err := v.keys.lookup(ctx, kid)
		if err != nil {
			return nil, err
		}
		alg := t.Method.Alg()
		if !key.allows(alg) {
			return nil, fmt.Errorf("algorithm %q not allowed for this key", alg)
		}
		return key.key, nil
	})
	if err != nil {
		return Claims{}, err
	}
	if claims.Subject == "" {
		return Claims{}, errors.New("token has no sub")
	}
	if claims.Role == "" {
		return Claims{}, errors.New("token has no role")
	}
	return Claims{
		Subject:   claims.Subject,
		Role:      claims.Role,
		CarrierID: claims.CarrierID,
		ExpiresAt: claims.ExpiresAt.Time,
	}, nil
}

// Sign issues an HS256 development token valid from now for ttl.
func Sign(secret []byte, c Claims, ttl time.Duration, now time.Time) (string, error) {
	if len(secret) < minSecretLength {
		return "", fmt.Errorf("auth: HS256 secret must be at least %d bytes", minSecretLength)
	}
	if c.Subject == "" || c.Role == "" {
		return "", errors.New("auth: a token needs a subject and a role")
	}
	if ttl <= 0 {
		return "", errors.New("auth: token lifetime must be positive")
	}
	claims := tokenClaims{
		RegisteredClaims: jwt.RegisteredClaims{
			Subject:   c.Subject,
			ExpiresAt: jwt.NewNumericDate(now.Add(ttl)),
			NotBefore: jwt.NewNumericDate(now),
			IssuedAt:  jwt.NewNumericDate(now),
			Issuer:    c.Issuer,
		},
		Role:      c.Role,
		CarrierID: c.CarrierID,
	}
	if c.Audience != "" {
		claims.Audience = jwt.ClaimStrings{c.Audience}
	}
	token, err := jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString(secret)
	if err != nil {
		return "", fmt.Errorf("auth: signing token: %w", err)
	}
	return token, nil
}

// IsDevSecret reports whether b is the published development secret, ignoring
// surrounding whitespace so a trailing newline in an env file does not slip past.
func IsDevSecret(b []byte) bool {
	return subtle.ConstantTimeCompare(bytes.TrimSpace(b), []byte(DevSecret)) == 1
}

// tokenClaims is the wire form of Claims.
type tokenClaims struct {
	jwt.RegisteredClaims
	Role      string `json:"role"`
	CarrierID string `json:"carrier_id,omitempty"`
}

// UnmarshalJSON matches claim names exactly: encoding/json would otherwise
// read "ROLE" or "Sub" as role and sub, which an identity provider may use
// for something else.
func (c *tokenClaims) UnmarshalJSON(data []byte) error {
	var raw map[string]json.RawMessage
	if err := json.Unmarshal(data, &raw); err != nil {
		return err
	}
	fields := []struct {
		name string
		dst  any
	}{
		{"iss", &c.Issuer},
		{"sub", &c.Subject},
		{"aud", &c.Audience},
		{"exp", &c.ExpiresAt},
		{"nbf", &c.NotBefore},
		{"iat", &c.IssuedAt},
		{"jti", &c.ID},
		{"role", &c.Role},
		{"carrier_id", &c.CarrierID},
	}
	for _, f := range fields {
		value, ok := raw[f.name]
		if !ok {
			continue
		}
		if err := json.Unmarshal(value, f.dst); err != nil {
			return fmt.Errorf("claim %s: %w", f.name, err)
		}
	}
	return nil
}
