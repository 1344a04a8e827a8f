package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"entgo.io/ent/dialect"
)

// httpResult is an answer of the GraphQL endpoint as a client sees it.
type httpResult struct {
	Status int
	Header http.Header
	Body   string
	JSON   map[string]any // the body decoded, when it is JSON
}

// code is the extensions.code of the first error, or "".
func (r httpResult) code() string {
	errs, _ := r.JSON["errors"].([]any)
	if len(errs) == 0 {
		return ""
	}
	ext, _ := errs[0].(map[string]any)["extensions"].(map[string]any)
	c, _ := ext["code"].(string)
	return c
}

// data is the response's data, as compact JSON.
func (r httpResult) data() string {
	b, _ := json.Marshal(r.JSON["data"])
	return string(b)
}

// message is the message of the first error, or "".
func (r httpResult) message() string {
	errs, _ := r.JSON["errors"].([]any)
	if len(errs) == 0 {
		return ""
	}
	m, _ := errs[0].(map[string]any)["message"].(string)
	return m
}

// send makes a request of the app's GraphQL endpoint with its token; headers
// are name, value pairs, and a Content-Type of "" sends none.
func (a *testApp) exchange(t testing.TB, method, target, body string, headers ...string) httpResult {
	t.Helper()
	var rd io.Reader
	if body != "" {
		rd = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, a.srv.URL+target, rd)
	if err != nil {
		t.Fatal(err)
	}
	if method == http.MethodPost {
		req.Header.Set("Content-Type", "application/json")
	}
	if a.token != "" {
		req.Header.Set("Authorization", "Bearer "+a.token)
	}
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
			continue
		}
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, target, err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	out := httpResult{Status: res.StatusCode, Header: res.Header, Body: string(raw)}
	_ = json.Unmarshal(raw, &out.JSON)
	return out
}

// post sends a GraphQL request body with the Accept header accept ("" for none).
func (a *testApp) postAccepting(t testing.TB, body, accept string) httpResult {
	t.Helper()
	return a.exchange(t, http.MethodPost, "/query", body, "Accept", accept)
}

func queryURL(params map[string]string) string {
	q := url.Values{}
	for k, v := range params {
		q.Set(k, v)
	}
	return "/query?" + q.Encode()
}

// TestAcceptNegotiation: the response's media type follows the Accept header's
// qualities; no header or a wildcard is application/json; nothing acceptable is 406.
func TestAcceptNegotiation(t *testing.T) {
	app := newTestApp(t, dialect.SQLite)
	body := `{"query":"{ __typename }"}`
	for _, tc := range []struct{ accept, want string }{
		{"", mediaJSON},
		{"*/*", mediaJSON},
		{"application/*", mediaJSON},
		{"application/json", mediaJSON},
		{"application/graphql-response+json", mediaGraphQLResponse},
		{"application/graphql-response+json, application/json;q=0.9", mediaGraphQLResponse},
		{"application/json;q=0.5, application/graphql-response+json", mediaGraphQLResponse},
		{"application/graphql-response+json;q=0.2, application/json", mediaJSON},
		{"text/html, application/xhtml+xml, */*;q=0.8", mediaJSON},
		{"application/json, application/graphql-response+json", mediaJSON},
		{"text/html", ""},
		{"application/json;q=0", ""},
		{"application/graphql-response+json;q=0, application/xml", ""},
	} {
		t.Run(tc.accept, func(t *testing.T) {
			res := app.postAccepting(t, body, tc.accept)
			if tc.want == "" {
				if res.Status != http.StatusNotAcceptable || res.code() != "NOT_ACCEPTABLE" {
					t.Fatalf("want 406 NOT_ACCEPTABLE, got %d %s", res.Status, res.Body)
				}
				return
			}
			if res.Status != http.StatusOK || res.Header.Get("Content-Type") != tc.want || res.data() != `{"__typename":"Query"}` {
				t.Fatalf("want 200 in %s, got %d %s %s", tc.want, res.Status, res.Header.Get("Content-Type"), res.Body)
			}
		})
	}
}

// TestRequestErrorStatus: a request that fails before execution (parse,
// validation, variables) is 400 without data in application/graphql-response+json,
// and 200 without data in application/json; a field error during execution is
// 200 with data in both.
func TestRequestErrorStatus(t *testing.T) {
	app := newTestApp(t, dialect.SQLite)
	for _, tc := range []struct {
		name, body, code string
		executed         bool
	}{
		{"parse", `{"query":"{"}`, "GRAPHQL_PARSE_FAILED", false},
		{"validation", `{"query":"{ noSuchField }"}`, "GRAPHQL_VALIDATION_FAILED", false},
		{"variables", `{"query":"query($id: ID!) { node(id: $id) { id } }","variables":{"id":null}}`, "BAD_USER_INPUT", false},
		{"unknown operation", `{"query":"query A { __typename }","operationName":"B"}`, "GRAPHQL_VALIDATION_FAILED", false},
		{"empty query", `{"query":""}`, "GRAPHQL_VALIDATION_FAILED", false},
		{"field error", `{"query":"{ node(id: \"car_00000000000000000000000000\") { id } }"}`, "NOT_FOUND", true},
	} {
		for _, accept := range []string{mediaGraphQLResponse, mediaJSON} {
			t.Run(tc.name+" "+accept, func(t *testing.T) {
				res := app.postAccepting(t, tc.body, accept)
				want := http.StatusOK
				if accept == mediaGraphQLResponse && !tc.executed {
					want = http.StatusBadRequest
				}
				_, hasData := res.JSON["data"]
				if res.Status != want || res.Header.Get("Content-Type") != accept || hasData != tc.executed || res.code() != tc.code {
					t.Fatalf("want %d %s, data %v, code %s; got %d %s %s", want, accept, tc.executed, tc.code,
						res.Status, res.Header.Get("Content-Type"), res.Body)
				}
			})
		}
	}
}

// TestMalformedRequests: what is not a GraphQL-over-HTTP request is a 400
// that says what is wrong, and never echoes the body back.
func TestMalformedRequests(t *testing.T) {
	app := newTestApp(t, dialect.SQLite)
	for _, tc := range []struct{ name, body, want string }{
		{"no body", "", "the request body is empty"},
		{"not JSON", `{"query": "{ __typename }`, "not valid JSON"},
		{"batch", `[{"query":"{ __typename }"},{"query":"{ __typename }"}]`, "batched operations are not supported"},
		{"batch after whitespace", "\n  [{\"query\":\"{ __typename }\"}]", "batched operations are not supported"},
		{"no query", `{"notquery":"{ __typename }"}`, "query is required"},
		{"null query", `{"query":null}`, "query is required"},
		{"query not a string", `{"query":{"obj":"ect"}}`, "query must be a string"},
		{"operationName not a string", `{"query":"{ __typename }","operationName":0}`, "operationName must be a string"},
		{"variables not an object", `{"query":"{ __typename }","variables":"{}"}`, "variables must be a JSON object"},
		{"extensions not an object", `{"query":"{ __typename }","extensions":["array"]}`, "extensions must be a JSON object"},
		{"not an object", `"{ __typename }"`, "must be a JSON object"},
		{"two values", `{"query":"{ __typename }"} {"query":"{ __typename }"}`, "more than one JSON value"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			res := app.postAccepting(t, tc.body, mediaGraphQLResponse)
			if res.Status != http.StatusBadRequest || res.code() != "BAD_REQUEST" || !strings.Contains(res.message(), tc.want) {
				t.Fatalf("want 400 BAD_REQUEST saying %q, got %d %s", tc.want, res.Status, res.Body)
			}
			if _, ok := res.JSON["data"]; ok {
				t.Fatalf("a request error has data: %s", res.Body)
			}
			if strings.Contains(tc.body, "__typename") && strings.Contains(res.Body, "__typename") {
				t.Fatalf("the answer echoes the body: %s", res.Body)
			}
		})
	}
	t.Run("persisted query hash without query", func(t *testing.T) {
		// Automatic persisted queries send a hash alone: not a missing query.
		res := app.postAccepting(t, `{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"`+strings.Repeat("ab", 32)+`"}}}`, mediaJSON)
		if res.Status != http.StatusOK || res.code() != "PERSISTED_QUERY_NOT_FOUND" {
			t.Fatalf("want PERSISTED_QUERY_NOT_FOUND, got %d %s", res.Status, res.Body)
		}
	})
}

// TestGETQueries: GET carries queries in its query string; a mutation over
// GET is 405 with Allow: POST, and writes nothing.
func TestGETQueries(t *testing.T) {
	app := newTestApp(t, dialect.SQLite)
	res := app.exchange(t, http.MethodGet, queryURL(map[string]string{
		"query":         "query Named($n: String!) { __type(name: $n) { name } }",
		"operationName": "Named",
		"variables":     `{"n":"Carrier"}`,
	}), "", "Accept", mediaGraphQLResponse)
	if res.Status != http.StatusOK || res.data() != `{"__type":{"name":"Carrier"}}` || res.Header.Get("Content-Type") != mediaGraphQLResponse {
		t.Fatalf("GET query: %d %s %s", res.Status, res.Header.Get("Content-Type"), res.Body)
	}
	mutation := `mutation { createCarrier(input: {name: "Over GET", ocn: "9G01", ccna: "GGG"}) { id } }`
	for _, accept := range []string{mediaGraphQLResponse, mediaJSON, ""} {
		res := app.exchange(t, http.MethodGet, queryURL(map[string]string{"query": mutation}), "", "Accept", accept)
		if res.Status != http.StatusMethodNotAllowed || res.Header.Get("Allow") != "POST" || res.code() != "METHOD_NOT_ALLOWED" {
			t.Fatalf("GET mutation (Accept %q): want 405 with Allow: POST, got %d %q %s", accept, res.Status, res.Header.Get("Allow"), res.Body)
		}
	}
	if n := app.db.Client.Carrier.Query().CountX(allowCtx()); n != 0 {
		t.Fatalf("a mutation over GET wrote %d carriers", n)
	}
	for name, params := range map[string]map[string]string{
		"no query":       {"operationName": "X"},
		"bad variables":  {"query": "{ __typename }", "variables": "[1]"},
		"bad extensions": {"query": "{ __typename }", "extensions": "nope"},
	} {
		if res := app.exchange(t, http.MethodGet, queryURL(params), ""); res.Status != http.StatusBadRequest || res.code() != "BAD_REQUEST" {
			t.Errorf("GET %s: want 400, got %d %s", name, res.Status, res.Body)
		}
	}
	res = app.postAccepting(t, `{"query":"subscription { escalationEvents { cursor } }"}`, mediaGraphQLResponse)
	if res.Status != http.StatusBadRequest || !strings.Contains(res.message(), "needs a stream") {
		t.Fatalf("a subscription without a stream: got %d %s", res.Status, res.Body)
	}
}

// TestGraphQLOverHTTPAudit runs the public graphql-http audit suite (the
// npm package graphql-http, the GraphQL over HTTP working group's) against
// the server: every MUST and every SHOULD must pass; MAYs are reported.
func TestGraphQLOverHTTPAudit(t *testing.T) {
	node, nodeErr := exec.LookPath("node")
	npm, npmErr := exec.LookPath("npm")
	if nodeErr != nil || npmErr != nil {
		banner := strings.Repeat("!", 78)
		fmt.Fprintf(os.Stderr, "%s\n!!! node or npm is not installed: the graphql-http audit is SKIPPED.\n%s\n", banner, banner)
		t.Skip("node or npm is not installed; the GraphQL over HTTP audit did not run")
	}
	dir := filepath.Join("testdata", "graphql-http")
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	if _, err := os.Stat(filepath.Join(dir, "node_modules", "graphql-http", "package.json")); err != nil {
		install := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund", "--loglevel=error")
		install.Dir = dir
		if out, err := install.CombinedOutput(); err != nil {
			t.Fatalf("npm ci in %s: %v\n%s", dir, err, out)
		}
	}
	app := newTestApp(t, dialect.SQLite)
	audit := exec.CommandContext(ctx, node, "audit.js")
	audit.Dir = dir
	audit.Env = append(os.Environ(), "AUDIT_URL="+app.srv.URL+"/query", "AUDIT_TOKEN="+app.token)
	var stderr bytes.Buffer
	audit.Stderr = &stderr
	out, err := audit.Output()
	if err != nil {
		t.Fatalf("the audit did not run: %v\n%s", err, stderr.String())
	}
	counts := map[string]map[string]int{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var r struct{ ID, Name, Status, Reason string }
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("audit output %q: %v", sc.Text(), err)
		}
		level, _, _ := strings.Cut(r.Name, " ")
		if counts[level] == nil {
			counts[level] = map[string]int{}
		}
		counts[level][r.Status]++
		switch {
		case r.Status == "ok":
		case level == "MUST" || level == "SHOULD":
			t.Errorf("%s %s: %s", r.ID, r.Name, r.Reason)
		default:
			t.Logf("not done (%s): %s %s: %s", level, r.ID, r.Name, r.Reason)
		}
	}
	for _, level := range []string{"MUST", "SHOULD", "MAY"} {
		c := counts[level]
		total := 0
		for _, n := range c {
			total += n
		}
		t.Logf("graphql-http audit: %s %d/%d passed", level, c["ok"], total)
	}
	if len(counts["MUST"]) == 0 {
		t.Fatalf("the audit reported no MUST results:\n%s\n%s", out, stderr.String())
	}
}
