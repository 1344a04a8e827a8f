package main

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"carrierdesk/ent"
	_ "carrierdesk/ent/runtime"
	"carrierdesk/internal/events"
	"carrierdesk/internal/pgstmt"
	"carrierdesk/internal/replica"
	"carrierdesk/internal/storeerr"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/lib/pq"
	_ "modernc.org/sqlite"
)

// Database is the open store: the ent client, the pool beneath it, and the
// broker that announces its committed escalation events to this instance.
type Database struct {
	Client  *ent.Client
	DB      *sql.DB
	Dialect string
	Events  events.Broker
	// Replicas routes reads between the primary and DATABASE_READ_URL's
	// standbys; nil without standbys.
	Replicas *replica.Driver
}

// OpenDatabase opens PostgreSQL when cfg names one, else the embedded SQLite
// file, sizes the pool, and migrates the schema: automatically, except for
// PostgreSQL in production, which must already carry every migration of
// server/migrations (`go run ./server migrate`).
func OpenDatabase(ctx context.Context, cfg Config) (*Database, error) {
	return openDatabase(ctx, cfg, nil)
}

// openDatabase is OpenDatabase with an optional wrapper around the driver,
// with which tests count SQL statements.
func openDatabase(ctx context.Context, cfg Config, wrap func(dialect.Driver) dialect.Driver) (*Database, error) {
	var (
		db  *sql.DB
		dia string
		err error
	)
	if cfg.DatabaseURL != "" {
		if !strings.HasPrefix(cfg.DatabaseURL, "postgres://") && !strings.HasPrefix(cfg.DatabaseURL, "postgresql://") {
			return nil, fmt.Errorf("DATABASE_URL must start with postgres://")
		}
		dia = dialect.Postgres
		db, err = openPostgresPool(cfg.DatabaseURL, cfg)
	} else {
		dia = dialect.SQLite
		db = sql.OpenDB(sqliteConnector{dsn: sqliteDSN(cfg.SQLitePath)})
	}
	if err != nil {
		return nil, fmt.Errorf("opening database: %w", err)
	}
	sizePool(db, cfg)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connecting to database: %w", err)
	}
	var (
		drv      dialect.Driver = entsql.OpenDB(dia, db)
		replicas *replica.Driver
	)
	if len(cfg.ReadURLs) > 0 {
		if replicas, err = openReplicas(ctx, cfg, drv, db); err != nil {
			db.Close()
			return nil, err
		}
		drv = replicas
	}
	// Refusals by the database become client errors here, where it is touched.
	drv = storeerr.Driver{Driver: drv}
	if wrap != nil {
		drv = wrap(drv)
	}
	client := ent.NewClient(ent.Driver(drv))
	if dia == dialect.Postgres && cfg.Production {
		// Instances of a rolling deployment must not race to change the
		// schema; the operator migrates once, before they start.
		if err := requireMigrated(ctx, db); err != nil {
			client.Close()
			return nil, err
		}
	} else if err := client.Schema.Create(ctx); err != nil {
		client.Close()
		return nil, fmt.Errorf("migrating schema: %w", err)
	}
	broker, err := openBroker(ctx, dia, cfg.DatabaseURL)
	if err != nil {
		client.Close()
		return nil, err
	}
	// Every writer through this client (GraphQL, the sweeper, the seeder)
	// announces the escalation events it commits.
	client.EscalationEvent.Use(broker.Hook())
	return &Database{Client: client, DB: db, Dialect: dia, Events: broker, Replicas: replicas}, nil
}

// openPostgresPool opens a pool on a PostgreSQL URL with the server's settings:
// statement timeout, binary parameters and the statement cache.
func openPostgresPool(databaseURL string, cfg Config) (*sql.DB, error) {
	dsn, err := withStatementTimeout(databaseURL, cfg.Limits.StatementTimeout)
	if err != nil {
		return nil, err
	}
	if dsn, err = withBinaryParameters(dsn); err != nil {
		return nil, err
	}
	connector, err := pq.NewConnector(dsn)
	if err != nil {
		return nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	// Statements are prepared once per connection and kept (DB_STATEMENT_CACHE).
	return sql.OpenDB(pgstmt.Connector{Connector: connector, Size: cfg.StatementCache}), nil
}

// sizePool keeps as many idle connections as open ones: with database/sql's
// default of 2, PostgreSQL connections churn under load.
func sizePool(db *sql.DB, cfg Config) {
	db.SetMaxOpenConns(cfg.MaxOpenConns)
	db.SetMaxIdleConns(cfg.MaxOpenConns)
	db.SetConnMaxIdleTime(cfg.ConnMaxIdle)
}

// openReplicas puts the standbys of DATABASE_READ_URL beside the primary's
// driver. A standby that does not answer yet is no error: it stays out of
// rotation until it does, and the primary serves.
func openReplicas(ctx context.Context, cfg Config, primary dialect.Driver, primaryDB *sql.DB) (*replica.Driver, error) {
	standbys := make([]*replica.Standby, 0, len(cfg.ReadURLs))
	for i, raw := range cfg.ReadURLs {
		db, err := openPostgresPool(raw, cfg)
		if err != nil {
			for _, s := range standbys {
				s.Close()
			}
			return nil, fmt.Errorf("DATABASE_READ_URL: URL %d: %w", i+1, err)
		}
		sizePool(db, cfg)
		u, _ := url.Parse(raw) // LoadConfig parsed it
		standbys = append(standbys, replica.NewStandby(u.Host, entsql.OpenDB(dialect.Postgres, db), db))
	}
	return replica.New(ctx, primary, primaryDB, standbys, cfg.ReplicaMaxLag), nil
}

// withBinaryParameters turns on lib/pq's binary_parameters unless the URL
// says otherwise. With it, a statement with arguments is one round trip
// (parse, bind, describe, execute, sync in one write) instead of two (parse
// and describe, then bind and execute): the profile of the account page
// showed 16% of the server's CPU in the socket writes of those round trips.
// Only []byte arguments travel in binary; the one column ent fills with
// []byte on PostgreSQL (business_reviews.attendees) is json, whose binary form
// is its text, rather than jsonb, whose binary form carries a version byte.
func withBinaryParameters(databaseURL string) (string, error) {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return "", fmt.Errorf("DATABASE_URL: %w", err)
	}
	q := u.Query()
	if q.Has("binary_parameters") {
		return databaseURL, nil
	}
	q.Set("binary_parameters", "yes")
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// openBroker picks the event broker of the store: PostgreSQL LISTEN/NOTIFY,
// which several instances share, or in-process for the embedded SQLite file.
func openBroker(ctx context.Context, dia, databaseURL string) (events.Broker, error) {
	if dia != dialect.Postgres {
		return events.NewLocal(), nil
	}
	return events.ListenPostgres(ctx, databaseURL)
}

// sqliteDSN builds the modernc SQLite DSN: foreign keys on, a busy timeout for
// concurrent writers, WAL for readers beside a writer, and the sqlite time
// format, without which cursor pagination over time fields repeats rows.
func sqliteDSN(path string) string {
	q := url.Values{}
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_pragma", "busy_timeout(5000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Set("_time_format", "sqlite")
	// Write transactions take the write lock when they begin, so concurrent
	// writers queue on busy_timeout instead of failing with SQLITE_BUSY when
	// a read transaction tries to upgrade.
	q.Set("_txlock", "immediate")
	return "file:" + path + "?" + q.Encode()
}

// Close stops the broker and closes the client and its pool.
func (d *Database) Close() error { return errors.Join(d.Events.Close(), d.Client.Close()) }

// withStatementTimeout sets PostgreSQL's statement_timeout on every
// connection of databaseURL, so that no statement outlives its request even
// when a cancellation does not reach the server. A URL that sets its own
// statement_timeout keeps it.
func withStatementTimeout(databaseURL string, d time.Duration) (string, error) {
	if d <= 0 {
		return databaseURL, nil
	}
	u, err := url.Parse(databaseURL)
	if err != nil {
		return "", fmt.Errorf("DATABASE_URL: %w", err)
	}
	q := u.Query()
	if strings.Contains(q.Get("options"), "statement_timeout") || q.Has("statement_timeout") {
		return databaseURL, nil
	}
	q.Set("options", strings.TrimSpace(q.Get("options")+" -c statement_timeout="+strconv.FormatInt(d.Milliseconds(), 10)))
	u.RawQuery = q.Encode()
	return u.String(), nil
}
