// Package events carries escalation events from the transaction that commits
// them to every subscriber allowed to see them, on every server instance.
package events

import "carrierdesk/ent"

// Notice is one escalation event as delivered to a subscriber.
type Notice struct {
	// Cursor resumes a subscription after this event.
	Cursor string
	// Event is the event, read as the subscriber.
	Event *ent.EscalationEvent
	// Escalation is the escalation as it is now, read as the subscriber.
	Escalation *ent.Escalation
}
