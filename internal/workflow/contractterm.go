package workflow

import (
	"context"
	"time"

	"carrierdesk/ent/contract"
	"carrierdesk/internal/date"
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
func AddMonths(d date.Date, n int) date.Date {
	t := d.Start(time.UTC)
	first := time.Date(t.Year(), t.Month()+time.Month(n), 1, 0, 0, 0, 0, time.UTC)
	last := first.AddDate(0, 1, -1).Day()
	return date.New(first.Year(), first.Month(), min(t.Day(), last))
}

// TermEnd is the end date a term gives: start plus termMonths months.
func TermEnd(start date.Date, termMonths int) date.Date {
	return AddMonths(start, termMonths)
}

// MonthsSpanned is the term the dates give: the calendar months from start to
// end, a part month counting as a whole one.
func MonthsSpanned(start, end date.Date) int {
	s, e := start.Start(time.UTC), end.Start(time.UTC)
	m := (e.Year()-s.Year())*12 + int(e.Month()-s.Month())
	if AddMonths(start, m).Before(end) {
		m++
	}
	return m
}

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
