package workflow

import (
	"math"
	"time"

	"carrierdesk/ent"
	"carrierdesk/internal/date"
)

// HoursToDecision is the time a pricing request took from submission to decision, in hours.
func HoursToDecision(r *ent.SpecialPricingRequest) *float64 {
	if r.SubmittedAt == nil || r.DecidedAt == nil {
		return nil
	}
	h := math.Round(r.DecidedAt.Sub(*r.SubmittedAt).Hours()*100) / 100
	return &h
}

// PricingOverdue reports whether a pricing request was, or is being, decided after its response target.
func PricingOverdue(r *ent.SpecialPricingRequest, now time.Time) bool {
	if r.ResponseDueAt == nil {
		return false
	}
	if r.DecidedAt != nil {
		return r.DecidedAt.After(*r.ResponseDueAt)
	}
	return r.Status.String() != "WITHDRAWN" && now.After(*r.ResponseDueAt)
}

// DueDateSlipDays is how many days the confirmed due date lies after the desired one.
func DueDateSlipDays(o *ent.Order) *int {
	if o.ConfirmedDueDate == nil {
		return nil
	}
	d := o.DesiredDueDate.DaysUntil(*o.ConfirmedDueDate)
	return &d
}

// CompletedLate reports whether an order was completed after its confirmed
// due date, that is after the end of that day in DayZone.
func CompletedLate(o *ent.Order) bool {
	return o.CompletedAt != nil && o.ConfirmedDueDate != nil && Lapsed(*o.ConfirmedDueDate, *o.CompletedAt)
}

// NoticeDeadline is the last day to give notice on a contract.
func NoticeDeadline(k *ent.Contract) date.Date {
	return k.EndDate.AddDays(-k.NoticeDays)
}
