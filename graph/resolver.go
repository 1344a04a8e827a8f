// Package graph is the GraphQL layer of carrierdesk: resolvers, the gqlgen
// executable schema and the extensions that shape every operation (pagination
// limits, error presentation). Rules about data live in the ent schema, not here.
package graph

import (
	"carrierdesk/ent"
	"carrierdesk/internal/events"

	"github.com/99designs/gqlgen/graphql"
)

// Resolver is the root resolver; it holds what every resolver needs.
type Resolver struct {
	client *ent.Client
	events events.Broker
}

// NewSchema returns the executable GraphQL schema backed by client, whose
// subscriptions hear of committed escalation events from broker.
func NewSchema(client *ent.Client, broker events.Broker) graphql.ExecutableSchema {
	return NewExecutableSchema(Config{
		Resolvers:  &Resolver{client: client, events: broker},
		Directives: DirectiveRoot{Visible: visible, Internal: internalField},
	})
}
