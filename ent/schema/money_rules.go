package schema

import (
	"context"
	"fmt"

	gen "carrierdesk/ent"
	"carrierdesk/ent/account"
	"carrierdesk/ent/contract"
	"carrierdesk/ent/hook"
	"carrierdesk/ent/privacy"
	"carrierdesk/ent/quote"
	"carrierdesk/internal/fault"
	"carrierdesk/internal/money"
	"carrierdesk/internal/seed/bulk"

	"entgo.io/ent"
	"entgo.io/ent/dialect/sql"
)

// Money has a currency, and amounts in different currencies are never added.
// An account has one currency; its quotes and contracts carry it, so that a
// sum over an account (its MRR) or grouped by currency (every report) adds
// like with like.

// currencyOfAccount is the default of a quote's or contract's currency: empty,
// which currencyFollowsAccount replaces with the account's. Ent applies
// defaults before hooks run, so a real default would be indistinguishable
// from a currency the writer chose; an empty one that reached the database
// would fail the currency validator.
const currencyOfAccount = ""

// currencyFollowsAccount gives a new quote or contract its account's currency
// and refuses a currency, on create or update, that differs from it.
func currencyFollowsAccount(next ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
		if bulk.FromContext(ctx) {
			return next.Mutate(ctx, m) // the seeder writes each currency from its account itself
		}
		v, set := m.Field("currency")
		given, _ := v.(string)
		if !m.Op().Is(ent.OpCreate) && !set {
			return next.Mutate(ctx, m)
		}
		c, ok := m.(interface{ Client() *gen.Client })
		if !ok {
			return nil, fmt.Errorf("currency: mutation %T has no client", m)
		}
		// Reading the account's currency is the rule's own read, whatever the writer may read.
		allow := privacy.DecisionContext(ctx, privacy.Allow)
		have, err := accountCurrencies(allow, c.Client(), m)
		if err != nil {
			return nil, err
		}
		for _, cur := range have {
			if given == currencyOfAccount && m.Op().Is(ent.OpCreate) {
				if err := m.SetField("currency", cur); err != nil {
					return nil, err
				}
				continue
			}
			if given != cur {
				return nil, fault.InvalidField("currency", fmt.Sprintf("is %q, but the account bills in %s: a %s carries its account's currency", given, cur, typeWord(m.Type())))
			}
		}
		return next.Mutate(ctx, m)
	})
}

// accountCurrencies is the currencies of the accounts a quote or contract
// mutation writes to: the named account on create, the records' accounts on
// update. An account that does not exist yields none; the reference check
// reports it.
func accountCurrencies(ctx context.Context, c *gen.Client, m ent.Mutation) ([]string, error) {
	if m.Op().Is(ent.OpCreate) {
		v, _ := m.Field("account_id")
		id, _ := v.(string)
		return c.Account.Query().
			Where(account.ID(id)).
			Select(account.FieldCurrency).
			Strings(ctx)
	}
	ids, err := mutationIDs(ctx, m)
	if err != nil || len(ids) == 0 {
		return nil, err
	}
	switch m.Type() {
	case gen.TypeQuote:
		return c.Quote.Query().
			Where(quote.IDIn(ids...)).
			QueryAccount().
			Unique(true).
			Select(account.FieldCurrency).
			Strings(ctx)
	case gen.TypeContract:
		return c.Contract.Query().
			Where(contract.IDIn(ids...)).
			QueryAccount().
			Unique(true).
			Select(account.FieldCurrency).
			Strings(ctx)
	}
	return nil, fmt.Errorf("currency: %s has no account", m.Type())
}

// typeWord is an entity's type as a word in a sentence.
func typeWord(typ string) string {
	if typ == gen.TypeQuote {
		return "quote"
	}
	return "contract"
}

// currencyLockedByDeals refuses to change an account's currency while it
// has quotes or contracts in another one: their amounts would no longer be
// in the account's currency. An account without any may change it freely.
func currencyLockedByDeals(next ent.Mutator) ent.Mutator {
	return hook.AccountFunc(func(ctx context.Context, m *gen.AccountMutation) (ent.Value, error) {
		cur, set := m.Currency()
		if !set {
			return next.Mutate(ctx, m)
		}
		ids, err := m.IDs(ctx)
		if err != nil {
			return nil, fmt.Errorf("currency: finding the accounts: %w", err)
		}
		allow := privacy.DecisionContext(ctx, privacy.Allow)
		for _, q := range []interface {
			Exist(context.Context) (bool, error)
		}{
			m.Client().Quote.Query().Where(quote.AccountIDIn(ids...), quote.CurrencyNEQ(cur)),
			m.Client().Contract.Query().Where(contract.AccountIDIn(ids...), contract.CurrencyNEQ(cur)),
		} {
			found, err := q.Exist(allow)
			if err != nil {
				return nil, fmt.Errorf("currency: looking for deals: %w", err)
			}
			if found {
				return nil, fault.InvalidField("currency", "cannot change while the account has quotes or contracts in its current currency")
			}
		}
		return next.Mutate(ctx, m)
	})
}

// Hooks of an account: its currency is locked by its deals.
func (Account) Hooks() []ent.Hook {
	return []ent.Hook{
		hook.On(currencyLockedByDeals, ent.OpUpdate|ent.OpUpdateOne),
	}
}

// accountMRRFollowsContracts keeps each account's MRR equal to the sum of the
// MRC of its ACTIVE contracts, in the transaction of every contract write
// that can move it (created, activated, terminated, expired, renewed, MRC
// changed, deleted), whoever writes: GraphQL, a workflow, the sweep. The
// account's change goes through ent, so the audit trail records it and
// revenue retention reads it.
func accountMRRFollowsContracts(next ent.Mutator) ent.Mutator {
	return hook.ContractFunc(func(ctx context.Context, m *gen.ContractMutation) (ent.Value, error) {
		if bulk.FromContext(ctx) {
			return next.Mutate(ctx, m) // the seeder writes each account's MRR from its contracts itself
		}
		_, status := m.Status()
		_, mrc := m.Mrc()
		if m.Op().Is(ent.OpUpdate|ent.OpUpdateOne) && !status && !mrc {
			return next.Mutate(ctx, m)
		}
		// The account's MRR is the program's record of the contracts, kept whatever the writer may read.
		allow := privacy.DecisionContext(ctx, privacy.Allow)
		var accounts []string
		if id, ok := m.AccountID(); ok {
			accounts = append(accounts, id)
		} else {
			ids, err := m.IDs(ctx)
			if err != nil {
				return nil, fmt.Errorf("account MRR: finding the contracts: %w", err)
			}
			if len(ids) > 0 {
				if accounts, err = m.Client().Contract.Query().
					Where(contract.IDIn(ids...)).
					Unique(true).
					Select(contract.FieldAccountID).
					Strings(allow); err != nil {
					return nil, fmt.Errorf("account MRR: finding the accounts: %w", err)
				}
			}
		}
		v, err := next.Mutate(ctx, m)
		if err != nil {
			return nil, err
		}
		if err := syncAccountMRR(allow, m.Client(), accounts); err != nil {
			return nil, err
		}
		return v, nil
	})
}

// syncAccountMRR sets each account's MRR to the sum of its active contracts'
// MRC, writing only the accounts whose MRR moved. allow is the writer's
// context (who, which action, for the audit trail) past its privacy rules.
func syncAccountMRR(allow context.Context, c *gen.Client, accountIDs []string) error {
	if len(accountIDs) == 0 {
		return nil
	}
	var sums []struct {
		AccountID string `sql:"account_id"`
		MRR       int64  `sql:"mrr"`
	}
	err := c.Contract.Query().
		Where(
			contract.AccountIDIn(accountIDs...),
			contract.StatusEQ(contract.StatusActive),
		).
		Modify(func(s *sql.Selector) {
			s.Select(s.C(contract.FieldAccountID)).
				AppendSelectAs("CAST(COALESCE(SUM("+s.C(contract.FieldMrc)+"), 0) AS BIGINT)", "mrr").
				GroupBy(s.C(contract.FieldAccountID))
		}).
		Scan(allow, &sums)
	if err != nil {
		return fmt.Errorf("account MRR: summing active contracts: %w", err)
	}
	want := make(map[string]int64, len(accountIDs))
	for _, s := range sums {
		want[s.AccountID] = s.MRR
	}
	accounts, err := c.Account.Query().
		Where(account.IDIn(accountIDs...)).
		Select(account.FieldID, account.FieldMrr).
		All(allow)
	if err != nil {
		return fmt.Errorf("account MRR: reading accounts: %w", err)
	}
	for _, a := range accounts {
		if int64(a.Mrr) == want[a.ID] {
			continue
		}
		if err := c.Account.UpdateOneID(a.ID).
			SetMrr(money.Amount(want[a.ID])).
			Exec(allow); err != nil {
			return fmt.Errorf("account MRR: updating %s: %w", a.ID, err)
		}
	}
	return nil
}
