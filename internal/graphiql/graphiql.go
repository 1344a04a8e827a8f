// Package graphiql serves GraphiQL from the binary: a pinned npm build of
// GraphiQL and React (vendor/, rebuilt by vendor.sh), the page that starts
// it, and in development a "sign in as" control for the demo users. Nothing
// is loaded from another host, so it works offline and under a strict
// Content-Security-Policy.
package graphiql

import (
	"bytes"
	"context"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"net/http"
	"path"
	"strings"
)

// ContentSecurityPolicy is sent with the page and every asset: scripts,
// styles and connections (HTTP, and WebSocket for subscriptions) only from
// this server, no inline script or style. Fonts and icons that the GraphiQL
// stylesheet carries inline as data: URLs are the one exception.
const ContentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; " +
	"img-src 'self' data:; font-src 'self' data:; connect-src 'self'; " +
	"object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"

// AssetPrefix is the path under which the page's scripts and styles are served.
const AssetPrefix = "/graphiql/"

//go:embed page.html
var pageSource string

//go:embed app.js app.css vendor/*.js vendor/*.css
var assetFiles embed.FS

//go:embed examples/*.graphql
var exampleFiles embed.FS

// User is a demo user the sign-in control offers.
type User struct {
	Email string `json:"email"`
	Name  string `json:"name"`
	Role  string `json:"role"`
	About string `json:"about"`
}

// Tab is an operation GraphiQL opens with, one per tab.
type Tab struct {
	Query     string `json:"query"`
	Variables string `json:"variables,omitempty"`
}

// Options configure the page.
type Options struct {
	Endpoint  string // where GraphQL is served, such as /query
	TokenPath string // the development token endpoint; empty leaves out the sign-in control
	Users     []User // whom the sign-in control offers, in this order
	// CarrierID, if set, finds the carrier whose ID fills the $carrier
	// variable of the account page's tab, when the page is asked for (the
	// demo data may be loaded after the server starts); an empty answer
	// leaves a placeholder to replace.
	CarrierID func(context.Context) string
}

// Examples are the operations GraphiQL's tabs open with, by file name: the
// README's account page, mobile home screen, portfolio and live escalations.
func Examples() map[string]string {
	entries, err := fs.ReadDir(exampleFiles, "examples")
	if err != nil {
		panic(err) // embedded at build time
	}
	out := make(map[string]string, len(entries))
	for _, e := range entries {
		b, err := exampleFiles.ReadFile("examples/" + e.Name())
		if err != nil {
			panic(err)
		}
		out[e.Name()] = string(b)
	}
	return out
}

// tabOrder is the order of the tabs: what a newcomer most likely wants first.
var tabOrder = []string{"mobile-home.graphql", "account-page.graphql", "portfolio.graphql", "live-escalations.graphql"}

// contentTypes are the types of the assets, fixed here rather than taken
// from the machine's MIME tables, which differ (application/javascript).
var contentTypes = map[string]string{
	".js":  "text/javascript; charset=utf-8",
	".css": "text/css; charset=utf-8",
}

// asset is an embedded file and the version its URL carries.
type asset struct {
	body        []byte
	contentType string
	version     string // the first 12 hex digits of its SHA-256
}

// Handler serves the page at / and its assets under AssetPrefix.
type Handler struct {
	opts   Options
	tmpl   *template.Template
	page   []byte // rendered once when nothing in it changes
	assets map[string]asset
}

// New builds the page for opts; it fails only if the embedded files do.
func New(opts Options) (*Handler, error) {
	h := &Handler{assets: map[string]asset{}}
	err := fs.WalkDir(assetFiles, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := assetFiles.ReadFile(name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(body)
		h.assets[path.Base(name)] = asset{
			body:        body,
			contentType: contentTypes[path.Ext(name)],
			version:     hex.EncodeToString(sum[:6]),
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("graphiql assets: %w", err)
	}
	h.opts = opts
	h.tmpl, err = template.New("page").Funcs(template.FuncMap{
		"asset": func(name string) (string, error) {
			a, ok := h.assets[name]
			if !ok {
				return "", fmt.Errorf("no asset %q", name)
			}
			return AssetPrefix + a.version + "/" + name, nil
		},
	}).Parse(pageSource)
	if err != nil {
		return nil, fmt.Errorf("graphiql page: %w", err)
	}
	if h.page, err = h.render(""); err != nil {
		return nil, err
	}
	return h, nil
}

// render is the page, with carrier in the account page's variables.
func (h *Handler) render(carrier string) ([]byte, error) {
	if carrier == "" {
		carrier = "a carrier's ID: run the portfolio tab, or query carriers(first: 5)"
	}
	examples := Examples()
	tabs := make([]Tab, 0, len(tabOrder))
	for _, name := range tabOrder {
		tab := Tab{Query: examples[name]}
		if strings.Contains(tab.Query, "$carrier") {
			tab.Variables = fmt.Sprintf("{\n  \"carrier\": %q\n}", carrier)
		}
		tabs = append(tabs, tab)
	}
	users := h.opts.Users
	if h.opts.TokenPath == "" {
		users = nil
	}
	var page bytes.Buffer
	err := h.tmpl.Execute(&page, map[string]any{
		"Config": map[string]any{
			"endpoint":  h.opts.Endpoint,
			"tokenPath": h.opts.TokenPath,
			"users":     users,
			"tabs":      tabs,
		},
	})
	if err != nil {
		return nil, fmt.Errorf("graphiql page: %w", err)
	}
	return page.Bytes(), nil
}

// ServeHTTP answers GET / with the page and GET AssetPrefix+VERSION/NAME with an asset.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Security-Policy", ContentSecurityPolicy)
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if r.URL.Path == "/" {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		// The page names its assets by version; it must be asked for again
		// to learn of new ones.
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("Referrer-Policy", "no-referrer")
		page := h.page
		if h.opts.CarrierID != nil {
			if id := h.opts.CarrierID(r.Context()); id != "" {
				var err error
				if page, err = h.render(id); err != nil {
					http.Error(w, "rendering the page failed", http.StatusInternalServerError)
					return
				}
			}
		}
		_, _ = w.Write(page)
		return
	}
	version, name, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, AssetPrefix), "/")
	a, found := h.assets[name]
	if !ok || !found || !strings.HasPrefix(r.URL.Path, AssetPrefix) {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", a.contentType)
	w.Header().Set("ETag", `"`+a.version+`"`)
	if version == a.version {
		// The URL changes with the content, so the content never does.
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		// A page from another build (during a deploy) gets this build's
		// file, which must not be kept under the other build's URL.
		w.Header().Set("Cache-Control", "no-cache")
	}
	if r.Header.Get("If-None-Match") == `"`+a.version+`"` {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	_, _ = w.Write(a.body)
}
