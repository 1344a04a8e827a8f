package workflow

import (
	"context"
	"time"

	"carrierdesk/ent/contract"
)

// A contract's term and dates agree: termMonths is the number of calendar
// months from startDate to endDate, a part month counting as a whole one. The
// end date may be the anniversary (start + term months, the day a successor
// starts) or the last day of service (one day earlier): both span the term.
// When only one of them changes, the other follows: a new term moves the end
// date to start + term months; new dates give the term they span.

// AddMonths moves a calendar date by n months, keeping the day of the month
// where the target month has it and taking the month's last day where it does
// not (31 January + 1 month is 28 or 29 February, never 3 March).
func AddMonths(d time.Time, n int) time.Time {
	d = d.UTC()
	first := time.Date(d.Year(), d.Month()+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	day := min(d.Day(), last)
	return time.Date(first.Year(), first.Month(), day, d.Hour(), d.Minute(), d.Second(), d.Nanosecond(), time.UTC)
}

// TermEnd is the end date a term gives: start plus termMonths months.
func TermEnd(start time.Time, termMonths int) time.Time {
	return AddMonths(start, termMonths)
}

// MonthsSpanned is the term the dates give: the calendar months from start to
// end, a part month counting as a whole one. Only the dates count (UTC), not
// the time of day.
func MonthsSpanned(start, end time.Time) int {
	s, e := day(start), day(end)
	m := (e.Year()-s.Year())*12 + int(e.Month()-s.Month())
	if AddMonths(s, m).Before(e) {
		m++
	}
	return m
}

// day is t's calendar date, at midnight UTC.
func day(t time.Time) time.Time {
	t = t.UTC()
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// SameDay reports whether two instants fall on the same calendar date (UTC).
func SameDay(a, b time.Time) bool { return day(a).Equal(day(b)) }

// BeforeDay reports whether a falls on an earlier calendar date than b (UTC).
func BeforeDay(a, b time.Time) bool { return day(a).Before(day(b)) }

// Signed reports whether a contract in this status has been sent for
// signature or is past it: from PENDING_SIGNATURE on, its price (MRC, NRC,
// TCV, the quote it came from), term and dates are frozen. Only a DRAFT
// contract is edited; the workflow itself amends a signed one only where its
// terms say so (an evergreen year, a co-termed add-on following its master).
func Signed(s contract.Status) bool { return s != contract.StatusDraft }

type amendKey struct{}

// amending marks a write as the workflow's own amendment of a signed
// contract's term, which the freeze allows: the evergreen year and a
// co-termed add-on following its master's end.
func amending(ctx context.Context) context.Context {
	return context.WithValue(ctx, amendKey{}, true)
}

// Amending reports whether ctx carries the workflow's amendment of a signed
// contract's term (see Signed).
func Amending(ctx context.Context) bool {
	b, _ := ctx.Value(amendKey{}).(bool)
	return b
}
