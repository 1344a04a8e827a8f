package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/graphiql"

	"entgo.io/ent/dialect"
)

// postDevToken asks srv's development token endpoint for body.
func postDevToken(t *testing.T, srv, body, contentType string, headers ...string) (int, map[string]string) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, srv+devTokenPath, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", contentType)
	for i := 0; i+1 < len(headers); i += 2 {
		req.Header.Set(headers[i], headers[i+1])
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	raw, _ := io.ReadAll(res.Body)
	var out map[string]string
	_ = json.Unmarshal(raw, &out)
	return res.StatusCode, out
}

// addDemoManager adds the demo manager, whom the sign-in control offers, as a rep.
func addDemoManager(app *testApp) {
	app.db.Client.Rep.Create().
		SetName("Marcus Bell").
		SetEmail("manager@carrierdesk.example").
		SetRole(enum.RoleManager).
		SetRegion(enum.RegionWest).
		SaveX(allowCtx())
}

// TestGraphiQLDevToken: in development, GraphiQL's sign-in control gets a
// token the API accepts, for a user named by e-mail or by role; requests a
// page on another site could make, and users that do not exist, are refused
// without a token.
func TestGraphiQLDevToken(t *testing.T) {
	backends(t, func(t *testing.T, app *testApp) {
		addDemoManager(app)
		for _, body := range []string{`{"email": "manager@carrierdesk.example"}`, `{"email": "Manager@CarrierDesk.example"}`, `{"role": "manager"}`} {
			status, out := postDevToken(t, app.srv.URL, body, "application/json; charset=utf-8")
			if status != http.StatusOK || out["token"] == "" || out["role"] != "MANAGER" || out["expiresAt"] == "" {
				t.Fatalf("%s: HTTP %d %v", body, status, out)
			}
			var data struct{ Me struct{ Role string } }
			app.as(out["token"]).ok(t, `{ me { role } }`, nil, &data)
			if data.Me.Role != "MANAGER" {
				t.Errorf("%s: the token is %q's, want the manager's", body, data.Me.Role)
			}
		}
		refused := []struct {
			name, body, contentType string
			headers                 []string
			status                  int
		}{
			{"a form post, which needs no preflight", `{"email": "manager@carrierdesk.example"}`, "text/plain", nil, http.StatusUnsupportedMediaType},
			{"from another site", `{"email": "manager@carrierdesk.example"}`, "application/json", []string{"Sec-Fetch-Site", "cross-site"}, http.StatusForbidden},
			{"nobody named", `{}`, "application/json", nil, http.StatusBadRequest},
			{"both named", `{"email": "manager@carrierdesk.example", "role": "MANAGER"}`, "application/json", nil, http.StatusBadRequest},
			{"not JSON", `email=manager@carrierdesk.example`, "application/json", nil, http.StatusBadRequest},
			{"an unknown user", `{"email": "nobody@carrierdesk.example"}`, "application/json", nil, http.StatusNotFound},
			{"a role nobody has", `{"role": "ANALYST"}`, "application/json", nil, http.StatusNotFound},
			{"an unknown role", `{"role": "OWNER"}`, "application/json", nil, http.StatusNotFound},
		}
		for _, c := range refused {
			t.Run(c.name, func(t *testing.T) {
				status, out := postDevToken(t, app.srv.URL, c.body, c.contentType, c.headers...)
				if status != c.status || out["token"] != "" || out["error"] == "" {
					t.Errorf("HTTP %d %v, want %d and an error", status, out, c.status)
				}
				if lower := strings.ToLower(out["error"]); strings.Contains(lower, "sql") || strings.Contains(lower, "ent:") {
					t.Errorf("the error carries driver text: %q", out["error"])
				}
			})
		}
	})
}

// TestGraphiQLDevTokenOnlyInDevelopment: with APP_ENV=production, or when
// the server verifies tokens others sign, there is no token endpoint (404)
// and the page offers no sign-in.
func TestGraphiQLDevTokenOnlyInDevelopment(t *testing.T) {
	_, pubPEM := rsaKey(t)
	pemFile := filepath.Join(t.TempDir(), "public.pem")
	if err := os.WriteFile(pemFile, pubPEM, 0o600); err != nil {
		t.Fatal(err)
	}
	for name, env := range map[string]map[string]string{
		"production":              {"APP_ENV": "production", "JWT_SECRET": strings.Repeat("p", 40)},
		"development, public key": {"JWT_PUBLIC_KEY_FILE": pemFile},
	} {
		t.Run(name, func(t *testing.T) {
			app := newAuthnApp(t, env)
			addDemoManager(app)
			if status, out := postDevToken(t, app.srv.URL, `{"email": "manager@carrierdesk.example"}`, "application/json"); status != http.StatusNotFound || out["token"] != "" {
				t.Errorf("POST %s: HTTP %d %v, want 404", devTokenPath, status, out)
			}
			page, _ := getPage(t, app.srv.URL+"/")
			if strings.Contains(page, devTokenPath) || strings.Contains(page, "manager@carrierdesk.example") {
				t.Errorf("the page offers a sign-in:\n%s", page)
			}
		})
	}
}

// getPage GETs url and fails the test unless it is 200 with the GraphiQL CSP.
func getPage(t *testing.T, url string) (string, http.Header) {
	t.Helper()
	res, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	body, _ := io.ReadAll(res.Body)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: HTTP %d %.200s", url, res.StatusCode, body)
	}
	if csp := res.Header.Get("Content-Security-Policy"); csp != graphiql.ContentSecurityPolicy {
		t.Errorf("GET %s: Content-Security-Policy %q", url, csp)
	}
	return string(body), res.Header
}

// TestGraphiQLServedOffline: GraphiQL's page and every asset it loads come
// from this server, with the Content-Security-Policy, no inline script and no
// reference to a CDN; assets are cached for good under URLs that change with
// their content.
func TestGraphiQLServedOffline(t *testing.T) {
	app := newTestApp(t, dialect.SQLite)
	page, header := getPage(t, app.srv.URL+"/")
	if ct := header.Get("Content-Type"); !strings.HasPrefix(ct, "text/html") {
		t.Errorf("page Content-Type %q", ct)
	}
	if !strings.Contains(page, devTokenPath) || !strings.Contains(page, "manager@carrierdesk.example") {
		t.Errorf("the development page offers no sign-in")
	}
	for _, script := range regexp.MustCompile(`<script[^>]*>`).FindAllString(page, -1) {
		if !strings.Contains(script, ` src="/`) && !strings.Contains(script, `type="application/json"`) {
			t.Errorf("inline or foreign script: %s", script)
		}
	}
	cdn := regexp.MustCompile(`(?i)unpkg\.com|jsdelivr\.net|esm\.sh|cdnjs|googleapis|gstatic|https?://[^"'\s]*\.(js|css|woff2?)\b|@import`)
	refs := regexp.MustCompile(`(?:src|href)="([^"]*)"`).FindAllStringSubmatch(page, -1)
	if len(refs) < 6 {
		t.Fatalf("the page loads %d files; want GraphiQL, React and its own: %s", len(refs), page)
	}
	bodies := map[string]string{"/": page}
	for _, ref := range refs {
		u := ref[1]
		if u == "data:," { // the empty favicon
			continue
		}
		if !strings.HasPrefix(u, graphiql.AssetPrefix) {
			t.Errorf("the page loads %q, not from this server's %s", u, graphiql.AssetPrefix)
			continue
		}
		body, header := getPage(t, app.srv.URL+u)
		bodies[u] = body
		if cc := header.Get("Cache-Control"); !strings.Contains(cc, "immutable") {
			t.Errorf("%s: Cache-Control %q", u, cc)
		}
		wantType := map[string]string{".js": "text/javascript", ".css": "text/css"}[filepath.Ext(u)]
		if ct := header.Get("Content-Type"); wantType == "" || !strings.HasPrefix(ct, wantType) {
			t.Errorf("%s: Content-Type %q", u, ct)
		}
		if header.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: no nosniff", u)
		}
	}
	for u, body := range bodies {
		if m := cdn.FindString(body); m != "" {
			t.Errorf("%s refers to another host: %q", u, m)
		}
	}
	url := regexp.MustCompile(`(?i)\b(https?|wss?)://`)
	for u, body := range bodies {
		// The vendored files name their projects' sites in messages; ours name no URL at all.
		if !strings.Contains(u, ".min.") && url.MatchString(body) {
			t.Errorf("%s names a URL: %q", u, url.FindString(body))
		}
	}

	// Another build's URL gets this build's file, not to be kept; a file
	// that is not there is 404.
	_, header = getPage(t, app.srv.URL+graphiql.AssetPrefix+"000000000000/app.js")
	if cc := header.Get("Cache-Control"); cc != "no-cache" {
		t.Errorf("an asset under another version: Cache-Control %q", cc)
	}
	res, err := http.Get(app.srv.URL + graphiql.AssetPrefix + "000000000000/nothing.js")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusNotFound {
		t.Errorf("a missing asset: HTTP %d", res.StatusCode)
	}
}
