package schema

import (
	gen "carrierdesk/ent"
	"carrierdesk/internal/date"
	"context"
	"entgo.io/ent/dialect/sql"
	"fmt"
	"strings"
	"time"

	"carrierdesk/internal/fault"
	"carrierdesk/internal/revision"
	"carrierdesk/internal/workflow"

	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
)

// timesInOrder refuses a mutation that leaves the time field later not after
// earlier (or not at or after, when equalOK). It reads the old values of fields the
// mutation does not set, so an update of either field alone is checked too. The
// database has the same rule as a CHECK constraint (ordered), so that writers
// that bypass ent still obey it.
func timesInOrder(earlier, later string, equalOK bool) ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			a, aok := timeValue(ctx, m, earlier)
			b, bok := timeValue(ctx, m, later)
			if aok && bok && (b.Before(a) || (!equalOK && b.Equal(a))) {
				word := "after"
				if equalOK {
					word = "on or after"
				}
				return nil, fault.InvalidField(fault.APIName(later), fmt.Sprintf("must be %s %s", word, fault.APIName(earlier)))
			}
			return next.Mutate(ctx, m)
		})
	}
}

// timeValue is the value field will have after m: the new one, or the old one on a single-row update.
func timeValue(ctx context.Context, m ent.Mutation, field string) (time.Time, bool) {
	if v, ok := m.Field(field); ok {
		return asTime(v)
	}
	if m.Op().Is(ent.OpUpdateOne) {
		for _, cleared := range m.ClearedFields() {
			if cleared == field {
				return time.Time{}, false
			}
		}
		if v, err := m.OldField(ctx, field); err == nil {
			t, ok := asTime(v)
			return t, ok && !t.IsZero()
		}
	}
	return time.Time{}, false
}

// asTime reads an instant, or a calendar day as the UTC midnight that starts
// it (days compare as their starts do), from a field's value.
func asTime(v any) (time.Time, bool) {
	switch t := v.(type) {
	case time.Time:
		return t, true
	case *time.Time:
		if t != nil {
			return *t, true
		}
	case date.Date:
		if !t.IsZero() {
			return t.Start(time.UTC), true
		}
	case *date.Date:
		if t != nil && !t.IsZero() {
			return t.Start(time.UTC), true
		}
	}
	return time.Time{}, false
}

// ordered is the CHECK constraint that backs timesInOrder in the database.
func ordered(earlier, later string, equalOK bool) entsql.Annotation {
	op := ">"
	if equalOK {
		op = ">="
	}
	return entsql.Annotation{Checks: map[string]string{
		later + "_after_" + earlier: fmt.Sprintf("%s IS NULL OR %s IS NULL OR %s %s %s", earlier, later, later, op, earlier),
	}}
}

// notFoundReference reports an input ID that names no record the writer can see.
func notFoundReference(field string) error {
	return fault.InvalidField(field, "does not name an existing record")
}

// statusFollowsWorkflow refuses a status change the workflow does not allow,
// whoever makes it: the workflow mutations check the action first and name
// it; this is the rule under every writer.
func statusFollowsWorkflow(w *workflow.Machine) ent.Hook {
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			to, ok := m.Field("status")
			if !ok || !m.Op().Is(ent.OpUpdate|ent.OpUpdateOne) {
				return next.Mutate(ctx, m)
			}
			if m.Op().Is(ent.OpUpdate) {
				return nil, fmt.Errorf("%s: status changes one record at a time, through its workflow", w.Entity)
			}
			from, err := m.OldField(ctx, "status")
			if err != nil {
				return nil, fmt.Errorf("reading the old status: %w", err)
			}
			if !w.Permits(fmt.Sprint(from), fmt.Sprint(to)) {
				return nil, &fault.Error{
					Kind: fault.InvalidTransition,
					Msg:  fmt.Sprintf("a %s cannot go from %v to %v", strings.ToLower(w.Entity), from, to),
				}
			}
			return next.Mutate(ctx, m)
		})
	}
}

// versioned increments a record's version on every single-record update and,
// when the writer names the version it last saw (revision.Expect), refuses
// the update if the record has moved on since: CONFLICT, not a silent
// overwrite. The comparison is repeated in the UPDATE's WHERE, so two writers
// racing on the same version cannot both win.
func versioned(next ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
		if !m.Op().Is(ent.OpUpdateOne | ent.OpUpdate) {
			return next.Mutate(ctx, m)
		}
		if err := m.AddField("version", 1); err != nil {
			return nil, fmt.Errorf("versioning: %w", err)
		}
		want, ok := revision.Expected(ctx)
		if !ok || !m.Op().Is(ent.OpUpdateOne) {
			return next.Mutate(ctx, m)
		}
		old, err := m.OldField(ctx, "version")
		if err != nil {
			return nil, err
		}
		if old != want {
			return nil, fault.E(fault.Conflict, "expectedVersion", fmt.Sprintf("is %d, but the record is at version %v: reload it and apply your change again", want, old))
		}
		if w, ok := m.(interface{ WhereP(...func(*sql.Selector)) }); ok {
			w.WhereP(func(s *sql.Selector) { s.Where(sql.EQ(s.C("version"), want)) })
		}
		v, err := next.Mutate(ctx, m)
		if gen.IsNotFound(err) {
			return nil, fault.E(fault.Conflict, "expectedVersion", "was overtaken by a concurrent change: reload and try again")
		}
		return v, err
	})
}
