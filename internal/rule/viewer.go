package rule

import (
	"context"
	"errors"
	"fmt"

	"carrierdesk/ent"
	"carrierdesk/ent/contact"
	"carrierdesk/ent/privacy"
	"carrierdesk/ent/rep"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/ent/team"
	"carrierdesk/internal/viewer"
)

// ErrUnknownSubject reports a token whose subject is not an active user with the claimed role.
var ErrUnknownSubject = errors.New("subject is not an active user with that role")

// LoadViewer turns verified token claims into a viewer: the subject must be an
// active rep holding the claimed role, or, for CARRIER, an active contact of
// the claimed carrier. A manager's viewer carries the reps of the teams they
// manage, whose accounts they oversee.
func LoadViewer(ctx context.Context, c *ent.Client, subject string, role enum.Role, carrierID string) (*viewer.Viewer, error) {
	if !role.Valid() {
		return nil, fmt.Errorf("%w: unknown role %q", ErrUnknownSubject, role)
	}
	// Reading the directory to find out who is asking precedes any viewer.
	ctx = privacy.DecisionContext(ctx, privacy.Allow)
	if role == enum.RoleCarrier {
		ct, err := c.Contact.Query().
			Where(contact.ID(subject), contact.Active(true)).
			Only(ctx)
		if ent.IsNotFound(err) || (err == nil && (carrierID == "" || ct.CarrierID != carrierID)) {
			return nil, ErrUnknownSubject
		}
		if err != nil {
			return nil, fmt.Errorf("loading contact: %w", err)
		}
		return &viewer.Viewer{Role: role, ContactID: ct.ID, CarrierID: ct.CarrierID}, nil
	}
	r, err := c.Rep.Query().
		Where(rep.ID(subject), rep.Active(true), rep.RoleEQ(role)).
		Only(ctx)
	if ent.IsNotFound(err) {
		return nil, ErrUnknownSubject
	}
	if err != nil {
		return nil, fmt.Errorf("loading rep: %w", err)
	}
	v := &viewer.Viewer{Role: role, RepID: r.ID, Reps: []string{r.ID}}
	if role == enum.RoleManager {
		teams, err := c.Team.Query().
			Where(team.ManagerID(r.ID)).
			IDs(ctx)
		if err != nil {
			return nil, fmt.Errorf("loading managed teams: %w", err)
		}
		members, err := c.Rep.Query().
			Where(rep.TeamIDIn(teams...), rep.IDNEQ(r.ID)).
			IDs(ctx)
		if err != nil {
			return nil, fmt.Errorf("loading team members: %w", err)
		}
		v.Teams = teams
		v.Reps = append(v.Reps, members...)
	}
	return v, nil
}
