package main

import (
	"carrierdesk/internal/auth"
	"carrierdesk/internal/workflow"

	"fmt"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"
)

// Config is everything the program reads from its environment.
type Config struct {
	Addr           string        // ADDR: listen address
	DatabaseURL    string        // DATABASE_URL: postgres://... selects PostgreSQL
	ReadURLs       []string      // DATABASE_READ_URL: PostgreSQL hot standbys of DATABASE_URL that serve reports and read-only roles
	ReplicaMaxLag  time.Duration // REPLICA_MAX_LAG: a standby further behind the primary is out of rotation
	SQLitePath     string        // SQLITE_PATH: the embedded database file when DATABASE_URL is empty
	MaxOpenConns   int           // DB_MAX_OPEN_CONNS: pool size, also kept idle
	ConnMaxIdle    time.Duration // DB_CONN_MAX_IDLE_TIME: how long an idle connection is kept
	StatementCache int           // DB_STATEMENT_CACHE: statements each PostgreSQL connection keeps prepared; 0 prepares none
	SeedOnEmpty    bool          // SEED_ON_EMPTY: load demo data into an empty embedded database
	SweepInterval  time.Duration // SWEEP_INTERVAL: how often expiries and SLA breaches are swept; 0 turns it off
	IdempotencyTTL time.Duration // IDEMPOTENCY_TTL: how long a mutation's Idempotency-Key and answer are kept for retries
	ReadPlanner    bool          // READ_PLANNER: node(id) reads in one statement on PostgreSQL (graph/plan.go)
	FOCTargetDays  int           // FOC_TARGET_BUSINESS_DAYS: the FOC target of orders, in business days after submission
	ViewerTTL      time.Duration // VIEWER_CACHE_TTL: how long a token's loaded viewer is reused; 0 loads it on every request
	Production     bool          // APP_ENV=production: no development secret, no anonymous introspection
	Auth           auth.Config   // JWT_SECRET, JWT_PUBLIC_KEY_FILE, JWT_JWKS_FILE, JWT_JWKS_URL, JWT_ISSUER, JWT_AUDIENCE
	Limits         Limits        // HTTP_*, OPERATION_TIMEOUT, DB_STATEMENT_TIMEOUT, RATE_LIMIT*, CORS_*, GRAPHQL_MAX_*, DEPTH_LIMIT, COST_LIMIT, PAGE_*: see limits.go
	Observe        Observability // METRICS_ADDR, LOG_LEVEL, OTEL_*: see observe.go

	// TRUSTED_DOCUMENTS, TRUSTED_DOCUMENTS_MODE, TRUSTED_DOCUMENTS_EXEMPT_ROLES: see trusted.go
	Trusted TrustedDocuments
}

// LoadConfig reads the configuration from the environment, with defaults that
// run on a fresh machine.
func LoadConfig(getenv func(string) string) (Config, error) {
	c := Config{
		Addr:           or(getenv("ADDR"), ":8080"),
		DatabaseURL:    getenv("DATABASE_URL"),
		SQLitePath:     or(getenv("SQLITE_PATH"), "carrierdesk.db"),
		MaxOpenConns:   16,
		ConnMaxIdle:    5 * time.Minute,
		StatementCache: 256,
		SeedOnEmpty:    true,
		SweepInterval:  30 * time.Second,
		IdempotencyTTL: 24 * time.Hour,
		ReadPlanner:    true,
		FOCTargetDays:  workflow.FOCTargetBusinessDays,
		ViewerTTL:      5 * time.Second,
		ReplicaMaxLag:  5 * time.Second,
	}
	var err error
	switch env := getenv("APP_ENV"); env {
	case "", "development":
	case "production":
		c.Production = true
	default:
		return c, fmt.Errorf("APP_ENV must be development or production, not %q", env)
	}
	c.Auth = auth.Config{
		PublicKeyFile: getenv("JWT_PUBLIC_KEY_FILE"),
		JWKSFile:      getenv("JWT_JWKS_FILE"),
		JWKSURL:       getenv("JWT_JWKS_URL"),
		Issuer:        getenv("JWT_ISSUER"),
		Audience:      getenv("JWT_AUDIENCE"),
	}
	if secret := getenv("JWT_SECRET"); secret != "" {
		c.Auth.Secret = []byte(secret)
	}
	keys := 0
	for _, set := range []bool{len(c.Auth.Secret) > 0, c.Auth.PublicKeyFile != "", c.Auth.JWKSFile != "", c.Auth.JWKSURL != ""} {
		if set {
			keys++
		}
	}
	switch {
	case keys > 1:
		return c, fmt.Errorf("set exactly one of JWT_SECRET, JWT_PUBLIC_KEY_FILE, JWT_JWKS_FILE, JWT_JWKS_URL")
	case c.Production && (keys == 0 || auth.IsDevSecret(c.Auth.Secret)):
		return c, fmt.Errorf("APP_ENV=production needs a real key: JWT_PUBLIC_KEY_FILE, JWT_JWKS_FILE, JWT_JWKS_URL or a JWT_SECRET other than the development one")
	case keys == 0:
		c.Auth.Secret = []byte(auth.DevSecret)
	}
	if c.MaxOpenConns, err = intVar(getenv, "DB_MAX_OPEN_CONNS", c.MaxOpenConns, 1, 1000); err != nil {
		return c, err
	}
	if c.FOCTargetDays, err = intVar(getenv, "FOC_TARGET_BUSINESS_DAYS", c.FOCTargetDays, 1, 60); err != nil {
		return c, err
	}
	if v := getenv("DB_STATEMENT_CACHE"); v != "" {
		if c.StatementCache, err = strconv.Atoi(v); err != nil || c.StatementCache < 0 {
			return c, fmt.Errorf("DB_STATEMENT_CACHE must be a number of statements, 0 or more, not %q", v)
		}
	}
	if v := getenv("VIEWER_CACHE_TTL"); v != "" {
		if c.ViewerTTL, err = time.ParseDuration(v); err != nil || c.ViewerTTL < 0 {
			return c, fmt.Errorf("VIEWER_CACHE_TTL must be a duration of 0 or more, such as 5s, not %q", v)
		}
	}
	if v := getenv("DB_CONN_MAX_IDLE_TIME"); v != "" {
		if c.ConnMaxIdle, err = time.ParseDuration(v); err != nil {
			return c, fmt.Errorf("DB_CONN_MAX_IDLE_TIME: %w", err)
		}
	}
	if v := getenv("SWEEP_INTERVAL"); v != "" {
		if c.SweepInterval, err = time.ParseDuration(v); err != nil {
			return c, fmt.Errorf("SWEEP_INTERVAL: %w", err)
		}
	}
	if v := getenv("IDEMPOTENCY_TTL"); v != "" {
		if c.IdempotencyTTL, err = time.ParseDuration(v); err != nil || c.IdempotencyTTL < time.Minute {
			return c, fmt.Errorf("IDEMPOTENCY_TTL must be a duration of a minute or more, such as 24h, not %q", v)
		}
	}
	if v := getenv("READ_PLANNER"); v != "" {
		if c.ReadPlanner, err = strconv.ParseBool(v); err != nil {
			return c, fmt.Errorf("READ_PLANNER must be true or false, not %q", v)
		}
	}
	if v := getenv("SEED_ON_EMPTY"); v != "" {
		if c.SeedOnEmpty, err = strconv.ParseBool(v); err != nil {
			return c, fmt.Errorf("SEED_ON_EMPTY: %w", err)
		}
	}
	if c.ReadURLs, err = readURLs(getenv("DATABASE_READ_URL"), c.DatabaseURL); err != nil {
		return c, err
	}
	if v := getenv("REPLICA_MAX_LAG"); v != "" {
		if c.ReplicaMaxLag, err = time.ParseDuration(v); err != nil || c.ReplicaMaxLag < 100*time.Millisecond {
			return c, fmt.Errorf("REPLICA_MAX_LAG must be a duration of 100ms or more, such as 5s, not %q", v)
		}
	}
	if c.Limits, err = loadLimits(getenv, c.Production); err != nil {
		return c, err
	}
	if c.Observe, err = loadObservability(getenv); err != nil {
		return c, err
	}
	if c.Trusted, err = loadTrustedDocuments(getenv); err != nil {
		return c, err
	}
	return c, nil
}

// readURLs reads DATABASE_READ_URL: comma-separated postgres:// URLs of hot
// standbys, which only a PostgreSQL primary can have.
func readURLs(v, primary string) ([]string, error) {
	if strings.TrimSpace(v) == "" {
		return nil, nil
	}
	if primary == "" {
		return nil, fmt.Errorf("DATABASE_READ_URL needs DATABASE_URL: read replicas are standbys of a PostgreSQL primary, not of the embedded SQLite file")
	}
	var urls []string
	for i, raw := range strings.Split(v, ",") {
		raw = strings.TrimSpace(raw)
		u, err := url.Parse(raw)
		if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" {
			return nil, fmt.Errorf("DATABASE_READ_URL: URL %d must be postgres://host:port/database, comma-separated from the others", i+1)
		}
		urls = append(urls, raw)
	}
	return urls, nil
}

func or(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func intVar(getenv func(string) string, name string, def, min, max int) (int, error) {
	v := getenv(name)
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < min || n > max {
		return 0, fmt.Errorf("%s must be a whole number from %d to %d, not %q", name, min, max, v)
	}
	return n, nil
}

// environ is the process environment, for LoadConfig.
var environ = os.Getenv
