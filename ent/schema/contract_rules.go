package schema

import (
	"carrierdesk/internal/date"
	"context"
	"fmt"

	gen "carrierdesk/ent"
	"carrierdesk/ent/contract"
	"carrierdesk/ent/hook"
	"carrierdesk/ent/privacy"
	"carrierdesk/ent/quote"
	"carrierdesk/internal/fault"
	"carrierdesk/internal/money"
	"carrierdesk/internal/workflow"

	"entgo.io/ent"
)

// contractFrozen are the fields of a contract that are frozen once it is
// sent for signature (workflow.Signed): its price, term and dates.
var contractFrozen = []string{
	contract.FieldMrc, contract.FieldNrc, contract.FieldTcv, contract.FieldTermMonths,
	contract.FieldStartDate, contract.FieldEndDate, contract.FieldQuoteID,
}

// contractRules keeps a contract's terms whole, for every writer: a signed
// contract's price, term and dates do not change; start, end and term agree
// (workflow.MonthsSpanned), the one left out of an update following the
// others; a master agreement has no master, a service order's master is a
// master agreement of its account, and a co-termed add-on ends with it; a
// contract's quote is an ACCEPTED quote of its account, whose MRC, NRC and
// term are the contract's.
func contractRules(next ent.Mutator) ent.Mutator {
	return hook.ContractFunc(func(ctx context.Context, m *gen.ContractMutation) (ent.Value, error) {
		read := privacy.DecisionContext(ctx, privacy.Allow) // the rules see every record they name
		if m.Op().Is(ent.OpUpdate) {
			if err := contractsUnsigned(read, m); err != nil {
				return nil, err
			}
			return next.Mutate(ctx, m)
		}
		var old *gen.Contract
		if m.Op().Is(ent.OpUpdateOne) {
			id, _ := m.ID()
			var err error
			if old, err = m.Client().Contract.Get(read, id); err != nil {
				return nil, fmt.Errorf("reading contract: %w", err)
			}
			if err := contractUnfrozen(ctx, m, old); err != nil {
				return nil, err
			}
		}
		k := contractAfter(m, old)
		if err := contractTermAgrees(m, old, &k); err != nil {
			return nil, err
		}
		if err := contractMasterAgrees(read, m, old, k); err != nil {
			return nil, err
		}
		if err := contractQuoteAgrees(read, m, old, k); err != nil {
			return nil, err
		}
		return next.Mutate(ctx, m)
	})
}

// contractsUnsigned refuses a many-row update of frozen fields that reaches a signed contract.
func contractsUnsigned(ctx context.Context, m *gen.ContractMutation) error {
	field, ok := frozenChange(m)
	if !ok || workflow.Amending(ctx) {
		return nil
	}
	signed, err := updateReaches(ctx, m, func(ids ...string) (bool, error) {
		return m.Client().Contract.Query().
			Where(contract.IDIn(ids...), contract.StatusNEQ(contract.StatusDraft)).
			Exist(ctx)
	})
	if err != nil || !signed {
		return err
	}
	return contractFrozenError(field, "")
}

// updateReaches reports whether the rows a many-row update changes include one that exist finds among them.
func updateReaches(ctx context.Context, m interface {
	IDs(context.Context) ([]string, error)
}, exist func(ids ...string) (bool, error)) (bool, error) {
	ids, err := m.IDs(ctx)
	if err != nil {
		return false, fmt.Errorf("finding changed rows: %w", err)
	}
	found, err := exist(ids...)
	if err != nil {
		return false, fmt.Errorf("reading changed rows: %w", err)
	}
	return found, nil
}

// frozenChange names the first frozen field a mutation sets or clears.
func frozenChange(m *gen.ContractMutation) (string, bool) {
	for _, f := range contractFrozen {
		_, added := m.AddedField(f)
		if _, ok := m.Field(f); ok || added || m.FieldCleared(f) {
			return f, true
		}
	}
	return "", false
}

// contractUnfrozen refuses a change to a frozen field of a signed contract,
// unless it is the workflow's own amendment (workflow.Amending). Setting a
// field to the value it has is no change.
func contractUnfrozen(ctx context.Context, m *gen.ContractMutation, old *gen.Contract) error {
	if !workflow.Signed(old.Status) || workflow.Amending(ctx) {
		return nil
	}
	for _, f := range contractFrozen {
		v, set := m.Field(f)
		if _, added := m.AddedField(f); added {
			return contractFrozenError(f, old.Status.String())
		}
		if !set && !m.FieldCleared(f) {
			continue
		}
		was, err := m.OldField(ctx, f)
		if err != nil {
			return fmt.Errorf("reading contract: %w", err)
		}
		if set && sameValue(v, was) {
			continue
		}
		return contractFrozenError(f, old.Status.String())
	}
	return nil
}

// sameValue compares a new field value with the old one; an optional
// reference is old as a pointer.
func sameValue(v, was any) bool {
	if a, ok := v.(string); ok {
		if b, ok := was.(*string); ok {
			return b != nil && *b == a
		}
	}
	return v == was
}

func contractFrozenError(field, status string) error {
	msg := "is frozen once the contract is sent for signature"
	if status != "" {
		msg = fmt.Sprintf("is frozen: the contract is %s (price, term and dates are frozen from PENDING_SIGNATURE on)", status)
	}
	return &fault.Error{Kind: fault.InvalidTransition, Op: "contract.update", Field: fault.APIName(field), Msg: msg}
}

// contractTerms is what a contract will be after a mutation.
type contractTerms struct {
	accountID  string
	kind       contract.Kind
	start, end date.Date
	term       int
	mrc, nrc   money.Amount
	masterID   *string
	coTermed   bool
	quoteID    *string
}

// contractAfter is the contract as m leaves it: m's values, the old ones where m sets none.
func contractAfter(m *gen.ContractMutation, old *gen.Contract) contractTerms {
	var k contractTerms
	if old != nil {
		k = contractTerms{old.AccountID, old.Kind, old.StartDate, old.EndDate, old.TermMonths, old.Mrc, old.Nrc, old.MasterID, old.CoTermed, old.QuoteID}
	}
	if v, ok := m.AccountID(); ok {
		k.accountID = v
	}
	if v, ok := m.Kind(); ok {
		k.kind = v
	}
	if v, ok := m.StartDate(); ok {
		k.start = v
	}
	if v, ok := m.EndDate(); ok {
		k.end = v
	}
	if v, ok := m.TermMonths(); ok {
		k.term = v
	}
	if v, ok := m.Mrc(); ok {
		k.mrc = v
	}
	if v, ok := m.Nrc(); ok {
		k.nrc = v
	}
	if v, ok := m.MasterID(); ok {
		k.masterID = &v
	} else if m.MasterIDCleared() {
		k.masterID = nil
	}
	if v, ok := m.CoTermed(); ok {
		k.coTermed = v
	}
	if v, ok := m.QuoteID(); ok {
		k.quoteID = &v
	} else if m.QuoteIDCleared() {
		k.quoteID = nil
	}
	return k
}

// contractTermAgrees derives what an update leaves out (a new term moves the
// end date; new dates give the term) and refuses dates and a term that disagree.
func contractTermAgrees(m *gen.ContractMutation, old *gen.Contract, k *contractTerms) error {
	_, startSet := m.StartDate()
	_, endSet := m.EndDate()
	_, termSet := m.TermMonths()
	if old != nil {
		switch {
		case termSet && !startSet && !endSet:
			k.end = workflow.TermEnd(k.start, k.term)
			m.SetEndDate(k.end)
		case (startSet || endSet) && !termSet && k.end.After(k.start):
			k.term = workflow.MonthsSpanned(k.start, k.end)
			m.SetTermMonths(k.term)
		}
	}
	if !k.end.After(k.start) {
		return nil // timesInOrder says endDate must be after startDate
	}
	if spanned := workflow.MonthsSpanned(k.start, k.end); spanned != k.term {
		return fault.InvalidField("termMonths", fmt.Sprintf("is %d, but startDate to endDate spans %d months: the end date is startDate plus termMonths months (or the day before)", k.term, spanned))
	}
	return nil
}

// contractMasterAgrees checks the contract's place under a master agreement.
func contractMasterAgrees(ctx context.Context, m *gen.ContractMutation, old *gen.Contract, k contractTerms) error {
	if old != nil && old.Kind == contract.KindMasterAgreement && k.kind != contract.KindMasterAgreement {
		has, err := m.Client().Contract.Query().Where(contract.MasterID(old.ID)).Exist(ctx)
		if err != nil {
			return fmt.Errorf("reading addenda: %w", err)
		}
		if has {
			return fault.InvalidField("kind", "cannot change: service orders are under this master agreement")
		}
	}
	if k.masterID == nil {
		if k.coTermed {
			return fault.InvalidField("coTermed", "needs a master agreement (masterID) to end with")
		}
		return nil
	}
	if k.kind == contract.KindMasterAgreement {
		return fault.InvalidField("masterID", "must be empty: a master agreement has no master")
	}
	master, err := m.Client().Contract.Get(ctx, *k.masterID)
	if err != nil {
		if gen.IsNotFound(err) {
			return notFoundReference("masterID")
		}
		return fmt.Errorf("reading the master agreement: %w", err)
	}
	switch {
	case master.Kind != contract.KindMasterAgreement:
		return fault.InvalidField("masterID", "must name a master agreement, not a service order")
	case master.AccountID != k.accountID:
		return fault.InvalidField("masterID", "must name a master agreement of the same account")
	case k.coTermed && k.end != master.EndDate:
		return fault.InvalidField("endDate", fmt.Sprintf("must be %s: a co-termed add-on ends with its master agreement", master.EndDate))
	}
	return nil
}

// contractQuoteAgrees checks the quote a contract came from and takes its
// price: the NRC is copied when the input leaves it out (or gives 0), and
// linking a draft contract to a quote takes the quote's MRC when none is given.
func contractQuoteAgrees(ctx context.Context, m *gen.ContractMutation, old *gen.Contract, k contractTerms) error {
	if k.quoteID == nil {
		return nil
	}
	_, quoteSet := m.QuoteID()
	_, mrcSet := m.Mrc()
	_, nrcSet := m.Nrc()
	_, termSet := m.TermMonths()
	if old != nil && !quoteSet && !mrcSet && !nrcSet && !termSet {
		return nil
	}
	q, err := m.Client().Quote.Get(ctx, *k.quoteID)
	if err != nil {
		if gen.IsNotFound(err) {
			return notFoundReference("quoteID")
		}
		return fmt.Errorf("reading the quote: %w", err)
	}
	if err := quoteLinkable(q, k.accountID); err != nil {
		return err
	}
	// A new contract's NRC defaults to 0, which stands for "left out" here.
	if (old == nil && k.nrc == 0) || (old != nil && quoteSet && !nrcSet) {
		k.nrc = q.Nrc
		m.SetNrc(q.Nrc)
	}
	if !mrcSet && old != nil && quoteSet {
		k.mrc = q.Mrc
		m.SetMrc(q.Mrc)
	}
	switch {
	case k.mrc != q.Mrc:
		return fault.InvalidField("mrc", fmt.Sprintf("must be the accepted quote's MRC, %s", q.Mrc))
	case k.nrc != q.Nrc:
		return fault.InvalidField("nrc", fmt.Sprintf("must be the accepted quote's NRC, %s", q.Nrc))
	case k.term != q.TermMonths:
		return fault.InvalidField("termMonths", fmt.Sprintf("must be the accepted quote's term, %d months", q.TermMonths))
	}
	return nil
}

// quoteLinkable refuses a link from a contract or order of accountID to a
// quote that is not ACCEPTED or belongs to another account.
func quoteLinkable(q *gen.Quote, accountID string) error {
	if q.AccountID != accountID {
		return fault.InvalidField("quoteID", "must name a quote of the same account")
	}
	if q.Status != quote.StatusAccepted {
		return fault.InvalidField("quoteID", fmt.Sprintf("must name an ACCEPTED quote; this one is %s", q.Status))
	}
	return nil
}

// contractFollowers makes what follows from a contract's change: when a
// renewal activates, the contract it renews becomes RENEWED in the same
// transaction; when a master agreement's end moves (a renewal, an evergreen
// year), its co-termed add-ons move with it.
func contractFollowers(next ent.Mutator) ent.Mutator {
	return hook.ContractFunc(func(ctx context.Context, m *gen.ContractMutation) (ent.Value, error) {
		status, statusSet := m.Status()
		_, endSet := m.EndDate()
		v, err := next.Mutate(ctx, m)
		if err != nil {
			return nil, err
		}
		k := v.(*gen.Contract)
		if statusSet && status == contract.StatusActive && k.RenewalOfID != nil {
			if err := workflow.Supersede(ctx, m.Client(), k); err != nil {
				return nil, err
			}
		}
		if endSet && k.Kind == contract.KindMasterAgreement {
			if err := workflow.FollowMaster(ctx, m.Client(), k); err != nil {
				return nil, err
			}
		}
		return k, nil
	})
}
