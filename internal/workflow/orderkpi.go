package workflow

import (
	"time"

	"carrierdesk/internal/date"
	"carrierdesk/internal/sla"
)

// FOCTargetBusinessDays is the target for a firm order confirmation: the FOC
// date lies within this many business days after the order's (last)
// submission. It is the one place the target is set; an order's focMet is
// judged against it when the FOC is recorded.
var FOCTargetBusinessDays = 5

// FOCDueBy is the last day an FOC meets its target for an order submitted at submitted.
func FOCDueBy(submitted time.Time) date.Date {
	return DayOf(addBusinessDays(submitted, FOCTargetBusinessDays))
}

// addBusinessDays is the business calendar the order measures use: the one
// call into the SLA package's calendar.
func addBusinessDays(t time.Time, n int) time.Time { return sla.AddBusinessDays(t, n) }

// FOCMet reports whether an FOC given on day foc met the target for an order
// submitted at submitted.
func FOCMet(submitted time.Time, foc date.Date) bool {
	return !foc.After(FOCDueBy(submitted))
}

// DueDateSlipped reports whether an order's due date slipped: the FOC
// committed a due date later than the desired one (DDD), or the order was
// completed on a later day than the confirmed due date.
func DueDateSlipped(desired date.Date, confirmedDue *date.Date, completed *time.Time) bool {
	if confirmedDue == nil {
		return false
	}
	if confirmedDue.After(desired) {
		return true
	}
	return completed != nil && DayOf(*completed).After(*confirmedDue)
}
