package main

// What a client may ask of the server, and how fast, as the environment
// sets it; guard.go, ratelimit.go and transport.go enforce it.

import (
	"fmt"
	"math"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"time"

	"carrierdesk/graph"
)

// Limits is what a client may ask of the server, and how fast.
type Limits struct {
	graph.Limits                      // GRAPHQL_MAX_*, DEPTH_LIMIT, COST_LIMIT, PAGE_DEFAULT, PAGE_MAX: what one operation may ask for
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
		MaxBodyBytes:      1 << 20,
		MaxHeaderBytes:    64 << 10,
		MaxURLBytes:       8 << 10,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      30 * time.Second,
		IdleTimeout:       120 * time.Second,
		OperationTimeout:  15 * time.Second,
		StatementTimeout:  15 * time.Second,
		RateBurst:         100,
		Limits: graph.Limits{
			MaxTokens:        10_000,
			MaxAliases:       30,
			MaxFieldRepeats:  20,
			MaxDirectives:    5,
			MaxIntrospection: 20,
			MaxDepth:         15,
			MaxCost:          300_000,
			DefaultPage:      20,
			MaxPage:          100,
		},
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
		{"DEPTH_LIMIT", &l.MaxDepth, 2, 1000},
		{"COST_LIMIT", &l.MaxCost, 1, 1_000_000_000},
		{"PAGE_DEFAULT", &l.DefaultPage, 1, 1000},
		{"GRAPHQL_MAX_ERRORS", &l.MaxErrors, 1, 100_000},
		{"WS_MAX_SUBSCRIPTIONS", &l.WSMaxSubscriptions, 1, 100_000},
	}
	var err error
	for _, v := range ints {
		if *v.dst, err = intVar(getenv, v.name, *v.dst, v.min, v.max); err != nil {
			return l, err
		}
	}
	// PAGE_MAX is read after PAGE_DEFAULT: a default page must fit under it.
	if l.MaxPage, err = intVar(getenv, "PAGE_MAX", l.MaxPage, l.DefaultPage, 10000); err != nil {
		return l, err
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
