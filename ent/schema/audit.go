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
	"carrierdesk/internal/viewer"

	"entgo.io/ent"
)

// auditTrail writes an audit entry for every create, update and delete, in the
// writer's transaction: who, when, through which API operation and workflow
// action, and each field that changed, from what to what. It compares the
// record before and after the whole mutation, so values set by other hooks
// (totals, due times) are recorded too.
func auditTrail(next ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
		if audit.Skipped(ctx) {
			return next.Mutate(ctx, m)
		}
		c, ok := m.(interface{ Client() *gen.Client })
		if !ok {
			return next.Mutate(ctx, m)
		}
		client := c.Client()
		// The trail is the program's record, written whatever the viewer may write.
		allow := privacy.DecisionContext(ctx, privacy.Allow)
		var ids []string
		before := map[string]map[string]any{}
		if !m.Op().Is(ent.OpCreate) {
			var err error
			if ids, err = mutationIDs(ctx, m); err != nil {
				return nil, err
			}
			for _, id := range ids {
				if before[id], err = snapshot(allow, client, m.Type(), id); err != nil {
					return nil, err
				}
			}
		}
		v, err := next.Mutate(ctx, m)
		if err != nil {
			return nil, err
		}
		op := auditentry.OperationUpdate
		switch {
		case m.Op().Is(ent.OpCreate):
			op = auditentry.OperationCreate
			after, err := fields(v)
			if err != nil {
				return nil, err
			}
			id, _ := after["id"].(string)
			return v, record(ctx, allow, client, m.Type(), id, op, nil, after)
		case m.Op().Is(ent.OpDelete | ent.OpDeleteOne):
			op = auditentry.OperationDelete
		}
		for _, id := range ids {
			var after map[string]any
			if op == auditentry.OperationUpdate {
				if after, err = snapshot(allow, client, m.Type(), id); err != nil {
					return nil, err
				}
			}
			if err := record(ctx, allow, client, m.Type(), id, op, before[id], after); err != nil {
				return nil, err
			}
		}
		return v, nil
	})
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

// record writes one entry with a change for each field that differs.
func record(ctx, allow context.Context, c *gen.Client, typ, id string, op auditentry.Operation, before, after map[string]any) error {
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
	var changes []*gen.AuditChangeCreate
	for _, k := range names {
		if k == "id" || k == "updated_at" || k == "version" || reflect.DeepEqual(before[k], after[k]) {
			continue
		}
		changes = append(changes, c.AuditChange.Create().
			SetEntryID(e.ID).
			SetField(fault.APIName(k)).
			SetNillableFromValue(text(before, k)).
			SetNillableToValue(text(after, k)))
	}
	if len(changes) == 0 {
		return nil
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
