package graph

import (
	"context"
	"fmt"

	"carrierdesk/ent"
	"carrierdesk/internal/fault"
	"carrierdesk/internal/rule"
	"carrierdesk/internal/viewer"

	"entgo.io/ent/dialect/sql"
	"github.com/99designs/gqlgen/graphql"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// visible implements @visible: a nested relation filter is narrowed to the
// rows the viewer may read, with the same scopes the privacy policies use.
// Without it, hasAccountsWith on a carrier the viewer can read would probe
// accounts the viewer cannot.
func visible(ctx context.Context, _ any, next graphql.Resolver) (any, error) {
	res, err := next(ctx)
	if err != nil || res == nil {
		return res, err
	}
	v := viewer.FromContext(ctx)
	switch ws := res.(type) {
	case []*ent.AccountWhereInput:
		scopeEach(ws, rule.AccountScope(v))
	case []*ent.AccountAssignmentWhereInput:
		scopeEach(ws, rule.AccountAssignmentScope(v))
	case []*ent.ActivityWhereInput:
		scopeEach(ws, rule.ActivityScope(v))
	case []*ent.BusinessReviewWhereInput:
		scopeEach(ws, rule.BusinessReviewScope(v))
	case []*ent.CarrierWhereInput:
		scopeEach(ws, rule.CarrierScope(v))
	case []*ent.ContactWhereInput:
		scopeEach(ws, rule.ContactScope(v))
	case []*ent.ContractWhereInput:
		scopeEach(ws, rule.ContractScope(v))
	case []*ent.EscalationWhereInput:
		scopeEach(ws, rule.EscalationScope(v))
	case []*ent.EscalationEventWhereInput:
		scopeEach(ws, rule.EscalationEventScope(v))
	case []*ent.OrderWhereInput:
		scopeEach(ws, rule.OrderScope(v))
	case []*ent.QuoteWhereInput:
		scopeEach(ws, rule.QuoteScope(v))
	case []*ent.QuoteLineItemWhereInput:
		scopeEach(ws, rule.QuoteLineItemScope(v))
	case []*ent.RFPWhereInput:
		scopeEach(ws, rule.RFPScope(v))
	case []*ent.RepWhereInput:
		scopeEach(ws, rule.RepScope(v))
	case []*ent.SpecialPricingRequestWhereInput:
		scopeEach(ws, rule.SpecialPricingRequestScope(v))
	case []*ent.TeamWhereInput:
		scopeEach(ws, rule.TeamScope(v))
	default:
		// A relation filter of a type this switch does not know would go unscoped: refuse it.
		return nil, &gqlerror.Error{Message: fmt.Sprintf("relation filter of type %T is not supported", res)}
	}
	return res, nil
}

// whereInput is a generated filter that accepts extra predicates.
type whereInput[P any] interface {
	AddPredicates(...P)
}

// scopeEach narrows each filter to scope. A filter of nothing but {} asks for
// "at least one": it gets a predicate that holds for every row, since an empty
// filter is refused by ent.
func scopeEach[W whereInput[P], P ~func(*sql.Selector)](ws []W, scope []P) {
	for _, w := range ws {
		if len(scope) == 0 {
			w.AddPredicates(func(*sql.Selector) {})
			continue
		}
		w.AddPredicates(scope...)
	}
}

// internalField implements @internal: carriers may not read, or filter on,
// the deal model and other internal fields. The error names the field.
func internalField(ctx context.Context, _ any, next graphql.Resolver) (any, error) {
	if viewer.FromContext(ctx).Internal() {
		return next(ctx)
	}
	name := ""
	if pc := graphql.GetPathContext(ctx); pc != nil && pc.Field != nil {
		name = *pc.Field
	}
	if fc := graphql.GetFieldContext(ctx); name == "" && fc != nil {
		name = fc.Field.Name
	}
	return nil, fault.E(fault.Forbidden, name, "is internal to carrierdesk staff")
}
