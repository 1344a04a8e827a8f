package main

import (
	"context"
	"database/sql/driver"
	"reflect"

	"modernc.org/sqlite"
)

// sqliteConnector opens modernc SQLite connections whose rows never report
// a nil scan type. modernc answers the scan type of a column from the
// current row's value, and a NULL has none: ent reads a column it selects
// by alias (an order by a related entity's field, such as a rep's
// TEAM_NAME, which is null for a rep without a team) through that type,
// and dereferenced nil. Such a column now scans into an any, as
// database/sql does for drivers that report no scan types.
type sqliteConnector struct{ dsn string }

func (c sqliteConnector) Connect(context.Context) (driver.Conn, error) {
	conn, err := (&sqlite.Driver{}).Open(c.dsn)
	if err != nil {
		return nil, err
	}
	return sqliteConn{conn.(sqliteDriverConn)}, nil
}

func (sqliteConnector) Driver() driver.Driver { return &sqlite.Driver{} }

// sqliteDriverConn is what database/sql uses of a modernc connection.
type sqliteDriverConn interface {
	driver.Conn
	driver.ConnBeginTx
	driver.ConnPrepareContext
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

type sqliteConn struct{ sqliteDriverConn }

func (c sqliteConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	rows, err := c.sqliteDriverConn.QueryContext(ctx, query, args)
	if err != nil {
		return nil, err
	}
	return sqliteRows{rows.(sqliteDriverRows)}, nil
}

func (c sqliteConn) PrepareContext(ctx context.Context, query string) (driver.Stmt, error) {
	st, err := c.sqliteDriverConn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	return sqliteStmt{st.(sqliteDriverStmt)}, nil
}

type sqliteDriverStmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

type sqliteStmt struct{ sqliteDriverStmt }

func (s sqliteStmt) QueryContext(ctx context.Context, args []driver.NamedValue) (driver.Rows, error) {
	rows, err := s.sqliteDriverStmt.QueryContext(ctx, args)
	if err != nil {
		return nil, err
	}
	return sqliteRows{rows.(sqliteDriverRows)}, nil
}

type sqliteDriverRows interface {
	driver.Rows
	driver.RowsColumnTypeScanType
	driver.RowsColumnTypeDatabaseTypeName
}

type sqliteRows struct{ sqliteDriverRows }

func (r sqliteRows) ColumnTypeScanType(i int) reflect.Type {
	if t := r.sqliteDriverRows.ColumnTypeScanType(i); t != nil {
		return t
	}
	return reflect.TypeFor[any]()
}
