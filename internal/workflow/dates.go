package workflow

import (
	"time"

	"carrierdesk/internal/date"
)

// DayZone is the zone in which the workflow's calendar days begin and end:
// a quote valid until 15 January lapses at the end of 15 January there, and
// a contract whose last day is 15 January expires after it. UTC until
// business calendars give teams and accounts their own zones.
var DayZone = time.UTC

// DayOf is the calendar day on which instant t falls in DayZone.
func DayOf(t time.Time) date.Date { return date.Of(t, DayZone) }

// Lapsed reports whether something valid through the day last has lapsed at
// now: it is valid for the whole of that day in DayZone, and not after.
func Lapsed(last date.Date, now time.Time) bool { return !now.Before(last.End(DayZone)) }
