package workflow

import (
	"context"

	"carrierdesk/ent"
)

// ReviseQuote takes a quote that is pending approval, approved or sent back
// to DRAFT as its next revision, with the reason, so its priced content can
// change again. The quote hooks clear its submission and approval (it needs
// approving again) and its sentAt (the carrier no longer sees it until the
// new revision is sent); the audit trail records the step as quote.revise.
func ReviseQuote(ctx context.Context, c *ent.Client, id, reason string) (*ent.Quote, error) {
	if err := required("reason", reason); err != nil {
		return nil, err
	}
	return quoteStep(ctx, c, id, "revise", func(_ *ent.Quote, u *ent.QuoteUpdateOne) error {
		u.AddRevision(1).SetStatusNote(reason)
		return nil
	})
}
