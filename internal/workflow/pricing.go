package workflow

import (
	"context"
	"fmt"

	"carrierdesk/ent"
	"carrierdesk/ent/privacy"
	"carrierdesk/ent/quote"
	"carrierdesk/ent/specialpricingrequest"
	"carrierdesk/internal/money"
	"carrierdesk/internal/revision"
	"carrierdesk/internal/viewer"
)

// PricingResponseBusinessDays is the response-time target of a special
// pricing request: a manager decides within two business days of submission.
const PricingResponseBusinessDays = 2

func pricingStep(ctx context.Context, c *ent.Client, id, action string, change func(*ent.SpecialPricingRequest, *ent.SpecialPricingRequestUpdateOne) error) (*ent.SpecialPricingRequest, error) {
	r, err := c.SpecialPricingRequest.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := revision.Check(ctx, r.ID, r.Version); err != nil {
		return nil, err
	}
	next, wctx, err := act(ctx, SpecialPricingRequest, action, r.Status.String())
	if err != nil {
		return nil, err
	}
	u := c.SpecialPricingRequest.UpdateOne(r).SetStatus(specialpricingrequest.Status(next))
	if change != nil {
		if err := change(r, u); err != nil {
			return nil, err
		}
	}
	return u.Save(wctx)
}

// SubmitPricingRequest sends a draft to the managers and starts its response
// clock, in business time on the calendar of the quote's account.
func SubmitPricingRequest(ctx context.Context, c *ent.Client, id string) (*ent.SpecialPricingRequest, error) {
	now := Now()
	return pricingStep(ctx, c, id, "submit", func(r *ent.SpecialPricingRequest, u *ent.SpecialPricingRequestUpdateOne) error {
		accountID, err := c.Quote.Query().
			Where(quote.ID(r.QuoteID)).
			Select(quote.FieldAccountID).
			String(privacy.DecisionContext(ctx, privacy.Allow))
		if err != nil {
			return fmt.Errorf("reading the request's account: %w", err)
		}
		cal, err := CalendarFor(ctx, c, accountID, now)
		if err != nil {
			return err
		}
		u.SetSubmittedAt(now).SetResponseDueAt(cal.AddBusinessDays(now, PricingResponseBusinessDays))
		return nil
	})
}

// ReviewPricingRequest records that a manager has taken the request up.
func ReviewPricingRequest(ctx context.Context, c *ent.Client, id string) (*ent.SpecialPricingRequest, error) {
	return pricingStep(ctx, c, id, "review", nil)
}

// ApprovePricingRequest grants a price, which becomes the quote's MRC. The
// ent hooks check the price (below the standard MRC), four eyes and that the
// quote is still a DRAFT.
func ApprovePricingRequest(ctx context.Context, c *ent.Client, id string, approvedMRC money.Amount, reason string) (*ent.SpecialPricingRequest, error) {
	if err := required("reason", reason); err != nil {
		return nil, err
	}
	now := Now()
	var quoteID string
	r, err := pricingStep(ctx, c, id, "approve", func(r *ent.SpecialPricingRequest, u *ent.SpecialPricingRequestUpdateOne) error {
		quoteID = r.QuoteID
		u.SetApprovedMrc(approvedMRC).
			SetDecisionReason(reason).
			SetDecidedAt(now).
			SetDecidedByID(viewer.FromContext(ctx).RepID)
		return nil
	})
	if err != nil {
		return nil, err
	}
	// The decided price flows into the quote; its totals and deal model follow.
	if err := c.Quote.UpdateOneID(quoteID).SetSpecialMrc(approvedMRC).Exec(authority(ctx, SpecialPricingRequest, "approve")); err != nil {
		return nil, err
	}
	return r, nil
}

// RejectPricingRequest refuses the request, with the manager's reason.
func RejectPricingRequest(ctx context.Context, c *ent.Client, id, reason string) (*ent.SpecialPricingRequest, error) {
	if err := required("reason", reason); err != nil {
		return nil, err
	}
	now := Now()
	return pricingStep(ctx, c, id, "reject", func(_ *ent.SpecialPricingRequest, u *ent.SpecialPricingRequestUpdateOne) error {
		u.SetDecisionReason(reason).SetDecidedAt(now).SetDecidedByID(viewer.FromContext(ctx).RepID)
		return nil
	})
}

// WithdrawPricingRequest takes the request back before it is decided.
func WithdrawPricingRequest(ctx context.Context, c *ent.Client, id string) (*ent.SpecialPricingRequest, error) {
	return pricingStep(ctx, c, id, "withdraw", nil)
}
