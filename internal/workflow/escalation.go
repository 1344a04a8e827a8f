package workflow

import (
	"context"
	"time"

	"carrierdesk/ent"
	"carrierdesk/ent/escalation"
	"carrierdesk/ent/escalationevent"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/fault"
	"carrierdesk/internal/revision"
	"carrierdesk/internal/sla"
	"carrierdesk/internal/viewer"
)

// event is what an escalation action writes on the timeline.
type event struct {
	kind     escalationevent.Kind
	from, to string
	body     string
	internal bool
}

// escalationStep takes action on escalation id. change adds what the action
// writes besides the status, and returns the timeline event; by default a
// status change is recorded.
func escalationStep(ctx context.Context, c *ent.Client, id, action string, change func(*ent.Escalation, *ent.EscalationUpdateOne) (*event, error)) (*ent.Escalation, error) {
	e, err := c.Escalation.Get(ctx, id)
	if err != nil {
		return nil, err
	}
	if err := revision.Check(ctx, e.ID, e.Version); err != nil {
		return nil, err
	}
	next, wctx, err := act(ctx, Escalation, action, e.Status.String())
	if err != nil {
		return nil, err
	}
	u := c.Escalation.UpdateOne(e).SetStatus(escalation.Status(next))
	ev := &event{kind: escalationevent.KindStatusChange, from: e.Status.String(), to: next}
	if change != nil {
		custom, err := change(e, u)
		if err != nil {
			return nil, err
		}
		if custom != nil {
			ev = custom
		}
	}
	saved, err := u.Save(wctx)
	if err != nil {
		return nil, err
	}
	if err := writeEvent(wctx, c, viewer.FromContext(ctx), saved.ID, ev); err != nil {
		return nil, err
	}
	// An action that comes late notices the breach itself, without waiting for the sweep.
	return noticeBreaches(wctx, c, saved, Now())
}

// writeEvent appends an event to an escalation's timeline.
func writeEvent(ctx context.Context, c *ent.Client, v *viewer.Viewer, escalationID string, ev *event) error {
	create := c.EscalationEvent.Create().
		SetEscalationID(escalationID).
		SetKind(ev.kind).
		SetInternal(ev.internal).
		SetFromValue(ev.from).
		SetToValue(ev.to).
		SetBody(ev.body).
		SetCreatedAt(Now())
	switch {
	case v.Is(enum.RoleCarrier):
		create.SetActorContactID(v.ContactID)
	case v.Internal():
		create.SetActorRepID(v.RepID)
	}
	return create.Exec(ctx)
}

// AcknowledgeEscalation is the first response; it stops the response clock.
func AcknowledgeEscalation(ctx context.Context, c *ent.Client, id string) (*ent.Escalation, error) {
	now := Now()
	return escalationStep(ctx, c, id, "acknowledge", func(e *ent.Escalation, u *ent.EscalationUpdateOne) (*event, error) {
		u.SetAcknowledgedAt(now)
		return nil, nil
	})
}

// StartEscalation records that work has begun (acknowledging it, if it was not).
func StartEscalation(ctx context.Context, c *ent.Client, id string) (*ent.Escalation, error) {
	now := Now()
	return escalationStep(ctx, c, id, "start", func(e *ent.Escalation, u *ent.EscalationUpdateOne) (*event, error) {
		if e.AcknowledgedAt == nil {
			u.SetAcknowledgedAt(now)
		}
		return nil, nil
	})
}

// AwaitClient waits on the carrier: the resolution clock pauses.
func AwaitClient(ctx context.Context, c *ent.Client, id string, note *string) (*ent.Escalation, error) {
	now := Now()
	return escalationStep(ctx, c, id, "awaitClient", func(e *ent.Escalation, u *ent.EscalationUpdateOne) (*event, error) {
		if e.AcknowledgedAt == nil {
			u.SetAcknowledgedAt(now)
		}
		u.SetPausedAt(now)
		return &event{kind: escalationevent.KindStatusChange, from: e.Status.String(), to: escalation.StatusPendingClient.String(), body: deref(note)}, nil
	})
}

// unpause ends a pause at now: the resolution due time moves out by the part
// of the pause the severity's clock counts (none of a weekend for a
// business-day target), and the clock time paused is added up for the time
// to restore.
func unpause(ctx context.Context, c *ent.Client, e *ent.Escalation, u *ent.EscalationUpdateOne, now time.Time) error {
	if e.PausedAt == nil {
		return nil
	}
	if e.ResolutionDueAt != nil {
		cal, err := CalendarFor(ctx, c, e.AccountID, *e.PausedAt)
		if err != nil {
			return err
		}
		due, err := sla.Resumed(e.Severity.String(), *e.ResolutionDueAt, *e.PausedAt, now, cal)
		if err != nil {
			return err
		}
		u.SetResolutionDueAt(due)
	}
	u.AddPendingClientSeconds(int(now.Sub(*e.PausedAt) / time.Second))
	u.ClearPausedAt()
	return nil
}

// ResumeEscalation goes back to work after the client answered; the clock runs again.
func ResumeEscalation(ctx context.Context, c *ent.Client, id string) (*ent.Escalation, error) {
	now := Now()
	return escalationStep(ctx, c, id, "resume", func(e *ent.Escalation, u *ent.EscalationUpdateOne) (*event, error) {
		return nil, unpause(ctx, c, e, u, now)
	})
}

// ResolveEscalation records the fix and the time to restore; resolving late
// is flagged as a breach (by noticeBreaches).
func ResolveEscalation(ctx context.Context, c *ent.Client, id string, resolution string) (*ent.Escalation, error) {
	if err := required("resolution", resolution); err != nil {
		return nil, err
	}
	now := Now()
	return escalationStep(ctx, c, id, "resolve", func(e *ent.Escalation, u *ent.EscalationUpdateOne) (*event, error) {
		if err := unpause(ctx, c, e, u, now); err != nil {
			return nil, err
		}
		if e.AcknowledgedAt == nil {
			u.SetAcknowledgedAt(now)
		}
		u.SetResolvedAt(now).SetTimeToRestoreSeconds(TimeToRestore(e, now))
		return &event{kind: escalationevent.KindStatusChange, from: e.Status.String(), to: escalation.StatusResolved.String(), body: resolution}, nil
	})
}

// CloseEscalation closes a resolved escalation.
func CloseEscalation(ctx context.Context, c *ent.Client, id string) (*ent.Escalation, error) {
	now := Now()
	return escalationStep(ctx, c, id, "close", func(_ *ent.Escalation, u *ent.EscalationUpdateOne) (*event, error) {
		u.SetClosedAt(now)
		return nil, nil
	})
}

// ReopenEscalation takes a resolved escalation back into work.
func ReopenEscalation(ctx context.Context, c *ent.Client, id string, reason string) (*ent.Escalation, error) {
	if err := required("reason", reason); err != nil {
		return nil, err
	}
	return escalationStep(ctx, c, id, "reopen", func(e *ent.Escalation, u *ent.EscalationUpdateOne) (*event, error) {
		u.ClearResolvedAt().ClearTimeToRestoreSeconds()
		return &event{kind: escalationevent.KindStatusChange, from: e.Status.String(), to: escalation.StatusInProgress.String(), body: reason}, nil
	})
}

// ReassignEscalation gives the escalation to another active rep. The new
// owner is checked after the action itself, so that a viewer who may not
// reassign learns nothing about reps.
func ReassignEscalation(ctx context.Context, c *ent.Client, id, ownerID string) (*ent.Escalation, error) {
	return escalationStep(ctx, c, id, "reassign", func(e *ent.Escalation, u *ent.EscalationUpdateOne) (*event, error) {
		owner, err := c.Rep.Get(ctx, ownerID)
		if ent.IsNotFound(err) || (err == nil && !owner.Active) {
			return nil, fault.InvalidField("ownerID", "names no active rep")
		}
		if err != nil {
			return nil, err
		}
		u.SetOwnerID(owner.ID)
		return &event{kind: escalationevent.KindReassignment, from: deref(e.OwnerID), to: owner.ID}, nil
	})
}

// RaiseEscalationLevel takes the escalation one level up: rep, manager, director.
func RaiseEscalationLevel(ctx context.Context, c *ent.Client, id string, reason string) (*ent.Escalation, error) {
	if err := required("reason", reason); err != nil {
		return nil, err
	}
	return escalationStep(ctx, c, id, "raiseLevel", func(e *ent.Escalation, u *ent.EscalationUpdateOne) (*event, error) {
		next := map[escalation.Level]escalation.Level{
			escalation.LevelRep:     escalation.LevelManager,
			escalation.LevelManager: escalation.LevelDirector,
		}[e.Level]
		if next == "" {
			return nil, &fault.Error{Kind: fault.InvalidTransition, Op: "escalation.raiseLevel", Msg: "cannot raiseLevel an escalation that is already at DIRECTOR"}
		}
		u.SetLevel(next)
		return &event{kind: escalationevent.KindLevelChange, from: e.Level.String(), to: next.String(), body: reason}, nil
	})
}

// CommentOnEscalation adds a comment. Internal comments are for staff only;
// a carrier's comments are always visible to both sides.
func CommentOnEscalation(ctx context.Context, c *ent.Client, id, body string, internal bool) (*ent.Escalation, error) {
	if err := required("body", body); err != nil {
		return nil, err
	}
	if internal && !viewer.FromContext(ctx).Internal() {
		return nil, fault.InvalidField("internal", "is for staff: a carrier's comments are visible to both sides")
	}
	return escalationStep(ctx, c, id, "comment", func(e *ent.Escalation, _ *ent.EscalationUpdateOne) (*event, error) {
		return &event{kind: escalationevent.KindComment, body: body, internal: internal}, nil
	})
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
