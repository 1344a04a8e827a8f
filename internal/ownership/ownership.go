// Package ownership decides who owns a piece of account work (an escalation,
// a quote, an RFP): by default the rep who creates it, else the rep the
// account is assigned to in the capacity the work calls for, else that rep's
// team manager; and never a rep who may not read the account, so that every
// owner can see, and work, what they own.
package ownership

import (
	"context"
	"fmt"

	"carrierdesk/ent"
	"carrierdesk/ent/account"
	"carrierdesk/ent/accountassignment"
	"carrierdesk/ent/privacy"
	"carrierdesk/ent/rep"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/rule"
	"carrierdesk/internal/viewer"
)

// Capacity is the capacity of assignment whose rep owns work nobody on the
// account created.
type Capacity = accountassignment.Capacity

// Post-sale work (escalations of every category: billing, service
// assurance, orders, portability, contracts and the rest) goes to the
// account's support manager; pre-sale work (quotes, RFPs) to its strategic
// advancement manager.
const (
	PostSale = accountassignment.CapacitySupport
	PreSale  = accountassignment.CapacityStrategic
)

// works reports a role whose reps work accounts and so own what they create.
// Admins (operations) and analysts do not; carrier contacts are not reps.
func works(v *viewer.Viewer) bool {
	return v.Is(enum.RoleManager, enum.RoleAccountExecutive, enum.RoleSupport, enum.RoleStrategic)
}

// Default is the owner of new work on accountID created by the viewer in ctx:
// the creating rep when their role works accounts; otherwise (a carrier
// contact, an admin, the program itself) the rep currently assigned to the
// account in capacity, else the manager of the team of a rep currently
// assigned to it. It is empty only for an account nobody holds, whose work
// every manager sees.
func Default(ctx context.Context, c *ent.Client, accountID string, capacity Capacity) (string, error) {
	if v := viewer.FromContext(ctx); works(v) {
		return v.RepID, nil
	}
	ctx = privacy.DecisionContext(ctx, privacy.Allow)
	held, err := c.AccountAssignment.Query().
		Where(
			accountassignment.AccountID(accountID),
			accountassignment.EndedAtIsNil(),
			accountassignment.HasRepWith(rep.Active(true)),
		).
		Order(accountassignment.ByStartedAt(), accountassignment.ByID()).
		WithRep(func(q *ent.RepQuery) { q.WithTeam() }).
		All(ctx)
	if err != nil {
		return "", fmt.Errorf("finding the account's reps: %w", err)
	}
	for _, a := range held {
		if a.Capacity == capacity {
			return a.RepID, nil
		}
	}
	for _, a := range held {
		if t := a.Edges.Rep.Edges.Team; t != nil && t.ManagerID != nil {
			return *t.ManagerID, nil
		}
	}
	return "", nil
}

// MayOwn reports whether repID may own work on accountID: an active rep of
// a role that works accounts, who may read the account (rule.AccountScope,
// the same rule that narrows what they read).
func MayOwn(ctx context.Context, c *ent.Client, repID, accountID string) (bool, error) {
	ctx = privacy.DecisionContext(ctx, privacy.Allow)
	r, err := c.Rep.Query().
		Where(rep.ID(repID), rep.Active(true)).
		Only(ctx)
	if ent.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, fmt.Errorf("loading the owner: %w", err)
	}
	v, err := rule.LoadViewer(ctx, c, r.ID, r.Role, "")
	if err != nil {
		return false, fmt.Errorf("loading the owner's view: %w", err)
	}
	if !works(v) {
		return false, nil
	}
	return c.Account.Query().
		Where(account.ID(accountID)).
		Where(rule.AccountScope(v)...).
		Exist(ctx)
}
