package graph

import (
	"context"

	"carrierdesk/internal/audit"

	"github.com/99designs/gqlgen/graphql"
)

// AuditOperation tells the audit trail which API operation made a change:
// "mutation createQuote", say, for every write under that root field.
type AuditOperation struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.RootFieldInterceptor
} = AuditOperation{}

// ExtensionName names the extension for gqlgen.
func (AuditOperation) ExtensionName() string { return "AuditOperation" }

// Validate accepts any schema.
func (AuditOperation) Validate(graphql.ExecutableSchema) error { return nil }

// InterceptRootField puts the operation kind and root field name in the context.
func (AuditOperation) InterceptRootField(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	oc := graphql.GetOperationContext(ctx)
	rf := graphql.GetRootFieldContext(ctx)
	if oc != nil && oc.Operation != nil && rf != nil {
		ctx = audit.WithOperation(ctx, string(oc.Operation.Operation)+" "+rf.Field.Name)
	}
	return next(ctx)
}
