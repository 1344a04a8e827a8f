// Command server is the carrierdesk program: it serves the GraphQL API and
// holds the operator's subcommands.
//
//	go run ./server              serve on ADDR (default :8080)
//	go run ./server -pprof ADDR  also serve net/http/pprof and expvar on a loopback ADDR (or PPROF_ADDR)
//	go run ./server seed         load the demo portfolio (--scale N for more)
//	go run ./server token        print a development token (--as EMAIL or --role ROLE)
//	go run ./server healthcheck  exit 0 if the server on ADDR answers /healthz (the container's HEALTHCHECK)
//	go run ./server migrate      apply pending PostgreSQL migrations (DATABASE_URL)
//	go run ./server migrate status       list applied and pending migrations
//	go run ./server migrate diff NAME    write the next migration from the ent schema
package main

import (
	"context"
	"errors"
	_ "expvar" // runtime counters on the -pprof listener
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	_ "net/http/pprof" // profiles on the -pprof listener
	"os"
	"os/signal"
	"runtime/debug"
	"syscall"
	"time"

	"carrierdesk/ent"
	"carrierdesk/ent/idempotencykey"
	"carrierdesk/ent/privacy"
	"carrierdesk/internal/auth"
	"carrierdesk/internal/seed"
	"carrierdesk/internal/workflow"
)

func main() {
	slog.SetDefault(newLogger(os.Stderr))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "carrierdesk:", err)
		os.Exit(1)
	}
}

// run dispatches a subcommand; serving is the default.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := LoadConfig(environ)
	if err != nil {
		return err
	}
	logLevel.Set(cfg.Observe.LogLevel)
	cmd := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(ctx, cfg, args)
	case "seed":
		return seedCommand(ctx, cfg, args, stderr)
	case "token":
		return tokenCommand(ctx, cfg, args, stdout)
	case "migrate":
		return migrateCommand(ctx, cfg, args, stdout)
	case "healthcheck":
		return healthcheckCommand(ctx, cfg)
	default:
		return fmt.Errorf("unknown command %q (commands: serve, seed, token, migrate, healthcheck)", cmd)
	}
}

// Main is the running server, separated from process concerns so tests can start it.
type Main struct {
	Config Config
	DB     *Database
	HTTP   *http.Server
	ln     net.Listener
	ops    operations    // the metrics listener and tracing: see observe.go
	ws     *webSockets   // open WebSocket connections, closed with 1001 on Close
	sse    *eventStreams // open event streams, ended with a reconnect event on Close
}

// Open opens the database and starts listening; Serve then serves.
func (m *Main) Open(ctx context.Context) error {
	db, err := OpenDatabase(ctx, m.Config)
	if err != nil {
		return err
	}
	m.DB = db
	if m.Config.FOCTargetDays > 0 {
		workflow.FOCTargetBusinessDays = m.Config.FOCTargetDays
	}
	if m.Config.DatabaseURL == "" && m.Config.SeedOnEmpty {
		if err := seedIfEmpty(ctx, db); err != nil {
			return err
		}
	}
	m.ln, err = net.Listen("tcp", m.Config.Addr)
	if err != nil {
		return fmt.Errorf("listening on %s: %w", m.Config.Addr, err)
	}
	verifier, err := auth.NewVerifier(ctx, m.Config.Auth)
	if err != nil {
		return fmt.Errorf("configuring token verification: %w", err)
	}
	authn := NewAuthenticator(verifier, db.Client, m.Config.ViewerTTL)
	obs, err := m.ops.open(ctx, m.Config, db)
	if err != nil {
		return err
	}
	// No ReadTimeout or WriteTimeout: they would cut event streams and
	// WebSockets. Guard.Server sets them per request, streams exempt.
	m.ws = newWebSockets()
	m.sse = newEventStreams()
	m.HTTP = &http.Server{
		Handler: newHandler(db, m.Config, authn, obs),
		BaseContext: func(net.Listener) context.Context {
			ctx := context.WithValue(context.Background(), webSocketsKey{}, m.ws)
			return context.WithValue(ctx, eventStreamsKey{}, m.sse)
		},
		ReadHeaderTimeout: m.Config.Limits.ReadHeaderTimeout,
		IdleTimeout:       m.Config.Limits.IdleTimeout,
		MaxHeaderBytes:    m.Config.Limits.MaxHeaderBytes,
	}
	return nil
}

// Addr is the address the server listens on.
func (m *Main) Addr() string { return m.ln.Addr().String() }

// Serve serves until the listener closes.
func (m *Main) Serve() error {
	m.ops.serve()
	if err := m.HTTP.Serve(m.ln); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// Close stops accepting, lets in-flight requests finish within the context's
// deadline, closes WebSockets with 1001 (going away), ends event streams with
// a reconnect event, and closes the database.
func (m *Main) Close(ctx context.Context) error {
	var errs []error
	if m.HTTP != nil {
		// Shutdown does not see hijacked connections: close them alongside.
		// It waits for event streams, which would last until the deadline:
		// end them, telling their clients to reconnect.
		go m.ws.goAway()
		go m.sse.goAway()
		errs = append(errs, m.HTTP.Shutdown(ctx), m.ws.wait(ctx))
	}
	errs = append(errs, m.ops.close(ctx))
	if m.DB != nil {
		errs = append(errs, m.DB.Close())
	}
	return errors.Join(errs...)
}

func serve(ctx context.Context, cfg Config, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	pprofAddr := fs.String("pprof", environ("PPROF_ADDR"), "serve net/http/pprof and expvar on `ADDR`, a loopback address such as 127.0.0.1:6060")
	if err := fs.Parse(args); err != nil {
		return err
	}
	tuneGC()
	m := &Main{Config: cfg}
	if err := m.Open(ctx); err != nil {
		m.Close(context.Background())
		return err
	}
	if *pprofAddr != "" {
		if err := serveDebug(ctx, *pprofAddr); err != nil {
			m.Close(context.Background())
			return err
		}
	}
	store := "sqlite:" + cfg.SQLitePath
	if cfg.DatabaseURL != "" {
		store = "postgres"
	}
	slog.Info("serving", "addr", m.Addr(), "store", store, "graphiql", "http://"+m.Addr()+"/")
	errc := make(chan error, 1)
	go func() { errc <- m.Serve() }()
	go sweep(ctx, m.DB.Client, cfg.SweepInterval, cfg.IdempotencyTTL)
	select {
	case err := <-errc:
		m.Close(context.Background())
		return err
	case <-ctx.Done():
	}
	slog.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return m.Close(shutdownCtx)
}

// serverGCPercent is the server's GOGC unless the environment sets one. The
// live heap is small (about 15 MB under the benchmark) while a page allocates
// 0.5 to 0.9 MB, so at Go's default of 100 the collector runs dozens of times
// a second; at 400 the heap peaks near five times the live heap (under 80 MB
// in the benchmark) and the account and carrier pages serve 4-9% more
// requests per second. GOMEMLIMIT, if set, still caps the heap.
const serverGCPercent = 400

// tuneGC applies serverGCPercent unless GOGC is in the environment.
func tuneGC() {
	if _, set := os.LookupEnv("GOGC"); !set {
		debug.SetGCPercent(serverGCPercent)
	}
}

// serveDebug serves the profiles and runtime counters that net/http/pprof and
// expvar register on http.DefaultServeMux, which the API's handler never uses,
// on a listener of their own until ctx ends. Only a loopback address is
// accepted: profiles are for the operator on the machine, not for clients.
func serveDebug(ctx context.Context, addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return fmt.Errorf("-pprof: %w", err)
	}
	if ip := net.ParseIP(host); host != "localhost" && (ip == nil || !ip.IsLoopback()) {
		return fmt.Errorf("-pprof must name a loopback address such as 127.0.0.1:6060, not %q", addr)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("listening on %s for pprof: %w", addr, err)
	}
	srv := &http.Server{Handler: http.DefaultServeMux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	go srv.Serve(ln)
	slog.Info("serving pprof and expvar", "addr", ln.Addr().String())
	return nil
}

// sweep makes the clock's workflow changes (expiries, evergreen renewals, SLA
// breaches) every interval until ctx ends, and forgets idempotency keys older
// than keep. Every instance sweeps; each change is conditional, so none is
// made twice.
func sweep(ctx context.Context, client *ent.Client, interval, keep time.Duration) {
	if interval <= 0 {
		return
	}
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		s, err := sweepOnce(ctx, client)
		if err == nil && s != (workflow.Swept{}) {
			slog.InfoContext(ctx, "swept", "quotes_expired", s.QuotesExpired, "contracts_expired", s.ContractsExpired,
				"contracts_renewed", s.ContractsRenewed, "response_breaches", s.ResponseBreaches, "resolution_breaches", s.ResolutionBreaches)
		}
		if err != nil && ctx.Err() == nil {
			slog.ErrorContext(ctx, "sweep failed", "err", err)
		}
		n, err := forgetIdempotencyKeys(ctx, client, time.Now().Add(-keep))
		if n > 0 {
			slog.InfoContext(ctx, "forgot idempotency keys", "keys", n)
		}
		if err != nil && ctx.Err() == nil {
			slog.ErrorContext(ctx, "forgetting idempotency keys failed", "err", err)
		}
	}
}

// forgetIdempotencyKeys deletes the keys, and the answers kept with them,
// of mutations made before cutoff; a retry with one of them runs again.
// Each row holds a whole response, so without this the table only grows.
func forgetIdempotencyKeys(ctx context.Context, client *ent.Client, cutoff time.Time) (int, error) {
	return client.IdempotencyKey.Delete().
		Where(idempotencykey.CreatedAtLT(cutoff)).
		Exec(privacy.DecisionContext(ctx, privacy.Allow))
}

// sweepOnce runs one sweep in a transaction: its changes land together or not at all.
func sweepOnce(ctx context.Context, client *ent.Client) (workflow.Swept, error) {
	tx, err := client.Tx(ctx)
	if err != nil {
		return workflow.Swept{}, err
	}
	s, err := workflow.Sweep(ctx, tx.Client(), workflow.Now())
	if err != nil {
		return s, errors.Join(err, tx.Rollback())
	}
	return s, tx.Commit()
}

// seedIfEmpty loads the demo portfolio into an empty embedded database, so the
// first `make run` shows something real.
func seedIfEmpty(ctx context.Context, db *Database) error {
	n, err := db.Client.Carrier.Query().Count(privacy.DecisionContext(ctx, privacy.Allow))
	if err != nil {
		return fmt.Errorf("checking for data: %w", err)
	}
	if n > 0 {
		return nil
	}
	slog.Info("empty database: loading the demo portfolio")
	_, err = seed.Run(ctx, db.Client, seed.Options{Scale: 1})
	return err
}

func seedCommand(ctx context.Context, cfg Config, args []string, stderr io.Writer) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	scale := fs.Int("scale", 1, "multiply the demo volume by `N`")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *scale < 1 {
		return fmt.Errorf("--scale must be at least 1")
	}
	db, err := OpenDatabase(ctx, cfg)
	if err != nil {
		return err
	}
	defer db.Close()
	_, err = seed.Run(ctx, db.Client, seed.Options{Scale: *scale, Progress: stderr})
	return err
}
