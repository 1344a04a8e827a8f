package schema

import (
	"carrierdesk/ent/hook"
	"carrierdesk/ent/privacy"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/rule"

	"regexp"

	"carrierdesk/internal/money"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Quote is a priced offer on an account.
type Quote struct{ ent.Schema }

func (Quote) Mixin() []ent.Mixin { return base("Quote") }

func (Quote) Fields() []ent.Field {
	return []ent.Field{
		field.String("account_id").
			Immutable().
			Comment("The account the offer is for."),
		field.String("title").
			NotEmpty().
			MaxLen(200).
			Comment("Short description of the offer.").
			Annotations(entgql.OrderField("TITLE")),
		field.Enum("status").
			NamedValues(
				"Draft", "DRAFT",
				"PendingApproval", "PENDING_APPROVAL",
				"Approved", "APPROVED",
				"Sent", "SENT",
				"Accepted", "ACCEPTED",
				"Declined", "DECLINED",
				"Expired", "EXPIRED",
			).
			Default("DRAFT").
			Comment("Where the quote is in its workflow; changed only by workflow mutations.").
			Annotations(entgql.OrderField("STATUS"), workflowStatus()),
		field.Int("term_months").
			Range(1, 120).
			Comment("Contract term offered, in months (1 to 120).").
			Annotations(entgql.OrderField("TERM_MONTHS")),
		field.String("currency").
			Default("USD").
			Match(regexp.MustCompile(`^[A-Z]{3}$`)).
			Comment("ISO 4217 currency of the quote's money fields."),
		field.Int64("mrc").
			GoType(money.Amount(0)).
			Default(0).
			Comment("Monthly recurring charge: the sum of the line items' MRC times quantity.").
			Annotations(entgql.OrderField("MRC"), entgql.Type("Money"), derived()),
		field.Int64("nrc").
			GoType(money.Amount(0)).
			Default(0).
			Comment("Non-recurring charge: the sum of the line items' NRC times quantity.").
			Annotations(entgql.OrderField("NRC"), entgql.Type("Money"), derived()),
		field.Int64("tcv").
			GoType(money.Amount(0)).
			Default(0).
			Comment("Total contract value: MRC times term plus NRC.").
			Annotations(entgql.OrderField("TCV"), entgql.Type("Money"), derived()),
		field.Time("valid_until").
			Comment("The offer lapses after this time.").
			Annotations(entgql.OrderField("VALID_UNTIL")),
		field.Time("follow_up_on").
			Optional().
			Nillable().
			Comment("When the owner should next chase the carrier.").
			Annotations(entgql.OrderField("FOLLOW_UP_ON")),
		field.String("owner_id").
			Optional().
			Nillable().
			Comment("The rep responsible for the quote."),
		field.String("rfp_id").
			Optional().
			Nillable().
			Comment("The RFP this quote answers, if any."),
		field.Time("sent_at").
			Optional().
			Nillable().
			Comment("When the quote was sent to the carrier.").
			Annotations(entgql.OrderField("SENT_AT"), workflowStatus()),
	}
}

func (Quote) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("account", Account.Type).
			Ref("quotes").
			Field("account_id").
			Unique().
			Required().
			Immutable().
			Comment("The account the offer is for."),
		edge.From("owner", Rep.Type).
			Ref("owned_quotes").
			Field("owner_id").
			Unique().
			Comment("The rep responsible for the quote."),
		edge.From("rfp", RFP.Type).
			Ref("quotes").
			Field("rfp_id").
			Unique().
			Comment("The RFP this quote answers, if any."),
		edge.To("line_items", QuoteLineItem.Type).
			Comment("What is offered, line by line.").
			Annotations(connection()...),
		edge.To("pricing_requests", SpecialPricingRequest.Type).
			Comment("Requests to price this quote below the rate card.").
			Annotations(connection()...),
		edge.To("orders", Order.Type).
			Comment("Orders placed against this quote.").
			Annotations(connection()...),
		edge.To("contracts", Contract.Type).
			Comment("Contracts that came from this quote.").
			Annotations(connection()...),
	}
}

func (Quote) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("account_id", "status"),
		index.Fields("owner_id", "status"),
		index.Fields("rfp_id"),
		index.Fields("status", "follow_up_on"),
	}
}

func (Quote) Annotations() []schema.Annotation {
	return api("A priced offer on an account: line items, term, validity, and the deal's financial model.", true)
}

func (Quote) Hooks() []ent.Hook {
	return []ent.Hook{
		hook.On(syncQuoteTCV, ent.OpCreate|ent.OpUpdateOne),
	}
}

// Policy: reads are narrowed to what the viewer may see; writes follow the rules in order.
func (Quote) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			rule.DenyIfNoViewer(),
			rule.Filter(rule.QuoteScope),
		},
		Mutation: privacy.MutationPolicy{
			rule.DenyIfNoViewer(),
			rule.AllowIfAdmin(),
			rule.DenyIfRole(enum.RoleAnalyst, enum.RoleCarrier),
			rule.DenyDelete(),
			rule.Filter(rule.QuoteScope),
		},
	}
}
