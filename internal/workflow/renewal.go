package workflow

import (
	"context"
	"fmt"

	"carrierdesk/ent"
	"carrierdesk/ent/contract"
	"carrierdesk/internal/fault"
)

// followingStatuses are the statuses of a co-termed add-on that still runs,
// or will, and so follows its master's end.
var followingStatuses = []contract.Status{contract.StatusDraft, contract.StatusPendingSignature, contract.StatusActive}

// Supersede marks the contract a newly activated renewal renews as RENEWED,
// in the activation's transaction, and moves a renewed master agreement's
// co-termed add-ons under the renewal, ending with it. The renewed contract
// must still be ACTIVE or EXPIRED: a terminated contract is not renewed.
func Supersede(ctx context.Context, c *ent.Client, renewal *ent.Contract) error {
	wctx := amending(authority(ctx, Contract, "supersede"))
	old, err := c.Contract.Get(wctx, *renewal.RenewalOfID)
	if err != nil {
		return fmt.Errorf("reading the renewed contract: %w", err)
	}
	if _, err := Contract.Step(nil, "supersede", old.Status.String()); err != nil {
		return &fault.Error{
			Kind: fault.InvalidTransition,
			Op:   "contract.activate",
			Msg:  fmt.Sprintf("cannot activate a renewal of a contract that is %s", old.Status),
		}
	}
	if err := c.Contract.UpdateOne(old).SetStatus(contract.StatusRenewed).Exec(wctx); err != nil {
		return err
	}
	if old.Kind != contract.KindMasterAgreement {
		return nil
	}
	addOns, err := c.Contract.Query().
		Where(contract.MasterID(old.ID), contract.CoTermed(true), contract.StatusIn(followingStatuses...)).
		All(wctx)
	if err != nil {
		return fmt.Errorf("reading co-termed add-ons: %w", err)
	}
	for _, a := range addOns {
		err := c.Contract.UpdateOne(a).
			SetMasterID(renewal.ID).
			SetEndDate(renewal.EndDate).
			SetTermMonths(MonthsSpanned(a.StartDate, renewal.EndDate)).
			Exec(wctx)
		if err != nil {
			return fmt.Errorf("moving a co-termed add-on to the renewal: %w", err)
		}
	}
	return nil
}

// FollowMaster moves the co-termed add-ons of a master agreement to its end
// date, their term with it: an add-on that ends with its master keeps doing so.
func FollowMaster(ctx context.Context, c *ent.Client, master *ent.Contract) error {
	wctx := amending(authority(ctx, Contract, "coTerm"))
	addOns, err := c.Contract.Query().
		Where(
			contract.MasterID(master.ID),
			contract.CoTermed(true),
			contract.StatusIn(followingStatuses...),
			contract.EndDateNEQ(master.EndDate),
		).
		All(wctx)
	if err != nil {
		return fmt.Errorf("reading co-termed add-ons: %w", err)
	}
	for _, a := range addOns {
		if !master.EndDate.After(a.StartDate) {
			return fault.InvalidField("endDate", fmt.Sprintf("must be after the start of co-termed add-on %q", a.Title))
		}
		err := c.Contract.UpdateOne(a).
			SetEndDate(master.EndDate).
			SetTermMonths(MonthsSpanned(a.StartDate, master.EndDate)).
			Exec(wctx)
		if err != nil {
			return fmt.Errorf("moving a co-termed add-on with its master: %w", err)
		}
	}
	return nil
}
