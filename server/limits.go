package main

// What a client may ask of the server, and how fast: HTTP sizes and timeouts,
// rates, CORS, the GraphQL-over-HTTP protocol and the limits on GraphQL
// documents, all enforced before a resolver runs.

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"time"

	"carrierdesk/internal/fault"
	"carrierdesk/internal/viewer"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"golang.org/x/time/rate"
)

// Limits is what a client may ask of the server, and how fast.
type Limits struct {
	MaxBodyBytes       int64          // HTTP_MAX_BODY_BYTES: largest request body
	MaxHeaderBytes     int            // HTTP_MAX_HEADER_BYTES: largest request line and headers together
	MaxURLBytes        int            // HTTP_MAX_URL_BYTES: longest request target (path and query string)
	ReadHeaderTimeout  time.Duration  // HTTP_READ_HEADER_TIMEOUT: to read a request's headers
	ReadTimeout        time.Duration  // HTTP_READ_TIMEOUT: to read a request's body
	WriteTimeout       time.Duration  // HTTP_WRITE_TIMEOUT: to answer a request that is not a stream
	IdleTimeout        time.Duration  // HTTP_IDLE_TIMEOUT: how long an idle keep-alive connection stays open
	OperationTimeout   time.Duration  // OPERATION_TIMEOUT: deadline of a request's context, database work included
	StatementTimeout   time.Duration  // DB_STATEMENT_TIMEOUT: PostgreSQL statement_timeout of every connection
	RatePerSecond      float64        // RATE_LIMIT: sustained requests per second of one subject or address; 0 turns it off
	RateBurst          int            // RATE_LIMIT_BURST: requests one subject or address may make at once
	CORSOrigins        []string       // CORS_ORIGINS: origins of web apps that may call the API; "*" for any
	CORSCredentials    bool           // CORS_ALLOW_CREDENTIALS: let browsers send cookies along
	TrustedProxies     []netip.Prefix // TRUSTED_PROXIES: load balancers whose X-Forwarded-For names the client
	MaxTokens          int            // GRAPHQL_MAX_TOKENS: lexical tokens in one document
	MaxAliases         int            // GRAPHQL_MAX_ALIASES: aliased fields in one operation, fragments counted where spread
	MaxFieldRepeats    int            // GRAPHQL_MAX_FIELD_REPEATS: times one response key may occur in one selection set
	MaxDirectives      int            // GRAPHQL_MAX_DIRECTIVES: directives in one place
	MaxIntrospection   int            // GRAPHQL_MAX_INTROSPECTION_DEPTH: nesting below __schema or __type
	MaxErrors          int            // GRAPHQL_MAX_ERRORS: errors in one response; a page of PAGE_MAX rows may hold one each
	WSMaxSubscriptions int            // WS_MAX_SUBSCRIPTIONS: operations running at once on one websocket
	WSInitTimeout      time.Duration  // WS_INIT_TIMEOUT: for connection_init to arrive on a new websocket (closes 4408)
	WSPingInterval     time.Duration  // WS_PING_INTERVAL: between server pings on a websocket; no pong in twice this drops it (0 turns it off)
}

// loadLimits reads the limits from the environment. Rate limiting is on by
// default in production only: a developer's scripts and the test suite run
// unthrottled.
func loadLimits(getenv func(string) string, production bool) (Limits, error) {
	l := Limits{
		MaxBodyBytes:       1 << 20,
		MaxHeaderBytes:     64 << 10,
		MaxURLBytes:        8 << 10,
		ReadHeaderTimeout:  10 * time.Second,
		ReadTimeout:        30 * time.Second,
		WriteTimeout:       30 * time.Second,
		IdleTimeout:        120 * time.Second,
		OperationTimeout:   15 * time.Second,
		StatementTimeout:   15 * time.Second,
		RateBurst:          100,
		MaxTokens:          10_000,
		MaxAliases:         30,
		MaxFieldRepeats:    20,
		MaxDirectives:      5,
		MaxIntrospection:   20,
		MaxErrors:          100,
		WSMaxSubscriptions: 100,
		WSInitTimeout:      5 * time.Second,
		WSPingInterval:     15 * time.Second,
	}
	if production {
		l.RatePerSecond = 20
	}
	ints := []struct {
		name     string
		dst      *int
		min, max int
	}{
		{"HTTP_MAX_HEADER_BYTES", &l.MaxHeaderBytes, 4 << 10, 16 << 20},
		{"HTTP_MAX_URL_BYTES", &l.MaxURLBytes, 256, 1 << 20},
		{"RATE_LIMIT_BURST", &l.RateBurst, 1, 1_000_000},
		{"GRAPHQL_MAX_TOKENS", &l.MaxTokens, 100, 10_000_000},
		{"GRAPHQL_MAX_ALIASES", &l.MaxAliases, 0, 100_000},
		{"GRAPHQL_MAX_FIELD_REPEATS", &l.MaxFieldRepeats, 1, 100_000},
		{"GRAPHQL_MAX_DIRECTIVES", &l.MaxDirectives, 1, 1000},
		{"GRAPHQL_MAX_INTROSPECTION_DEPTH", &l.MaxIntrospection, 3, 1000},
		{"GRAPHQL_MAX_ERRORS", &l.MaxErrors, 1, 100_000},
		{"WS_MAX_SUBSCRIPTIONS", &l.WSMaxSubscriptions, 1, 100_000},
	}
	var err error
	for _, v := range ints {
		if *v.dst, err = intVar(getenv, v.name, *v.dst, v.min, v.max); err != nil {
			return l, err
		}
	}
	body, err := intVar(getenv, "HTTP_MAX_BODY_BYTES", int(l.MaxBodyBytes), 1<<10, 1<<30)
	if err != nil {
		return l, err
	}
	l.MaxBodyBytes = int64(body)
	durations := []struct {
		name string
		dst  *time.Duration
	}{
		{"HTTP_READ_HEADER_TIMEOUT", &l.ReadHeaderTimeout},
		{"HTTP_READ_TIMEOUT", &l.ReadTimeout},
		{"HTTP_WRITE_TIMEOUT", &l.WriteTimeout},
		{"HTTP_IDLE_TIMEOUT", &l.IdleTimeout},
		{"OPERATION_TIMEOUT", &l.OperationTimeout},
		{"DB_STATEMENT_TIMEOUT", &l.StatementTimeout},
		{"WS_INIT_TIMEOUT", &l.WSInitTimeout},
		{"WS_PING_INTERVAL", &l.WSPingInterval},
	}
	for _, v := range durations {
		if s := getenv(v.name); s != "" {
			d, err := time.ParseDuration(s)
			if err != nil || d < 0 {
				return l, fmt.Errorf("%s must be a duration such as 30s (0 turns it off), not %q", v.name, s)
			}
			*v.dst = d
		}
	}
	if l.OperationTimeout > 0 && l.WriteTimeout > 0 && l.WriteTimeout <= l.OperationTimeout {
		return l, fmt.Errorf("HTTP_WRITE_TIMEOUT (%s) must be longer than OPERATION_TIMEOUT (%s), or an operation that ends in time cannot answer", l.WriteTimeout, l.OperationTimeout)
	}
	if s := getenv("RATE_LIMIT"); s != "" {
		if l.RatePerSecond, err = strconv.ParseFloat(s, 64); err != nil || l.RatePerSecond < 0 || math.IsInf(l.RatePerSecond, 0) {
			return l, fmt.Errorf("RATE_LIMIT must be requests per second (0 turns it off), not %q", s)
		}
	}
	if s := getenv("CORS_ALLOW_CREDENTIALS"); s != "" {
		if l.CORSCredentials, err = strconv.ParseBool(s); err != nil {
			return l, fmt.Errorf("CORS_ALLOW_CREDENTIALS: %w", err)
		}
	}
	for o := range strings.SplitSeq(getenv("CORS_ORIGINS"), ",") {
		if o = strings.TrimSpace(o); o == "" {
			continue
		}
		if o != "*" {
			u, err := url.Parse(o)
			if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
				return l, fmt.Errorf("CORS_ORIGINS: %q is not an origin such as https://app.example.com", o)
			}
			o = strings.ToLower(u.Scheme + "://" + u.Host)
		}
		l.CORSOrigins = append(l.CORSOrigins, o)
	}
	for _, o := range l.CORSOrigins {
		if o == "*" && l.CORSCredentials {
			return l, fmt.Errorf(`CORS_ORIGINS "*" cannot be combined with CORS_ALLOW_CREDENTIALS: name the origins`)
		}
	}
	if l.TrustedProxies, err = parseProxies(getenv("TRUSTED_PROXIES")); err != nil {
		return l, err
	}
	return l, nil
}

// parseProxies reads TRUSTED_PROXIES: addresses and CIDR ranges, comma-separated.
func parseProxies(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for p := range strings.SplitSeq(s, ",") {
		if p = strings.TrimSpace(p); p == "" {
			continue
		}
		if !strings.Contains(p, "/") {
			a, err := netip.ParseAddr(p)
			if err != nil {
				return nil, fmt.Errorf("TRUSTED_PROXIES: %q is not an address or a CIDR range such as 10.0.0.0/8", p)
			}
			out = append(out, netip.PrefixFrom(a.Unmap(), a.Unmap().BitLen()))
			continue
		}
		pre, err := netip.ParsePrefix(p)
		if err != nil {
			return nil, fmt.Errorf("TRUSTED_PROXIES: %q is not an address or a CIDR range such as 10.0.0.0/8", p)
		}
		out = append(out, pre.Masked())
	}
	return out, nil
}

// Media types of GraphQL over HTTP.
const (
	mediaJSON            = "application/json"
	mediaGraphQLResponse = "application/graphql-response+json"
)

// Guard enforces Limits on the HTTP surface. Its rate buckets live as long as it does.
type Guard struct {
	limits    Limits
	origins   map[string]bool
	anyOrigin bool
	buckets   *rateBuckets // nil when rate limiting is off
}

// NewGuard returns a Guard for l.
func NewGuard(l Limits) *Guard {
	g := &Guard{limits: l, origins: map[string]bool{}}
	for _, o := range l.CORSOrigins {
		if o == "*" {
			g.anyOrigin = true
		}
		g.origins[o] = true
	}
	if l.RatePerSecond > 0 {
		g.buckets = newRateBuckets(rate.Limit(l.RatePerSecond), l.RateBurst)
	}
	return g
}

// Server bounds every request: the length of its URL and, unless it is an
// event stream or a WebSocket, how long reading its body, running it and
// writing its answer may take. http.Server's own ReadTimeout and WriteTimeout
// would cut streams, which live as long as their subscription, so the
// deadlines are set here, per request.
func (g *Guard) Server(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if len(r.RequestURI) > g.limits.MaxURLBytes {
			writeHTTPError(w, mediaJSON, http.StatusRequestURITooLong, fault.CodeURITooLong,
				fmt.Sprintf("the URL is longer than %d bytes: send the operation in a POST body", g.limits.MaxURLBytes))
			return
		}
		rc := http.NewResponseController(w)
		if isStreaming(r) {
			// Clear what an earlier request on this connection left.
			_ = rc.SetWriteDeadline(time.Time{})
			next.ServeHTTP(w, r)
			return
		}
		now := time.Now()
		if g.limits.WriteTimeout > 0 {
			_ = rc.SetWriteDeadline(now.Add(g.limits.WriteTimeout))
		}
		if g.limits.ReadTimeout > 0 && r.Body != nil && r.Body != http.NoBody {
			// Lifted once the body is read: the server's read in the background,
			// which notices a client hanging up, would otherwise cancel a request
			// that is still running when the deadline passes.
			if rc.SetReadDeadline(now.Add(g.limits.ReadTimeout)) == nil {
				r.Body = &liftDeadlineAtEOF{ReadCloser: r.Body, rc: rc, write: g.limits.WriteTimeout}
			}
		}
		if g.limits.OperationTimeout > 0 {
			ctx, cancel := context.WithTimeout(r.Context(), g.limits.OperationTimeout)
			defer cancel()
			r = r.WithContext(ctx)
		}
		next.ServeHTTP(w, r)
	})
}

// liftDeadlineAtEOF clears the connection's read deadline once the body has
// been read, and gives the answer its full write time from then on. The write
// deadline set when the request arrived runs alongside the read deadline: when
// both are the same length (the defaults), it would pass with the read one,
// and the 408 that tells a slow client why would be written to a dead socket.
type liftDeadlineAtEOF struct {
	io.ReadCloser
	rc    *http.ResponseController
	write time.Duration // HTTP_WRITE_TIMEOUT; 0 leaves the write deadline alone
}

func (b *liftDeadlineAtEOF) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	var netErr net.Error
	switch {
	case err == io.EOF:
		_ = b.rc.SetReadDeadline(time.Time{})
		b.restartWrite()
	case errors.As(err, &netErr) && netErr.Timeout():
		b.restartWrite()
	}
	return n, err
}

func (b *liftDeadlineAtEOF) restartWrite() {
	if b.write > 0 {
		_ = b.rc.SetWriteDeadline(time.Now().Add(b.write))
	}
}

// authenticatedKey holds a flag that Guard.Subject sets, telling Guard.GraphQL
// the request got past authentication.
type authenticatedKey struct{}

// GraphQL is the edge of the GraphQL endpoint, before authentication: CORS,
// methods, media types, the body limit, and the rate of requests not yet
// tied to a subject, which are counted by client address.
func (g *Guard) GraphQL(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if g.cors(w, r) {
			return
		}
		media, acceptable := negotiateMedia(r.Header.Values("Accept"))
		ws, stream := isWebSocketUpgrade(r), isStreaming(r)
		switch {
		case r.Method == http.MethodOptions:
			w.Header().Set("Allow", "GET, POST, OPTIONS")
			w.WriteHeader(http.StatusNoContent)
			return
		case r.Method == http.MethodGet:
		case r.Method == http.MethodPost:
			if !isJSONRequest(r.Header.Get("Content-Type")) {
				// A browser sends text/plain and form bodies cross-origin without
				// asking first; refusing them is what makes the API CSRF-safe.
				writeHTTPError(w, media, http.StatusUnsupportedMediaType, fault.CodeUnsupportedMediaType,
					"send the operation as application/json (UTF-8)")
				return
			}
		default:
			w.Header().Set("Allow", "GET, POST, OPTIONS")
			writeHTTPError(w, media, http.StatusMethodNotAllowed, fault.CodeMethodNotAllowed, "use POST, or GET for a query")
			return
		}
		if !acceptable && !ws && !stream {
			writeHTTPError(w, mediaJSON, http.StatusNotAcceptable, fault.CodeNotAcceptable,
				"the response is "+mediaGraphQLResponse+" or "+mediaJSON+"; the Accept header allows neither")
			return
		}
		if r.ContentLength > g.limits.MaxBodyBytes {
			writeHTTPError(w, media, http.StatusRequestEntityTooLarge, fault.CodeRequestTooLarge,
				fmt.Sprintf("the request body is larger than %d bytes", g.limits.MaxBodyBytes))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, g.limits.MaxBodyBytes)
		if g.buckets == nil {
			next.ServeHTTP(w, r)
			return
		}
		address := "address:" + g.clientIP(r)
		now := time.Now()
		if _, credentials := bearer(r.Header.Get("Authorization")); ws || !credentials {
			wait := g.buckets.take(address, now)
			g.buckets.describe(w.Header(), address, now)
			if wait > 0 {
				writeRateLimited(w, media, wait)
				return
			}
			next.ServeHTTP(w, r)
			return
		}
		// A request with a token is counted against its subject once it is
		// authenticated, and against its address only if authentication fails;
		// an address spending its bucket on bad tokens waits before trying more.
		// Until Subject says which, the headers describe the address's bucket.
		wait := g.buckets.wait(address, now)
		g.buckets.describe(w.Header(), address, now)
		if wait > 0 {
			writeRateLimited(w, media, wait)
			return
		}
		authenticated := false
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), authenticatedKey{}, &authenticated)))
		if !authenticated {
			g.buckets.spend(address, time.Now())
		}
	})
}

// Subject limits each viewer's rate; it goes after authentication. A WebSocket
// upgrade, which authenticates later in its connection_init message, was
// counted by address at the edge.
func (g *Guard) Subject(next http.Handler) http.Handler {
	if g.buckets == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if authenticated, ok := r.Context().Value(authenticatedKey{}).(*bool); ok {
			*authenticated = true
		}
		v := viewer.FromContext(r.Context())
		if v == nil {
			next.ServeHTTP(w, r)
			return
		}
		subject, now := "subject:"+v.Subject(), time.Now()
		wait := g.buckets.take(subject, now)
		g.buckets.describe(w.Header(), subject, now)
		if wait > 0 {
			media, _ := negotiateMedia(r.Header.Values("Accept"))
			writeRateLimited(w, media, wait)
			return
		}
		next.ServeHTTP(w, r)
	})
}

// cors adds the CORS headers for an allowed origin and answers preflight
// requests; it reports whether it answered. Requests from other origins are
// served without the headers, so a browser will not show the page the answer.
func (g *Guard) cors(w http.ResponseWriter, r *http.Request) bool {
	origin := r.Header.Get("Origin")
	preflight := r.Method == http.MethodOptions && origin != "" && r.Header.Get("Access-Control-Request-Method") != ""
	if len(g.origins) > 0 {
		w.Header().Add("Vary", "Origin")
	}
	if origin == "" || (!g.anyOrigin && !g.origins[strings.ToLower(origin)]) {
		if preflight {
			writeHTTPError(w, mediaJSON, http.StatusForbidden, fault.Forbidden.Code(), "this origin may not call the API")
		}
		return preflight
	}
	h := w.Header()
	if g.anyOrigin && !g.limits.CORSCredentials {
		h.Set("Access-Control-Allow-Origin", "*")
	} else {
		h.Set("Access-Control-Allow-Origin", origin)
	}
	if g.limits.CORSCredentials {
		h.Set("Access-Control-Allow-Credentials", "true")
	}
	if !preflight {
		h.Set("Access-Control-Expose-Headers", "Retry-After, ETag, RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset, Read-After")
		return false
	}
	h.Set("Access-Control-Allow-Methods", "GET, POST")
	h.Set("Access-Control-Allow-Headers", "Authorization, Content-Type, Accept, Idempotency-Key, If-None-Match, X-Request-ID, Read-After")
	h.Set("Access-Control-Max-Age", "600")
	h.Add("Vary", "Access-Control-Request-Method, Access-Control-Request-Headers")
	w.WriteHeader(http.StatusNoContent)
	return true
}

// isStreaming reports a request whose response is long-lived: a WebSocket or an event stream.
func isStreaming(r *http.Request) bool {
	return isWebSocketUpgrade(r) || strings.Contains(r.Header.Get("Accept"), "text/event-stream")
}

// isJSONRequest reports a JSON request body in UTF-8, the only one accepted.
func isJSONRequest(contentType string) bool {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil || (mt != mediaJSON && mt != mediaGraphQLResponse) {
		return false
	}
	charset, ok := params["charset"]
	return !ok || strings.EqualFold(charset, "utf-8")
}

// negotiateMedia picks the response's media type for the Accept header: the type
// of highest quality, then the more specific match, then the one the client
// listed first. No header, or only a wildcard, is application/json, as the
// specification requires for clients that predate
// application/graphql-response+json. It reports false when neither is acceptable.
func negotiateMedia(accept []string) (string, bool) {
	type match struct {
		q           float64
		specificity int
		position    int
	}
	best := map[string]match{}
	position, ranges := 0, 0
	for _, header := range accept {
		for part := range strings.SplitSeq(header, ",") {
			if part = strings.TrimSpace(part); part == "" {
				continue
			}
			ranges++
			mt, params, err := mime.ParseMediaType(part)
			if err != nil {
				continue
			}
			q := 1.0
			if s, ok := params["q"]; ok {
				if q, err = strconv.ParseFloat(s, 64); err != nil || q < 0 || q > 1 {
					continue
				}
			}
			for _, offered := range []string{mediaJSON, mediaGraphQLResponse} {
				s := mediaRangeSpecificity(mt, offered)
				if cur, seen := best[offered]; s > 0 && (!seen || s > cur.specificity) {
					best[offered] = match{q: q, specificity: s, position: position}
				}
			}
			position++
		}
	}
	if ranges == 0 {
		return mediaJSON, true
	}
	chosen, found := "", match{}
	for _, offered := range []string{mediaJSON, mediaGraphQLResponse} {
		m, ok := best[offered]
		if !ok || m.q <= 0 {
			continue
		}
		if chosen == "" || m.q > found.q || (m.q == found.q && (m.specificity > found.specificity ||
			(m.specificity == found.specificity && m.position < found.position))) {
			chosen, found = offered, m
		}
	}
	if chosen == "" {
		return mediaJSON, false
	}
	return chosen, true
}

// mediaRangeSpecificity is how closely the media range matches offered: 3 exactly, 2
// by subtype wildcard, 1 by */*, 0 not at all.
func mediaRangeSpecificity(mediaRange, offered string) int {
	switch {
	case mediaRange == offered:
		return 3
	case mediaRange == "application/*":
		return 2
	case mediaRange == "*/*":
		return 1
	}
	return 0
}

// requestErrors is a response without data: the request failed before
// execution (the specification's "request error").
type requestErrors struct {
	Errors     gqlerror.List  `json:"errors"`
	Extensions map[string]any `json:"extensions,omitempty"`
}

// writeHTTPError answers with one GraphQL-shaped error and no data.
func writeHTTPError(w http.ResponseWriter, media string, status int, code, msg string) {
	writeGraphQLBody(w, media, status, requestErrors{Errors: gqlerror.List{{Message: msg, Extensions: map[string]any{"code": code}}}})
}

// writeRateLimited answers 429 with the seconds to wait in Retry-After.
func writeRateLimited(w http.ResponseWriter, media string, wait time.Duration) {
	w.Header().Set("Retry-After", strconv.Itoa(int(math.Ceil(wait.Seconds()))))
	writeHTTPError(w, media, http.StatusTooManyRequests, fault.CodeRateLimited, "too many requests; retry after the time in Retry-After")
}

// writeGraphQLBody answers with body as JSON in media.
func writeGraphQLBody(w http.ResponseWriter, media string, status int, body any) {
	b, err := json.Marshal(body)
	if err != nil {
		slog.Error("encoding a response", "err", err)
		status, b = http.StatusInternalServerError, []byte(`{"errors":[{"message":"internal error","extensions":{"code":"`+fault.Internal.Code()+`"}}]}`)
	}
	w.Header().Set("Content-Type", media)
	w.WriteHeader(status)
	_, _ = w.Write(b)
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

// withStatementTimeout sets PostgreSQL's statement_timeout on every
// connection of databaseURL, so that no statement outlives its request even
// when a cancellation does not reach the server. A URL that sets its own
// statement_timeout keeps it.
func withStatementTimeout(databaseURL string, d time.Duration) (string, error) {
	if d <= 0 {
		return databaseURL, nil
	}
	u, err := url.Parse(databaseURL)
	if err != nil {
		return "", fmt.Errorf("DATABASE_URL: %w", err)
	}
	q := u.Query()
	if strings.Contains(q.Get("options"), "statement_timeout") || q.Has("statement_timeout") {
		return databaseURL, nil
	}
	q.Set("options", strings.TrimSpace(q.Get("options")+" -c statement_timeout="+strconv.FormatInt(d.Milliseconds(), 10)))
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// httpTransport is GraphQL over HTTP, GET and POST, as the GraphQL over HTTP
// specification has it. It replaces gqlgen's GET and POST transports, which
// answer an application/json client's validation failure with 422, ignore
// Accept's quality values and never answer 406, refuse a GET mutation with
// 406 instead of 405, put "data": null in request errors, echo a body that is
// not JSON back to its sender, and take a subscription without a stream.
type httpTransport struct{}

var _ graphql.Transport = httpTransport{}

// Supports takes GET and POST requests other than WebSocket upgrades; the
// event-stream transport, registered before it, has taken those it serves.
func (httpTransport) Supports(r *http.Request) bool {
	return r.Header.Get("Upgrade") == "" && (r.Method == http.MethodGet || r.Method == http.MethodPost)
}

// Do runs one operation.
func (httpTransport) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	media, ok := negotiateMedia(r.Header.Values("Accept"))
	if !ok {
		writeHTTPError(w, mediaJSON, http.StatusNotAcceptable, fault.CodeNotAcceptable,
			"the response is "+mediaGraphQLResponse+" or "+mediaJSON+"; the Accept header allows neither")
		return
	}
	// A request error (parse, validation, variables, limits) has no data: with
	// application/graphql-response+json that is a 400; an application/json
	// client expects 200 for any well-formed request.
	failed := http.StatusOK
	if media == mediaGraphQLResponse {
		failed = http.StatusBadRequest
	}
	start := graphql.Now()
	params, status, err := readOperation(r)
	var textErr *gqlerror.Error
	switch {
	case errors.As(err, &textErr):
		writeGraphQLBody(w, media, failed, requestErrors{Errors: gqlerror.List{textErr}})
		return
	case err != nil:
		code := map[int]string{http.StatusRequestEntityTooLarge: fault.CodeRequestTooLarge, http.StatusRequestTimeout: fault.CodeRequestTimeout}[status]
		if code == "" {
			code = fault.CodeBadRequest
		}
		writeHTTPError(w, media, status, code, err.Error())
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	ctx := r.Context()
	opCtx, errs := exec.CreateOperationContext(ctx, params)
	if errs != nil {
		resp := exec.DispatchError(graphql.WithOperationContext(ctx, opCtx), errs)
		writeGraphQLBody(w, media, failed, requestErrors{Errors: resp.Errors, Extensions: resp.Extensions})
		return
	}
	switch op := opCtx.Operation.Operation; {
	case r.Method == http.MethodGet && op != ast.Query:
		w.Header().Set("Allow", "POST")
		writeHTTPError(w, media, http.StatusMethodNotAllowed, fault.CodeMethodNotAllowed, "a "+string(op)+" must be sent with POST; GET is for queries")
		return
	case op == ast.Subscription:
		writeHTTPError(w, media, failed, errcode.ValidationFailed,
			"a subscription needs a stream: a WebSocket (graphql-transport-ws) or a POST that accepts text/event-stream")
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, opCtx)
	writeGraphQLBody(w, media, http.StatusOK, responses(ctx))
}

// operationRequest is a GraphQL-over-HTTP request's parameters. Pointers tell
// a missing query from an empty one.
type operationRequest struct {
	Query         *string        `json:"query"`
	OperationName *string        `json:"operationName"`
	Variables     map[string]any `json:"variables"`
	Extensions    map[string]any `json:"extensions"`
	DocumentID    *string        `json:"documentId"` // a persisted document request's
}

// readOperation reads the parameters of a GET query string or a POST body;
// on failure it gives the status to answer with, or a *gqlerror.Error for
// text that is not Unicode, which is bad input like a variable of the wrong type.
func readOperation(r *http.Request) (*graphql.RawParams, int, error) {
	var req operationRequest
	if r.Method == http.MethodGet {
		q, err := url.ParseQuery(r.URL.RawQuery)
		if err != nil {
			return nil, http.StatusBadRequest, errors.New("the query string could not be parsed")
		}
		if v, ok := q["query"]; ok {
			req.Query = &v[0]
		}
		if v := q.Get("operationName"); v != "" {
			req.OperationName = &v
		}
		if v, ok := q["documentId"]; ok {
			req.DocumentID = &v[0]
		}
		if err := queryStringTextError(q); err != nil {
			return nil, http.StatusBadRequest, err
		}
		for name, dst := range map[string]*map[string]any{"variables": &req.Variables, "extensions": &req.Extensions} {
			if v := q.Get(name); v != "" {
				dec := json.NewDecoder(strings.NewReader(v))
				dec.UseNumber()
				if dec.Decode(dst) != nil {
					return nil, http.StatusBadRequest, fmt.Errorf("%s must be a JSON object", name)
				}
			}
		}
	} else {
		body, err := io.ReadAll(r.Body)
		var tooLarge *http.MaxBytesError
		var netErr net.Error
		switch {
		case errors.As(err, &tooLarge):
			return nil, http.StatusRequestEntityTooLarge, fmt.Errorf("the request body is larger than %d bytes", tooLarge.Limit)
		case errors.As(err, &netErr) && netErr.Timeout():
			return nil, http.StatusRequestTimeout, errors.New("the request body took too long to arrive")
		case err != nil:
			return nil, http.StatusBadRequest, errors.New("the request body could not be read")
		}
		if err := requestTextError(body); err != nil {
			return nil, http.StatusBadRequest, err
		}
		body = bytes.TrimLeft(body, " \t\r\n")
		switch {
		case len(body) == 0:
			return nil, http.StatusBadRequest, errors.New(`the request body is empty; send {"query": "..."}`)
		case body[0] == '[':
			return nil, http.StatusBadRequest, errors.New("batched operations are not supported: send one operation per request")
		}
		dec := json.NewDecoder(bytes.NewReader(body))
		dec.UseNumber()
		if err := dec.Decode(&req); err != nil {
			return nil, http.StatusBadRequest, jsonProblem(err)
		}
		if _, err := dec.Token(); err != io.EOF {
			return nil, http.StatusBadRequest, errors.New("the request body holds more than one JSON value")
		}
	}
	if req.DocumentID != nil {
		var err error
		if req.Extensions, err = withDocumentID(req.Extensions, *req.DocumentID); err != nil {
			return nil, http.StatusBadRequest, err
		}
	}
	if req.Query == nil && req.Extensions["persistedQuery"] == nil {
		return nil, http.StatusBadRequest, errors.New("query is required")
	}
	p := &graphql.RawParams{Variables: req.Variables, Extensions: req.Extensions}
	if req.Query != nil {
		p.Query = *req.Query
	}
	if req.OperationName != nil {
		p.OperationName = *req.OperationName
	}
	return p, 0, nil
}

// jsonProblem explains a body that does not decode, without repeating it.
func jsonProblem(err error) error {
	var typeErr *json.UnmarshalTypeError
	if errors.As(err, &typeErr) {
		switch typeErr.Field {
		case "query", "operationName", "documentId":
			return fmt.Errorf("%s must be a string", typeErr.Field)
		case "variables", "extensions":
			return fmt.Errorf("%s must be a JSON object", typeErr.Field)
		case "":
			return errors.New("the request body must be a JSON object")
		}
		return fmt.Errorf("%s has the wrong type", typeErr.Field)
	}
	var syntaxErr *json.SyntaxError
	if errors.As(err, &syntaxErr) || errors.Is(err, io.ErrUnexpectedEOF) {
		return errors.New("the request body is not valid JSON")
	}
	return errors.New("the request body could not be decoded")
}

// limitDocuments holds every operation to the document limits, whatever its
// transport, and bounds the errors of every response.
func limitDocuments(srv *handler.Server, cfg Config) {
	srv.SetParserTokenLimit(cfg.Limits.MaxTokens)
	// Production hides the suggestions gqlparser can leave out; errorList
	// strips the rest.
	srv.SetDisableSuggestion(cfg.Production)
	srv.Use(documentLimits{limits: cfg.Limits, measured: lru.New[struct{}](1000)})
	srv.Use(errorList{max: cfg.Limits.MaxErrors, production: cfg.Production})
}

// Error codes of a document refused for its shape.
const (
	codeAliasLimit         = fault.CodeAliasLimit
	codeFieldRepeatLimit   = fault.CodeFieldRepeatLimit
	codeDirectiveLimit     = fault.CodeDirectiveLimit
	codeIntrospectionDepth = fault.CodeIntrospectionDepth
)

// documentLimits refuses documents built to make the server work: too many
// aliases, one field asked for over and over, a pile of directives,
// introspection nested without end. It measures before validation does,
// because validation is where such a document costs: the overlapping-fields
// rule compares every pair of fields of a response key, so nine thousand
// copies of one field validate for seconds. Register it after
// AutomaticPersistedQuery, so it measures the query a hash stands for.
type documentLimits struct {
	limits   Limits
	measured graphql.Cache[struct{}] // SHA-256 of query texts that passed, so each is parsed here once
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
} = documentLimits{}

// ExtensionName names the extension for gqlgen.
func (documentLimits) ExtensionName() string { return "DocumentLimits" }

// Validate accepts any schema.
func (documentLimits) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters measures the query; one that does not parse is
// left for the executor to report.
func (d documentLimits) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	if p.Query == "" {
		return nil
	}
	sum := sha256.Sum256([]byte(p.Query))
	key := string(sum[:]) // not the text itself: a megabyte of query would stay a megabyte in the cache
	if _, ok := d.measured.Get(ctx, key); ok {
		return nil
	}
	doc, err := parser.ParseQueryWithTokenLimit(&ast.Source{Input: p.Query}, d.limits.MaxTokens)
	if err != nil {
		return nil
	}
	if gqlErr := newDocumentMeasure(d.limits, doc).check(); gqlErr != nil {
		return gqlErr
	}
	d.measured.Add(ctx, key, struct{}{})
	return nil
}

// documentMeasure measures a document with its fragments expanded where
// they are spread, each fragment measured once, so that a fragment spread
// twice in each of twenty nested fragments costs twenty steps, not a million.
type documentMeasure struct {
	limits    Limits
	doc       *ast.QueryDocument
	fragments map[string]*ast.FragmentDefinition
	aliases   map[string]int
	keys      map[string]map[string]int
	depths    map[string]int
	visiting  map[string]bool // fragments being measured: a cycle, which validation reports, counts nothing
}

func newDocumentMeasure(l Limits, doc *ast.QueryDocument) *documentMeasure {
	m := &documentMeasure{
		limits:    l,
		doc:       doc,
		fragments: map[string]*ast.FragmentDefinition{},
		aliases:   map[string]int{},
		keys:      map[string]map[string]int{},
		depths:    map[string]int{},
		visiting:  map[string]bool{},
	}
	for _, f := range doc.Fragments {
		if _, ok := m.fragments[f.Name]; !ok {
			m.fragments[f.Name] = f
		}
	}
	return m
}

// check returns the first limit the document exceeds, or nil.
func (m *documentMeasure) check() *gqlerror.Error {
	if err := m.checkOperations(m.doc.Operations); err != nil {
		return err
	}
	for _, f := range m.doc.Fragments {
		if err := m.directives(f.Directives, f.Position); err != nil {
			return err
		}
		if err := m.selectionSet(f.SelectionSet); err != nil {
			return err
		}
	}
	return nil
}

// checkOperations checks each operation, its fragments counted where spread.
func (m *documentMeasure) checkOperations(ops ast.OperationList) *gqlerror.Error {
	for _, op := range ops {
		if err := m.directives(op.Directives, op.Position); err != nil {
			return err
		}
		for _, v := range op.VariableDefinitions {
			if err := m.directives(v.Directives, v.Position); err != nil {
				return err
			}
		}
		if err := m.selectionSet(op.SelectionSet); err != nil {
			return err
		}
		if n := m.aliasCount(op.SelectionSet); n > m.limits.MaxAliases {
			return documentLimitError(op.Position, codeAliasLimit,
				"the operation has %s aliases, counting a fragment's each time it is spread; at most %d are allowed", countText(n), m.limits.MaxAliases)
		}
	}
	return nil
}

// selectionSet checks set and every selection set within it.
func (m *documentMeasure) selectionSet(set ast.SelectionSet) *gqlerror.Error {
	if len(set) == 0 {
		return nil
	}
	keys := map[string]int{}
	m.addKeys(keys, set)
	for key, n := range keys {
		if n > m.limits.MaxFieldRepeats {
			return documentLimitError(set[0].GetPosition(), codeFieldRepeatLimit,
				"%q is asked for %s times in one selection set, counting fragments; at most %d are allowed", key, countText(n), m.limits.MaxFieldRepeats)
		}
	}
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if err := m.directives(s.Directives, s.Position); err != nil {
				return err
			}
			if s.Name == "__schema" || s.Name == "__type" {
				if d := 1 + m.depth(s.SelectionSet); d > m.limits.MaxIntrospection {
					return documentLimitError(s.Position, codeIntrospectionDepth,
						"introspection nests %s levels deep; at most %d are allowed", countText(d), m.limits.MaxIntrospection)
				}
			}
			if err := m.selectionSet(s.SelectionSet); err != nil {
				return err
			}
		case *ast.InlineFragment:
			if err := m.directives(s.Directives, s.Position); err != nil {
				return err
			}
			if err := m.selectionSet(s.SelectionSet); err != nil {
				return err
			}
		case *ast.FragmentSpread:
			if err := m.directives(s.Directives, s.Position); err != nil {
				return err
			}
		}
	}
	return nil
}

func (m *documentMeasure) directives(list ast.DirectiveList, pos *ast.Position) *gqlerror.Error {
	if len(list) > m.limits.MaxDirectives {
		return documentLimitError(pos, codeDirectiveLimit, "%d directives in one place; at most %d are allowed", len(list), m.limits.MaxDirectives)
	}
	return nil
}

// addKeys counts the response keys of set into keys, with its fragments' top-level keys.
func (m *documentMeasure) addKeys(keys map[string]int, set ast.SelectionSet) {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			keys[s.Alias] = saturated(keys[s.Alias] + 1)
		case *ast.InlineFragment:
			m.addKeys(keys, s.SelectionSet)
		case *ast.FragmentSpread:
			for k, n := range m.fragmentKeys(s.Name) {
				keys[k] = saturated(keys[k] + n)
			}
		}
	}
}

func (m *documentMeasure) fragmentKeys(name string) map[string]int {
	if keys, ok := m.keys[name]; ok {
		return keys
	}
	f := m.fragments[name]
	if f == nil || m.visiting[name] {
		return nil
	}
	m.visiting[name] = true
	keys := map[string]int{}
	m.addKeys(keys, f.SelectionSet)
	delete(m.visiting, name)
	m.keys[name] = keys
	return keys
}

// aliasCount counts the aliased fields in set, a fragment's each time it is spread.
func (m *documentMeasure) aliasCount(set ast.SelectionSet) int {
	n := 0
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			if s.Alias != s.Name {
				n++
			}
			n = saturated(n + m.aliasCount(s.SelectionSet))
		case *ast.InlineFragment:
			n = saturated(n + m.aliasCount(s.SelectionSet))
		case *ast.FragmentSpread:
			n = saturated(n + m.fragmentMemo(s.Name, m.aliases, m.aliasCount))
		}
	}
	return n
}

// depth is how many levels of fields set nests.
func (m *documentMeasure) depth(set ast.SelectionSet) int {
	d := 0
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			d = max(d, 1+m.depth(s.SelectionSet))
		case *ast.InlineFragment:
			d = max(d, m.depth(s.SelectionSet))
		case *ast.FragmentSpread:
			d = max(d, m.fragmentMemo(s.Name, m.depths, m.depth))
		}
	}
	return d
}

// fragmentMemo measures fragment name once with measure, remembering the result in memo.
func (m *documentMeasure) fragmentMemo(name string, memo map[string]int, measure func(ast.SelectionSet) int) int {
	if n, ok := memo[name]; ok {
		return n
	}
	f := m.fragments[name]
	if f == nil || m.visiting[name] {
		return 0
	}
	m.visiting[name] = true
	n := measure(f.SelectionSet)
	delete(m.visiting, name)
	memo[name] = n
	return n
}

// saturatedMax is where counts stop growing: well past any limit, far from overflow.
const saturatedMax = 1 << 40

func saturated(n int) int { return min(n, saturatedMax) }

// countText prints n, or "more than a trillion" where counting stopped.
func countText(n int) string {
	if n >= saturatedMax {
		return "more than a trillion"
	}
	return strconv.Itoa(n)
}

func documentLimitError(pos *ast.Position, code, format string, args ...any) *gqlerror.Error {
	err := gqlerror.ErrorPosf(pos, format, args...)
	err.Extensions = map[string]any{"code": code}
	return err
}

// errorList caps the errors of a response at max, the last saying how many
// more there were, and in production strips the validator's "Did you mean"
// suggestions, which spell out the schema to callers who may not introspect it.
type errorList struct {
	max        int
	production bool
}

var _ interface {
	graphql.HandlerExtension
	graphql.ResponseInterceptor
} = errorList{}

// ExtensionName names the extension for gqlgen.
func (errorList) ExtensionName() string { return "ErrorList" }

// Validate accepts any schema.
func (errorList) Validate(graphql.ExecutableSchema) error { return nil }

var suggestionText = regexp.MustCompile(`\s*Did you mean[^?]*\?`)

// InterceptResponse bounds the response's errors.
func (e errorList) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	resp := next(ctx)
	if resp == nil {
		return nil
	}
	if n := len(resp.Errors); n > e.max {
		errs := make(gqlerror.List, e.max)
		copy(errs, resp.Errors[:e.max-1])
		errs[e.max-1] = &gqlerror.Error{
			Message:    fmt.Sprintf("%d more errors not shown", n-e.max+1),
			Extensions: map[string]any{"code": "TOO_MANY_ERRORS"},
		}
		resp.Errors = errs
	}
	if e.production {
		for _, err := range resp.Errors {
			err.Message = suggestionText.ReplaceAllString(err.Message, "")
		}
	}
	return resp
}
