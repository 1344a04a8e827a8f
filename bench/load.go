package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// loadResult is what a load run measured on the client's side.
type loadResult struct {
	Requests   int
	Errors     int
	FirstError string
	Bytes      int64
	Elapsed    time.Duration
	Latencies  []time.Duration // sorted
}

// quantile is the latency below which q of the requests finished.
func (r loadResult) quantile(q float64) time.Duration {
	if len(r.Latencies) == 0 {
		return 0
	}
	return r.Latencies[min(len(r.Latencies)-1, int(q*float64(len(r.Latencies))))]
}

// newHTTPClient keeps one connection per worker open, without compression, so
// that the measured requests never pay for a TCP handshake or gzip.
func newHTTPClient(concurrency int) *http.Client {
	return &http.Client{
		Timeout: 60 * time.Second,
		Transport: &http.Transport{
			MaxIdleConns:        concurrency * 2,
			MaxIdleConnsPerHost: concurrency * 2,
			MaxConnsPerHost:     concurrency * 2,
			DisableCompression:  true,
			IdleConnTimeout:     5 * time.Minute,
		},
	}
}

// post sends one request and reads the whole answer into buf. A non-200
// answer, or a GraphQL answer with errors, is an error.
func post(ctx context.Context, client *http.Client, url string, r request, buf *bytes.Buffer) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(r.Body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/json")
	if r.Token != "" {
		req.Header.Set("Authorization", "Bearer "+r.Token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	buf.Reset()
	if _, err := io.Copy(buf, resp.Body); err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d: %.300s", resp.StatusCode, buf.Bytes())
	}
	if b := buf.Bytes(); bytes.HasPrefix(b, []byte(`{"errors"`)) || bytes.Contains(b[max(0, len(b)-4096):], []byte(`"errors":[`)) {
		return fmt.Errorf("GraphQL errors: %.300s", b)
	}
	return nil
}

// loadHooks are called as a load run goes: at the start and the end of the
// recorded window (to sample the server there) and about every five seconds.
type loadHooks struct {
	start, stop func()
	tick        func(elapsed time.Duration, done int)
}

// runLoad sends reqs round-robin from concurrency workers for d, after
// warmup unrecorded.
func runLoad(ctx context.Context, client *http.Client, url string, reqs []request, concurrency int, warmup, d time.Duration, hooks loadHooks) loadResult {
	var (
		next      atomic.Int64
		done      atomic.Int64
		recording atomic.Bool
		stop      atomic.Bool
		mu        sync.Mutex
		res       loadResult
		wg        sync.WaitGroup
	)
	worker := func() {
		defer wg.Done()
		var buf bytes.Buffer
		var lat []time.Duration
		var bytesRead int64
		var errs int
		var firstErr string
		for !stop.Load() && ctx.Err() == nil {
			r := reqs[int(next.Add(1)-1)%len(reqs)]
			rec := recording.Load()
			start := time.Now()
			err := post(ctx, client, url, r, &buf)
			el := time.Since(start)
			if !rec || stop.Load() {
				continue
			}
			if err != nil {
				errs++
				if firstErr == "" {
					firstErr = err.Error()
				}
				continue
			}
			lat = append(lat, el)
			bytesRead += int64(buf.Len())
			done.Add(1)
		}
		mu.Lock()
		res.Latencies = append(res.Latencies, lat...)
		res.Bytes += bytesRead
		res.Errors += errs
		if res.FirstError == "" {
			res.FirstError = firstErr
		}
		mu.Unlock()
	}
	wg.Add(concurrency)
	for range concurrency {
		go worker()
	}
	sleep(ctx, warmup)
	if hooks.start != nil {
		hooks.start()
	}
	recording.Store(true)
	start := time.Now()
	t := time.NewTicker(5 * time.Second)
	deadline := time.NewTimer(d)
loop:
	for {
		select {
		case <-ctx.Done():
			break loop
		case <-deadline.C:
			break loop
		case <-t.C:
			if hooks.tick != nil {
				hooks.tick(time.Since(start), int(done.Load()))
			}
		}
	}
	stop.Store(true)
	res.Elapsed = time.Since(start)
	if hooks.stop != nil {
		hooks.stop()
	}
	t.Stop()
	wg.Wait()
	res.Requests = len(res.Latencies)
	slices.Sort(res.Latencies)
	return res
}

func sleep(ctx context.Context, d time.Duration) {
	select {
	case <-ctx.Done():
	case <-time.After(d):
	}
}
