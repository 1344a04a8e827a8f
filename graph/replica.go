package graph

import (
	"context"

	"carrierdesk/internal/replica"
	"carrierdesk/internal/viewer"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
)

// ReadRouting lets a read replica (DATABASE_READ_URL) serve the root fields
// of a query that tolerate data a few seconds old: the reports and
// aggregates, and every field a read-only role asks for. Mutations (in their
// transaction), subscriptions and the other queries read the primary. The
// driver still sends a viewer's reads to the primary until a replica has
// replayed the viewer's last write.
type ReadRouting struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.RootFieldInterceptor
} = ReadRouting{}

// ExtensionName names the extension for gqlgen.
func (ReadRouting) ExtensionName() string { return "ReadRouting" }

// Validate accepts any schema.
func (ReadRouting) Validate(graphql.ExecutableSchema) error { return nil }

// reportFields are the root query fields that are reports or aggregates.
var reportFields = map[string]bool{
	"portfolio":           true,
	"teamWeek":            true,
	"revenueRetention":    true,
	"accountAggregate":    true,
	"quoteAggregate":      true,
	"contractAggregate":   true,
	"escalationAggregate": true,
	"orderAggregate":      true,
	"activityAggregate":   true,
}

// InterceptRootField marks the reads of a report field, or of any query
// field of a read-only viewer, as ones a replica may serve.
func (ReadRouting) InterceptRootField(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	oc := graphql.GetOperationContext(ctx)
	rf := graphql.GetRootFieldContext(ctx)
	if oc == nil || oc.Operation == nil || rf == nil || oc.Operation.Operation != ast.Query {
		return next(ctx)
	}
	if reportFields[rf.Field.Name] || viewer.FromContext(ctx).ReadOnly() {
		ctx = replica.AllowStandby(ctx)
	}
	return next(ctx)
}
