package workflow

import (
	"slices"
	"testing"

	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/fault"
	"carrierdesk/internal/viewer"
)

// Every transition moves from each of its states to its target for an allowed
// role, and is refused from every other state.
func TestMachinesStep(t *testing.T) {
	for _, m := range Machines {
		states := map[string]bool{m.Initial: true}
		for _, tr := range m.Transitions {
			for _, s := range tr.From {
				states[s] = true
			}
			if tr.To != "" {
				states[tr.To] = true
			}
		}
		for _, tr := range m.Transitions {
			if len(tr.Roles) == 0 {
				continue // the sweep's, not a viewer's
			}
			v := &viewer.Viewer{Role: tr.Roles[0]}
			for s := range states {
				next, err := m.Step(v, tr.Action, s)
				allowed := false
				for _, f := range tr.From {
					allowed = allowed || f == s
				}
				switch {
				case allowed && err != nil:
					t.Errorf("%s.%s from %s: %v", m.Entity, tr.Action, s, err)
				case allowed && tr.To != "" && next != tr.To:
					t.Errorf("%s.%s from %s = %s; want %s", m.Entity, tr.Action, s, next, tr.To)
				case allowed && !m.Permits(s, next):
					t.Errorf("%s: Permits(%s, %s) is false after %s", m.Entity, s, next, tr.Action)
				case !allowed && fault.KindOf(err) != fault.InvalidTransition:
					t.Errorf("%s.%s from %s: err %v; want INVALID_TRANSITION", m.Entity, tr.Action, s, err)
				}
			}
		}
	}
}

func TestStepRoles(t *testing.T) {
	for _, tc := range []struct {
		role enum.Role
		kind fault.Kind
	}{
		{enum.RoleManager, -1}, {enum.RoleAdmin, -1},
		{enum.RoleSupport, fault.Forbidden}, {enum.RoleAnalyst, fault.Forbidden}, {enum.RoleCarrier, fault.Forbidden},
	} {
		_, err := Quote.Step(&viewer.Viewer{Role: tc.role}, "approve", "PENDING_APPROVAL")
		if (tc.kind == -1) != (err == nil) || (err != nil && fault.KindOf(err) != tc.kind) {
			t.Errorf("approve as %s: %v", tc.role, err)
		}
	}
	if _, err := Quote.Step(nil, "expire", "SENT"); err != nil {
		t.Errorf("the sweep may expire a quote: %v", err)
	}
	if _, err := Quote.Step(nil, "approve", "PENDING_APPROVAL"); fault.KindOf(err) != fault.Forbidden {
		t.Errorf("no viewer approving: %v", err)
	}
	if Quote.Permits("DRAFT", "ACCEPTED") {
		t.Error("DRAFT -> ACCEPTED permitted")
	}
}

func TestPath(t *testing.T) {
	tests := []struct {
		from, to string
		want     []string
	}{
		{"DRAFT", "DRAFT", nil},
		{"DRAFT", "SENT", []string{"PENDING_APPROVAL", "APPROVED", "SENT"}},
		{"DRAFT", "ACCEPTED", []string{"PENDING_APPROVAL", "APPROVED", "SENT", "ACCEPTED"}},
		{"SENT", "DRAFT", []string{"DRAFT"}},
		{"ACCEPTED", "DRAFT", nil},
	}
	for _, tt := range tests {
		if got := Quote.Path(tt.from, tt.to); !slices.Equal(got, tt.want) {
			t.Errorf("Quote.Path(%s, %s) = %v; want %v", tt.from, tt.to, got, tt.want)
		}
	}
}
