package workflow

import (
	"context"

	"carrierdesk/ent"
	"carrierdesk/ent/rfp"
	"carrierdesk/internal/revision"
)

// RFPAction takes one of the RFP workflow's actions (qualify, start, submit,
// win, lose, noBid), with an optional note on why.
func RFPAction(ctx context.Context, c *ent.Client, id, action string, note *string) (*ent.RFP, error) {
	r, err := c.RFP.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := revision.Check(ctx, r.ID, r.Version); err != nil {
		return nil, err
	}
	next, wctx, err := act(ctx, RFP, action, r.Status.String())
	if err != nil {
		return nil, err
	}
	return c.RFP.UpdateOne(r).
		SetStatus(rfp.Status(next)).
		SetNillableStatusNote(note).
		Save(wctx)
}
