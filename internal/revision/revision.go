// Package revision carries the version of a record a client last saw, so an
// update made from stale data is refused as a conflict instead of silently
// overwriting someone else's change (optimistic concurrency).
package revision

import "context"

type key struct{}

// Expect returns ctx carrying the version the client expects the record to
// have; a nil version expects nothing.
func Expect(ctx context.Context, version *int) context.Context {
	if version == nil {
		return ctx
	}
	return context.WithValue(ctx, key{}, *version)
}

// Expected returns the version ctx expects, if any.
func Expected(ctx context.Context) (int, bool) {
	v, ok := ctx.Value(key{}).(int)
	return v, ok
}
