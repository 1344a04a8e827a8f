package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"carrierdesk/ent/privacy"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/auth"

	"entgo.io/ent/dialect"
)

// The test suite runs every API test twice: on the embedded SQLite default and
// on a real PostgreSQL server. CARRIERDESK_TEST_POSTGRES=require makes an
// unreachable PostgreSQL a failure (CI); otherwise the PostgreSQL half is
// skipped, loudly.
var (
	pgURL      = or(os.Getenv("TEST_DATABASE_URL"), "postgres://postgres@127.0.0.1:5432/test?sslmode=disable")
	pgRequired = os.Getenv("CARRIERDESK_TEST_POSTGRES") == "require"
	pgReason   string // why PostgreSQL is unavailable, if it is
)

func TestMain(m *testing.M) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	db, err := sql.Open("postgres", pgURL)
	if err == nil {
		err = db.PingContext(ctx)
		db.Close()
	}
	cancel()
	if err != nil {
		pgReason = err.Error()
		banner := strings.Repeat("!", 78)
		fmt.Fprintf(os.Stderr, "%s\n!!! PostgreSQL is not reachable at %s\n!!! (%v)\n", banner, redact(pgURL), err)
		if pgRequired {
			fmt.Fprintf(os.Stderr, "!!! CARRIERDESK_TEST_POSTGRES=require: the PostgreSQL tests will FAIL.\n%s\n", banner)
		} else {
			fmt.Fprintf(os.Stderr, "!!! The PostgreSQL half of the suite is SKIPPED; only SQLite runs.\n%s\n", banner)
		}
	}
	os.Exit(m.Run())
}

func redact(u string) string {
	p, err := url.Parse(u)
	if err != nil {
		return "(unparsable URL)"
	}
	return p.Redacted()
}

// backends runs fn once per database, each as its own subtest with its own database.
func backends(t *testing.T, fn func(t *testing.T, app *testApp)) {
	t.Helper()
	for _, name := range []string{dialect.SQLite, dialect.Postgres} {
		t.Run(name, func(t *testing.T) {
			fn(t, newTestApp(t, name))
		})
	}
}

// testApp is a server on its own fresh database, driven over real HTTP.
type testApp struct {
	db         *Database
	cfg        Config
	token      string // the default bearer token: an admin's
	srv        *httptest.Server
	authn      *Authenticator
	statements atomic.Int64 // SQL statements run since the last reset
}

// countStatements zeroes the statement counter and forgets the viewers the
// server keeps, so that what is counted next includes loading the viewer, as
// on a token's first request, whatever requests came before.
func (app *testApp) countStatements() {
	if app.authn != nil {
		app.authn.Viewers.Clear()
	}
	app.statements.Store(0)
}

func newTestApp(t *testing.T, dia string) *testApp {
	t.Helper()
	return newConfiguredTestApp(t, dia, nil)
}

// newConfiguredTestApp is newTestApp with configure changing the
// configuration once the database is chosen.
func newConfiguredTestApp(t *testing.T, dia string, configure func(*Config)) *testApp {
	t.Helper()
	cfg, err := LoadConfig(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.SeedOnEmpty = false
	switch dia {
	case dialect.SQLite:
		cfg.SQLitePath = filepath.Join(t.TempDir(), "test.db")
	case dialect.Postgres:
		cfg.DatabaseURL = pgSchema(t)
		cfg.MaxOpenConns = 4
	}
	if configure != nil {
		configure(&cfg)
	}
	app := &testApp{}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	app.db, err = openDatabase(ctx, cfg, func(d dialect.Driver) dialect.Driver {
		return dialect.DebugWithContext(d, func(context.Context, ...any) { app.statements.Add(1) })
	})
	if err != nil {
		t.Fatalf("opening %s: %v", dia, err)
	}
	verifier, err := auth.NewVerifier(ctx, cfg.Auth)
	if err != nil {
		t.Fatal(err)
	}
	app.cfg = cfg
	app.authn = NewAuthenticator(verifier, app.db.Client, cfg.ViewerTTL)
	app.srv = httptest.NewServer(NewHandler(app.db, cfg, app.authn))
	t.Cleanup(func() {
		app.srv.Close()
		app.db.Close()
	})
	admin := app.db.Client.Rep.Create().
		SetName("Test Admin").
		SetEmail("test-admin@carrierdesk.example").
		SetRole(enum.RoleAdmin).
		SetRegion(enum.RegionWest).
		SaveX(privacy.DecisionContext(ctx, privacy.Allow))
	app.token = app.sign(t, auth.Claims{Subject: admin.ID, Role: string(enum.RoleAdmin)})
	return app
}

// sign makes a token for claims with the test server's development secret.
func (a *testApp) sign(t testing.TB, c auth.Claims) string {
	t.Helper()
	tok, err := auth.Sign(a.cfg.Auth.Secret, c, time.Hour, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// as returns a copy of the app whose requests carry token.
func (a *testApp) as(token string) *testApp {
	return &testApp{db: a.db, cfg: a.cfg, token: token, srv: a.srv, authn: a.authn}
}

// pgSchema makes a schema of its own for the test and returns a URL that uses it.
func pgSchema(t *testing.T) string {
	t.Helper()
	if pgReason != "" {
		if pgRequired {
			t.Fatalf("PostgreSQL required but not reachable: %s", pgReason)
		}
		t.Skipf("PostgreSQL not reachable (%s): skipped", pgReason)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "t_" + hex.EncodeToString(b)
	admin, err := sql.Open("postgres", pgURL)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatalf("creating schema: %v", err)
	}
	t.Cleanup(func() {
		admin, err := sql.Open("postgres", pgURL)
		if err != nil {
			return
		}
		defer admin.Close()
		_, _ = admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
	})
	u, err := url.Parse(pgURL)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// gqlError is one error as a client sees it.
type gqlError struct {
	Message    string         `json:"message"`
	Path       []any          `json:"path"`
	Extensions map[string]any `json:"extensions"`
}

// gqlResponse is a GraphQL response as a client sees it.
type gqlResponse struct {
	Status     int
	Data       json.RawMessage `json:"data"`
	Errors     []gqlError      `json:"errors"`
	Extensions map[string]any  `json:"extensions"`
	Raw        string          `json:"-"`
	Header     http.Header     `json:"-"`
}

// Code is the extensions.code of the first error, or "".
func (r gqlResponse) Code() string {
	if len(r.Errors) == 0 {
		return ""
	}
	c, _ := r.Errors[0].Extensions["code"].(string)
	return c
}

// Field is the extensions.field of the first error, or "".
func (r gqlResponse) Field() string {
	if len(r.Errors) == 0 {
		return ""
	}
	f, _ := r.Errors[0].Extensions["field"].(string)
	return f
}

// do posts a GraphQL operation and decodes the response.
func (a *testApp) do(t testing.TB, query string, vars map[string]any, headers ...string) gqlResponse {
	t.Helper()
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, _ := http.NewRequest(http.MethodPost, a.srv.URL+"/query", bytes.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("POST /query: %v", err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := gqlResponse{Status: res.StatusCode, Raw: string(raw), Header: res.Header}
	if err := json.Unmarshal(raw, &out); err != nil {
		t.Fatalf("decoding response %q: %v", raw, err)
	}
	out.Status = res.StatusCode
	return out
}

// ok posts an operation that must succeed and decodes its data into dst.
func (a *testApp) ok(t testing.TB, query string, vars map[string]any, dst any) {
	t.Helper()
	res := a.do(t, query, vars)
	if len(res.Errors) > 0 || res.Status != http.StatusOK {
		t.Fatalf("unexpected errors (HTTP %d): %s", res.Status, res.Raw)
	}
	if dst != nil {
		if err := json.Unmarshal(res.Data, dst); err != nil {
			t.Fatalf("decoding data %s: %v", res.Data, err)
		}
	}
}

// fails posts an operation that must fail with code, naming field when field is not "".
func (a *testApp) fails(t testing.TB, query string, vars map[string]any, code, field string) gqlResponse {
	t.Helper()
	res := a.do(t, query, vars)
	if res.Code() != code || (field != "" && res.Field() != field) {
		t.Fatalf("want error %s on field %q, got %s", code, field, res.Raw)
	}
	if string(res.Data) != "null" && len(res.Data) > 0 && !strings.Contains(string(res.Data), "null") {
		t.Fatalf("failed mutation returned data: %s", res.Data)
	}
	for _, leak := range []string{"SQL", "sql:", "pq:", "constraint failed", "violates", "ent:", "goroutine", ".go:"} {
		if strings.Contains(res.Raw, leak) {
			t.Fatalf("error leaks internal text %q: %s", leak, res.Raw)
		}
	}
	return res
}

// allowCtx is a context in which the test itself writes fixtures, past the privacy rules.
func allowCtx() context.Context {
	return privacy.DecisionContext(context.Background(), privacy.Allow)
}
