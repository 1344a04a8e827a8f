// Package observe tells operators what the server is doing: Prometheus
// metrics, a JSON access log line per request carrying its request ID and
// viewer, and OpenTelemetry spans when an OTLP endpoint is configured.
//
// An Observer owns one metrics registry, so a process (or a test) may run
// several servers side by side; the process-wide measures of package metrics
// are registered with each.
package observe

import (
	"database/sql"
	"net/http"
	"sync"

	"carrierdesk/internal/metrics"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/trace"
)

// Label values that stand for many: names past the cap, and names that are not names.
const (
	otherLabel     = "other"
	anonymousLabel = "anonymous"
	unknownLabel   = "unknown"
)

// maxOperationNames bounds the distinct operation labels: the clients send a
// few hundred operations at most, and a caller inventing names must not
// grow the metrics without end.
const maxOperationNames = 200

// maxErrorCodes bounds the distinct error-code labels; the server has a few dozen.
const maxErrorCodes = 64

// Observer measures one HTTP handler and its GraphQL server.
type Observer struct {
	registry  *prometheus.Registry
	requests  *prometheus.CounterVec
	latency   *prometheus.HistogramVec
	errors    *prometheus.CounterVec
	responses *prometheus.CounterVec
	names     *boundedLabels
	codes     *boundedLabels

	tracer     trace.Tracer // nil while tracing is off: no spans, no propagation
	propagator propagation.TextMapPropagator
}

// New returns an Observer with its own registry, which also reports the Go
// runtime, the process, and db's connection pool (read at each scrape).
func New(db *sql.DB) *Observer {
	o := &Observer{
		registry: prometheus.NewRegistry(),
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "carrierdesk_graphql_requests_total",
			Help: "GraphQL operations by operation name and type (query, mutation, subscription; unknown when the document did not parse).",
		}, []string{"operation", "type"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "carrierdesk_graphql_request_duration_seconds",
			Help:    "Time from reading a GraphQL query or mutation to its response; a subscription, until it is set up.",
			Buckets: prometheus.DefBuckets,
		}, []string{"operation", "type"}),
		errors: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "carrierdesk_graphql_errors_total",
			Help: "Errors in GraphQL responses by extensions.code.",
		}, []string{"code"}),
		responses: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "carrierdesk_http_responses_total",
			Help: "HTTP responses by status code, including those refused before GraphQL (401, 413, 429).",
		}, []string{"status"}),
		names: newBoundedLabels(maxOperationNames),
		codes: newBoundedLabels(maxErrorCodes),
	}
	o.registry.MustRegister(
		o.requests, o.latency, o.errors, o.responses,
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
	)
	if db != nil {
		o.registry.MustRegister(collectors.NewDBStatsCollector(db, "carrierdesk"))
	}
	o.registry.MustRegister(metrics.Collectors()...)
	return o
}

// Metrics serves the registry in the Prometheus text format.
func (o *Observer) Metrics() http.Handler {
	return promhttp.HandlerFor(o.registry, promhttp.HandlerOpts{})
}

// Trace turns tracing on: a span for every request and GraphQL operation,
// continuing the trace a caller names in its traceparent header. Call it
// before serving.
func (o *Observer) Trace(tp trace.TracerProvider) {
	o.tracer = tp.Tracer("carrierdesk")
	o.propagator = propagation.NewCompositeTextMapPropagator(propagation.TraceContext{}, propagation.Baggage{})
}

// boundedLabels admits label values up to a cap; later ones, and values that
// are not plain names, become "other".
type boundedLabels struct {
	mu   sync.Mutex
	seen map[string]struct{}
	max  int
}

func newBoundedLabels(max int) *boundedLabels {
	return &boundedLabels{seen: make(map[string]struct{}), max: max}
}

func (b *boundedLabels) label(v string) string {
	if !plainName(v) {
		return otherLabel
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if _, ok := b.seen[v]; ok {
		return v
	}
	if len(b.seen) >= b.max {
		return otherLabel
	}
	b.seen[v] = struct{}{}
	return v
}

// plainName reports whether s is 1 to 64 of [A-Za-z0-9_].
func plainName(s string) bool {
	if len(s) == 0 || len(s) > 64 {
		return false
	}
	for _, c := range []byte(s) {
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '_') {
			return false
		}
	}
	return true
}
