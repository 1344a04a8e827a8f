package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"carrierdesk/ent/rep"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/auth"

	"entgo.io/ent/dialect"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

func TestObservabilityMetrics(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		const list = `query ObsCarriers { carriers { totalCount } }`
		for range 3 {
			app.ok(t, list, nil, nil)
		}
		app.ok(t, `{ carriers { totalCount } }`, nil, nil)
		create := `mutation ObsCreate($input: CreateCarrierInput!) { createCarrier(input: $input) { id } }`
		input := map[string]any{"input": map[string]any{"name": "Cogent", "ocn": "4321", "ccna": "COG"}}
		app.ok(t, create, input, nil)
		app.fails(t, create, input, "CONFLICT", "") // the same carrier again
		app.fails(t, `query ObsBroken { carriers { nope } }`, nil, "GRAPHQL_VALIDATION_FAILED", "")

		m := scrape(t, app.srv.URL+"/metrics")
		for _, c := range []struct {
			metric string
			labels map[string]string
			want   float64
		}{
			{"carrierdesk_graphql_requests_total", map[string]string{"operation": "ObsCarriers", "type": "query"}, 3},
			{"carrierdesk_graphql_requests_total", map[string]string{"operation": "anonymous", "type": "query"}, 1},
			{"carrierdesk_graphql_requests_total", map[string]string{"operation": "ObsCreate", "type": "mutation"}, 2},
			// A document that fails validation has no operation chosen: the client's
			// operationName, if it sent one, else anonymous; type unknown.
			{"carrierdesk_graphql_requests_total", map[string]string{"operation": "anonymous", "type": "unknown"}, 1},
			{"carrierdesk_graphql_errors_total", map[string]string{"code": "CONFLICT"}, 1},
			{"carrierdesk_graphql_errors_total", map[string]string{"code": "GRAPHQL_VALIDATION_FAILED"}, 1},
			{"go_sql_max_open_connections", map[string]string{"db_name": "carrierdesk"}, float64(app.cfg.MaxOpenConns)},
		} {
			if got := m.value(t, c.metric, c.labels); got != c.want {
				t.Errorf("%s%v = %v, want %v", c.metric, c.labels, got, c.want)
			}
		}
		if n := m.histogramCount(t, "carrierdesk_graphql_request_duration_seconds", map[string]string{"operation": "ObsCarriers", "type": "query"}); n != 3 {
			t.Errorf("latency histogram of ObsCarriers holds %d observations, want 3", n)
		}
		if m.value(t, "go_sql_open_connections", map[string]string{"db_name": "carrierdesk"}) < 1 {
			t.Error("the pool reports no open connection after serving queries")
		}
		for _, name := range []string{
			"go_sql_in_use_connections", "go_sql_idle_connections", "go_sql_wait_count_total", "go_sql_wait_duration_seconds_total",
			"carrierdesk_subscribers", "carrierdesk_events_published_total", "carrierdesk_events_delivered_total",
			"carrierdesk_http_responses_total", "go_goroutines", "process_cpu_seconds_total",
		} {
			if m[name] == nil {
				t.Errorf("/metrics has no %s", name)
			}
		}
	})
}

func TestMetricsBoundOperationNames(t *testing.T) {
	app := newTestApp(t, dialect.SQLite)
	for i := range maxNamesForTest + 5 {
		app.ok(t, fmt.Sprintf(`query Op%d { carriers { totalCount } }`, i), nil, nil)
	}
	long := strings.Repeat("L", 65) // a valid GraphQL name, but not a label
	app.ok(t, `query `+long+` { carriers { totalCount } }`, nil, nil)

	m := scrape(t, app.srv.URL+"/metrics")
	names := map[string]bool{}
	for _, metric := range m["carrierdesk_graphql_requests_total"].GetMetric() {
		names[label(metric, "operation")] = true
	}
	if len(names) > maxNamesForTest+1 {
		t.Errorf("%d operation labels, want at most %d and other", len(names), maxNamesForTest)
	}
	if got := m.value(t, "carrierdesk_graphql_requests_total", map[string]string{"operation": "other", "type": "query"}); got != 6 {
		t.Errorf("other = %v, want the 5 names past the cap and the long one", got)
	}
	if names[long] {
		t.Error("a 65-character operation name became a label")
	}
}

func TestMetricsOfSubscriptions(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		fx := newSubscriptionFixture(t, app)
		url := app.srv.URL + "/metrics"
		before := scrape(t, url)
		subscribers := before.value(t, "carrierdesk_subscribers", nil)
		published := before.value(t, "carrierdesk_events_published_total", nil)
		delivered := before.value(t, "carrierdesk_events_delivered_total", nil)

		c := dialSubscriptions(t, app, app.token)
		c.subscribe(t, "1", nil)
		waitMetric(t, url, "carrierdesk_subscribers", func(v float64) bool { return v >= 1 })
		app.comment(t, fx.escalationA, "counted", false)
		if n := c.notice(t, "1"); n.Event.Body != "counted" {
			t.Fatalf("got %+v", n)
		}
		after := scrape(t, url)
		if got := after.value(t, "carrierdesk_events_published_total", nil); got < published+1 {
			t.Errorf("events published %v, want at least %v", got, published+1)
		}
		if got := after.value(t, "carrierdesk_events_delivered_total", nil); got < delivered+1 {
			t.Errorf("events delivered %v, want at least %v", got, delivered+1)
		}
		if got := after.value(t, "carrierdesk_graphql_requests_total", map[string]string{"operation": "anonymous", "type": "subscription"}); got != 1 {
			t.Errorf("subscription requests = %v, want 1", got)
		}
		c.close()
		waitMetric(t, url, "carrierdesk_subscribers", func(v float64) bool { return v <= subscribers })
	})
}

// waitMetric scrapes url until the unlabelled metric name satisfies ok, for a few seconds.
func waitMetric(t *testing.T, url, name string, ok func(float64) bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for {
		v := scrape(t, url).value(t, name, nil)
		if ok(v) {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s stayed at %v", name, v)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// maxNamesForTest is the cap on operation labels the server promises.
const maxNamesForTest = 200

func TestObservabilityRequestID(t *testing.T) {
	app := newTestApp(t, dialect.SQLite)
	tests := []struct {
		name, sent string
		echoed     bool
	}{
		{"none sent", "", false},
		{"sane one echoed", "edge-7f3a.9:b_2", true},
		{"with a space", "two words", false},
		{"too long", strings.Repeat("a", 129), false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			res, _ := post(t, app, `{ carriers { totalCount } }`, "X-Request-ID", tt.sent)
			got := res.Header.Get("X-Request-ID")
			switch {
			case tt.echoed && got != tt.sent:
				t.Errorf("X-Request-ID = %q, want %q echoed", got, tt.sent)
			case !tt.echoed && (got == "" || got == tt.sent):
				t.Errorf("X-Request-ID = %q, want a fresh one", got)
			}
		})
	}
	res, err := http.Get(app.srv.URL + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.Header.Get("X-Request-ID") == "" {
		t.Error("/healthz answered without an X-Request-ID")
	}
}

func TestLogLinesCarryRequestAndViewer(t *testing.T) {
	logs := captureLogs(t)
	app := newTestApp(t, dialect.SQLite)
	admin := app.db.Client.Rep.Query().Where(rep.Email("test-admin@carrierdesk.example")).OnlyX(allowCtx())

	res, body := post(t, app, `query ObsLogged { carriers { totalCount } }`, "X-Request-ID", "log-test-1")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("HTTP %d: %s", res.StatusCode, body)
	}
	line := logs.wait(t, func(l map[string]any) bool { return l["msg"] == "request" && l["request_id"] == "log-test-1" })
	for k, want := range map[string]any{
		"method": "POST", "path": "/query", "status": float64(200), "subject": admin.ID,
		"role": string(enum.RoleAdmin), "operation": "ObsLogged", "level": "INFO",
	} {
		if line[k] != want {
			t.Errorf("access log %s = %v, want %v in %v", k, line[k], want, line)
		}
	}
	if b, _ := line["bytes"].(float64); b != float64(len(body)) {
		t.Errorf("access log bytes = %v, want %d", line["bytes"], len(body))
	}
	if _, ok := line["duration_ms"].(float64); !ok {
		t.Errorf("access log has no duration_ms: %v", line)
	}

	// A line logged deep in the chain (authentication rejecting a token) carries the request's ID.
	bad := app.as("not-a-token")
	res, _ = post(t, bad, `{ carriers { totalCount } }`, "X-Request-ID", "log-test-2")
	if res.StatusCode != http.StatusUnauthorized {
		t.Fatalf("HTTP %d for a bad token", res.StatusCode)
	}
	logs.wait(t, func(l map[string]any) bool { return l["msg"] == "rejected token" && l["request_id"] == "log-test-2" })
	unauth := logs.wait(t, func(l map[string]any) bool { return l["msg"] == "request" && l["request_id"] == "log-test-2" })
	if unauth["status"] != float64(401) || unauth["subject"] != nil {
		t.Errorf("access log of a rejected token: %v", unauth)
	}
}

// TestObservabilityTracingAndMetricsAddr starts the whole program with an
// OTLP collector and a metrics address of its own: spans of the request and
// its operation reach the collector, continuing the caller's trace, and
// /metrics moves to its own port.
func TestObservabilityTracingAndMetricsAddr(t *testing.T) {
	collector := newOTLPCollector(t)
	env := map[string]string{
		"ADDR":                        "127.0.0.1:0",
		"METRICS_ADDR":                "127.0.0.1:0",
		"SQLITE_PATH":                 filepath.Join(t.TempDir(), "traced.db"),
		"SEED_ON_EMPTY":               "false",
		"SWEEP_INTERVAL":              "0",
		"OTEL_EXPORTER_OTLP_ENDPOINT": collector.URL,
		"OTEL_SERVICE_NAME":           "carrierdesk-test",
	}
	for k, v := range env {
		if strings.HasPrefix(k, "OTEL_") {
			t.Setenv(k, v) // the exporter reads them itself
		}
	}
	cfg, err := LoadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if !cfg.Observe.Tracing {
		t.Fatal("OTEL_EXPORTER_OTLP_ENDPOINT did not turn tracing on")
	}
	logs := captureLogs(t)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	m := &Main{Config: cfg}
	if err := m.Open(ctx); err != nil {
		m.Close(ctx)
		t.Fatal(err)
	}
	go m.Serve()
	closed := false
	t.Cleanup(func() {
		if !closed {
			m.Close(context.Background())
		}
	})
	admin := m.DB.Client.Rep.Create().
		SetName("Traced Admin").
		SetEmail("traced@carrierdesk.example").
		SetRole(enum.RoleAdmin).
		SetRegion(enum.RegionWest).
		SaveX(allowCtx())
	token, err := auth.Sign(cfg.Auth.Secret, auth.Claims{Subject: admin.ID, Role: string(enum.RoleAdmin)}, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	app := &testApp{token: token, srv: &httptest.Server{URL: "http://" + m.Addr()}}
	const traceID, parentID = "4bf92f3577b34da6a3ce929d0e0e4736", "00f067aa0ba902b7"
	res, body := post(t, app, `query ObsTraced { carriers { totalCount } }`, "traceparent", "00-"+traceID+"-"+parentID+"-01")
	if res.StatusCode != http.StatusOK {
		t.Fatalf("HTTP %d: %s", res.StatusCode, body)
	}
	line := logs.wait(t, func(l map[string]any) bool { return l["msg"] == "request" && l["operation"] == "ObsTraced" })
	if line["trace_id"] != traceID {
		t.Errorf("access log trace_id = %v, want %s", line["trace_id"], traceID)
	}

	if res, err := http.Get("http://" + m.Addr() + "/metrics"); err != nil || res.StatusCode != http.StatusNotFound {
		t.Errorf("/metrics on ADDR with METRICS_ADDR set: %v %v, want 404", res.StatusCode, err)
	}
	scraped := scrape(t, "http://"+m.ops.metricsLn.Addr().String()+"/metrics")
	if got := scraped.value(t, "carrierdesk_graphql_requests_total", map[string]string{"operation": "ObsTraced", "type": "query"}); got != 1 {
		t.Errorf("requests on the metrics port = %v, want 1", got)
	}

	closed = true
	if err := m.Close(ctx); err != nil { // sends the buffered spans
		t.Fatal(err)
	}
	spans, service := collector.received()
	if service != "carrierdesk-test" {
		t.Errorf("service.name = %q, want OTEL_SERVICE_NAME", service)
	}
	httpSpan, opSpan := spans["POST /query"], spans["query ObsTraced"]
	if httpSpan == nil || opSpan == nil {
		t.Fatalf("spans received: %v", keys(spans))
	}
	if hex.EncodeToString(httpSpan.TraceId) != traceID || hex.EncodeToString(httpSpan.ParentSpanId) != parentID {
		t.Errorf("request span is not a child of the caller's traceparent: trace %x parent %x", httpSpan.TraceId, httpSpan.ParentSpanId)
	}
	if !bytes.Equal(opSpan.ParentSpanId, httpSpan.SpanId) || !bytes.Equal(opSpan.TraceId, httpSpan.TraceId) {
		t.Error("operation span is not a child of the request span")
	}
}

// post sends a GraphQL query as app's viewer with extra headers, and returns the response and its body.
func post(t *testing.T, app *testApp, query string, headers ...string) (*http.Response, []byte) {
	t.Helper()
	b, _ := json.Marshal(map[string]any{"query": query})
	req, _ := http.NewRequest(http.MethodPost, app.srv.URL+"/query", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+app.token)
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] != "" {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	return res, body
}

// metrics is a scrape of /metrics by family name.
type metrics map[string]*dto.MetricFamily

func scrape(t *testing.T, url string) metrics {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: HTTP %d", url, res.StatusCode)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(res.Body)
	if err != nil {
		t.Fatalf("parsing /metrics: %v", err)
	}
	return fams
}

// find is the series of family name with exactly labels, or nil.
func (m metrics) find(name string, labels map[string]string) *dto.Metric {
	for _, metric := range m[name].GetMetric() {
		if len(metric.GetLabel()) != len(labels) {
			continue
		}
		match := true
		for k, v := range labels {
			match = match && label(metric, k) == v
		}
		if match {
			return metric
		}
	}
	return nil
}

// value is a counter's or gauge's value; a missing series is 0.
func (m metrics) value(t *testing.T, name string, labels map[string]string) float64 {
	t.Helper()
	metric := m.find(name, labels)
	switch {
	case metric == nil:
		return 0
	case metric.Counter != nil:
		return metric.GetCounter().GetValue()
	case metric.Gauge != nil:
		return metric.GetGauge().GetValue()
	}
	t.Fatalf("%s is neither counter nor gauge", name)
	return 0
}

func (m metrics) histogramCount(t *testing.T, name string, labels map[string]string) uint64 {
	t.Helper()
	metric := m.find(name, labels)
	if metric == nil || metric.Histogram == nil {
		t.Fatalf("no histogram %s%v", name, labels)
	}
	return metric.GetHistogram().GetSampleCount()
}

func label(metric *dto.Metric, name string) string {
	for _, l := range metric.GetLabel() {
		if l.GetName() == name {
			return l.GetValue()
		}
	}
	return ""
}

// logBuffer collects the JSON lines of the default logger.
type logBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *logBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

// captureLogs sends the default logger, as the program sets it up, to a buffer for the test.
func captureLogs(t *testing.T) *logBuffer {
	b := &logBuffer{}
	prev := slog.Default()
	slog.SetDefault(newLogger(b))
	t.Cleanup(func() { slog.SetDefault(prev) })
	return b
}

// wait returns the first line that match accepts, waiting a little: the
// access log line is written after the response.
func (b *logBuffer) wait(t *testing.T, match func(map[string]any) bool) map[string]any {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		b.mu.Lock()
		text := b.buf.String()
		b.mu.Unlock()
		sc := bufio.NewScanner(strings.NewReader(text))
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			var line map[string]any
			if err := json.Unmarshal(sc.Bytes(), &line); err != nil {
				t.Fatalf("log line is not JSON: %q", sc.Text())
			}
			if match(line) {
				return line
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no matching log line in:\n%s", text)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

// otlpCollector is an OTLP/HTTP trace endpoint that keeps what it is sent.
type otlpCollector struct {
	*httptest.Server
	mu       sync.Mutex
	requests []*coltracepb.ExportTraceServiceRequest
}

func newOTLPCollector(t *testing.T) *otlpCollector {
	c := &otlpCollector{}
	c.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		req := &coltracepb.ExportTraceServiceRequest{}
		if r.URL.Path != "/v1/traces" || proto.Unmarshal(body, req) != nil {
			http.Error(w, "not an OTLP trace export", http.StatusBadRequest)
			return
		}
		c.mu.Lock()
		c.requests = append(c.requests, req)
		c.mu.Unlock()
		w.Header().Set("Content-Type", "application/x-protobuf")
		out, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
		_, _ = w.Write(out)
	}))
	t.Cleanup(c.Close)
	return c
}

// received is the spans exported so far by name, and the service that sent them.
func (c *otlpCollector) received() (map[string]*tracepb.Span, string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	spans, service := map[string]*tracepb.Span{}, ""
	for _, req := range c.requests {
		for _, rs := range req.GetResourceSpans() {
			for _, a := range rs.GetResource().GetAttributes() {
				if a.GetKey() == "service.name" {
					service = a.GetValue().GetStringValue()
				}
			}
			for _, ss := range rs.GetScopeSpans() {
				for _, s := range ss.GetSpans() {
					spans[s.GetName()] = s
				}
			}
		}
	}
	return spans, service
}

func keys[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}
