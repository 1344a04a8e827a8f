package sla

import (
	"fmt"
	"time"
)

// DefaultTimeZone is the time zone of an account whose own and whose team's
// time zones are unset: the wholesale business's home time zone.
const DefaultTimeZone = "America/Chicago"

// Business hours on a business day, in the calendar's local time.
const (
	DefaultOpens  = 8 * time.Hour  // 08:00
	DefaultCloses = 18 * time.Hour // 18:00
)

// DateLayout is how a holiday's calendar date is written.
const DateLayout = "2006-01-02"

// Calendar is when business time runs: Monday to Friday, between Opens and
// Closes in Location's local time, except on Holidays. Because hours are
// local, a DST change (at night) never changes the length of a business day.
type Calendar struct {
	Location      *time.Location
	Opens, Closes time.Duration       // since local midnight; Opens < Closes
	Holidays      map[string]struct{} // local dates, as DateLayout, with no business hours
}

// NewCalendar is the calendar of time zone zone with the default business
// hours and the given holidays (local dates, as DateLayout).
func NewCalendar(zone string, holidays ...string) (Calendar, error) {
	loc, err := LoadZone(zone)
	if err != nil {
		return Calendar{}, err
	}
	c := Calendar{Location: loc, Opens: DefaultOpens, Closes: DefaultCloses, Holidays: map[string]struct{}{}}
	for _, h := range holidays {
		if _, err := time.Parse(DateLayout, h); err != nil {
			return Calendar{}, fmt.Errorf("sla: holiday %q is not a date (YYYY-MM-DD)", h)
		}
		c.Holidays[h] = struct{}{}
	}
	return c, nil
}

// Default is the calendar of DefaultTimeZone, without holidays.
func Default() Calendar {
	c, err := NewCalendar(DefaultTimeZone)
	if err != nil {
		panic(err) // the time zone database is embedded (time/tzdata)
	}
	return c
}

// LoadZone returns the IANA time zone named zone, such as "America/New_York".
// An empty name and the local zone of the machine are refused: a calendar's
// zone must mean the same on every server.
func LoadZone(zone string) (*time.Location, error) {
	if zone == "" || zone == "Local" {
		return nil, fmt.Errorf("sla: %q is not an IANA time zone", zone)
	}
	loc, err := time.LoadLocation(zone)
	if err != nil {
		return nil, fmt.Errorf("sla: %q is not an IANA time zone", zone)
	}
	return loc, nil
}

// ValidZone is the validator of time zone fields: an IANA name.
func ValidZone(zone string) error {
	_, err := LoadZone(zone)
	return err
}

// DayLength is the business time in one business day.
func (c Calendar) DayLength() time.Duration { return c.Closes - c.Opens }

// BusinessDay reports whether t's local date is a weekday and not a holiday.
func (c Calendar) BusinessDay(t time.Time) bool {
	t = t.In(c.Location)
	if t.Weekday() == time.Saturday || t.Weekday() == time.Sunday {
		return false
	}
	_, holiday := c.Holidays[t.Format(DateLayout)]
	return !holiday
}

// hours returns the business hours of t's local date: [opens, closes).
func (c Calendar) hours(t time.Time) (opens, closes time.Time) {
	t = t.In(c.Location)
	at := func(d time.Duration) time.Time {
		return time.Date(t.Year(), t.Month(), t.Day(), int(d/time.Hour), int(d%time.Hour/time.Minute), 0, 0, c.Location)
	}
	return at(c.Opens), at(c.Closes)
}

// nextDay is local midnight of the day after t's local date.
func (c Calendar) nextDay(t time.Time) time.Time {
	t = t.In(c.Location)
	return time.Date(t.Year(), t.Month(), t.Day()+1, 0, 0, 0, 0, c.Location)
}

// Add returns the moment d of business time after t. The result is always
// within business hours (a target that ends at closing time is due at
// closing time, not at the next opening); d <= 0 returns t.
func (c Calendar) Add(t time.Time, d time.Duration) time.Time {
	if d <= 0 {
		return t
	}
	for {
		opens, closes := c.hours(t)
		if c.BusinessDay(t) && t.Before(closes) {
			if t.Before(opens) {
				t = opens
			}
			if left := closes.Sub(t); d <= left {
				return t.Add(d).UTC()
			}
			d -= closes.Sub(t)
		}
		t = c.nextDay(t)
	}
}

// Between is the business time from from to to (zero when to is not after from).
func (c Calendar) Between(from, to time.Time) time.Duration {
	var total time.Duration
	for t := from; t.Before(to); t = c.nextDay(t) {
		if !c.BusinessDay(t) {
			continue
		}
		start, end := c.hours(t)
		if t.After(start) {
			start = t
		}
		if to.Before(end) {
			end = to
		}
		if end.After(start) {
			total += end.Sub(start)
		}
	}
	return total
}

// AddBusinessDays returns the moment n business days of business time after t.
func (c Calendar) AddBusinessDays(t time.Time, n int) time.Time {
	return c.Add(t, time.Duration(n)*c.DayLength())
}
