// Package cursor is the Cursor scalar: a Relay cursor that knows which
// connection and ordering gave it out.
//
// entgql's cursor holds an ID and the row's sort values. This one adds a
// stamp of the connection's type and orderBy, so a cursor used on another
// connection, or under another ordering, is refused as BAD_USER_INPUT
// naming after or before (graph.OperationLimits checks it before anything runs)
// instead of paging from a place that means nothing there. The stamp is an
// extra msgpack key, which entgql's decoder ignores: the generated pagers
// read these cursors as they read their own.
package cursor

import (
	"context"
	"encoding/base64"
	"fmt"
	"hash/fnv"
	"io"
	"strings"

	"carrierdesk/ent"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vmihailenco/msgpack/v5"
)

// wire is a cursor as clients hold it: entgql's keys, and the stamp.
type wire struct {
	ID    string `msgpack:"i"`
	Value any    `msgpack:"v,omitempty"`
	Stamp uint32 `msgpack:"s"`
}

// MarshalCursor writes c, stamped for the connection whose field is being written.
func MarshalCursor(c ent.Cursor) graphql.ContextMarshaler {
	return graphql.ContextWriterFunc(func(ctx context.Context, w io.Writer) error {
		stamp := uint32(0)
		if f := connectionOf(ctx); f != nil {
			stamp = Stamp(f, graphql.GetOperationContext(ctx).Variables)
		}
		io.WriteString(w, `"`)
		enc := base64.NewEncoder(base64.RawStdEncoding, w)
		err := msgpack.NewEncoder(enc).Encode(wire{ID: c.ID, Value: c.Value, Stamp: stamp})
		if cerr := enc.Close(); err == nil {
			err = cerr
		}
		io.WriteString(w, `"`)
		return err
	})
}

// UnmarshalCursor reads a cursor argument. Whether it belongs to the
// connection is checked earlier, by Check, where the field is known.
func UnmarshalCursor(_ context.Context, v any) (ent.Cursor, error) {
	var c ent.Cursor
	err := c.UnmarshalGQL(v)
	return c, err
}

// Check returns why v, the value of a connection field's after or before
// argument, is not a cursor of that field under its orderBy, or "".
func Check(f *ast.Field, vars map[string]any, v any) string {
	s, ok := v.(string)
	if !ok {
		return "it is not a string"
	}
	var c wire
	if err := msgpack.NewDecoder(base64.NewDecoder(base64.RawStdEncoding, strings.NewReader(s))).Decode(&c); err != nil {
		return "it is not a cursor"
	}
	if c.Stamp != Stamp(f, vars) {
		return "it comes from another connection or another orderBy"
	}
	return ""
}

// Stamp identifies a connection field's type and ordering.
func Stamp(f *ast.Field, vars map[string]any) uint32 {
	h := fnv.New32a()
	io.WriteString(h, f.Definition.Type.Name())
	for _, o := range orders(f.ArgumentMap(vars)["orderBy"]) {
		fmt.Fprintf(h, "\x00%v\x00%v", o["field"], direction(o["direction"]))
	}
	return h.Sum32()
}

// Repeated returns a field that an orderBy argument names twice, or "".
func Repeated(orderBy any) string {
	seen := map[any]bool{}
	for _, o := range orders(orderBy) {
		if seen[o["field"]] {
			return fmt.Sprint(o["field"])
		}
		seen[o["field"]] = true
	}
	return ""
}

// orders reads an orderBy argument, a list or (coerced to one) a single order.
func orders(v any) []map[string]any {
	switch v := v.(type) {
	case map[string]any:
		return []map[string]any{v}
	case []any:
		out := make([]map[string]any, 0, len(v))
		for _, o := range v {
			if m, ok := o.(map[string]any); ok {
				out = append(out, m)
			}
		}
		return out
	}
	return nil
}

// direction spells an order's direction, ASC when it is left out.
func direction(v any) any {
	if v == nil {
		return "ASC"
	}
	return v
}

// IsConnection reports a Relay connection field: a *Connection type with first and last.
func IsConnection(f *ast.Field) bool {
	d := f.Definition
	return d != nil && d.Type != nil && strings.HasSuffix(d.Type.Name(), "Connection") &&
		d.Arguments.ForName("first") != nil && d.Arguments.ForName("last") != nil
}

// connectionOf returns the connection field above the field being written.
func connectionOf(ctx context.Context) *ast.Field {
	for fc := graphql.GetFieldContext(ctx); fc != nil; fc = fc.Parent {
		if f := fc.Field.Field; f != nil && IsConnection(f) {
			return f
		}
	}
	return nil
}
