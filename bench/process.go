package main

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"
)

// process is a server the suite started: the real carrierdesk server or the baseline.
type process struct {
	name    string
	cmd     *exec.Cmd
	baseURL string // http://host:port
	debug   string // http://host:port of the pprof and expvar listener
	exited  chan error
	stopped sync.Once
}

// Pid is the process ID, for /proc.
func (p *process) Pid() int { return p.cmd.Process.Pid }

// VarsURL is the expvar endpoint.
func (p *process) VarsURL() string { return p.debug + "/debug/vars" }

// buildServer compiles the server into dir, as it ships (make release): no
// race detector, no debug flags, profile-guided optimisation.
func buildServer(ctx context.Context, dir string) (string, error) {
	bin := filepath.Join(dir, "carrierdesk-server")
	cmd := exec.CommandContext(ctx, "go", "build", "-pgo=server/release.pgo", "-o", bin, "./server")
	cmd.Stdout, cmd.Stderr = os.Stderr, os.Stderr
	if err := cmd.Run(); err != nil {
		return "", fmt.Errorf("building the server: %w", err)
	}
	return bin, nil
}

// freeAddr finds a loopback port nobody listens on.
func freeAddr() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// serverEnv is the environment without anything that would change what the
// server does, plus set: the development secret signs the suite's tokens.
func serverEnv(set map[string]string) []string {
	var env []string
	for _, kv := range os.Environ() {
		k, _, _ := strings.Cut(kv, "=")
		if k == "APP_ENV" || k == "ADDR" || k == "DATABASE_URL" || k == "PPROF_ADDR" || k == "SQLITE_PATH" ||
			strings.HasPrefix(k, "JWT_") || strings.HasPrefix(k, "DB_") || strings.HasPrefix(k, "PAGE_") {
			continue
		}
		env = append(env, kv)
	}
	for k, v := range set {
		env = append(env, k+"="+v)
	}
	return env
}

// startServer runs the server binary on dbURL with pprof on a loopback port,
// its log in logPath, and waits until it is ready.
func startServer(ctx context.Context, name, bin, dbURL, logPath string) (*process, error) {
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	debug, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(bin)
	cmd.Env = serverEnv(map[string]string{
		"DATABASE_URL":   dbURL,
		"ADDR":           addr,
		"PPROF_ADDR":     debug,
		"SWEEP_INTERVAL": "0", // no background writes while measuring
		"SEED_ON_EMPTY":  "false",
	})
	return start(ctx, name, cmd, addr, debug, logPath)
}

// startBaseline runs this program again as the baseline server.
func startBaseline(ctx context.Context, dbURL, logPath string) (*process, error) {
	self, err := os.Executable()
	if err != nil {
		return nil, err
	}
	addr, err := freeAddr()
	if err != nil {
		return nil, err
	}
	debug, err := freeAddr()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(self, "-serve-baseline", addr, "-baseline-debug", debug, "-db", dbURL)
	cmd.Env = serverEnv(nil)
	return start(ctx, "baseline", cmd, addr, debug, logPath)
}

func start(ctx context.Context, name string, cmd *exec.Cmd, addr, debug, logPath string) (*process, error) {
	logf, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd.Stdout, cmd.Stderr = logf, logf
	if err := cmd.Start(); err != nil {
		logf.Close()
		return nil, fmt.Errorf("starting %s: %w", name, err)
	}
	p := &process{name: name, cmd: cmd, baseURL: "http://" + addr, debug: "http://" + debug, exited: make(chan error, 1)}
	go func() {
		p.exited <- cmd.Wait()
		logf.Close()
	}()
	deadline := time.Now().Add(3 * time.Minute) // the server migrates first
	var readySince time.Time
	for {
		select {
		case err := <-p.exited:
			return nil, fmt.Errorf("%s exited while starting (%v); see %s", name, err, logPath)
		case <-ctx.Done():
			p.stop()
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		if !ready(p.baseURL + "/readyz") {
			continue
		}
		if ready(p.VarsURL()) {
			return p, nil
		}
		if readySince.IsZero() {
			readySince = time.Now()
		}
		if time.Since(readySince) > 5*time.Second {
			p.stop()
			return nil, fmt.Errorf("%s serves, but not %s: it needs the -pprof flag (PPROF_ADDR) for its counters", name, p.VarsURL())
		}
		if time.Now().After(deadline) {
			p.stop()
			return nil, fmt.Errorf("%s not ready after 3 minutes; see %s", name, logPath)
		}
	}
}

func ready(url string) bool {
	c := http.Client{Timeout: time.Second}
	resp, err := c.Get(url)
	if err != nil {
		return false
	}
	resp.Body.Close()
	return resp.StatusCode == http.StatusOK
}

// stop asks the process to shut down, and kills it if it has not within ten seconds.
// Only the first call does anything.
func (p *process) stop() {
	if p == nil {
		return
	}
	p.stopped.Do(func() {
		_ = p.cmd.Process.Signal(syscall.SIGTERM)
		select {
		case <-p.exited:
		case <-time.After(10 * time.Second):
			_ = p.cmd.Process.Kill()
			<-p.exited
		}
	})
}
