package workflow

import (
	"context"
	"fmt"
	"time"

	"carrierdesk/ent"
	"carrierdesk/ent/contract"
	"carrierdesk/ent/escalation"
	"carrierdesk/ent/escalationevent"
	"carrierdesk/ent/predicate"
	"carrierdesk/ent/privacy"
	"carrierdesk/ent/quote"
	"carrierdesk/internal/audit"
)

// Swept counts what one sweep changed.
type Swept struct {
	QuotesExpired      int
	ContractsExpired   int
	ContractsRenewed   int // evergreen: auto-renewed for a year
	ResponseBreaches   int
	ResolutionBreaches int
}

// Sweep makes the clock's changes: quotes past their last valid day expire,
// contracts past their last day expire or, when evergreen, renew for a year, and
// escalations that missed a target are flagged with an SLA_BREACH event.
// Every change is conditional on the row still needing it, so instances that
// sweep at the same time change each row once.
func Sweep(ctx context.Context, c *ent.Client, now time.Time) (Swept, error) {
	ctx = privacy.DecisionContext(audit.WithOperation(ctx, "system sweep"), privacy.Allow)
	var s Swept
	var err error
	if s.QuotesExpired, err = expireQuotes(ctx, c, now); err != nil {
		return s, err
	}
	if s.ContractsExpired, s.ContractsRenewed, err = expireContracts(ctx, c, now); err != nil {
		return s, err
	}
	if s.ResponseBreaches, s.ResolutionBreaches, err = flagBreaches(ctx, c, now); err != nil {
		return s, err
	}
	return s, nil
}

func expireQuotes(ctx context.Context, c *ent.Client, now time.Time) (int, error) {
	ids, err := c.Quote.Query().
		Where(quote.StatusIn(quote.StatusApproved, quote.StatusSent), quote.ValidUntilLT(DayOf(now))).
		IDs(ctx)
	if err != nil {
		return 0, fmt.Errorf("finding expired quotes: %w", err)
	}
	n := 0
	ctx = audit.WithAction(ctx, "quote.expire")
	for _, id := range ids {
		err := c.Quote.UpdateOneID(id).
			Where(quote.StatusIn(quote.StatusApproved, quote.StatusSent)).
			SetStatus(quote.StatusExpired).
			Exec(ctx)
		if ent.IsNotFound(err) {
			continue // another instance got there first
		}
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

func expireContracts(ctx context.Context, c *ent.Client, now time.Time) (expired, renewed int, err error) {
	due, err := c.Contract.Query().
		Where(contract.StatusEQ(contract.StatusActive), contract.EndDateLT(DayOf(now))).
		Order(ent.Asc(contract.FieldKind)). // masters first: their co-termed add-ons follow them
		All(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("finding ended contracts: %w", err)
	}
	for _, k := range due {
		u := c.Contract.UpdateOneID(k.ID).
			Where(contract.StatusEQ(contract.StatusActive), contract.EndDateEQ(k.EndDate))
		actx := audit.WithAction(ctx, "contract.expire")
		if evergreen(k) {
			// Evergreen: a year more unless notice was given; the term and TCV grow with it.
			actx = amending(audit.WithAction(ctx, "contract.evergreen"))
			u.SetEndDate(AddMonths(k.EndDate, 12)).SetTermMonths(k.TermMonths + 12)
		} else {
			u.SetStatus(contract.StatusExpired)
		}
		err := u.Exec(actx)
		if ent.IsNotFound(err) {
			continue
		}
		if err != nil {
			return expired, renewed, err
		}
		if evergreen(k) {
			renewed++
		} else {
			expired++
		}
	}
	return expired, renewed, nil
}

// evergreen reports whether a contract renews itself for a year when it
// ends. A co-termed add-on does not: it follows its master agreement, whose
// own evergreen year moves the add-on's end first.
func evergreen(k *ent.Contract) bool { return k.AutoRenew && !(k.CoTermed && k.MasterID != nil) }

func flagBreaches(ctx context.Context, c *ent.Client, now time.Time) (response, resolution int, err error) {
	late, err := c.Escalation.Query().
		Where(
			OpenEscalation(),
			escalation.ResponseBreachedAtIsNil(),
			ResponseBreachedAt(now),
		).
		Order(escalation.ByID()). // one lock order for every sweeper
		IDs(ctx)
	if err != nil {
		return 0, 0, err
	}
	for _, id := range late {
		ok, err := flag(ctx, c, id, escalation.ResponseBreachedAtIsNil(), func(u *ent.EscalationUpdateOne) { u.SetResponseBreachedAt(now) }, responseMissed)
		if err != nil {
			return response, resolution, err
		}
		if ok {
			response++
		}
	}
	overdue, err := c.Escalation.Query().
		Where(
			OpenEscalation(),
			escalation.ResolutionBreachedAtIsNil(),
			ResolutionBreachedAt(now),
		).
		Order(escalation.ByID()).
		IDs(ctx)
	if err != nil {
		return response, 0, err
	}
	for _, id := range overdue {
		ok, err := flag(ctx, c, id, escalation.ResolutionBreachedAtIsNil(), func(u *ent.EscalationUpdateOne) { u.SetResolutionBreachedAt(now) }, resolutionMissed)
		if err != nil {
			return response, resolution, err
		}
		if ok {
			resolution++
		}
	}
	return response, resolution, nil
}

// flag marks one breach and writes its event, unless another sweep did.
func flag(ctx context.Context, c *ent.Client, id string, unflagged predicate.Escalation, set func(*ent.EscalationUpdateOne), body string) (bool, error) {
	u := c.Escalation.UpdateOneID(id).Where(unflagged)
	set(u)
	err := u.Exec(audit.WithAction(ctx, "escalation.slaBreach"))
	if ent.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	err = c.EscalationEvent.Create().
		SetEscalationID(id).
		SetKind(escalationevent.KindSLABreach).
		SetBody(body).
		SetCreatedAt(Now()).
		Exec(ctx)
	return err == nil, err
}
