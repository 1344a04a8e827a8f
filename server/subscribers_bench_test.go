package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"carrierdesk/ent/escalation"
	"carrierdesk/ent/schema/enum"

	"entgo.io/ent/dialect"
	"github.com/coder/websocket"
)

// subscribersFlag turns TestSubscriberLoad on: it holds this many WebSocket
// subscribers on one instance. `make test` leaves it at 0, so the test skips.
var subscribersFlag = flag.Int("subscribers", 0, "run TestSubscriberLoad with this many concurrent WebSocket subscribers")

const (
	loadEvents     = 20                     // events committed while every subscriber listens
	loadEventGap   = 100 * time.Millisecond // between commits
	loadDialers    = 50                     // connections opened at once
	loadSubscribed = 60 * time.Second       // for all subscriptions to register
	loadDelivered  = 30 * time.Second       // for every delivery after the last commit
)

const loadSubscription = `subscription { escalationEvents { cursor event { id kind body createdAt } escalation { id } } }`

// loadClient is one subscriber; its reader stamps when each event arrives.
type loadClient struct {
	conn    *websocket.Conn
	arrived []time.Time // by event index; written only by the reader goroutine
	extra   int         // deliveries of an unknown or repeated event
	err     error       // why the reader stopped, other than the test closing it
}

// TestSubscriberLoad holds -subscribers WebSocket subscribers on one in-process
// instance, commits loadEvents comments through the API and reports
// commit-to-delivery latency (p50/p99 over every delivery) and heap per
// subscriber. The heap figure covers both ends of each connection, since the
// clients run in the same process as the server.
func TestSubscriberLoad(t *testing.T) {
	n := *subscribersFlag
	if n <= 0 {
		t.Skip("set -subscribers N to run the subscriber load test")
	}
	raiseFileLimit(t, uint64(2*n+256)) // both ends of every connection are in this process
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))) // one line per request would drown the report
	defer slog.SetDefault(prev)

	dia := dialect.SQLite
	if pgReason == "" {
		dia = dialect.Postgres
	}
	app := newTestApp(t, dia)
	broker := app.db.Events.(interface{ Subscribers() int })

	// Fixture: one carrier, account and escalation to comment on.
	c, ctx := app.db.Client, allowCtx()
	carrier := c.Carrier.Create().SetName("Load Carrier").SetOcn("7L00").SetCcna("LDC").SaveX(ctx)
	account := c.Account.Create().
		SetCarrierID(carrier.ID).
		SetAccountNumber("LD-1").
		SetBan("LD-BAN-1").
		SetName("Load account").
		SetMarket("Boston").
		SetRegion(enum.RegionNortheast).
		SaveX(ctx)
	esc := c.Escalation.Create().
		SetAccountID(account.ID).
		SetTitle("Load escalation").
		SetCategory(escalation.CategoryServiceAssurance).
		SetSeverity(escalation.SeveritySev2).
		SaveX(ctx)

	runtime.GC()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	goroutinesBefore := runtime.NumGoroutine()

	// Connect and subscribe, loadDialers at a time.
	clients := make([]*loadClient, n)
	var readers sync.WaitGroup
	var delivered atomic.Int64
	var opened atomic.Int64
	var closing atomic.Bool
	url := "ws" + strings.TrimPrefix(app.srv.URL, "http") + "/query"
	start := time.Now()
	errs := make(chan error, n)
	sem := make(chan struct{}, loadDialers)
	var dialing sync.WaitGroup
	for i := range n {
		dialing.Add(1)
		sem <- struct{}{}
		go func() {
			defer dialing.Done()
			defer func() { <-sem }()
			lc, err := dialLoadClient(url, app.token)
			if err != nil {
				errs <- fmt.Errorf("subscriber %d: %w", i, err)
				return
			}
			clients[i] = lc
			readers.Add(1)
			go lc.read(&readers, &delivered, &closing)
			if k := opened.Add(1); k%100 == 0 || int(k) == n {
				t.Logf("connections opened: %d/%d (%s)", k, n, time.Since(start).Round(time.Millisecond))
			}
		}()
	}
	dialing.Wait()
	close(errs)
	t.Cleanup(func() {
		closing.Store(true)
		for _, lc := range clients {
			if lc != nil {
				_ = lc.conn.Close(websocket.StatusNormalClosure, "")
			}
		}
		readers.Wait()
	})
	for err := range errs {
		t.Fatal(err)
	}
	deadline := time.Now().Add(loadSubscribed)
	for broker.Subscribers() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d subscriptions registered, want %d", broker.Subscribers(), n)
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Logf("%d subscriptions registered in %s", n, time.Since(start).Round(time.Millisecond))

	runtime.GC()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	perSubscriber := (float64(after.HeapInuse) - float64(before.HeapInuse)) / float64(n)
	goroutinesPer := float64(runtime.NumGoroutine()-goroutinesBefore) / float64(n)

	// Commit events through the API, stamping each commit when its mutation returns.
	committed := make([]time.Time, loadEvents)
	for i := range loadEvents {
		app.comment(t, esc.ID, "load-"+strconv.Itoa(i), false)
		committed[i] = time.Now()
		t.Logf("events sent: %d/%d", i+1, loadEvents)
		time.Sleep(loadEventGap)
	}

	want := int64(n * loadEvents)
	deadline = time.Now().Add(loadDelivered)
	for delivered.Load() < want && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	time.Sleep(200 * time.Millisecond) // let any duplicate deliveries arrive too

	// Stop the readers before reading what they recorded.
	closing.Store(true)
	for _, lc := range clients {
		_ = lc.conn.Close(websocket.StatusNormalClosure, "")
	}
	readers.Wait()

	var latencies []time.Duration
	missing, extra := 0, 0
	var firstErr error
	for _, lc := range clients {
		extra += lc.extra
		if lc.err != nil && firstErr == nil {
			firstErr = lc.err
		}
		for i, at := range lc.arrived {
			if at.IsZero() {
				missing++
				continue
			}
			latencies = append(latencies, at.Sub(committed[i]))
		}
	}
	slices.Sort(latencies)
	pct := func(p float64) time.Duration {
		if len(latencies) == 0 {
			return 0
		}
		return latencies[min(len(latencies)-1, int(p*float64(len(latencies))))]
	}
	var load [3]float64
	if b, err := readLoadAvg(); err == nil {
		load = b
	}
	t.Logf("subscriber load (%s, GOMAXPROCS %d): %d subscribers, %d events, deliveries %d/%d (extra %d); "+
		"commit-to-delivery p50 %s p99 %s max %s; heap in use %.1f KiB/subscriber (client+server, %.1f goroutines/subscriber); load average %.2f %.2f %.2f",
		dia, runtime.GOMAXPROCS(0), n, loadEvents, len(latencies), want, extra,
		pct(0.50).Round(10*time.Microsecond), pct(0.99).Round(10*time.Microsecond), pct(1).Round(10*time.Microsecond),
		perSubscriber/1024, goroutinesPer, load[0], load[1], load[2])
	if firstErr != nil {
		t.Errorf("a subscriber's connection failed: %v", firstErr)
	}
	if missing > 0 {
		t.Errorf("%d of %d deliveries missing", missing, want)
	}
}

// dialLoadClient opens a graphql-transport-ws connection as token and
// subscribes to escalationEvents under id "1".
func dialLoadClient(url, token string) (*loadClient, error) {
	ctx, cancel := context.WithTimeout(context.Background(), waitFor)
	defer cancel()
	conn, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{Subprotocols: []string{"graphql-transport-ws"}})
	if err != nil {
		return nil, fmt.Errorf("dialing: %w", err)
	}
	fail := func(err error) (*loadClient, error) {
		_ = conn.Close(websocket.StatusNormalClosure, "")
		return nil, err
	}
	if err := conn.Write(ctx, websocket.MessageText, mustJSON(wsMessage{Type: "connection_init", Payload: mustJSON(map[string]string{"Authorization": "Bearer " + token})})); err != nil {
		return fail(fmt.Errorf("connection_init: %w", err))
	}
	for {
		_, b, err := conn.Read(ctx)
		if err != nil {
			return fail(fmt.Errorf("waiting for connection_ack: %w", err))
		}
		var m wsMessage
		if err := json.Unmarshal(b, &m); err != nil {
			return fail(fmt.Errorf("decoding %q: %w", b, err))
		}
		if m.Type == "connection_ack" {
			break
		}
		if m.Type != "ping" {
			return fail(fmt.Errorf("want connection_ack, got %s", b))
		}
		_ = conn.Write(ctx, websocket.MessageText, mustJSON(wsMessage{Type: "pong"}))
	}
	if err := conn.Write(ctx, websocket.MessageText, mustJSON(wsMessage{ID: "1", Type: "subscribe", Payload: mustJSON(jsonObject{"query": loadSubscription})})); err != nil {
		return fail(fmt.Errorf("subscribe: %w", err))
	}
	return &loadClient{conn: conn, arrived: make([]time.Time, loadEvents)}, nil
}

// read stamps each event's arrival until the connection ends.
func (c *loadClient) read(done *sync.WaitGroup, delivered *atomic.Int64, closing *atomic.Bool) {
	defer done.Done()
	for {
		_, b, err := c.conn.Read(context.Background())
		now := time.Now()
		if err != nil {
			if !closing.Load() {
				c.err = err
			}
			return
		}
		var m struct {
			Type    string `json:"type"`
			Payload struct {
				Data struct {
					EscalationEvents struct {
						Event struct{ Body string }
					}
				}
				Errors []gqlError
			} `json:"payload"`
		}
		if err := json.Unmarshal(b, &m); err != nil {
			c.err = fmt.Errorf("decoding %q: %w", b, err)
			return
		}
		switch m.Type {
		case "ping":
			_ = c.conn.Write(context.Background(), websocket.MessageText, mustJSON(wsMessage{Type: "pong"}))
		case "next":
			if len(m.Payload.Errors) > 0 {
				c.err = fmt.Errorf("subscription error: %s", b)
				return
			}
			i, err := strconv.Atoi(strings.TrimPrefix(m.Payload.Data.EscalationEvents.Event.Body, "load-"))
			if err != nil || i < 0 || i >= len(c.arrived) || !c.arrived[i].IsZero() {
				c.extra++
				continue
			}
			c.arrived[i] = now
			delivered.Add(1)
		case "pong":
		default:
			c.err = fmt.Errorf("unexpected message %s", b)
			return
		}
	}
}

// raiseFileLimit raises the soft open-file limit to at least need, up to the hard limit.
func raiseFileLimit(t *testing.T, need uint64) {
	var l syscall.Rlimit
	if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		t.Logf("reading the open-file limit: %v", err)
		return
	}
	if l.Cur >= need {
		return
	}
	l.Cur = min(need, l.Max)
	if err := syscall.Setrlimit(syscall.RLIMIT_NOFILE, &l); err != nil {
		t.Logf("raising the open-file limit: %v", err)
	}
	if l.Cur < need {
		t.Logf("open-file limit %d is below the %d this test needs; raise the hard limit (ulimit -Hn)", l.Cur, need)
	}
}

// readLoadAvg is the machine's 1, 5 and 15 minute load averages, where /proc has them.
func readLoadAvg() ([3]float64, error) {
	var out [3]float64
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return out, err
	}
	f := strings.Fields(string(b))
	for i := range min(3, len(f)) {
		out[i], _ = strconv.ParseFloat(f[i], 64)
	}
	return out, nil
}
