package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"
)

// processSample is a server process's counters at one moment: CPU and
// resident memory from /proc, allocations from the runtime's MemStats as
// expvar serves them on the -pprof listener.
type processSample struct {
	CPU        time.Duration // user + system time
	RSS        int64         // resident set, bytes
	Mallocs    uint64        // heap objects allocated since start
	TotalAlloc uint64        // heap bytes allocated since start
	HeapInuse  uint64        // heap bytes in use now
	NumGC      uint32
}

// clockTicks is USER_HZ, the unit of /proc/<pid>/stat times: 100 on every Linux platform Go supports.
const clockTicks = 100

// cpuTime is the user and system time of a process so far.
func cpuTime(pid int) (time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, err
	}
	// The command name, in parentheses, may hold spaces: fields count from after it.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	if len(f) < 13 {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	// Fields 14 and 15 of stat(5), utime and stime, are 12 and 13 after the name.
	utime, err1 := strconv.ParseInt(f[11], 10, 64)
	stime, err2 := strconv.ParseInt(f[12], 10, 64)
	if err1 != nil || err2 != nil {
		return 0, fmt.Errorf("/proc/%d/stat: unexpected format", pid)
	}
	return time.Duration(utime+stime) * time.Second / clockTicks, nil
}

// rss is the resident memory of a process in bytes.
func rss(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0
	}
	for _, line := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb * 1024
		}
	}
	return 0
}

// sampleProcess reads pid's counters; varsURL is its expvar endpoint.
func sampleProcess(ctx context.Context, client *http.Client, pid int, varsURL string) (processSample, error) {
	var s processSample
	var err error
	if s.CPU, err = cpuTime(pid); err != nil {
		return s, err
	}
	s.RSS = rss(pid)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, varsURL, nil)
	if err != nil {
		return s, err
	}
	resp, err := client.Do(req)
	if err != nil {
		return s, fmt.Errorf("reading %s: %w", varsURL, err)
	}
	defer resp.Body.Close()
	var vars struct {
		Memstats struct {
			Mallocs, TotalAlloc, HeapInuse uint64
			NumGC                          uint32
		} `json:"memstats"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&vars); err != nil {
		return s, fmt.Errorf("reading %s: %w", varsURL, err)
	}
	s.Mallocs, s.TotalAlloc, s.HeapInuse, s.NumGC = vars.Memstats.Mallocs, vars.Memstats.TotalAlloc, vars.Memstats.HeapInuse, vars.Memstats.NumGC
	return s, nil
}

// postgresCPU is the CPU time of every PostgreSQL process this machine shows
// (backends, walwriter, autovacuum ...), or -1 when it shows none, as when
// PostgreSQL runs elsewhere.
func postgresCPU() time.Duration {
	stats, _ := filepath.Glob("/proc/[0-9]*/stat")
	total, found := time.Duration(0), false
	for _, p := range stats {
		b, err := os.ReadFile(p)
		if err != nil || !bytes.Contains(b, []byte("(postgres)")) {
			continue
		}
		pid, _ := strconv.Atoi(filepath.Base(filepath.Dir(p)))
		if t, err := cpuTime(pid); err == nil {
			total += t
			found = true
		}
	}
	if !found {
		return -1
	}
	return total
}
