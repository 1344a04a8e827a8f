package graph

import (
	"context"

	"carrierdesk/internal/viewer"

	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Introspection lets internal viewers read the schema; carrier users and
// anyone else get none, so the API's shape is not handed to outsiders.
type Introspection struct{}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationContextMutator
} = Introspection{}

// ExtensionName names the extension for gqlgen.
func (Introspection) ExtensionName() string { return "Introspection" }

// Validate accepts any schema.
func (Introspection) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationContext allows introspection for internal viewers only.
func (Introspection) MutateOperationContext(ctx context.Context, rc *graphql.OperationContext) *gqlerror.Error {
	rc.DisableIntrospection = !viewer.FromContext(ctx).Internal()
	return nil
}
