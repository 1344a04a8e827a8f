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
	client  *ent.Client
	events  events.Broker
	planner bool // node(id) through the read planner (plan.go)
}

// Option changes how NewSchema resolves.
type Option func(*Resolver)

// ReadPlanner turns the read planner on or off (on by default).
func ReadPlanner(on bool) Option { return func(r *Resolver) { r.planner = on } }

// NewSchema returns the executable GraphQL schema backed by client, whose
// subscriptions hear of committed escalation events from broker.
func NewSchema(client *ent.Client, broker events.Broker, opts ...Option) graphql.ExecutableSchema {
	r := &Resolver{client: client, events: broker, planner: true}
	for _, o := range opts {
		o(r)
	}
	return NewExecutableSchema(Config{
		Resolvers:  r,
		Directives: DirectiveRoot{Visible: visible, Internal: internalField},
	})
}
