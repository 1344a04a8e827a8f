package auth

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
)

// maxJWKSBytes bounds a JWKS response; real documents are a few kilobytes.
const maxJWKSBytes = 1 << 20

// remoteKeySet is a JWKS fetched from an identity provider. Keys rotate
// there, so the set is refetched when it gets old and when a token names a
// kid it lacks, but at most once per minJWKSRefetch whatever tokens arrive.
type remoteKeySet struct {
	url     string
	client  *http.Client
	maxAge  time.Duration
	now     func() time.Time
	current atomic.Pointer[fetchedKeys]

	// mu serialises fetches so a burst of tokens with a new kid costs one request.
	mu          sync.Mutex
	lastAttempt time.Time // zero after the initial load: the first unknown kid may refetch at once
}

type fetchedKeys struct {
	keys keySet
	at   time.Time
}

func newRemoteKeySet(ctx context.Context, rawURL string, client *http.Client, maxAge time.Duration, now func() time.Time) (*remoteKeySet, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("JWKS URL: %w", err)
	}
	// Whoever can swap the key set can mint tokens, so plain HTTP is only
	// tolerated for a provider on this machine.
	if u.Scheme != "https" && !(u.Scheme == "http" && isLoopback(u.Hostname())) {
		return nil, fmt.Errorf("JWKS URL must use https, got %q", rawURL)
	}
	if client == nil {
		client = &http.Client{Timeout: jwksFetchTimeout}
	}
	s := &remoteKeySet{url: rawURL, client: client, maxAge: maxAge, now: now}
	keys, err := s.fetch(ctx)
	if err != nil {
		return nil, err
	}
	s.current.Store(&fetchedKeys{keys: keys, at: now()})
	return s, nil
}

func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

func (s *remoteKeySet) algorithms() []string { return asymmetricAlgorithms }

func (s *remoteKeySet) lookup(ctx context.Context, kid string) (verificationKey, error) {
	if kid == "" {
		return verificationKey{}, errors.New("token has no kid")
	}
	set := s.current.Load()
	key, known := set.keys[kid]
	if known && s.now().Sub(set.at) < s.maxAge {
		return key, nil
	}
	if known {
		// A stale but known key keeps working while another request refetches,
		// rather than queueing every request behind the provider.
		if !s.mu.TryLock() {
			return key, nil
		}
	} else {
		s.mu.Lock()
	}
	defer s.mu.Unlock()

	set = s.current.Load()
	key, known = set.keys[kid]
	stale := s.now().Sub(set.at) >= s.maxAge
	var fetchErr error
	if (!known || stale) && s.now().Sub(s.lastAttempt) >= minJWKSRefetch {
		s.lastAttempt = s.now()
		// The refetch serves every request, so it must not die with the
		// client that happened to trigger it.
		fetchCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), jwksFetchTimeout)
		keys, err := s.fetch(fetchCtx)
		cancel()
		if err == nil {
			set = &fetchedKeys{keys: keys, at: s.now()}
			s.current.Store(set)
		}
		// On failure the previous keys stay in use: an unreachable provider
		// should not log everyone out, and revoked keys are retried in 30s.
		fetchErr = err
		key, known = set.keys[kid]
	}
	if !known {
		if fetchErr != nil {
			return verificationKey{}, fmt.Errorf("unknown kid %q (refreshing JWKS: %w)", kid, fetchErr)
		}
		return verificationKey{}, fmt.Errorf("unknown kid %q", kid)
	}
	return key, nil
}

func (s *remoteKeySet) fetch(ctx context.Context) (keySet, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, s.url, nil)
	if err != nil {
		return nil, fmt.Errorf("fetching JWKS: %w", err)
	}
	req.Header.Set("Accept", "application/jwk-set+json, application/json")
	resp, err := s.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("fetching JWKS: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("fetching JWKS: %s", resp.Status)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxJWKSBytes+1))
	if err != nil {
		return nil, fmt.Errorf("reading JWKS: %w", err)
	}
	if len(body) > maxJWKSBytes {
		return nil, fmt.Errorf("JWKS larger than %d bytes", maxJWKSBytes)
	}
	return parseJWKS(body)
}
