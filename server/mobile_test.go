package main

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"carrierdesk/ent/carrier"
)

// rawClient leaves Accept-Encoding to the test and never decompresses on its own.
var rawClient = &http.Client{Transport: &http.Transport{DisableCompression: true}}

// get sends a GraphQL GET request with params and headers (name, value, ...).
func (a *testApp) get(t testing.TB, params url.Values, headers ...string) (*http.Response, []byte) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, a.srv.URL+"/query?"+params.Encode(), nil)
	req.Header.Set("Authorization", "Bearer "+a.token)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return send(t, req)
}

// post sends a GraphQL POST request with headers (name, value, ...).
func (a *testApp) post(t testing.TB, body map[string]any, headers ...string) (*http.Response, []byte) {
	t.Helper()
	b, _ := json.Marshal(body)
	req, _ := http.NewRequest(http.MethodPost, a.srv.URL+"/query", bytes.NewReader(b))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+a.token)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	return send(t, req)
}

func send(t testing.TB, req *http.Request) (*http.Response, []byte) {
	t.Helper()
	res, err := rawClient.Do(req)
	if err != nil {
		t.Fatalf("%s /query: %v", req.Method, err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatalf("reading the response: %v", err)
	}
	return res, body
}

func decode(t testing.TB, body []byte) gqlResponse {
	t.Helper()
	out := gqlResponse{Raw: string(body)}
	if err := json.Unmarshal(body, &out); err != nil {
		t.Fatalf("decoding %q: %v", body, err)
	}
	return out
}

// persisted is the APQ extension naming query by its hash.
func persisted(query string) string {
	sum := sha256.Sum256([]byte(query))
	b, _ := json.Marshal(map[string]any{"persistedQuery": map[string]any{"version": 1, "sha256Hash": hex.EncodeToString(sum[:])}})
	return string(b)
}

// TestPersistedQueriesOverGET follows a mobile client through the Apollo APQ
// protocol: the hash alone first, the query once when the server does not know
// it, then the hash alone over GET, cacheable by that client only.
func TestPersistedQueriesOverGET(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		carrierID := buildPortfolio(t, app.db.Client, "APQ", 2, 1)
		otherID := buildPortfolio(t, app.db.Client, "APX", 1, 1)
		const query = `query Carrier($id: ID!) { node(id: $id) { ... on Carrier { name accounts { totalCount } } } }`
		ext := persisted(query)
		vars := `{"id":"` + carrierID + `"}`
		params := url.Values{"extensions": {ext}, "variables": {vars}, "operationName": {"Carrier"}}

		res, body := app.get(t, params)
		if got := decode(t, body); res.StatusCode != http.StatusOK || got.Code() != "PERSISTED_QUERY_NOT_FOUND" {
			t.Fatalf("unknown hash: HTTP %d %s; want PERSISTED_QUERY_NOT_FOUND", res.StatusCode, body)
		}

		var extMap map[string]any
		_ = json.Unmarshal([]byte(ext), &extMap)
		res, body = app.post(t, map[string]any{"query": query, "variables": map[string]any{"id": carrierID}, "extensions": extMap})
		if got := decode(t, body); res.StatusCode != http.StatusOK || len(got.Errors) > 0 {
			t.Fatalf("registering: HTTP %d %s", res.StatusCode, body)
		}

		res, body = app.get(t, params)
		got := decode(t, body)
		if res.StatusCode != http.StatusOK || len(got.Errors) > 0 || !strings.Contains(string(got.Data), `"name":"Carrier APQ"`) {
			t.Fatalf("hash only, after registering: HTTP %d %s", res.StatusCode, body)
		}
		if cc := res.Header.Get("Cache-Control"); cc != "private, no-cache" {
			t.Errorf("Cache-Control %q; want private, no-cache", cc)
		}
		vary := strings.Join(res.Header.Values("Vary"), ", ")
		if !strings.Contains(vary, "Authorization") || !strings.Contains(vary, "Accept-Encoding") {
			t.Errorf("Vary %q; want Authorization and Accept-Encoding", vary)
		}
		etag := res.Header.Get("ETag")
		if etag == "" {
			t.Fatal("no ETag on a GET query")
		}

		res, body = app.get(t, params, "If-None-Match", etag)
		if res.StatusCode != http.StatusNotModified || len(body) != 0 {
			t.Errorf("repeat with If-None-Match: HTTP %d, %d bytes; want 304 and none", res.StatusCode, len(body))
		}
		if res.Header.Get("ETag") != etag || res.Header.Get("Cache-Control") != "private, no-cache" {
			t.Errorf("304 without its validators: %v", res.Header)
		}

		// A different answer (another carrier) has another tag: a full response.
		otherVars := url.Values{"extensions": {ext}, "variables": {`{"id":"` + otherID + `"}`}, "operationName": {"Carrier"}}
		res, body = app.get(t, otherVars, "If-None-Match", etag)
		if res.StatusCode != http.StatusOK || !strings.Contains(string(body), `"name":"Carrier APX"`) || res.Header.Get("ETag") == etag {
			t.Errorf("another answer with the first one's tag: HTTP %d, ETag %s, %s", res.StatusCode, res.Header.Get("ETag"), body)
		}

		// A query over 16 KiB runs but is not kept: its hash alone stays unknown.
		huge := `{ accounts(where: {nameContains: "` + strings.Repeat("x", 17<<10) + `"}) { totalCount } }`
		var hugeExt map[string]any
		_ = json.Unmarshal([]byte(persisted(huge)), &hugeExt)
		res, body = app.post(t, map[string]any{"query": huge, "extensions": hugeExt})
		if got := decode(t, body); len(got.Errors) > 0 || !strings.Contains(string(got.Data), `"totalCount":0`) {
			t.Fatalf("registering a huge query: HTTP %d %s", res.StatusCode, body)
		}
		res, body = app.post(t, map[string]any{"extensions": hugeExt})
		if got := decode(t, body); got.Code() != "PERSISTED_QUERY_NOT_FOUND" {
			t.Errorf("a huge query was kept: HTTP %d %s", res.StatusCode, body)
		}

		res, body = app.post(t, map[string]any{"query": `{ me { role } }`, "extensions": map[string]any{
			"persistedQuery": map[string]any{"version": 1, "sha256Hash": strings.Repeat("0", 64)}}})
		if got := decode(t, body); got.Code() != "BAD_USER_INPUT" {
			t.Errorf("a query that does not match its hash: HTTP %d %s", res.StatusCode, body)
		}
	})
}

// TestMutationOverGETRefused keeps GET for reads: a mutation sent over GET
// (a link, a prefetch, a cache) changes nothing.
func TestMutationOverGETRefused(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		before := app.db.Client.Carrier.Query().CountX(allowCtx())
		res, body := app.get(t, url.Values{"query": {`mutation { createCarrier(input: {name: "Via GET", ocn: "9999", ccna: "GET"}) { id } }`}})
		if res.StatusCode == http.StatusOK || strings.Contains(string(body), `"createCarrier"`) {
			t.Errorf("mutation over GET: HTTP %d %s", res.StatusCode, body)
		}
		if n := app.db.Client.Carrier.Query().Where(carrier.Ccna("GET")).CountX(allowCtx()); n != 0 {
			t.Errorf("mutation over GET created %d carriers", n)
		}
		if after := app.db.Client.Carrier.Query().CountX(allowCtx()); after != before {
			t.Errorf("carriers %d before, %d after", before, after)
		}
	})
}

// TestGzipLargeResponses compresses a large response for a client that
// accepts gzip, and leaves small ones, other clients and event streams alone.
func TestGzipLargeResponses(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		buildPortfolio(t, app.db.Client, "GZP", 30, 1)
		const large = `{ accounts(first: 100) { edges { node { id accountNumber ban name market region status mrr } } } }`
		const tiny = `{ me { role } }`

		for _, tc := range []struct {
			name, query, accept string
			gzipped             bool
		}{
			{"large, gzip accepted", large, "gzip", true},
			{"large, gzip among others", large, "br;q=1.0, gzip;q=0.8", true},
			{"large, no Accept-Encoding", large, "", false},
			{"large, gzip refused", large, "gzip;q=0, identity", false},
			{"tiny, gzip accepted", tiny, "gzip", false},
		} {
			t.Run(tc.name, func(t *testing.T) {
				for _, method := range []string{http.MethodPost, http.MethodGet} {
					var res *http.Response
					var body []byte
					if method == http.MethodGet {
						res, body = app.get(t, url.Values{"query": {tc.query}}, "Accept-Encoding", tc.accept)
					} else {
						res, body = app.post(t, map[string]any{"query": tc.query}, "Accept-Encoding", tc.accept)
					}
					if gz := res.Header.Get("Content-Encoding") == "gzip"; gz != tc.gzipped {
						t.Fatalf("%s: Content-Encoding %q; want gzip: %v", method, res.Header.Get("Content-Encoding"), tc.gzipped)
					}
					if tc.gzipped {
						zr, err := gzip.NewReader(bytes.NewReader(body))
						if err != nil {
							t.Fatalf("%s: not gzip: %v", method, err)
						}
						plain, err := io.ReadAll(zr)
						if err != nil {
							t.Fatalf("%s: bad gzip: %v", method, err)
						}
						if len(plain) < 4*len(body) {
							t.Errorf("%s: %d bytes gzipped to %d", method, len(plain), len(body))
						}
						body = plain
					}
					if got := decode(t, body); len(got.Errors) > 0 {
						t.Fatalf("%s: %s", method, got.Raw)
					}
				}
			})
		}

		t.Run("event stream, gzip accepted", func(t *testing.T) {
			res, body := app.post(t, map[string]any{"query": large}, "Accept", "text/event-stream", "Accept-Encoding", "gzip")
			if ct := res.Header.Get("Content-Type"); !strings.HasPrefix(ct, "text/event-stream") {
				t.Fatalf("Content-Type %q: not an event stream", ct)
			}
			if ce := res.Header.Get("Content-Encoding"); ce != "" || !strings.Contains(string(body), `"accountNumber":"GZP-0029"`) {
				t.Errorf("event stream: Content-Encoding %q, body %.200s", ce, body)
			}
		})
	})
}
