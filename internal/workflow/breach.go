package workflow

import (
	"context"
	"time"

	"carrierdesk/ent"
	"carrierdesk/ent/escalation"
	"carrierdesk/ent/predicate"

	"entgo.io/ent/dialect/sql"
)

// The escalation rules the sweep, the reports and the computed fields share,
// each as a Go function (for a loaded escalation) and as an ent predicate
// (for queries): the two must say the same, and nothing else defines them.

// closedStatuses are the statuses of escalations no longer worked.
var closedStatuses = []escalation.Status{escalation.StatusResolved, escalation.StatusClosed}

// Open reports whether an escalation is still worked: neither resolved nor
// closed. Pending the client counts as open (its clock is paused).
func Open(e *ent.Escalation) bool {
	return e.Status != escalation.StatusResolved && e.Status != escalation.StatusClosed
}

// OpenEscalation is Open as an ent predicate.
func OpenEscalation() predicate.Escalation { return escalation.StatusNotIn(closedStatuses...) }

// ResponseBreached reports whether an escalation missed its response target:
// flagged, acknowledged late, or not acknowledged and past due at now.
func ResponseBreached(e *ent.Escalation, now time.Time) bool {
	if e.ResponseBreachedAt != nil {
		return true
	}
	if e.ResponseDueAt == nil {
		return false
	}
	if e.AcknowledgedAt != nil {
		return e.AcknowledgedAt.After(*e.ResponseDueAt)
	}
	return now.After(*e.ResponseDueAt)
}

// ResponseBreachedAt is ResponseBreached as an ent predicate.
func ResponseBreachedAt(now time.Time) predicate.Escalation {
	return escalation.Or(
		escalation.ResponseBreachedAtNotNil(),
		escalation.And(
			escalation.ResponseDueAtNotNil(),
			escalation.Or(
				escalation.And(escalation.AcknowledgedAtNotNil(), columnsGT(escalation.FieldAcknowledgedAt, escalation.FieldResponseDueAt)),
				escalation.And(escalation.AcknowledgedAtIsNil(), escalation.ResponseDueAtLT(now)),
			),
		),
	)
}

// ResolutionBreached reports whether an escalation missed its resolution
// target: flagged, resolved late, or unresolved and past due at now. Time
// pending the client does not count: while paused, the clock stands still,
// so a paused escalation is late only if it was late when paused.
func ResolutionBreached(e *ent.Escalation, now time.Time) bool {
	if e.ResolutionBreachedAt != nil {
		return true
	}
	if e.ResolutionDueAt == nil {
		return false
	}
	due := *e.ResolutionDueAt
	switch {
	case e.ResolvedAt != nil:
		return e.ResolvedAt.After(due)
	case e.PausedAt != nil:
		return e.PausedAt.After(due)
	default:
		return now.After(due)
	}
}

// ResolutionBreachedAt is ResolutionBreached as an ent predicate.
func ResolutionBreachedAt(now time.Time) predicate.Escalation {
	return escalation.Or(
		escalation.ResolutionBreachedAtNotNil(),
		escalation.And(
			escalation.ResolutionDueAtNotNil(),
			escalation.Or(
				escalation.And(escalation.ResolvedAtNotNil(), columnsGT(escalation.FieldResolvedAt, escalation.FieldResolutionDueAt)),
				escalation.And(escalation.ResolvedAtIsNil(), escalation.PausedAtNotNil(), columnsGT(escalation.FieldPausedAt, escalation.FieldResolutionDueAt)),
				escalation.And(escalation.ResolvedAtIsNil(), escalation.PausedAtIsNil(), escalation.ResolutionDueAtLT(now)),
			),
		),
	)
}

func columnsGT(a, b string) predicate.Escalation {
	return func(s *sql.Selector) { s.Where(sql.ColumnsGT(s.C(a), s.C(b))) }
}

// TimeToRestore is the time to restore of an escalation resolved at now, in
// seconds: from opening to now, less every pause pending the client
// (the current one included).
func TimeToRestore(e *ent.Escalation, now time.Time) int {
	d := now.Sub(e.CreatedAt) - time.Duration(e.PendingClientSeconds)*time.Second
	if e.PausedAt != nil {
		d -= now.Sub(*e.PausedAt)
	}
	return int(max(d, 0) / time.Second)
}

// noticeBreaches flags the targets e has missed at now and not yet flagged,
// each with its SLA_BREACH event, in the caller's transaction. The flag is
// set by a conditional update that only one writer can win, so an action and
// the sweep noticing at the same time write one event between them.
func noticeBreaches(ctx context.Context, c *ent.Client, e *ent.Escalation, now time.Time) (*ent.Escalation, error) {
	missed := []struct {
		now       bool
		unflagged predicate.Escalation
		set       func(*ent.EscalationUpdateOne)
		body      string
	}{
		{e.ResponseBreachedAt == nil && ResponseBreached(e, now), escalation.ResponseBreachedAtIsNil(),
			func(u *ent.EscalationUpdateOne) { u.SetResponseBreachedAt(now) }, responseMissed},
		{e.ResolutionBreachedAt == nil && ResolutionBreached(e, now), escalation.ResolutionBreachedAtIsNil(),
			func(u *ent.EscalationUpdateOne) { u.SetResolutionBreachedAt(now) }, resolutionMissed},
	}
	tried := false
	for _, m := range missed {
		if !m.now {
			continue
		}
		// Won here or by another writer, the flag is set now: read it back below.
		if _, err := flag(ctx, c, e.ID, m.unflagged, m.set, m.body); err != nil {
			return nil, err
		}
		tried = true
	}
	if !tried {
		return e, nil
	}
	return c.Escalation.Get(ctx, e.ID)
}

// The bodies of SLA_BREACH events.
const (
	responseMissed   = "response target missed"
	resolutionMissed = "resolution target missed"
)
