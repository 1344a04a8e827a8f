package graph

// The limits on GraphQL operations, in one configuration and one gqlgen
// extension: the shape of the document (tokens, aliases, field repeats,
// directives, introspection depth) measured before validation, then page
// sizes, depth and cost measured on the validated operation. The HTTP
// limits (body, URL, timeouts, rates) are the server's.

import (
	"context"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/handler/lru"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// Limits is what one GraphQL operation may ask for.
type Limits struct {
	MaxTokens        int // GRAPHQL_MAX_TOKENS: lexical tokens in one document
	MaxAliases       int // GRAPHQL_MAX_ALIASES: aliased fields in one operation, fragments counted where spread
	MaxFieldRepeats  int // GRAPHQL_MAX_FIELD_REPEATS: times one response key may occur in one selection set
	MaxDirectives    int // GRAPHQL_MAX_DIRECTIVES: directives in one place
	MaxIntrospection int // GRAPHQL_MAX_INTROSPECTION_DEPTH: nesting below __schema or __type
	MaxDepth         int // DEPTH_LIMIT: deepest nesting of fields an operation may have; 0 accepts any
	MaxCost          int // COST_LIMIT: largest cost (objects a response may hold, pages multiplied); 0 accepts any
	DefaultPage      int // PAGE_DEFAULT: page size of a connection that names none
	MaxPage          int // PAGE_MAX: largest page a client may ask for
}

// OperationLimits holds every operation to its Limits, whatever its
// transport. Register it after AutomaticPersistedQuery, so it measures the
// query a hash stands for, and set the handler's parser token limit to
// MaxTokens, so the executor's own parse stops where this one does.
type OperationLimits struct {
	documents documentLimits
	pages     pageLimits
	cost      costLimits
}

var _ interface {
	graphql.HandlerExtension
	graphql.OperationParameterMutator
	graphql.OperationContextMutator
	graphql.ResponseInterceptor
	graphql.FieldInterceptor
} = OperationLimits{}

// NewOperationLimits returns the extension enforcing l. It remembers the
// query texts that passed the document limits and the page-size rewrites of
// recent operations, so a repeated operation is measured and copied once.
func NewOperationLimits(l Limits) OperationLimits {
	return OperationLimits{
		documents: documentLimits{limits: l, measured: lru.New[struct{}](1000)},
		pages:     pageLimits{limits: l, rewrites: lru.New[pageRewrite](256)},
		cost:      costLimits{limits: l},
	}
}

// ExtensionName names the extension for gqlgen.
func (OperationLimits) ExtensionName() string { return "OperationLimits" }

// Validate accepts any schema.
func (OperationLimits) Validate(graphql.ExecutableSchema) error { return nil }

// MutateOperationParameters measures the document's shape before it is
// validated, because validation is where a document built to make the
// server work costs.
func (o OperationLimits) MutateOperationParameters(ctx context.Context, p *graphql.RawParams) *gqlerror.Error {
	return o.documents.MutateOperationParameters(ctx, p)
}

// MutateOperationContext checks page sizes, filling in the default, then
// depth and cost: a page over the maximum is reported as such, not as a cost.
func (o OperationLimits) MutateOperationContext(ctx context.Context, rc *graphql.OperationContext) *gqlerror.Error {
	if err := o.pages.MutateOperationContext(ctx, rc); err != nil {
		return err
	}
	return o.cost.MutateOperationContext(ctx, rc)
}

// InterceptResponse reports the operation's cost in extensions.cost.
func (o OperationLimits) InterceptResponse(ctx context.Context, next graphql.ResponseHandler) *graphql.Response {
	return o.cost.InterceptResponse(ctx, next)
}

// InterceptField counts the objects each field returns, for the actual cost.
func (o OperationLimits) InterceptField(ctx context.Context, next graphql.Resolver) (any, error) {
	return o.cost.InterceptField(ctx, next)
}
