package schema

import (
	"carrierdesk/ent/hook"
	"carrierdesk/ent/privacy"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/money"
	"carrierdesk/internal/rule"
	"carrierdesk/internal/workflow"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// SpecialPricingRequest (SPARC) asks to price a quote below the standard rate card.
type SpecialPricingRequest struct{ ent.Schema }

func (SpecialPricingRequest) Mixin() []ent.Mixin {
	return base("SpecialPricingRequest", SpecialPricingRequest{}.Fields)
}

func (SpecialPricingRequest) Fields() []ent.Field {
	return []ent.Field{
		field.String("quote_id").
			Immutable().
			Comment("The quote to be priced."),
		field.String("requested_by_id").
			Immutable().
			Comment("The rep who raised the request: the rep who created it.").
			Annotations(derived()),
		field.Enum("status").
			NamedValues(
				"Draft", "DRAFT",
				"Submitted", "SUBMITTED",
				"InReview", "IN_REVIEW",
				"Approved", "APPROVED",
				"Rejected", "REJECTED",
				"Withdrawn", "WITHDRAWN",
			).
			Default("DRAFT").
			Comment("Where the request is in its workflow; changed only by workflow mutations.").
			Annotations(entgql.OrderField("STATUS"), workflowStatus()),
		field.Text("justification").
			NotEmpty().
			MaxRuneLen(4000).
			Comment("Why the carrier should get the lower price. At most 4,000 characters."),
		field.Int64("standard_mrc").
			GoType(money.Amount(0)).
			Min(0).
			Immutable().
			Comment("The quote's MRC when the request was made, set by the program, never by the client: the price the special price replaces.").
			Annotations(entgql.Type("Money"), derived()),
		field.Int64("requested_mrc").
			GoType(money.Amount(0)).
			Min(0).
			Comment("Monthly charge asked for: strictly below standardMrc.").
			Annotations(entgql.OrderField("REQUESTED_MRC"), entgql.Type("Money")),
		field.Int64("approved_mrc").
			GoType(money.Amount(0)).
			Optional().
			Nillable().
			Comment("Monthly charge granted, once decided: strictly below standardMrc.").
			Annotations(entgql.Type("Money"), workflowStatus()),
		field.String("decided_by_id").
			Optional().
			Nillable().
			Comment("The manager or admin who decided: never the requester, nor the quote's creator or owner, for an approval.").
			Annotations(workflowStatus()),
		field.Text("decision_reason").
			Optional().
			MaxRuneLen(4000).
			Comment("The manager's reason for the decision. At most 4,000 characters.").
			Annotations(workflowStatus()),
		field.Time("submitted_at").
			Optional().
			Nillable().
			Comment("When the request was submitted.").
			Annotations(entgql.OrderField("SUBMITTED_AT"), workflowStatus()),
		field.Time("response_due_at").
			Optional().
			Nillable().
			Comment("When a decision is due under the response-time target.").
			Annotations(entgql.OrderField("RESPONSE_DUE_AT"), workflowStatus()),
		field.Time("decided_at").
			Optional().
			Nillable().
			Comment("When the request was approved or rejected.").
			Annotations(entgql.OrderField("DECIDED_AT"), workflowStatus()),
	}
}

func (SpecialPricingRequest) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("quote", Quote.Type).
			Ref("pricing_requests").
			Field("quote_id").
			Unique().
			Required().
			Immutable().
			Comment("The quote to be priced."),
		edge.From("requested_by", Rep.Type).
			Ref("requested_pricing").
			Field("requested_by_id").
			Unique().
			Required().
			Immutable().
			Comment("The rep who raised the request.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput)),
		edge.To("decided_by", Rep.Type).
			Field("decided_by_id").
			Unique().
			Comment("The manager who decided; written by the decision, never by create or update inputs.").
			Annotations(workflowStatus()),
	}
}

func (SpecialPricingRequest) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("quote_id"),
		index.Fields("requested_by_id"),
		index.Fields("status", "response_due_at"),
		// SPARC turnaround in the portfolio: decided requests only.
		index.Fields("decided_at", "submitted_at").Annotations(entsql.IncludeColumns("response_due_at")),
	}
}

func (SpecialPricingRequest) Annotations() []schema.Annotation {
	return api("A special pricing request (SPARC): a request to price a quote below the standard rate card, decided by a manager against a response-time target. Never visible to carriers. "+
		"It is made on a DRAFT quote only, against the quote's MRC at that moment (standardMrc); the price asked and the price granted are strictly below it. "+
		"Until it is approved, rejected or withdrawn, its quote cannot be submitted. "+
		"Four eyes: nobody approves a request they made, or one on a quote they created or own. "+
		"The granted price becomes the quote's MRC and is spread over its lines (specialLineMrc).", true)
}

// Policy: reads are narrowed to what the viewer may see; writes follow the rules in order.
func (SpecialPricingRequest) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			rule.DenyIfNoViewer(),
			rule.Filter(rule.SpecialPricingRequestScope),
		},
		Mutation: privacy.MutationPolicy{
			rule.DenyIfNoViewer(),
			rule.AllowIfAdmin(),
			rule.DenyIfRole(enum.RoleAnalyst, enum.RoleCarrier),
			rule.DenyDelete(),
			rule.Filter(rule.SpecialPricingRequestScope),
		},
	}
}

func (SpecialPricingRequest) Hooks() []ent.Hook {
	return []ent.Hook{
		statusFollowsWorkflow(workflow.SpecialPricingRequest),
		hook.On(pricingRequester, ent.OpCreate),
		hook.On(pricingRequestRules, ent.OpCreate|ent.OpUpdate|ent.OpUpdateOne),
	}
}
