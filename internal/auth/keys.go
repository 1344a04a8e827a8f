package auth

import (
	"context"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"fmt"
	"math/big"
	"os"
	"slices"
	"strings"
)

// minRSABits rejects keys that are cheap to factor; identity providers use 2048 or more.
const minRSABits = 2048

// verificationKey pairs a key with the algorithms it may verify, so the
// algorithm is bound to the key and never taken from the token alone.
type verificationKey struct {
	key  any
	algs []string
}

func (k verificationKey) allows(alg string) bool {
	return slices.Contains(k.algs, alg)
}

// keySource finds the key for a token's kid.
type keySource interface {
	lookup(ctx context.Context, kid string) (verificationKey, error)
	// algorithms is the parser's allow-list: everything any key of this source may verify.
	algorithms() []string
}

// staticKey is a single configured key; tokens' kid headers are irrelevant to it.
type staticKey verificationKey

func (k staticKey) lookup(context.Context, string) (verificationKey, error) {
	return verificationKey(k), nil
}

func (k staticKey) algorithms() []string { return k.algs }

// asymmetricAlgorithms is everything a JWKS key may be used for; HMAC is
// absent because a published key set must never hold shared secrets.
var asymmetricAlgorithms = []string{
	"RS256", "RS384", "RS512",
	"PS256", "PS384", "PS512",
	"ES256", "ES384",
	"EdDSA",
}

// algorithmsFor picks the algorithms a public key may verify. declared is a
// JWK's alg member ("" for PEM keys or a JWK without one); it may narrow the
// choice but never widen it beyond what the key type supports.
func algorithmsFor(pub any, declared string) ([]string, error) {
	var algs []string
	switch pub := pub.(type) {
	case *rsa.PublicKey:
		if bits := pub.N.BitLen(); bits < minRSABits {
			return nil, fmt.Errorf("RSA key is %d bits, need at least %d", bits, minRSABits)
		}
		if pub.E < 3 || pub.E%2 == 0 {
			return nil, errors.New("RSA key has an invalid public exponent")
		}
		algs = []string{"RS256", "PS256"}
		if declared != "" {
			algs = []string{"RS256", "RS384", "RS512", "PS256", "PS384", "PS512"}
		}
	case *ecdsa.PublicKey:
		switch pub.Curve {
		case elliptic.P256():
			algs = []string{"ES256"}
		case elliptic.P384():
			algs = []string{"ES384"}
		default:
			return nil, fmt.Errorf("ECDSA curve %s is not supported", pub.Curve.Params().Name)
		}
	case ed25519.PublicKey:
		algs = []string{"EdDSA"}
	default:
		return nil, fmt.Errorf("unsupported public key type %T", pub)
	}
	if declared == "" {
		return algs, nil
	}
	if !slices.Contains(algs, declared) {
		return nil, fmt.Errorf("alg %q does not fit the key", declared)
	}
	return []string{declared}, nil
}

// loadPublicKeyFile reads the first PEM block of path. Private keys are
// refused rather than reduced to their public half, because a signing key
// has no business on the API servers.
func loadPublicKeyFile(path string) (keySource, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading public key: %w", err)
	}
	block, _ := pem.Decode(data)
	if block == nil {
		return nil, fmt.Errorf("%s holds no PEM block", path)
	}
	var pub any
	switch block.Type {
	case "PUBLIC KEY":
		pub, err = x509.ParsePKIXPublicKey(block.Bytes)
	case "RSA PUBLIC KEY":
		pub, err = x509.ParsePKCS1PublicKey(block.Bytes)
	case "CERTIFICATE":
		var cert *x509.Certificate
		cert, err = x509.ParseCertificate(block.Bytes)
		if err == nil {
			pub = cert.PublicKey
		}
	default:
		if strings.Contains(block.Type, "PRIVATE KEY") {
			return nil, fmt.Errorf("%s holds a private key; configure the public key only", path)
		}
		return nil, fmt.Errorf("%s: unsupported PEM block %q", path, block.Type)
	}
	if err != nil {
		return nil, fmt.Errorf("parsing %s: %w", path, err)
	}
	algs, err := algorithmsFor(pub, "")
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return staticKey{key: pub, algs: algs}, nil
}

// jwk holds the members of RFC 7517/7518/8037 keys that matter for verification.
type jwk struct {
	Kty    string   `json:"kty"`
	Kid    string   `json:"kid"`
	Use    string   `json:"use"`
	KeyOps []string `json:"key_ops"`
	Alg    string   `json:"alg"`
	Crv    string   `json:"crv"`
	N      string   `json:"n"`
	E      string   `json:"e"`
	X      string   `json:"x"`
	Y      string   `json:"y"`
	D      string   `json:"d"`
}

// keySet maps kid to key.
type keySet map[string]verificationKey

// parseJWKS skips keys it cannot use (other key types, encryption keys, no
// kid) so a provider publishing more than we need still works, but fails on
// a malformed key of a supported type, which means a broken document.
func parseJWKS(data []byte) (keySet, error) {
	var doc struct {
		Keys []json.RawMessage `json:"keys"`
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("decoding JWKS: %w", err)
	}
	set := keySet{}
	for i, raw := range doc.Keys {
		var k jwk
		if err := json.Unmarshal(raw, &k); err != nil {
			return nil, fmt.Errorf("JWKS key %d: %w", i, err)
		}
		if k.Kid == "" || (k.Use != "" && k.Use != "sig") ||
			(k.KeyOps != nil && !slices.Contains(k.KeyOps, "verify")) {
			continue
		}
		if _, dup := set[k.Kid]; dup {
			return nil, fmt.Errorf("JWKS key %d: duplicate kid %q", i, k.Kid)
		}
		key, ok, err := k.publicKey()
		if err != nil {
			return nil, fmt.Errorf("JWKS key %q: %w", k.Kid, err)
		}
		if !ok {
			continue
		}
		algs, err := algorithmsFor(key, k.Alg)
		if err != nil {
			if k.Alg != "" && !slices.Contains(asymmetricAlgorithms, k.Alg) {
				continue // e.g. an RSA-OAEP encryption key without a use member
			}
			return nil, fmt.Errorf("JWKS key %q: %w", k.Kid, err)
		}
		set[k.Kid] = verificationKey{key: key, algs: algs}
	}
	if len(set) == 0 {
		return nil, errors.New("JWKS holds no usable signing keys")
	}
	return set, nil
}

// publicKey decodes the key; ok is false for key types this package does not verify with.
func (k jwk) publicKey() (key any, ok bool, err error) {
	if k.D != "" {
		return nil, false, errors.New("JWKS publishes a private key")
	}
	switch k.Kty {
	case "RSA":
		n, err := decodeParam("n", k.N)
		if err != nil {
			return nil, false, err
		}
		e, err := decodeParam("e", k.E)
		if err != nil {
			return nil, false, err
		}
		if len(e) > 4 {
			return nil, false, errors.New("RSA exponent too large")
		}
		exp := new(big.Int).SetBytes(e)
		return &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(exp.Int64())}, true, nil
	case "EC":
		var curve elliptic.Curve
		switch k.Crv {
		case "P-256":
			curve = elliptic.P256()
		case "P-384":
			curve = elliptic.P384()
		default:
			return nil, false, nil
		}
		x, err := decodeParam("x", k.X)
		if err != nil {
			return nil, false, err
		}
		y, err := decodeParam("y", k.Y)
		if err != nil {
			return nil, false, err
		}
		size := (curve.Params().BitSize + 7) / 8
		if len(x) != size || len(y) != size {
			return nil, false, fmt.Errorf("%s coordinates must be %d bytes", k.Crv, size)
		}
		// ParseUncompressedPublicKey rejects points off the curve, which
		// invalid-curve attacks rely on.
		pub, err := ecdsa.ParseUncompressedPublicKey(curve, slices.Concat([]byte{4}, x, y))
		if err != nil {
			return nil, false, err
		}
		return pub, true, nil
	case "OKP":
		if k.Crv != "Ed25519" {
			return nil, false, nil
		}
		x, err := decodeParam("x", k.X)
		if err != nil {
			return nil, false, err
		}
		if len(x) != ed25519.PublicKeySize {
			return nil, false, fmt.Errorf("Ed25519 key must be %d bytes", ed25519.PublicKeySize)
		}
		return ed25519.PublicKey(x), true, nil
	default:
		return nil, false, nil
	}
}

// decodeParam decodes a base64url JWK member; some providers pad it despite RFC 7518.
func decodeParam(name, value string) ([]byte, error) {
	if value == "" {
		return nil, fmt.Errorf("missing %s", name)
	}
	b, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(value, "="))
	if err != nil {
		return nil, fmt.Errorf("decoding %s: %w", name, err)
	}
	return b, nil
}

// staticKeySet is a JWKS read from a file: it never changes, so an unknown kid simply fails.
type staticKeySet keySet

func loadJWKSFile(path string) (keySource, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading JWKS: %w", err)
	}
	set, err := parseJWKS(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return staticKeySet(set), nil
}

func (s staticKeySet) lookup(_ context.Context, kid string) (verificationKey, error) {
	return keySet(s).lookup(kid)
}

func (staticKeySet) algorithms() []string { return asymmetricAlgorithms }

func (s keySet) lookup(kid string) (verificationKey, error) {
	if kid == "" {
		return verificationKey{}, errors.New("token has no kid")
	}
	k, ok := s[kid]
	if !ok {
		return verificationKey{}, fmt.Errorf("unknown kid %q", kid)
	}
	return k, nil
}
