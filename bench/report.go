package main

import (
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"text/tabwriter"
	"time"
)

// result is one workload measured against one target.
type result struct {
	Workload    string  `json:"workload"`
	Name        string  `json:"name"`
	Target      string  `json:"target"` // graphql or baseline
	Requests    int     `json:"requests"`
	Errors      int     `json:"errors"`
	FirstError  string  `json:"firstError,omitempty"`
	Seconds     float64 `json:"seconds"`
	RPS         float64 `json:"rps"`
	P50ms       float64 `json:"p50ms"`
	P90ms       float64 `json:"p90ms"`
	P99ms       float64 `json:"p99ms"`
	MaxMs       float64 `json:"maxMs"`
	BytesPerReq float64 `json:"bytesPerRequest"`
	// Statements are SQL statements per request, transaction control apart,
	// for the smallest and the largest subject; -1 when not counted.
	StatementsSmall int64   `json:"statementsSmall"`
	StatementsLarge int64   `json:"statementsLarge"`
	TxControl       int64   `json:"txControlPerRequest"`
	AllocsPerReq    float64 `json:"allocsPerRequest"`
	AllocKBPerReq   float64 `json:"allocKBPerRequest"`
	CPUmsPerReq     float64 `json:"cpuMsPerRequest"`
	DBCPUmsPerReq   float64 `json:"dbCpuMsPerRequest"` // every PostgreSQL process; -1 when not visible
	GCs             uint32  `json:"gcs"`
	RSSStartMB      float64 `json:"rssStartMB"`
	RSSEndMB        float64 `json:"rssEndMB"`
	HeapStartMB     float64 `json:"heapInuseStartMB"`
	HeapEndMB       float64 `json:"heapInuseEndMB"`
	VsBaseline      float64 `json:"throughputVsBaseline,omitempty"`           // graphql req/s over baseline req/s
	VsUnprepared    float64 `json:"throughputVsUnpreparedBaseline,omitempty"` // graphql req/s over the baseline's query sent unprepared
}

// report is everything one run found; it is written as latest.json.
type report struct {
	When        time.Time              `json:"when"`
	Machine     machine                `json:"machine"`
	Portfolio   portfolioSize          `json:"portfolio"`
	Concurrency int                    `json:"concurrency"`
	Duration    string                 `json:"duration"`
	Subjects    map[string]string      `json:"subjects"` // workload -> what it rotates over, and its small and large subjects
	Results     []result               `json:"results"`
	Equal       map[string]string      `json:"baselineEqual"` // workload -> how the baseline's JSON compares with GraphQL's
	Plans       map[string][]planCheck `json:"plans"`
	Profile     *profileSummary        `json:"profile,omitempty"`
	Goals       []string               `json:"goals"`
}

type machine struct {
	CPU      string `json:"cpu"`
	Cores    int    `json:"cores"`
	Go       string `json:"go"`
	Postgres string `json:"postgres"`
	// Load is /proc/loadavg before and after the measurements: other work on
	// the machine takes CPU from the server and the baseline alike.
	Load string `json:"load"`
}

func (r *report) find(workload, target string) *result {
	for i := range r.Results {
		if r.Results[i].Workload == workload && r.Results[i].Target == target {
			return &r.Results[i]
		}
	}
	return nil
}

func statements(r result) string {
	switch {
	case r.StatementsLarge < 0:
		return "-"
	case r.StatementsSmall == r.StatementsLarge:
		return fmt.Sprintf("%d = %d", r.StatementsSmall, r.StatementsLarge)
	default:
		return fmt.Sprintf("%d != %d", r.StatementsSmall, r.StatementsLarge)
	}
}

func ratio(r result) string {
	if r.VsBaseline == 0 {
		return ""
	}
	return fmt.Sprintf("%.2f", r.VsBaseline)
}

func dbCPU(r result) string {
	if r.DBCPUmsPerReq < 0 {
		return "-"
	}
	return fmt.Sprintf("%.2f", r.DBCPUmsPerReq)
}

var columns = []string{"workload", "target", "req/s", "p50 ms", "p99 ms", "SQL/req small = large", "KB/resp", "allocs/req", "alloc KB/req", "CPU ms/req", "DB CPU ms/req", "vs baseline"}

func row(r result) []string {
	return []string{r.Name, r.Target, fmt.Sprintf("%.0f", r.RPS), fmt.Sprintf("%.1f", r.P50ms), fmt.Sprintf("%.1f", r.P99ms),
		statements(r), fmt.Sprintf("%.1f", r.BytesPerReq/1024), fmt.Sprintf("%.0f", r.AllocsPerReq), fmt.Sprintf("%.0f", r.AllocKBPerReq),
		fmt.Sprintf("%.2f", r.CPUmsPerReq), dbCPU(r), ratio(r)}
}

// printTable writes the results as an aligned table.
func (r *report) printTable(w io.Writer) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, strings.Join(columns, "\t")+"\t")
	for _, res := range r.Results {
		fmt.Fprintln(tw, strings.Join(row(res), "\t")+"\t")
	}
	tw.Flush()
}

// markdown is the report as the README's performance section can quote it.
func (r *report) markdown(prev *report) string {
	var b strings.Builder
	fmt.Fprintf(&b, "# carrierdesk benchmark, %s\n\n", r.When.Format("2006-01-02 15:04 MST"))
	fmt.Fprintf(&b, "Machine: %s, %d cores; %s; %s; load average %s.  \n", r.Machine.CPU, r.Machine.Cores, r.Machine.Go, r.Machine.Postgres, r.Machine.Load)
	fmt.Fprintf(&b, "Portfolio: %s.  \n", r.Portfolio)
	fmt.Fprintf(&b, "Load: %d concurrent clients over HTTP/1.1 keep-alive, %s per workload after a warm-up; server and load generator share the machine.\n\n", r.Concurrency, r.Duration)
	fmt.Fprintf(&b, "| %s |\n|%s\n", strings.Join(columns, " | "), strings.Repeat("---|", len(columns)))
	for _, res := range r.Results {
		fmt.Fprintf(&b, "| %s |\n", strings.Join(row(res), " | "))
	}
	b.WriteString("\nSQL/req counts statements on the wire (simple queries and extended-protocol executions, transaction control apart) for the smallest and the largest subject of the workload; they must be equal. CPU and allocations are the serving process's over the measured window divided by the requests served; DB CPU is every PostgreSQL process's.\n\n")
	b.WriteString("## Subjects\n\n")
	for _, w := range sortedKeys(r.Subjects) {
		fmt.Fprintf(&b, "- %s: %s\n", w, r.Subjects[w])
	}
	b.WriteString("\n## Baseline output\n\n")
	for _, w := range sortedKeys(r.Equal) {
		fmt.Fprintf(&b, "- %s: %s\n", w, r.Equal[w])
	}
	b.WriteString("\n## Goals\n\n")
	for _, g := range r.Goals {
		fmt.Fprintf(&b, "- %s\n", g)
	}
	b.WriteString("\n## EXPLAIN of every statement of the largest subject\n\n")
	for _, w := range sortedKeys(r.Plans) {
		plans := r.Plans[w]
		large, small, errs := 0, 0, 0
		for _, p := range plans {
			large += len(p.LargeScans)
			small += len(p.SmallScans)
			if p.Error != "" {
				errs++
			}
		}
		fmt.Fprintf(&b, "- %s: %d statements, %d sequential scans of large tables (>= %d rows), %d of small tables%s\n",
			w, len(plans), large, largeTableRows, small, map[bool]string{true: fmt.Sprintf(", %d not explainable", errs), false: ""}[errs > 0])
		for _, p := range plans {
			if len(p.LargeScans) > 0 {
				fmt.Fprintf(&b, "  - `%s`: %s\n", shortSQL(p.SQL, 160), strings.Join(p.LargeScans, ", "))
			}
		}
		slowest := slices.Clone(plans)
		slices.SortFunc(slowest, func(a, b planCheck) int { return cmp.Compare(b.ExecutionMs, a.ExecutionMs) })
		for _, p := range slowest[:min(3, len(slowest))] {
			if p.ExecutionMs >= 0.5 {
				fmt.Fprintf(&b, "  - %.1f ms in PostgreSQL (alone, EXPLAIN ANALYZE): `%s`\n", p.ExecutionMs, shortSQL(p.SQL, 200))
			}
		}
	}
	if p := r.Profile; p != nil {
		fmt.Fprintf(&b, "\n## Profile of the server during %s (%d s)\n\n", p.Workload, p.Seconds)
		if p.ProfileError != "" {
			fmt.Fprintf(&b, "Profiling failed: %s\n", p.ProfileError)
		} else {
			fmt.Fprintf(&b, "CPU by part of the stack (flat): %s.  \n", strings.Join(sortedShares(p.CPUShares), ", "))
			fmt.Fprintf(&b, "CPU with a frame of (overlapping): %s.  \n", strings.Join(sortedShares(p.CPUCum), ", "))
			fmt.Fprintf(&b, "Allocated bytes by part of the stack (flat): %s.\n\n", strings.Join(sortedShares(p.AllocShares), ", "))
			fmt.Fprintf(&b, "Top CPU (flat):\n\n```\n%s\n```\n\nTop allocations (bytes, flat):\n\n```\n%s\n```\n",
				strings.Join(p.TopCPU, "\n"), strings.Join(p.TopAllocs, "\n"))
			fmt.Fprintf(&b, "\nProfiles: `go tool pprof -http=: %s` and `%s`.\n", p.CPUFile, p.AllocsFile)
		}
	}
	if prev != nil {
		fmt.Fprintf(&b, "\n## Compared with the run of %s\n\n", prev.When.Format("2006-01-02 15:04 MST"))
		for _, line := range r.deltas(prev) {
			fmt.Fprintf(&b, "- %s\n", line)
		}
	}
	return b.String()
}

// deltas compares each result with the same workload and target of prev.
func (r *report) deltas(prev *report) []string {
	var out []string
	pct := func(now, was float64) string {
		if was == 0 {
			return "n/a"
		}
		return fmt.Sprintf("%+.0f%%", (now-was)/was*100)
	}
	for _, res := range r.Results {
		p := prev.find(res.Workload, res.Target)
		if p == nil {
			continue
		}
		out = append(out, fmt.Sprintf("%s (%s): req/s %.0f -> %.0f (%s), p99 %.1f -> %.1f ms (%s), CPU/req %.2f -> %.2f ms (%s), allocs/req %.0f -> %.0f (%s), SQL/req %d -> %d",
			res.Name, res.Target, p.RPS, res.RPS, pct(res.RPS, p.RPS), p.P99ms, res.P99ms, pct(res.P99ms, p.P99ms),
			p.CPUmsPerReq, res.CPUmsPerReq, pct(res.CPUmsPerReq, p.CPUmsPerReq), p.AllocsPerReq, res.AllocsPerReq, pct(res.AllocsPerReq, p.AllocsPerReq),
			p.StatementsLarge, res.StatementsLarge))
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string {
	// Workloads sort in the table's order; anything else after them, by name.
	order := map[string]int{"account": 1, "carrier": 2, "me": 3, "aggregate": 4, "portfolio": 5}
	rank := func(k string) int {
		if n, ok := order[k]; ok {
			return n
		}
		return len(order) + 1
	}
	keys := slices.Collect(maps.Keys(m))
	slices.SortFunc(keys, func(a, b string) int {
		return cmp.Or(cmp.Compare(rank(a), rank(b)), strings.Compare(a, b))
	})
	return keys
}

// loadPrevious reads the last run's report, if there is one.
func loadPrevious(dir string) (*report, error) {
	b, err := os.ReadFile(filepath.Join(dir, "latest.json"))
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var r report
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("reading the previous results: %w", err)
	}
	return &r, nil
}

// save writes latest.json and latest.md, keeping the run before as previous.json.
func (r *report) save(dir string, prev *report) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	if prev != nil {
		if err := os.Rename(filepath.Join(dir, "latest.json"), filepath.Join(dir, "previous.json")); err != nil {
			return err
		}
	}
	b, err := json.MarshalIndent(r, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(dir, "latest.json"), append(b, '\n'), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "latest.md"), []byte(r.markdown(prev)), 0o644)
}
