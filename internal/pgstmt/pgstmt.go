// Package pgstmt prepares each statement once per PostgreSQL connection and
// reuses it, so that PostgreSQL parses and plans it once rather than on every
// execution.
//
// ent builds its SQL anew for every query and runs it as an unnamed
// statement, which PostgreSQL parses, analyses and plans each time: for the
// small indexed reads a page is made of, that is most of the database's work
// per statement (planning alone took 0.03-0.06 ms against 0.015-0.04 ms of
// execution for the account page's reads). A Connector wraps lib/pq's: every
// statement with arguments is prepared on its connection the first time its
// text is seen there and kept in a per-connection LRU, so later executions
// send only bind and execute (one round trip, as before) and PostgreSQL
// reuses the plan.
//
// Connection poolers in transaction mode (PgBouncer's default) do not keep
// prepared statements across transactions; a deployment behind one turns
// the cache off (size 0).
package pgstmt

import (
	"container/list"
	"context"
	"database/sql/driver"
	"errors"

	"github.com/lib/pq"
)

// Connector wraps a driver.Connector whose connections are lib/pq's.
type Connector struct {
	driver.Connector
	Size int // statements kept per connection; 0 or less prepares nothing
}

// Connect opens a connection that prepares and keeps up to Size statements.
func (c Connector) Connect(ctx context.Context) (driver.Conn, error) {
	conn, err := c.Connector.Connect(ctx)
	if err != nil || c.Size <= 0 {
		return conn, err
	}
	return &Conn{inner: conn, size: c.Size, byText: map[string]*list.Element{}, order: list.New()}, nil
}

// Conn is one connection and its prepared statements. database/sql uses a
// connection from one goroutine at a time, so it needs no lock.
type Conn struct {
	inner  driver.Conn
	size   int
	byText map[string]*list.Element // statement text -> element of order holding *prepared
	order  *list.List               // most recently used first
}

type prepared struct {
	text string
	stmt driver.Stmt
}

var (
	_ driver.Conn               = (*Conn)(nil)
	_ driver.ConnBeginTx        = (*Conn)(nil)
	_ driver.ConnPrepareContext = (*Conn)(nil)
	_ driver.QueryerContext     = (*Conn)(nil)
	_ driver.ExecerContext      = (*Conn)(nil)
	_ driver.Pinger             = (*Conn)(nil)
	_ driver.SessionResetter    = (*Conn)(nil)
	_ driver.Validator          = (*Conn)(nil)
	_ driver.NamedValueChecker  = (*Conn)(nil)
)

// QueryContext runs query as a prepared statement of this connection.
func (c *Conn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	if len(args) == 0 { // the simple protocol: one round trip, nothing to keep
		return c.inner.(driver.QueryerContext).QueryContext(ctx, query, args)
	}
	st, err := c.statement(ctx, query)
	if err != nil {
		return nil, err
	}
	rows, err := st.(driver.StmtQueryContext).QueryContext(ctx, args)
	if stale(err) {
		c.forget(query)
		return c.inner.(driver.QueryerContext).QueryContext(ctx, query, args)
	}
	return rows, err
}

// ExecContext runs query as a prepared statement of this connection.
func (c *Conn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	if len(args) == 0 {
		return c.inner.(driver.ExecerContext).ExecContext(ctx, query, args)
	}
	st, err := c.statement(ctx, query)
	if err != nil {
		return nil, err
	}
	res, err := st.(driver.StmtExecContext).ExecContext(ctx, args)
	if stale(err) {
		c.forget(query)
		return c.inner.(driver.ExecerContext).ExecContext(ctx, query, args)
	}
	return res, err
}

// statement returns the connection's prepared statement for query, preparing it if need be.
func (c *Conn) statement(ctx context.Context, query string) (driver.Stmt, error) {
	if e, ok := c.byText[query]; ok {
		c.order.MoveToFront(e)
		return e.Value.(*prepared).stmt, nil
	}
	st, err := c.inner.(driver.ConnPrepareContext).PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.byText[query] = c.order.PushFront(&prepared{text: query, stmt: st})
	for c.order.Len() > c.size {
		c.drop(c.order.Back())
	}
	return st, nil
}

// forget drops the statement kept for query.
func (c *Conn) forget(query string) {
	if e, ok := c.byText[query]; ok {
		c.drop(e)
	}
}

// drop closes a kept statement and lets go of it.
func (c *Conn) drop(e *list.Element) {
	p := c.order.Remove(e).(*prepared)
	delete(c.byText, p.text)
	// Closing is a round trip; if it fails, the connection's own error decides its fate.
	_ = p.stmt.Close()
}

// stale reports the errors of a kept statement that no longer fits the
// schema or no longer exists; running the text afresh is then the answer.
func stale(err error) bool {
	var pqErr *pq.Error
	if !errors.As(err, &pqErr) {
		return false
	}
	switch pqErr.Code {
	case "0A000", // cached plan must not change result type
		"26000": // prepared statement does not exist
		return true
	}
	return false
}

// Prepare prepares a statement the caller owns, as lib/pq does.
func (c *Conn) Prepare(query string) (driver.Stmt, error) { return c.inner.Prepare(query) }

// PrepareContext prepares a statement the caller owns (database/sql's Stmt, COPY), not kept here.
func (c *Conn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	return c.inner.(driver.ConnPrepareContext).PrepareContext(ctx, query)
}

// Close closes the connection; its prepared statements go with it.
func (c *Conn) Close() error { return c.inner.Close() }

// Begin starts a transaction.
//
// Deprecated: database/sql calls BeginTx.
func (c *Conn) Begin() (driver.Tx, error) { return c.inner.Begin() } //nolint:staticcheck // part of driver.Conn

// BeginTx starts a transaction; prepared statements outlive it either way.
func (c *Conn) BeginTx(ctx context.Context, opts driver.TxOptions) (driver.Tx, error) {
	return c.inner.(driver.ConnBeginTx).BeginTx(ctx, opts)
}

// Ping checks the connection.
func (c *Conn) Ping(ctx context.Context) error { return c.inner.(driver.Pinger).Ping(ctx) }

// ResetSession is lib/pq's.
func (c *Conn) ResetSession(ctx context.Context) error {
	return c.inner.(driver.SessionResetter).ResetSession(ctx)
}

// IsValid is lib/pq's.
func (c *Conn) IsValid() bool { return c.inner.(driver.Validator).IsValid() }

// CheckNamedValue is lib/pq's.
func (c *Conn) CheckNamedValue(nv *driver.NamedValue) error {
	return c.inner.(driver.NamedValueChecker).CheckNamedValue(nv)
}
