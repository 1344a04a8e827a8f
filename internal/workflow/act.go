package workflow

import (
	"context"
	"strings"
	"time"

	"carrierdesk/ent/privacy"
	"carrierdesk/internal/audit"
	"carrierdesk/internal/viewer"
)

// Now is the workflows' clock; tests may replace it.
var Now = func() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// act checks that the viewer may take action on a record in state status and
// returns the next state, with the context to write it in. The record has
// been read as the viewer, so it is one they may see; the write then runs
// with the workflow's own authority (a carrier accepting a quote may not edit
// quotes), and names the action for the audit trail.
func act(ctx context.Context, m *Machine, action, status string) (string, context.Context, error) {
	next, err := m.Step(viewer.FromContext(ctx), action, status)
	if err != nil {
		return "", nil, err
	}
	return next, authority(ctx, m, action), nil
}

// authority is the context a checked action writes in: the workflow's own
// privacy decision, and the action named for the audit trail. Side effects
// of an action (the quote an approved price flows into, a renewal's
// successor) are written in it too.
func authority(ctx context.Context, m *Machine, action string) context.Context {
	ctx = audit.WithAction(ctx, strings.ToLower(m.Entity)+"."+action)
	return privacy.DecisionContext(ctx, privacy.Allow)
}
