//go:build browser

package main

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"carrierdesk/internal/seed"

	"entgo.io/ent/dialect"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
)

// TestGraphiQLBrowser loads GraphiQL in a headless Chromium that can reach
// nothing but the test server, signs in as the demo manager, reloads, and
// opens the schema's docs: the docs must load (introspection after a reload
// carries the saved token), every request must go to the test server, and
// the page must break no rule of its Content-Security-Policy. It saves a
// screenshot to GRAPHIQL_SCREENSHOT (make test-browser: docs/graphiql.png).
//
// Run with `make test-browser` (go test -tags browser); it needs Chromium
// (apt-get install -y chromium).
func TestGraphiQLBrowser(t *testing.T) {
	chromium := ""
	for _, name := range []string{os.Getenv("CHROMIUM"), "chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); name != "" && err == nil {
			chromium = p
			break
		}
	}
	if chromium == "" {
		t.Skip("\n!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!\n" +
			"!!! SKIPPED: no Chromium on PATH (or CHROMIUM). Install it with\n" +
			"!!!   apt-get install -y chromium\n" +
			"!!! to run GraphiQL's browser test.\n" +
			"!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!")
	}
	app := newTestApp(t, dialect.SQLite)
	if _, err := seed.Run(context.Background(), app.db.Client, seed.Options{}); err != nil {
		t.Fatal(err)
	}
	server, err := url.Parse(app.srv.URL)
	if err != nil {
		t.Fatal(err)
	}

	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium),
		chromedp.Flag("headless", true),
		chromedp.NoSandbox,
		chromedp.DisableGPU,
		chromedp.NoFirstRun,
		chromedp.NoDefaultBrowserCheck,
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1440, 900),
		// No network but the test server: every name but loopback fails to
		// resolve, and anything else goes to a proxy that is not there.
		chromedp.Flag("host-resolver-rules", "MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"),
		chromedp.ProxyServer("http://127.0.0.1:9"),
	}
	allocCtx, cancelAlloc := chromedp.NewExecAllocator(context.Background(), opts...)
	defer cancelAlloc()
	ctx, cancel := chromedp.NewContext(allocCtx)
	defer cancel()
	ctx, cancelTimeout := context.WithTimeout(ctx, 60*time.Second)
	defer cancelTimeout()

	var mu sync.Mutex
	var problems []string // requests elsewhere, CSP violations, script errors
	var signedIn, reloaded bool
	var afterReload []network.Headers // headers of each POST /query after the reload
	do := func(what string, steps ...chromedp.Action[chromedp.Void]) {
		t.Helper()
		if err := chromedp.Do(ctx, steps...); err != nil {
			t.Fatalf("%s: %v", what, err)
		}
	}
	get := func(what string, a chromedp.Action[string]) string {
		t.Helper()
		v, err := chromedp.Run(ctx, a)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		return v
	}
	do("start Chromium", chromedp.Navigate("about:blank"))
	acked := make(chan struct{}) // closed when the server acknowledges a WebSocket's connection_init
	var ack sync.Once
	err = chromedp.Listen(ctx, func(ev any) {
		mu.Lock()
		defer mu.Unlock()
		switch ev := ev.(type) {
		case *network.EventWebSocketCreated:
			if u, err := url.Parse(ev.URL); err != nil || u.Host != server.Host {
				problems = append(problems, "WebSocket to another host: "+ev.URL)
			}
		case *network.EventWebSocketFrameReceived:
			if strings.Contains(string(ev.Response.PayloadData), `"connection_ack"`) {
				ack.Do(func() { close(acked) })
			}
		case *network.EventRequestWillBeSent:
			u, err := url.Parse(ev.Request.URL)
			if err != nil || (u.Scheme != "data" && u.Host != server.Host) {
				problems = append(problems, "request to another host: "+ev.Request.URL)
				return
			}
			if reloaded && u.Path == "/query" && ev.Request.Method == "POST" {
				afterReload = append(afterReload, ev.Request.Headers)
			}
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	messages := chromedp.Console(ctx)
	go func() {
		for m, err := range messages {
			if err != nil {
				return
			}
			mu.Lock()
			// Before signing in, the schema's introspection is refused, as it should be.
			expected := !signedIn && strings.Contains(m.Text, "401")
			if !expected && (m.Type == chromedp.ConsoleError || m.IsException() || strings.Contains(m.Text, "Content Security Policy")) {
				problems = append(problems, fmt.Sprintf("console %s: %s", m.Type, m))
			}
			mu.Unlock()
		}
	}()

	do("open GraphiQL",
		chromedp.Navigate(app.srv.URL+"/"),
		chromedp.WaitVisible(chromedp.CSS(`#carrierdesk-signin`)),
	)
	mu.Lock()
	signedIn = true
	mu.Unlock()
	do("sign in as the demo manager",
		chromedp.Evaluate[chromedp.Void](`(() => {
			const s = document.querySelector('#carrierdesk-signin');
			s.value = 'manager@carrierdesk.example';
			s.dispatchEvent(new Event('change', {bubbles: true}));
		})()`),
		chromedp.WaitVisible(chromedp.CSS(`.carrierdesk-who`)),
	)
	if role := get("read the role", chromedp.Text(chromedp.CSS(`.carrierdesk-who`))); role != "MANAGER" {
		t.Fatalf("signed in with role %q, want MANAGER", role)
	}
	mu.Lock()
	reloaded = true
	mu.Unlock()
	do("reload", chromedp.Reload(), chromedp.WaitVisible(chromedp.CSS(`.carrierdesk-who`)))
	if selected := get("read the control", chromedp.Value(chromedp.CSS(`#carrierdesk-signin`))); selected != "manager@carrierdesk.example" {
		t.Errorf("after a reload the control shows %q, want the manager still signed in", selected)
	}
	do("open the docs",
		chromedp.Click(chromedp.CSS(`.graphiql-sidebar button[aria-label$="Documentation Explorer"]`)),
		// The root types: query, then subscription.
		chromedp.WaitVisible(chromedp.CSS(`.graphiql-doc-explorer a.graphiql-doc-explorer-type-name`)),
		chromedp.Click(chromedp.CSS(`.graphiql-doc-explorer a.graphiql-doc-explorer-type-name`)),
		chromedp.WaitVisible(chromedp.CSS(`.graphiql-doc-explorer-field-name`)),
	)
	docs := get("read the docs", chromedp.Text(chromedp.CSS(`.graphiql-doc-explorer`)))
	for _, want := range []string{"Query", "escalations", "portfolio"} {
		if !strings.Contains(docs, want) {
			t.Errorf("the docs explorer does not show %q:\n%.500s", want, docs)
		}
	}
	// The first tab, the mobile home screen, as the manager.
	do("run the first tab", chromedp.Click(chromedp.CSS(`.graphiql-execute-button`)))
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector('.graphiql-response').innerText.includes('"role": "MANAGER"')`)); err != nil {
		t.Errorf("the first tab's response does not show the manager's role: %v", err)
	}
	png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	out := os.Getenv("GRAPHIQL_SCREENSHOT")
	if out == "" {
		out = filepath.Join(t.TempDir(), "graphiql.png")
	}
	if err := os.WriteFile(out, png, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot: %s", out)

	// The subscription tab connects over graphql-transport-ws, with the token
	// in connection_init (the server closes the connection without one).
	do("open the subscription tab",
		// The fourth tab, Watch.
		chromedp.Click(chromedp.CSS(`#graphiql-session-tab-3`)),
	)
	if _, err := chromedp.Run(ctx, chromedp.Poll[bool](`document.querySelector('.graphiql-tab-active .graphiql-tab-button').textContent === 'Watch' && document.querySelector('.graphiql-query-editor').textContent.includes('escalationEvents')`)); err != nil {
		t.Fatalf("the subscription tab did not open: %v", err)
	}
	do("run the subscription tab", chromedp.Click(chromedp.CSS(`.graphiql-execute-button`)))
	select {
	case <-acked:
	case <-ctx.Done():
		t.Errorf("the subscription tab's WebSocket was not acknowledged: %v", ctx.Err())
	}

	mu.Lock()
	defer mu.Unlock()
	if len(afterReload) == 0 {
		t.Errorf("no GraphQL request after the reload: the schema was not fetched")
	}
	for i, h := range afterReload {
		if auth, _ := h["Authorization"].(string); !strings.HasPrefix(auth, "Bearer ") {
			t.Errorf("request %d after the reload has no bearer token: %v", i+1, h)
		}
	}
	for _, p := range problems {
		t.Error(p)
	}
}
