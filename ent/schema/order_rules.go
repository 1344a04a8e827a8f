package schema

import (
	"context"
	"fmt"
	"strings"
	"time"

	gen "carrierdesk/ent"
	"carrierdesk/ent/hook"
	"carrierdesk/ent/order"
	"carrierdesk/ent/privacy"
	"carrierdesk/internal/fault"
	"carrierdesk/internal/seed/bulk"
	"carrierdesk/internal/workflow"

	"entgo.io/ent"
)

// submittedStatuses are the statuses of an order that has been submitted.
var submittedStatuses = []order.Status{order.StatusSubmitted, order.StatusClarification, order.StatusConfirmed, order.StatusCompleted, order.StatusRejected}

// orderRules keeps an order honest, for every writer: a COMPLETED order does
// not change; submission is recorded (submittedAt); the DDD and the confirmed
// due date are not in the past when written (for a new record, its creation
// day); the FOC is on or after submission; an ASR ports no telephone numbers
// and an LSR at least one; the PON is unique per carrier ignoring case; the
// quote is an ACCEPTED quote of the order's account; and the FOC-met and
// due-date-slipped measures follow the dates.
func orderRules(next ent.Mutator) ent.Mutator {
	return hook.OrderFunc(func(ctx context.Context, m *gen.OrderMutation) (ent.Value, error) {
		read := privacy.DecisionContext(ctx, privacy.Allow) // the rules see every record they name
		if m.Op().Is(ent.OpUpdate) {
			if err := ordersOpen(read, m); err != nil {
				return nil, err
			}
			return next.Mutate(ctx, m)
		}
		var old *gen.Order
		today := workflow.Now()
		if m.Op().Is(ent.OpUpdateOne) {
			id, _ := m.ID()
			var err error
			if old, err = m.Client().Order.Get(read, id); err != nil {
				return nil, fmt.Errorf("reading order: %w", err)
			}
			if old.Status == order.StatusCompleted {
				return nil, completedOrderError(m)
			}
		} else if created, ok := m.CreatedAt(); ok {
			today = created
		}
		o := orderAfter(m, old)
		if status, ok := m.Status(); ok && o.SubmittedAt == nil || ok && old != nil && status == order.StatusSubmitted && old.Status != status {
			if _, set := m.SubmittedAt(); !set && isSubmitted(status) {
				o.SubmittedAt = &today
				m.SetSubmittedAt(today)
			}
		}
		if err := orderDates(m, o, today); err != nil {
			return nil, err
		}
		if err := orderNumbers(m, old, o); err != nil {
			return nil, err
		}
		if err := orderKeys(ctx, read, m, o); err != nil {
			return nil, err
		}
		orderMeasures(m, o)
		return next.Mutate(ctx, m)
	})
}

func isSubmitted(s order.Status) bool {
	for _, x := range submittedStatuses {
		if s == x {
			return true
		}
	}
	return false
}

func completedOrderError(m *gen.OrderMutation) error {
	field := ""
	for _, f := range m.Fields() {
		if f != order.FieldUpdatedAt && f != order.FieldVersion {
			field = fault.APIName(f)
			break
		}
	}
	return &fault.Error{Kind: fault.InvalidTransition, Op: "order.update", Field: field, Msg: "cannot change: the order is COMPLETED"}
}

// ordersOpen refuses a many-row update that reaches a completed order.
func ordersOpen(ctx context.Context, m *gen.OrderMutation) error {
	done, err := updateReaches(ctx, m, func(ids ...string) (bool, error) {
		return m.Client().Order.Query().
			Where(order.IDIn(ids...), order.StatusEQ(order.StatusCompleted)).
			Exist(ctx)
	})
	if err != nil || !done {
		return err
	}
	return completedOrderError(m)
}

// orderAfter is the order as m leaves it: m's values, the old ones where m sets none.
func orderAfter(m *gen.OrderMutation, old *gen.Order) *gen.Order {
	o := &gen.Order{}
	if old != nil {
		*o = *old
	}
	if v, ok := m.AccountID(); ok {
		o.AccountID = v
	}
	if v, ok := m.CarrierID(); ok {
		o.CarrierID = v
	}
	if v, ok := m.Kind(); ok {
		o.Kind = v
	}
	if v, ok := m.Pon(); ok {
		o.Pon = v
	}
	if v, ok := m.DesiredDueDate(); ok {
		o.DesiredDueDate = v
	}
	o.FocDate = timeAfter(m.FocDate, m.FocDateCleared, o.FocDate)
	o.ConfirmedDueDate = timeAfter(m.ConfirmedDueDate, m.ConfirmedDueDateCleared, o.ConfirmedDueDate)
	o.CompletedAt = timeAfter(m.CompletedAt, m.CompletedAtCleared, o.CompletedAt)
	o.SubmittedAt = timeAfter(m.SubmittedAt, m.SubmittedAtCleared, o.SubmittedAt)
	if v, ok := m.TnCount(); ok {
		o.TnCount = v
	}
	if v, ok := m.AddedTnCount(); ok {
		o.TnCount += v
	}
	if v, ok := m.QuoteID(); ok {
		o.QuoteID = &v
	} else if m.QuoteIDCleared() {
		o.QuoteID = nil
	}
	return o
}

// timeAfter is an optional time or date as a mutation leaves it.
func timeAfter[T any](get func() (T, bool), cleared func() bool, old *T) *T {
	if v, ok := get(); ok {
		return &v
	}
	if cleared() {
		return nil
	}
	return old
}

// orderDates checks the dates the mutation writes against today and each other.
func orderDates(m *gen.OrderMutation, o *gen.Order, now time.Time) error {
	today := workflow.DayOf(now)
	if v, ok := m.DesiredDueDate(); ok && v.Before(today) {
		return fault.InvalidField("desiredDueDate", "must not be in the past")
	}
	if v, ok := m.ConfirmedDueDate(); ok && v.Before(today) {
		return fault.InvalidField("confirmedDueDate", "must not be in the past")
	}
	_, focSet := m.FocDate()
	_, submittedSet := m.SubmittedAt()
	if o.FocDate != nil && (focSet || submittedSet) {
		if o.SubmittedAt == nil {
			return fault.InvalidField("focDate", "comes after submission: the order has not been submitted")
		}
		if submitted := workflow.DayOf(*o.SubmittedAt); o.FocDate.Before(submitted) {
			return fault.InvalidField("focDate", fmt.Sprintf("must be on or after the submission on %s", submitted))
		}
	}
	return nil
}

// orderNumbers checks the telephone numbers to port against the kind of order.
func orderNumbers(m *gen.OrderMutation, old *gen.Order, o *gen.Order) error {
	_, tnSet := m.TnCount()
	_, tnAdded := m.AddedTnCount()
	if old != nil && !tnSet && !tnAdded {
		return nil
	}
	switch {
	case o.Kind == order.KindASR && o.TnCount > 0:
		return fault.InvalidField("tnCount", "must be 0: an ASR orders circuits and ports no telephone numbers")
	case o.Kind == order.KindLSR && o.TnCount < 1:
		return fault.InvalidField("tnCount", "must be at least 1: an LSR ports telephone numbers")
	}
	return nil
}

// orderKeys sets a new order's PON key and refuses a PON its carrier already
// uses in any case; the unique index on the key backs it. It refuses a quote
// that is not an ACCEPTED quote of the order's account.
func orderKeys(ctx, read context.Context, m *gen.OrderMutation, o *gen.Order) error {
	if pon, ok := m.Pon(); ok {
		key := strings.ToUpper(pon)
		m.SetPonKey(key)
		if !bulk.FromContext(ctx) { // a bulk load plans unique PONs; the index holds it
			taken, err := m.Client().Order.Query().
				Where(order.CarrierID(o.CarrierID), order.PonKey(key)).
				Exist(read)
			if err != nil {
				return fmt.Errorf("reading orders: %w", err)
			}
			if taken {
				return fault.E(fault.Conflict, "pon", "is already taken: the carrier has an order with this PON (PONs are compared ignoring case)")
			}
		}
	}
	if id, ok := m.QuoteID(); ok {
		q, err := m.Client().Quote.Get(read, id)
		if err != nil {
			if gen.IsNotFound(err) {
				return notFoundReference("quoteID")
			}
			return fmt.Errorf("reading the quote: %w", err)
		}
		return quoteLinkable(q, o.AccountID)
	}
	return nil
}

// orderMeasures keeps focMet and dueDateSlipped current with the dates they follow.
func orderMeasures(m *gen.OrderMutation, o *gen.Order) {
	changed := m.Op().Is(ent.OpCreate)
	for _, f := range []string{order.FieldSubmittedAt, order.FieldFocDate, order.FieldDesiredDueDate, order.FieldConfirmedDueDate, order.FieldCompletedAt} {
		if _, ok := m.Field(f); ok || m.FieldCleared(f) {
			changed = true
		}
	}
	if !changed {
		return
	}
	if o.FocDate != nil && o.SubmittedAt != nil {
		m.SetFocMet(workflow.FOCMet(*o.SubmittedAt, *o.FocDate))
	} else if m.Op().Is(ent.OpUpdateOne) {
		m.ClearFocMet()
	}
	m.SetDueDateSlipped(workflow.DueDateSlipped(o.DesiredDueDate, o.ConfirmedDueDate, o.CompletedAt))
}
