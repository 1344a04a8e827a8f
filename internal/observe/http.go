package observe

import (
	"bufio"
	"context"
	"crypto/rand"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"carrierdesk/internal/viewer"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
)

// RequestIDHeader carries a request's ID in both directions: a caller (or a
// proxy in front) may name one, and every response says which it got.
const RequestIDHeader = "X-Request-ID"

// maxRequestID bounds an incoming request ID; UUIDs, ULIDs and trace IDs fit.
const maxRequestID = 128

// request is what the chain learns about one request for its access log line.
// The middleware puts it in the context; authentication and the GraphQL
// server fill in the rest.
type request struct {
	id  string
	obs *Observer

	mu        sync.Mutex
	subject   string
	role      string
	operation string
}

type requestKey struct{}

func requestFrom(ctx context.Context) *request {
	r, _ := ctx.Value(requestKey{}).(*request)
	return r
}

// RequestID is the ID of the request ctx belongs to, or "".
func RequestID(ctx context.Context) string {
	if r := requestFrom(ctx); r != nil {
		return r.id
	}
	return ""
}

func (r *request) setViewer(v *viewer.Viewer) {
	if v == nil {
		return
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.subject, r.role = v.Subject(), string(v.Role)
}

// setOperation names the request's GraphQL operation. A WebSocket carries
// several; the log line of its connection names the first.
func (r *request) setOperation(name string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.operation == "" {
		r.operation = name
	}
}

// Handler gives every request an ID (echoed in X-Request-ID), a span when
// tracing is on, a count by status, and an access log line once it is answered.
func (o *Observer) Handler(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		id := r.Header.Get(RequestIDHeader)
		if !saneRequestID(id) {
			id = rand.Text()
		}
		w.Header().Set(RequestIDHeader, id)
		req := &request{id: id, obs: o}
		ctx := context.WithValue(r.Context(), requestKey{}, req)
		var span trace.Span
		if o.tracer != nil {
			ctx = o.propagator.Extract(ctx, propagation.HeaderCarrier(r.Header))
			ctx, span = o.tracer.Start(ctx, r.Method+" "+route(r.URL.Path),
				trace.WithSpanKind(trace.SpanKindServer),
				trace.WithAttributes(
					semconv.HTTPRequestMethodKey.String(r.Method),
					semconv.URLPath(r.URL.Path),
					semconv.HTTPRoute(route(r.URL.Path)),
					attribute.String("request.id", id),
				))
		}
		rec := &recorder{ResponseWriter: w}
		panicked := true
		// Deferred, so that a request whose handler panics is counted and logged too.
		defer func() {
			if panicked && rec.status == 0 {
				rec.status = http.StatusInternalServerError
			}
			o.finish(ctx, r, req, rec, span, start)
		}()
		next.ServeHTTP(rec, r.WithContext(ctx))
		panicked = false
	})
}

// finish counts, ends the span of, and logs one answered request.
func (o *Observer) finish(ctx context.Context, r *http.Request, req *request, rec *recorder, span trace.Span, start time.Time) {
	status := rec.status
	if status == 0 {
		status = http.StatusOK // what net/http sends for a handler that wrote nothing
	}
	elapsed := time.Since(start)
	o.responses.WithLabelValues(strconv.Itoa(status)).Inc()
	if span != nil {
		span.SetAttributes(semconv.HTTPResponseStatusCode(status), semconv.HTTPResponseBodySize(int(rec.bytes)))
		if status >= 500 {
			span.SetStatus(codes.Error, http.StatusText(status))
		}
		span.End()
	}

	req.mu.Lock()
	subject, role, operation := req.subject, req.role, req.operation
	req.mu.Unlock()
	attrs := []slog.Attr{
		slog.String("request_id", req.id),
		slog.String("method", r.Method),
		slog.String("path", r.URL.Path),
		slog.Int("status", status),
		slog.Float64("duration_ms", float64(elapsed.Microseconds())/1000),
		slog.Int64("bytes", rec.bytes),
	}
	if subject != "" {
		attrs = append(attrs, slog.String("subject", subject), slog.String("role", role))
	}
	if operation != "" {
		attrs = append(attrs, slog.String("operation", operation))
	}
	// Probes and scrapes come every few seconds: logged only at debug level.
	level := slog.LevelInfo
	if r.Method == http.MethodGet && quietPaths[r.URL.Path] {
		level = slog.LevelDebug
	}
	slog.Default().LogAttrs(ctx, level, "request", attrs...)
}

// quietPaths are the probe and scrape paths.
var quietPaths = map[string]bool{"/healthz": true, "/readyz": true, "/metrics": true}

// route is the path for the server's own paths, and "other" for the rest, so
// that span names stay few.
func route(path string) string {
	switch path {
	case "/", "/query", "/healthz", "/readyz", "/metrics":
		return path
	}
	return otherLabel
}

// RecordViewer notes who is asking for the request's access log line; it goes
// right after authentication. WebSocket operations, which authenticate in
// connection_init, are noted by the GraphQL extension instead.
func RecordViewer(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if req := requestFrom(r.Context()); req != nil {
			req.setViewer(viewer.FromContext(r.Context()))
		}
		next.ServeHTTP(w, r)
	})
}

// saneRequestID accepts 1 to 128 of [A-Za-z0-9._:-]: enough for the IDs
// proxies and clients make, and nothing that could forge a log line or header.
func saneRequestID(s string) bool {
	if len(s) == 0 || len(s) > maxRequestID {
		return false
	}
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '.' || c == '_' || c == ':' || c == '-') {
			return false
		}
	}
	return true
}

// recorder notes a response's status and size. It flushes and hijacks
// through to the connection, for event streams and WebSockets, and unwraps
// for http.ResponseController, which sets per-request deadlines.
type recorder struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (rec *recorder) WriteHeader(code int) {
	if rec.status == 0 && (code >= 200 || code == http.StatusSwitchingProtocols) {
		rec.status = code
	}
	rec.ResponseWriter.WriteHeader(code)
}

func (rec *recorder) Write(p []byte) (int, error) {
	if rec.status == 0 {
		rec.status = http.StatusOK
	}
	n, err := rec.ResponseWriter.Write(p)
	rec.bytes += int64(n)
	return n, err
}

// Flush sends what is buffered; event streams need it.
func (rec *recorder) Flush() {
	_ = http.NewResponseController(rec.ResponseWriter).Flush()
}

// Hijack hands the connection over; WebSockets need it.
func (rec *recorder) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	conn, rw, err := http.NewResponseController(rec.ResponseWriter).Hijack()
	if err == nil && rec.status == 0 {
		rec.status = http.StatusSwitchingProtocols
	}
	return conn, rw, err
}

// Unwrap is the writer beneath, for http.ResponseController.
func (rec *recorder) Unwrap() http.ResponseWriter { return rec.ResponseWriter }
