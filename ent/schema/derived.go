package schema

import (
	"context"
	"fmt"

	gen "carrierdesk/ent"
	"carrierdesk/ent/account"
	"carrierdesk/ent/escalationevent"
	"carrierdesk/ent/hook"
	"carrierdesk/ent/privacy"
	"carrierdesk/ent/quote"
	"carrierdesk/ent/quotelineitem"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/deal"
	"carrierdesk/internal/fault"
	"carrierdesk/internal/money"
	"carrierdesk/internal/seed/bulk"
	"carrierdesk/internal/sla"
	"carrierdesk/internal/viewer"
	"carrierdesk/internal/workflow"

	"entgo.io/ent"
	"entgo.io/ent/dialect/sql"
)

// Derived values are kept by hooks on the schema, so that every writer (GraphQL,
// the seeder, a later workflow) keeps them right, in the writer's transaction.

// syncQuoteTotals recomputes the totals of the quotes whose line items a
// mutation touches, after the change, with one aggregate query per quote.
func syncQuoteTotals(next ent.Mutator) ent.Mutator {
	return hook.QuoteLineItemFunc(func(ctx context.Context, m *gen.QuoteLineItemMutation) (ent.Value, error) {
		if bulk.FromContext(ctx) || onlySpecialLinePrice(m) {
			return next.Mutate(ctx, m) // the loader writes the totals itself; a spread changes no total
		}
		quoteIDs, err := touchedQuotes(ctx, m)
		if err != nil {
			return nil, err
		}
		v, err := next.Mutate(ctx, m)
		if err != nil {
			return nil, err
		}
		for _, id := range quoteIDs {
			if _, err := recomputeQuote(ctx, m.Client(), id); err != nil {
				return nil, err
			}
		}
		return v, nil
	})
}

// touchedQuotes lists the quotes a line item mutation affects.
func touchedQuotes(ctx context.Context, m *gen.QuoteLineItemMutation) ([]string, error) {
	if id, ok := m.QuoteID(); ok && m.Op().Is(ent.OpCreate) {
		return []string{id}, nil
	}
	ids, err := m.IDs(ctx)
	if err != nil {
		return nil, fmt.Errorf("finding changed line items: %w", err)
	}
	if len(ids) == 0 {
		return nil, nil
	}
	return m.Client().QuoteLineItem.Query().
		Where(quotelineitem.IDIn(ids...)).
		Unique(true).
		Select(quotelineitem.FieldQuoteID).
		Strings(ctx)
}

// recomputeQuote brings a quote's derived values up to date: MRC and NRC are
// the sums over its line items (MRC is the approved special price instead,
// when a pricing request set one), TCV is MRC x term + NRC, and the deal
// model (NPV, IRR, payback) follows from those and the quote's costs.
func recomputeQuote(ctx context.Context, c *gen.Client, quoteID string) (*gen.Quote, error) {
	var sums []struct {
		MRC int64 `sql:"mrc"`
		NRC int64 `sql:"nrc"`
	}
	err := c.QuoteLineItem.Query().
		Where(quotelineitem.QuoteID(quoteID)).
		Modify(func(s *sql.Selector) {
			s.Select(
				sql.As(fmt.Sprintf("COALESCE(SUM(%s * %s), 0)", s.C(quotelineitem.FieldMrc), s.C(quotelineitem.FieldQuantity)), "mrc"),
				sql.As(fmt.Sprintf("COALESCE(SUM(%s * %s), 0)", s.C(quotelineitem.FieldNrc), s.C(quotelineitem.FieldQuantity)), "nrc"),
			)
		}).
		Scan(ctx, &sums)
	if err != nil {
		return nil, fmt.Errorf("summing line items: %w", err)
	}
	q, err := c.Quote.Get(ctx, quoteID)
	if err != nil {
		return nil, fmt.Errorf("reading quote: %w", err)
	}
	var mrc, nrc money.Amount
	if len(sums) == 1 {
		mrc, nrc = money.Amount(sums[0].MRC), money.Amount(sums[0].NRC)
	}
	if q.SpecialMrc != nil {
		mrc = *q.SpecialMrc
	}
	result, err := deal.Evaluate(deal.Input{
		TermMonths:         q.TermMonths,
		MRC:                mrc,
		NRC:                nrc,
		Capex:              q.Capex,
		OneTimeCost:        q.OneTimeCost,
		MonthlyOpex:        q.MonthlyOpex,
		MonthlyOffNetCost:  q.MonthlyOffNetCost,
		MonthlyChurn:       q.MonthlyChurn,
		AnnualDiscountRate: q.AnnualDiscountRate,
	})
	if err != nil {
		return nil, err
	}
	u := c.Quote.UpdateOne(q).
		SetMrc(mrc).
		SetNrc(nrc).
		SetTcv(result.TCV).
		SetNpv(result.NPV).
		SetNillableIrr(result.IRR).
		SetNillableIrrMonthly(result.IRRMonthly).
		SetIrrNote(result.IRRReason).
		SetNillablePaybackMonth(result.PaybackMonth)
	if result.IRR == nil {
		u.ClearIrr().ClearIrrMonthly()
	}
	if result.PaybackMonth == nil {
		u.ClearPaybackMonth()
	}
	if err := spreadSpecialPrice(ctx, c, q); err != nil {
		return nil, err
	}
	return u.Save(ctx)
}

// quoteInputs are the fields a quote's derived values follow.
var quoteInputs = []string{
	quote.FieldTermMonths, quote.FieldSpecialMrc, quote.FieldCapex, quote.FieldOneTimeCost,
	quote.FieldMonthlyOpex, quote.FieldMonthlyOffNetCost, quote.FieldMonthlyChurn, quote.FieldAnnualDiscountRate,
}

// syncQuoteDeal recomputes a quote's totals and deal model when it is created
// or one of its inputs changes, and returns the quote as recomputed.
func syncQuoteDeal(next ent.Mutator) ent.Mutator {
	return hook.QuoteFunc(func(ctx context.Context, m *gen.QuoteMutation) (ent.Value, error) {
		if bulk.FromContext(ctx) {
			return next.Mutate(ctx, m) // the loader writes the totals and deal model itself
		}
		changed := m.Op().Is(ent.OpCreate)
		for _, f := range quoteInputs {
			if _, ok := m.Field(f); ok {
				changed = true
			}
		}
		if m.SpecialMrcCleared() {
			changed = true
		}
		v, err := next.Mutate(ctx, m)
		if err != nil || !changed {
			return v, err
		}
		return recomputeQuote(ctx, m.Client(), v.(*gen.Quote).ID)
	})
}

// TCV is the total contract value: MRC x term + NRC, refused when it would
// not fit (no amount in carrierdesk may exceed money.Max x 1,000).
func TCV(mrc, nrc money.Amount, termMonths int) (money.Amount, error) {
	limit := money.Max * 1000
	if termMonths > 0 && mrc > (limit-nrc)/money.Amount(termMonths) {
		return 0, fault.InvalidField("mrc", "makes the total contract value too large")
	}
	return mrc*money.Amount(termMonths) + nrc, nil
}

// syncContractTCV keeps a contract's TCV equal to MRC x term + NRC.
func syncContractTCV(next ent.Mutator) ent.Mutator {
	return hook.ContractFunc(func(ctx context.Context, m *gen.ContractMutation) (ent.Value, error) {
		mrc, mrcSet := m.Mrc()
		nrc, nrcSet := m.Nrc()
		term, termSet := m.TermMonths()
		if !mrcSet && !nrcSet && !termSet {
			return next.Mutate(ctx, m)
		}
		if m.Op().Is(ent.OpUpdateOne) {
			var err error
			if !mrcSet {
				mrc, err = m.OldMrc(ctx)
			}
			if !nrcSet && err == nil {
				nrc, err = m.OldNrc(ctx)
			}
			if !termSet && err == nil {
				term, err = m.OldTermMonths(ctx)
			}
			if err != nil {
				return nil, fmt.Errorf("reading contract: %w", err)
			}
		}
		tcv, err := TCV(mrc, nrc, term)
		if err != nil {
			return nil, err
		}
		m.SetTcv(tcv)
		return next.Mutate(ctx, m)
	})
}

// orderCarrier sets an order's carrier to its account's carrier, so that a
// carrier's PONs can be unique in the database.
func orderCarrier(next ent.Mutator) ent.Mutator {
	return hook.OrderFunc(func(ctx context.Context, m *gen.OrderMutation) (ent.Value, error) {
		accountID, ok := m.AccountID()
		if !ok {
			return next.Mutate(ctx, m)
		}
		carrierID, err := m.Client().Account.Query().
			Where(account.ID(accountID)).
			Select(account.FieldCarrierID).
			String(ctx)
		if gen.IsNotFound(err) {
			return nil, notFoundReference("accountID")
		}
		if err != nil {
			return nil, fmt.Errorf("reading the order's account: %w", err)
		}
		m.SetCarrierID(carrierID)
		return next.Mutate(ctx, m)
	})
}

// escalationOpened sets the SLA clock of a new escalation from its severity and
// its account's business calendar, and writes the CREATED event on its timeline.
func escalationOpened(next ent.Mutator) ent.Mutator {
	return hook.EscalationFunc(func(ctx context.Context, m *gen.EscalationMutation) (ent.Value, error) {
		switch v := viewer.FromContext(ctx); {
		case v.Is(enum.RoleCarrier):
			m.SetRaisedByContactID(v.ContactID)
		case v.Internal():
			m.SetRaisedByRepID(v.RepID)
		}
		sev, ok := m.Severity()
		created, _ := m.CreatedAt()
		accountID, _ := m.AccountID()
		// A bulk load (the seed) computes the due times itself, on the same calendar.
		_, dueSet := m.ResolutionDueAt()
		if ok && !(bulk.FromContext(ctx) && dueSet) {
			cal, err := workflow.CalendarFor(ctx, m.Client(), accountID, created)
			if gen.IsNotFound(err) {
				return nil, notFoundReference("accountID")
			}
			if err != nil {
				return nil, err
			}
			respond, resolve, err := sla.Due(sev.String(), created, cal)
			if err != nil {
				return nil, err
			}
			m.SetResponseDueAt(respond)
			m.SetResolutionDueAt(resolve)
		}
		v, err := next.Mutate(ctx, m)
		if err != nil {
			return nil, err
		}
		e := v.(*gen.Escalation)
		// The timeline is written by the workflow, not by the viewer, who may not write events.
		allow := privacy.DecisionContext(ctx, privacy.Allow)
		err = m.Client().EscalationEvent.Create().
			SetEscalationID(e.ID).
			SetKind(escalationevent.KindCreated).
			SetToValue(string(e.Severity)).
			SetBody(e.Title).
			SetCreatedAt(e.CreatedAt).
			SetNillableActorRepID(e.RaisedByRepID).
			SetNillableActorContactID(e.RaisedByContactID).
			Exec(allow)
		if err != nil {
			return nil, fmt.Errorf("writing the created event: %w", err)
		}
		return e, nil
	})
}

// pricingRequester records the rep who creates a special pricing request as its requester.
func pricingRequester(next ent.Mutator) ent.Mutator {
	return hook.SpecialPricingRequestFunc(func(ctx context.Context, m *gen.SpecialPricingRequestMutation) (ent.Value, error) {
		if _, ok := m.RequestedByID(); !ok {
			v := viewer.FromContext(ctx)
			if !v.Internal() {
				return nil, fault.InvalidField("requestedByID", "is required: only a rep can request special pricing")
			}
			m.SetRequestedByID(v.RepID)
		}
		return next.Mutate(ctx, m)
	})
}
