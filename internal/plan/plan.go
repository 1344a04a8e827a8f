// Package plan runs a GraphQL read of nested Relay connections as one SQL
// statement on PostgreSQL, and reads its answer back into the rows ent
// would have loaded (issue 14).
//
// ent loads a query's edges eagerly with one statement per edge and level;
// the account page took twelve round trips. The planner (generated into
// ent/gql_plan.go from ent/plan.go) builds each level from the query ent
// itself would run, privacy policy and all, correlates it with its parent
// row and nests it as a JSON array under that row:
//
//	(SELECT coalesce(json_agg(json_build_array(t1.c1, t1.c2, <edges>) ORDER BY <page order>), '[]')
//	 FROM (<ent's SELECT of the level, with its WHERE, ORDER BY and LIMIT>) AS t1)
//
// An edge is json_build_array(<count or null>, <rows or null>). This package
// holds what does not depend on the entities: building those expressions
// and scanning the JSON back into ent's scan values.
package plan

import (
	"bytes"
	"context"
	stdsql "database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"
)

// ErrUnsupported is returned for a selection the planner does not express;
// the caller serves it the usual way.
var ErrUnsupported = errors.New("plan: selection not supported")

// maxArgs is PostgreSQL's limit on a function's arguments (json_build_array).
const maxArgs = 100

// Builder names the levels of one statement.
type Builder struct{ n int }

// Alias returns a new table alias, unique in the statement.
func (b *Builder) Alias() string {
	b.n++
	return "p" + strconv.Itoa(b.n)
}

// Level is the JSON array of the rows sel selects, each row an array of
// its columns (sel's, in order) followed by the edges' expressions, which
// refer to the row as alias. order, if not nil, orders the array; it names
// columns of the row unqualified.
func Level(sel *sql.Selector, alias string, order sql.Querier, edges []sql.Querier) (sql.Querier, []string, error) {
	columns := sel.UnqualifiedColumns()
	if len(columns)+len(edges) > maxArgs {
		return nil, nil, fmt.Errorf("%w: %d columns and edges", ErrUnsupported, len(columns)+len(edges))
	}
	return sql.ExprFunc(func(b *sql.Builder) {
		b.WriteString("(SELECT coalesce(json_agg(json_build_array(")
		for i, c := range columns {
			if i > 0 {
				b.Comma()
			}
			b.Ident(alias).WriteByte('.').Ident(c)
		}
		for i, e := range edges {
			if i > 0 || len(columns) > 0 {
				b.Comma()
			}
			b.Join(e)
		}
		b.WriteString(")")
		if order != nil {
			b.WriteString(" ORDER BY ").Join(order)
		}
		b.WriteString("), '[]') FROM (").Join(sel).WriteString(") AS ").Ident(alias).WriteString(")")
	}), columns, nil
}

// Count is the number of rows sel selects.
func Count(sel *sql.Selector, alias string) sql.Querier {
	return sql.ExprFunc(func(b *sql.Builder) {
		b.WriteString("(SELECT count(*) FROM (").Join(sel).WriteString(") AS ").Ident(alias).WriteString(")")
	})
}

// Edge is one edge of a row: its count and its rows, either null when not asked.
func Edge(count, rows sql.Querier) sql.Querier {
	return sql.ExprFunc(func(b *sql.Builder) {
		b.WriteString("json_build_array(")
		if count != nil {
			b.Join(count)
		} else {
			b.WriteString("NULL")
		}
		b.Comma()
		if rows != nil {
			b.Join(rows)
		} else {
			b.WriteString("NULL")
		}
		b.WriteString(")")
	})
}

// Correlate makes s select only the rows whose column equals the parent
// row's (alias.parentColumn).
func Correlate(column, alias, parentColumn string) func(*sql.Selector) {
	return func(s *sql.Selector) {
		s.Where(sql.P(func(b *sql.Builder) {
			b.Ident(s.C(column)).WriteString(" = ").Ident(alias).WriteByte('.').Ident(parentColumn)
		}))
	}
}

// Run executes SELECT level and returns its JSON.
func Run(ctx context.Context, drv dialect.Driver, level sql.Querier) (json.RawMessage, error) {
	b := sql.Dialect(dialect.Postgres).Select()
	query, args := b.SelectExpr(level).Query()
	var rows sql.Rows
	if err := drv.Query(ctx, query, args, &rows); err != nil {
		return nil, err
	}
	defer rows.Close()
	if !rows.Next() {
		if err := rows.Err(); err != nil {
			return nil, err
		}
		return nil, stdsql.ErrNoRows
	}
	var raw []byte
	if err := rows.Scan(&raw); err != nil {
		return nil, err
	}
	return raw, rows.Close()
}

// Rows splits a level's JSON into its rows' elements. The elements are
// slices of raw: nothing is copied.
func Rows(raw json.RawMessage) ([][]json.RawMessage, error) {
	if isNull(raw) {
		return nil, nil
	}
	rows, err := split(raw, nil)
	if err != nil {
		return nil, fmt.Errorf("plan: reading rows: %w", err)
	}
	out := make([][]json.RawMessage, len(rows))
	var elems []json.RawMessage // one backing array for every row's elements
	for i, r := range rows {
		start := len(elems)
		if elems, err = split(r, elems); err != nil {
			return nil, fmt.Errorf("plan: reading a row: %w", err)
		}
		out[i] = elems[start:len(elems):len(elems)]
	}
	return out, nil
}

// SplitEdge reads an edge's count (-1 when not asked) and rows.
func SplitEdge(raw json.RawMessage) (int, json.RawMessage, error) {
	var buf [2]json.RawMessage
	pair, err := split(raw, buf[:0])
	if err != nil || len(pair) != 2 {
		return 0, nil, fmt.Errorf("plan: reading an edge: %s", raw)
	}
	count := -1
	if !isNull(pair[0]) {
		n, ok := parseInt(pair[0])
		if !ok {
			return 0, nil, fmt.Errorf("plan: reading a count: %s", pair[0])
		}
		count = int(n)
	}
	return count, pair[1], nil
}

// split appends the elements of the JSON array data to dst.
func split(data []byte, dst []json.RawMessage) ([]json.RawMessage, error) {
	i := skipSpace(data, 0)
	if i >= len(data) || data[i] != '[' {
		return nil, errors.New("not an array")
	}
	i = skipSpace(data, i+1)
	if i < len(data) && data[i] == ']' {
		return dst, nil
	}
	for {
		end, err := skipValue(data, i)
		if err != nil {
			return nil, err
		}
		dst = append(dst, data[i:end])
		i = skipSpace(data, end)
		if i >= len(data) {
			return nil, errors.New("unterminated array")
		}
		switch data[i] {
		case ',':
			i = skipSpace(data, i+1)
		case ']':
			return dst, nil
		default:
			return nil, fmt.Errorf("unexpected %q in an array", data[i])
		}
	}
}

// skipValue returns the end of the JSON value that starts at i.
func skipValue(data []byte, i int) (int, error) {
	if i >= len(data) {
		return 0, errors.New("missing value")
	}
	switch data[i] {
	case '"':
		for j := i + 1; j < len(data); j++ {
			switch data[j] {
			case '\\':
				j++
			case '"':
				return j + 1, nil
			}
		}
		return 0, errors.New("unterminated string")
	case '[', '{':
		depth := 0
		for j := i; j < len(data); j++ {
			switch data[j] {
			case '[', '{':
				depth++
			case ']', '}':
				depth--
				if depth == 0 {
					return j + 1, nil
				}
			case '"':
				end, err := skipValue(data, j)
				if err != nil {
					return 0, err
				}
				j = end - 1
			}
		}
		return 0, errors.New("unterminated array or object")
	}
	j := i
	for j < len(data) && data[j] != ',' && data[j] != ']' && data[j] != '}' && !isSpace(data[j]) {
		j++
	}
	if j == i {
		return 0, fmt.Errorf("unexpected %q", data[i])
	}
	return j, nil
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && isSpace(data[i]) {
		i++
	}
	return i
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\t' || c == '\r' }

// parseInt reads a JSON integer without allocating.
func parseInt(raw []byte) (int64, bool) {
	if len(raw) == 0 {
		return 0, false
	}
	neg := raw[0] == '-'
	if neg {
		raw = raw[1:]
	}
	if len(raw) == 0 || len(raw) > 18 {
		return 0, false
	}
	var n int64
	for _, c := range raw {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	if neg {
		n = -n
	}
	return n, true
}

// text reads a JSON string, without escapes the quick way.
func text(raw []byte) (string, error) {
	if len(raw) >= 2 && raw[0] == '"' && raw[len(raw)-1] == '"' && bytes.IndexByte(raw, '\\') < 0 {
		return string(raw[1 : len(raw)-1]), nil
	}
	var s string
	err := json.Unmarshal(raw, &s)
	return s, err
}

// Scan stores a row's JSON columns into the values ent's scanValues made
// for them, converting each as the database driver would have handed it
// over: text as a string, numbers as int64 or float64, timestamps as
// time.Time, JSON columns as their bytes.
func Scan(values []any, columns []json.RawMessage) error {
	if len(values) > len(columns) {
		return fmt.Errorf("plan: %d values for %d columns", len(values), len(columns))
	}
	for i, v := range values {
		if err := scan(v, columns[i]); err != nil {
			return fmt.Errorf("plan: column %d: %w", i, err)
		}
	}
	return nil
}

func scan(dst any, raw json.RawMessage) error {
	if isNull(raw) {
		switch d := dst.(type) {
		case *[]byte:
			*d = nil
			return nil
		case stdsql.Scanner:
			return d.Scan(nil)
		}
		return fmt.Errorf("null into %T", dst)
	}
	switch d := dst.(type) {
	case *stdsql.NullString:
		v, err := text(raw)
		if err != nil {
			return err
		}
		d.String, d.Valid = v, true
		return nil
	case *stdsql.NullTime:
		s, err := text(raw)
		if err != nil {
			return err
		}
		t, err := parseTime(s)
		if err != nil {
			return err
		}
		return d.Scan(t)
	case *stdsql.NullInt64:
		n, ok := parseInt(raw)
		if !ok {
			return fmt.Errorf("integer %s", raw)
		}
		d.Int64, d.Valid = n, true
		return nil
	case *stdsql.NullInt32, *stdsql.NullInt16:
		n, ok := parseInt(raw)
		if !ok {
			return fmt.Errorf("integer %s", raw)
		}
		return d.(stdsql.Scanner).Scan(n)
	case *stdsql.NullFloat64:
		f, err := strconv.ParseFloat(string(raw), 64)
		if err != nil {
			return err
		}
		return d.Scan(f)
	case *stdsql.NullBool:
		switch string(raw) {
		case "true":
			d.Bool, d.Valid = true, true
		case "false":
			d.Bool, d.Valid = false, true
		default:
			return fmt.Errorf("boolean %s", raw)
		}
		return nil
	case *sql.UnknownType:
		// A column selected beside the entity's own, such as a related
		// entity's field an order selects: the value as the driver gives
		// text, numbers and booleans.
		if raw[0] == '"' {
			v, err := text(raw)
			*d = v
			return err
		}
		if n, ok := parseInt(raw); ok {
			*d = n
			return nil
		}
		var v any
		if err := json.Unmarshal(raw, &v); err != nil {
			return err
		}
		*d = v
		return nil
	case *[]byte:
		// A JSON column: its text, as the driver gives it.
		*d = append((*d)[:0], raw...)
		return nil
	case stdsql.Scanner:
		if len(raw) > 0 && raw[0] == '"' {
			v, err := text(raw)
			if err != nil {
				return err
			}
			return d.Scan(v)
		}
		var v any
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&v); err != nil {
			return err
		}
		switch x := v.(type) {
		case json.Number:
			if n, err := x.Int64(); err == nil {
				return d.Scan(n)
			}
			f, err := x.Float64()
			if err != nil {
				return err
			}
			return d.Scan(f)
		case string, bool:
			return d.Scan(x)
		}
		return fmt.Errorf("%s into %T", raw, dst)
	}
	return fmt.Errorf("no conversion into %T", dst)
}

// parseTime reads PostgreSQL's JSON text of a timestamp or a date.
func parseTime(s string) (time.Time, error) {
	for _, layout := range [...]string{time.RFC3339Nano, "2006-01-02T15:04:05.999999", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, fmt.Errorf("time %q", s)
}

func isNull(raw json.RawMessage) bool {
	return len(raw) == 0 || string(raw) == "null"
}
