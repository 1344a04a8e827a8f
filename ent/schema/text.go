package schema

import (
	"context"
	"reflect"
	"strings"

	"carrierdesk/internal/fault"

	"entgo.io/ent"
)

// textIsClean refuses a NUL character in any text a mutation writes.
// PostgreSQL cannot store one (the driver's error surfaced as INTERNAL) and
// SQLite stores it and cuts the text short where clients read it as C
// strings, so both databases now answer alike: BAD_USER_INPUT naming the
// field, nothing written.
func textIsClean(next ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
		for _, name := range m.Fields() {
			v, _ := m.Field(name)
			if hasNUL(reflect.ValueOf(v)) {
				return nil, fault.InvalidField(fault.APIName(name), "must not contain a NUL character (U+0000)")
			}
		}
		return next.Mutate(ctx, m)
	})
}

// hasNUL reports a NUL in a string, or in the strings of a slice, whatever their Go type.
func hasNUL(v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String:
		return strings.ContainsRune(v.String(), 0)
	case reflect.Pointer:
		return !v.IsNil() && hasNUL(v.Elem())
	case reflect.Slice:
		for i := range v.Len() {
			if hasNUL(v.Index(i)) {
				return true
			}
		}
	}
	return false
}
