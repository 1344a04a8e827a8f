// Package audit carries, through a context, what the audit trail records
// about a change beyond the change itself: the API operation that made it and
// the workflow action, if any. The trail itself is written by an ent hook
// (ent/schema/audit.go) in the same transaction as the change.
package audit

import "context"

type (
	operationKey struct{}
	actionKey    struct{}
	skipKey      struct{}
)

// WithOperation records the API operation, such as "mutation approveQuote".
func WithOperation(ctx context.Context, op string) context.Context {
	return context.WithValue(ctx, operationKey{}, op)
}

// Operation returns the API operation of ctx, or "system" for work the program does itself.
func Operation(ctx context.Context) string {
	if op, ok := ctx.Value(operationKey{}).(string); ok {
		return op
	}
	return "system"
}

// WithAction names the workflow action being taken, such as "quote.approve".
func WithAction(ctx context.Context, action string) context.Context {
	return context.WithValue(ctx, actionKey{}, action)
}

// Action returns the workflow action of ctx, or "".
func Action(ctx context.Context) string {
	a, _ := ctx.Value(actionKey{}).(string)
	return a
}

// WithoutTrail marks bulk loads (the demo seed) that are not changes anyone made.
func WithoutTrail(ctx context.Context) context.Context {
	return context.WithValue(ctx, skipKey{}, true)
}

// Skipped reports whether ctx was marked WithoutTrail.
func Skipped(ctx context.Context) bool {
	s, _ := ctx.Value(skipKey{}).(bool)
	return s
}
