package main

import (
	"bytes"
	"context"
	"database/sql"
	"fmt"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"testing/fstest"
	"time"
)

func TestMigrationFiles(t *testing.T) {
	ms, err := bundledMigrations()
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) == 0 {
		t.Fatal("no migrations embedded")
	}
	for i, m := range ms {
		if m.Version != int64(i+1) {
			t.Errorf("migration %d is %s: versions must run 1, 2, 3... without gaps", i+1, m)
		}
	}

	body := &fstest.MapFile{Data: []byte("SELECT 1;")}
	for _, tt := range []struct {
		name  string
		files fstest.MapFS
		want  string // the versions in order, or the error
	}{
		{"ordered by version", fstest.MapFS{"0010_b.up.sql": body, "0002_a.up.sql": body, "notes.md": body}, "0002_a 0010_b"},
		{"misnamed", fstest.MapFS{"0001_initial.sql": body}, "name must be NNNN_name.up.sql"},
		{"upper case", fstest.MapFS{"0001_Initial.up.sql": body}, "name must be NNNN_name.up.sql"},
		{"version zero", fstest.MapFS{"0000_zero.up.sql": body}, "positive"},
		{"same version", fstest.MapFS{"0001_a.up.sql": body, "0001_b.up.sql": body}, "same version"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			ms, err := loadMigrations(tt.files)
			got := fmt.Sprint(ms)
			if err != nil {
				got = err.Error()
			}
			if !strings.Contains(got, tt.want) {
				t.Fatalf("got %q, want %q", got, tt.want)
			}
		})
	}
}

// TestMigrationsMatchEntSchema fails when ent/schema changed without a
// migration: `go run ./server migrate diff NAME` writes the missing one.
func TestMigrationsMatchEntSchema(t *testing.T) {
	ctx := context.Background()
	db := openTestPostgres(t, pgSchema(t))
	ms, err := bundledMigrations()
	if err != nil {
		t.Fatal(err)
	}
	if _, err := applyMigrations(ctx, db, ms, nil); err != nil {
		t.Fatal(err)
	}
	changes, err := schemaChanges(ctx, db)
	if err != nil {
		t.Fatal(err)
	}
	if changes != "" {
		t.Fatalf("server/migrations lag the ent schema; run `go run ./server migrate diff NAME` (make migration NAME=...) and commit the file. Missing:\n%s", changes)
	}
}

func TestMigrateTwiceIsNoOp(t *testing.T) {
	t.Setenv("DATABASE_URL", pgSchema(t))
	t.Setenv("APP_ENV", "")
	ctx := context.Background()
	migrate := func(args ...string) string {
		t.Helper()
		var out bytes.Buffer
		if err := run(ctx, append([]string{"migrate"}, args...), &out, &out); err != nil {
			t.Fatalf("migrate %v: %v", args, err)
		}
		return out.String()
	}
	state := func(out, name, want string) bool {
		return regexp.MustCompile(`(?m)^` + name + `\s+` + want + `\b`).MatchString(out)
	}
	if out := migrate("status"); !state(out, "0001_initial", "pending") {
		t.Fatalf("status before migrating:\n%s", out)
	}
	if out := migrate(); !strings.Contains(out, "applied 0001_initial") {
		t.Fatalf("first migrate:\n%s", out)
	}
	if out := migrate(); !strings.Contains(out, "none pending") || strings.Contains(out, "applied 0") {
		t.Fatalf("second migrate:\n%s", out)
	}
	if out := migrate("status"); !state(out, "0001_initial", "applied") || !strings.HasSuffix(out, "\n0 pending\n") {
		t.Fatalf("status after migrating:\n%s", out)
	}
}

func TestMigrateConcurrently(t *testing.T) {
	ctx := context.Background()
	url := pgSchema(t)
	ms, err := bundledMigrations()
	if err != nil {
		t.Fatal(err)
	}
	const instances = 4
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		applied = map[int64]int{}
	)
	for range instances {
		db := openTestPostgres(t, url) // a pool each, like separate processes
		wg.Add(1)
		go func() {
			defer wg.Done()
			got, err := applyMigrations(ctx, db, ms, nil)
			if err != nil {
				t.Error(err)
			}
			mu.Lock()
			defer mu.Unlock()
			for _, m := range got {
				applied[m.Version]++
			}
		}()
	}
	wg.Wait()
	for _, m := range ms {
		if applied[m.Version] != 1 {
			t.Errorf("%s applied %d times by %d instances, want once", m, applied[m.Version], instances)
		}
	}
	var rows int
	if err := openTestPostgres(t, url).QueryRow(`SELECT count(*) FROM schema_migrations`).Scan(&rows); err != nil {
		t.Fatal(err)
	}
	if rows != len(ms) {
		t.Fatalf("schema_migrations has %d rows, want %d", rows, len(ms))
	}
}

func TestMigratedProductionStarts(t *testing.T) {
	ctx := context.Background()
	url := pgSchema(t)
	cfg, err := LoadConfig(func(name string) string {
		return map[string]string{
			"APP_ENV":        "production",
			"JWT_SECRET":     "a production secret for the migration test only",
			"DATABASE_URL":   url,
			"ADDR":           "127.0.0.1:0",
			"SWEEP_INTERVAL": "0",
		}[name]
	})
	if err != nil {
		t.Fatal(err)
	}
	ms, err := bundledMigrations()
	if err != nil {
		t.Fatal(err)
	}
	last := ms[len(ms)-1]
	db := openTestPostgres(t, url)

	for _, step := range []struct {
		name    string
		prepare func(t *testing.T)
		refusal string // "" when the server must start
	}{
		{"fresh database", func(*testing.T) {}, "not applied (" + ms[0].String()},
		{"after migrate", func(t *testing.T) {
			if _, err := applyMigrations(ctx, db, ms, nil); err != nil {
				t.Fatal(err)
			}
		}, ""},
		{"latest migration missing", func(t *testing.T) {
			if _, err := db.Exec(`DELETE FROM schema_migrations WHERE version = $1`, last.Version); err != nil {
				t.Fatal(err)
			}
		}, "not applied (" + last.String() + ")"},
	} {
		t.Run(step.name, func(t *testing.T) {
			step.prepare(t)
			m := &Main{Config: cfg}
			err := m.Open(ctx)
			defer m.Close(context.Background())
			if step.refusal != "" {
				if err == nil {
					t.Fatal("production server started on a database that lacks migrations")
				}
				for _, want := range []string{step.refusal, "go run ./server migrate"} {
					if !strings.Contains(err.Error(), want) {
						t.Fatalf("refusal %q does not say %q", err, want)
					}
				}
				return
			}
			if err != nil {
				t.Fatalf("production server did not start after migrate: %v", err)
			}
			go m.Serve()
			client := &http.Client{Timeout: 10 * time.Second}
			res, err := client.Get("http://" + m.Addr() + "/readyz")
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != http.StatusOK {
				t.Fatalf("GET /readyz: %d", res.StatusCode)
			}
		})
	}
}

// openTestPostgres opens a pool on url that the test closes.
func openTestPostgres(t *testing.T, url string) *sql.DB {
	t.Helper()
	db, err := openPostgres(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// TestMigrateBaseline: a PostgreSQL database the server created itself
// (development mode migrates on start) has no migration history; `migrate
// baseline` records one, after which production starts and `migrate` has
// nothing to do. A database that differs from the migrations is refused.
func TestMigrateBaseline(t *testing.T) {
	url := pgSchema(t)
	t.Setenv("DATABASE_URL", url)
	t.Setenv("APP_ENV", "")
	ctx := context.Background()
	cfg, err := LoadConfig(environ)
	if err != nil {
		t.Fatal(err)
	}
	db, err := OpenDatabase(ctx, cfg) // migrates automatically: no schema_migrations
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	migrate := func(args ...string) (string, error) {
		var out bytes.Buffer
		err := run(ctx, append([]string{"migrate"}, args...), &out, &out)
		return out.String(), err
	}
	if out, err := migrate(); err == nil {
		t.Fatalf("migrate on a schema without history succeeded: %s", out)
	}

	// A schema that differs from the migrations' is refused, and nothing is recorded.
	raw, err := openPostgres(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	if _, err := raw.ExecContext(ctx, `DROP INDEX quote_status_currency`); err != nil {
		t.Fatal(err)
	}
	if out, err := migrate("baseline"); err == nil || !strings.Contains(err.Error(), "quote_status_currency") {
		t.Fatalf("baseline of a differing schema: %v\n%s", err, out)
	}
	if out, _ := migrate("status"); !regexp.MustCompile(`(?m)^0001_initial\s+pending\b`).MatchString(out) {
		t.Fatalf("a refused baseline recorded something:\n%s", out)
	}
	if _, err := raw.ExecContext(ctx, `CREATE INDEX quote_status_currency ON quotes (status, currency) INCLUDE (mrc, tcv)`); err != nil {
		t.Fatal(err)
	}

	out, err := migrate("baseline")
	if err != nil || !strings.Contains(out, "recorded 0001_initial as applied") {
		t.Fatalf("baseline: %v\n%s", err, out)
	}
	if out, err := migrate(); err != nil || !strings.Contains(out, "none pending") {
		t.Fatalf("migrate after baseline: %v\n%s", err, out)
	}
	if _, err := migrate("baseline"); err == nil {
		t.Fatal("a second baseline succeeded")
	}
	t.Setenv("APP_ENV", "production")
	t.Setenv("JWT_SECRET", strings.Repeat("p", 40))
	cfg, err = LoadConfig(environ)
	if err != nil {
		t.Fatal(err)
	}
	db, err = OpenDatabase(ctx, cfg)
	if err != nil {
		t.Fatalf("production refuses the baselined database: %v", err)
	}
	db.Close()
}
