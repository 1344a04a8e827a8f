// Package graph is the GraphQL layer of carrierdesk: resolvers, the gqlgen
// executable schema and the extensions that shape every operation (pagination
// limits, error presentation). Rules about data live in the ent schema, not here.
package graph

import (
	"carrierdesk/ent"

	"github.com/99designs/gqlgen/graphql"
)

// Resolver is the root resolver; it holds what every resolver needs.
type Resolver struct {
	client *ent.Client
}

// NewSchema returns the executable GraphQL schema backed by client.
func NewSchema(client *ent.Client) graphql.ExecutableSchema {
	return NewExecutableSchema(Config{
		Resolvers:  &Resolver{client: client},
		Directives: DirectiveRoot{Visible: visible, Internal: internalField},
	})
}
