package workflow

import (
	"context"
	"fmt"

	"carrierdesk/ent"
	"carrierdesk/ent/accountassignment"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/audit"
	"carrierdesk/internal/fault"
	"carrierdesk/internal/viewer"
)

// AssignAccount puts a rep on an account in a capacity. The previous holder
// of that capacity, if any, is taken off (their assignment ends now) in the
// same transaction; ended assignments stay as history. Managers assign their
// own team's reps; the privacy rules of AccountAssignment hold for both writes.
func AssignAccount(ctx context.Context, c *ent.Client, accountID, repID string, capacity accountassignment.Capacity) (*ent.AccountAssignment, error) {
	v := viewer.FromContext(ctx)
	if !v.Is(enum.RoleAdmin, enum.RoleManager) {
		return nil, &fault.Error{Kind: fault.Forbidden, Op: "account.assign", Msg: "only managers assign accounts"}
	}
	if _, err := c.Account.Get(ctx, accountID); err != nil {
		if ent.IsNotFound(err) {
			return nil, fault.InvalidField("accountID", "names no Account")
		}
		return nil, err
	}
	ctx = audit.WithAction(ctx, "account.assign")
	now := Now()
	current, err := c.AccountAssignment.Query().
		Where(
			accountassignment.AccountID(accountID),
			accountassignment.CapacityEQ(capacity),
			accountassignment.EndedAtIsNil(),
		).
		Only(ctx)
	switch {
	case ent.IsNotFound(err):
	case err != nil:
		return nil, fmt.Errorf("finding the current holder: %w", err)
	case current.RepID == repID:
		return current, nil
	default:
		if err := c.AccountAssignment.UpdateOne(current).SetEndedAt(now).Exec(ctx); err != nil {
			return nil, err
		}
	}
	return c.AccountAssignment.Create().
		SetAccountID(accountID).
		SetRepID(repID).
		SetCapacity(capacity).
		SetStartedAt(now).
		Save(ctx)
}
