// Command bench is carrierdesk's benchmark suite, run by `make bench`.
//
// It seeds a large portfolio into a PostgreSQL database of its own (or reuses
// one already seeded), builds and starts the real server, and measures over
// HTTP, at a fixed concurrency for a fixed time, the web app's account and
// carrier pages, the mobile home screen and two reports; the two pages also
// against a hand-written SQL baseline that builds the same JSON in one query.
// For each it reports requests per second, latency, SQL statements, bytes,
// allocations and CPU per request, checks that statements do not grow with
// the data and that no statement scans a large table, profiles the server
// under the account page, and writes the results to a file that the next run
// compares against.
//
//	go run ./bench [-c 16] [-duration 30s] [-scale 13] [-workloads account,carrier]
package main

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"flag"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"path/filepath"
	"reflect"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"

	"carrierdesk/internal/auth"
)

// config is the run's settings, from flags.
type config struct {
	dbURL       string
	scale       int
	reseed      bool
	concurrency int
	duration    time.Duration
	warmup      time.Duration
	profile     time.Duration
	workloads   string
	out         string
}

func main() {
	var cfg config
	flag.StringVar(&cfg.dbURL, "db", or(os.Getenv("BENCH_DATABASE_URL"), "postgres://postgres@127.0.0.1:5432/carrierdesk_bench?sslmode=disable"),
		"PostgreSQL `URL` of the benchmark's own database, created if missing (also BENCH_DATABASE_URL)")
	flag.IntVar(&cfg.scale, "scale", 13, "seed scale: 13 is the smallest above the issue's minimum portfolio")
	flag.BoolVar(&cfg.reseed, "reseed", false, "drop and seed the database even if it holds a large enough portfolio")
	flag.IntVar(&cfg.concurrency, "c", 16, "concurrent clients")
	flag.DurationVar(&cfg.duration, "duration", 30*time.Second, "measured time per workload and target")
	flag.DurationVar(&cfg.warmup, "warmup", 3*time.Second, "unmeasured load before each measurement")
	flag.DurationVar(&cfg.profile, "profile", 20*time.Second, "CPU and allocation profile of the server under the account page; 0 skips it")
	flag.StringVar(&cfg.workloads, "workloads", "", "comma-separated `list` of workloads to run (account, carrier, me, aggregate, portfolio); all by default")
	flag.StringVar(&cfg.out, "out", "bench/results", "`directory` for results, profiles and server logs")
	baselineAddr := flag.String("serve-baseline", "", "internal: serve the baseline on `ADDR`")
	baselineDebug := flag.String("baseline-debug", "", "internal: the baseline's expvar `ADDR`")
	flag.Parse()
	if *baselineAddr != "" {
		if err := serveBaseline(*baselineAddr, *baselineDebug, cfg.dbURL); err != nil {
			fmt.Fprintln(os.Stderr, "baseline:", err)
			os.Exit(1)
		}
		return
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, cfg); err != nil {
		fmt.Fprintln(os.Stderr, "bench:", err)
		os.Exit(1)
	}
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

var started = time.Now()

// step prints a phase heading with the time since the run began.
func step(format string, args ...any) {
	fmt.Printf("\n== [%s] %s\n", time.Since(started).Round(time.Second), fmt.Sprintf(format, args...))
}

func run(ctx context.Context, cfg config) error {
	if err := os.MkdirAll(cfg.out, 0o755); err != nil {
		return err
	}
	prev, err := loadPrevious(cfg.out)
	if err != nil {
		return err
	}
	step("database %s", redact(cfg.dbURL))
	size, err := prepareDatabase(ctx, cfg.dbURL, cfg.scale, cfg.reseed, os.Stdout)
	if err != nil {
		return err
	}
	db, err := openPool(ctx, cfg.dbURL, 4)
	if err != nil {
		return err
	}
	defer db.Close()
	subj, err := pickSubjects(ctx, db, 256)
	if err != nil {
		return err
	}
	sign := func(id, role string) (string, error) {
		return auth.Sign([]byte(auth.DevSecret), auth.Claims{Subject: id, Role: role}, 12*time.Hour, time.Now())
	}
	all, err := workloads(subj, sign)
	if err != nil {
		return err
	}
	ws, err := selectWorkloads(all, cfg.workloads)
	if err != nil {
		return err
	}
	rep := &report{
		When:        time.Now().UTC(),
		Machine:     describeMachine(ctx, db),
		Portfolio:   size,
		Concurrency: cfg.concurrency,
		Duration:    cfg.duration.String(),
		Subjects:    map[string]string{},
		Equal:       map[string]string{},
		Plans:       map[string][]planCheck{},
	}
	for _, w := range ws {
		rep.Subjects[w.Key] = fmt.Sprintf("%d subject(s) in rotation; statements counted for the smallest (%s) and the largest (%s)",
			len(w.requests), w.smallSize, w.largeSize)
	}

	step("building the server")
	tmp, err := os.MkdirTemp("", "carrierdesk-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	bin, err := buildServer(ctx, tmp)
	if err != nil {
		return err
	}

	step("counting SQL statements through a wire-protocol proxy, checking the baseline's JSON")
	counts, recorded, err := countStatements(ctx, cfg, bin, db, ws, rep)
	if err != nil {
		return err
	}

	step("EXPLAIN of every statement of the largest subjects")
	sizes, err := tableSizes(ctx, db)
	if err != nil {
		return err
	}
	for _, w := range ws {
		rep.Plans[w.Key] = explain(ctx, db, recorded[w.Key], sizes)
		if w.Baseline != "" {
			rep.Plans[w.Key+" baseline"] = explain(ctx, db, []capturedStatement{{SQL: w.Baseline, Args: []any{w.large.Subject}}}, sizes)
		}
	}
	for _, k := range sortedKeys(rep.Plans) {
		large, small := 0, 0
		for _, p := range rep.Plans[k] {
			large += len(p.LargeScans)
			small += len(p.SmallScans)
			for _, s := range p.LargeScans {
				fmt.Printf("  %s: SEQUENTIAL SCAN of %s in %s\n", k, s, shortSQL(p.SQL, 140))
			}
			if p.Error != "" {
				fmt.Printf("  %s: EXPLAIN failed (%s) for %s\n", k, p.Error, shortSQL(p.SQL, 140))
			}
		}
		total := 0.0
		for _, p := range rep.Plans[k] {
			total += p.ExecutionMs
		}
		fmt.Printf("  %-20s %2d statements, %d sequential scans of large tables, %d of small ones; %.1f ms in PostgreSQL\n", k, len(rep.Plans[k]), large, small, total)
	}

	step("measuring: %d clients, %s warm-up and %s per workload", cfg.concurrency, cfg.warmup, cfg.duration)
	srv, err := startServer(ctx, "server", bin, cfg.dbURL, filepath.Join(cfg.out, "server.log"))
	if err != nil {
		return err
	}
	defer srv.stop()
	var base *process
	for _, w := range ws {
		if w.Baseline != "" {
			if base, err = startBaseline(ctx, cfg.dbURL, filepath.Join(cfg.out, "baseline.log")); err != nil {
				return err
			}
			defer base.stop()
			break
		}
	}
	client := newHTTPClient(cfg.concurrency)
	loadBefore := loadAverage()
	for _, w := range ws {
		res, err := measure(ctx, cfg, client, srv, w, "graphql", srv.baseURL+"/query")
		if err != nil {
			return err
		}
		c := counts[w.Key]
		res.StatementsSmall, res.StatementsLarge, res.TxControl = c[0], c[1], c[2]
		rep.Results = append(rep.Results, res)
		if w.Baseline == "" {
			continue
		}
		b, err := measure(ctx, cfg, client, base, w, "baseline", base.baseURL+"/"+w.Key)
		if err != nil {
			return err
		}
		b.StatementsSmall, b.StatementsLarge = 1, 1
		u, err := measure(ctx, cfg, client, base, w, "baseline unprepared", base.baseURL+"/"+w.Key+"/unprepared")
		if err != nil {
			return err
		}
		u.StatementsSmall, u.StatementsLarge = 1, 1
		if b.RPS > 0 {
			res.VsBaseline = res.RPS / b.RPS
		}
		if u.RPS > 0 {
			res.VsUnprepared = res.RPS / u.RPS
		}
		rep.Results[len(rep.Results)-1] = res
		rep.Results = append(rep.Results, b, u)
	}
	base.stop()
	rep.Machine.Load = fmt.Sprintf("%s before the measurements, %s after", loadBefore, loadAverage())

	if cfg.profile > 0 && len(ws) > 0 {
		w := ws[0]
		step("profiling the server for %s under %s", cfg.profile, w.Name)
		rep.Profile = profileServer(ctx, cfg, client, srv, bin, w)
	}
	srv.stop()

	rep.Goals = goals(rep)
	step("results")
	fmt.Printf("  %s, %d cores; load average %s\n", rep.Machine.CPU, rep.Machine.Cores, rep.Machine.Load)
	rep.printTable(os.Stdout)
	fmt.Println()
	for _, g := range rep.Goals {
		fmt.Println("  " + g)
	}
	if p := rep.Profile; p != nil && p.ProfileError == "" {
		fmt.Printf("\n  CPU by part of the stack (flat): %s\n", strings.Join(sortedShares(p.CPUShares), ", "))
		fmt.Printf("  CPU with a frame of (overlapping): %s\n", strings.Join(sortedShares(p.CPUCum), ", "))
		fmt.Printf("  allocated bytes by part of the stack: %s\n", strings.Join(sortedShares(p.AllocShares), ", "))
	}
	if prev != nil {
		fmt.Printf("\n  compared with the run of %s:\n", prev.When.Format(time.RFC3339))
		for _, d := range rep.deltas(prev) {
			fmt.Println("  " + d)
		}
	}
	if err := rep.save(cfg.out, prev); err != nil {
		return err
	}
	fmt.Printf("\nwritten: %s and %s (the next run compares against it)\n",
		filepath.Join(cfg.out, "latest.json"), filepath.Join(cfg.out, "latest.md"))
	return nil
}

// countStatements runs each workload's smallest and largest subject once
// (after a warm-up request) against a server whose database connection
// goes through the statement proxy, records the largest subject's
// statements, and compares the baseline's JSON with the server's. It returns
// per workload the statements of the small and the large subject and the
// transaction-control statements of the large one.
func countStatements(ctx context.Context, cfg config, bin string, db *sql.DB, ws []*workload, rep *report) (map[string][3]int64, map[string][]capturedStatement, error) {
	u, err := url.Parse(cfg.dbURL)
	if err != nil {
		return nil, nil, err
	}
	upstream := u.Host
	if u.Port() == "" {
		upstream = net.JoinHostPort(u.Hostname(), "5432")
	}
	proxy, err := startProxy(upstream)
	if err != nil {
		return nil, nil, err
	}
	defer proxy.Close()
	proxied := *u
	proxied.Host = proxy.Addr()
	srv, err := startServer(ctx, "server (through the statement proxy)", bin, proxied.String(), filepath.Join(cfg.out, "server-count.log"))
	if err != nil {
		return nil, nil, err
	}
	defer srv.stop()
	client := newHTTPClient(1)
	counts := map[string][3]int64{}
	recorded := map[string][]capturedStatement{}
	var buf bytes.Buffer
	for _, w := range ws {
		var c [3]int64
		for i, r := range []request{w.small, w.large} {
			if err := post(ctx, client, srv.baseURL+"/query", r, &buf); err != nil {
				return nil, nil, fmt.Errorf("%s: %w", w.Name, err)
			}
			proxy.Reset(i == 1)
			if err := post(ctx, client, srv.baseURL+"/query", r, &buf); err != nil {
				return nil, nil, fmt.Errorf("%s: %w", w.Name, err)
			}
			c[i] = proxy.statements.Load()
			c[2] = proxy.txControl.Load()
		}
		counts[w.Key] = c
		recorded[w.Key] = proxy.Recorded()
		verdict := "constant"
		if c[0] != c[1] {
			verdict = "GROWS WITH THE DATA"
		}
		fmt.Printf("  %-20s %3d statements for the smallest subject (%s), %3d for the largest (%s): %s\n",
			w.Name, c[0], w.smallSize, c[1], w.largeSize, verdict)
		if w.Baseline != "" {
			stmt, err := db.PrepareContext(ctx, w.Baseline)
			if err != nil {
				return nil, nil, fmt.Errorf("%s baseline: %w", w.Name, err)
			}
			rep.Equal[w.Key] = compareBaseline(ctx, client, srv.baseURL+"/query", baselineHandler{stmt: stmt}, w)
			stmt.Close()
			fmt.Printf("  %-20s baseline JSON: %s\n", w.Name, rep.Equal[w.Key])
		}
	}
	return counts, recorded, nil
}

// compareBaseline asks the server and the baseline for the same subjects and
// says whether the answers are the same bytes, the same data, or where they differ.
func compareBaseline(ctx context.Context, client *http.Client, url string, h baselineHandler, w *workload) string {
	reqs := append([]request{w.small, w.large}, w.requests[:min(30, len(w.requests))]...)
	var buf bytes.Buffer
	same, equal := 0, 0
	var example string
	for _, r := range reqs {
		if err := post(ctx, client, url, r, &buf); err != nil {
			return "could not compare: " + err.Error()
		}
		gq := bytes.Clone(buf.Bytes())
		bl, err := h.render(ctx, r.Subject)
		if err != nil {
			return "could not compare: the baseline failed: " + err.Error()
		}
		if bytes.Equal(gq, bl) || withExtensions(gq, bl) {
			same++
			continue
		}
		var a, b map[string]any
		if err := json.Unmarshal(gq, &a); err != nil {
			return "could not compare: " + err.Error()
		}
		if err := json.Unmarshal(bl, &b); err != nil {
			return "could not compare: " + err.Error()
		}
		if d := difference("", a["data"], b["data"]); d != "" {
			return fmt.Sprintf("DIFFERENT for %s: %s", r.Subject, d)
		}
		equal++
		if example == "" {
			example = firstByteDifference(gq, bl)
		}
	}
	if equal == 0 {
		return fmt.Sprintf("byte-identical to the GraphQL response's data for all %d subjects compared", same)
	}
	return fmt.Sprintf("the same data for all %d subjects compared, %d byte-identical; the others differ in encoding only, first %s", same+equal, same, example)
}

// withExtensions reports whether gq is bl with response extensions (the
// query's cost) after the data: the same data, byte for byte.
func withExtensions(gq, bl []byte) bool {
	n := len(bl) - 1 // bl without its closing brace
	return n > 0 && len(gq) > n && bytes.Equal(gq[:n], bl[:n]) && bytes.HasPrefix(gq[n:], []byte(`,"extensions":`))
}

// firstByteDifference shows where two encodings of the same data first differ.
func firstByteDifference(a, b []byte) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	lo := max(0, i-30)
	return fmt.Sprintf("at byte %d: GraphQL %q, baseline %q", i, a[lo:min(len(a), i+30)], b[lo:min(len(b), i+30)])
}

// difference is the first path at which a and b differ, or "".
func difference(path string, a, b any) string {
	switch av := a.(type) {
	case map[string]any:
		bv, ok := b.(map[string]any)
		if !ok {
			return fmt.Sprintf("%s: object in GraphQL, %T in the baseline", path, b)
		}
		keys := make([]string, 0, len(av))
		for k := range av {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if d := difference(path+"."+k, av[k], bv[k]); d != "" {
				return d
			}
		}
		if len(av) != len(bv) {
			return fmt.Sprintf("%s: %d keys in GraphQL, %d in the baseline", path, len(av), len(bv))
		}
		return ""
	case []any:
		bv, ok := b.([]any)
		if !ok || len(av) != len(bv) {
			return fmt.Sprintf("%s: list of %d in GraphQL, %v in the baseline", path, len(av), shortJSON(b))
		}
		for i := range av {
			if d := difference(fmt.Sprintf("%s[%d]", path, i), av[i], bv[i]); d != "" {
				return d
			}
		}
		return ""
	default:
		if !reflect.DeepEqual(a, b) {
			return fmt.Sprintf("%s: %v in GraphQL, %v in the baseline", path, shortJSON(a), shortJSON(b))
		}
		return ""
	}
}

func shortJSON(v any) string {
	b, _ := json.Marshal(v)
	if len(b) > 80 {
		return string(b[:80]) + "..."
	}
	return string(b)
}

// measure runs one workload against one target and reads the serving
// process's counters at the start and the end of the measured window.
func measure(ctx context.Context, cfg config, client *http.Client, p *process, w *workload, target, url string) (result, error) {
	var (
		before, after     processSample
		pgBefore, pgAfter time.Duration
		sampleErr         error
		heap              []float64
	)
	sample := func(s *processSample) {
		v, err := sampleProcess(ctx, client, p.Pid(), p.VarsURL())
		if err != nil && sampleErr == nil {
			sampleErr = err
		}
		*s = v
	}
	hooks := loadHooks{
		start: func() {
			sample(&before)
			pgBefore = postgresCPU()
		},
		stop: func() {
			pgAfter = postgresCPU()
			sample(&after)
		},
		tick: func(el time.Duration, done int) {
			var s processSample
			sample(&s)
			heap = append(heap, mb(s.HeapInuse))
			fmt.Printf("  %-20s %-8s %3.0f%%  %7d requests  %6.0f req/s  heap %5.1f MB\n",
				w.Name, target, 100*el.Seconds()/cfg.duration.Seconds(), done, float64(done)/el.Seconds(), mb(s.HeapInuse))
		},
	}
	lr := runLoad(ctx, client, url, w.requests, cfg.concurrency, cfg.warmup, cfg.duration, hooks)
	if ctx.Err() != nil {
		return result{}, ctx.Err()
	}
	if sampleErr != nil {
		return result{}, fmt.Errorf("sampling %s: %w", p.name, sampleErr)
	}
	if lr.Errors > 0 {
		fmt.Printf("  %s %s: %d errors; the first: %s\n", w.Name, target, lr.Errors, lr.FirstError)
	}
	n := float64(max(lr.Requests, 1))
	ms := func(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }
	r := result{
		Workload: w.Key, Name: w.Name, Target: target,
		Requests: lr.Requests, Errors: lr.Errors, FirstError: lr.FirstError,
		Seconds:         lr.Elapsed.Seconds(),
		RPS:             float64(lr.Requests) / lr.Elapsed.Seconds(),
		P50ms:           ms(lr.quantile(0.50)),
		P90ms:           ms(lr.quantile(0.90)),
		P99ms:           ms(lr.quantile(0.99)),
		MaxMs:           ms(lr.quantile(1)),
		BytesPerReq:     float64(lr.Bytes) / n,
		StatementsSmall: -1, StatementsLarge: -1,
		AllocsPerReq:  float64(after.Mallocs-before.Mallocs) / n,
		AllocKBPerReq: float64(after.TotalAlloc-before.TotalAlloc) / 1024 / n,
		CPUmsPerReq:   ms(after.CPU-before.CPU) / n,
		DBCPUmsPerReq: -1,
		GCs:           after.NumGC - before.NumGC,
		RSSStartMB:    mb(uint64(before.RSS)), RSSEndMB: mb(uint64(after.RSS)),
		HeapStartMB: mb(before.HeapInuse), HeapEndMB: mb(after.HeapInuse),
	}
	if pgBefore >= 0 && pgAfter >= 0 {
		r.DBCPUmsPerReq = ms(pgAfter-pgBefore) / n
	}
	fmt.Printf("  %-20s %-8s done: %.0f req/s, p50 %.1f ms, p99 %.1f ms, %.2f ms CPU/req, heap %s MB\n",
		w.Name, target, r.RPS, r.P50ms, r.P99ms, r.CPUmsPerReq, strings.Trim(fmt.Sprint(append([]float64{r.HeapStartMB}, heap...)), "[]"))
	return r, nil
}

func mb(b uint64) float64 { return float64(b) / (1 << 20) }

// profileServer profiles the server while it serves w, outside any measured window.
func profileServer(ctx context.Context, cfg config, client *http.Client, srv *process, bin string, w *workload) *profileSummary {
	secs := int(cfg.profile.Seconds())
	s := &profileSummary{Workload: w.Name, Seconds: secs}
	loadCtx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		runLoad(loadCtx, client, srv.baseURL+"/query", w.requests, cfg.concurrency, 0, cfg.profile+cfg.warmup+5*time.Second, loadHooks{})
	}()
	sleep(ctx, cfg.warmup)
	cpuFile, allocsFile, err := captureProfiles(ctx, srv.debug, cfg.out, secs)
	cancel()
	<-done
	if err != nil {
		s.ProfileError = err.Error()
		return s
	}
	sum, err := summarizeProfiles(ctx, bin, cpuFile, allocsFile)
	if err != nil {
		s.ProfileError = err.Error()
		return s
	}
	sum.Workload, sum.Seconds = w.Name, secs
	return &sum
}

// goals states the goals with what this run measured.
func goals(r *report) []string {
	var out []string
	verdict := func(ok bool) string {
		if ok {
			return "met"
		}
		return "NOT met"
	}
	for _, g := range []struct {
		workload string
		min      float64
	}{{"account", 0.65}, {"carrier", 0.6}} {
		if res := r.find(g.workload, "graphql"); res != nil && res.VsBaseline > 0 {
			out = append(out, fmt.Sprintf("%s: throughput %.2f of the baseline (goal >= %.2f): %s; %.2f of the baseline's query unprepared",
				res.Name, res.VsBaseline, g.min, verdict(res.VsBaseline >= g.min), res.VsUnprepared))
		}
	}
	if res := r.find("account", "graphql"); res != nil {
		out = append(out, fmt.Sprintf("%s: p99 %.1f ms at %d clients (goal < 50 ms): %s", res.Name, res.P99ms, r.Concurrency, verdict(res.P99ms < 50)))
	}
	var first, last *result
	for i := range r.Results {
		if r.Results[i].Target == "graphql" {
			if first == nil {
				first = &r.Results[i]
			}
			last = &r.Results[i]
		}
	}
	if first != nil {
		out = append(out, fmt.Sprintf("server memory: heap in use %.1f MB at the start of the first run, %.1f MB at the end of the last; RSS %.0f -> %.0f MB",
			first.HeapStartMB, last.HeapEndMB, first.RSSStartMB, last.RSSEndMB))
	}
	for _, res := range r.Results {
		if res.Target == "graphql" && res.StatementsSmall != res.StatementsLarge {
			out = append(out, fmt.Sprintf("%s: SQL statements grow with the data (%d for the smallest subject, %d for the largest)", res.Name, res.StatementsSmall, res.StatementsLarge))
		}
	}
	for k, plans := range r.Plans {
		for _, p := range plans {
			if len(p.LargeScans) > 0 {
				out = append(out, fmt.Sprintf("%s: a statement scans a large table: %s", k, strings.Join(p.LargeScans, ", ")))
			}
		}
	}
	return out
}

// loadAverage is the machine's 1, 5 and 15 minute load averages.
func loadAverage() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	f := strings.Fields(string(b))
	if len(f) < 3 {
		return "unknown"
	}
	return strings.Join(f[:3], " ")
}

// describeMachine names the CPU, the core count and the software versions.
func describeMachine(ctx context.Context, db *sql.DB) machine {
	m := machine{Cores: runtime.NumCPU(), Go: runtime.Version(), CPU: "unknown CPU"}
	if b, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "model name"); ok {
				m.CPU = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(v), ":"))
				break
			}
		}
	}
	var v string
	if err := db.QueryRowContext(ctx, `SHOW server_version`).Scan(&v); err == nil {
		m.Postgres = "PostgreSQL " + v
	}
	return m
}
