package main

// Rate limiting: a token bucket per client address or subject, and the
// client's address as a trusted load balancer reports it.

import (
	"math"
	"net"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"carrierdesk/internal/fault"

	"golang.org/x/time/rate"
)

// writeRateLimited answers 429 with the seconds to wait in Retry-After.
func writeRateLimited(w http.ResponseWriter, media string, wait time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	writeHTTPError(w, media, http.StatusTooManyRequests, fault.CodeRateLimited, "too many requests; retry after the time in Retry-After")
}

// clientIP is the address the request came from. Behind a load balancer
// named in TRUSTED_PROXIES it is the client's, as X-Forwarded-For says:
// the rightmost address there that is not a trusted proxy, since a client
// can write anything to the left of what its proxies append. From any other
// peer the header is ignored, so it cannot be used to dodge the rate limit.
func (g *Guard) clientIP(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	peer, err := netip.ParseAddr(host)
	if err != nil || !g.trusted(peer) {
		return host
	}
	forwarded := r.Header.Values("X-Forwarded-For")
	for i := len(forwarded) - 1; i >= 0; i-- {
		hops := strings.Split(forwarded[i], ",")
		for j := len(hops) - 1; j >= 0; j-- {
			hop, err := netip.ParseAddr(strings.TrimSpace(hops[j]))
			if err != nil {
				return host // a malformed chain: count the proxy, not a guess
			}
			if !g.trusted(hop) {
				return hop.Unmap().String()
			}
		}
	}
	return host
}

// trusted reports whether a is one of TRUSTED_PROXIES.
func (g *Guard) trusted(a netip.Addr) bool {
	a = a.Unmap()
	for _, p := range g.limits.TrustedProxies {
		if p.Contains(a) {
			return true
		}
	}
	return false
}

// rateBuckets holds a token bucket per key, dropping those idle long enough
// to have filled up again, which are the same as new ones.
type rateBuckets struct {
	limit     rate.Limit
	burst     int
	refill    time.Duration // time for an empty bucket to fill up
	mu        sync.Mutex
	buckets   map[string]*rateBucket
	nextSweep time.Time
}

type rateBucket struct {
	limiter *rate.Limiter
	used    time.Time
}

func newRateBuckets(limit rate.Limit, burst int) *rateBuckets {
	return &rateBuckets{
		limit:   limit,
		burst:   burst,
		refill:  time.Duration(float64(burst) / float64(limit) * float64(time.Second)),
		buckets: map[string]*rateBucket{},
	}
}

func (b *rateBuckets) get(key string, now time.Time) *rate.Limiter {
	b.mu.Lock()
	defer b.mu.Unlock()
	if now.After(b.nextSweep) {
		for k, bk := range b.buckets {
			if now.Sub(bk.used) > b.refill {
				delete(b.buckets, k)
			}
		}
		b.nextSweep = now.Add(time.Minute)
	}
	bk, ok := b.buckets[key]
	if !ok {
		bk = &rateBucket{limiter: rate.NewLimiter(b.limit, b.burst)}
		b.buckets[key] = bk
	}
	bk.used = now
	return bk.limiter
}

// take spends a token of key's bucket, or says how long until there is one.
func (b *rateBuckets) take(key string, now time.Time) time.Duration {
	res := b.get(key, now).ReserveN(now, 1)
	if wait := res.DelayFrom(now); wait > 0 {
		res.CancelAt(now)
		return wait
	}
	return 0
}

// wait says how long until key's bucket holds a token, spending none.
func (b *rateBuckets) wait(key string, now time.Time) time.Duration {
	tokens := b.get(key, now).TokensAt(now)
	if tokens >= 1 {
		return 0
	}
	return time.Duration((1 - tokens) / float64(b.limit) * float64(time.Second))
}

// describe tells a client where key's bucket stands, in the headers of the
// IETF draft "RateLimit header fields for HTTP": RateLimit-Limit, the requests
// the bucket holds when full (RATE_LIMIT_BURST); RateLimit-Remaining, the
// requests that may be made at once now; RateLimit-Reset, the seconds until
// the bucket is full again.
func (b *rateBuckets) describe(h http.Header, key string, now time.Time) {
	tokens := b.get(key, now).TokensAt(now)
	reset := 0
	if missing := float64(b.burst) - tokens; missing > 0 {
		reset = int(math.Ceil(missing / float64(b.limit)))
	}
	h.Set("RateLimit-Limit", strconv.Itoa(b.burst))
	h.Set("RateLimit-Remaining", strconv.Itoa(max(0, int(math.Floor(tokens)))))
	h.Set("RateLimit-Reset", strconv.Itoa(reset))
}

// spend takes a token of key's bucket if it holds one.
func (b *rateBuckets) spend(key string, now time.Time) { b.get(key, now).AllowN(now, 1) }
