package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strconv"
	"time"

	"carrierdesk/internal/observe"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// Observability is how the server reports on itself; see internal/observe.
type Observability struct {
	MetricsAddr string     // METRICS_ADDR: serve /metrics on this address instead of on ADDR
	LogLevel    slog.Level // LOG_LEVEL: debug, info, warn or error
	Tracing     bool       // OTEL_EXPORTER_OTLP_ENDPOINT or OTEL_EXPORTER_OTLP_TRACES_ENDPOINT set (and OTEL_SDK_DISABLED not true)
}

func loadObservability(getenv func(string) string) (Observability, error) {
	o := Observability{MetricsAddr: getenv("METRICS_ADDR"), LogLevel: slog.LevelInfo}
	if v := getenv("LOG_LEVEL"); v != "" {
		if err := o.LogLevel.UnmarshalText([]byte(v)); err != nil {
			return o, fmt.Errorf("LOG_LEVEL must be debug, info, warn or error, not %q", v)
		}
	}
	disabled, _ := strconv.ParseBool(getenv("OTEL_SDK_DISABLED"))
	o.Tracing = !disabled && (getenv("OTEL_EXPORTER_OTLP_ENDPOINT") != "" || getenv("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") != "")
	return o, nil
}

// logLevel is the level of the default logger, set from LOG_LEVEL once the configuration is read.
var logLevel slog.LevelVar

// newLogger logs JSON lines to w, each carrying the request ID (and trace) of its context.
func newLogger(w io.Writer) *slog.Logger {
	return slog.New(observe.LogHandler(slog.NewJSONHandler(w, &slog.HandlerOptions{Level: &logLevel})))
}

// operations is the part of Main that reports on it: the metrics listener,
// when METRICS_ADDR separates it, and the tracer provider, when tracing is on.
type operations struct {
	metrics   *http.Server
	metricsLn net.Listener
	tracer    *sdktrace.TracerProvider
}

// open makes the Observer of the server's handler, starts tracing if
// configured, and listens for scrapes if they have an address of their own.
func (o *operations) open(ctx context.Context, cfg Config, db *Database) (*observe.Observer, error) {
	obs := observe.New(db.DB)
	if cfg.Observe.Tracing {
		tp, err := observe.StartTracing(ctx)
		if err != nil {
			return nil, err
		}
		o.tracer = tp
		obs.Trace(tp)
	}
	if cfg.Observe.MetricsAddr != "" {
		ln, err := net.Listen("tcp", cfg.Observe.MetricsAddr)
		if err != nil {
			return nil, fmt.Errorf("listening for metrics on %s: %w", cfg.Observe.MetricsAddr, err)
		}
		mux := http.NewServeMux()
		mux.Handle("GET /metrics", obs.Metrics())
		o.metricsLn = ln
		o.metrics = &http.Server{Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	}
	return obs, nil
}

// serve answers scrapes on the metrics listener, if there is one, until close.
func (o *operations) serve() {
	if o.metrics == nil {
		return
	}
	slog.Info("serving metrics", "addr", o.metricsLn.Addr().String())
	go func() {
		if err := o.metrics.Serve(o.metricsLn); !errors.Is(err, http.ErrServerClosed) {
			slog.Error("serving metrics", "err", err)
		}
	}()
}

// close stops the metrics listener and sends the spans still buffered.
func (o *operations) close(ctx context.Context) error {
	var errs []error
	if o.metrics != nil {
		errs = append(errs, o.metrics.Shutdown(ctx))
	} else if o.metricsLn != nil {
		errs = append(errs, o.metricsLn.Close())
	}
	if o.tracer != nil {
		errs = append(errs, o.tracer.Shutdown(ctx))
	}
	return errors.Join(errs...)
}

// healthcheckCommand asks the server on ADDR whether it is alive: the
// container's HEALTHCHECK, since the runtime image has no curl.
func healthcheckCommand(ctx context.Context, cfg Config) error {
	host, port, err := net.SplitHostPort(cfg.Addr)
	if err != nil {
		return fmt.Errorf("ADDR %q: %w", cfg.Addr, err)
	}
	if ip := net.ParseIP(host); host == "" || ip != nil && ip.IsUnspecified() {
		host = "127.0.0.1"
	}
	ctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+net.JoinHostPort(host, port)+"/healthz", nil)
	if err != nil {
		return err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("health check: %w", err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("health check: %s", res.Status)
	}
	return nil
}
