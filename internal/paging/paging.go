// Package paging holds what Relay cursor paging means here, for every
// connection: where nulls sort, which rows come after a cursor, and which
// cursors a connection accepts. The generated pagers of package ent call it
// (entc.go points entgql's pagination template at it), so top-level
// connections and nested, eagerly loaded ones page alike.
//
// Nulls sort as if they were larger than every value: last when ascending,
// first when descending. That is PostgreSQL's own order, so its indexes
// still serve every ordering; SQLite is told NULLS LAST or NULLS FIRST
// explicitly. The predicate for the rows after a cursor follows the same
// rule, so a page never skips the rows whose sort value is null.
package paging

import (
	"fmt"
	"time"

	"carrierdesk/internal/date"
	"carrierdesk/internal/fault"

	"entgo.io/contrib/entgql"
	"entgo.io/ent/dialect/sql"
)

// Kind is the type of an orderable column's values, as a cursor carries them.
type Kind uint8

// The kinds of orderable columns.
const (
	String Kind = iota // text and enums
	Int                // integers, money in minor units
	Float
	Bool
	Time // instants
	Date // calendar days, carried as "2006-01-02"
)

// Column describes one orderable column of a table.
type Column struct {
	Kind     Kind
	Nullable bool
	// Related, when set, is the value's SQL for an ordering by a related
	// entity's field (CARRIER_NAME), which lives in another table.
	Related *Related
}

// Related is a to-one edge's field, read from the paged table through its
// foreign key.
type Related struct {
	Table, ID, Field, ForeignKey string
}

// expr is the SQL of the related field for a row of s.
func (r *Related) expr(s *sql.Selector) string {
	t := sql.Table(r.Table).As("paging_" + r.Table)
	q, _ := sql.Dialect(s.Dialect()).
		Select(t.C(r.Field)).
		From(t).
		Where(sql.ColumnsEQ(t.C(r.ID), s.C(r.ForeignKey))).
		Query()
	return "(" + q + ")"
}

// TermOptions are the ORDER BY options of a direction: nulls after every
// value ascending, before every value descending.
func TermOptions(d entgql.OrderDirection) []sql.OrderTermOption {
	if d == entgql.OrderDirectionDesc {
		return []sql.OrderTermOption{sql.OrderDesc(), sql.OrderNullsFirst()}
	}
	return []sql.OrderTermOption{sql.OrderAsc(), sql.OrderNullsLast()}
}

// Keyword is the SQL after a column in an ORDER BY of direction d, with the
// same null placement as TermOptions.
func Keyword(d entgql.OrderDirection) string {
	if d == entgql.OrderDirectionDesc {
		return "DESC NULLS FIRST"
	}
	return "ASC NULLS LAST"
}

// Predicates returns the WHERE terms that keep the rows after the after
// cursor and before the before cursor of a pager's ordering. columns
// describes the paged table's orderable columns; o is the pager's ordering
// as it queries, reversed when it reads backwards for last.
//
// A cursor whose values do not fit the ordering (another ordering's cursor,
// or one made by hand) is BAD_USER_INPUT naming after or before: checked
// here, nothing reaches the database that it could refuse.
func Predicates[T any](columns map[string]Column, after, before *entgql.Cursor[T], o *entgql.MultiCursorsOptions) ([]func(*sql.Selector), error) {
	// The pager reverses every direction, the ID's too, when it reads
	// backwards; the order the client asked for is the ID ascending.
	reverse := o.DirectionID == entgql.OrderDirectionDesc
	fields := append([]string(nil), o.Fields...)
	dirs := make([]entgql.OrderDirection, len(o.Directions))
	for i, d := range o.Directions {
		if reverse {
			d = d.Reverse()
		}
		dirs[i] = d
	}
	var preds []func(*sql.Selector)
	for _, c := range []struct {
		name   string
		cursor *entgql.Cursor[T]
		back   bool
	}{{"after", after, false}, {"before", before, true}} {
		if c.cursor == nil {
			continue
		}
		values, err := cursorValues(columns, c.name, c.cursor, fields, o.FieldID)
		if err != nil {
			return nil, err
		}
		cols, ds := fields, dirs
		if len(values) > len(fields) { // the ID breaks ties
			cols = append(append([]string(nil), fields...), o.FieldID)
			ds = append(append([]entgql.OrderDirection(nil), dirs...), entgql.OrderDirectionAsc)
		}
		if c.back {
			rev := make([]entgql.OrderDirection, len(ds))
			for i, d := range ds {
				rev[i] = d.Reverse()
			}
			ds = rev
		}
		preds = append(preds, beyond(columns, cols, ds, values))
	}
	return preds, nil
}

// cursorValues checks a cursor against the ordering's columns and returns
// its values, with the ID last when the ordering does not end with it.
func cursorValues[T any](columns map[string]Column, name string, c *entgql.Cursor[T], fields []string, id string) ([]any, error) {
	bad := func(why string) error {
		return fault.InvalidField(name, fmt.Sprintf("is not a cursor of this connection and ordering (%s): pass a cursor this connection returned under the same orderBy", why))
	}
	values, ok := c.Value.([]any)
	if !ok && (c.Value != nil || len(fields) > 0) { // an empty list is left out
		return nil, bad("it holds no sort values")
	}
	if len(values) != len(fields) {
		return nil, bad(fmt.Sprintf("it holds %d sort values for %d orderBy fields", len(values), len(fields)))
	}
	out := make([]any, 0, len(values)+1)
	for i, v := range values {
		col, ok := columns[fields[i]]
		if !ok {
			return nil, bad("unknown sort field")
		}
		v, err := fit(col, v)
		if err != nil {
			return nil, bad(err.Error())
		}
		out = append(out, v)
	}
	for _, f := range fields {
		if f == id {
			return out, nil
		}
	}
	return append(out, any(c.ID)), nil
}

// fit checks a cursor value against its column, returning it as the
// database driver should receive it.
func fit(col Column, v any) (any, error) {
	if v == nil {
		if col.Nullable {
			return nil, nil
		}
		return nil, fmt.Errorf("a null for a field that is never null")
	}
	switch col.Kind {
	case String:
		if s, ok := v.(string); ok {
			return s, nil
		}
	case Date:
		if s, ok := v.(string); ok {
			if _, err := date.Parse(s); err == nil {
				return s, nil
			}
		}
	case Time:
		if t, ok := v.(time.Time); ok {
			return t.UTC(), nil
		}
	case Bool:
		if b, ok := v.(bool); ok {
			return b, nil
		}
	case Int, Float:
		switch n := v.(type) {
		case int8, int16, int32, int64, int, uint8, uint16, uint32:
			return n, nil
		case uint64:
			if n <= 1<<63-1 {
				return int64(n), nil
			}
		case float32, float64:
			if col.Kind == Float {
				return n, nil
			}
		}
	}
	return nil, fmt.Errorf("a value of type %T where the ordering needs another", v)
}

// beyond keeps the rows that come after values in the order of cols and
// dirs, nulls counting as larger than every value:
// (c0 > v0) OR (c0 = v0 AND c1 > v1) OR ...
func beyond(columns map[string]Column, cols []string, dirs []entgql.OrderDirection, values []any) func(*sql.Selector) {
	return func(s *sql.Selector) {
		ref := func(c string) string {
			if r := columns[c].Related; r != nil {
				return r.expr(s)
			}
			return s.C(c)
		}
		var or []*sql.Predicate
		for i, c := range cols {
			ands := make([]*sql.Predicate, 0, i+1)
			for j := range i {
				if values[j] == nil {
					ands = append(ands, sql.IsNull(ref(cols[j])))
				} else {
					ands = append(ands, sql.EQ(ref(cols[j]), values[j]))
				}
			}
			col, v := ref(c), values[i]
			var after *sql.Predicate
			switch {
			case dirs[i] == entgql.OrderDirectionAsc && v == nil:
				continue // nothing sorts after null ascending
			case dirs[i] == entgql.OrderDirectionAsc && columns[c].Nullable:
				after = sql.Or(sql.GT(col, v), sql.IsNull(col))
			case dirs[i] == entgql.OrderDirectionAsc:
				after = sql.GT(col, v)
			case v == nil:
				after = sql.NotNull(col) // descending, nulls come first
			default:
				after = sql.LT(col, v)
			}
			or = append(or, sql.And(append(ands, after)...))
		}
		if len(or) == 0 {
			s.Where(sql.False())
			return
		}
		s.Where(sql.Or(or...))
	}
}
