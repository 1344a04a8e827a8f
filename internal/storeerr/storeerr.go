// Package storeerr turns what the database refuses into errors a client can
// act on, where the store is touched (a dialect.Driver wrapper), so that no
// layer above decides by reading the text of a driver's error.
//
// The kind is read from the drivers' structured codes: PostgreSQL's SQLSTATE
// (23505 unique, 23503 foreign key, 23514 check) and SQLite's extended result
// codes. The field is read from PostgreSQL's Detail ("Key (pon)=(...)") and
// Constraint fields, and from SQLite's message, the only place SQLite names
// the columns ("UNIQUE constraint failed: orders.carrier_id, orders.pon").
package storeerr

import (
	"context"
	stdsql "database/sql"
	"errors"
	"regexp"
	"strings"

	"carrierdesk/internal/fault"

	"entgo.io/ent/dialect"
	"github.com/lib/pq"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Translate returns err as a fault.Error when the database refused a write
// for breaking one of its rules, and err itself otherwise.
func Translate(err error) error {
	if err == nil {
		return nil
	}
	kind, columns, check := classify(err)
	switch kind {
	case unique:
		field := lastColumn(columns)
		if field == "" {
			return &fault.Error{Kind: fault.Conflict, Msg: "conflicts with an existing record", Err: err}
		}
		return &fault.Error{Kind: fault.Conflict, Field: field, Msg: "is already taken", Err: err}
	case foreignKey:
		return &fault.Error{Kind: fault.Conflict, Field: lastColumn(columns), Msg: "refers to a record that does not exist", Err: err}
	case checkFailed:
		if m := checkName.FindStringSubmatch(check); m != nil {
			later, earlier := fault.APIName(m[1]), fault.APIName(m[2])
			return &fault.Error{Kind: fault.Invalid, Field: later, Msg: "must be after " + earlier, Err: err}
		}
		return &fault.Error{Kind: fault.Invalid, Msg: "a value breaks a rule of the record", Err: err}
	}
	return err
}

type violation int

const (
	none violation = iota
	unique
	foreignKey
	checkFailed
)

var (
	keyDetail   = regexp.MustCompile(`Key \(([^)]+)\)`)
	sqliteNames = regexp.MustCompile(`(?:UNIQUE|CHECK) constraint failed: ([\w.]+(?:, [\w.]+)*)`)
	// checkName reads a check constraint named <table>_<later>_after_<earlier>.
	checkName = regexp.MustCompile(`^(?:\w+?_)?(\w+)_after_(\w+)$`)
)

// classify reads the violation, the columns involved and a check's name.
func classify(err error) (violation, string, string) {
	var pqErr *pq.Error
	if errors.As(err, &pqErr) {
		var columns string
		if m := keyDetail.FindStringSubmatch(pqErr.Detail); m != nil {
			columns = m[1]
		}
		switch pqErr.Code {
		case "23505":
			return unique, columns, ""
		case "23503":
			return foreignKey, columns, ""
		case "23514":
			return checkFailed, "", pqErr.Constraint
		}
		return none, "", ""
	}
	var liteErr *sqlite.Error
	if errors.As(err, &liteErr) {
		var names string
		if m := sqliteNames.FindStringSubmatch(liteErr.Error()); m != nil {
			names = m[1]
		}
		switch liteErr.Code() {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return unique, names, ""
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return foreignKey, "", "" // SQLite does not say which key
		case sqlite3.SQLITE_CONSTRAINT_CHECK:
			return checkFailed, "", names
		}
	}
	return none, "", ""
}

// lastColumn turns "orders.carrier_id, orders.pon" or "carrier_id, pon" into
// "pon": in a composite key the last column is the one a client chose.
func lastColumn(cols string) string {
	if cols == "" {
		return ""
	}
	parts := strings.Split(cols, ",")
	c := strings.TrimSpace(parts[len(parts)-1])
	if i := strings.LastIndex(c, "."); i >= 0 {
		c = c[i+1:]
	}
	return fault.APIName(c)
}

// Driver translates the errors of every statement and commit of the driver it wraps.
type Driver struct{ dialect.Driver }

func (d Driver) Exec(ctx context.Context, query string, args, v any) error {
	return Translate(d.Driver.Exec(ctx, query, args, v))
}

func (d Driver) Query(ctx context.Context, query string, args, v any) error {
	return Translate(d.Driver.Query(ctx, query, args, v))
}

func (d Driver) Tx(ctx context.Context) (dialect.Tx, error) {
	tx, err := d.Driver.Tx(ctx)
	if err != nil {
		return nil, err
	}
	return Tx{tx}, nil
}

// BeginTx starts a transaction with options, where the wrapped driver can.
func (d Driver) BeginTx(ctx context.Context, opts *stdsql.TxOptions) (dialect.Tx, error) {
	b, ok := d.Driver.(interface {
		BeginTx(context.Context, *stdsql.TxOptions) (dialect.Tx, error)
	})
	if !ok {
		return d.Tx(ctx)
	}
	tx, err := b.BeginTx(ctx, opts)
	if err != nil {
		return nil, err
	}
	return Tx{tx}, nil
}

// Tx translates the errors of a transaction's statements and its commit.
type Tx struct{ dialect.Tx }

func (t Tx) Exec(ctx context.Context, query string, args, v any) error {
	return Translate(t.Tx.Exec(ctx, query, args, v))
}

func (t Tx) Query(ctx context.Context, query string, args, v any) error {
	return Translate(t.Tx.Query(ctx, query, args, v))
}

func (t Tx) Commit() error { return Translate(t.Tx.Commit()) }

// execQuerier is database/sql's statement interface, which ent's drivers and
// transactions also offer and the generated ExecContext and QueryContext use.
type execQuerier interface {
	ExecContext(ctx context.Context, query string, args ...any) (stdsql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*stdsql.Rows, error)
}

func execContext(ctx context.Context, d any, query string, args ...any) (stdsql.Result, error) {
	eq, ok := d.(execQuerier)
	if !ok {
		return nil, errors.New("ExecContext is not supported by the wrapped driver")
	}
	r, err := eq.ExecContext(ctx, query, args...)
	return r, Translate(err)
}

func queryContext(ctx context.Context, d any, query string, args ...any) (*stdsql.Rows, error) {
	eq, ok := d.(execQuerier)
	if !ok {
		return nil, errors.New("QueryContext is not supported by the wrapped driver")
	}
	r, err := eq.QueryContext(ctx, query, args...)
	return r, Translate(err)
}

func (d Driver) ExecContext(ctx context.Context, query string, args ...any) (stdsql.Result, error) {
	return execContext(ctx, d.Driver, query, args...)
}

func (d Driver) QueryContext(ctx context.Context, query string, args ...any) (*stdsql.Rows, error) {
	return queryContext(ctx, d.Driver, query, args...)
}

func (t Tx) ExecContext(ctx context.Context, query string, args ...any) (stdsql.Result, error) {
	return execContext(ctx, t.Tx, query, args...)
}

func (t Tx) QueryContext(ctx context.Context, query string, args ...any) (*stdsql.Rows, error) {
	return queryContext(ctx, t.Tx, query, args...)
}
