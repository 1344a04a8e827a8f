// Package report computes carrierdesk's reports: the portfolio, the viewer's
// home screen, the weekly team view and generic aggregates for reporting tools.
//
// Every report is a small, fixed number of SQL queries (GROUP BY, COUNT, SUM
// and CASE expressions) built from the ent client, so the privacy policies
// narrow each one to what the viewer in the context may read: a number in a
// report never counts a row the viewer could not list. Nothing here bypasses
// privacy.
//
// Money is never added across currencies: every money figure is a list of
// MoneyTotal, one per currency, and aggregates that measure money are split
// by currency.
package report

import (
	"fmt"
	"slices"
	"time"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"
	"entgo.io/ent/dialect/sql/schema"
)

// ShortlistSize is how many IDs a Shortlist carries at most.
const ShortlistSize = 10

// Shortlist is the head of a list for a small screen: how many items there
// are and the IDs of the most urgent few, most urgent first. Clients resolve
// the IDs through node(id:) or the GraphQL layer's node fields.
type Shortlist struct {
	// TotalCount is how many items the whole list has.
	TotalCount int
	// IDs are the first ShortlistSize items, most urgent first.
	IDs []string
}

// idRow is a row of a shortlist query: an ID and the count of the whole list.
type idRow struct {
	ID    string `sql:"id"`
	Total int    `sql:"total"`
}

// shortlistSelect turns a query, already ordered and limited to ShortlistSize,
// into a select of IDs with the size of the whole (unlimited) list: the window
// function counts before LIMIT applies, so one query serves both.
func shortlistSelect(s *sql.Selector) {
	s.Select(s.C("id"))
	s.AppendSelectExprAs(sql.Raw("COUNT(*) OVER ()"), "total")
}

// shortlist makes a Shortlist from the rows of a shortlistSelect query.
func shortlist(rows []idRow) Shortlist {
	l := Shortlist{IDs: make([]string, 0, len(rows))}
	for _, r := range rows {
		l.IDs = append(l.IDs, r.ID)
		l.TotalCount = r.Total
	}
	return l
}

// countIf is SUM(CASE WHEN p THEN 1 ELSE 0 END): how many rows of the group satisfy p.
func countIf(p *sql.Predicate) sql.Querier {
	return sql.ExprFunc(func(b *sql.Builder) {
		b.WriteString("COALESCE(SUM(CASE WHEN ").Join(p).WriteString(" THEN 1 ELSE 0 END), 0)")
	})
}

// sumIf sums column over the rows of the group that satisfy p, exactly, as a 64-bit integer.
func sumIf(p *sql.Predicate, column string) sql.Querier {
	return sql.ExprFunc(func(b *sql.Builder) {
		b.WriteString("CAST(COALESCE(SUM(CASE WHEN ").Join(p).WriteString(" THEN " + column + " ELSE 0 END), 0) AS BIGINT)")
	})
}

// sumInt sums an integer column exactly; PostgreSQL would otherwise answer with a numeric.
func sumInt(column string) string {
	return "CAST(COALESCE(SUM(" + column + "), 0) AS BIGINT)"
}

// hoursBetween is the SQL for the hours from one time column to another, as a
// floating-point number, or NULL when either is NULL.
func hoursBetween(dia, from, to string) string {
	if dia == dialect.Postgres {
		return fmt.Sprintf("(EXTRACT(EPOCH FROM (%s - %s)) / 3600.0)", to, from)
	}
	// SQLite keeps times as text; julianday reads them, offset included.
	return fmt.Sprintf("((julianday(%s) - julianday(%s)) * 24.0)", to, from)
}

// Time buckets for grouping, each keyed by the date (YYYY-MM-DD, UTC) it starts on.
const (
	BucketDay   = "day"
	BucketWeek  = "week" // ISO weeks, starting on Monday
	BucketMonth = "month"
	BucketYear  = "year"
)

var buckets = []string{BucketDay, BucketWeek, BucketMonth, BucketYear}

// bucketStart is the SQL for the first day (UTC, as YYYY-MM-DD text) of the
// bucket that holds the time in column.
func bucketStart(dia, unit, column string) string {
	if dia == dialect.Postgres {
		return fmt.Sprintf("to_char(date_trunc('%s', %s AT TIME ZONE 'UTC'), 'YYYY-MM-DD')", unit, column)
	}
	switch unit {
	case BucketWeek:
		// The Sunday ending the ISO week, less six days.
		return fmt.Sprintf("date(%s, 'weekday 0', '-6 days')", column)
	case BucketMonth:
		return fmt.Sprintf("strftime('%%Y-%%m-01', %s)", column)
	case BucketYear:
		return fmt.Sprintf("strftime('%%Y-01-01', %s)", column)
	default:
		return fmt.Sprintf("date(%s)", column)
	}
}

// enumValues lists the values of an enum column in schema order, from the
// generated migration schema, so that reports list every value, zeros
// included, and pick up values added to the schema.
func enumValues(t *schema.Table, column string) []string {
	for _, c := range t.Columns {
		if c.Name == column {
			return slices.Clone(c.Enums)
		}
	}
	return nil
}

// ordered returns the keys of m: known ones first in their order, then any
// others (a value the schema gained since) sorted.
func ordered[V any](known []string, m map[string]V) []string {
	keys := slices.Clone(known)
	var extra []string
	for k := range m {
		if !slices.Contains(known, k) {
			extra = append(extra, k)
		}
	}
	slices.Sort(extra)
	return append(keys, extra...)
}

// utc normalises a time for comparison with stored times: SQLite compares
// times as text, which is only right when both sides are in UTC.
func utc(t time.Time) time.Time { return t.UTC() }
