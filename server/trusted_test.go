package main

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/fault"

	"entgo.io/ent/dialect"
)

// carriersDocument is the one operation of the test manifests.
const carriersDocument = "query Carriers { carriers { totalCount } }"

// sha256Hex is a document's hash as clients compute it.
func sha256Hex(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

// writeManifest writes a manifest file and returns its path.
func writeManifest(t *testing.T, content string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "manifest.json")
	if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// codegenManifest is a GraphQL Code Generator manifest of docs: hash to text.
func codegenManifest(docs ...string) string {
	m := map[string]string{}
	for _, d := range docs {
		m[sha256Hex(d)] = d
	}
	return string(mustJSON(m))
}

// apolloManifest is an Apollo persisted query manifest of the query docs.
func apolloManifest(docs ...string) string {
	ops := []jsonObject{}
	for i, d := range docs {
		ops = append(ops, jsonObject{"id": sha256Hex(d), "name": "Op" + string(rune('A'+i)), "type": "query", "body": d})
	}
	return string(mustJSON(jsonObject{"format": "apollo-persisted-query-manifest", "version": 1, "operations": ops}))
}

// trusted is a second server on app's database, configured by env as
// LoadConfig reads it, with a manifest file holding manifest.
func (a *testApp) trusted(t *testing.T, manifest string, env map[string]string) *testApp {
	t.Helper()
	path := writeManifest(t, manifest)
	cfg, err := LoadConfig(func(k string) string {
		if k == "TRUSTED_DOCUMENTS" {
			return path
		}
		return env[k]
	})
	if err != nil {
		t.Fatal(err)
	}
	return a.withConfig(t, func(c *Config) { c.Trusted = cfg.Trusted })
}

// trustedRequest is an operation as a client sends it: its text, the APQ
// hash, a documentId, or a mix.
type trustedRequest struct {
	query, hash, documentID string
	vars                    map[string]any
}

// body is the request as a POST body or a WebSocket subscribe payload.
func (r trustedRequest) body() jsonObject {
	b := jsonObject{}
	if r.query != "" {
		b["query"] = r.query
	}
	if r.hash != "" {
		b["extensions"] = jsonObject{"persistedQuery": jsonObject{"version": 1, "sha256Hash": r.hash}}
	}
	if r.documentID != "" {
		b["documentId"] = r.documentID
	}
	if r.vars != nil {
		b["variables"] = r.vars
	}
	return b
}

// trustedResult is what the client got.
type trustedResult struct {
	data   map[string]any
	code   string // extensions.code of the first error
	wsType string // the WebSocket message that answered: next or error
	raw    string
}

func decodeResult(t *testing.T, raw []byte) trustedResult {
	t.Helper()
	var res struct {
		Data   map[string]any `json:"data"`
		Errors []gqlError     `json:"errors"`
	}
	if err := json.Unmarshal(raw, &res); err != nil {
		t.Fatalf("decoding %q: %v", raw, err)
	}
	out := trustedResult{data: res.Data, raw: string(raw)}
	if len(res.Errors) > 0 {
		out.code, _ = res.Errors[0].Extensions["code"].(string)
	}
	return out
}

func (a *testApp) postTrusted(t *testing.T, r trustedRequest) trustedResult {
	t.Helper()
	_, raw := a.post(t, r.body())
	return decodeResult(t, raw)
}

func (a *testApp) getTrusted(t *testing.T, r trustedRequest) trustedResult {
	t.Helper()
	q := url.Values{}
	for k, v := range r.body() {
		if s, ok := v.(string); ok {
			q.Set(k, s)
		} else {
			q.Set(k, string(mustJSON(v)))
		}
	}
	_, raw := a.get(t, q)
	return decodeResult(t, raw)
}

// sseTrusted sends r as a POST that accepts an event stream, and returns its first event.
func (a *testApp) sseTrusted(t *testing.T, r trustedRequest) trustedResult {
	t.Helper()
	res, raw := a.post(t, r.body(), "Accept", "text/event-stream") // a query's stream ends after its result
	for ev := range sseEvents(bytes.NewReader(raw)) {
		if ev.data != "" {
			return decodeResult(t, []byte(ev.data))
		}
	}
	t.Fatalf("the event stream (HTTP %d) ended with no event", res.StatusCode)
	return trustedResult{}
}

// wsTrusted runs r under id on c and returns the message that answered it.
func (c *wsClient) wsTrusted(t *testing.T, id string, r trustedRequest) trustedResult {
	t.Helper()
	c.send(t, wsMessage{ID: id, Type: "subscribe", Payload: mustJSON(r.body())})
	for {
		m := c.next(t)
		if m.ID != id {
			continue // the complete of an earlier operation
		}
		switch m.Type {
		case "next":
			res := decodeResult(t, m.Payload)
			res.wsType = m.Type
			return res
		case "error":
			res := decodeResult(t, mustJSON(jsonObject{"errors": m.Payload}))
			res.wsType = m.Type
			return res
		default:
			t.Fatalf("operation %s: want next or error, got %s %s", id, m.Type, m.Payload)
		}
	}
}

// ranCarriers fails unless res is the carriers document's answer, with count carriers.
func ranCarriers(t *testing.T, how string, res trustedResult, count float64) {
	t.Helper()
	carriers, _ := res.data["carriers"].(map[string]any)
	if res.code != "" || carriers == nil || carriers["totalCount"] != count {
		t.Fatalf("%s: want the manifest's operation to run (%v carriers), got %s", how, count, res.raw)
	}
}

// refused fails unless res is a refusal with PERSISTED_QUERY_NOT_FOUND and no data.
func refused(t *testing.T, how string, res trustedResult) {
	t.Helper()
	if res.code != fault.CodePersistedQueryNotFound || res.data != nil {
		t.Fatalf("%s: want %s and no data, got %s", how, fault.CodePersistedQueryNotFound, res.raw)
	}
}

// TestTrustedDocuments: with a manifest enforced, its operation runs by hash
// (APQ extension or documentId) or by its exact text, over POST, GET and
// WebSocket; anything else, introspection and APQ registration included, is
// PERSISTED_QUERY_NOT_FOUND, except for an exempt role.
func TestTrustedDocuments(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		buildPortfolio(t, app.db.Client, "TRU", 1, 1)
		srv := app.trusted(t, codegenManifest(carriersDocument), map[string]string{"TRUSTED_DOCUMENTS_EXEMPT_ROLES": "ANALYST"})
		// The admin is not exempt: exemption is by configuration alone.
		admin := srv.as(app.token)
		analyst := srv.as(app.signRep(t, "analyst@trusted.example", enum.RoleAnalyst))

		hash := sha256Hex(carriersDocument)
		adHoc := `query AdHoc { carriers { totalCount } }`
		known := []struct {
			name string
			req  trustedRequest
		}{
			{"APQ hash", trustedRequest{hash: hash}},
			{"documentId", trustedRequest{documentID: "sha256:" + hash}},
			{"bare documentId", trustedRequest{documentID: hash}},
			{"exact text", trustedRequest{query: carriersDocument}},
			{"text and hash", trustedRequest{query: carriersDocument, hash: hash}},
		}
		unknown := []struct {
			name string
			req  trustedRequest
		}{
			{"unknown hash", trustedRequest{hash: sha256Hex(adHoc)}},
			{"unknown documentId", trustedRequest{documentID: "sha256:" + sha256Hex(adHoc)}},
			{"ad hoc text", trustedRequest{query: adHoc}},
			{"manifest text respaced", trustedRequest{query: carriersDocument + "\n"}},
			{"ad hoc text under a manifest hash", trustedRequest{query: adHoc, hash: hash}},
			{"introspection", trustedRequest{query: `{ __schema { queryType { name } } }`}},
		}

		t.Run("POST", func(t *testing.T) {
			for _, tc := range known {
				ranCarriers(t, tc.name, admin.postTrusted(t, tc.req), 1)
			}
			for _, tc := range unknown {
				refused(t, tc.name, admin.postTrusted(t, tc.req))
			}
		})
		t.Run("GET", func(t *testing.T) {
			for _, tc := range known {
				ranCarriers(t, tc.name, admin.getTrusted(t, tc.req), 1)
			}
			for _, tc := range unknown {
				refused(t, tc.name, admin.getTrusted(t, tc.req))
			}
		})
		t.Run("event stream", func(t *testing.T) {
			for _, tc := range known {
				ranCarriers(t, tc.name, admin.sseTrusted(t, tc.req), 1)
			}
			for _, tc := range unknown {
				refused(t, tc.name, admin.sseTrusted(t, tc.req))
			}
		})
		t.Run("WebSocket", func(t *testing.T) {
			c := dialSubscriptions(t, admin, admin.token)
			for i, tc := range known {
				ranCarriers(t, tc.name, c.wsTrusted(t, "known-"+string(rune('a'+i)), tc.req), 1)
			}
			for i, tc := range unknown {
				res := c.wsTrusted(t, "unknown-"+string(rune('a'+i)), tc.req)
				refused(t, tc.name, res)
				if res.wsType != "error" {
					t.Fatalf("%s: want an error message, got %s %s", tc.name, res.wsType, res.raw)
				}
			}
			// The connection is still good.
			ranCarriers(t, "after refusals", c.wsTrusted(t, "last", trustedRequest{hash: hash}), 1)
		})
		t.Run("APQ registration does not admit a query", func(t *testing.T) {
			refused(t, "registering", admin.postTrusted(t, trustedRequest{query: adHoc, hash: sha256Hex(adHoc)}))
			refused(t, "its hash afterwards", admin.postTrusted(t, trustedRequest{hash: sha256Hex(adHoc)}))
			// The exempt analyst may register it; that does not open it to others.
			ranCarriers(t, "analyst registering", analyst.postTrusted(t, trustedRequest{query: adHoc, hash: sha256Hex(adHoc)}), 1)
			refused(t, "its hash after the analyst's", admin.postTrusted(t, trustedRequest{hash: sha256Hex(adHoc)}))
		})
		t.Run("exempt role", func(t *testing.T) {
			ranCarriers(t, "POST", analyst.postTrusted(t, trustedRequest{query: adHoc}), 1)
			ranCarriers(t, "GET", analyst.getTrusted(t, trustedRequest{query: adHoc}), 1)
			res := analyst.postTrusted(t, trustedRequest{query: `{ __schema { queryType { name } } }`})
			if schema, _ := res.data["__schema"].(map[string]any); res.code != "" || schema == nil {
				t.Fatalf("introspection by an exempt role: %s", res.raw)
			}
			c := dialSubscriptions(t, analyst, analyst.token)
			ranCarriers(t, "WebSocket", c.wsTrusted(t, "adhoc", trustedRequest{query: adHoc}), 1)
		})
		t.Run("documentId that disagrees with the APQ hash", func(t *testing.T) {
			res := admin.postTrusted(t, trustedRequest{hash: hash, documentID: "sha256:" + sha256Hex(adHoc)})
			if res.code != fault.CodeBadRequest || res.data != nil {
				t.Fatalf("want %s, got %s", fault.CodeBadRequest, res.raw)
			}
		})
	})
}

// TestTrustedDocumentsLogMode: TRUSTED_DOCUMENTS_MODE=log runs what it does
// not know and logs its name and hash, never its variables.
func TestTrustedDocumentsLogMode(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		buildPortfolio(t, app.db.Client, "TRL", 1, 1)
		srv := app.trusted(t, codegenManifest(carriersDocument), map[string]string{"TRUSTED_DOCUMENTS_MODE": "log"})
		logs := captureLogs(t)
		adHoc := `query AdHocByName($name: String) { carriers(where: {nameContains: $name}) { totalCount } }`
		secret := "do-not-log-this-variable"
		ranCarriers(t, "known", srv.postTrusted(t, trustedRequest{hash: sha256Hex(carriersDocument)}), 1)
		ranCarriers(t, "ad hoc POST", srv.postTrusted(t, trustedRequest{query: adHoc, vars: jsonObject{"name": secret}}), 0)
		ranCarriers(t, "ad hoc GET", srv.getTrusted(t, trustedRequest{query: adHoc, vars: jsonObject{"name": "Carrier"}}), 1)
		c := dialSubscriptions(t, srv, srv.token)
		ranCarriers(t, "ad hoc WebSocket", c.wsTrusted(t, "adhoc", trustedRequest{query: adHoc, vars: jsonObject{"name": secret}}), 0)

		line := logs.wait(t, func(l map[string]any) bool {
			return l["msg"] == "operation outside the trusted documents" && l["hash"] == sha256Hex(adHoc)
		})
		if line["operation"] != "AdHocByName" || line["role"] != string(enum.RoleAdmin) {
			t.Fatalf("log line %v: want the operation's name and the viewer's role", line)
		}
		// A hash alone that the manifest lacks is logged too (the APQ cache then answers it).
		res := srv.postTrusted(t, trustedRequest{hash: sha256Hex("query Unseen { carriers { totalCount } }")})
		refused(t, "an unseen hash", res)
		logs.wait(t, func(l map[string]any) bool {
			return l["msg"] == "operation outside the trusted documents" && l["hash"] == sha256Hex("query Unseen { carriers { totalCount } }")
		})
		logs.mu.Lock()
		text := logs.buf.String()
		logs.mu.Unlock()
		if strings.Contains(text, secret) {
			t.Fatalf("a variable reached the log:\n%s", text)
		}
		if strings.Contains(text, sha256Hex(carriersDocument)) {
			t.Fatalf("a manifest operation was logged as unknown:\n%s", text)
		}
	})
}

// TestTrustedDocumentsManifestFormats: both manifest formats load, and a
// server run with either serves its documents by hash and refuses others.
func TestTrustedDocumentsManifestFormats(t *testing.T) {
	other := "query Other { carriers(first: 1) { totalCount } }"
	backends(t, func(t *testing.T, app *testApp) {
		buildPortfolio(t, app.db.Client, "TRF", 1, 1)
		for name, manifest := range map[string]string{
			"GraphQL Code Generator": codegenManifest(carriersDocument, other),
			"Apollo":                 apolloManifest(carriersDocument, other),
			"prefixed hashes":        string(mustJSON(map[string]string{"sha256:" + sha256Hex(carriersDocument): carriersDocument})),
		} {
			t.Run(name, func(t *testing.T) {
				srv := app.trusted(t, manifest, nil)
				ranCarriers(t, "by hash", srv.postTrusted(t, trustedRequest{hash: sha256Hex(carriersDocument)}), 1)
				ranCarriers(t, "by documentId", srv.getTrusted(t, trustedRequest{documentID: "sha256:" + sha256Hex(carriersDocument)}), 1)
				refused(t, "not in it", srv.postTrusted(t, trustedRequest{query: "query Third { carriers { totalCount } }"}))
			})
		}
	})
}

// TestTrustedDocumentsConfig: a manifest that cannot be read, is not JSON,
// or holds a hash that is not its document's, and unknown settings, stop
// the server at start with a message naming the problem.
func TestTrustedDocumentsConfig(t *testing.T) {
	good := writeManifest(t, codegenManifest(carriersDocument))
	for _, tc := range []struct {
		name     string
		manifest string // written to a file, unless env names one
		env      map[string]string
		fails    string
	}{
		{"codegen", codegenManifest(carriersDocument), nil, ""},
		{"apollo, log, exempt", apolloManifest(carriersDocument), map[string]string{"TRUSTED_DOCUMENTS_MODE": "log", "TRUSTED_DOCUMENTS_EXEMPT_ROLES": "ANALYST, ADMIN"}, ""},
		{"enforce", codegenManifest(carriersDocument), map[string]string{"TRUSTED_DOCUMENTS_MODE": "enforce"}, ""},
		{"unreadable", "", map[string]string{"TRUSTED_DOCUMENTS": filepath.Join(t.TempDir(), "missing.json")}, "reading the manifest"},
		{"malformed JSON", `{"abc": "query {`, nil, "not a JSON object"},
		{"a list", `["query { __typename }"]`, nil, "not a JSON object"},
		{"hash of another document", `{"` + sha256Hex("query A { x }") + `": "query B { x }"}`, nil, "is not the SHA-256 of its document"},
		{"sha1 hashes", `{"da39a3ee5e6b4b0d3255bfef95601890afd80709": "query B { x }"}`, nil, "is not the SHA-256 of its document"},
		{"value not text", `{"` + sha256Hex("x") + `": 1}`, nil, "is not a string"},
		{"empty", `{}`, nil, "holds no documents"},
		{"apollo with a wrong id", `{"format":"apollo-persisted-query-manifest","version":1,"operations":[{"id":"` + sha256Hex("other") + `","name":"A","type":"query","body":"query A { x }"}]}`, nil, "is not the SHA-256"},
		{"apollo with an id that is not text", `{"format":"apollo-persisted-query-manifest","version":1,"operations":[{"id":7,"body":"query A { x }"}]}`, nil, "not an apollo-persisted-query-manifest"},
		{"apollo version 2", `{"format":"apollo-persisted-query-manifest","version":2,"operations":[]}`, nil, "only version 1"},
		{"unknown format", `{"format":"relay","version":1}`, nil, "is not \"apollo-persisted-query-manifest\""},
		{"unknown mode", codegenManifest(carriersDocument), map[string]string{"TRUSTED_DOCUMENTS_MODE": "warn"}, "TRUSTED_DOCUMENTS_MODE must be enforce or log"},
		{"unknown role", codegenManifest(carriersDocument), map[string]string{"TRUSTED_DOCUMENTS_EXEMPT_ROLES": "ANALYST,AUDITOR"}, `"AUDITOR" is not an internal role`},
		{"carrier exempt", codegenManifest(carriersDocument), map[string]string{"TRUSTED_DOCUMENTS_EXEMPT_ROLES": "CARRIER"}, `"CARRIER" is not an internal role`},
		{"mode without manifest", "", map[string]string{"TRUSTED_DOCUMENTS_MODE": "log"}, "set TRUSTED_DOCUMENTS too"},
		{"exemption without manifest", "", map[string]string{"TRUSTED_DOCUMENTS_EXEMPT_ROLES": "ADMIN"}, "set TRUSTED_DOCUMENTS too"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			env := map[string]string{}
			for k, v := range tc.env {
				env[k] = v
			}
			if tc.manifest != "" {
				env["TRUSTED_DOCUMENTS"] = writeManifest(t, tc.manifest)
			}
			_, err := LoadConfig(func(k string) string { return env[k] })
			switch {
			case tc.fails == "" && err != nil:
				t.Fatal(err)
			case tc.fails != "" && (err == nil || !strings.Contains(err.Error(), tc.fails)):
				t.Fatalf("want an error saying %q, got %v", tc.fails, err)
			}
		})
	}
	t.Run("startup", func(t *testing.T) {
		// The program stops before it opens anything, with the reason.
		bad := writeManifest(t, `{"`+sha256Hex("query A { x }")+`": "query B { x }"}`)
		prev := environ
		environ = func(k string) string {
			return map[string]string{"TRUSTED_DOCUMENTS": bad, "SQLITE_PATH": filepath.Join(t.TempDir(), "never.db")}[k]
		}
		t.Cleanup(func() { environ = prev })
		err := run(context.Background(), nil, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "TRUSTED_DOCUMENTS "+bad) {
			t.Fatalf("want the server to refuse to start naming the manifest, got %v", err)
		}
		environ = func(k string) string {
			return map[string]string{"TRUSTED_DOCUMENTS": good, "TRUSTED_DOCUMENTS_MODE": "audit"}[k]
		}
		if err := run(context.Background(), []string{"healthcheck"}, io.Discard, io.Discard); err == nil || !strings.Contains(err.Error(), "TRUSTED_DOCUMENTS_MODE") {
			t.Fatalf("want the mode refused, got %v", err)
		}
	})
}

// TestREADMETrustedDocuments: the README's example manifests load, and its
// operation runs by the hash its curl examples send.
func TestREADMETrustedDocuments(t *testing.T) {
	b, err := os.ReadFile("../README.md")
	if err != nil {
		t.Fatal(err)
	}
	section := readmeSection(string(b), "## Trusted documents")
	manifests := fencedBlocks(section, "json")
	curl := fencedBlocks(section, "sh")
	if len(manifests) != 2 || len(curl) != 1 {
		t.Fatalf("want the two manifest formats and the curl examples, found %d and %d blocks", len(manifests), len(curl))
	}
	hash, _, _ := strings.Cut(strings.TrimPrefix(curl[0], "HASH="), "\n")
	app := newTestApp(t, dialect.SQLite)
	buildPortfolio(t, app.db.Client, "RTD", 1, 1)
	for _, manifest := range manifests {
		srv := app.trusted(t, manifest, nil)
		ranCarriers(t, "README manifest", srv.postTrusted(t, trustedRequest{documentID: "sha256:" + hash}), 1)
	}
}
