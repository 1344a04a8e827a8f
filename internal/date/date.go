// Package date is the calendar day: a due date, an FOC date, a contract's
// first and last day, a quote's valid-until. A day has no time of day and no
// time zone; it becomes an instant only when a rule says in which zone (see
// Start and End), so "15 January" is 15 January wherever the server runs.
package date

import (
	"database/sql/driver"
	"errors"
	"fmt"
	"io"
	"strconv"
	"time"
)

// Layout is the one spelling of a Date, in the API and in the database.
const Layout = "2006-01-02"

// Date is a calendar day spelled YYYY-MM-DD. Its string form sorts in
// calendar order, so the database compares and orders it as text where it
// has no date type (SQLite), and cursors carry it as a plain string. Build
// one with Parse, Of or New, never by conversion from unchecked text.
type Date string

// ErrSyntax is the error for text that is not a date.
var ErrSyntax = errors.New("must be a date spelled YYYY-MM-DD")

// Parse reads a date spelled exactly YYYY-MM-DD (no time, no zone).
func Parse(s string) (Date, error) {
	if len(s) != len(Layout) {
		return "", ErrSyntax
	}
	t, err := time.Parse(Layout, s)
	if err != nil || t.Format(Layout) != s {
		return "", ErrSyntax
	}
	return Date(s), nil
}

// MustParse is Parse for literals known to be dates; it panics otherwise.
func MustParse(s string) Date {
	d, err := Parse(s)
	if err != nil {
		panic(fmt.Sprintf("date.MustParse(%q): %v", s, err))
	}
	return d
}

// New is the date of year, month and day, normalised as time.Date does
// (31 April is 1 May).
func New(year int, month time.Month, day int) Date {
	return Date(time.Date(year, month, day, 0, 0, 0, 0, time.UTC).Format(Layout))
}

// Of is the day on which instant t falls in loc.
func Of(t time.Time, loc *time.Location) Date {
	y, m, d := t.In(loc).Date()
	return New(y, m, d)
}

// Ptr returns a pointer to d, for optional fields.
func Ptr(d Date) *Date { return &d }

// civil is the day as a time at UTC midnight, for arithmetic.
func (d Date) civil() time.Time {
	t, err := time.Parse(Layout, string(d))
	if err != nil {
		panic(fmt.Sprintf("date: %q is not a date", string(d)))
	}
	return t
}

// IsZero reports the empty date.
func (d Date) IsZero() bool { return d == "" }

// String is the YYYY-MM-DD spelling.
func (d Date) String() string { return string(d) }

// Start is the first instant of the day in loc.
func (d Date) Start(loc *time.Location) time.Time {
	y, m, day := d.civil().Date()
	return time.Date(y, m, day, 0, 0, 0, 0, loc)
}

// End is the first instant after the day in loc: something "valid through"
// the day lapses at End.
func (d Date) End(loc *time.Location) time.Time { return d.AddDays(1).Start(loc) }

// AddDays is the date n days later (earlier for negative n).
func (d Date) AddDays(n int) Date { return Date(d.civil().AddDate(0, 0, n).Format(Layout)) }

// AddMonths is the date n months later, normalised as time.AddDate does.
func (d Date) AddMonths(n int) Date { return Date(d.civil().AddDate(0, n, 0).Format(Layout)) }

// Before reports whether d is an earlier day than e.
func (d Date) Before(e Date) bool { return d < e }

// After reports whether d is a later day than e.
func (d Date) After(e Date) bool { return d > e }

// DaysUntil is the number of days from d to e (negative when e is earlier).
func (d Date) DaysUntil(e Date) int {
	return int(e.civil().Sub(d.civil()).Hours() / 24)
}

// Value stores the date as its YYYY-MM-DD text: PostgreSQL reads it into its
// date column, SQLite keeps the text, which sorts in calendar order.
func (d Date) Value() (driver.Value, error) {
	if _, err := Parse(string(d)); err != nil {
		return nil, fmt.Errorf("date %q: %w", string(d), err)
	}
	return string(d), nil
}

// Scan reads a date column: PostgreSQL's date (a time at midnight), or
// SQLite's text, which the driver may hand over already parsed as a time.
// A time is taken as the day it names in its own zone, never converted.
func (d *Date) Scan(src any) error {
	switch v := src.(type) {
	case time.Time:
		y, m, day := v.Date()
		*d = New(y, m, day)
		return nil
	case string:
		return d.scanText(v)
	case []byte:
		return d.scanText(string(v))
	case nil:
		*d = ""
		return nil
	}
	return fmt.Errorf("date: cannot scan %T", src)
}

// scanText reads stored text: a date, or the day of a timestamp written
// before the column held dates.
func (d *Date) scanText(s string) error {
	if len(s) > len(Layout) {
		s = s[:len(Layout)]
	}
	p, err := Parse(s)
	if err != nil {
		return fmt.Errorf("date: stored value %q: %w", s, err)
	}
	*d = p
	return nil
}

// MarshalGQL writes the date as a GraphQL string.
func (d Date) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(d))) }

// UnmarshalGQL reads a GraphQL string spelled YYYY-MM-DD; anything else,
// a date-time included, is refused.
func (d *Date) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		return ErrSyntax
	}
	p, err := Parse(s)
	if err != nil {
		return err
	}
	*d = p
	return nil
}
