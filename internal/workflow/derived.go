package workflow

import (
	"math"
	"time"

	"carrierdesk/ent"
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
	d := int(math.Round(o.ConfirmedDueDate.Sub(o.DesiredDueDate).Hours() / 24))
	return &d
}

// CompletedLate reports whether an order was completed after its confirmed due date.
func CompletedLate(o *ent.Order) bool {
	return o.CompletedAt != nil && o.ConfirmedDueDate != nil && o.CompletedAt.After(o.ConfirmedDueDate.Add(24*time.Hour))
}

// NoticeDeadline is the last day to give notice on a contract.
func NoticeDeadline(k *ent.Contract) time.Time {
	return k.EndDate.AddDate(0, 0, -k.NoticeDays)
}
