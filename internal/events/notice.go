// Package events carries escalation events from the transaction that commits
// them to every subscriber allowed to see them, on every server instance.
package events

import (
	"context"

	"carrierdesk/ent"
)

// Notice is one escalation event as delivered to a subscriber.
type Notice struct {
	// Cursor resumes a subscription after this event.
	Cursor string
	// Event is the event, read as the subscriber.
	Event *ent.EscalationEvent
	// Escalation is the escalation as it is now, read as the subscriber.
	Escalation *ent.Escalation
}

type lastEventIDKey struct{}

// WithLastEventID carries the Last-Event-ID of a reconnecting event stream:
// the cursor of the last event its client received.
func WithLastEventID(ctx context.Context, cursor string) context.Context {
	return context.WithValue(ctx, lastEventIDKey{}, cursor)
}

// LastEventID is the cursor WithLastEventID carries, if any.
func LastEventID(ctx context.Context) (string, bool) {
	c, ok := ctx.Value(lastEventIDKey{}).(string)
	return c, ok && c != ""
}
