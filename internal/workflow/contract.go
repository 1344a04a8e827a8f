package workflow

import (
	"context"

	"carrierdesk/ent"
	"carrierdesk/ent/contract"
	"carrierdesk/internal/fault"
	"carrierdesk/internal/money"
	"carrierdesk/internal/revision"
)

func contractStep(ctx context.Context, c *ent.Client, id, action string, change func(*ent.Contract, *ent.ContractUpdateOne) error) (*ent.Contract, error) {
	k, err := c.Contract.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := revision.Check(ctx, k.ID, k.Version); err != nil {
		return nil, err
	}
	next, wctx, err := act(ctx, Contract, action, k.Status.String())
	if err != nil {
		return nil, err
	}
	u := c.Contract.UpdateOne(k).SetStatus(contract.Status(next))
	if change != nil {
		if err := change(k, u); err != nil {
			return nil, err
		}
	}
	return u.Save(wctx)
}

// SendContractForSignature sends a draft contract to the carrier.
func SendContractForSignature(ctx context.Context, c *ent.Client, id string) (*ent.Contract, error) {
	return contractStep(ctx, c, id, "sendForSignature", nil)
}

// ActivateContract records the signature: service runs under the contract.
func ActivateContract(ctx context.Context, c *ent.Client, id string) (*ent.Contract, error) {
	return contractStep(ctx, c, id, "activate", nil)
}

// TerminateContract ends an active contract early, with the reason.
func TerminateContract(ctx context.Context, c *ent.Client, id, reason string) (*ent.Contract, error) {
	if err := required("reason", reason); err != nil {
		return nil, err
	}
	return contractStep(ctx, c, id, "terminate", func(_ *ent.Contract, u *ent.ContractUpdateOne) error {
		u.SetStatusNote(reason)
		return nil
	})
}

// Renewal is what a renewal changes; what it leaves out carries over.
type Renewal struct {
	TermMonths int
	MRC        *money.Amount
	CoTerm     bool // end with the master agreement instead of after TermMonths
}

// RenewContract drafts the successor of an ACTIVE or EXPIRED contract,
// starting when the old one ends, and leaves the old contract as it is until
// the successor activates (see Supersede). A co-termed renewal ends with its
// master agreement. A contract has at most one renewal.
func RenewContract(ctx context.Context, c *ent.Client, id string, r Renewal) (*ent.Contract, error) {
	if r.TermMonths < 1 || r.TermMonths > 240 {
		return nil, fault.InvalidField("termMonths", "must be between 1 and 240")
	}
	old, err := c.Contract.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	// The old contract is not written: the version it is at is checked here.
	if err := revision.Check(ctx, old.ID, old.Version); err != nil {
		return nil, err
	}
	_, wctx, err := act(ctx, Contract, "renew", old.Status.String())
	if err != nil {
		return nil, err
	}
	renewed, err := c.Contract.Query().Where(contract.RenewalOfID(old.ID)).Exist(wctx)
	if err != nil {
		return nil, err
	}
	if renewed {
		return nil, fault.E(fault.Conflict, "id", "already has a renewal")
	}
	start := old.EndDate
	end := TermEnd(start, r.TermMonths)
	if r.CoTerm {
		if old.MasterID == nil {
			return nil, fault.InvalidField("coTerm", "needs a contract under a master agreement")
		}
		master, err := c.Contract.Get(wctx, *old.MasterID)
		if err != nil {
			return nil, err
		}
		if !master.EndDate.After(start) {
			return nil, fault.InvalidField("coTerm", "the master agreement ends before the renewal would start")
		}
		end = master.EndDate
	}
	mrc := old.Mrc
	if r.MRC != nil {
		mrc = *r.MRC
	}
	return c.Contract.Create().
		SetAccountID(old.AccountID).
		SetKind(old.Kind).
		SetTitle(old.Title).
		SetStartDate(start).
		SetEndDate(end).
		SetTermMonths(r.TermMonths).
		SetMrc(mrc).
		SetAutoRenew(old.AutoRenew).
		SetNoticeDays(old.NoticeDays).
		SetNillableMasterID(old.MasterID).
		SetCoTermed(r.CoTerm).
		SetRenewalOfID(old.ID).
		Save(wctx)
}
