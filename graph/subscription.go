package graph

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"carrierdesk/ent/account"
	"carrierdesk/ent/escalation"
	"carrierdesk/ent/escalationevent"
	"carrierdesk/ent/predicate"
	"carrierdesk/internal/events"
	"carrierdesk/internal/fault"
	"carrierdesk/internal/rule"
	"carrierdesk/internal/viewer"
)

// MaxResumeKey is the longest resumeKey a subscription may give.
const MaxResumeKey = 100

// subscribeEscalationEvents streams escalation events to one subscriber, each
// re-read as the subscriber (see events.Watch). A client retrying with its
// original request resumes where it was: an event stream from its
// Last-Event-ID, a WebSocket subscription with a resumeKey from the cursor
// remembered for that key.
func (r *Resolver) subscribeEscalationEvents(ctx context.Context, after *string, where *EscalationSubscriptionFilter, resumeKey *string) (<-chan *events.Notice, error) {
	var cursor string
	if after != nil {
		cursor = *after
	}
	if resumeKey != nil {
		if len(*resumeKey) > MaxResumeKey {
			return nil, fault.InvalidField("resumeKey", fmt.Sprintf("is longer than %d characters", MaxResumeKey))
		}
		if remembered, ok := events.ResumesFromContext(ctx).Cursor(viewer.FromContext(ctx).Subject(), *resumeKey); ok {
			cursor = remembered
		}
	}
	if last, ok := events.LastEventID(ctx); ok {
		cursor = last
	}
	if scope := rule.EscalationEventScopeKey(viewer.FromContext(ctx)); cursor == "" && scope != "" {
		// Live from now: read once for every subscriber who sees and wants the same.
		return events.WatchShared(ctx, r.client, r.events, scope+"|"+where.key(), where.predicates()...)
	}
	return events.Watch(ctx, r.client, r.events, cursor, where.predicates()...)
}

// key spells the filter the same whatever the order of its lists.
func (f *EscalationSubscriptionFilter) key() string {
	if f == nil {
		return ""
	}
	list := func(name string, values []string) string {
		if values == nil {
			return ""
		}
		values = slices.Clone(values)
		slices.Sort(values)
		return name + "=" + strings.Join(slices.Compact(values), ",") + ";"
	}
	severities := make([]string, 0, len(f.Severities))
	for _, s := range f.Severities {
		severities = append(severities, string(s))
	}
	if f.Severities == nil {
		severities = nil
	}
	return list("carriers", f.CarrierIDs) + list("accounts", f.AccountIDs) + list("severities", severities) + list("owners", f.OwnerIDs)
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
