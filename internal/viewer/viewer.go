// Package viewer carries who is asking through a request's context. The ent
// privacy rules read it; the HTTP layer puts it there after authentication.
package viewer

import (
	"context"
	"slices"

	"carrierdesk/ent/schema/enum"
)

// Viewer is an authenticated user of the API: an internal rep or a carrier contact.
type Viewer struct {
	Role      enum.Role
	RepID     string   // the rep, for internal roles
	ContactID string   // the contact, for CARRIER
	CarrierID string   // the contact's carrier, for CARRIER
	Reps      []string // reps whose current accounts this viewer works: the rep, plus a manager's team members
	Teams     []string // teams a MANAGER manages
}

// Is reports whether the viewer holds one of roles.
func (v *Viewer) Is(roles ...enum.Role) bool {
	return v != nil && slices.Contains(roles, v.Role)
}

// Internal reports whether the viewer is staff rather than a carrier contact.
func (v *Viewer) Internal() bool { return v != nil && v.Role != enum.RoleCarrier && v.Role != "" }

// SeesEverything reports whether the viewer reads all records: admins and analysts.
func (v *Viewer) SeesEverything() bool { return v.Is(enum.RoleAdmin, enum.RoleAnalyst) }

// ReadOnly reports whether the viewer's role writes nothing: analysts. (Carrier
// contacts raise and comment on escalations.) Their queries may be served by
// a read replica.
func (v *Viewer) ReadOnly() bool { return v.Is(enum.RoleAnalyst) }

// Subject is the viewer's own ID: the rep's or the contact's.
func (v *Viewer) Subject() string {
	if v == nil {
		return ""
	}
	if v.RepID != "" {
		return v.RepID
	}
	return v.ContactID
}

type ctxKey struct{}

// NewContext returns ctx carrying v.
func NewContext(ctx context.Context, v *Viewer) context.Context {
	return context.WithValue(ctx, ctxKey{}, v)
}

// FromContext returns the viewer of ctx, or nil when there is none.
func FromContext(ctx context.Context) *Viewer {
	v, _ := ctx.Value(ctxKey{}).(*Viewer)
	return v
}
