package main

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"database/sql/driver"
	"embed"
	"encoding/hex"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"carrierdesk/ent"

	"entgo.io/ent/dialect"
	entsql "entgo.io/ent/dialect/sql"
)

// embeddedMigrations are the PostgreSQL migrations this binary applies and,
// in production, requires before it serves.
//
//go:embed migrations/*.up.sql
var embeddedMigrations embed.FS

// migrationsDir is where `migrate diff` reads and writes migration files,
// relative to the repository root.
const migrationsDir = "server/migrations"

// migrationsTable records the applied migrations, one row each.
const migrationsTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
	version    bigint PRIMARY KEY,
	name       text NOT NULL,
	applied_at timestamptz NOT NULL DEFAULT now()
)`

// migrationLockKey names the advisory lock that serializes migrators. It is
// per schema, so instances sharing a schema wait for each other and separate
// schemas (the test suite's) do not.
const migrationLockKey = `hashtext('carrierdesk.migrate:' || coalesce(current_schema(), ''))`

// migration is one file of the migrations directory: NNNN_name.up.sql.
type migration struct {
	Version int64
	Name    string
	SQL     string
}

// String is the file's name without the suffix, as operators see it.
func (m migration) String() string { return fmt.Sprintf("%04d_%s", m.Version, m.Name) }

var migrationFile = regexp.MustCompile(`^(\d{4,})_([a-z0-9_]+)\.up\.sql$`)

// loadMigrations reads the migrations of fsys's root, in version order. A file
// that does not follow the naming scheme is an error rather than skipped, so a
// misnamed migration cannot silently go unapplied.
func loadMigrations(fsys fs.FS) ([]migration, error) {
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return nil, fmt.Errorf("reading migrations: %w", err)
	}
	var ms []migration
	seen := map[int64]string{}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".sql") {
			continue
		}
		match := migrationFile.FindStringSubmatch(e.Name())
		if match == nil {
			return nil, fmt.Errorf("migration %s: name must be NNNN_name.up.sql (lower case, digits, underscores)", e.Name())
		}
		v, err := strconv.ParseInt(match[1], 10, 64)
		if err != nil || v < 1 {
			return nil, fmt.Errorf("migration %s: version must be a positive number", e.Name())
		}
		if other, dup := seen[v]; dup {
			return nil, fmt.Errorf("migrations %s and %s have the same version", other, e.Name())
		}
		seen[v] = e.Name()
		body, err := fs.ReadFile(fsys, e.Name())
		if err != nil {
			return nil, fmt.Errorf("reading migration %s: %w", e.Name(), err)
		}
		ms = append(ms, migration{Version: v, Name: match[2], SQL: string(body)})
	}
	sort.Slice(ms, func(i, j int) bool { return ms[i].Version < ms[j].Version })
	return ms, nil
}

// bundledMigrations are the migrations embedded in the binary.
func bundledMigrations() ([]migration, error) {
	sub, err := fs.Sub(embeddedMigrations, "migrations")
	if err != nil {
		return nil, err
	}
	return loadMigrations(sub)
}

// applyMigrations applies the migrations db lacks, in order, each in its own
// transaction, and reports each to out as it lands. It holds an advisory lock
// throughout, so instances started together apply each migration once.
func applyMigrations(ctx context.Context, db *sql.DB, ms []migration, out io.Writer) (applied []migration, err error) {
	err = withMigrationLock(ctx, db, func(conn *sql.Conn) error {
		done, err := appliedVersions(ctx, conn)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if _, ok := done[m.Version]; ok {
				continue
			}
			start := time.Now()
			if err := applyMigration(ctx, conn, m); err != nil {
				return err
			}
			applied = append(applied, m)
			if out != nil {
				fmt.Fprintf(out, "applied %s (%s)\n", m, time.Since(start).Round(time.Millisecond))
			}
		}
		return nil
	})
	return applied, err
}

// withMigrationLock runs fn on one connection holding the migration advisory
// lock, with schema_migrations created.
func withMigrationLock(ctx context.Context, db *sql.DB, fn func(conn *sql.Conn) error) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return fmt.Errorf("connecting to database: %w", err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(`+migrationLockKey+`)`); err != nil {
		return fmt.Errorf("waiting for the migration lock: %w", err)
	}
	defer func() {
		// The connection goes back to the pool: release the lock on it, or
		// discard the connection if that fails, which releases it too.
		if _, uerr := conn.ExecContext(context.Background(), `SELECT pg_advisory_unlock(`+migrationLockKey+`)`); uerr != nil {
			_ = conn.Raw(func(any) error { return driver.ErrBadConn })
		}
	}()
	if _, err := conn.ExecContext(ctx, migrationsTable); err != nil {
		return fmt.Errorf("creating schema_migrations: %w", err)
	}
	return fn(conn)
}

// baselineMigrations records every migration of ms as applied without
// running it, for a database whose schema the server created directly (it
// migrates itself on start outside production) and which so has no
// history. It refuses a database that has a history, or whose schema differs
// from the one the migrations build.
func baselineMigrations(ctx context.Context, db *sql.DB, ms []migration, out io.Writer) error {
	return withMigrationLock(ctx, db, func(conn *sql.Conn) error {
		done, err := appliedVersions(ctx, conn)
		if err != nil {
			return err
		}
		if len(done) > 0 {
			return fmt.Errorf("the database already records %d applied migration(s); run `migrate` instead", len(done))
		}
		changes, err := schemaChanges(ctx, db)
		if err != nil {
			return err
		}
		if changes != "" {
			return fmt.Errorf("the database's schema differs from the migrations'; baseline would record what is not there. Differences:\n%s", changes)
		}
		tx, err := conn.BeginTx(ctx, nil)
		if err != nil {
			return err
		}
		for _, m := range ms {
			if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name); err != nil {
				return errors.Join(fmt.Errorf("recording %s: %w", m, err), tx.Rollback())
			}
		}
		if err := tx.Commit(); err != nil {
			return err
		}
		for _, m := range ms {
			fmt.Fprintf(out, "recorded %s as applied\n", m)
		}
		return nil
	})
}

// applyMigration runs one migration and records it, together or not at all.
func applyMigration(ctx context.Context, conn *sql.Conn, m migration) error {
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("applying %s: %w", m, err)
	}
	// Without arguments lib/pq sends the simple query protocol, which runs
	// the file's statements one after another.
	if _, err := tx.ExecContext(ctx, m.SQL); err != nil {
		return errors.Join(fmt.Errorf("applying %s: %w", m, err), tx.Rollback())
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, name) VALUES ($1, $2)`, m.Version, m.Name); err != nil {
		return errors.Join(fmt.Errorf("recording %s: %w", m, err), tx.Rollback())
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("applying %s: %w", m, err)
	}
	return nil
}

// queryer is what reading schema_migrations needs: a pool or one connection.
type queryer interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// appliedVersions maps each applied version to when it was applied; a
// database without schema_migrations has none.
func appliedVersions(ctx context.Context, q queryer) (map[int64]time.Time, error) {
	var exists bool
	if err := q.QueryRowContext(ctx, `SELECT to_regclass('schema_migrations') IS NOT NULL`).Scan(&exists); err != nil {
		return nil, fmt.Errorf("reading schema_migrations: %w", err)
	}
	done := map[int64]time.Time{}
	if !exists {
		return done, nil
	}
	rows, err := q.QueryContext(ctx, `SELECT version, applied_at FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("reading schema_migrations: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var (
			v  int64
			at time.Time
		)
		if err := rows.Scan(&v, &at); err != nil {
			return nil, fmt.Errorf("reading schema_migrations: %w", err)
		}
		done[v] = at
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("reading schema_migrations: %w", err)
	}
	return done, nil
}

// pendingMigrations are the migrations of ms that db has not applied.
func pendingMigrations(ctx context.Context, db queryer, ms []migration) ([]migration, error) {
	done, err := appliedVersions(ctx, db)
	if err != nil {
		return nil, err
	}
	var pending []migration
	for _, m := range ms {
		if _, ok := done[m.Version]; !ok {
			pending = append(pending, m)
		}
	}
	return pending, nil
}

// requireMigrated refuses a PostgreSQL database that lacks any of this
// binary's migrations: production never changes the schema on start.
func requireMigrated(ctx context.Context, db *sql.DB) error {
	ms, err := bundledMigrations()
	if err != nil {
		return err
	}
	pending, err := pendingMigrations(ctx, db, ms)
	if err != nil {
		return err
	}
	if len(pending) == 0 {
		return nil
	}
	names := make([]string, len(pending))
	for i, m := range pending {
		names[i] = m.String()
	}
	return fmt.Errorf("database schema is not current: %d migration(s) not applied (%s); "+
		"APP_ENV=production does not migrate on start: run `go run ./server migrate` (or `server migrate`) first",
		len(pending), strings.Join(names, ", "))
}

// migrateCommand is `migrate` (apply pending migrations), `migrate status`,
// `migrate baseline` (record them all as applied to a schema the server
// created itself) and `migrate diff NAME`.
func migrateCommand(ctx context.Context, cfg Config, args []string, stdout io.Writer) error {
	sub := "up"
	if len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		sub, args = args[0], args[1:]
	}
	fset := flag.NewFlagSet("migrate "+sub, flag.ContinueOnError)
	dir := fset.String("dir", migrationsDir, "the migrations `directory` diff reads and writes")
	if err := fset.Parse(args); err != nil {
		return err
	}
	if cfg.DatabaseURL == "" {
		return fmt.Errorf("migrate needs DATABASE_URL (PostgreSQL); the embedded SQLite database migrates itself on start")
	}
	switch sub {
	case "up":
		return migrateUp(ctx, cfg.DatabaseURL, stdout)
	case "status":
		return migrateStatus(ctx, cfg.DatabaseURL, stdout)
	case "baseline":
		db, err := openPostgres(ctx, cfg.DatabaseURL)
		if err != nil {
			return err
		}
		defer db.Close()
		ms, err := bundledMigrations()
		if err != nil {
			return err
		}
		return baselineMigrations(ctx, db, ms, stdout)
	case "diff":
		if fset.NArg() != 1 {
			return fmt.Errorf("usage: migrate diff NAME (lower case, digits, underscores)")
		}
		return migrateDiff(ctx, cfg.DatabaseURL, *dir, fset.Arg(0), stdout)
	default:
		return fmt.Errorf("unknown migrate command %q (migrate, migrate status, migrate baseline, migrate diff NAME)", sub)
	}
}

// openPostgres opens a pool for migrating: no statement timeout is added, as
// a migration may rightly take longer than any request.
func openPostgres(ctx context.Context, databaseURL string) (*sql.DB, error) {
	if !strings.HasPrefix(databaseURL, "postgres://") && !strings.HasPrefix(databaseURL, "postgresql://") {
		return nil, fmt.Errorf("DATABASE_URL must start with postgres://")
	}
	db, err := sql.Open("postgres", databaseURL)
	if err != nil {
		return nil, fmt.Errorf("opening database: %w", err)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connecting to database: %w", err)
	}
	return db, nil
}

func migrateUp(ctx context.Context, databaseURL string, stdout io.Writer) error {
	ms, err := bundledMigrations()
	if err != nil {
		return err
	}
	db, err := openPostgres(ctx, databaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	applied, err := applyMigrations(ctx, db, ms, stdout)
	if err != nil {
		return err
	}
	if len(applied) == 0 {
		fmt.Fprintf(stdout, "schema is current: %d migration(s), none pending\n", len(ms))
	}
	return nil
}

func migrateStatus(ctx context.Context, databaseURL string, stdout io.Writer) error {
	ms, err := bundledMigrations()
	if err != nil {
		return err
	}
	db, err := openPostgres(ctx, databaseURL)
	if err != nil {
		return err
	}
	defer db.Close()
	done, err := appliedVersions(ctx, db)
	if err != nil {
		return err
	}
	w := tabwriter.NewWriter(stdout, 0, 4, 2, ' ', 0)
	pending := 0
	for _, m := range ms {
		if at, ok := done[m.Version]; ok {
			fmt.Fprintf(w, "%s\tapplied %s\n", m, at.UTC().Format(time.RFC3339))
			delete(done, m.Version)
		} else {
			fmt.Fprintf(w, "%s\tpending\n", m)
			pending++
		}
	}
	// Versions this binary does not know: a newer release migrated the database.
	for v, at := range done {
		fmt.Fprintf(w, "%04d\tapplied %s, unknown to this binary\n", v, at.UTC().Format(time.RFC3339))
	}
	if err := w.Flush(); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "%d pending\n", pending)
	return nil
}

// migrateDiff writes the next migration: the statements that take a database
// with every migration of dir applied to the ent schema, as ent's own
// migration engine plans them. It works in a scratch schema that it drops
// afterwards, so the database named by databaseURL is left as it was.
func migrateDiff(ctx context.Context, databaseURL, dir, name string, stdout io.Writer) error {
	if !regexp.MustCompile(`^[a-z0-9_]+$`).MatchString(name) {
		return fmt.Errorf("migration name %q: use lower case letters, digits and underscores", name)
	}
	ms, err := loadMigrations(os.DirFS(dir))
	if err != nil {
		return err
	}
	scratch, drop, err := scratchSchema(ctx, databaseURL)
	if err != nil {
		return err
	}
	defer drop()
	db, err := openPostgres(ctx, scratch)
	if err != nil {
		return err
	}
	defer db.Close()
	if _, err := applyMigrations(ctx, db, ms, nil); err != nil {
		return err
	}
	changes, err := schemaChanges(ctx, db)
	if err != nil {
		return err
	}
	if changes == "" {
		fmt.Fprintf(stdout, "no changes: the %d migration(s) in %s match the ent schema\n", len(ms), dir)
		return nil
	}
	var next int64 = 1
	if len(ms) > 0 {
		next = ms[len(ms)-1].Version + 1
	}
	m := migration{Version: next, Name: name}
	m.SQL = fmt.Sprintf("-- %s: generated by `go run ./server migrate diff %s` from the ent schema.\n%s", m, name, changes)
	path := filepath.Join(dir, m.String()+".up.sql")
	if err := os.WriteFile(path, []byte(m.SQL), 0o644); err != nil {
		return fmt.Errorf("writing migration: %w", err)
	}
	fmt.Fprintf(stdout, "wrote %s\n", path)
	// Prove the file runs on a database at the previous version and leaves
	// nothing to do, so a broken plan is found now rather than in production.
	if _, err := applyMigrations(ctx, db, []migration{m}, nil); err != nil {
		return fmt.Errorf("%s does not apply cleanly, edit it by hand: %w", path, err)
	}
	if rest, err := schemaChanges(ctx, db); err != nil {
		return err
	} else if rest != "" {
		return fmt.Errorf("%s applied, but the ent schema still wants:\n%s", path, rest)
	}
	return nil
}

// schemaChanges is the DDL ent would run to bring db to the ent schema, or ""
// when there is none.
func schemaChanges(ctx context.Context, db *sql.DB) (string, error) {
	var b bytes.Buffer
	client := ent.NewClient(ent.Driver(entsql.OpenDB(dialect.Postgres, db)))
	if err := client.Schema.WriteTo(ctx, &b); err != nil {
		return "", fmt.Errorf("planning schema changes: %w", err)
	}
	return strings.TrimSpace(b.String()), nil
}

// scratchSchema creates an empty schema beside databaseURL's and returns a URL
// that uses it, and a function that drops it.
func scratchSchema(ctx context.Context, databaseURL string) (string, func(), error) {
	u, err := url.Parse(databaseURL)
	if err != nil {
		return "", nil, fmt.Errorf("DATABASE_URL: %w", err)
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	schema := "carrierdesk_diff_" + hex.EncodeToString(b)
	admin, err := openPostgres(ctx, databaseURL)
	if err != nil {
		return "", nil, err
	}
	if _, err := admin.ExecContext(ctx, `CREATE SCHEMA `+schema); err != nil {
		admin.Close()
		return "", nil, fmt.Errorf("creating scratch schema: %w", err)
	}
	drop := func() {
		_, _ = admin.ExecContext(context.Background(), `DROP SCHEMA `+schema+` CASCADE`)
		admin.Close()
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String(), drop, nil
}
