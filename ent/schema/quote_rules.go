package schema

import (
	"context"
	"fmt"
	"slices"

	gen "carrierdesk/ent"
	"carrierdesk/ent/hook"
	"carrierdesk/ent/privacy"
	"carrierdesk/ent/quote"
	"carrierdesk/ent/quotelineitem"
	"carrierdesk/ent/specialpricingrequest"
	"carrierdesk/internal/fault"
	"carrierdesk/internal/money"
	"carrierdesk/internal/pricing"
	"carrierdesk/internal/seed/bulk"
	"carrierdesk/internal/viewer"
	"carrierdesk/internal/workflow"

	"entgo.io/ent"
)

// The commercial rules of quotes and special prices (issue 11), kept by hooks
// so that every writer obeys them: GraphQL, the workflows, sweeps, tests.
// The bulk loader (the demo seed) writes finished history in its final
// states; it skips them, and the seed's tests check that its data obey them.

// pricedQuoteFields are the quote's priced content: frozen from submission on.
// MRC, NRC, TCV and the deal model's results are not listed: they are derived
// from these and the line items, which are frozen too, and only recomputed.
var pricedQuoteFields = []string{
	quote.FieldTermMonths, quote.FieldCurrency, quote.FieldSpecialMrc,
	quote.FieldCapex, quote.FieldOneTimeCost, quote.FieldMonthlyOpex, quote.FieldMonthlyOffNetCost,
	quote.FieldMonthlyChurn, quote.FieldAnnualDiscountRate,
}

// bookkeepingFields change on every write, or are recomputed from the
// priced content, so they never count as a change someone made.
var bookkeepingFields = []string{
	"updated_at", "version",
	quote.FieldMrc, quote.FieldNrc, quote.FieldTcv, quote.FieldNpv, quote.FieldIrr,
	quote.FieldIrrNote, quote.FieldIrrMonthly, quote.FieldPaybackMonth,
}

// QuoteFinal reports whether a quote in this status never changes again: the
// carrier answered it, or it lapsed.
func QuoteFinal(s quote.Status) bool {
	return s == quote.StatusAccepted || s == quote.StatusDeclined || s == quote.StatusExpired
}

// changedFields lists the fields a mutation sets, adds to or clears, except skip.
func changedFields(m ent.Mutation, skip []string) []string {
	var out []string
	for _, f := range slices.Concat(m.Fields(), m.AddedFields(), m.ClearedFields()) {
		if !slices.Contains(skip, f) && !slices.Contains(out, f) {
			out = append(out, f)
		}
	}
	return out
}

// frozen is the refusal of a change to a quote that may no longer change.
func frozen(field, msg string) error {
	return &fault.Error{Kind: fault.InvalidTransition, Field: fault.APIName(field), Msg: msg}
}

// quoteFrozen refuses, whoever writes: any change to an ACCEPTED, DECLINED
// or EXPIRED quote; a change to the priced content of a quote that is not a
// DRAFT (or that the same write takes out of DRAFT); deleting a quote that
// is not a DRAFT.
func quoteFrozen(next ent.Mutator) ent.Mutator {
	return hook.QuoteFunc(func(ctx context.Context, m *gen.QuoteMutation) (ent.Value, error) {
		if bulk.FromContext(ctx) {
			return next.Mutate(ctx, m)
		}
		deleting := m.Op().Is(ent.OpDelete | ent.OpDeleteOne)
		changed := changedFields(m, bookkeepingFields)
		if len(changed) == 0 && !deleting {
			return next.Mutate(ctx, m)
		}
		var priced string
		for _, f := range changed {
			if slices.Contains(pricedQuoteFields, f) {
				priced = f
				break
			}
		}
		leavesDraft := false
		if to, ok := m.Status(); ok && to != quote.StatusDraft {
			leavesDraft = true
		}
		ids, err := m.IDs(ctx)
		if err != nil {
			return nil, fmt.Errorf("finding changed quotes: %w", err)
		}
		quotes, err := m.Client().Quote.Query().
			Where(quote.IDIn(ids...)).
			Select(quote.FieldID, quote.FieldStatus).
			All(privacy.DecisionContext(ctx, privacy.Allow))
		if err != nil {
			return nil, fmt.Errorf("reading quote status: %w", err)
		}
		for _, q := range quotes {
			name := string(q.Status)
			switch {
			case QuoteFinal(q.Status):
				field := ""
				if len(changed) > 0 {
					field = changed[0]
				}
				return nil, frozen(field, fmt.Sprintf("cannot change: quote %s is %s, and an accepted, declined or expired quote never changes", q.ID, name))
			case deleting && q.Status != quote.StatusDraft:
				return nil, frozen("", fmt.Sprintf("cannot be deleted: quote %s is %s; only a draft can be", q.ID, name))
			case priced != "" && q.Status != quote.StatusDraft:
				return nil, frozen(priced, fmt.Sprintf("is frozen: quote %s is %s; its priced content changes only in DRAFT (reviseQuote takes it back to DRAFT as a new revision)", q.ID, name))
			case priced != "" && leavesDraft:
				return nil, frozen(priced, "cannot change in the same write that submits the quote")
			}
		}
		return next.Mutate(ctx, m)
	})
}

// lineItemsFrozen refuses creating, changing or deleting a line of a quote
// that is not a DRAFT, whoever writes. The special price the program records
// on each line (specialLineMrc) is bookkeeping, not a change.
func lineItemsFrozen(next ent.Mutator) ent.Mutator {
	return hook.QuoteLineItemFunc(func(ctx context.Context, m *gen.QuoteLineItemMutation) (ent.Value, error) {
		if bulk.FromContext(ctx) || onlySpecialLinePrice(m) {
			return next.Mutate(ctx, m)
		}
		quoteIDs, err := touchedQuotes(ctx, m)
		if err != nil {
			return nil, err
		}
		quotes, err := m.Client().Quote.Query().
			Where(quote.IDIn(quoteIDs...), quote.StatusNEQ(quote.StatusDraft)).
			Select(quote.FieldID, quote.FieldStatus).
			All(privacy.DecisionContext(ctx, privacy.Allow))
		if err != nil {
			return nil, fmt.Errorf("reading quote status: %w", err)
		}
		if len(quotes) == 0 {
			return next.Mutate(ctx, m)
		}
		q := quotes[0]
		status := string(q.Status)
		const how = "a quote's lines change only while it is a DRAFT (reviseQuote takes it back to DRAFT as a new revision)"
		switch changed := changedFields(m, []string{"updated_at", "version"}); {
		case m.Op().Is(ent.OpCreate):
			return nil, frozen(quotelineitem.FieldQuoteID, fmt.Sprintf("names quote %s, which is %s; %s", q.ID, status, how))
		case m.Op().Is(ent.OpDelete | ent.OpDeleteOne):
			return nil, frozen("", fmt.Sprintf("cannot delete a line of quote %s, which is %s; %s", q.ID, status, how))
		case len(changed) > 0:
			return nil, frozen(changed[0], fmt.Sprintf("is frozen: quote %s is %s, and %s", q.ID, status, how))
		}
		return nil, frozen("", fmt.Sprintf("quote %s is %s; %s", q.ID, status, how))
	})
}

// onlySpecialLinePrice reports whether a line item mutation only records the
// spread of a special price, as recomputeQuote writes it.
func onlySpecialLinePrice(m *gen.QuoteLineItemMutation) bool {
	if !m.Op().Is(ent.OpUpdateOne) {
		return false
	}
	changed := changedFields(m, []string{"updated_at", "version"})
	return len(changed) == 1 && changed[0] == quotelineitem.FieldSpecialLineMrc
}

// quoteCreator records the rep who creates a quote, for the four-eyes rule.
func quoteCreator(next ent.Mutator) ent.Mutator {
	return hook.QuoteFunc(func(ctx context.Context, m *gen.QuoteMutation) (ent.Value, error) {
		if _, ok := m.CreatedByID(); !ok {
			if v := viewer.FromContext(ctx); v.Internal() && v.RepID != "" {
				m.SetCreatedByID(v.RepID)
			}
		}
		return next.Mutate(ctx, m)
	})
}

// quoteStatusRules writes and checks what a quote's status change implies,
// whoever makes it:
//   - into PENDING_APPROVAL: no special pricing request of the quote may be
//     undecided; the submitter and the time are recorded;
//   - into APPROVED: four eyes, the approver (the viewer, unless the writer
//     names one) neither created, owns nor submitted the quote; the
//     approver and the time are recorded;
//   - back into DRAFT (rejected or revised): approval and submission are
//     cleared, and so is sentAt, so the carrier no longer sees a price that
//     is being changed.
func quoteStatusRules(next ent.Mutator) ent.Mutator {
	return hook.QuoteFunc(func(ctx context.Context, m *gen.QuoteMutation) (ent.Value, error) {
		to, ok := m.Status()
		if !ok || bulk.FromContext(ctx) {
			return next.Mutate(ctx, m)
		}
		from, err := m.OldStatus(ctx)
		if err != nil {
			return nil, fmt.Errorf("reading the old status: %w", err)
		}
		if from == to {
			return next.Mutate(ctx, m)
		}
		id, _ := m.ID()
		v := viewer.FromContext(ctx)
		now := workflow.Now()
		switch to {
		case quote.StatusPendingApproval:
			if err := noUndecidedPricing(ctx, m.Client(), id); err != nil {
				return nil, err
			}
			if _, ok := m.SubmittedByID(); !ok && v.Internal() && v.RepID != "" {
				m.SetSubmittedByID(v.RepID)
			}
			if _, ok := m.SubmittedAt(); !ok {
				m.SetSubmittedAt(now)
			}
		case quote.StatusApproved:
			approver, ok := m.ApprovedByID()
			if !ok && v.Internal() {
				approver = v.RepID
			}
			if err := fourEyesOnQuote(ctx, m, approver); err != nil {
				return nil, err
			}
			m.SetApprovedByID(approver)
			if _, ok := m.ApprovedAt(); !ok {
				m.SetApprovedAt(now)
			}
		case quote.StatusDraft:
			m.ClearApprovedByID()
			m.ClearApprovedAt()
			m.ClearSubmittedByID()
			m.ClearSubmittedAt()
			m.ClearSentAt()
		}
		return next.Mutate(ctx, m)
	})
}

// fourEyesOnQuote refuses an approval by nobody, or by the quote's creator,
// owner or submitter.
func fourEyesOnQuote(ctx context.Context, m *gen.QuoteMutation, approver string) error {
	if approver == "" {
		return fault.E(fault.Forbidden, "", "an approval needs an approver: a manager or an admin")
	}
	creator, err := m.OldCreatedByID(ctx)
	if err != nil {
		return fmt.Errorf("reading the quote: %w", err)
	}
	owner, ok := m.OwnerID()
	if !ok && !m.OwnerIDCleared() {
		old, err := m.OldOwnerID(ctx)
		if err != nil {
			return fmt.Errorf("reading the quote: %w", err)
		}
		if old != nil {
			owner = *old
		}
	}
	submitter, err := m.OldSubmittedByID(ctx)
	if err != nil {
		return fmt.Errorf("reading the quote: %w", err)
	}
	for _, who := range []struct {
		id   *string
		role string
	}{{creator, "created"}, {&owner, "own"}, {submitter, "submitted"}} {
		if who.id != nil && *who.id == approver {
			return fault.E(fault.Forbidden, "", fmt.Sprintf("four eyes: you %s this quote, so you may not approve it; another manager or an admin must", who.role))
		}
	}
	return nil
}

// undecidedPricing are the states of a special pricing request still awaiting its decision.
var undecidedPricing = []specialpricingrequest.Status{
	specialpricingrequest.StatusDraft, specialpricingrequest.StatusSubmitted, specialpricingrequest.StatusInReview,
}

// noUndecidedPricing refuses to submit a quote while one of its special
// pricing requests is undecided: the price to approve is not known yet.
func noUndecidedPricing(ctx context.Context, c *gen.Client, quoteID string) error {
	r, err := c.SpecialPricingRequest.Query().
		Where(
			specialpricingrequest.QuoteID(quoteID),
			specialpricingrequest.StatusIn(undecidedPricing...),
		).
		Order(specialpricingrequest.ByCreatedAt()).
		First(privacy.DecisionContext(ctx, privacy.Allow))
	if gen.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("looking for undecided pricing requests: %w", err)
	}
	return &fault.Error{
		Kind:  fault.InvalidTransition,
		Field: "pricingRequests",
		Msg:   fmt.Sprintf("include special pricing request %s, which is %s; approve, reject or withdraw it before submitting the quote", r.ID, r.Status),
	}
}

// pricingRequestRules keeps a special pricing request honest, whoever writes:
//   - it is made on a DRAFT quote, and its standard MRC is that quote's MRC
//     at that moment, whatever the writer says;
//   - the price asked and the price granted are strictly below the standard MRC;
//   - approving it (four eyes) is for someone other than the requester and
//     the quote's creator and owner, while the quote is still a DRAFT.
func pricingRequestRules(next ent.Mutator) ent.Mutator {
	return hook.SpecialPricingRequestFunc(func(ctx context.Context, m *gen.SpecialPricingRequestMutation) (ent.Value, error) {
		if bulk.FromContext(ctx) {
			return next.Mutate(ctx, m)
		}
		allow := privacy.DecisionContext(ctx, privacy.Allow)
		if m.Op().Is(ent.OpUpdate) {
			if len(changedFields(m, []string{"updated_at", "version"})) > 0 {
				return nil, fmt.Errorf("special pricing requests change one at a time")
			}
			return next.Mutate(ctx, m)
		}
		var standard money.Amount
		if m.Op().Is(ent.OpCreate) {
			quoteID, _ := m.QuoteID()
			q, err := m.Client().Quote.Get(allow, quoteID)
			if gen.IsNotFound(err) {
				return nil, notFoundReference("quoteID")
			}
			if err != nil {
				return nil, fmt.Errorf("reading the quote: %w", err)
			}
			if q.Status != quote.StatusDraft {
				return nil, frozen("quote_id", fmt.Sprintf("names a quote that is %s; special pricing is requested on a DRAFT quote only (reviseQuote takes it back to DRAFT)", q.Status))
			}
			m.SetStandardMrc(q.Mrc)
			standard = q.Mrc
		} else {
			old, err := m.OldStandardMrc(ctx)
			if err != nil {
				return nil, fmt.Errorf("reading the request: %w", err)
			}
			standard = old
		}
		requested, rok := m.RequestedMrc()
		approved, aok := m.ApprovedMrc()
		for _, p := range []struct {
			field string
			set   bool
			v     money.Amount
		}{{"requestedMrc", rok, requested}, {"approvedMrc", aok, approved}} {
			if p.set && (p.v < 0 || p.v >= standard) {
				return nil, fault.InvalidField(p.field, "must be at least 0 and below the standard MRC "+standard.String()+", the quote's MRC when the request was made")
			}
		}
		if to, ok := m.Status(); ok && to == specialpricingrequest.StatusApproved && m.Op().Is(ent.OpUpdateOne) {
			if err := approvablePricing(ctx, m); err != nil {
				return nil, err
			}
		}
		return next.Mutate(ctx, m)
	})
}

// approvablePricing checks an approval of a special pricing request: four
// eyes, and a quote that is still a DRAFT (a granted price never changes a
// quote that was submitted, approved or sent).
func approvablePricing(ctx context.Context, m *gen.SpecialPricingRequestMutation) error {
	decider, ok := m.DecidedByID()
	if v := viewer.FromContext(ctx); !ok && v.Internal() {
		decider = v.RepID
	}
	if decider == "" {
		return fault.E(fault.Forbidden, "", "an approval needs an approver: a manager or an admin")
	}
	requester, err := m.OldRequestedByID(ctx)
	if err != nil {
		return fmt.Errorf("reading the request: %w", err)
	}
	quoteID, err := m.OldQuoteID(ctx)
	if err != nil {
		return fmt.Errorf("reading the request: %w", err)
	}
	q, err := m.Client().Quote.Get(privacy.DecisionContext(ctx, privacy.Allow), quoteID)
	if err != nil {
		return fmt.Errorf("reading the quote: %w", err)
	}
	switch {
	case requester == decider:
		return fault.E(fault.Forbidden, "", "four eyes: you requested this special price, so you may not approve it; another manager or an admin must")
	case q.CreatedByID != nil && *q.CreatedByID == decider:
		return fault.E(fault.Forbidden, "", "four eyes: you created the quote, so you may not approve its special price; another manager or an admin must")
	case q.OwnerID != nil && *q.OwnerID == decider:
		return fault.E(fault.Forbidden, "", "four eyes: you own the quote, so you may not approve its special price; another manager or an admin must")
	case q.Status != quote.StatusDraft:
		return &fault.Error{Kind: fault.InvalidTransition, Msg: fmt.Sprintf("cannot approve a special price for quote %s, which is %s; a granted price changes only a DRAFT quote (reviseQuote takes it back to DRAFT)", q.ID, q.Status)}
	}
	return nil
}

// spreadSpecialPrice records a quote's special price on its lines
// (pricing.Spread), or clears it from them when the quote has none, so that
// the lines add up to the quote's MRC.
func spreadSpecialPrice(ctx context.Context, c *gen.Client, q *gen.Quote) error {
	lines, err := c.QuoteLineItem.Query().
		Where(quotelineitem.QuoteID(q.ID)).
		Order(quotelineitem.ByCreatedAt(), quotelineitem.ByID()).
		All(ctx)
	if err != nil {
		return fmt.Errorf("reading the quote's lines: %w", err)
	}
	shares := make([]*int64, len(lines))
	if q.SpecialMrc != nil {
		weights := make([]int64, len(lines))
		for i, l := range lines {
			weights[i] = l.Mrc.Cents() * int64(l.Quantity)
		}
		for i, s := range pricing.Spread(q.SpecialMrc.Cents(), weights) {
			shares[i] = &s
		}
	}
	for i, l := range lines {
		switch {
		case l.SpecialLineMrc == nil && shares[i] == nil:
			continue
		case l.SpecialLineMrc != nil && shares[i] != nil && l.SpecialLineMrc.Cents() == *shares[i]:
			continue
		}
		u := c.QuoteLineItem.UpdateOne(l)
		if shares[i] == nil {
			u.ClearSpecialLineMrc()
		} else {
			u.SetSpecialLineMrc(money.Amount(*shares[i]))
		}
		if err := u.Exec(ctx); err != nil {
			return fmt.Errorf("recording the special price on line %s: %w", l.ID, err)
		}
	}
	return nil
}
