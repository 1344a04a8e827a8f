package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/auth"
)

// `make soak` (go test ./server -run TestSoak -soak) runs mixed traffic
// against an in-process server on loopback for SOAK_DURATION (default 60s);
// the normal suite skips it.
var soakFlag = flag.Bool("soak", false, "run TestSoak: mixed traffic for SOAK_DURATION (default 60s)")

// TestSoak serves on 127.0.0.1 (PostgreSQL when reachable, else SQLite), drives 8 clients of queries and mutations and 3 WebSocket
// subscribers, prints progress every 5s, and reports errors by kind and
// memory (Go heap, process RSS) at start and end. Any INTERNAL error or
// transport failure fails it.
func TestSoak(t *testing.T) {
	if !*soakFlag {
		t.Skip("soak runs only with -soak (make soak)")
	}
	duration := 60 * time.Second
	if s := os.Getenv("SOAK_DURATION"); s != "" {
		d, err := time.ParseDuration(s)
		if err != nil {
			t.Fatalf("SOAK_DURATION: %v", err)
		}
		duration = d
	}
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelError}))) // errors only: one line per request would drown the report
	defer slog.SetDefault(prev)

	cfg, err := LoadConfig(func(string) string { return "" })
	if err != nil {
		t.Fatal(err)
	}
	cfg.Addr = "127.0.0.1:0"
	cfg.SQLitePath = filepath.Join(t.TempDir(), "soak.db")
	// PostgreSQL, the production store: SOAK_DATABASE_URL, else a scratch
	// schema of the test database when reachable; SOAK_SQLITE=1 for SQLite.
	cfg.DatabaseURL = os.Getenv("SOAK_DATABASE_URL")
	if cfg.DatabaseURL == "" && pgReason == "" && os.Getenv("SOAK_SQLITE") == "" {
		cfg.DatabaseURL = pgSchema(t)
	}
	cfg.SeedOnEmpty = false
	m := &Main{Config: cfg}
	if err := m.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	go m.Serve()
	defer func() {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		if err := m.Close(ctx); err != nil {
			t.Errorf("Close: %v", err)
		}
	}()
	app := &testApp{db: m.DB, cfg: cfg, srv: &httptest.Server{URL: "http://" + m.Addr()}}
	admin := m.DB.Client.Rep.Create().SetName("Soak Admin").SetEmail(fmt.Sprintf("soak-%d@carrierdesk.example", time.Now().UnixNano())).
		SetRole(enum.RoleAdmin).SetRegion(enum.RegionWest).SaveX(allowCtx())
	app.token = app.sign(t, auth.Claims{Subject: admin.ID, Role: string(enum.RoleAdmin)})

	start := memory()
	t.Logf("soak: %v on %s; memory at start: %s", duration, m.Addr(), start)

	var (
		requests, events atomic.Int64
		mu               sync.Mutex
		kinds            = map[string]int{}
		ids              []string
	)
	fail := func(kind string) {
		mu.Lock()
		kinds[kind]++
		mu.Unlock()
	}
	ctx, cancel := context.WithTimeout(context.Background(), duration)
	defer cancel()

	var subs sync.WaitGroup
	for range 3 {
		ws := dialSubscriptions(t, app, app.token)
		ws.subscribe(t, "1", nil)
		subs.Add(1)
		go func() {
			defer subs.Done()
			for {
				select {
				case <-ctx.Done():
					return
				case msg, ok := <-ws.msgs:
					if !ok {
						fail("websocket closed")
						return
					}
					if msg.Type == "next" {
						events.Add(1)
					} else if msg.Type == "error" {
						fail("subscription error")
					}
				}
			}
		}()
	}

	var seq atomic.Int64
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewPCG(uint64(w), uint64(time.Now().UnixNano())))
			for ctx.Err() == nil {
				var r gqlResponse
				switch p := rng.IntN(10); {
				case p < 6:
					r = app.do(t, `{ carriers(first: 10) { totalCount edges { node { id name ocn status } } } }`, nil)
				case p < 9:
					n := seq.Add(1)
					mu.Lock()
					carrier := ""
					if n%10 != 0 && len(ids) > 0 {
						carrier = ids[rng.IntN(len(ids))]
					}
					mu.Unlock()
					if carrier == "" && n%10 != 0 {
						continue // no carrier to add a contact to yet
					}
					if carrier != "" {
						// Most writes add a contact: carriers' three-letter CCNAs
						// run out at 17,576, which a fast server reaches in a minute.
						r = app.do(t, `mutation($input: CreateContactInput!) { createContact(input: $input) { id } }`,
							map[string]any{"input": map[string]any{"carrierID": carrier, "name": fmt.Sprintf("Soak %d", n), "email": fmt.Sprintf("soak-%d@soak.example", n)}},
							"Idempotency-Key", fmt.Sprintf("soak-%d", n))
						break
					}
					r = app.do(t, `mutation($input: CreateCarrierInput!) { createCarrier(input: $input) { id } }`,
						map[string]any{"input": map[string]any{"name": fmt.Sprintf("Soak %d", n), "ocn": strings.ToUpper(fmt.Sprintf("%04s", strconv.FormatInt(n, 36))), "ccna": letters(n / 10)}},
						"Idempotency-Key", fmt.Sprintf("soak-%d", n))
					var d struct{ CreateCarrier *struct{ ID string } }
					if len(r.Errors) == 0 && jsonInto(r.Data, &d) && d.CreateCarrier != nil {
						mu.Lock()
						ids = append(ids, d.CreateCarrier.ID)
						mu.Unlock()
					}
				default:
					mu.Lock()
					id := ""
					if len(ids) > 0 {
						id = ids[rng.IntN(len(ids))]
					}
					mu.Unlock()
					if id == "" {
						continue
					}
					r = app.do(t, `mutation($id: ID!, $name: String!) { updateCarrier(id: $id, input: {name: $name}) { id version } }`,
						map[string]any{"id": id, "name": fmt.Sprintf("Soak renamed %d", rng.IntN(1000))})
				}
				requests.Add(1)
				if len(r.Errors) > 0 {
					fail(fmt.Sprintf("HTTP %d %s", r.Status, r.Code()))
				}
			}
		}()
	}

	tick := time.NewTicker(5 * time.Second)
	began := time.Now()
progress:
	for {
		select {
		case <-ctx.Done():
			break progress
		case <-tick.C:
			mu.Lock()
			k := fmtKinds(kinds)
			mu.Unlock()
			fmt.Fprintf(os.Stderr, "soak %5.0fs: %d requests (%.0f/s), %d events, errors %s, %s\n",
				time.Since(began).Seconds(), requests.Load(), float64(requests.Load())/time.Since(began).Seconds(), events.Load(), k, memory())
		}
	}
	tick.Stop()
	wg.Wait()
	subs.Wait()
	runtime.GC()
	mu.Lock()
	defer mu.Unlock()
	t.Logf("soak done: %d requests in %v, %d subscription events; errors by kind: %s", requests.Load(), duration, events.Load(), fmtKinds(kinds))
	t.Logf("memory at start: %s", start)
	t.Logf("memory at end:   %s (after GC)", memory())
	for kind, n := range kinds {
		if strings.Contains(kind, "INTERNAL") || strings.Contains(kind, "websocket") || strings.HasSuffix(kind, " ") {
			t.Errorf("%d errors of kind %q", n, kind)
		}
	}
}

func jsonInto(raw []byte, dst any) bool { return json.Unmarshal(raw, dst) == nil }

func fmtKinds(kinds map[string]int) string {
	if len(kinds) == 0 {
		return "none"
	}
	var parts []string
	for k, n := range kinds {
		parts = append(parts, fmt.Sprintf("%s=%d", k, n))
	}
	sort.Strings(parts)
	return strings.Join(parts, " ")
}

// memory is the Go heap in use and the process's resident set.
func memory() string {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	rss := "?"
	if b, err := os.ReadFile("/proc/self/status"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if strings.HasPrefix(line, "VmRSS:") {
				rss = strings.TrimSpace(strings.TrimPrefix(line, "VmRSS:"))
			}
		}
	}
	return fmt.Sprintf("heap %.1f MiB, goroutines %d, RSS %s", float64(ms.HeapAlloc)/(1<<20), runtime.NumGoroutine(), rss)
}
