package main

import (
	"context"
	"database/sql/driver"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"carrierdesk/ent/privacy"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/graph"
	"carrierdesk/internal/auth"

	"github.com/coder/websocket"
	"github.com/lib/pq"
)

// TestFaultConnectionErrorsAreUnavailable: every way the driver says "the
// database is not there" reaches the client as UNAVAILABLE, not INTERNAL.
func TestFaultConnectionErrorsAreUnavailable(t *testing.T) {
	for _, err := range []error{
		driver.ErrBadConn,
		fmt.Errorf("ent: %w", driver.ErrBadConn),
		&net.OpError{Op: "dial", Net: "tcp", Err: syscall.ECONNREFUSED},
		errors.New("dial tcp 127.0.0.1:5432: connect: connection refused"),
		&pq.Error{Code: "57P01", Message: "terminating connection due to administrator command"},
		&pq.Error{Code: "08006", Message: "connection failure"},
		io.ErrUnexpectedEOF,
	} {
		got := graph.PresentError(context.Background(), err)
		if got.Extensions["code"] != "UNAVAILABLE" || strings.Contains(got.Message, "pq") || strings.Contains(got.Message, "tcp") {
			t.Errorf("%v presented as %v %q; want UNAVAILABLE", err, got.Extensions["code"], got.Message)
		}
	}
}

// tcpProxy stands between the server and PostgreSQL: cut() is PostgreSQL
// going away (listener and every connection closed), restore() its return on
// the same port. The real cluster, which other tests share, is never touched.
type tcpProxy struct {
	target, addr string
	mu           sync.Mutex
	ln           net.Listener
	conns        map[net.Conn]struct{}
}

func startProxy(t *testing.T, target string) *tcpProxy {
	t.Helper()
	p := &tcpProxy{target: target, conns: map[net.Conn]struct{}{}}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	p.addr = ln.Addr().String()
	p.serve(ln)
	t.Cleanup(p.cut)
	return p
}

func (p *tcpProxy) serve(ln net.Listener) {
	p.mu.Lock()
	p.ln = ln
	p.mu.Unlock()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go p.pipe(c)
		}
	}()
}

func (p *tcpProxy) pipe(client net.Conn) {
	server, err := net.DialTimeout("tcp", p.target, 5*time.Second)
	if err != nil {
		client.Close()
		return
	}
	if !p.track(client, server) {
		return
	}
	go func() { _, _ = io.Copy(server, client); server.Close(); client.Close() }()
	_, _ = io.Copy(client, server)
	client.Close()
	server.Close()
}

// track records the pair, or closes it if the proxy was cut meanwhile.
func (p *tcpProxy) track(cs ...net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln == nil {
		for _, c := range cs {
			c.Close()
		}
		return false
	}
	for _, c := range cs {
		p.conns[c] = struct{}{}
	}
	return true
}

func (p *tcpProxy) cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ln != nil {
		p.ln.Close()
		p.ln = nil
	}
	for c := range p.conns {
		c.Close()
	}
	clear(p.conns)
}

func (p *tcpProxy) restore(t *testing.T) {
	t.Helper()
	ln, err := net.Listen("tcp", p.addr)
	if err != nil {
		t.Fatalf("restoring the proxy on %s: %v", p.addr, err)
	}
	p.serve(ln)
}

// newProxiedApp is newTestApp for PostgreSQL, its DATABASE_URL pointed at a proxy.
func newProxiedApp(t *testing.T) (*testApp, *tcpProxy) {
	t.Helper()
	direct := pgSchema(t)
	u, err := url.Parse(direct)
	if err != nil {
		t.Fatal(err)
	}
	target := u.Host
	if u.Port() == "" {
		target = net.JoinHostPort(u.Hostname(), "5432")
	}
	proxy := startProxy(t, target)
	u.Host = proxy.addr
	cfg, err := LoadConfig(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.SeedOnEmpty = false
	cfg.DatabaseURL = u.String()
	cfg.MaxOpenConns = 4
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	app := &testApp{cfg: cfg}
	if app.db, err = openDatabase(ctx, cfg, nil); err != nil {
		t.Fatal(err)
	}
	verifier, err := auth.NewVerifier(ctx, cfg.Auth)
	if err != nil {
		t.Fatal(err)
	}
	app.srv = httptest.NewServer(NewHandler(app.db, cfg, &Authenticator{Verifier: verifier, Client: app.db.Client}))
	t.Cleanup(func() {
		app.srv.Close()
		app.db.Close()
	})
	admin := app.db.Client.Rep.Create().SetName("Fault Admin").SetEmail("fault-admin@carrierdesk.example").
		SetRole(enum.RoleAdmin).SetRegion(enum.RegionWest).SaveX(privacy.DecisionContext(ctx, privacy.Allow))
	app.token = app.sign(t, auth.Claims{Subject: admin.ID, Role: string(enum.RoleAdmin)})
	return app, proxy
}

// letters spells n in three capitals, a unique CCNA per write.
func letters(n int64) string {
	b := make([]byte, 3)
	for i := 2; i >= 0; i-- {
		b[i] = byte('A' + n%26)
		n /= 26
	}
	return string(b)
}

func (a *testApp) readyz(t *testing.T) int {
	t.Helper()
	res, err := http.Get(a.srv.URL + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	return res.StatusCode
}

// TestFaultPostgresRestartUnderLoad cuts PostgreSQL away while writers run and
// brings it back: while it is away /readyz is 503 and requests fail fast with
// UNAVAILABLE; after, requests succeed on the same server; every acknowledged
// mutation is present, and one retried with its Idempotency-Key after an
// ambiguous failure is written once.
func TestFaultPostgresRestartUnderLoad(t *testing.T) {
	app, proxy := newProxiedApp(t)
	const createID = `mutation($input: CreateCarrierInput!) { createCarrier(input: $input) { id } }`

	// A mutation whose response the client never saw: it did commit.
	lost := map[string]any{"input": map[string]any{"name": "Lost Response", "ocn": "L000", "ccna": "LST"}}
	var first struct{ CreateCarrier struct{ ID string } }
	if r := app.do(t, createID, lost, "Idempotency-Key", "lost-1"); len(r.Errors) > 0 {
		t.Fatal(r.Raw)
	} else if err := json.Unmarshal(r.Data, &first); err != nil {
		t.Fatal(err)
	}

	var (
		down     atomic.Bool
		mu       sync.Mutex
		acked    = map[string]bool{first.CreateCarrier.ID: true}
		codes    = map[string]int{}
		slowest  time.Duration
		stop     = make(chan struct{})
		wg       sync.WaitGroup
		sequence atomic.Int64
	)
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
				}
				n := sequence.Add(1)
				key := fmt.Sprintf("w%d-%d", w, n)
				in := map[string]any{"input": map[string]any{"name": "Load " + key, "ocn": fmt.Sprintf("%04d", n), "ccna": letters(n)}}
				// Retry one logical write with one key until it is acknowledged.
				for attempt := 0; ; attempt++ {
					wasDown := down.Load()
					start := time.Now()
					r := app.do(t, createID, in, "Idempotency-Key", key)
					took := time.Since(start)
					var d struct{ CreateCarrier *struct{ ID string } }
					if len(r.Errors) == 0 && json.Unmarshal(r.Data, &d) == nil && d.CreateCarrier != nil {
						mu.Lock()
						acked[d.CreateCarrier.ID] = true
						mu.Unlock()
						break
					}
					mu.Lock()
					codes[r.Code()]++
					if wasDown && down.Load() && took > slowest {
						slowest = took
					}
					mu.Unlock()
					if attempt > 200 {
						t.Errorf("write %s never acknowledged: %s", key, r.Raw)
						return
					}
					time.Sleep(20 * time.Millisecond)
				}
			}
		}()
	}

	time.Sleep(500 * time.Millisecond)
	proxy.cut()
	down.Store(true)
	time.Sleep(300 * time.Millisecond) // let in-flight work notice

	if s := app.readyz(t); s != http.StatusServiceUnavailable {
		t.Errorf("/readyz while PostgreSQL is away: %d; want 503", s)
	}
	start := time.Now()
	r := app.do(t, `{ carriers { totalCount } }`, nil)
	if took := time.Since(start); r.Code() != "UNAVAILABLE" || took > 2*time.Second {
		t.Errorf("query while PostgreSQL is away: %s after %v; want UNAVAILABLE, fast", r.Raw, took)
	}
	// The retry of the lost mutation while the database is away fails, ambiguously for the client.
	if r := app.do(t, createID, lost, "Idempotency-Key", "lost-1"); r.Code() != "UNAVAILABLE" {
		t.Errorf("retry while PostgreSQL is away: %s; want UNAVAILABLE", r.Raw)
	}
	time.Sleep(700 * time.Millisecond)

	proxy.restore(t)
	down.Store(false)
	deadline := time.Now().Add(15 * time.Second)
	for app.readyz(t) != http.StatusOK {
		if time.Now().After(deadline) {
			t.Fatal("/readyz not 200 after PostgreSQL returned")
		}
		time.Sleep(100 * time.Millisecond)
	}
	time.Sleep(700 * time.Millisecond) // writes go on after the return
	close(stop)
	wg.Wait()

	var again struct{ CreateCarrier struct{ ID string } }
	retry := app.do(t, createID, lost, "Idempotency-Key", "lost-1")
	if len(retry.Errors) > 0 || json.Unmarshal(retry.Data, &again) != nil || again.CreateCarrier.ID != first.CreateCarrier.ID {
		t.Fatalf("retry after the return: %s; want the first result %s", retry.Raw, first.CreateCarrier.ID)
	}

	mu.Lock()
	defer mu.Unlock()
	t.Logf("acknowledged %d writes; failures by code %v; slowest failure while away %v", len(acked), codes, slowest)
	for code, n := range codes {
		if code != "UNAVAILABLE" {
			t.Errorf("%d failures with code %q; want only UNAVAILABLE", n, code)
		}
	}
	if codes["UNAVAILABLE"] == 0 {
		t.Error("no write failed while PostgreSQL was away: the fault did not bite")
	}
	if slowest > 2*time.Second {
		t.Errorf("a request took %v to fail while PostgreSQL was away; want well under the 15s operation deadline", slowest)
	}
	// Every acknowledged write is there, and nothing else: each logical write once.
	var ids []string
	for id := range acked {
		ids = append(ids, id)
	}
	var found struct{ Nodes []*struct{ ID string } }
	app.ok(t, `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`, map[string]any{"ids": ids}, &found)
	present := 0
	for _, n := range found.Nodes {
		if n != nil && acked[n.ID] {
			present++
		}
	}
	if present != len(acked) {
		t.Errorf("%d of %d acknowledged writes present", present, len(acked))
	}
	var count struct{ Carriers struct{ TotalCount int } }
	app.ok(t, `{ carriers { totalCount } }`, nil, &count)
	if count.Carriers.TotalCount != len(acked) {
		t.Errorf("%d carriers stored, %d writes acknowledged: a retry wrote twice or a write was lost", count.Carriers.TotalCount, len(acked))
	}
}

// serveMain runs Main in-process on SQLite, as the program does, with an
// admin's token in the returned app; Serve's result arrives on served.
func serveMain(t *testing.T) (m *Main, app *testApp, served <-chan error) {
	t.Helper()
	cfg, err := LoadConfig(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.Addr = "127.0.0.1:0"
	cfg.SQLitePath = filepath.Join(t.TempDir(), "shutdown.db")
	cfg.SeedOnEmpty = false
	m = &Main{Config: cfg}
	if err := m.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- m.Serve() }()
	app = &testApp{db: m.DB, cfg: cfg, srv: &httptest.Server{URL: "http://" + m.Addr()}}
	admin := m.DB.Client.Rep.Create().SetName("Shutdown Admin").SetEmail("shutdown@carrierdesk.example").
		SetRole(enum.RoleAdmin).SetRegion(enum.RegionWest).SaveX(allowCtx())
	app.token = app.sign(t, auth.Claims{Subject: admin.ID, Role: string(enum.RoleAdmin)})
	return m, app, done
}

// TestShutdownDrainsAndClosesWebSockets runs Main in-process and closes it as
// SIGTERM does: a request in flight completes with 200, a subscribed
// WebSocket client sees 1001 (going away), new connections are refused, and
// Close returns within its deadline.
func TestShutdownDrainsAndClosesWebSockets(t *testing.T) {
	m, app, served := serveMain(t)
	base := app.srv.URL

	ws := dialSubscriptions(t, app, app.token)
	ws.subscribe(t, "1", nil)

	// A slow request: its body arrives in two parts, with Close in between.
	body, feed := io.Pipe()
	req, _ := http.NewRequest(http.MethodPost, base+"/query", body)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+app.token)
	slow := make(chan *http.Response, 1)
	go func() {
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Errorf("slow request: %v", err)
			close(slow)
			return
		}
		slow <- res
	}()
	if _, err := feed.Write([]byte(`{"query":"{ carriers`)); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	closed := make(chan error, 1)
	start := time.Now()
	go func() { closed <- m.Close(ctx) }()
	time.Sleep(300 * time.Millisecond)

	if c, err := net.DialTimeout("tcp", m.Addr(), time.Second); err == nil {
		c.Close()
		t.Error("a new connection was accepted during shutdown")
	}
	select {
	case err := <-closed:
		t.Fatalf("Close returned (%v) before the in-flight request finished", err)
	default:
	}
	_, _ = feed.Write([]byte(` { totalCount } }"}`))
	feed.Close()
	if res, ok := <-slow; !ok {
		t.Fatal("the in-flight request failed")
	} else {
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode != http.StatusOK || !strings.Contains(string(b), "totalCount") {
			t.Errorf("in-flight request: %d %s; want 200", res.StatusCode, b)
		}
	}

	// The subscriber sees 1001 going away.
	timeout := time.After(10 * time.Second)
wait:
	for {
		select {
		case _, ok := <-ws.msgs:
			if !ok {
				break wait
			}
		case <-timeout:
			t.Fatal("the WebSocket was not closed")
		}
	}
	if code := websocket.CloseStatus(ws.err); code != websocket.StatusGoingAway {
		t.Errorf("WebSocket closed with %v (%v); want 1001 going away", code, ws.err)
	}

	if err := <-closed; err != nil {
		t.Errorf("Close: %v", err)
	}
	if took := time.Since(start); took > 8*time.Second {
		t.Errorf("Close took %v", took)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve: %v", err)
	}
	if _, err := http.Get(base + "/healthz"); err == nil {
		t.Error("the server still answers after Close")
	}
}

// TestShutdownEndsEventStreams: an open SSE subscription does not hold
// shutdown to its deadline. It gets a final UNAVAILABLE event telling the
// client to reconnect (with a retry hint), then the stream ends without
// "complete" (so clients retry), and Close returns without error, which is
// what makes the process exit with status 0.
func TestShutdownEndsEventStreams(t *testing.T) {
	m, app, served := serveMain(t)

	client := &http.Client{Transport: &http.Transport{}}
	defer client.CloseIdleConnections()
	res := openSSE(t, client, app, app.token)
	if res.StatusCode != http.StatusOK {
		t.Fatalf("SSE: HTTP %d", res.StatusCode)
	}
	stream := sseEvents(res.Body)
	app.waitSubscribed(t, 1)

	// Well inside the 20 s the program gives Close, and far more than it needs.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := m.Close(ctx); err != nil {
		t.Errorf("Close with an open event stream: %v", err)
	}
	var events []sseEvent
	for ev := range stream {
		events = append(events, ev)
	}
	if len(events) != 1 || events[0].name != "next" || !strings.Contains(events[0].data, `"code":"UNAVAILABLE"`) {
		t.Errorf("the stream ended with %+v; want one next event with an UNAVAILABLE error, and no complete", events)
	}
	if err := <-served; err != nil {
		t.Errorf("Serve: %v", err)
	}
}
