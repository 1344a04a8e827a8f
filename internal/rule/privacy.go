package rule

import (
	"context"
	"slices"

	"carrierdesk/ent"
	"carrierdesk/ent/intercept"
	"carrierdesk/ent/privacy"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/ent/team"
	"carrierdesk/internal/fault"
	"carrierdesk/internal/viewer"

	entgo "entgo.io/ent"
	"entgo.io/ent/dialect/sql"
)

// DenyIfNoViewer refuses every read and write made without a viewer. Work the
// program does for itself (seeding, derived records) says so with a local
// privacy.DecisionContext(ctx, privacy.Allow).
func DenyIfNoViewer() privacy.QueryMutationRule {
	return privacy.ContextQueryMutationRule(func(ctx context.Context) error {
		if viewer.FromContext(ctx) == nil {
			return privacy.Denyf("no viewer")
		}
		return privacy.Skip
	})
}

// AllowIfAdmin lets admins do anything.
func AllowIfAdmin() privacy.QueryMutationRule {
	return privacy.ContextQueryMutationRule(func(ctx context.Context) error {
		if viewer.FromContext(ctx).Is(enum.RoleAdmin) {
			return privacy.Allow
		}
		return privacy.Skip
	})
}

// forbid is a denial a client is told about as FORBIDDEN: the viewer's role
// may not do this at all, which reveals nothing about any record.
func forbid(msg string) error {
	return &fault.Error{Kind: fault.Forbidden, Msg: msg, Err: privacy.Deny}
}

// AlwaysForbid refuses every write that reached it.
func AlwaysForbid() privacy.MutationRule {
	return privacy.MutationRuleFunc(func(context.Context, ent.Mutation) error {
		return forbid("your role may not change this")
	})
}

// DenyIfRole refuses writes by the given roles.
func DenyIfRole(roles ...enum.Role) privacy.MutationRule {
	return privacy.MutationRuleFunc(func(ctx context.Context, _ ent.Mutation) error {
		if viewer.FromContext(ctx).Is(roles...) {
			return forbid("your role may not change this")
		}
		return privacy.Skip
	})
}

// DenyUnlessRole refuses writes by anyone without one of the given roles.
func DenyUnlessRole(roles ...enum.Role) privacy.MutationRule {
	return privacy.MutationRuleFunc(func(ctx context.Context, _ ent.Mutation) error {
		if !viewer.FromContext(ctx).Is(roles...) {
			return forbid("your role may not change this")
		}
		return privacy.Skip
	})
}

// DenyCreate refuses creation; it comes after the rules that allow it.
func DenyCreate() privacy.MutationRule {
	return privacy.OnMutationOperation(forbidRule("your role may not create this"), entgo.OpCreate)
}

// DenyDelete refuses deletion; nothing in the API deletes, so only the program itself may.
func DenyDelete() privacy.MutationRule {
	return privacy.OnMutationOperation(forbidRule("nothing may be deleted through the API"), entgo.OpDelete|entgo.OpDeleteOne)
}

func forbidRule(msg string) privacy.MutationRule {
	return privacy.MutationRuleFunc(func(context.Context, ent.Mutation) error { return forbid(msg) })
}

// Filter narrows reads, updates and deletes to scope. Creation is not
// narrowed by it: a new record is checked through what it refers to.
func Filter[P ~func(*sql.Selector)](scope func(*viewer.Viewer) []P) privacy.QueryMutationRule {
	return scopeFilter(func(ctx context.Context) []func(*sql.Selector) {
		ps := scope(viewer.FromContext(ctx))
		out := make([]func(*sql.Selector), len(ps))
		for i, p := range ps {
			out[i] = p
		}
		return out
	})
}

// scopeFilter adds predicates to a query or to the rows an update or delete may touch.
type scopeFilter func(context.Context) []func(*sql.Selector)

type wherer interface{ WhereP(...func(*sql.Selector)) }

// EvalQuery narrows a query.
func (f scopeFilter) EvalQuery(ctx context.Context, q ent.Query) error {
	ps := f(ctx)
	if len(ps) == 0 {
		return privacy.Skip
	}
	w, err := intercept.NewQuery(q)
	if err != nil {
		return privacy.Denyf("query %T cannot be filtered: %v", q, err)
	}
	w.WhereP(ps...)
	return privacy.Skip
}

// EvalMutation narrows an update or delete; creation is checked through its references.
func (f scopeFilter) EvalMutation(ctx context.Context, m ent.Mutation) error {
	if m.Op().Is(entgo.OpCreate) {
		return privacy.Skip
	}
	w, ok := m.(wherer)
	if !ok {
		return privacy.Denyf("mutation %T cannot be filtered", m)
	}
	if ps := f(ctx); len(ps) > 0 {
		w.WhereP(ps...)
	}
	return privacy.Skip
}

// FilterManagedTeams narrows team writes to the teams the manager manages.
func FilterManagedTeams() privacy.MutationRule {
	return privacy.TeamMutationRuleFunc(func(ctx context.Context, m *ent.TeamMutation) error {
		v := viewer.FromContext(ctx)
		ids := v.Teams
		if len(ids) == 0 {
			return forbid("you manage no team")
		}
		m.Where(team.IDIn(ids...))
		return privacy.Skip
	})
}

// DenyAssigningOutsideTeam refuses an assignment of a rep outside the manager's team.
func DenyAssigningOutsideTeam() privacy.MutationRule {
	return privacy.AccountAssignmentMutationRuleFunc(func(ctx context.Context, m *ent.AccountAssignmentMutation) error {
		v := viewer.FromContext(ctx)
		if id, ok := m.RepID(); ok && !slices.Contains(v.Reps, id) {
			return &fault.Error{Kind: fault.Forbidden, Field: "repID", Msg: "is not on a team you manage", Err: privacy.Deny}
		}
		return privacy.Skip
	})
}
