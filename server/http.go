package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"carrierdesk/ent"
	"carrierdesk/graph"
	"carrierdesk/internal/events"
	"carrierdesk/internal/observe"
	"carrierdesk/internal/viewer"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler"
	"github.com/99designs/gqlgen/graphql/handler/extension"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/klauspost/compress/gzhttp"
	"github.com/vektah/gqlparser/v2/ast"
)

// NewGraphQLHandler builds the GraphQL endpoint.
func NewGraphQLHandler(client *ent.Client, broker events.Broker, cfg Config, authn *Authenticator) http.Handler {
	return withWebsocketSessions(detachUpgrades(newGraphQLServer(client, broker, cfg, authn)))
}

// newGraphQLServer is gqlgen's server with its transports chosen explicitly:
// SSE must come before POST, since both answer POST requests.
func newGraphQLServer(client *ent.Client, broker events.Broker, cfg Config, authn *Authenticator) *handler.Server {
	srv := handler.New(graph.NewSchema(client, broker, graph.ReadPlanner(cfg.ReadPlanner)))
	srv.AddTransport(unicodeSSE{})
	srv.AddTransport(httpTransport{}) // GET and POST as the GraphQL over HTTP specification has them
	srv.AddTransport(transport.Websocket{
		Implementation:        newWebsocketImplementation(cfg.Limits),
		KeepAlivePingInterval: 10 * time.Second,          // graphql-ws (legacy) keep-alive
		PingPongInterval:      cfg.Limits.WSPingInterval, // graphql-transport-ws ping; no pong in twice this drops the peer
		InitFunc: func(ctx context.Context, payload transport.InitPayload) (context.Context, *transport.InitPayload, error) {
			token, ok := bearer(payload.Authorization())
			if !ok {
				return transport.WithWebsocketCloseCode(ctx, wsCloseForbidden), nil, errors.New("a bearer token is required in connection_init")
			}
			v, expires, err := authn.Viewer(ctx, token)
			if err != nil {
				return transport.WithWebsocketCloseCode(ctx, wsCloseForbidden), nil, errors.New("the bearer token is invalid or expired")
			}
			// Token checks allow some clock skew past expiry; a connection
			// would then be acknowledged and closed at once. Refuse it here,
			// in the words the close of an expiring connection uses.
			if !expires.After(time.Now()) {
				setExpiry(ctx, expires) // the close then says "Token expired"
				return transport.WithWebsocketCloseCode(ctx, wsCloseForbidden), nil, errors.New("the bearer token has expired")
			}
			// The connection, and every subscription on it, ends when the token
			// expires (closed with 4403); CloseFunc releases the timer of one that ends sooner.
			setExpiry(ctx, expires)
			setViewer(ctx, v.Subject())
			ctx, cancel := context.WithDeadline(viewer.NewContext(ctx, v), expires)
			return context.WithValue(ctx, connectionCancelKey{}, cancel), nil, nil
		},
		CloseFunc: func(ctx context.Context, _ int) {
			if cancel, ok := ctx.Value(connectionCancelKey{}).(context.CancelFunc); ok {
				cancel()
			}
		},
	})
	// Parsed, validated documents by query text. The clients send well under
	// 256 distinct operations (variables are not part of the key), each 5 to
	// 40 KiB parsed, so their documents stay under 10 MiB; the token limit
	// bounds one document near 1 MiB, so not even junk takes more than 256 MiB.
	srv.SetQueryCache(lru.New[*ast.QueryDocument](256))
	srv.Use(observe.GraphQL{}) // first: it counts the errors of the response as the client gets it
	srv.Use(graph.Introspection{})
	if cfg.Trusted.Manifest != "" {
		srv.Use(trustedOperations{docs: cfg.Trusted}) // before AutomaticPersistedQuery: it answers the manifest's hashes
	}
	// Query text by sha256 for APQ, per instance: a client that misses here
	// (another instance, a restart) resends the query once, as the protocol says.
	srv.Use(extension.AutomaticPersistedQuery{Cache: persistedQueries{lru.New[string](1000)}})
	srv.Use(&graph.StrictNumbers{})
	srv.Use(graph.StrictText{})
	srv.SetParserTokenLimit(cfg.Limits.MaxTokens)
	srv.Use(graph.NewOperationLimits(cfg.Limits.Limits)) // after AutomaticPersistedQuery: it measures the query a hash stands for
	// Production hides the suggestions gqlparser can leave out; errorList
	// strips the rest.
	srv.SetDisableSuggestion(cfg.Production)
	srv.Use(errorList{max: cfg.Limits.MaxErrors, production: cfg.Production})
	srv.Use(graph.ListStacks{})
	srv.Use(graph.AuditOperation{})
	srv.Use(graph.Transactions{Client: client})
	if len(cfg.ReadURLs) > 0 {
		srv.Use(graph.ReadRouting{})
	}
	srv.SetErrorPresenter(graph.PresentError)
	srv.SetRecoverFunc(graph.Recover)
	return srv
}

// connectionCancelKey holds the cancel function of a WebSocket connection's context.
type connectionCancelKey struct{}

// NewHandler is the whole HTTP surface: GraphiQL, GraphQL, the probes and,
// unless METRICS_ADDR moves it, /metrics.
func NewHandler(db *Database, cfg Config, authn *Authenticator) http.Handler {
	return newHandler(db, cfg, authn, observe.New(db.DB))
}

// newHandler is NewHandler measured by obs, which Main shares with the metrics listener.
func newHandler(db *Database, cfg Config, authn *Authenticator, obs *observe.Observer) http.Handler {
	mux := http.NewServeMux()
	guard := NewGuard(cfg.Limits)
	routeGraphiQL(mux, db.Client, cfg)
	mux.Handle("/query", guard.GraphQL(compressLarge(revalidatedGET(authn.Middleware(observe.RecordViewer(guard.Subject(idempotencyKeys(readAfter(db.Replicas, endStreamsOnShutdown(NewGraphQLHandler(db.Client, db.Events, cfg, authn)))))))))))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write([]byte("ok\n"))
	})
	mux.HandleFunc("GET /readyz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		if err := db.DB.PingContext(ctx); err != nil {
			w.WriteHeader(http.StatusServiceUnavailable)
			_, _ = w.Write([]byte("database unavailable\n"))
			return
		}
		_, _ = w.Write([]byte("ok\n"))
	})
	if cfg.Observe.MetricsAddr == "" {
		mux.Handle("GET /metrics", obs.Metrics())
	}
	return obs.Handler(guard.Server(mux))
}

// revalidatedGET makes the response to a GET query cacheable by that client
// only (it is the viewer's data) and only after asking again (it changes),
// and answers a repeat whose response has not changed with 304 and no body:
// the query still runs, but the bytes do not travel again.
func revalidatedGET(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet || isWebSocketUpgrade(r) {
			next.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Cache-Control", "private, no-cache")
		w.Header().Add("Vary", "Authorization")
		buf := &bufferedResponse{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(buf, r)
		if buf.status == http.StatusOK {
			sum := sha256.Sum256(buf.body.Bytes())
			// Weak: a gzipped body is the same response, so one tag serves both.
			tag := `W/"` + base64.RawURLEncoding.EncodeToString(sum[:18]) + `"`
			w.Header().Set("ETag", tag)
			if matchesETag(r.Header.Get("If-None-Match"), tag) {
				w.WriteHeader(http.StatusNotModified)
				return
			}
		}
		w.WriteHeader(buf.status)
		_, _ = w.Write(buf.body.Bytes())
	})
}

// bufferedResponse holds a response back until its ETag is known.
type bufferedResponse struct {
	http.ResponseWriter
	status      int
	wroteHeader bool
	body        bytes.Buffer
}

func (b *bufferedResponse) WriteHeader(status int) {
	if !b.wroteHeader {
		b.status, b.wroteHeader = status, true
	}
}

func (b *bufferedResponse) Write(p []byte) (int, error) {
	b.wroteHeader = true
	return b.body.Write(p)
}

// matchesETag reports whether an If-None-Match header names tag, compared weakly (RFC 9110 13.1.2).
func matchesETag(header, tag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || (t != "" && strings.TrimPrefix(t, "W/") == strings.TrimPrefix(tag, "W/")) {
			return true
		}
	}
	return false
}

// compressLarge gzips a response of 1 KiB or more for a client that accepts
// gzip; a smaller one fits in a packet as it is. Event streams and WebSocket
// upgrades pass untouched: they flush as they go, and gzip would hold them back.
func compressLarge(next http.Handler) http.Handler {
	wrap, err := gzhttp.NewWrapper(
		gzhttp.MinSize(1024),
		gzhttp.EnableZstd(false), // one encoding, the one every client speaks
		gzhttp.ExceptContentTypes([]string{"text/event-stream"}),
	)
	if err != nil {
		panic(fmt.Sprintf("gzip options: %v", err)) // the options above are constants
	}
	compressed := wrap(next)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isWebSocketUpgrade(r) || strings.Contains(r.Header.Get("Accept"), "text/event-stream") {
			next.ServeHTTP(w, r)
			return
		}
		compressed.ServeHTTP(w, r)
	})
}

// persistedQueries is the APQ cache. It keeps queries of up to 16 KiB, which
// the clients' are by far, so 1000 of them stay under 16 MiB; a larger query
// is not kept, and travels in full each time, as the protocol allows.
type persistedQueries struct{ graphql.Cache[string] }

// Add keeps query under hash if it is small enough.
func (c persistedQueries) Add(ctx context.Context, hash, query string) {
	if len(query) <= 16<<10 {
		c.Cache.Add(ctx, hash, query)
	}
}

// webSockets is the set of a server's open WebSocket connections, which
// http.Server.Shutdown does not see once they are hijacked. Main puts it in
// every request's context (http.Server.BaseContext) and, on shutdown, closes
// each connection with 1001 (going away) so clients reconnect elsewhere.
type webSockets struct {
	mu      sync.Mutex
	conns   map[*trackedWebsocket]struct{}
	closing bool
	empty   chan struct{} // closed when closing and no connection is left
}

type webSocketsKey struct{}

func newWebSockets() *webSockets {
	return &webSockets{conns: map[*trackedWebsocket]struct{}{}, empty: make(chan struct{})}
}

// goAway closes every connection, and any accepted later, with 1001.
func (s *webSockets) goAway() {
	s.mu.Lock()
	if s.closing {
		s.mu.Unlock()
		return
	}
	s.closing = true
	conns := make([]*trackedWebsocket, 0, len(s.conns))
	for c := range s.conns {
		conns = append(conns, c)
	}
	if len(s.conns) == 0 {
		close(s.empty)
	}
	s.mu.Unlock()
	for _, c := range conns {
		_ = c.WriteClose(1001, "server shutting down")
	}
}

// wait waits until every connection has ended, or ctx does.
func (s *webSockets) wait(ctx context.Context) error {
	select {
	case <-s.empty:
		return nil
	case <-ctx.Done():
		return fmt.Errorf("websockets still open: %w", ctx.Err())
	}
}

func (s *webSockets) remove(c *trackedWebsocket) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.conns[c]; !ok {
		return
	}
	delete(s.conns, c)
	if s.closing && len(s.conns) == 0 {
		close(s.empty)
	}
}

// trackedWebsockets is gqlgen's coder/websocket implementation whose
// connections join the webSockets of the request's context, if any.
type trackedWebsockets struct {
	coder transport.CoderWebsocketImplementation
}

func (t trackedWebsockets) Accept(w http.ResponseWriter, r *http.Request, opts transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	conn, err := t.coder.Accept(w, r, opts)
	set, _ := r.Context().Value(webSocketsKey{}).(*webSockets)
	if err != nil || set == nil {
		return conn, err
	}
	c := &trackedWebsocket{WebsocketConn: conn, set: set}
	set.mu.Lock()
	closing := set.closing
	if !closing {
		set.conns[c] = struct{}{}
	}
	set.mu.Unlock()
	if closing {
		_ = c.WriteClose(1001, "server shutting down")
	}
	return c, nil
}

// trackedWebsocket leaves its set when gqlgen closes it.
type trackedWebsocket struct {
	transport.WebsocketConn
	set *webSockets
}

func (c *trackedWebsocket) Close() error {
	c.set.remove(c)
	return c.WebsocketConn.Close()
}

func (c *trackedWebsocket) SetReadLimit(limit int64) {
	if l, ok := c.WebsocketConn.(transport.WebsocketReadLimiter); ok {
		l.SetReadLimit(limit)
	}
}

func (c *trackedWebsocket) SetReadDeadline(t time.Time) error {
	if d, ok := c.WebsocketConn.(transport.WebsocketReadDeadliner); ok {
		return d.SetReadDeadline(t)
	}
	return nil
}
