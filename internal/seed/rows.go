package seed

import (
	"context"
	"time"

	"carrierdesk/ent"
	"carrierdesk/internal/date"
	"carrierdesk/internal/deal"
	"carrierdesk/internal/money"
	"carrierdesk/internal/pricing"
	"carrierdesk/internal/workflow"
)

// repID is the ID of the rep at index i, or nil for none (-1).
func (s *seeder) repID(i int) *string {
	if i < 0 {
		return nil
	}
	return &s.reps[i].id
}

// contactID is the ID of the carrier's contact at index i, or nil for none (-1).
func contactID(c *carrierPlan, i int) *string {
	if i < 0 {
		return nil
	}
	return &c.contacts[i].id
}

func (s *seeder) insertAccountRows(ctx context.Context, accounts []*accountPlan) error {
	err := insert(ctx, "accounts", len(accounts),
		func(i int) *ent.AccountCreate {
			a := accounts[i]
			return s.tx.Account.Create().
				SetCarrierID(a.carrier.id).
				SetAccountNumber(a.number).
				SetBan(a.ban).
				SetName(a.name).
				SetMarket(a.market.name).
				SetRegion(a.market.region).
				SetStatus(a.status).
				SetMrr(a.mrr).
				SetCurrency(a.carrier.currency).
				SetCreatedAt(a.opened).
				SetUpdatedAt(a.end)
		},
		func(ctx context.Context, b []*ent.AccountCreate) ([]*ent.Account, error) {
			return s.tx.Account.CreateBulk(b...).
				Save(ctx)
		},
		func(i int, e *ent.Account) { accounts[i].id = e.ID },
	)
	s.sum.Accounts += len(accounts)
	return err
}

func (s *seeder) insertAssignments(ctx context.Context, accounts []*accountPlan) error {
	rows := childrenOf(accounts, func(a *accountPlan) []assignmentPlan { return a.assignments })
	s.sum.Assignments += len(rows)
	return insert(ctx, "account assignments", len(rows),
		func(i int) *ent.AccountAssignmentCreate {
			r := rows[i]
			return s.tx.AccountAssignment.Create().
				SetAccountID(r.account.id).
				SetRepID(s.reps[r.row.rep].id).
				SetCapacity(r.row.capacity).
				SetStartedAt(r.row.started).
				SetNillableEndedAt(r.row.ended).
				SetCreatedAt(r.row.started).
				SetUpdatedAt(r.row.started)
		},
		func(ctx context.Context, b []*ent.AccountAssignmentCreate) ([]*ent.AccountAssignment, error) {
			return s.tx.AccountAssignment.CreateBulk(b...).
				Save(ctx)
		},
		func(int, *ent.AccountAssignment) {},
	)
}

func (s *seeder) insertRFPs(ctx context.Context, accounts []*accountPlan) error {
	rows := childrenOf(accounts, func(a *accountPlan) []rfpPlan { return a.rfps })
	s.sum.RFPs += len(rows)
	return insert(ctx, "rfps", len(rows),
		func(i int) *ent.RFPCreate {
			r := rows[i]
			return s.tx.RFP.Create().
				SetAccountID(r.account.id).
				SetTitle(r.row.title).
				SetStatus(r.row.status).
				SetReceivedAt(r.row.received).
				SetDueAt(r.row.due).
				SetEstimatedValue(r.row.value).
				SetNillableOwnerID(s.repID(r.row.owner)).
				SetCreatedAt(r.row.received).
				SetUpdatedAt(r.row.received)
		},
		func(ctx context.Context, b []*ent.RFPCreate) ([]*ent.RFP, error) {
			return s.tx.RFP.CreateBulk(b...).
				Save(ctx)
		},
		func(i int, e *ent.RFP) { rows[i].row.id = e.ID },
	)
}

func (s *seeder) insertQuotes(ctx context.Context, accounts []*accountPlan) error {
	rows := childrenOf(accounts, func(a *accountPlan) []quotePlan { return a.quotes })
	s.sum.Quotes += len(rows)
	deals := make([]deal.Result, len(rows))
	for i, r := range rows {
		var err error
		if deals[i], err = dealOf(r.row); err != nil {
			return err
		}
	}
	return insert(ctx, "quotes", len(rows),
		func(i int) *ent.QuoteCreate {
			r := rows[i]
			var rfpID *string
			if r.row.rfp >= 0 {
				rfpID = &r.account.rfps[r.row.rfp].id
			}
			updated := r.row.created
			for _, t := range []*time.Time{r.row.submitted, r.row.approved, r.row.sent} {
				if t != nil {
					updated = *t
				}
			}
			var submitter *string
			if r.row.submitted != nil {
				submitter = s.repID(r.row.owner)
			}
			d := deals[i]
			return s.tx.Quote.Create().
				SetAccountID(r.account.id).
				SetTitle(r.row.title).
				SetStatus(r.row.status).
				SetTermMonths(r.row.term).
				SetCurrency(r.account.carrier.currency).
				SetMrc(r.row.mrc).
				SetNrc(r.row.nrc).
				SetTcv(r.row.tcv).
				SetNpv(d.NPV).
				SetNillableIrr(d.IRR).
				SetNillableIrrMonthly(d.IRRMonthly).
				SetIrrNote(d.IRRReason).
				SetNillableSpecialMrc(r.row.special).
				SetNillableCreatedByID(s.repID(r.row.owner)).
				SetNillableSubmittedByID(submitter).
				SetNillableSubmittedAt(r.row.submitted).
				SetNillableApprovedByID(s.repID(r.row.approver)).
				SetNillableApprovedAt(r.row.approved).
				SetNillablePaybackMonth(d.PaybackMonth).
				SetValidUntil(dayOf(r.row.validUntil)).
				SetNillableFollowUpOn(dayOfNillable(r.row.followUp)).
				SetNillableOwnerID(s.repID(r.row.owner)).
				SetNillableRfpID(rfpID).
				SetNillableSentAt(r.row.sent).
				SetCreatedAt(r.row.created).
				SetUpdatedAt(updated)
		},
		func(ctx context.Context, b []*ent.QuoteCreate) ([]*ent.Quote, error) {
			return s.tx.Quote.CreateBulk(b...).
				Save(ctx)
		},
		func(i int, e *ent.Quote) { rows[i].row.id = e.ID },
	)
}

func (s *seeder) insertLineItems(ctx context.Context, accounts []*accountPlan) error {
	type lineRow struct {
		quote *quotePlan
		line  *linePlan
	}
	var rows []lineRow
	var special []*money.Amount // each line's share of its quote's special price, if any
	for _, q := range childrenOf(accounts, func(a *accountPlan) []quotePlan { return a.quotes }) {
		shares := specialShares(q.row)
		for i := range q.row.lines {
			rows = append(rows, lineRow{q.row, &q.row.lines[i]})
			special = append(special, shares[i])
		}
	}
	s.sum.LineItems += len(rows)
	return insert(ctx, "quote line items", len(rows),
		func(i int) *ent.QuoteLineItemCreate {
			r := rows[i]
			return s.tx.QuoteLineItem.Create().
				SetQuoteID(r.quote.id).
				SetProduct(r.line.product).
				SetNillableBandwidth(orNil(r.line.bandwidth)).
				SetALocation(r.line.aLocation).
				SetNillableAClli(orNil(r.line.aCLLI)).
				SetNillableZLocation(orNil(r.line.zLocation)).
				SetNillableZClli(orNil(r.line.zCLLI)).
				SetMrc(r.line.mrc).
				SetNrc(r.line.nrc).
				SetQuantity(r.line.quantity).
				SetNillableSpecialLineMrc(special[i]).
				SetCreatedAt(r.quote.created).
				SetUpdatedAt(r.quote.created)
		},
		func(ctx context.Context, b []*ent.QuoteLineItemCreate) ([]*ent.QuoteLineItem, error) {
			return s.tx.QuoteLineItem.CreateBulk(b...).
				Save(ctx)
		},
		func(int, *ent.QuoteLineItem) {},
	)
}

// specialShares spreads a quote's special price over its lines as the quote
// hooks do (pricing.Spread); all nil without one.
func specialShares(q *quotePlan) []*money.Amount {
	shares := make([]*money.Amount, len(q.lines))
	if q.special == nil {
		return shares
	}
	weights := make([]int64, len(q.lines))
	for i, l := range q.lines {
		weights[i] = l.mrc.Cents() * int64(l.quantity)
	}
	for i, c := range pricing.Spread(q.special.Cents(), weights) {
		share := money.Amount(c)
		shares[i] = &share
	}
	return shares
}

func (s *seeder) insertPricingRequests(ctx context.Context, accounts []*accountPlan) error {
	type pricingRow struct {
		quote   *quotePlan
		request *pricingPlan
	}
	var rows []pricingRow
	for _, q := range childrenOf(accounts, func(a *accountPlan) []quotePlan { return a.quotes }) {
		for i := range q.row.pricing {
			rows = append(rows, pricingRow{q.row, &q.row.pricing[i]})
		}
	}
	s.sum.PricingRequests += len(rows)
	return insert(ctx, "special pricing requests", len(rows),
		func(i int) *ent.SpecialPricingRequestCreate {
			r := rows[i].request
			updated := r.created
			for _, t := range []*time.Time{r.submitted, r.decided} {
				if t != nil {
					updated = *t
				}
			}
			c := s.tx.SpecialPricingRequest.Create().
				SetQuoteID(rows[i].quote.id).
				SetRequestedByID(s.reps[r.requestedBy].id).
				SetStatus(r.status).
				SetJustification(r.justification).
				SetStandardMrc(r.standard).
				SetRequestedMrc(r.requested).
				SetNillableApprovedMrc(r.approved).
				SetNillableDecidedByID(s.repID(r.decidedBy)).
				SetNillableSubmittedAt(r.submitted).
				SetNillableResponseDueAt(r.due).
				SetNillableDecidedAt(r.decided).
				SetCreatedAt(r.created).
				SetUpdatedAt(updated)
			if r.reason != "" {
				c.SetDecisionReason(r.reason)
			}
			return c
		},
		func(ctx context.Context, b []*ent.SpecialPricingRequestCreate) ([]*ent.SpecialPricingRequest, error) {
			return s.tx.SpecialPricingRequest.CreateBulk(b...).
				Save(ctx)
		},
		func(int, *ent.SpecialPricingRequest) {},
	)
}

// insertContracts writes contracts in three passes so that every reference
// exists first: standalone masters, then masters that renew one of those, then
// service orders under their masters.
func (s *seeder) insertContracts(ctx context.Context, accounts []*accountPlan) error {
	rows := childrenOf(accounts, func(a *accountPlan) []contractPlan { return a.contracts })
	s.sum.Contracts += len(rows)
	passes := []func(*contractPlan) bool{
		func(c *contractPlan) bool { return c.master < 0 && c.renewalOf < 0 },
		func(c *contractPlan) bool { return c.master < 0 && c.renewalOf >= 0 },
		func(c *contractPlan) bool { return c.master >= 0 },
	}
	for _, inPass := range passes {
		var pass []child[contractPlan]
		for _, r := range rows {
			if inPass(r.row) {
				pass = append(pass, r)
			}
		}
		err := insert(ctx, "contracts", len(pass),
			func(i int) *ent.ContractCreate {
				a, c := pass[i].account, pass[i].row
				var masterID, renewalOfID, quoteID *string
				if c.master >= 0 {
					masterID = &a.contracts[c.master].id
				}
				if c.renewalOf >= 0 {
					renewalOfID = &a.contracts[c.renewalOf].id
				}
				if c.quote >= 0 {
					quoteID = &a.quotes[c.quote].id
				}
				return s.tx.Contract.Create().
					SetAccountID(a.id).
					SetKind(c.kind).
					SetTitle(c.title).
					SetStatus(c.status).
					SetStartDate(dayOf(c.start)).
					SetEndDate(dayOf(c.end)).
					SetTermMonths(c.term).
					SetCurrency(a.carrier.currency).
					SetMrc(c.mrc).
					SetNrc(c.nrc).
					SetTcv(c.mrc*money.Amount(c.term) + c.nrc).
					SetAutoRenew(c.autoRenew).
					SetNoticeDays(c.noticeDays).
					SetNillableMasterID(masterID).
					SetCoTermed(c.coTermed).
					SetNillableQuoteID(quoteID).
					SetNillableRenewalOfID(renewalOfID).
					SetCreatedAt(c.created).
					SetUpdatedAt(c.created)
			},
			func(ctx context.Context, b []*ent.ContractCreate) ([]*ent.Contract, error) {
				return s.tx.Contract.CreateBulk(b...).
					Save(ctx)
			},
			func(i int, e *ent.Contract) { pass[i].row.id = e.ID },
		)
		if err != nil {
			return err
		}
	}
	return nil
}

func (s *seeder) insertOrders(ctx context.Context, accounts []*accountPlan) error {
	rows := childrenOf(accounts, func(a *accountPlan) []orderPlan { return a.orders })
	s.sum.Orders += len(rows)
	return insert(ctx, "orders", len(rows),
		func(i int) *ent.OrderCreate {
			a, o := rows[i].account, rows[i].row
			var quoteID *string
			if o.quote >= 0 {
				quoteID = &a.quotes[o.quote].id
			}
			updated := o.created
			for _, t := range []*time.Time{o.foc, o.completed} {
				if t != nil {
					updated = *t
				}
			}
			return s.tx.Order.Create().
				SetAccountID(a.id).
				SetCarrierID(a.carrier.id).
				SetKind(o.kind).
				SetPon(o.pon).
				SetStatus(o.status).
				SetDesiredDueDate(dayOf(o.desiredDue)).
				SetNillableFocDate(dayOfNillable(o.foc)).
				SetNillableConfirmedDueDate(dayOfNillable(o.confirmedDue)).
				SetNillableCompletedAt(o.completed).
				SetNillableCircuitID(orNil(o.circuitID)).
				SetTnCount(o.tnCount).
				SetNillableQuoteID(quoteID).
				SetCreatedAt(o.created).
				SetUpdatedAt(updated)
		},
		func(ctx context.Context, b []*ent.OrderCreate) ([]*ent.Order, error) {
			return s.tx.Order.CreateBulk(b...).
				Save(ctx)
		},
		func(int, *ent.Order) {},
	)
}

func (s *seeder) insertReviews(ctx context.Context, accounts []*accountPlan) error {
	rows := childrenOf(accounts, func(a *accountPlan) []reviewPlan { return a.reviews })
	s.sum.BusinessReviews += len(rows)
	return insert(ctx, "business reviews", len(rows),
		func(i int) *ent.BusinessReviewCreate {
			a, r := rows[i].account, rows[i].row
			created := a.past(r.scheduled.Add(-days(21)))
			c := s.tx.BusinessReview.Create().
				SetAccountID(a.id).
				SetQuarter(r.quarter).
				SetStatus(r.status).
				SetScheduledAt(r.scheduled).
				SetAttendees(r.attendees).
				SetAgenda(r.agenda).
				SetCreatedAt(created).
				SetUpdatedAt(created)
			if r.outcomes != "" {
				c.SetOutcomes(r.outcomes)
			}
			return c
		},
		func(ctx context.Context, b []*ent.BusinessReviewCreate) ([]*ent.BusinessReview, error) {
			return s.tx.BusinessReview.CreateBulk(b...).
				Save(ctx)
		},
		func(int, *ent.BusinessReview) {},
	)
}

func (s *seeder) insertActivities(ctx context.Context, accounts []*accountPlan) error {
	rows := childrenOf(accounts, func(a *accountPlan) []activityPlan { return a.activities })
	s.sum.Activities += len(rows)
	return insert(ctx, "activities", len(rows),
		func(i int) *ent.ActivityCreate {
			a, r := rows[i].account, rows[i].row
			return s.tx.Activity.Create().
				SetAccountID(a.id).
				SetRepID(s.reps[r.rep].id).
				SetKind(r.kind).
				SetOccurredAt(r.occurred).
				SetNillableLocation(orNil(r.location)).
				SetSummary(r.summary).
				SetCreatedAt(r.occurred).
				SetUpdatedAt(r.occurred)
		},
		func(ctx context.Context, b []*ent.ActivityCreate) ([]*ent.Activity, error) {
			return s.tx.Activity.CreateBulk(b...).
				Save(ctx)
		},
		func(int, *ent.Activity) {},
	)
}

func (s *seeder) insertEscalations(ctx context.Context, accounts []*accountPlan) error {
	rows := childrenOf(accounts, func(a *accountPlan) []escalationPlan { return a.escalations })
	s.sum.Escalations += len(rows)
	return insert(ctx, "escalations", len(rows),
		func(i int) *ent.EscalationCreate {
			a, e := rows[i].account, rows[i].row
			return s.tx.Escalation.Create().
				SetAccountID(a.id).
				SetTitle(e.title).
				SetDescription(e.description).
				SetCategory(e.category).
				SetSeverity(e.severity).
				SetStatus(e.status).
				SetLevel(e.level).
				SetNillableOwnerID(s.repID(e.owner)).
				SetNillableRaisedByRepID(s.repID(e.raisedByRep)).
				SetNillableRaisedByContactID(contactID(a.carrier, e.raisedByContact)).
				SetResponseDueAt(e.responseDue).
				SetResolutionDueAt(e.resolutionDue).
				SetNillableAcknowledgedAt(e.acknowledged).
				SetNillableResolvedAt(e.resolved).
				SetNillableTimeToRestoreSeconds(e.timeToRestore()).
				SetNillableClosedAt(e.closed).
				SetCreatedAt(e.created).
				SetUpdatedAt(e.updated)
		},
		func(ctx context.Context, b []*ent.EscalationCreate) ([]*ent.Escalation, error) {
			return s.tx.Escalation.CreateBulk(b...).
				Save(ctx)
		},
		func(i int, e *ent.Escalation) { rows[i].row.id = e.ID },
	)
}

func (s *seeder) insertEvents(ctx context.Context, accounts []*accountPlan) error {
	type eventRow struct {
		account    *accountPlan
		escalation *escalationPlan
		event      *eventPlan
	}
	var rows []eventRow
	for _, e := range childrenOf(accounts, func(a *accountPlan) []escalationPlan { return a.escalations }) {
		for i := range e.row.events {
			rows = append(rows, eventRow{e.account, e.row, &e.row.events[i]})
		}
	}
	return insert(ctx, "escalation events", len(rows),
		func(i int) *ent.EscalationEventCreate {
			r := rows[i]
			ev := r.event
			from, to := ev.from, ev.to
			if ev.fromRep >= 0 {
				from, to = s.reps[ev.fromRep].id, s.reps[ev.toRep].id
			}
			return s.tx.EscalationEvent.Create().
				SetEscalationID(r.escalation.id).
				SetKind(ev.kind).
				SetInternal(ev.internal).
				SetNillableBody(orNil(ev.body)).
				SetNillableFromValue(orNil(from)).
				SetNillableToValue(orNil(to)).
				SetNillableActorRepID(s.repID(ev.actorRep)).
				SetNillableActorContactID(contactID(r.account.carrier, ev.actorContact)).
				SetCreatedAt(ev.at).
				SetUpdatedAt(ev.at)
		},
		func(ctx context.Context, b []*ent.EscalationEventCreate) ([]*ent.EscalationEvent, error) {
			return s.tx.EscalationEvent.CreateBulk(b...).
				Save(ctx)
		},
		func(int, *ent.EscalationEvent) {},
	)
}

// dayOf is the calendar day the plan's time falls on: plans are worked out
// as UTC times, calendar fields are stored as days.
func dayOf(t time.Time) date.Date { return workflow.DayOf(t) }

// dayOfNillable is dayOf for optional fields.
func dayOfNillable(t *time.Time) *date.Date {
	if t == nil {
		return nil
	}
	return date.Ptr(dayOf(*t))
}
