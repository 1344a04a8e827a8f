package graph

import (
	"context"
	"errors"

	"carrierdesk/internal/events"
)

// subscribeEscalationEvents streams escalation events to one subscriber.
func (r *Resolver) subscribeEscalationEvents(ctx context.Context, after *string, where *EscalationSubscriptionFilter) (<-chan *events.Notice, error) {
	return nil, errors.New("escalation subscriptions are not available yet")
}
