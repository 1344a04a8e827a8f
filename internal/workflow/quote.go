package workflow

import (
	"context"

	"carrierdesk/ent"
	"carrierdesk/ent/quote"
	"carrierdesk/internal/fault"
	"carrierdesk/internal/revision"
)

// quoteStep takes action on quote id; change adds what the action writes besides the status.
func quoteStep(ctx context.Context, c *ent.Client, id, action string, change func(*ent.Quote, *ent.QuoteUpdateOne) error) (*ent.Quote, error) {
	q, err := c.Quote.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := revision.Check(ctx, q.ID, q.Version); err != nil {
		return nil, err
	}
	next, wctx, err := act(ctx, Quote, action, q.Status.String())
	if err != nil {
		return nil, err
	}
	u := c.Quote.UpdateOne(q).SetStatus(quote.Status(next))
	if change != nil {
		if err := change(q, u); err != nil {
			return nil, err
		}
	}
	return u.Save(wctx)
}

// SubmitQuote asks a manager to approve a draft. A quote with no lines has nothing to approve.
func SubmitQuote(ctx context.Context, c *ent.Client, id string) (*ent.Quote, error) {
	return quoteStep(ctx, c, id, "submit", func(q *ent.Quote, u *ent.QuoteUpdateOne) error {
		n, err := q.QueryLineItems().Count(ctx)
		if err != nil {
			return err
		}
		if n == 0 {
			return fault.InvalidField("lineItems", "must not be empty: a quote needs at least one line to be approved")
		}
		u.ClearStatusNote()
		return nil
	})
}

// ApproveQuote approves a quote pending approval.
func ApproveQuote(ctx context.Context, c *ent.Client, id string, note *string) (*ent.Quote, error) {
	return quoteStep(ctx, c, id, "approve", func(_ *ent.Quote, u *ent.QuoteUpdateOne) error {
		u.SetNillableStatusNote(note)
		return nil
	})
}

// RejectQuote sends a quote back to draft, with the manager's reason.
func RejectQuote(ctx context.Context, c *ent.Client, id, reason string) (*ent.Quote, error) {
	if err := required("reason", reason); err != nil {
		return nil, err
	}
	return quoteStep(ctx, c, id, "reject", func(_ *ent.Quote, u *ent.QuoteUpdateOne) error {
		u.SetStatusNote(reason)
		return nil
	})
}

// SendQuote sends an approved quote to the carrier, while it is still valid.
func SendQuote(ctx context.Context, c *ent.Client, id string) (*ent.Quote, error) {
	now := Now()
	return quoteStep(ctx, c, id, "send", func(q *ent.Quote, u *ent.QuoteUpdateOne) error {
		if Lapsed(q.ValidUntil, now) {
			return &fault.Error{Kind: fault.InvalidTransition, Field: "validUntil", Msg: "has passed: the quote can no longer be sent; extend validUntil first"}
		}
		u.SetSentAt(now)
		return nil
	})
}

// AcceptQuote records the carrier's acceptance of a sent quote, while it is valid.
func AcceptQuote(ctx context.Context, c *ent.Client, id string) (*ent.Quote, error) {
	now := Now()
	return quoteStep(ctx, c, id, "accept", func(q *ent.Quote, _ *ent.QuoteUpdateOne) error {
		if Lapsed(q.ValidUntil, now) {
			return &fault.Error{Kind: fault.InvalidTransition, Field: "validUntil", Msg: "has passed: the quote has expired and can no longer be accepted"}
		}
		return nil
	})
}

// DeclineQuote records the carrier's refusal of a sent quote.
func DeclineQuote(ctx context.Context, c *ent.Client, id string, reason *string) (*ent.Quote, error) {
	return quoteStep(ctx, c, id, "decline", func(_ *ent.Quote, u *ent.QuoteUpdateOne) error {
		u.SetNillableStatusNote(reason)
		return nil
	})
}
