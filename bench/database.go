package main

import (
	"context"
	"database/sql"
	"fmt"
	"io"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"carrierdesk/ent"
	"carrierdesk/ent/privacy"
	_ "carrierdesk/ent/runtime"
	"carrierdesk/internal/seed"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
	"github.com/lib/pq"
)

// portfolioSize counts the seeded rows the issue sets minimums for.
type portfolioSize struct {
	Carriers, Accounts, Quotes, LineItems, Contracts, Escalations, Events int
}

// minimum is the smallest portfolio the suite measures (issue 6).
var minimum = portfolioSize{Carriers: 200, Accounts: 5000, Quotes: 50000, LineItems: 150000, Contracts: 10000, Escalations: 30000, Events: 150000}

func (s portfolioSize) atLeast(m portfolioSize) bool {
	return s.Carriers >= m.Carriers && s.Accounts >= m.Accounts && s.Quotes >= m.Quotes && s.LineItems >= m.LineItems &&
		s.Contracts >= m.Contracts && s.Escalations >= m.Escalations && s.Events >= m.Events
}

func (s portfolioSize) String() string {
	return fmt.Sprintf("%d carriers, %d accounts, %d quotes, %d line items, %d contracts, %d escalations, %d escalation events",
		s.Carriers, s.Accounts, s.Quotes, s.LineItems, s.Contracts, s.Escalations, s.Events)
}

func countPortfolio(ctx context.Context, db *sql.DB) (portfolioSize, error) {
	var s portfolioSize
	err := db.QueryRowContext(ctx, `SELECT
		(SELECT count(*) FROM carriers), (SELECT count(*) FROM accounts), (SELECT count(*) FROM quotes),
		(SELECT count(*) FROM quote_line_items), (SELECT count(*) FROM contracts),
		(SELECT count(*) FROM escalations), (SELECT count(*) FROM escalation_events)`).
		Scan(&s.Carriers, &s.Accounts, &s.Quotes, &s.LineItems, &s.Contracts, &s.Escalations, &s.Events)
	return s, err
}

// withDatabase returns dbURL with its database name replaced.
func withDatabase(dbURL, name string) (string, error) {
	u, err := url.Parse(dbURL)
	if err != nil {
		return "", fmt.Errorf("parsing the database URL: %w", err)
	}
	u.Path = "/" + name
	return u.String(), nil
}

func databaseName(dbURL string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		return ""
	}
	return strings.TrimPrefix(u.Path, "/")
}

func redact(dbURL string) string {
	u, err := url.Parse(dbURL)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}

// prepareDatabase makes sure dbURL's database holds a portfolio of scale:
// it creates the database if missing, reuses a portfolio already at least
// the minimum, and otherwise (or with fresh) drops it and seeds
// anew. It migrates the schema and refreshes planner statistics either way.
func prepareDatabase(ctx context.Context, dbURL string, scale int, fresh bool, progress io.Writer) (portfolioSize, error) {
	name := databaseName(dbURL)
	if name == "" || name == "postgres" || name == "test" {
		return portfolioSize{}, fmt.Errorf("the benchmark needs a database of its own, not %q", name)
	}
	admin, err := withDatabase(dbURL, "postgres")
	if err != nil {
		return portfolioSize{}, err
	}
	adb, err := sql.Open("postgres", admin)
	if err != nil {
		return portfolioSize{}, err
	}
	defer adb.Close()
	var exists bool
	if err := adb.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)`, name).Scan(&exists); err != nil {
		return portfolioSize{}, fmt.Errorf("connecting to PostgreSQL at %s: %w", redact(admin), err)
	}
	if exists && !fresh {
		db, err := sql.Open("postgres", dbURL)
		if err != nil {
			return portfolioSize{}, err
		}
		size, err := countPortfolio(ctx, db)
		db.Close()
		if err == nil && size.atLeast(minimum) {
			fmt.Fprintf(progress, "database %s: reusing the seeded portfolio (%s)\n", name, size)
			return size, migrateAndAnalyze(ctx, dbURL, progress)
		}
		fmt.Fprintf(progress, "database %s: below the benchmark's portfolio (%v); seeding anew\n", name, size)
	}
	if exists {
		if _, err := adb.ExecContext(ctx, `DROP DATABASE `+pq.QuoteIdentifier(name)+` WITH (FORCE)`); err != nil {
			return portfolioSize{}, fmt.Errorf("dropping %s: %w", name, err)
		}
	}
	if _, err := adb.ExecContext(ctx, `CREATE DATABASE `+pq.QuoteIdentifier(name)); err != nil {
		return portfolioSize{}, fmt.Errorf("creating %s: %w", name, err)
	}
	if err := seedPortfolio(ctx, dbURL, scale, progress); err != nil {
		return portfolioSize{}, err
	}
	if err := migrateAndAnalyze(ctx, dbURL, progress); err != nil {
		return portfolioSize{}, err
	}
	db, err := sql.Open("postgres", dbURL)
	if err != nil {
		return portfolioSize{}, err
	}
	defer db.Close()
	size, err := countPortfolio(ctx, db)
	if err != nil {
		return size, err
	}
	if !size.atLeast(minimum) {
		fmt.Fprintf(progress, "warning: scale %d seeds %s, below the issue's minimum of %s; raise -scale\n", scale, size, minimum)
	}
	return size, nil
}

// seedPortfolio migrates the schema and seeds at scale, reporting progress.
func seedPortfolio(ctx context.Context, dbURL string, scale int, progress io.Writer) error {
	client, err := openClient(ctx, dbURL)
	if err != nil {
		return err
	}
	defer client.Close()
	fmt.Fprintf(progress, "seeding scale %d (about %d accounts): one transaction, progress per %d accounts\n", scale, 440*scale, 250)
	start := time.Now()
	w := &progressWriter{out: progress, start: start}
	if _, err := seed.Run(ctx, client, seed.Options{Scale: scale, Progress: w}); err != nil {
		return err
	}
	fmt.Fprintf(progress, "seeded in %s\n", time.Since(start).Round(time.Second))
	return nil
}

// migrateAndAnalyze brings the schema up to date, as the server will at its
// start, and refreshes the planner's statistics so that plans are those of
// a database in service rather than of freshly loaded tables.
func migrateAndAnalyze(ctx context.Context, dbURL string, progress io.Writer) error {
	client, err := openClient(ctx, dbURL)
	if err != nil {
		return err
	}
	client.Close()
	db, err := sql.Open("postgres", dbURL)
	if err != nil {
		return err
	}
	defer db.Close()
	start := time.Now()
	if _, err := db.ExecContext(ctx, `VACUUM (ANALYZE)`); err != nil {
		return fmt.Errorf("vacuum analyze: %w", err)
	}
	fmt.Fprintf(progress, "vacuum analyze: %s\n", time.Since(start).Round(100*time.Millisecond))
	return nil
}

// openClient opens an ent client on dbURL and migrates the schema.
func openClient(ctx context.Context, dbURL string) (*ent.Client, error) {
	drv, err := entsql.Open(dialect.Postgres, dbURL)
	if err != nil {
		return nil, err
	}
	client := ent.NewClient(ent.Driver(drv))
	if err := client.Schema.Create(privacy.DecisionContext(ctx, privacy.Allow)); err != nil {
		client.Close()
		return nil, fmt.Errorf("migrating %s: %w", redact(dbURL), err)
	}
	return client, nil
}

// progressWriter prefixes the seeder's lines with the time since it started.
type progressWriter struct {
	out   io.Writer
	start time.Time
}

var accountsDone = regexp.MustCompile(`accounts (\d+)/(\d+)`)

func (w *progressWriter) Write(p []byte) (int, error) {
	line := strings.TrimRight(string(p), "\n")
	if m := accountsDone.FindStringSubmatch(line); m != nil {
		done, _ := strconv.Atoi(m[1])
		total, _ := strconv.Atoi(m[2])
		if total > 0 {
			line += fmt.Sprintf(" %3d%%", done*100/total)
		}
	}
	fmt.Fprintf(w.out, "  [%5s] %s\n", time.Since(w.start).Round(time.Second), line)
	return len(p), nil
}
