package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"

	"carrierdesk/internal/events"
	"carrierdesk/internal/fault"

	"github.com/99designs/gqlgen/graphql/handler/transport"
	coderws "github.com/coder/websocket"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Close codes of the graphql-transport-ws protocol.
const (
	wsCloseBadRequest    = 4400 // malformed message
	wsCloseUnauthorized  = 4401 // subscribe before connection_ack
	wsCloseForbidden     = 4403 // connection_init rejected
	wsCloseInitTimeout   = 4408 // no connection_init in time
	wsCloseDuplicateID   = 4409 // subscriber for <id> already exists
	wsCloseTooManyInits  = 4429 // a second connection_init
	wsDefaultInitTimeout = 5 * time.Second
)

// protocolWebsockets enforces the parts of graphql-transport-ws that gqlgen's
// transport does not (gqlgen closes all of them with 1002, or not at all): it
// reads every client frame before gqlgen does and closes the connection with
// the code the protocol names. It also caps the operations running on one
// connection, answering the one over the cap with an error message.
type protocolWebsockets struct {
	next          transport.WebsocketImplementation
	initTimeout   time.Duration
	maxOperations int
}

func (p protocolWebsockets) Accept(w http.ResponseWriter, r *http.Request, opts transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	conn, err := p.next.Accept(w, r, opts)
	if err != nil || conn.Subprotocol() != "graphql-transport-ws" {
		return conn, err
	}
	c := &protocolConn{WebsocketConn: conn, max: p.maxOperations, active: map[string]bool{}, resumable: map[string]*resumeOp{}}
	c.session, _ = r.Context().Value(wsSessionKey{}).(*wsSession)
	timeout := p.initTimeout
	if timeout <= 0 {
		timeout = wsDefaultInitTimeout
	}
	c.initTimer = time.AfterFunc(timeout, func() {
		c.mu.Lock()
		inited := c.inited
		c.mu.Unlock()
		if !inited {
			_ = c.WebsocketConn.WriteClose(wsCloseInitTimeout, "Connection initialisation timeout")
		}
	})
	return c, nil
}

type protocolConn struct {
	transport.WebsocketConn
	initTimer *time.Timer
	max       int
	session   *wsSession // nil outside NewGraphQLHandler

	mu        sync.Mutex
	inited    bool                 // connection_init received (gqlgen answers it before reading on)
	active    map[string]bool      // operation ids from subscribe until complete or error
	resumable map[string]*resumeOp // subscriptions with a resumeKey (see resume.go)
	pings     [][]resumePoint      // per unanswered ping, oldest first: what its pong confirms
	pingMu    sync.Mutex           // orders pings as they are written
}

type wsFrame struct {
	ID      *string         `json:"id"`
	Type    *string         `json:"type"`
	Payload json.RawMessage `json:"payload"`
}

// violation closes the connection with code and ends gqlgen's read loop.
func (c *protocolConn) violation(code int, reason string) (int, io.Reader, error) {
	_ = c.WebsocketConn.WriteClose(code, reason)
	return 0, nil, transport.ErrWebsocketClosed
}

func (c *protocolConn) NextReader() (int, io.Reader, error) {
	for {
		typ, r, err := c.WebsocketConn.NextReader()
		if err != nil {
			return typ, r, err
		}
		data, err := io.ReadAll(r)
		if err != nil {
			return typ, nil, err
		}
		var f wsFrame
		if json.Unmarshal(data, &f) != nil || f.Type == nil {
			return c.violation(wsCloseBadRequest, "Invalid message received")
		}
		c.mu.Lock()
		inited := c.inited
		switch *f.Type {
		case "connection_init":
			c.inited = true
		case "subscribe":
			if f.ID == nil || *f.ID == "" || len(f.Payload) == 0 {
				c.mu.Unlock()
				return c.violation(wsCloseBadRequest, "Invalid message received")
			}
		case "complete":
			if f.ID == nil || *f.ID == "" {
				c.mu.Unlock()
				return c.violation(wsCloseBadRequest, "Invalid message received")
			}
			delete(c.active, *f.ID)
		case "ping", "pong":
		default:
			c.mu.Unlock()
			return c.violation(wsCloseBadRequest, "Invalid message received")
		}
		c.mu.Unlock()

		switch *f.Type {
		case "connection_init":
			if inited {
				return c.violation(wsCloseTooManyInits, "Too many initialisation requests")
			}
			c.initTimer.Stop()
		case "subscribe":
			if !inited {
				return c.violation(wsCloseUnauthorized, "Unauthorized")
			}
			c.mu.Lock()
			duplicate, full := c.active[*f.ID], c.max > 0 && len(c.active) >= c.max
			if !duplicate && !full {
				c.active[*f.ID] = true
			}
			c.mu.Unlock()
			if duplicate {
				return c.violation(wsCloseDuplicateID, "Subscriber for "+*f.ID+" already exists")
			}
			if full {
				// The operation never starts: an error message ends it for the client.
				if err := c.WebsocketConn.WriteJSON(map[string]any{
					"id": *f.ID, "type": "error",
					"payload": []map[string]any{{
						"message":    "too many operations on this connection",
						"extensions": map[string]any{"code": fault.CodeTooManySubscriptions},
					}},
				}); err != nil {
					return 0, nil, err
				}
				continue
			}
			if gqlErr := requestTextError(f.Payload); gqlErr != nil {
				// Decoded, its text would turn into U+FFFD: the operation never starts.
				if err := c.WriteJSON(map[string]any{"id": *f.ID, "type": "error", "payload": gqlerror.List{gqlErr}}); err != nil {
					return 0, nil, err
				}
				continue
			}
			if payload, err := withDocumentIDJSON(f.Payload); err != nil {
				if err := c.WriteJSON(map[string]any{"id": *f.ID, "type": "error", "payload": gqlerror.List{{
					Message:    err.Error(),
					Extensions: map[string]any{"code": fault.CodeBadRequest},
				}}}); err != nil {
					return 0, nil, err
				}
				continue
			} else if !bytes.Equal(payload, f.Payload) {
				// gqlgen decodes the payload without documentId: give it the APQ extension instead.
				f.Payload = payload
				if data, err = json.Marshal(f); err != nil {
					return 0, nil, err
				}
			}
			c.trackResume(*f.ID, f.Payload)
		case "ping", "pong":
			if *f.Type == "pong" && inited {
				c.pong()
			}
			if !inited {
				// Allowed at any time, but gqlgen closes with 1002 on anything
				// before connection_init: answer here.
				if *f.Type == "ping" {
					if err := c.WebsocketConn.WriteJSON(map[string]string{"type": "pong"}); err != nil {
						return 0, nil, err
					}
				}
				continue
			}
		default: // complete
			if !inited {
				return c.violation(wsCloseUnauthorized, "Unauthorized")
			}
		}
		return typ, bytes.NewReader(data), nil
	}
}

// WriteJSON notes the operations gqlgen ends so their ids may be used again.
func (c *protocolConn) WriteJSON(v any) error {
	data, err := json.Marshal(v)
	if err != nil {
		return err
	}
	var f wsFrame
	if json.Unmarshal(data, &f) != nil || f.Type == nil {
		return c.WebsocketConn.WriteJSON(json.RawMessage(data))
	}
	if *f.Type == "ping" {
		return c.ping(data)
	}
	if f.ID != nil && (*f.Type == "complete" || *f.Type == "error") {
		c.mu.Lock()
		delete(c.active, *f.ID)
		c.mu.Unlock()
	}
	if err := c.WebsocketConn.WriteJSON(json.RawMessage(data)); err != nil {
		return err
	}
	if f.ID != nil {
		c.written(*f.Type, *f.ID, f.Payload)
	}
	return nil
}

func (c *protocolConn) Close() error {
	c.initTimer.Stop()
	return c.WebsocketConn.Close()
}

func (c *protocolConn) SetReadLimit(limit int64) {
	if l, ok := c.WebsocketConn.(transport.WebsocketReadLimiter); ok {
		l.SetReadLimit(limit)
	}
}

func (c *protocolConn) SetReadDeadline(t time.Time) error {
	if d, ok := c.WebsocketConn.(transport.WebsocketReadDeadliner); ok {
		return d.SetReadDeadline(t)
	}
	return nil
}

// wsCompressionThreshold is the smallest message compressed: an event of a
// typical selection is a few hundred bytes of repetitive JSON.
const wsCompressionThreshold = 256

// newWebsocketImplementation accepts upgrades from the page's own origin and
// from CORS_ORIGINS only, compresses messages for clients that offer
// permessage-deflate, and enforces graphql-transport-ws conduct.
// Compression keeps no context between messages, so an idle subscriber holds
// no compressor (they are pooled) at the cost of a little ratio.
func newWebsocketImplementation(l Limits) transport.WebsocketImplementation {
	return protocolWebsockets{
		next: trackedWebsockets{coder: transport.CoderWebsocketImplementation{
			AcceptOptions: coderws.AcceptOptions{
				OriginPatterns:       l.CORSOrigins,
				CompressionMode:      coderws.CompressionNoContextTakeover,
				CompressionThreshold: wsCompressionThreshold,
			},
		}},
		initTimeout:   l.WSInitTimeout,
		maxOperations: l.WSMaxSubscriptions,
	}
}

// wsSession carries what connection_init learned about a WebSocket
// connection (InitFunc sees the request's context) to its protocolConn (made
// from the same request): when the connection's token expires, and whose it is.
type wsSession struct {
	expires atomic.Int64           // Unix nanoseconds; 0 before connection_init succeeds
	viewer  atomic.Pointer[string] // the viewer's subject, once connection_init succeeds
	resumes *events.Resumes        // where resumeKey subscriptions got to (see resume.go)
}

type wsSessionKey struct{}

// withWebsocketSessions gives every WebSocket upgrade a session, and its
// subscriptions the handler's resume store.
func withWebsocketSessions(next http.Handler) http.Handler {
	resumes := events.NewResumes()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if isWebSocketUpgrade(r) {
			ctx := context.WithValue(r.Context(), wsSessionKey{}, &wsSession{resumes: resumes})
			r = r.WithContext(events.NewResumesContext(ctx, resumes))
		}
		next.ServeHTTP(w, r)
	})
}

// setViewer records whose connection it is.
func setViewer(ctx context.Context, subject string) {
	if s, ok := ctx.Value(wsSessionKey{}).(*wsSession); ok {
		s.viewer.Store(&subject)
	}
}

func (s *wsSession) subject() string {
	if p := s.viewer.Load(); p != nil {
		return *p
	}
	return ""
}

// setExpiry records when the connection's token expires.
func setExpiry(ctx context.Context, t time.Time) {
	if s, ok := ctx.Value(wsSessionKey{}).(*wsSession); ok {
		s.expires.Store(t.UnixNano())
	}
}

func (s *wsSession) expired(now time.Time) bool {
	if s == nil {
		return false
	}
	e := s.expires.Load()
	return e != 0 && now.UnixNano() >= e
}

// WriteClose turns gqlgen's normal closure of a connection whose token has
// expired (its context ends at the token's expiry) into 4403, so that the
// client signs in again rather than reconnecting with the same token; a 4403
// for a token that had expired by connection_init says so too.
func (c *protocolConn) WriteClose(code int, reason string) error {
	if (code == transport.WebsocketCloseNormalClosure || code == wsCloseForbidden) && c.session.expired(time.Now()) {
		code, reason = wsCloseForbidden, "Token expired"
	}
	return c.WebsocketConn.WriteClose(code, reason)
}

// Buffers of a hijacked WebSocket connection. net/http gives each connection
// 4 KiB to read and 4 KiB to write; an idle subscriber needs neither, and the
// client's messages (subscribe, complete, pong) are small. A larger event is
// written past the buffer in one more system call.
const (
	wsReadBuffer  = 128
	wsWriteBuffer = 512
)

// handshakeHeader is the part of an upgrade request's header that the
// WebSocket handshake reads.
func handshakeHeader(h http.Header) http.Header {
	kept := make(http.Header, 8)
	for _, name := range [...]string{"Connection", "Upgrade", "Origin", "Sec-Websocket-Key", "Sec-Websocket-Version", "Sec-Websocket-Protocol", "Sec-Websocket-Extensions"} {
		if v, ok := h[name]; ok {
			kept[name] = v
		}
	}
	return kept
}

// detachUpgrades serves a WebSocket upgrade on a goroutine of its own and
// returns to net/http once the connection is hijacked. net/http keeps its
// connection state (the 8 KiB of buffers, the response, the request body)
// until the handler returns, which for a WebSocket is when the connection
// ends; what each of ten thousand idle subscribers holds is what the
// WebSocket itself needs (issue 13). The handlers outside this one see a
// 101 answered when the handshake is done.
//
// The request's context no longer ends with the handler: the connection's
// end, a token's expiry and shutdown's goAway end a WebSocket, as before.
func detachUpgrades(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !isWebSocketUpgrade(r) {
			next.ServeHTTP(w, r)
			return
		}
		r = r.WithContext(context.WithoutCancel(r.Context()))
		r.Body = http.NoBody // an upgrade has none; a limiting wrapper would hold w
		r.Header = handshakeHeader(r.Header)
		d := &detachedWriter{w: w, request: r.Header, header: w.Header(), hijacked: make(chan struct{})}
		done := make(chan struct{})
		go func() {
			defer close(done)
			defer func() {
				if p := recover(); p != nil {
					slog.ErrorContext(r.Context(), "websocket handler panicked", "panic", p, "stack", string(debug.Stack()))
					d.fail()
				}
			}()
			next.ServeHTTP(d, r)
		}()
		select {
		case <-d.hijacked:
		case <-done:
		}
	})
}

// detachedWriter is the ResponseWriter of a detached upgrade. It forwards to
// net/http's until the hijack and forgets it then, handing the WebSocket
// small buffers of its own.
type detachedWriter struct {
	mu       sync.Mutex
	w        http.ResponseWriter // nil once hijacked
	request  http.Header         // the request's, emptied once hijacked
	header   http.Header
	hijacked chan struct{}
}

func (d *detachedWriter) Header() http.Header {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.header
}

func (d *detachedWriter) Write(p []byte) (int, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.w == nil {
		return 0, http.ErrHijacked
	}
	return d.w.Write(p)
}

func (d *detachedWriter) WriteHeader(code int) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.w != nil {
		d.w.WriteHeader(code)
	}
}

// fail answers 500 to an upgrade whose handler panicked before the hijack.
func (d *detachedWriter) fail() {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.w != nil {
		http.Error(d.w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
	}
}

func (d *detachedWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.w == nil {
		return nil, nil, http.ErrHijacked
	}
	conn, brw, err := http.NewResponseController(d.w).Hijack()
	if err != nil {
		return nil, nil, err
	}
	if err := brw.Writer.Flush(); err != nil { // empty: Hijack has sent the 101
		conn.Close()
		return nil, nil, err
	}
	// Whatever the client sent after its handshake moves into the small
	// reader's buffer: coder/websocket keeps the buffered bytes and reads the
	// connection itself from then on.
	rd := bufio.NewReaderSize(conn, wsReadBuffer)
	if n := brw.Reader.Buffered(); n > 0 {
		early, _ := brw.Reader.Peek(n)
		rd = bufio.NewReaderSize(io.MultiReader(bytes.NewReader(bytes.Clone(early)), conn), max(n, wsReadBuffer))
		if _, err := rd.Peek(n); err != nil {
			conn.Close()
			return nil, nil, err
		}
	}
	// The response's header is read once more, for the subprotocol chosen;
	// the request's, which gqlgen keeps for the connection's life and hands
	// to operations that never read it, not at all.
	d.header = http.Header{"Sec-Websocket-Protocol": d.header["Sec-Websocket-Protocol"]}
	clear(d.request)
	d.w, d.request = nil, nil
	close(d.hijacked)
	return conn, bufio.NewReadWriter(rd, bufio.NewWriterSize(conn, wsWriteBuffer)), nil
}
