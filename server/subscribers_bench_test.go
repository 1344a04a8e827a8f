package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"carrierdesk/ent/accountassignment"
	"carrierdesk/ent/escalation"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/auth"
	"carrierdesk/internal/events"

	"entgo.io/ent/dialect"
	"github.com/coder/websocket"
)

// subscribersFlag turns TestSubscriberLoad on: it holds this many WebSocket
// subscribers on one instance. `make test` leaves it at 0, so the test skips.
var subscribersFlag = flag.Int("subscribers", 0, "run TestSubscriberLoad with this many concurrent WebSocket subscribers")

const (
	loadEvents     = 100                   // events committed while every subscriber listens, round robin over the carriers' escalations
	loadEventGap   = 50 * time.Millisecond // between commits: 20 a second
	loadCarriers   = 50                    // carriers, each with one account, escalation and contact
	loadTeams      = 5                     // teams, each with a manager and loadCarriers/loadTeams reps
	loadDialers    = 50                    // connections opened at once
	loadSubscribed = 60 * time.Second      // for all subscriptions to register
	loadDelivered  = 30 * time.Second      // for every delivery after the last commit
)

const loadSubscription = `subscription { escalationEvents { cursor event { id kind body createdAt } escalation { id } } }`

// loadClient is one subscriber; its reader stamps when each event arrives.
type loadClient struct {
	conn    *websocket.Conn
	sees    func(event int) bool // the events its viewer may see
	arrived []time.Time          // by event index; written only by the reader goroutine
	extra   int                  // deliveries of an unknown, repeated or invisible event
	err     error                // why the reader stopped, other than the test closing it
}

// loadViewer is one signed-in user of the load test and the events it may see.
type loadViewer struct {
	token string
	sees  func(event int) bool
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
	if *subscribersHeapFlag != "" {
		// Record every allocation, so that small per-subscriber objects are
		// not lost to sampling; the profile is for reading, not for timing.
		defer func(rate int) { runtime.MemProfileRate = rate }(runtime.MemProfileRate)
		runtime.MemProfileRate = 1
	}
	raiseFileLimit(t, uint64(n+min(n, max(*subscribersHereFlag, 0))+256)) // the server end of every connection, and the client end of those made here
	prev := slog.Default()
	slog.SetDefault(slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelWarn}))) // one line per request would drown the report
	defer slog.SetDefault(prev)

	dia := dialect.SQLite
	if pgReason == "" {
		dia = dialect.Postgres
	}
	app := newTestApp(t, dia)
	broker := app.db.Events.(interface {
		events.Broker
		Subscribers() int
	})

	// Fixture: loadCarriers carriers, each with an account, an escalation
	// and a contact; loadTeams teams, each a manager and one rep per account
	// of its share. Event i goes to escalation i % loadCarriers, so a rep
	// sees the events of its account, a manager those of its team, a
	// carrier contact those of its carrier.
	c, ctx := app.db.Client, allowCtx()
	var escalations []string
	var managers, reps, contacts []loadViewer
	perTeam := loadCarriers / loadTeams
	for k := range loadTeams {
		mgr := c.Rep.Create().SetName(fmt.Sprint("Load Manager ", k)).SetEmail(fmt.Sprintf("load-mgr-%d@carrierdesk.example", k)).
			SetRole(enum.RoleManager).SetRegion(enum.RegionNortheast).SaveX(ctx)
		team := c.Team.Create().SetName(fmt.Sprint("Load Team ", k)).SetRegion(enum.RegionNortheast).SetManagerID(mgr.ID).SaveX(ctx)
		managers = append(managers, loadViewer{
			token: app.sign(t, auth.Claims{Subject: mgr.ID, Role: string(enum.RoleManager)}),
			sees:  func(e int) bool { return (e%loadCarriers)/perTeam == k },
		})
		for j := range perTeam {
			i := k*perTeam + j
			carrier := c.Carrier.Create().SetName(fmt.Sprint("Load Carrier ", i)).SetOcn(fmt.Sprintf("7%03d", i)).
				SetCcna(fmt.Sprintf("L%c%c", 'A'+i/26, 'A'+i%26)).SaveX(ctx)
			contact := c.Contact.Create().SetCarrierID(carrier.ID).SetName(fmt.Sprint("Load Contact ", i)).
				SetEmail(fmt.Sprintf("load-%d@carrier.example", i)).SaveX(ctx)
			account := c.Account.Create().SetCarrierID(carrier.ID).SetAccountNumber(fmt.Sprint("LD-", i)).
				SetBan(fmt.Sprint("LD-BAN-", i)).SetName(fmt.Sprint("Load account ", i)).SetMarket("Boston").
				SetRegion(enum.RegionNortheast).SaveX(ctx)
			esc := c.Escalation.Create().SetAccountID(account.ID).SetTitle(fmt.Sprint("Load escalation ", i)).
				SetCategory(escalation.CategoryServiceAssurance).SetSeverity(escalation.SeveritySev2).SaveX(ctx)
			escalations = append(escalations, esc.ID)
			rep := c.Rep.Create().SetName(fmt.Sprint("Load Rep ", i)).SetEmail(fmt.Sprintf("load-rep-%d@carrierdesk.example", i)).
				SetRole(enum.RoleSupport).SetRegion(enum.RegionNortheast).SetTeamID(team.ID).SaveX(ctx)
			c.AccountAssignment.Create().SetAccountID(account.ID).SetRepID(rep.ID).
				SetCapacity(accountassignment.CapacitySupport).SetStartedAt(time.Now().AddDate(0, -1, 0)).SaveX(ctx)
			reps = append(reps, loadViewer{
				token: app.sign(t, auth.Claims{Subject: rep.ID, Role: string(enum.RoleSupport)}),
				sees:  func(e int) bool { return e%loadCarriers == i },
			})
			contacts = append(contacts, loadViewer{
				token: app.sign(t, auth.Claims{Subject: contact.ID, Role: string(enum.RoleCarrier), CarrierID: carrier.ID}),
				sees:  func(e int) bool { return e%loadCarriers == i },
			})
		}
	}
	// The mix: 30% managers, 55% reps, 15% carrier contacts, spread evenly over each kind's users.
	viewerOf := func(i int) loadViewer {
		switch p := i % 20; {
		case p < 6:
			return managers[(i/20)%len(managers)]
		case p < 17:
			return reps[(i/20)%len(reps)]
		default:
			return contacts[(i/20)%len(contacts)]
		}
	}

	// Both ends of every connection count against this process's open-file
	// limit; past inProcessSubscribers the rest connect from a child process.
	url := "ws" + strings.TrimPrefix(app.srv.URL, "http") + "/query"
	local := min(n, max(*subscribersHereFlag, 0))
	registered := func(want int) {
		t.Helper()
		deadline := time.Now().Add(loadSubscribed)
		for events.Subscribers(broker) != want {
			if time.Now().After(deadline) {
				t.Fatalf("%d subscriptions registered, want %d", events.Subscribers(broker), want)
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	// Memory per subscriber is the marginal cost: a first tenth of the
	// child's subscribers connects before the baseline is taken, so that
	// what a process pays once (caches, pooled database connections, the
	// schema's first use) is not spread over the subscribers.
	var children []*loadChild
	warm := 0
	if local == 0 && n >= 10 {
		warm = n / 10
		children = append(children, startLoadChild(t, url, viewerTokens(viewerOf, 0, warm)))
		registered(warm)
	}
	settle()
	var before runtime.MemStats
	runtime.ReadMemStats(&before)
	goroutinesBefore := runtime.NumGoroutine()
	measured := n - warm
	if start := max(local, warm); start < n {
		children = append(children, startLoadChild(t, url, viewerTokens(viewerOf, start, n)))
	}

	// Connect and subscribe, loadDialers at a time.
	clients := make([]*loadClient, local)
	var readers sync.WaitGroup
	var delivered atomic.Int64
	var opened atomic.Int64
	var closing atomic.Bool
	start := time.Now()
	errs := make(chan error, n)
	sem := make(chan struct{}, loadDialers)
	var dialing sync.WaitGroup
	for i := range local {
		dialing.Add(1)
		sem <- struct{}{}
		go func() {
			defer dialing.Done()
			defer func() { <-sem }()
			v := viewerOf(i)
			lc, err := dialLoadClient(url, v.token)
			if err != nil {
				errs <- fmt.Errorf("subscriber %d: %w", i, err)
				return
			}
			lc.sees = v.sees
			clients[i] = lc
			readers.Add(1)
			go lc.read(&readers, &delivered, &closing)
			if k := opened.Add(1); k%1000 == 0 || int(k) == local {
				t.Logf("connections opened here: %d/%d (%s)", k, local, time.Since(start).Round(time.Millisecond))
			}
		}()
	}
	dialing.Wait()
	close(errs)
	t.Cleanup(func() {
		closing.Store(true)
		for _, lc := range clients {
			if lc != nil && lc.conn != nil {
				_ = lc.conn.Close(websocket.StatusNormalClosure, "")
			}
		}
		readers.Wait()
	})
	for err := range errs {
		t.Fatal(err)
	}
	registered(n)
	t.Logf("%d subscriptions registered in %s", n, time.Since(start).Round(time.Millisecond))
	groups := broker.Subscribers()

	settle()
	var after runtime.MemStats
	runtime.ReadMemStats(&after)
	perSubscriber := (float64(after.HeapInuse) - float64(before.HeapInuse)) / float64(measured)
	stackPerSubscriber := (float64(after.StackInuse) - float64(before.StackInuse)) / float64(measured)
	if path := *subscribersHeapFlag; path != "" {
		f, err := os.Create(path)
		if err != nil {
			t.Fatal(err)
		}
		if err := pprof.WriteHeapProfile(f); err != nil {
			t.Fatal(err)
		}
		f.Close()
		if g, err := os.Create(path + ".goroutines"); err == nil {
			_ = pprof.Lookup("goroutine").WriteTo(g, 1)
			g.Close()
		}
	}
	goroutinesPer := float64(runtime.NumGoroutine()-goroutinesBefore) / float64(measured)

	// Commit events through the API, stamping each commit when its mutation returns.
	cpuBefore := cpuTime()
	committed := make([]time.Time, loadEvents)
	for i := range loadEvents {
		app.comment(t, escalations[i%loadCarriers], "load-"+strconv.Itoa(i), false)
		committed[i] = time.Now()
		t.Logf("events sent: %d/%d", i+1, loadEvents)
		time.Sleep(loadEventGap)
	}

	var want, wantHere int64
	for i := range n {
		for e := range loadEvents {
			if viewerOf(i).sees(e) {
				want++
				if i < local {
					wantHere++
				}
			}
		}
	}
	deadline := time.Now().Add(loadDelivered)
	for delivered.Load() < wantHere && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	if len(children) > 0 {
		time.Sleep(time.Second) // the children's last deliveries, which they stamp themselves
	}
	time.Sleep(200 * time.Millisecond) // let any duplicate deliveries arrive too
	cpuPerEvent := (cpuTime() - cpuBefore) / loadEvents
	heapCovers := "server only"
	if local > 0 {
		heapCovers = fmt.Sprintf("server, and the client end of %d", local)
	}

	// Stop the readers before reading what they recorded.
	closing.Store(true)
	for _, lc := range clients {
		_ = lc.conn.Close(websocket.StatusNormalClosure, "")
	}
	readers.Wait()
	clients = slices.Clip(clients)
	for _, child := range children {
		for _, r := range child.results(t) {
			i := len(clients)
			lc := &loadClient{sees: viewerOf(i).sees, arrived: make([]time.Time, loadEvents), extra: r.Extra}
			for e, at := range r.Arrived {
				if at != 0 {
					lc.arrived[e] = time.Unix(0, at)
				}
			}
			if r.Err != "" {
				lc.err = errors.New(r.Err)
			}
			clients = append(clients, lc)
		}
	}

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
				if lc.sees(i) {
					missing++
				}
				continue
			}
			if !lc.sees(i) {
				extra++
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
	t.Logf("subscriber load (%s, GOMAXPROCS %d): %d subscribers (30%% managers, 55%% reps, 15%% carrier contacts of %d carriers; %d shared streams), %d events at %d/s, deliveries %d/%d (extra %d); "+
		"commit-to-delivery p50 %s p99 %s max %s; memory per idle subscriber %.1f KiB heap in use + %.1f KiB goroutine stacks (%s, %d subscribers after %d, %.1f goroutines/subscriber); "+
		"server CPU %s per event; load average %.2f %.2f %.2f",
		dia, runtime.GOMAXPROCS(0), n, loadCarriers, groups, loadEvents, time.Second/loadEventGap, len(latencies), want, extra,
		pct(0.50).Round(10*time.Microsecond), pct(0.99).Round(10*time.Microsecond), pct(1).Round(10*time.Microsecond),
		perSubscriber/1024, stackPerSubscriber/1024, heapCovers, measured, warm, goroutinesPer, cpuPerEvent.Round(10*time.Microsecond), load[0], load[1], load[2])
	if firstErr != nil {
		t.Errorf("a subscriber's connection failed: %v", firstErr)
	}
	if missing > 0 {
		t.Errorf("%d of %d deliveries missing", missing, want)
	}
	if extra > 0 {
		t.Errorf("%d deliveries repeated or not the viewer's", extra)
	}
}

// subscribersHereFlag is how many load subscribers connect from the test
// process itself rather than from a child process. By default none: then
// the heap figure is the server's alone, and the open-file limit (both ends
// of a connection count in one process) is no ceiling.
var subscribersHeapFlag = flag.String("subscribers-heapprofile", "", "write a heap profile to `file` when TestSubscriberLoad's subscribers are all registered")

var subscribersHereFlag = flag.Int("subscribers-here", 0, "how many of TestSubscriberLoad's subscribers connect from the test process itself")

// loadChild is a child process holding load subscribers: the test binary
// again, running TestSubscriberLoadChild.
type loadChild struct {
	cmd   *exec.Cmd
	stdin io.WriteCloser
	out   *bufio.Scanner
}

// loadChildSpec is what the child is told: where to connect, as whom.
type loadChildSpec struct {
	URL    string
	Tokens []string
}

// loadChildResult is one child subscriber's record: when each event arrived (Unix ns, 0 for never).
type loadChildResult struct {
	Arrived []int64
	Extra   int
	Err     string
}

const loadChildEnv = "CARRIERDESK_LOAD_CHILD"

func startLoadChild(t *testing.T, url string, tokens []string) *loadChild {
	t.Helper()
	spec := filepath.Join(t.TempDir(), "load-child.json")
	b, _ := json.Marshal(loadChildSpec{URL: url, Tokens: tokens})
	if err := os.WriteFile(spec, b, 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestSubscriberLoadChild$", "-test.count=1", "-test.timeout=20m")
	cmd.Env = append(os.Environ(), loadChildEnv+"="+spec)
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	c := &loadChild{cmd: cmd, stdin: stdin, out: bufio.NewScanner(stdout)}
	c.out.Buffer(make([]byte, 1<<20), 1<<30)
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	if line := c.line(t, "LOADCHILD "); line != "LOADCHILD ready" {
		t.Fatalf("load child: %s", line)
	}
	t.Logf("%d subscribers connected from a child process", len(tokens))
	return c
}

// line returns the child's next output line that starts with prefix.
func (c *loadChild) line(t *testing.T, prefix string) string {
	t.Helper()
	for c.out.Scan() {
		if l := c.out.Text(); strings.HasPrefix(l, prefix) {
			return l
		}
	}
	t.Fatalf("load child ended: %v", c.out.Err())
	return ""
}

// results tells the child to stop and returns its subscribers' records.
func (c *loadChild) results(t *testing.T) []loadChildResult {
	t.Helper()
	_ = c.stdin.Close()
	var rs []loadChildResult
	if err := json.Unmarshal([]byte(strings.TrimPrefix(c.line(t, "LOADCHILD results "), "LOADCHILD results ")), &rs); err != nil {
		t.Fatalf("load child results: %v", err)
	}
	return rs
}

// TestSubscriberLoadChild is the child side of TestSubscriberLoad: it
// subscribes as the tokens it is given, says ready, records arrivals until
// its standard input closes, then prints them.
func TestSubscriberLoadChild(t *testing.T) {
	path := os.Getenv(loadChildEnv)
	if path == "" {
		t.Skip("run by TestSubscriberLoad")
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var spec loadChildSpec
	if err := json.Unmarshal(b, &spec); err != nil {
		t.Fatal(err)
	}
	raiseFileLimit(t, uint64(len(spec.Tokens)+256))
	clients := make([]*loadClient, len(spec.Tokens))
	var readers, dialing sync.WaitGroup
	var delivered atomic.Int64
	var closing atomic.Bool
	sem := make(chan struct{}, loadDialers)
	var failed atomic.Value
	for i, token := range spec.Tokens {
		dialing.Add(1)
		sem <- struct{}{}
		go func() {
			defer dialing.Done()
			defer func() { <-sem }()
			lc, err := dialLoadClient(spec.URL, token)
			if err != nil {
				failed.Store(err.Error())
				return
			}
			clients[i] = lc
			readers.Add(1)
			go lc.read(&readers, &delivered, &closing)
		}()
	}
	dialing.Wait()
	if err, ok := failed.Load().(string); ok {
		fmt.Println("LOADCHILD failed: " + err)
		return
	}
	fmt.Println("LOADCHILD ready")
	_, _ = io.Copy(io.Discard, os.Stdin)
	closing.Store(true)
	for _, lc := range clients {
		_ = lc.conn.Close(websocket.StatusNormalClosure, "")
	}
	readers.Wait()
	rs := make([]loadChildResult, len(clients))
	for i, lc := range clients {
		rs[i] = loadChildResult{Arrived: make([]int64, len(lc.arrived)), Extra: lc.extra}
		for e, at := range lc.arrived {
			if !at.IsZero() {
				rs[i].Arrived[e] = at.UnixNano()
			}
		}
		if lc.err != nil {
			rs[i].Err = lc.err.Error()
		}
	}
	out, _ := json.Marshal(rs)
	fmt.Println("LOADCHILD results " + string(out))
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

// cpuTime is the user and system CPU time this process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
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

// viewerTokens are the tokens of subscribers from up to to.
func viewerTokens(viewerOf func(int) loadViewer, from, to int) []string {
	tokens := make([]string, 0, to-from)
	for i := from; i < to; i++ {
		tokens = append(tokens, viewerOf(i).token)
	}
	return tokens
}

// settle collects garbage until the heap and the stacks stop shrinking. Each
// collection halves the stack of a goroutine that uses under a quarter of it:
// an idle subscriber's goroutines, which grew their stacks serving the
// handshake and the subscribe, come down to what waiting needs. A running
// server gets there on its own; it collects at least every two minutes.
func settle() {
	var last runtime.MemStats
	for range 10 {
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		if ms.StackInuse == last.StackInuse && ms.HeapInuse >= last.HeapInuse {
			return
		}
		last = ms
	}
}
