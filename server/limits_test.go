package main

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/auth"
	"carrierdesk/internal/fault"

	"entgo.io/ent/dialect"
	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/introspection"
	"github.com/lib/pq"
)

// productionSecret is an HS256 key that APP_ENV=production accepts.
const productionSecret = "limits-test-secret-that-is-not-the-development-one"

// newLimitsApp is a server on SQLite configured by env, as an operator
// configures it, signed in as an admin.
func newLimitsApp(t *testing.T, env map[string]string) *testApp {
	t.Helper()
	cfg, err := LoadConfig(func(k string) string { return env[k] })
	if err != nil {
		t.Fatalf("configuration %v: %v", env, err)
	}
	cfg.SeedOnEmpty = false
	cfg.SQLitePath = filepath.Join(t.TempDir(), "limits.db")
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	db, err := OpenDatabase(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	verifier, err := auth.NewVerifier(ctx, cfg.Auth)
	if err != nil {
		t.Fatal(err)
	}
	app := &testApp{db: db, cfg: cfg}
	app.srv = httptest.NewServer(NewHandler(db, cfg, &Authenticator{Verifier: verifier, Client: db.Client}))
	t.Cleanup(func() {
		app.srv.Close()
		db.Close()
	})
	app.token = app.signRep(t, "limits-admin@carrierdesk.example", enum.RoleAdmin)
	return app
}

// signRep creates a rep with role and returns a token for them.
func (a *testApp) signRep(t *testing.T, email string, role enum.Role) string {
	t.Helper()
	rep := a.db.Client.Rep.Create().
		SetName(email).
		SetEmail(email).
		SetRole(role).
		SetRegion(enum.RegionWest).
		SaveX(allowCtx())
	return a.sign(t, auth.Claims{Subject: rep.ID, Role: string(role)})
}

func TestLimitsConfiguration(t *testing.T) {
	prod := map[string]string{"APP_ENV": "production", "JWT_SECRET": productionSecret}
	for _, tc := range []struct {
		name  string
		env   map[string]string
		check func(Limits) bool
		fails string
	}{
		{"defaults", nil, func(l Limits) bool {
			return l.MaxBodyBytes == 1<<20 && l.MaxHeaderBytes == 64<<10 && l.MaxURLBytes == 8<<10 &&
				l.OperationTimeout == 15*time.Second && l.WriteTimeout == 30*time.Second && l.RatePerSecond == 0 &&
				l.MaxTokens == 10_000 && l.MaxAliases == 30 && l.MaxErrors == 100 && len(l.CORSOrigins) == 0
		}, ""},
		{"production limits rates", prod, func(l Limits) bool { return l.RatePerSecond == 20 && l.RateBurst == 100 }, ""},
		{"set", map[string]string{
			"HTTP_MAX_BODY_BYTES": "4096", "RATE_LIMIT": "2.5", "OPERATION_TIMEOUT": "2s", "HTTP_WRITE_TIMEOUT": "3s",
			"CORS_ORIGINS": "https://App.Example.com/, http://localhost:5173", "GRAPHQL_MAX_ALIASES": "0",
		}, func(l Limits) bool {
			return l.MaxBodyBytes == 4096 && l.RatePerSecond == 2.5 && l.OperationTimeout == 2*time.Second &&
				strings.Join(l.CORSOrigins, " ") == "https://app.example.com http://localhost:5173" && l.MaxAliases == 0
		}, ""},
		{"wildcard with credentials", map[string]string{"CORS_ORIGINS": "*", "CORS_ALLOW_CREDENTIALS": "true"}, nil, "cannot be combined"},
		{"origin with a path", map[string]string{"CORS_ORIGINS": "https://app.example.com/app"}, nil, "is not an origin"},
		{"write shorter than operation", map[string]string{"OPERATION_TIMEOUT": "1m"}, nil, "must be longer than OPERATION_TIMEOUT"},
		{"negative duration", map[string]string{"HTTP_READ_TIMEOUT": "-1s"}, nil, "HTTP_READ_TIMEOUT"},
		{"bad rate", map[string]string{"RATE_LIMIT": "fast"}, nil, "RATE_LIMIT"},
		{"tiny body", map[string]string{"HTTP_MAX_BODY_BYTES": "10"}, nil, "HTTP_MAX_BODY_BYTES"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cfg, err := LoadConfig(func(k string) string { return tc.env[k] })
			switch {
			case tc.fails != "" && (err == nil || !strings.Contains(err.Error(), tc.fails)):
				t.Fatalf("want an error saying %q, got %v", tc.fails, err)
			case tc.fails == "" && err != nil:
				t.Fatal(err)
			case tc.check != nil && !tc.check(cfg.Limits):
				t.Fatalf("limits %+v", cfg.Limits)
			}
		})
	}
}

// TestBodyAndURLLimits: a body over HTTP_MAX_BODY_BYTES is 413, whether it
// says its length or not; a URL over HTTP_MAX_URL_BYTES is 414; both
// answered as GraphQL errors.
func TestBodyAndURLLimits(t *testing.T) {
	app := newLimitsApp(t, map[string]string{"HTTP_MAX_BODY_BYTES": "4096", "HTTP_MAX_URL_BYTES": "1024"})
	big := `{"query":"{ __typename }","variables":{"pad":"` + strings.Repeat("x", 5000) + `"}}`
	res := app.postAccepting(t, big, "")
	if res.Status != http.StatusRequestEntityTooLarge || res.code() != "REQUEST_TOO_LARGE" {
		t.Fatalf("declared length: want 413, got %d %s", res.Status, res.Body)
	}
	// Chunked: the length is only found out while reading.
	req, _ := http.NewRequest(http.MethodPost, app.srv.URL+"/query", io.MultiReader(strings.NewReader(big)))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+app.token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusRequestEntityTooLarge || !strings.Contains(string(body), "REQUEST_TOO_LARGE") {
		t.Fatalf("chunked: want 413, got %d %s", resp.StatusCode, body)
	}
	if res := app.postAccepting(t, `{"query":"{ __typename }"}`, ""); res.Status != http.StatusOK {
		t.Fatalf("a small body: %d %s", res.Status, res.Body)
	}

	long := queryURL(map[string]string{"query": "{ __typename " + strings.Repeat(" ", 1100) + "}"})
	if res := app.exchange(t, http.MethodGet, long, ""); res.Status != http.StatusRequestURITooLong || res.code() != "URI_TOO_LONG" {
		t.Fatalf("long URL: want 414, got %d %s", res.Status, res.Body)
	}
	if res := app.exchange(t, http.MethodGet, queryURL(map[string]string{"query": "{ __typename }"}), ""); res.Status != http.StatusOK {
		t.Fatalf("short URL: %d %s", res.Status, res.Body)
	}
}

// TestHeaderLimit: the server Main builds refuses headers over HTTP_MAX_HEADER_BYTES.
func TestHeaderLimit(t *testing.T) {
	cfg, err := LoadConfig(func(k string) string {
		return map[string]string{"HTTP_MAX_HEADER_BYTES": "8192", "ADDR": "127.0.0.1:0"}[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	cfg.SeedOnEmpty = false
	cfg.SQLitePath = filepath.Join(t.TempDir(), "header.db")
	m := &Main{Config: cfg}
	if err := m.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	go m.Serve()
	t.Cleanup(func() { m.Close(context.Background()) })
	for _, tc := range []struct {
		size int
		want int
	}{{1000, http.StatusOK}, {20_000, http.StatusRequestHeaderFieldsTooLarge}} {
		req, _ := http.NewRequest(http.MethodGet, "http://"+m.Addr()+"/healthz", nil)
		req.Header.Set("X-Padding", strings.Repeat("p", tc.size))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != tc.want {
			t.Errorf("%d bytes of header: want %d, got %d", tc.size, tc.want, res.StatusCode)
		}
	}
}

// TestReadTimeout: a body that trickles in slower than HTTP_READ_TIMEOUT is
// refused with 408 rather than holding a connection, and the 408 reaches the
// client even when the write timeout is no longer than the read timeout (as
// with the defaults, 30 s each), for every one of many stalled clients.
func TestReadTimeout(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
	}{
		{"write timeout longer", map[string]string{"HTTP_READ_TIMEOUT": "300ms"}},
		{"write timeout equal", map[string]string{"HTTP_READ_TIMEOUT": "300ms", "HTTP_WRITE_TIMEOUT": "300ms", "OPERATION_TIMEOUT": "200ms"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			app := newLimitsApp(t, tc.env)
			const clients = 10
			var wg sync.WaitGroup
			for i := 0; i < clients; i++ {
				wg.Add(1)
				go func() {
					defer wg.Done()
					if err := stallBody(app); err != nil {
						t.Error(err)
					}
				}()
			}
			wg.Wait()
		})
	}
}

// stallBody sends a request whose body stops short and expects the 408 for it.
func stallBody(app *testApp) error {
	conn, err := net.Dial("tcp", strings.TrimPrefix(app.srv.URL, "http://"))
	if err != nil {
		return err
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST /query HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\nAuthorization: Bearer %s\r\nContent-Length: 100\r\n\r\n{\"query\":", app.token)
	_ = conn.SetReadDeadline(time.Now().Add(10 * time.Second))
	res, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		return fmt.Errorf("no answer to a stalled body: %w", err)
	}
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusRequestTimeout || !strings.Contains(string(body), "REQUEST_TIMEOUT") {
		return fmt.Errorf("want 408, got %d %s", res.StatusCode, body)
	}
	return nil
}

// TestDeadlinesSpareStreams: an ordinary request runs under OPERATION_TIMEOUT
// and HTTP_WRITE_TIMEOUT; an event stream or a WebSocket is held to neither,
// even on a connection whose earlier request's deadline has passed.
func TestDeadlinesSpareStreams(t *testing.T) {
	g := NewGuard(Limits{MaxURLBytes: 8192, WriteTimeout: 300 * time.Millisecond, OperationTimeout: 200 * time.Millisecond})
	srv := httptest.NewServer(g.Server(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, hasDeadline := r.Context().Deadline()
		w.Header().Set("X-Deadline", strconv.FormatBool(hasDeadline))
		w.WriteHeader(http.StatusOK)
		// Write n events 100 ms apart, flushing each as a stream does.
		n, _ := strconv.Atoi(r.URL.Query().Get("n"))
		for i := range n {
			if _, err := fmt.Fprintf(w, "event %d\n", i); err != nil {
				return
			}
			http.NewResponseController(w).Flush()
			time.Sleep(100 * time.Millisecond)
		}
	})))
	defer srv.Close()
	client := &http.Client{Transport: &http.Transport{MaxConnsPerHost: 1}}
	defer client.CloseIdleConnections()
	get := func(accept string, n int) (deadline string, events int, err error) {
		req, _ := http.NewRequest(http.MethodGet, srv.URL+"?n="+strconv.Itoa(n), nil)
		req.Header.Set("Accept", accept)
		res, err := client.Do(req)
		if err != nil {
			return "", 0, err
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		return res.Header.Get("X-Deadline"), strings.Count(string(body), "event"), err
	}
	if deadline, events, err := get("application/json", 8); deadline != "true" || err == nil || events == 8 {
		t.Fatalf("a slow ordinary answer: deadline %q, %d events, err %v; want a deadline and a cut-off answer", deadline, events, err)
	}
	if deadline, events, err := get("application/json", 1); deadline != "true" || err != nil || events != 1 {
		t.Fatalf("a quick ordinary answer: deadline %q, %d events, err %v", deadline, events, err)
	}
	time.Sleep(400 * time.Millisecond) // past the write deadline that answer set on its connection
	for _, accept := range []string{"text/event-stream", "application/json"} {
		n := map[string]int{"text/event-stream": 8, "application/json": 1}[accept]
		deadline, events, err := get(accept, n)
		if want := strconv.FormatBool(accept == "application/json"); deadline != want || err != nil || events != n {
			t.Fatalf("%s on a used connection: deadline %q, %d events, err %v; want deadline %s and %d events", accept, deadline, events, err, want, n)
		}
	}
}

// TestOperationDeadline: an operation that outlives OPERATION_TIMEOUT is
// answered UNAVAILABLE instead of running on.
func TestOperationDeadline(t *testing.T) {
	app := newLimitsApp(t, map[string]string{"OPERATION_TIMEOUT": "1ns"})
	res := app.postAccepting(t, `{"query":"{ carriers { totalCount } }"}`, "")
	if res.code() != "UNAVAILABLE" {
		t.Fatalf("want UNAVAILABLE, got %d %s", res.Status, res.Body)
	}
}

// TestStatementTimeout: on PostgreSQL every pooled connection carries
// DB_STATEMENT_TIMEOUT, and a statement that runs longer is cancelled by the
// server itself, even if no context cancels it.
func TestStatementTimeout(t *testing.T) {
	app := newTestApp(t, dialect.Postgres)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for range 2 * app.cfg.MaxOpenConns {
		var setting string
		if err := app.db.DB.QueryRowContext(ctx, "SHOW statement_timeout").Scan(&setting); err != nil || setting != "15s" {
			t.Fatalf("the server's pool: statement_timeout = %q, %v; want the default 15s", setting, err)
		}
	}
	dsn, err := withStatementTimeout(app.cfg.DatabaseURL, 250*time.Millisecond)
	if err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("postgres", dsn)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	_, err = db.ExecContext(ctx, "SELECT pg_sleep(5)")
	var pqErr *pq.Error
	if !errors.As(err, &pqErr) || pqErr.Code != "57014" {
		t.Fatalf("a 5 s statement under a 250 ms timeout: want query_canceled (57014), got %v", err)
	}
	if u, _ := withStatementTimeout("postgres://h/db?options=-c%20statement_timeout%3D9s", time.Second); !strings.Contains(u, "9s") || strings.Contains(u, "1000") {
		t.Fatalf("a URL's own statement_timeout was overridden: %s", u)
	}
}

// TestRateLimit: each subject has its own bucket; once it is empty, 429 with
// Retry-After. Requests without a subject are counted by address, and so are
// failed authentications.
func TestRateLimit(t *testing.T) {
	env := map[string]string{"RATE_LIMIT": "0.5", "RATE_LIMIT_BURST": "3"}
	limited := func(t *testing.T, res httpResult) {
		t.Helper()
		retry, err := strconv.Atoi(res.Header.Get("Retry-After"))
		if res.Status != http.StatusTooManyRequests || res.code() != "RATE_LIMITED" || err != nil || retry < 1 {
			t.Fatalf("want 429 RATE_LIMITED with Retry-After, got %d %q %s", res.Status, res.Header.Get("Retry-After"), res.Body)
		}
	}
	query := `{"query":"{ __typename }"}`
	t.Run("per subject", func(t *testing.T) {
		app := newLimitsApp(t, env)
		for i := range 3 {
			if res := app.postAccepting(t, query, ""); res.Status != http.StatusOK {
				t.Fatalf("request %d: %d %s", i, res.Status, res.Body)
			}
		}
		limited(t, app.postAccepting(t, query, ""))
		other := app.as(app.signRep(t, "other@carrierdesk.example", enum.RoleSupport))
		if res := other.postAccepting(t, query, ""); res.Status != http.StatusOK {
			t.Fatalf("another subject was limited: %d %s", res.Status, res.Body)
		}
	})
	t.Run("by address before authentication", func(t *testing.T) {
		app := newLimitsApp(t, env)
		anonymous := app.as("")
		for range 3 {
			if res := anonymous.postAccepting(t, query, ""); res.Status != http.StatusUnauthorized {
				t.Fatalf("want 401, got %d %s", res.Status, res.Body)
			}
		}
		limited(t, anonymous.postAccepting(t, query, ""))
	})
	t.Run("failed authentications", func(t *testing.T) {
		app := newLimitsApp(t, env)
		forged := app.as("not.a.token")
		for range 3 {
			if res := forged.postAccepting(t, query, ""); res.Status != http.StatusUnauthorized {
				t.Fatalf("want 401, got %d %s", res.Status, res.Body)
			}
		}
		limited(t, forged.postAccepting(t, query, ""))
	})
	t.Run("good tokens spend no address tokens", func(t *testing.T) {
		app := newLimitsApp(t, env)
		for i := range 5 {
			user := app.as(app.signRep(t, fmt.Sprintf("user%d@carrierdesk.example", i), enum.RoleSupport))
			if res := user.postAccepting(t, query, ""); res.Status != http.StatusOK {
				t.Fatalf("user %d from the same address: %d %s", i, res.Status, res.Body)
			}
		}
	})
}

// TestCORS: the web app's origins get CORS headers and their preflight
// answered; other origins get neither; a wildcard never goes with credentials.
func TestCORS(t *testing.T) {
	app := newLimitsApp(t, map[string]string{"CORS_ORIGINS": "https://app.example.com"})
	preflight := func(origin string) httpResult {
		return app.exchange(t, http.MethodOptions, "/query", "", "Origin", origin,
			"Access-Control-Request-Method", "POST", "Access-Control-Request-Headers", "authorization, content-type", "Authorization", "")
	}
	res := preflight("https://app.example.com")
	if res.Status != http.StatusNoContent || res.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" ||
		!strings.Contains(res.Header.Get("Access-Control-Allow-Headers"), "Authorization") ||
		!strings.Contains(res.Header.Get("Access-Control-Allow-Methods"), "POST") ||
		res.Header.Get("Access-Control-Allow-Credentials") != "" || !strings.Contains(strings.Join(res.Header.Values("Vary"), ","), "Origin") {
		t.Fatalf("allowed preflight: %d %v", res.Status, res.Header)
	}
	if res := preflight("https://evil.example.com"); res.Status != http.StatusForbidden || res.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("other origin's preflight: %d %v", res.Status, res.Header)
	}
	res = app.exchange(t, http.MethodPost, "/query", `{"query":"{ __typename }"}`, "Origin", "https://app.example.com")
	if res.Status != http.StatusOK || res.Header.Get("Access-Control-Allow-Origin") != "https://app.example.com" {
		t.Fatalf("allowed origin's request: %d %v", res.Status, res.Header)
	}
	res = app.exchange(t, http.MethodPost, "/query", `{"query":"{ __typename }"}`, "Origin", "https://evil.example.com")
	if res.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("other origin got CORS headers: %v", res.Header)
	}

	closed := newLimitsApp(t, nil)
	res = closed.exchange(t, http.MethodOptions, "/query", "", "Origin", "https://app.example.com", "Access-Control-Request-Method", "POST")
	if res.Status != http.StatusForbidden || res.Header.Get("Access-Control-Allow-Origin") != "" {
		t.Fatalf("no CORS_ORIGINS, preflight: %d %v", res.Status, res.Header)
	}
	open := newLimitsApp(t, map[string]string{"CORS_ORIGINS": "*"})
	res = open.exchange(t, http.MethodPost, "/query", `{"query":"{ __typename }"}`, "Origin", "https://anyone.example.com")
	if res.Header.Get("Access-Control-Allow-Origin") != "*" || res.Header.Get("Access-Control-Allow-Credentials") != "" {
		t.Fatalf("wildcard: %v", res.Header)
	}
}

// TestMethodsAndMediaTypes: only GET, POST and OPTIONS; a POST only as JSON,
// since a browser sends text/plain, forms and multipart across origins
// without asking.
func TestMethodsAndMediaTypes(t *testing.T) {
	app := newTestApp(t, dialect.SQLite)
	mutation := `{"query":"mutation { createCarrier(input: {name: \"CSRF\", ocn: \"9C01\", ccna: \"CSR\"}) { id } }"}`
	for _, ct := range []string{"text/plain", "text/plain;charset=UTF-8", "application/x-www-form-urlencoded",
		"multipart/form-data; boundary=x", "application/graphql", "application/json; charset=iso-8859-1", "nonsense", ""} {
		res := app.exchange(t, http.MethodPost, "/query", mutation, "Content-Type", ct)
		if res.Status != http.StatusUnsupportedMediaType || res.code() != "UNSUPPORTED_MEDIA_TYPE" {
			t.Errorf("Content-Type %q: want 415, got %d %s", ct, res.Status, res.Body)
		}
	}
	if n := app.db.Client.Carrier.Query().CountX(allowCtx()); n != 0 {
		t.Fatalf("a refused content type wrote %d carriers", n)
	}
	for _, ct := range []string{"application/json; charset=UTF-8", "application/graphql-response+json"} {
		if res := app.exchange(t, http.MethodPost, "/query", `{"query":"{ __typename }"}`, "Content-Type", ct); res.Status != http.StatusOK {
			t.Errorf("Content-Type %q: %d %s", ct, res.Status, res.Body)
		}
	}
	for _, method := range []string{http.MethodPut, http.MethodDelete, http.MethodPatch, http.MethodHead} {
		res := app.exchange(t, method, "/query", "")
		if res.Status != http.StatusMethodNotAllowed || res.Header.Get("Allow") != "GET, POST, OPTIONS" {
			t.Errorf("%s: want 405 with Allow, got %d %v", method, res.Status, res.Header)
		}
	}
	if res := app.exchange(t, http.MethodOptions, "/query", ""); res.Status != http.StatusNoContent || res.Header.Get("Allow") != "GET, POST, OPTIONS" {
		t.Errorf("OPTIONS: %d %v", res.Status, res.Header)
	}
}

// numbered repeats "name: field" n times, numbering {i} in name.
func numbered(n int, format string) string {
	var b strings.Builder
	for i := range n {
		fmt.Fprintf(&b, format+" ", i)
	}
	return b.String()
}

// TestAbuseLimits sends each attack and checks it is refused before it costs anything.
func TestAbuseLimits(t *testing.T) {
	app := newTestApp(t, dialect.SQLite)
	fragmentBomb := func(levels int) string {
		q := "query { ...F0 }\n"
		for i := range levels {
			q += fmt.Sprintf("fragment F%d on Query { ...F%d ...F%d }\n", i, i+1, i+1)
		}
		return q + fmt.Sprintf("fragment F%d on Query { __typename }\n", levels)
	}
	ofTypes := func(n int) string {
		return `{ __type(name: "Carrier") { ` + strings.Repeat("ofType { ", n) + "name" + strings.Repeat(" }", n) + " } }"
	}
	for _, tc := range []struct {
		name, query, code, message string
	}{
		{"aliases at the limit", "{ " + numbered(30, "a%d: __typename") + "}", "", ""},
		{"aliases", "{ " + numbered(31, "a%d: __typename") + "}", fault.CodeAliasLimit, "31 aliases"},
		{"aliases through fragments", "query { ...A ...A2 }\nfragment A on Query { " + numbered(10, "a%d: __typename") +
			"}\nfragment A2 on Query { me { ...B ...C } }\nfragment B on Me { " + numbered(11, "b%d: role") +
			"}\nfragment C on Me { ...B }", fault.CodeAliasLimit, "32 aliases"},
		{"repeated field", "{ " + strings.Repeat("__typename ", 9000) + "}", fault.CodeFieldRepeatLimit, `"__typename" is asked for 9000 times`},
		{"repeated alias through fragments", "query { ...R ...R ...R }\nfragment R on Query { " + strings.Repeat("x: __typename ", 7) + "}", fault.CodeFieldRepeatLimit, `"x" is asked for 21 times`},
		{"fragment bomb", fragmentBomb(40), fault.CodeFieldRepeatLimit, "more than a trillion"},
		{"directives", `{ __typename ` + strings.Repeat("@include(if: true) ", 6) + "}", fault.CodeDirectiveLimit, "6 directives"},
		{"unknown directives", `{ __typename ` + numbered(500, "@d%d") + "}", fault.CodeDirectiveLimit, "500 directives"},
		{"tokens", "{ " + numbered(5001, "a%d: __typename") + "}", "GRAPHQL_PARSE_FAILED", "exceeded token limit of 10000"},
		{"fragment cycle", "query { ...A }\nfragment A on Query { ...B }\nfragment B on Query { ...A }", "GRAPHQL_VALIDATION_FAILED", "Cannot spread fragment"},
		{"introspection depth", ofTypes(30), fault.CodeIntrospectionDepth, "32 levels"},
		{"introspection through fragments", `{ __schema { types { ...T } } } fragment T on __Type { ofType { ...U } } fragment U on __Type { ` +
			strings.Repeat("ofType { ", 18) + "name" + strings.Repeat(" }", 18) + " }", fault.CodeIntrospectionDepth, "22 levels"},
		{"standard introspection", introspection.Query, "", ""},
		{"introspection within the limit", ofTypes(17), "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := app.do(t, tc.query, nil, "Accept", mediaGraphQLResponse)
			if tc.code == "" {
				if res.Status != http.StatusOK || len(res.Errors) > 0 {
					t.Fatalf("want success, got %d %.500s", res.Status, res.Raw)
				}
				return
			}
			if res.Status != http.StatusBadRequest || res.Code() != tc.code || !strings.Contains(res.Errors[0].Message, tc.message) ||
				len(res.Data) > 0 {
				t.Fatalf("want 400 %s saying %q, got %d %.500s", tc.code, tc.message, res.Status, res.Raw)
			}
		})
	}
}

// TestErrorListBounded: a document with a thousand mistakes gets
// GRAPHQL_MAX_ERRORS errors back, the last counting the rest.
func TestErrorListBounded(t *testing.T) {
	app := newTestApp(t, dialect.SQLite)
	res := app.do(t, "{ "+numbered(1000, "f%d")+"}", nil)
	if len(res.Errors) != 100 {
		t.Fatalf("want 100 errors, got %d", len(res.Errors))
	}
	last := res.Errors[99]
	if last.Extensions["code"] != "TOO_MANY_ERRORS" || last.Message != "901 more errors not shown" {
		t.Fatalf("last error %+v", last)
	}
	if res.Code() != "GRAPHQL_VALIDATION_FAILED" {
		t.Fatalf("first error %+v", res.Errors[0])
	}
}

// TestProductionErrors: in production no error suggests schema names or
// carries a stack; in development the suggestions help.
func TestProductionErrors(t *testing.T) {
	mistakes := []string{
		`{ carrier { id } }`,
		`{ carriers(frist: 1) { totalCount } }`,
		`{ carriers(orderBy: [{field: NAM}]) { totalCount } }`,
		`{ carriers(where: {nameContain: "x"}) { totalCount } }`,
		`{ carriers { totalCount { x } } }`,
	}
	dev := newTestApp(t, dialect.SQLite)
	for _, q := range mistakes {
		if res := dev.do(t, q, nil); !strings.Contains(res.Raw, "Did you mean") && !strings.Contains(q, "totalCount {") {
			t.Errorf("development: %s: no suggestionText in %s", q, res.Raw)
		}
	}
	prod := newLimitsApp(t, map[string]string{"APP_ENV": "production", "JWT_SECRET": productionSecret})
	for _, q := range mistakes {
		res := prod.do(t, q, nil)
		if len(res.Errors) == 0 || strings.Contains(res.Raw, "Did you mean") {
			t.Errorf("production: %s: %s", q, res.Raw)
		}
	}

	// A resolver that panics with a stack in its message.
	h := newGraphQLServer(prod.db.Client, prod.db.Events, prod.cfg, nil)
	h.AroundFields(func(ctx context.Context, next graphql.Resolver) (any, error) {
		panic("boom\ngoroutine 7 [running]:\ncarrierdesk/graph.(*queryResolver).Carriers(...)\n\t/work/graph/schema.resolvers.go:42 +0x1d")
	})
	panicking := &testApp{db: prod.db, cfg: prod.cfg, token: prod.token, srv: httptest.NewServer(h)}
	defer panicking.srv.Close()
	res := panicking.do(t, `{ carriers { totalCount } }`, nil)
	if res.Code() != "INTERNAL" || res.Errors[0].Message != "internal error" {
		t.Fatalf("a panic: %s", res.Raw)
	}
	for _, leak := range []string{"goroutine", ".go:", "boom", "resolvers"} {
		if strings.Contains(res.Raw, leak) {
			t.Fatalf("a panic leaked %q: %s", leak, res.Raw)
		}
	}
}

// TestRateLimitBehindTrustedProxy: after a deploy, a thousand clients
// reconnect through one load balancer. With the balancer in TRUSTED_PROXIES
// each is counted as itself (X-Forwarded-For), so none is refused, while one
// client that keeps going still meets its own limit; without it, or from a
// peer that is not trusted, the header is ignored and the balancer's one
// bucket refuses nearly all of them.
func TestRateLimitBehindTrustedProxy(t *testing.T) {
	const clients = 1000
	// Addresses from the documentation ranges: only ever written in a header.
	client := func(i int) string { return fmt.Sprintf("198.51.%d.%d", 100+i/250, 1+i%250) }
	reconnect := func(t *testing.T, app *testApp, forwardedFor func(i int) string) (limited int) {
		var mu sync.Mutex
		var wg sync.WaitGroup
		next := make(chan int)
		for range 16 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range next {
					req, _ := http.NewRequest(http.MethodPost, app.srv.URL+"/query", strings.NewReader(`{"query":"{ carriers { totalCount } }"}`))
					req.Header.Set("Content-Type", "application/json")
					req.Header.Set("X-Forwarded-For", forwardedFor(i))
					res, err := http.DefaultClient.Do(req)
					if err != nil {
						t.Error(err)
						continue
					}
					io.Copy(io.Discard, res.Body)
					res.Body.Close()
					switch res.StatusCode {
					case http.StatusTooManyRequests:
						mu.Lock()
						limited++
						mu.Unlock()
					case http.StatusUnauthorized: // counted, then refused for want of a token
					default:
						t.Errorf("client %d: HTTP %d", i, res.StatusCode)
					}
				}
			}()
		}
		for i := range clients {
			next <- i
		}
		close(next)
		wg.Wait()
		return limited
	}
	limits := map[string]string{"RATE_LIMIT": "1", "RATE_LIMIT_BURST": "5"}
	with := func(extra ...string) map[string]string {
		env := maps.Clone(limits)
		for i := 0; i < len(extra); i += 2 {
			env[extra[i]] = extra[i+1]
		}
		return env
	}

	t.Run("trusted balancer", func(t *testing.T) {
		app := newLimitsApp(t, with("TRUSTED_PROXIES", "127.0.0.1, ::1"))
		// A client may have put its own claims on the left: the balancer's entry counts.
		if n := reconnect(t, app, func(i int) string { return "10.9.9.9, " + client(i) }); n != 0 {
			t.Errorf("%d of %d reconnecting clients were refused", n, clients)
		}
		if n := reconnect(t, app, func(int) string { return "192.0.2.7" }); n < clients-10 {
			t.Errorf("one client behind the balancer was refused %d times in %d requests; want its own limit to hold", n, clients)
		}
	})
	for name, env := range map[string]map[string]string{
		"no trusted proxies": with(),
		"untrusted peer":     with("TRUSTED_PROXIES", "10.0.0.0/8"),
	} {
		t.Run(name, func(t *testing.T) {
			app := newLimitsApp(t, env)
			if n := reconnect(t, app, client); n < clients-10 {
				t.Errorf("%d of %d were refused; want the header ignored and one bucket for the peer", n, clients)
			}
		})
	}
}

func TestTrustedProxiesConfiguration(t *testing.T) {
	for _, bad := range []string{"10.0.0.0/33", "proxy.internal", "10.0.0.1/8/2"} {
		if _, err := LoadConfig(func(k string) string { return map[string]string{"TRUSTED_PROXIES": bad}[k] }); err == nil || !strings.Contains(err.Error(), "TRUSTED_PROXIES") {
			t.Errorf("TRUSTED_PROXIES=%q: %v; want a configuration error naming it", bad, err)
		}
	}
}

// TestRateLimitHeaders: every response of the GraphQL endpoint says where the
// caller's bucket stands (RateLimit-Limit, -Remaining, -Reset), a 429 as
// well as a 200, for a token's subject and for an address without one.
func TestRateLimitHeaders(t *testing.T) {
	app := newTestApp(t, dialect.SQLite).withConfig(t, func(c *Config) {
		c.Limits.RatePerSecond = 0.01 // one request back every 100 s: nothing refills during the test
		c.Limits.RateBurst = 3
	})
	headers := func(res httpResult) string {
		return res.Header.Get("RateLimit-Limit") + "/" + res.Header.Get("RateLimit-Remaining") + "/" + res.Header.Get("RateLimit-Reset")
	}
	for i, want := range []string{"3/2/100", "3/1/200", "3/0/300"} {
		res := app.exchange(t, http.MethodPost, "/query", `{"query": "{ __typename }"}`)
		if res.Status != http.StatusOK || headers(res) != want {
			t.Fatalf("request %d: %d with RateLimit %s; want 200 with %s", i+1, res.Status, headers(res), want)
		}
	}
	res := app.exchange(t, http.MethodPost, "/query", `{"query": "{ __typename }"}`)
	if res.Status != http.StatusTooManyRequests || headers(res) != "3/0/300" || res.Header.Get("Retry-After") == "" {
		t.Fatalf("over the limit: %d with RateLimit %s, Retry-After %q", res.Status, headers(res), res.Header.Get("Retry-After"))
	}
	// Without a token the address has a bucket of its own.
	anonymous := app.as("")
	res = anonymous.exchange(t, http.MethodPost, "/query", `{"query": "{ __typename }"}`)
	if got := headers(res); got != "3/2/100" {
		t.Fatalf("anonymous request: RateLimit %s; want 3/2/100 (%d %s)", got, res.Status, res.Body)
	}
}
