package workflow

import (
	"context"

	"carrierdesk/ent"
	"carrierdesk/ent/order"
	"carrierdesk/internal/date"
	"carrierdesk/internal/fault"
	"carrierdesk/internal/revision"
)

func orderStep(ctx context.Context, c *ent.Client, id, action string, change func(*ent.Order, *ent.OrderUpdateOne) error) (*ent.Order, error) {
	o, err := c.Order.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := revision.Check(ctx, o.ID, o.Version); err != nil {
		return nil, err
	}
	next, wctx, err := act(ctx, Order, action, o.Status.String())
	if err != nil {
		return nil, err
	}
	u := c.Order.UpdateOne(o).SetStatus(order.Status(next))
	if change != nil {
		if err := change(o, u); err != nil {
			return nil, err
		}
	}
	return u.Save(wctx)
}

// SubmitOrder sends a draft order, or one answered after clarification.
func SubmitOrder(ctx context.Context, c *ent.Client, id string) (*ent.Order, error) {
	return orderStep(ctx, c, id, "submit", nil)
}

// ClarifyOrder puts a submitted order on hold for a question to the carrier.
func ClarifyOrder(ctx context.Context, c *ent.Client, id, question string) (*ent.Order, error) {
	if err := required("question", question); err != nil {
		return nil, err
	}
	return orderStep(ctx, c, id, "clarify", func(_ *ent.Order, u *ent.OrderUpdateOne) error {
		u.SetStatusNote(question)
		return nil
	})
}

// Confirmation is a firm order confirmation (FOC).
type Confirmation struct {
	FOCDate          date.Date
	ConfirmedDueDate date.Date
	CircuitID        *string // stored verbatim
}

// ConfirmOrder records the FOC: the date given and the due date committed.
func ConfirmOrder(ctx context.Context, c *ent.Client, id string, f Confirmation) (*ent.Order, error) {
	if f.ConfirmedDueDate.Before(f.FOCDate) {
		return nil, fault.InvalidField("confirmedDueDate", "must be on or after focDate")
	}
	return orderStep(ctx, c, id, "confirm", func(o *ent.Order, u *ent.OrderUpdateOne) error {
		if o.Kind == order.KindASR && f.CircuitID == nil && o.CircuitID == "" {
			return fault.InvalidField("circuitID", "is required to confirm an ASR")
		}
		u.SetFocDate(f.FOCDate).SetConfirmedDueDate(f.ConfirmedDueDate)
		if f.CircuitID != nil {
			u.SetCircuitID(*f.CircuitID)
		}
		return nil
	})
}

// CompleteOrder records that service was delivered.
func CompleteOrder(ctx context.Context, c *ent.Client, id string) (*ent.Order, error) {
	now := Now()
	return orderStep(ctx, c, id, "complete", func(_ *ent.Order, u *ent.OrderUpdateOne) error {
		u.SetCompletedAt(now)
		return nil
	})
}

// CancelOrder withdraws an order, with the reason.
func CancelOrder(ctx context.Context, c *ent.Client, id, reason string) (*ent.Order, error) {
	if err := required("reason", reason); err != nil {
		return nil, err
	}
	return orderStep(ctx, c, id, "cancel", func(_ *ent.Order, u *ent.OrderUpdateOne) error {
		u.SetStatusNote(reason)
		return nil
	})
}

// RejectOrder records that the order was refused, with the reason.
func RejectOrder(ctx context.Context, c *ent.Client, id, reason string) (*ent.Order, error) {
	if err := required("reason", reason); err != nil {
		return nil, err
	}
	return orderStep(ctx, c, id, "reject", func(_ *ent.Order, u *ent.OrderUpdateOne) error {
		u.SetStatusNote(reason)
		return nil
	})
}
