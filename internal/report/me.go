package report

import (
	"context"
	"fmt"
	"time"

	"carrierdesk/ent"
	"carrierdesk/ent/account"
	"carrierdesk/ent/accountassignment"
	"carrierdesk/ent/businessreview"
	"carrierdesk/ent/escalation"
	"carrierdesk/ent/predicate"
	"carrierdesk/ent/quote"
	"carrierdesk/ent/rfp"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/ent/specialpricingrequest"
	"carrierdesk/internal/fault"
	"carrierdesk/internal/viewer"
	"carrierdesk/internal/workflow"
)

// Horizon is how far ahead the home screen looks for reviews and RFP deadlines.
const Horizon = 14 * 24 * time.Hour

// MeResult is the viewer's home screen: what is theirs and what waits on them.
// Lists the viewer's role has no part in are empty.
type MeResult struct {
	// Accounts is how many accounts the viewer works: for a rep, those they
	// currently hold; for a manager, those their team holds; for a carrier
	// contact, their carrier's.
	Accounts int
	// Escalations is the open escalations the rep owns; for a manager, those
	// their team owns and every unowned one on the accounts they oversee; for
	// a carrier contact, their carrier's open escalations; soonest resolution
	// due first.
	Escalations Shortlist
	// Quotes is the quotes awaiting the viewer: for a manager, those pending
	// approval; for other reps, their own drafts and approved quotes still to
	// send; for a carrier contact, the quotes sent to them; soonest expiring first.
	Quotes Shortlist
	// SpecialPricingRequests is the special pricing requests awaiting the
	// viewer: for a manager, those submitted or in review, soonest due first;
	// for other reps, their own drafts, oldest first.
	SpecialPricingRequests Shortlist
	// OverdueFollowUps is the rep's open quotes whose follow-up date has passed, oldest first.
	OverdueFollowUps Shortlist
	// BusinessReviews is the QBRs scheduled in the next 14 days, soonest first.
	BusinessReviews Shortlist
	// RFPDeadlines is the open RFPs due in the next 14 days, soonest first.
	RFPDeadlines Shortlist
}

// terminalQuote is the statuses of quotes that need nothing more.
var terminalQuote = []quote.Status{quote.StatusAccepted, quote.StatusDeclined, quote.StatusExpired}

// openRFP is the statuses of RFPs still to be answered.
var openRFP = []rfp.Status{rfp.StatusReceived, rfp.StatusQualifying, rfp.StatusInProgress}

// Me computes the home screen of the viewer in ctx at now: one query per
// list, each returning the first IDs and the size of the whole list.
func Me(ctx context.Context, c *ent.Client, now time.Time) (*MeResult, error) {
	v := viewer.FromContext(ctx)
	if v == nil {
		return nil, fault.E(fault.Unauthenticated, "", "sign in to see your home screen")
	}
	now = utc(now)
	until := now.Add(Horizon)
	r := &MeResult{}
	open := workflow.OpenEscalation()
	var lists []list
	switch {
	case v.Is(enum.RoleCarrier):
		lists = []list{
			{&r.Escalations, escalationList(c, open)},
			{&r.Quotes, quoteList(c, quote.StatusEQ(quote.StatusSent))},
		}
	case v.Is(enum.RoleManager):
		lists = []list{
			{&r.Escalations, escalationList(c, open, escalation.Or(escalation.OwnerIDIn(v.Reps...), escalation.OwnerIDIsNil()))},
			{&r.Quotes, quoteList(c, quote.StatusEQ(quote.StatusPendingApproval))},
			{&r.SpecialPricingRequests, sparcList(c, specialpricingrequest.StatusIn(specialpricingrequest.StatusSubmitted, specialpricingrequest.StatusInReview))},
			{&r.OverdueFollowUps, followUpList(c, v.RepID, now)},
			{&r.RFPDeadlines, rfpList(c, now, until)},
		}
	default:
		lists = []list{
			{&r.Escalations, escalationList(c, open, escalation.OwnerID(v.RepID))},
			{&r.Quotes, quoteList(c, quote.OwnerID(v.RepID), quote.StatusIn(quote.StatusDraft, quote.StatusApproved))},
			{&r.SpecialPricingRequests, sparcList(c, specialpricingrequest.RequestedByID(v.RepID), specialpricingrequest.StatusEQ(specialpricingrequest.StatusDraft))},
			{&r.OverdueFollowUps, followUpList(c, v.RepID, now)},
			{&r.RFPDeadlines, rfpList(c, now, until)},
		}
	}
	lists = append(lists, list{&r.BusinessReviews, reviewList(c, now, until)})
	for _, l := range lists {
		var rows []idRow
		if err := l.query(ctx, &rows); err != nil {
			return nil, fmt.Errorf("home screen: %w", err)
		}
		*l.into = shortlist(rows)
	}
	n, err := myAccounts(ctx, c, v)
	if err != nil {
		return nil, fmt.Errorf("home screen accounts: %w", err)
	}
	r.Accounts = n
	for _, l := range []*Shortlist{&r.Escalations, &r.Quotes, &r.SpecialPricingRequests, &r.OverdueFollowUps, &r.BusinessReviews, &r.RFPDeadlines} {
		if l.IDs == nil {
			l.IDs = []string{}
		}
	}
	return r, nil
}

// list is one shortlist of the home screen and the query that fills it.
type list struct {
	into  *Shortlist
	query listQuery
}

// listQuery scans the rows of a shortlist query.
type listQuery func(context.Context, *[]idRow) error

// myAccounts counts the accounts the viewer works.
func myAccounts(ctx context.Context, c *ent.Client, v *viewer.Viewer) (int, error) {
	q := c.Account.Query()
	if !v.Is(enum.RoleCarrier) {
		q.Where(account.HasAssignmentsWith(
			accountassignment.RepIDIn(v.Reps...),
			accountassignment.EndedAtIsNil(),
		))
	}
	return q.Count(ctx)
}

func escalationList(c *ent.Client, ps ...predicate.Escalation) listQuery {
	return func(ctx context.Context, rows *[]idRow) error {
		return c.Escalation.Query().
			Where(ps...).
			Order(escalation.ByResolutionDueAt(), escalation.ByID()).
			Limit(ShortlistSize).
			Modify(shortlistSelect).
			Scan(ctx, rows)
	}
}

func quoteList(c *ent.Client, ps ...predicate.Quote) listQuery {
	return func(ctx context.Context, rows *[]idRow) error {
		return c.Quote.Query().
			Where(ps...).
			Order(quote.ByValidUntil(), quote.ByID()).
			Limit(ShortlistSize).
			Modify(shortlistSelect).
			Scan(ctx, rows)
	}
}

// sparcList orders by response due time, then age; drafts have no due time yet.
func sparcList(c *ent.Client, ps ...predicate.SpecialPricingRequest) listQuery {
	return func(ctx context.Context, rows *[]idRow) error {
		return c.SpecialPricingRequest.Query().
			Where(ps...).
			Order(
				specialpricingrequest.ByResponseDueAt(),
				specialpricingrequest.ByCreatedAt(),
				specialpricingrequest.ByID(),
			).
			Limit(ShortlistSize).
			Modify(shortlistSelect).
			Scan(ctx, rows)
	}
}

func followUpList(c *ent.Client, repID string, now time.Time) listQuery {
	return func(ctx context.Context, rows *[]idRow) error {
		return c.Quote.Query().
			Where(
				quote.OwnerID(repID),
				quote.FollowUpOnLT(workflow.DayOf(now)),
				quote.StatusNotIn(terminalQuote...),
			).
			Order(quote.ByFollowUpOn(), quote.ByID()).
			Limit(ShortlistSize).
			Modify(shortlistSelect).
			Scan(ctx, rows)
	}
}

func reviewList(c *ent.Client, from, until time.Time) listQuery {
	return func(ctx context.Context, rows *[]idRow) error {
		return c.BusinessReview.Query().
			Where(
				businessreview.StatusEQ(businessreview.StatusScheduled),
				businessreview.ScheduledAtGTE(from),
				businessreview.ScheduledAtLT(until),
			).
			Order(businessreview.ByScheduledAt(), businessreview.ByID()).
			Limit(ShortlistSize).
			Modify(shortlistSelect).
			Scan(ctx, rows)
	}
}

func rfpList(c *ent.Client, from, until time.Time) listQuery {
	return func(ctx context.Context, rows *[]idRow) error {
		return c.RFP.Query().
			Where(
				rfp.StatusIn(openRFP...),
				rfp.DueAtGTE(from),
				rfp.DueAtLT(until),
			).
			Order(rfp.ByDueAt(), rfp.ByID()).
			Limit(ShortlistSize).
			Modify(shortlistSelect).
			Scan(ctx, rows)
	}
}
