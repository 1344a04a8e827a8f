package schema

import (
	"context"
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
	"time"

	gen "carrierdesk/ent"
	"carrierdesk/ent/auditentry"
	"carrierdesk/ent/privacy"
	"carrierdesk/internal/audit"
	"carrierdesk/internal/fault"
	"carrierdesk/internal/revision"
	"carrierdesk/internal/viewer"

	"entgo.io/ent"
)

// auditTrail writes one audit entry for each record a unit of change
// (revision.Unit: one mutation) creates, changes or deletes, in the writer's
// transaction: who, when, through which API operation and workflow action,
// and each field that changed, from what to what. It compares the record as
// the unit found it with the record as the unit leaves it, so values set by
// other hooks (totals, due times) and by the workflow's further writes to the
// same record are in the one entry; a unit that changes nothing writes none.
func auditTrail(next ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
		if audit.Skipped(ctx) {
			return next.Mutate(ctx, m)
		}
		c, ok := m.(interface{ Client() *gen.Client })
		if !ok {
			return next.Mutate(ctx, m)
		}
		ctx, unit, began := revision.Begin(ctx)
		v, err := audited(ctx, unit, c.Client(), m, next)
		if err == nil && began {
			err = unit.End(ctx)
		}
		if err != nil {
			return nil, err
		}
		return v, nil
	})
}

// audited takes, on a unit's first write to each record, the record as the
// unit finds it, and has its entry written when the unit ends.
func audited(ctx context.Context, unit *revision.Unit, client *gen.Client, m ent.Mutation, next ent.Mutator) (ent.Value, error) {
	// The trail is the program's record, written whatever the viewer may write.
	allow := privacy.DecisionContext(ctx, privacy.Allow)
	if m.Op().Is(ent.OpCreate) {
		id, _ := mutationID(m)
		rec := unit.Record(id)
		rec.Writes++
		if rec.Audited {
			return next.Mutate(ctx, m)
		}
		// Registered before the write, so that what hooks write to the new
		// record within the create is part of its entry, not another one.
		rec.Audited = true
		var created map[string]any
		unit.AtEnd(func(context.Context) error {
			after := created
			if rec.Writes > 1 { // written again after its creation: read what the unit leaves
				var err error
				if after, err = snapshot(allow, client, m.Type(), id); err != nil {
					return err
				}
			}
			return record(ctx, allow, client, m.Type(), id, nil, after)
		})
		v, err := next.Mutate(ctx, m)
		if err != nil {
			return nil, err
		}
		created, err = fields(v)
		return v, err
	}
	ids, err := mutationIDs(ctx, m)
	if err != nil {
		return nil, err
	}
	for _, id := range ids {
		rec := unit.Record(id)
		rec.Writes++
		if rec.Audited {
			continue
		}
		before, err := snapshot(allow, client, m.Type(), id)
		if err != nil {
			return nil, err
		}
		rec.Audited = true
		unit.AtEnd(func(context.Context) error {
			after, err := snapshot(allow, client, m.Type(), id)
			if err != nil {
				return err
			}
			return record(ctx, allow, client, m.Type(), id, before, after)
		})
	}
	return next.Mutate(ctx, m)
}

// mutationIDs lists the records an update or delete touches.
func mutationIDs(ctx context.Context, m ent.Mutation) ([]string, error) {
	im, ok := m.(interface {
		IDs(context.Context) ([]string, error)
	})
	if !ok {
		return nil, fmt.Errorf("audit: mutation %T has no IDs", m)
	}
	return im.IDs(ctx)
}

// snapshot reads a record's fields as the API would spell them.
func snapshot(ctx context.Context, c *gen.Client, typ, id string) (map[string]any, error) {
	get, ok := getters[typ]
	if !ok {
		return nil, fmt.Errorf("audit: no getter for %s", typ)
	}
	n, err := get(ctx, c, id)
	if gen.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("audit: reading %s %s: %w", typ, id, err)
	}
	return fields(n)
}

// fields reads an ent entity's fields, named by their schema names (the JSON
// tags ent gives them) and rendered as text: times in RFC 3339 UTC, money as
// decimals, absent optional values as nil.
func fields(v ent.Value) (map[string]any, error) {
	rv := reflect.Indirect(reflect.ValueOf(v))
	if rv.Kind() != reflect.Struct {
		return nil, fmt.Errorf("audit: %T is not an entity", v)
	}
	out := map[string]any{}
	for i := range rv.NumField() {
		f := rv.Type().Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if !f.IsExported() || name == "" || name == "-" || name == "edges" {
			continue
		}
		out[name] = render(rv.Field(i))
	}
	return out, nil
}

// render is the text of one field value, or nil.
func render(v reflect.Value) any {
	if v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	switch x := v.Interface().(type) {
	case time.Time:
		return x.UTC().Format(time.RFC3339Nano)
	case fmt.Stringer:
		return x.String()
	case []string:
		b, _ := json.Marshal(x)
		return string(b)
	}
	return fmt.Sprint(v.Interface())
}

// record writes one entry, with a change for each field that differs
// between before and after: a create when there was no record before, a
// delete when there is none after, nothing when no field changed.
func record(ctx, allow context.Context, c *gen.Client, typ, id string, before, after map[string]any) error {
	op := auditentry.OperationUpdate
	switch {
	case before == nil && after == nil:
		return nil
	case before == nil:
		op = auditentry.OperationCreate
	case after == nil:
		op = auditentry.OperationDelete
	}
	var names []string
	for k := range before {
		names = append(names, k)
	}
	for k := range after {
		if _, ok := before[k]; !ok {
			names = append(names, k)
		}
	}
	sort.Strings(names)
	var changed []string
	for _, k := range names {
		if k == "id" || k == "updated_at" || k == "version" || reflect.DeepEqual(before[k], after[k]) {
			continue
		}
		changed = append(changed, k)
	}
	if op == auditentry.OperationUpdate && len(changed) == 0 {
		return nil
	}
	entry := c.AuditEntry.Create().
		SetEntityType(typ).
		SetEntityID(id).
		SetOperation(op).
		SetAction(audit.Action(ctx)).
		SetAPIOperation(audit.Operation(ctx))
	if v := viewer.FromContext(ctx); v != nil {
		entry.SetActorID(v.Subject()).SetActorRole(string(v.Role))
	}
	e, err := entry.Save(allow)
	if err != nil {
		return fmt.Errorf("audit: writing entry: %w", err)
	}
	if len(changed) == 0 {
		return nil
	}
	changes := make([]*gen.AuditChangeCreate, 0, len(changed))
	for _, k := range changed {
		changes = append(changes, c.AuditChange.Create().
			SetEntryID(e.ID).
			SetField(fault.APIName(k)).
			SetNillableFromValue(text(before, k)).
			SetNillableToValue(text(after, k)))
	}
	if err := c.AuditChange.CreateBulk(changes...).Exec(allow); err != nil {
		return fmt.Errorf("audit: writing changes: %w", err)
	}
	return nil
}

// text renders a field value for the trail; nil when absent.
func text(m map[string]any, k string) *string {
	v, ok := m[k]
	if !ok || v == nil {
		return nil
	}
	s := fmt.Sprint(v)
	return &s
}
