package graph

import (
	"context"

	"carrierdesk/internal/audit"
	"carrierdesk/internal/revision"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/ast"
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

// InterceptRootField puts the operation kind and root field name in the
// context and makes each root mutation field one unit of change
// (revision.Unit): every record it changes moves by one version and gets
// one audit entry, written when the field has been resolved.
func (AuditOperation) InterceptRootField(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	oc := graphql.GetOperationContext(ctx)
	rf := graphql.GetRootFieldContext(ctx)
	if oc == nil || oc.Operation == nil || rf == nil {
		return next(ctx)
	}
	ctx = audit.WithOperation(ctx, string(oc.Operation.Operation)+" "+rf.Field.Name)
	if oc.Operation.Operation != ast.Mutation {
		return next(ctx)
	}
	ctx, unit, _ := revision.Begin(ctx)
	res := next(ctx)
	if len(graphql.GetErrors(ctx)) > 0 {
		return res // the operation's transaction is abandoned: nothing to record
	}
	if err := unit.End(ctx); err != nil {
		graphql.AddError(ctx, err)
		return graphql.Null
	}
	return res
}
