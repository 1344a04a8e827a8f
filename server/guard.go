package main

// The HTTP edge, enforced before a resolver runs: sizes, timeouts,
// methods, media types, CORS and the rate of each address or subject.

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"strings"
	"time"

	"carrierdesk/internal/fault"
	"carrierdesk/internal/viewer"

	"golang.org/x/time/rate"
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
