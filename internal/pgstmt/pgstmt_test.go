package pgstmt

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/lib/pq"
)

// open returns a pool of one connection to a schema of the test's own, on
// the PostgreSQL of TEST_DATABASE_URL (skipped when unreachable, unless
// CARRIERDESK_TEST_POSTGRES=require), keeping size statements.
func open(t *testing.T, size int) *sql.DB {
	t.Helper()
	base := os.Getenv("TEST_DATABASE_URL")
	if base == "" {
		base = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"
	}
	admin, err := sql.Open("postgres", base)
	if err == nil {
		err = admin.Ping()
	}
	if err != nil {
		if os.Getenv("CARRIERDESK_TEST_POSTGRES") == "require" {
			t.Fatalf("PostgreSQL is required: %v", err)
		}
		t.Skipf("PostgreSQL unreachable: %v", err)
	}
	schema := fmt.Sprintf("pgstmt_%d", time.Now().UnixNano())
	if _, err := admin.Exec(`CREATE SCHEMA ` + schema); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_, _ = admin.Exec(`DROP SCHEMA ` + schema + ` CASCADE`)
		admin.Close()
	})
	u, _ := url.Parse(base)
	q := u.Query()
	q.Set("search_path", schema)
	q.Set("binary_parameters", "yes")
	u.RawQuery = q.Encode()
	connector, err := pq.NewConnector(u.String())
	if err != nil {
		t.Fatal(err)
	}
	db := sql.OpenDB(Connector{Connector: connector, Size: size})
	db.SetMaxOpenConns(1) // one connection: what it has prepared is what pg_prepared_statements shows
	t.Cleanup(func() { db.Close() })
	if _, err := db.Exec(`CREATE TABLE t (id int PRIMARY KEY, a text, doc json)`); err != nil {
		t.Fatal(err)
	}
	return db
}

func preparedCount(t *testing.T, db *sql.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM pg_prepared_statements`).Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}

func TestStatementPreparedOnceAndReused(t *testing.T) {
	db := open(t, 8)
	for i := range 3 {
		if _, err := db.Exec(`INSERT INTO t (id, a, doc) VALUES ($1, $2, $3)`, i, fmt.Sprint("row ", i), []byte(`["x"]`)); err != nil {
			t.Fatal(err)
		}
	}
	for i := range 3 {
		var a, doc string
		if err := db.QueryRow(`SELECT a, doc FROM t WHERE id = $1`, i).Scan(&a, &doc); err != nil {
			t.Fatal(err)
		}
		if a != fmt.Sprint("row ", i) || doc != `["x"]` {
			t.Fatalf("row %d: %q %q", i, a, doc)
		}
	}
	if n := preparedCount(t, db); n != 2 {
		t.Fatalf("%d statements prepared for one INSERT and one SELECT run three times each; want 2", n)
	}
}

func TestLeastRecentlyUsedStatementClosed(t *testing.T) {
	db := open(t, 2)
	for _, q := range []string{`SELECT 1 FROM t WHERE id = $1`, `SELECT 2 FROM t WHERE id = $1`, `SELECT 3 FROM t WHERE id = $1`} {
		rows, err := db.Query(q, 1)
		if err != nil {
			t.Fatal(err)
		}
		rows.Close()
	}
	if n := preparedCount(t, db); n != 2 {
		t.Fatalf("%d statements prepared with room for 2", n)
	}
}

func TestStatementOutlivesSchemaChangeAndRollback(t *testing.T) {
	db := open(t, 8)
	ctx := context.Background()
	if _, err := db.Exec(`INSERT INTO t (id, a) VALUES ($1, $2)`, 1, "one"); err != nil {
		t.Fatal(err)
	}
	columns := func() []string {
		t.Helper()
		rows, err := db.QueryContext(ctx, `SELECT * FROM t WHERE id = $1`, 1)
		if err != nil {
			t.Fatal(err)
		}
		defer rows.Close()
		cols, _ := rows.Columns()
		return cols
	}
	if got := columns(); len(got) != 3 {
		t.Fatalf("columns %v", got)
	}
	// The kept plan returns three columns; the table now has four.
	if _, err := db.Exec(`ALTER TABLE t ADD COLUMN b text`); err != nil {
		t.Fatal(err)
	}
	if got := columns(); len(got) != 4 {
		t.Fatalf("after ALTER TABLE: columns %v, want 4", got)
	}
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tx.Exec(`UPDATE t SET a = $1 WHERE id = $2`, "changed", 1); err != nil {
		t.Fatal(err)
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	var a string
	if err := db.QueryRow(`SELECT a FROM t WHERE id = $1`, 1).Scan(&a); err != nil || a != "one" {
		t.Fatalf("after rollback: %q, %v", a, err)
	}
	if _, err := db.Exec(`UPDATE t SET a = $1 WHERE id = $2`, "again", 1); err != nil {
		t.Fatalf("a statement prepared inside a rolled-back transaction: %v", err)
	}
}
