package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// profileSummary is where the server's CPU and allocations went while it
// served one workload: shares by part of the stack, and the top functions.
type profileSummary struct {
	Workload     string             `json:"workload"`
	Seconds      int                `json:"seconds"`
	CPUShares    map[string]float64 `json:"cpuShares"`   // % of CPU samples, by part of the stack (flat)
	CPUCum       map[string]float64 `json:"cpuUnder"`    // % of CPU samples with a frame of some part in their stack
	AllocShares  map[string]float64 `json:"allocShares"` // % of allocated bytes, by part of the stack (flat)
	TopCPU       []string           `json:"topCPU"`
	TopAllocs    []string           `json:"topAllocs"`
	CPUFile      string             `json:"cpuProfile"`
	AllocsFile   string             `json:"allocsProfile"`
	ProfileError string             `json:"error,omitempty"`
}

// stackParts sorts functions into parts of the stack by name, first match wins.
var stackParts = []struct{ name, prefix string }{
	{"gqlgen execution", "github.com/99designs/gqlgen/"},
	{"gqlgen execution", "github.com/vektah/gqlparser/"},
	{"generated resolvers (graph)", "carrierdesk/graph"},
	{"ent", "entgo.io/"},
	{"ent", "carrierdesk/ent"},
	{"database/sql + lib/pq", "database/sql"},
	{"database/sql + lib/pq", "github.com/lib/pq"},
	{"carrierdesk other", "carrierdesk/"},
	{"encoding/json", "encoding/json"},
	{"net/http", "net/http"},
	{"GC", "runtime.gc"},
	{"GC", "runtime.scan"},
	{"GC", "runtime.greyobject"},
	{"GC", "runtime.findObject"},
	{"GC", "runtime.markBits"},
	{"GC", "runtime.(*gcWork)"},
	{"GC", "runtime.(*gcBits)"},
	{"GC", "runtime.(*mspan)"},
	{"GC", "runtime.spanOf"},
	{"GC", "runtime.typePointers"},
	{"GC", "runtime.(*mheap)"},
	{"GC", "runtime.sweep"},
	{"GC", "runtime.wbBuf"},
	{"GC", "runtime.bulkBarrier"},
	{"GC", "runtime.(*sweep"},
	{"allocation", "runtime.malloc"},
	{"allocation", "runtime.(*mcache)"},
	{"allocation", "runtime.(*mcentral)"},
	{"allocation", "runtime.nextFree"},
	{"allocation", "runtime.memclr"},
	{"allocation", "runtime.heapSetType"},
	{"allocation", "runtime.newobject"},
	{"allocation", "runtime.makeslice"},
	{"allocation", "runtime.growslice"},
	{"scheduler, syscalls, network", "runtime."},
	{"scheduler, syscalls, network", "syscall."},
	{"scheduler, syscalls, network", "internal/poll"},
	{"scheduler, syscalls, network", "internal/runtime/syscall"},
	{"scheduler, syscalls, network", "net."},
}

// cpuUnder are parts of the work that cut across the stack, each the share
// of CPU samples with a matching frame anywhere in their stack (so they overlap).
var cpuUnder = []struct{ name, focus string }{
	{"ent (queries built, run and scanned; driver included)", `^carrierdesk/ent\.`},
	{"database/sql + lib/pq (syscalls included)", `^database/sql\.`},
	{"GC background workers", `^runtime\.gcBgMarkWorker$`},
	{"malloc (assists included)", `^runtime\.mallocgc$`},
	{"goroutine stack growth", `^runtime\.newstack$`},
	{"field argument unmarshalling", `unmarshalInput`},
	{"response JSON writing", `^github.com/99designs/gqlgen/graphql\.(Marshal|Write|write)`},
}

func partOf(fn string) string {
	for _, p := range stackParts {
		if strings.HasPrefix(fn, p.prefix) {
			return p.name
		}
	}
	return "other"
}

// captureProfiles fetches a CPU profile and an allocation delta profile of
// the given seconds from the server's pprof listener, while load runs.
func captureProfiles(ctx context.Context, debugURL, dir string, seconds int) (cpuFile, allocsFile string, err error) {
	cpuFile, allocsFile = filepath.Join(dir, "cpu.pprof"), filepath.Join(dir, "allocs.pprof")
	var wg sync.WaitGroup
	errs := make([]error, 2)
	for i, p := range []struct{ url, file string }{
		{fmt.Sprintf("%s/debug/pprof/profile?seconds=%d", debugURL, seconds), cpuFile},
		{fmt.Sprintf("%s/debug/pprof/allocs?seconds=%d", debugURL, seconds), allocsFile},
	} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = download(ctx, p.url, p.file)
		}()
	}
	wg.Wait()
	for _, e := range errs {
		if e != nil {
			return "", "", e
		}
	}
	return cpuFile, allocsFile, nil
}

func download(ctx context.Context, url, file string) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	resp, err := (&http.Client{Timeout: 5 * time.Minute}).Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		b, _ := io.ReadAll(resp.Body)
		return fmt.Errorf("%s: HTTP %d: %s", url, resp.StatusCode, b)
	}
	f, err := os.Create(file)
	if err != nil {
		return err
	}
	if _, err := io.Copy(f, resp.Body); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// pprofRow is one line of `go tool pprof -top`.
type pprofRow struct {
	flatPct, cumPct float64
	fn              string
	line            string
}

// pprofTop runs `go tool pprof -top` with extra flags and parses its rows.
func pprofTop(ctx context.Context, bin, file string, flags ...string) ([]pprofRow, error) {
	args := append([]string{"tool", "pprof", "-top", "-nodecount=100000", "-nodefraction=0", "-edgefraction=0"}, flags...)
	args = append(args, bin, file)
	out, err := exec.CommandContext(ctx, "go", args...).Output()
	if err != nil {
		return nil, fmt.Errorf("go tool pprof %s: %w", file, err)
	}
	var rows []pprofRow
	sc := bufio.NewScanner(bytes.NewReader(out))
	header := true
	for sc.Scan() {
		line := sc.Text()
		if header {
			header = !strings.Contains(line, "flat%")
			continue
		}
		f := strings.Fields(line)
		if len(f) < 6 {
			continue
		}
		flat, err1 := strconv.ParseFloat(strings.TrimSuffix(f[1], "%"), 64)
		cum, err2 := strconv.ParseFloat(strings.TrimSuffix(f[4], "%"), 64)
		if err1 != nil || err2 != nil {
			continue
		}
		rows = append(rows, pprofRow{flatPct: flat, cumPct: cum, fn: strings.Join(f[5:], " "), line: strings.TrimSpace(line)})
	}
	return rows, sc.Err()
}

// summarizeProfiles reads the two profiles into shares and top lists.
func summarizeProfiles(ctx context.Context, bin, cpuFile, allocsFile string) (profileSummary, error) {
	s := profileSummary{CPUShares: map[string]float64{}, CPUCum: map[string]float64{}, AllocShares: map[string]float64{}, CPUFile: cpuFile, AllocsFile: allocsFile}
	cpu, err := pprofTop(ctx, bin, cpuFile)
	if err != nil {
		return s, err
	}
	for _, r := range cpu {
		s.CPUShares[partOf(r.fn)] += r.flatPct
	}
	for _, r := range cpu[:min(15, len(cpu))] {
		s.TopCPU = append(s.TopCPU, r.line)
	}
	for _, u := range cpuUnder {
		rows, err := pprofTop(ctx, bin, cpuFile, "-focus="+u.focus)
		if err != nil {
			return s, err
		}
		for _, r := range rows {
			s.CPUCum[u.name] += r.flatPct
		}
	}
	allocs, err := pprofTop(ctx, bin, allocsFile, "-sample_index=alloc_space")
	if err != nil {
		return s, err
	}
	for _, r := range allocs {
		s.AllocShares[partOf(r.fn)] += r.flatPct
	}
	for _, r := range allocs[:min(15, len(allocs))] {
		s.TopAllocs = append(s.TopAllocs, r.line)
	}
	return s, nil
}

// sortedShares lists shares largest first, as "name 12.3%".
func sortedShares(m map[string]float64) []string {
	type kv struct {
		k string
		v float64
	}
	var l []kv
	for k, v := range m {
		l = append(l, kv{k, v})
	}
	sort.Slice(l, func(i, j int) bool { return l[i].v > l[j].v })
	var out []string
	for _, e := range l {
		out = append(out, fmt.Sprintf("%s %.1f%%", e.k, e.v))
	}
	return out
}
