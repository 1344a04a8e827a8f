package schema

import (
	"context"
	"fmt"

	gen "carrierdesk/ent"
	"carrierdesk/ent/account"
	"carrierdesk/ent/accountassignment"
	"carrierdesk/ent/activity"
	"carrierdesk/ent/businessreview"
	"carrierdesk/ent/carrier"
	"carrierdesk/ent/contact"
	"carrierdesk/ent/contract"
	"carrierdesk/ent/escalation"
	"carrierdesk/ent/escalationevent"
	"carrierdesk/ent/order"
	"carrierdesk/ent/privacy"
	"carrierdesk/ent/quote"
	"carrierdesk/ent/quotelineitem"
	"carrierdesk/ent/rep"
	"carrierdesk/ent/rfp"
	"carrierdesk/ent/specialpricingrequest"
	"carrierdesk/ent/team"
	"carrierdesk/internal/fault"
	"carrierdesk/internal/ids"

	"entgo.io/ent"
)

// nodeTables maps each entity type to its table.
var nodeTables = map[string]string{
	"Account":               account.Table,
	"AccountAssignment":     accountassignment.Table,
	"Activity":              activity.Table,
	"BusinessReview":        businessreview.Table,
	"Carrier":               carrier.Table,
	"Contact":               contact.Table,
	"Contract":              contract.Table,
	"Escalation":            escalation.Table,
	"EscalationEvent":       escalationevent.Table,
	"Order":                 order.Table,
	"Quote":                 quote.Table,
	"QuoteLineItem":         quotelineitem.Table,
	"RFP":                   rfp.Table,
	"Rep":                   rep.Table,
	"SpecialPricingRequest": specialpricingrequest.Table,
	"Team":                  team.Table,
}

// getters read one record of each type by ID. Unlike Client.Noder, they
// ignore the GraphQL selection in the context, so they always read the whole
// record, whatever the request asked for.
var getters = map[string]func(context.Context, *gen.Client, string) (ent.Value, error){
	"Account": func(ctx context.Context, c *gen.Client, id string) (ent.Value, error) { return c.Account.Get(ctx, id) },
	"AccountAssignment": func(ctx context.Context, c *gen.Client, id string) (ent.Value, error) {
		return c.AccountAssignment.Get(ctx, id)
	},
	"Activity": func(ctx context.Context, c *gen.Client, id string) (ent.Value, error) { return c.Activity.Get(ctx, id) },
	"BusinessReview": func(ctx context.Context, c *gen.Client, id string) (ent.Value, error) {
		return c.BusinessReview.Get(ctx, id)
	},
	"Carrier":  func(ctx context.Context, c *gen.Client, id string) (ent.Value, error) { return c.Carrier.Get(ctx, id) },
	"Contact":  func(ctx context.Context, c *gen.Client, id string) (ent.Value, error) { return c.Contact.Get(ctx, id) },
	"Contract": func(ctx context.Context, c *gen.Client, id string) (ent.Value, error) { return c.Contract.Get(ctx, id) },
	"Escalation": func(ctx context.Context, c *gen.Client, id string) (ent.Value, error) {
		return c.Escalation.Get(ctx, id)
	},
	"EscalationEvent": func(ctx context.Context, c *gen.Client, id string) (ent.Value, error) {
		return c.EscalationEvent.Get(ctx, id)
	},
	"Order": func(ctx context.Context, c *gen.Client, id string) (ent.Value, error) { return c.Order.Get(ctx, id) },
	"Quote": func(ctx context.Context, c *gen.Client, id string) (ent.Value, error) { return c.Quote.Get(ctx, id) },
	"QuoteLineItem": func(ctx context.Context, c *gen.Client, id string) (ent.Value, error) {
		return c.QuoteLineItem.Get(ctx, id)
	},
	"RFP": func(ctx context.Context, c *gen.Client, id string) (ent.Value, error) { return c.RFP.Get(ctx, id) },
	"Rep": func(ctx context.Context, c *gen.Client, id string) (ent.Value, error) { return c.Rep.Get(ctx, id) },
	"SpecialPricingRequest": func(ctx context.Context, c *gen.Client, id string) (ent.Value, error) {
		return c.SpecialPricingRequest.Get(ctx, id)
	},
	"Team": func(ctx context.Context, c *gen.Client, id string) (ent.Value, error) { return c.Team.Get(ctx, id) },
}

// NodeTable finds the table of a global ID from its prefix, for node(id:).
// A malformed or unknown ID is simply not found: it says nothing about what exists.
func NodeTable(_ context.Context, id string) (string, error) {
	if typ, ok := ids.TypeOf(id); ok {
		if t, ok := nodeTables[typ]; ok {
			return t, nil
		}
	}
	return "", &gen.NotFoundError{}
}

// referenceTypes names the type every foreign-key field refers to. Field names
// are the same across entities, so one table serves them all.
var referenceTypes = map[string]string{
	"carrier_id":           "Carrier",
	"account_id":           "Account",
	"rep_id":               "Rep",
	"owner_id":             "Rep",
	"manager_id":           "Rep",
	"requested_by_id":      "Rep",
	"decided_by_id":        "Rep",
	"raised_by_rep_id":     "Rep",
	"actor_rep_id":         "Rep",
	"raised_by_contact_id": "Contact",
	"actor_contact_id":     "Contact",
	"team_id":              "Team",
	"quote_id":             "Quote",
	"rfp_id":               "RFP",
	"master_id":            "Contract",
	"renewal_of_id":        "Contract",
	"escalation_id":        "Escalation",
}

// referencesExist refuses a create or update whose foreign keys name records
// of the wrong type, or records that do not exist or that the writer may not
// see, with the offending input field, before the database would refuse it
// with a constraint error that names nothing.
func referencesExist(next ent.Mutator) ent.Mutator {
	return ent.MutateFunc(func(ctx context.Context, m ent.Mutation) (ent.Value, error) {
		c, ok := m.(interface{ Client() *gen.Client })
		if !ok || !m.Op().Is(ent.OpCreate|ent.OpUpdateOne|ent.OpUpdate) {
			return next.Mutate(ctx, m)
		}
		// The program's own writes (seeding, workflow side effects) are trusted
		// with their references; the foreign keys still hold them.
		// ent reports an Allow decision as a nil error.
		if d, ok := privacy.DecisionFromContext(ctx); ok && d == nil {
			return next.Mutate(ctx, m)
		}
		for _, name := range m.Fields() {
			want, ok := referenceTypes[name]
			if !ok {
				continue
			}
			v, _ := m.Field(name)
			id, ok := v.(string)
			if !ok {
				continue
			}
			field := fault.APIName(name)
			if typ, ok := ids.TypeOf(id); !ok || typ != want {
				return nil, fault.InvalidField(field, fmt.Sprintf("is not the ID of a %s", want))
			}
			if _, err := getters[want](ctx, c.Client(), id); err != nil {
				if gen.IsNotFound(err) {
					return nil, fault.InvalidField(field, fmt.Sprintf("names no %s", want))
				}
				return nil, fmt.Errorf("checking %s: %w", field, err)
			}
		}
		return next.Mutate(ctx, m)
	})
}
