package storeerr

import (
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"testing"

	"carrierdesk/internal/fault"

	"github.com/lib/pq"
)

func TestTranslatePostgres(t *testing.T) {
	for _, tc := range []struct {
		name  string
		err   *pq.Error
		kind  fault.Kind
		field string
	}{
		{"unique, composite key", &pq.Error{Code: "23505", Detail: "Key (carrier_id, pon)=(car_1, PON1) already exists."}, fault.Conflict, "pon"},
		{"unique, no detail", &pq.Error{Code: "23505"}, fault.Conflict, ""},
		{"foreign key", &pq.Error{Code: "23503", Detail: "Key (account_id)=(acc_9) is not present in table \"accounts\"."}, fault.Conflict, "accountID"},
		{"check, named for its fields", &pq.Error{Code: "23514", Constraint: "contract_end_date_after_start_date"}, fault.Invalid, "endDate"},
		{"check, other", &pq.Error{Code: "23514", Constraint: "positive_mrc"}, fault.Invalid, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := Translate(fmt.Errorf("ent: %w", tc.err))
			e, ok := fault.As(err)
			if !ok || e.Kind != tc.kind || e.Field != tc.field {
				t.Fatalf("got %#v, want kind %v field %q", err, tc.kind, tc.field)
			}
			if !errors.Is(err, tc.err) {
				t.Error("the driver's error is no longer the cause")
			}
		})
	}
	// Anything else passes through untouched: a serialization failure, a connection error.
	other := &pq.Error{Code: "40001"}
	if got := Translate(other); got != error(other) {
		t.Errorf("a serialization failure became %v", got)
	}
	if Translate(nil) != nil {
		t.Error("nil became an error")
	}
}

func TestTranslateSQLite(t *testing.T) {
	db, err := sql.Open("sqlite", "file:"+filepath.Join(t.TempDir(), "t.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Exec(`CREATE TABLE orders (id TEXT PRIMARY KEY, carrier_id TEXT, pon TEXT, start_date TEXT, end_date TEXT,
		UNIQUE (carrier_id, pon), CONSTRAINT order_end_date_after_start_date CHECK (end_date > start_date))`); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec(`INSERT INTO orders VALUES ('o1', 'c1', 'PON1', '2026-01-01', '2026-02-01')`); err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, insert string
		kind         fault.Kind
		field        string
	}{
		{"unique, composite key", `INSERT INTO orders VALUES ('o2', 'c1', 'PON1', '2026-01-01', '2026-02-01')`, fault.Conflict, "pon"},
		{"check, named for its fields", `INSERT INTO orders VALUES ('o3', 'c1', 'PON3', '2026-03-01', '2026-02-01')`, fault.Invalid, "endDate"},
	} {
		_, err := db.Exec(tc.insert)
		e, ok := fault.As(Translate(err))
		if !ok || e.Kind != tc.kind || e.Field != tc.field {
			t.Errorf("%s: %v became %v, want kind %v field %q", tc.name, err, Translate(err), tc.kind, tc.field)
		}
	}
}
