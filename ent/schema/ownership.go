package schema

import (
	"context"
	"fmt"

	gen "carrierdesk/ent"
	"carrierdesk/ent/escalation"
	"carrierdesk/ent/privacy"
	"carrierdesk/ent/quote"
	"carrierdesk/ent/rfp"
	"carrierdesk/internal/fault"
	"carrierdesk/internal/ownership"
	"carrierdesk/internal/viewer"

	"entgo.io/ent"
)

// ownedMutation is the mutation of work a rep owns: an escalation, a quote,
// an RFP.
type ownedMutation interface {
	ent.Mutation
	Client() *gen.Client
	AccountID() (string, bool)
	OldAccountID(context.Context) (string, error)
	OwnerID() (string, bool)
	SetOwnerID(string)
	IDs(context.Context) ([]string, error)
}

// owned gives new work an owner by default (ownership.Default, for work
// nobody on the account created: the rep assigned in capacity) and refuses
// an owner, on creation or on any later change (reassignment included), who
// may not read the work's account. accounts lists the accounts of the rows a
// bulk update touches.
func owned(capacity ownership.Capacity, accounts func(context.Context, *gen.Client, []string) ([]string, error)) ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, mu ent.Mutation) (ent.Value, error) {
			m, ok := mu.(ownedMutation)
			if !ok {
				return nil, fmt.Errorf("owned: unexpected mutation %T", mu)
			}
			owner, set := m.OwnerID()
			if m.Op().Is(ent.OpCreate) && !set {
				accountID, _ := m.AccountID()
				def, err := ownership.Default(ctx, m.Client(), accountID, capacity)
				if err != nil {
					return nil, err
				}
				if def != "" {
					m.SetOwnerID(def)
				}
				return next.Mutate(ctx, m)
			}
			if !set || programWrite(ctx) {
				return next.Mutate(ctx, m)
			}
			ids, err := ownedAccounts(ctx, m, accounts)
			if err != nil {
				return nil, err
			}
			for _, accountID := range ids {
				ok, err := ownership.MayOwn(ctx, m.Client(), owner, accountID)
				if err != nil {
					return nil, err
				}
				if !ok {
					return nil, fault.InvalidField("ownerID", "must be an active rep who may read the account")
				}
			}
			return next.Mutate(ctx, m)
		})
	}
}

// programWrite reports a write the program makes for itself, with no viewer
// (the seeder loading history, the sweeper): trusted with its owners, as
// referencesExist trusts its references, so that history keeps the owner it
// had then. Every viewer's write, workflows included, is checked.
func programWrite(ctx context.Context) bool {
	d, ok := privacy.DecisionFromContext(ctx)
	return ok && d == nil && viewer.FromContext(ctx) == nil
}

// ownedAccounts is the accounts of the rows m writes.
func ownedAccounts(ctx context.Context, m ownedMutation, accounts func(context.Context, *gen.Client, []string) ([]string, error)) ([]string, error) {
	allow := privacy.DecisionContext(ctx, privacy.Allow)
	switch {
	case m.Op().Is(ent.OpCreate):
		id, _ := m.AccountID()
		return []string{id}, nil
	case m.Op().Is(ent.OpUpdateOne):
		id, err := m.OldAccountID(allow)
		if err != nil {
			return nil, fmt.Errorf("finding the account: %w", err)
		}
		return []string{id}, nil
	}
	ids, err := m.IDs(allow)
	if err != nil {
		return nil, err
	}
	return accounts(allow, m.Client(), ids)
}

// The accounts of bulk-updated rows, per owned entity.

func escalationAccounts(ctx context.Context, c *gen.Client, ids []string) ([]string, error) {
	return c.Escalation.Query().Where(escalation.IDIn(ids...)).Unique(true).Select(escalation.FieldAccountID).Strings(ctx)
}

func quoteAccounts(ctx context.Context, c *gen.Client, ids []string) ([]string, error) {
	return c.Quote.Query().Where(quote.IDIn(ids...)).Unique(true).Select(quote.FieldAccountID).Strings(ctx)
}

func rfpAccounts(ctx context.Context, c *gen.Client, ids []string) ([]string, error) {
	return c.RFP.Query().Where(rfp.IDIn(ids...)).Unique(true).Select(rfp.FieldAccountID).Strings(ctx)
}
