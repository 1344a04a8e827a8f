// Package bulk marks a bulk load in the context: a writer, such as the demo
// seed, that writes derived values itself, so that hooks which would
// recompute them row by row may leave them alone.
//
// It imports nothing of carrierdesk, so that the ent schema's hooks can ask
// for it without an import cycle through the seeder.
package bulk

import "context"

type loadKey struct{}

// NewContext marks ctx as a bulk load.
func NewContext(ctx context.Context) context.Context {
	return context.WithValue(ctx, loadKey{}, true)
}

// FromContext reports whether ctx was marked as a bulk load.
func FromContext(ctx context.Context) bool {
	b, _ := ctx.Value(loadKey{}).(bool)
	return b
}
