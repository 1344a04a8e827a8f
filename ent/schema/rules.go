package schema

import (
	"context"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"time"

	gen "carrierdesk/ent"
	"carrierdesk/ent/privacy"
	"carrierdesk/internal/date"

	"entgo.io/ent/dialect/sql"

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

// versioned moves a record's version by one for each unit of change that
// changes it (revision.Unit: one mutation): a hook or workflow that writes
// the record again within the unit (a recomputed total, a breach noticed)
// does not move it again, and an update that sets every field to the value it
// has writes nothing at all, and answers with the record as it is (the
// update's own predicates are not consulted then: nothing is written). When the
// writer names the version it last saw (revision.Expect), a record that has
// moved on since is refused: CONFLICT, not a silent overwrite. The comparison
// is repeated in the UPDATE's WHERE, so two writers racing on the same
// version cannot both win.
func versioned(next ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
		ctx, unit, began := revision.Begin(ctx)
		v, err := versionedMutate(ctx, unit, m, next)
		if err == nil && began {
			err = unit.End(ctx)
		}
		if err != nil {
			return nil, err
		}
		return v, nil
	})
}

func versionedMutate(ctx context.Context, unit *revision.Unit, m ent.Mutation, next ent.Mutator) (ent.Value, error) {
	id, _ := mutationID(m)
	switch {
	case m.Op().Is(ent.OpCreate):
		unit.Record(id).Versioned = true // a new record starts at its first version
		return next.Mutate(ctx, m)
	case m.Op().Is(ent.OpUpdate):
		// A bulk update (a sweep) moves every row it touches.
		if err := m.AddField("version", 1); err != nil {
			return nil, fmt.Errorf("versioning: %w", err)
		}
		return next.Mutate(ctx, m)
	case !m.Op().Is(ent.OpUpdateOne):
		return next.Mutate(ctx, m)
	}
	rec := unit.Record(id)
	// The record as stored, not as the writer last read it: UpdateOne(entity)
	// answers OldField from the writer's copy, which may be stale.
	stored, err := storedRecord(ctx, mutationClient(m), m.Type(), id)
	if err != nil {
		return nil, err
	}
	if !rec.Versioned {
		// Only the unit's first write is checked: later ones see its own version.
		if err := revision.Check(ctx, id, versionOf(stored)); err != nil {
			return nil, err
		}
	}
	before, err := fields(stored)
	if err != nil {
		return nil, err
	}
	if !changes(m, before) {
		return stored, nil
	}
	if rec.Versioned {
		return next.Mutate(ctx, m)
	}
	if err := m.AddField("version", 1); err != nil {
		return nil, fmt.Errorf("versioning: %w", err)
	}
	rec.Versioned = true // before the write: what hooks write to the record inside it is part of it
	want, expected := revision.Expected(ctx, id)
	if expected {
		if w, ok := m.(interface{ WhereP(...func(*sql.Selector)) }); ok {
			w.WhereP(func(s *sql.Selector) { s.Where(sql.EQ(s.C("version"), want)) })
		}
	}
	v, err := next.Mutate(ctx, m)
	if err != nil {
		// Not written (a conditional update another writer won, say): a
		// later write to the record in this unit moves its version.
		rec.Versioned = false
	}
	if expected && gen.IsNotFound(err) {
		// Overtaken between the read and the write: say by how much.
		current, rerr := currentVersion(ctx, mutationClient(m), m.Type(), id)
		if rerr != nil {
			return nil, rerr
		}
		return nil, revision.Conflict(id, want, current)
	}
	return v, err
}

// mutationID is the ID of the one record a create or single-record update writes.
func mutationID(m ent.Mutation) (string, bool) {
	im, ok := m.(interface{ ID() (string, bool) })
	if !ok {
		return "", false
	}
	return im.ID()
}

// mutationClient is the client (in the writer's transaction) a mutation runs on.
func mutationClient(m ent.Mutation) *gen.Client {
	return m.(interface{ Client() *gen.Client }).Client()
}

// storedRecord reads record id of type typ as the database has it now.
func storedRecord(ctx context.Context, c *gen.Client, typ, id string) (ent.Value, error) {
	get, ok := getters[typ]
	if !ok {
		return nil, fmt.Errorf("versioning: no getter for %s", typ)
	}
	// The program's own read, whatever the viewer may read: the writer may write it.
	return get(privacy.DecisionContext(ctx, privacy.Allow), c, id)
}

// versionOf is the version of a tracked entity.
func versionOf(v ent.Value) int {
	return int(reflect.Indirect(reflect.ValueOf(v)).FieldByName("Version").Int())
}

// currentVersion reads the version record id of type typ is at.
func currentVersion(ctx context.Context, c *gen.Client, typ, id string) (int, error) {
	v, err := storedRecord(ctx, c, typ, id)
	if err != nil {
		return 0, err
	}
	return versionOf(v), nil
}

// changes reports whether an update would change the record stored as
// before (its fields as the audit trail renders them): a field set to
// another value than it has, an amount added that is not zero, a value
// cleared that was there, an edge moved. updated_at, which every update
// sets, does not count. It is the audit trail's own comparison, so an update
// is a no-op exactly when its audit entry would record no change.
func changes(m ent.Mutation, before map[string]any) bool {
	for _, f := range m.AddedFields() {
		if v, _ := m.AddedField(f); !reflect.ValueOf(v).IsZero() {
			return true
		}
	}
	for _, f := range m.ClearedFields() {
		if before[f] != nil {
			return true
		}
	}
	for _, f := range m.Fields() {
		v, _ := m.Field(f)
		if f != "updated_at" && render(reflect.ValueOf(v)) != before[f] {
			return true
		}
	}
	// An edge held in a field (account and account_id) is compared as the
	// field; one that is not (a renewal, held by the other contract) is a change.
	held := slices.Concat(m.Fields(), m.ClearedFields())
	for _, e := range slices.Concat(m.AddedEdges(), m.RemovedEdges(), m.ClearedEdges()) {
		if !slices.Contains(held, e+"_id") {
			return true
		}
	}
	return false
}
