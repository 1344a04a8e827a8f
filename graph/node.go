package graph

import (
	"context"

	"carrierdesk/ent"
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
	"carrierdesk/ent/quote"
	"carrierdesk/ent/quotelineitem"
	"carrierdesk/ent/rep"
	"carrierdesk/ent/rfp"
	"carrierdesk/ent/specialpricingrequest"
	"carrierdesk/ent/team"
	"carrierdesk/internal/ids"
)

// tables maps each node type to the table node(id:) reads.
var tables = map[string]string{
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

// nodeTable finds the table of a global ID from its prefix. A malformed or
// unknown ID is simply not found: it says nothing about what exists.
func nodeTable(_ context.Context, id string) (string, error) {
	if typ, ok := ids.TypeOf(id); ok {
		if t, ok := tables[typ]; ok {
			return t, nil
		}
	}
	return "", &ent.NotFoundError{}
}
