package graph

import (
	"context"

	"carrierdesk/ent/account"
	"carrierdesk/ent/escalation"
	"carrierdesk/ent/escalationevent"
	"carrierdesk/ent/predicate"
	"carrierdesk/internal/events"
)

// subscribeEscalationEvents streams escalation events to one subscriber, each
// re-read as the subscriber (see events.Watch).
func (r *Resolver) subscribeEscalationEvents(ctx context.Context, after *string, where *EscalationSubscriptionFilter) (<-chan *events.Notice, error) {
	var cursor string
	if after != nil {
		cursor = *after
	}
	// A reconnecting event stream repeats its original request: the cursor it
	// last received, sent as Last-Event-ID, is where it is.
	if last, ok := events.LastEventID(ctx); ok {
		cursor = last
	}
	return events.Watch(ctx, r.client, r.events, cursor, where.predicates()...)
}

// predicates narrows events to the escalations the filter names. It only
// narrows: what the subscriber may see is decided by the privacy rules.
func (f *EscalationSubscriptionFilter) predicates() []predicate.EscalationEvent {
	if f == nil {
		return nil
	}
	var ps []predicate.Escalation
	if f.CarrierIDs != nil {
		ps = append(ps, escalation.HasAccountWith(account.CarrierIDIn(f.CarrierIDs...)))
	}
	if f.AccountIDs != nil {
		ps = append(ps, escalation.AccountIDIn(f.AccountIDs...))
	}
	if f.Severities != nil {
		ps = append(ps, escalation.SeverityIn(f.Severities...))
	}
	if f.OwnerIDs != nil {
		ps = append(ps, escalation.OwnerIDIn(f.OwnerIDs...))
	}
	if len(ps) == 0 {
		return nil
	}
	return []predicate.EscalationEvent{escalationevent.HasEscalationWith(ps...)}
}
