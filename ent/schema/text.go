package schema

import (
	"context"
	"fmt"
	"math"
	"reflect"
	"strings"
	"sync"
	"unicode/utf8"

	"carrierdesk/internal/fault"

	"entgo.io/ent"
	"entgo.io/ent/schema/field"
)

// inputIsValid checks every field a create or update sets against the input
// policy and the field's own validators, and refuses the write with every
// invalid field at once: ent's generated check stops at the first, which made
// a client fix one field per round trip. It runs before any other hook, so
// workflow mutations and writers outside GraphQL obey it too.
//
// The policy for text, one for every string and the same on both databases:
//   - no NUL character: PostgreSQL cannot store one (its driver's error surfaced
//     as INTERNAL), SQLite stores it and C-string readers cut the text short;
//   - valid UTF-8 only (the request decoder refuses invalid bytes and lone
//     surrogate escapes before they become U+FFFD; this catches other writers);
//   - text that holds only whitespace is refused wherever empty text is;
//     other text is stored as sent, inner and outer spaces included;
//   - at most the field's maximum length (MaxRuneLen), counted in characters.
func inputIsValid(fields func() []ent.Field) ent.Hook {
	byName := sync.OnceValue(func() map[string]*field.Descriptor {
		out := map[string]*field.Descriptor{}
		for _, f := range fields() {
			d := f.Descriptor()
			out[d.Name] = d
		}
		return out
	})
	return func(next ent.Mutator) ent.Mutator {
		return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
			var invalid []fault.FieldError
			for _, name := range m.Fields() {
				v, _ := m.Field(name)
				d := byName()[name]
				if d != nil && m.Op().Is(ent.OpCreate) && d.Default != nil && reflect.DeepEqual(v, d.Default) {
					// Ent set the default before the hooks ran; a placeholder
					// (such as currencyOfAccount) is replaced by a later hook.
					continue
				}
				if msg := fieldProblem(d, reflect.ValueOf(v)); msg != "" {
					invalid = append(invalid, fault.FieldError{Field: fault.APIName(name), Msg: msg})
				}
			}
			for _, d := range byName() {
				if v, ok := appended(m, d.Name); ok {
					if msg := fieldProblem(d, v); msg != "" {
						invalid = append(invalid, fault.FieldError{Field: fault.APIName("append_" + d.Name), Msg: msg})
					}
				}
			}
			if err := fault.InvalidFields(invalid); err != nil {
				return nil, err
			}
			return next.Mutate(ctx, m)
		})
	}
}

// appended is what an update appends to list field name (appendAttendees),
// which ent keeps apart from the fields it sets.
func appended(m ent.Mutation, name string) (reflect.Value, bool) {
	method := reflect.ValueOf(m).MethodByName("Appended" + strings.ToUpper(name[:1]) + fault.APIName(name)[1:])
	if !method.IsValid() || method.Type().NumIn() != 0 || method.Type().NumOut() != 2 {
		return reflect.Value{}, false
	}
	out := method.Call(nil)
	if ok, _ := out[1].Interface().(bool); !ok || out[0].Len() == 0 {
		return reflect.Value{}, false
	}
	return out[0], true
}

// fieldProblem is what is wrong with v as a value of the field d describes
// (nil for a field the hook does not know), or "".
func fieldProblem(d *field.Descriptor, v reflect.Value) string {
	if msg := textProblem(v, maxChars(d)); msg != "" {
		return msg
	}
	if d == nil {
		return ""
	}
	if s, ok := stringOf(v); ok && s != "" && strings.TrimSpace(s) == "" {
		// Whitespace only: refused where empty text would be.
		for _, fn := range d.Validators {
			if validate(fn, reflect.ValueOf("")) != nil {
				return "must not be empty"
			}
		}
	}
	for _, fn := range d.Validators {
		if err := validate(fn, v); err != nil {
			if e, ok := fault.As(err); ok {
				return e.Msg
			}
			return fault.Reason(err)
		}
	}
	return ""
}

// maxChars is the longest text field d takes, in characters: its
// MaxRuneLen, or 0 for none (a Text field without one, or not text).
func maxChars(d *field.Descriptor) int {
	if d == nil || d.Info == nil || d.Info.Type != field.TypeString || d.Size <= 0 || d.Size >= math.MaxInt32 {
		return 0
	}
	return d.Size
}

// textProblem checks a string, or each string of a slice, whatever their Go
// type, against the text policy; limit 0 means no length limit here.
func textProblem(v reflect.Value, limit int) string {
	switch v.Kind() {
	case reflect.String:
		s := v.String()
		switch {
		case strings.ContainsRune(s, 0):
			return "must not contain a NUL character (U+0000)"
		case !utf8.ValidString(s):
			return "must be valid UTF-8 text"
		case limit > 0 && utf8.RuneCountInString(s) > limit:
			return tooLong(limit)
		}
	case reflect.Pointer:
		if !v.IsNil() {
			return textProblem(v.Elem(), limit)
		}
	case reflect.Slice:
		for i := range v.Len() {
			if msg := textProblem(v.Index(i), limit); msg != "" {
				return msg
			}
		}
	}
	return ""
}

// tooLong is the message of text over its limit of n characters.
func tooLong(n int) string { return fmt.Sprintf("must be at most %d characters", n) }

// stringOf is v's string, if v is one.
func stringOf(v reflect.Value) (string, bool) {
	for v.Kind() == reflect.Pointer && !v.IsNil() {
		v = v.Elem()
	}
	if v.Kind() != reflect.String {
		return "", false
	}
	return v.String(), true
}

// validate calls fn, a validator of a field descriptor (func(T) error), with
// v; a value it cannot take, such as a custom Go type of another kind, is
// left to ent's own check.
func validate(fn any, v reflect.Value) error {
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil
		}
		v = v.Elem()
	}
	f := reflect.ValueOf(fn)
	if !v.IsValid() || f.Kind() != reflect.Func || f.Type().NumIn() != 1 || f.Type().NumOut() != 1 {
		return nil
	}
	in := f.Type().In(0)
	if v.Kind() != in.Kind() || !v.Type().ConvertibleTo(in) {
		return nil
	}
	err, _ := f.Call([]reflect.Value{v.Convert(in)})[0].Interface().(error)
	return err
}

// eachAtMost validates a list of text: at most items entries of at most chars characters each.
func eachAtMost(items, chars int) func([]string) error {
	return func(list []string) error {
		if len(list) > items {
			return fault.InvalidField("", fmt.Sprintf("must have at most %d entries", items))
		}
		for _, s := range list {
			if utf8.RuneCountInString(s) > chars {
				return fault.InvalidField("", fmt.Sprintf("entries must be at most %d characters each", chars))
			}
		}
		return nil
	}
}
