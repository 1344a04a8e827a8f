package schema

import (
	"carrierdesk/ent/hook"
	"carrierdesk/ent/privacy"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/ownership"
	"carrierdesk/internal/rule"
	"carrierdesk/internal/workflow"

	"carrierdesk/internal/deal"
	"carrierdesk/internal/money"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Quote is a priced offer on an account.
type Quote struct{ ent.Schema }

func (Quote) Mixin() []ent.Mixin { return base("Quote", Quote{}.Fields) }

func (Quote) Fields() []ent.Field {
	return []ent.Field{
		field.String("account_id").
			Immutable().
			Comment("The account the offer is for."),
		field.String("title").
			NotEmpty().
			MaxRuneLen(200).
			Comment("Short description of the offer. At most 200 characters.").
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
			MaxRuneLen(3).
			Default(currencyOfAccount).
			Validate(money.CheckCurrency).
			Comment("ISO 4217 currency of the quote's money fields: always its account's; taken from the account when not given, and refused when it differs."),
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
			GoType(calendarDay).
			SchemaType(dateColumn).
			Comment("The last day on which the carrier may accept; the offer lapses at the end of that day, UTC.").
			Annotations(dateScalar, entgql.OrderField("VALID_UNTIL")),
		field.Time("follow_up_on").
			GoType(calendarDay).
			SchemaType(dateColumn).
			Optional().
			Nillable().
			Comment("The day on which the owner should next chase the carrier.").
			Annotations(dateScalar, entgql.OrderField("FOLLOW_UP_ON")),
		field.String("owner_id").
			Optional().
			Nillable().
			Comment("The rep responsible for the quote, always one who may read its account: by default its creator, or the account's STRATEGIC rep when an admin or the program creates it, else their team manager."),
		field.String("rfp_id").
			Optional().
			Nillable().
			Comment("The RFP this quote answers, if any."),
		field.Time("sent_at").
			Optional().
			Nillable().
			Comment("When the quote was sent to the carrier.").
			Annotations(entgql.OrderField("SENT_AT"), workflowStatus()),
		field.Text("status_note").
			Optional().
			MaxRuneLen(4000).
			Comment("Why the last workflow action was taken, such as a rejection reason. At most 4,000 characters.").
			Annotations(workflowStatus()),
		field.Int64("special_mrc").
			GoType(money.Amount(0)).
			Optional().
			Nillable().
			Comment("Monthly charge granted by an approved special pricing request; when set, it is the quote's MRC.").
			Annotations(entgql.Type("Money"), derived(), internalOnly()),
		// Revisions and approval: who may approve depends on who created and submitted (quote_rules.go).
		field.Int("revision").
			Default(1).
			Positive().
			Comment("The quote's revision: 1 when created, one more each time reviseQuote takes it back to DRAFT.").
			Annotations(entgql.OrderField("REVISION"), derived()),
		field.String("created_by_id").
			Optional().
			Nillable().
			Immutable().
			Comment("The rep who created the quote, set from the viewer; they may never approve it. Internal.").
			Annotations(derived(), internalOnly()),
		field.String("submitted_by_id").
			Optional().
			Nillable().
			Comment("The rep who submitted the current revision for approval; they may never approve it. Internal.").
			Annotations(workflowStatus(), internalOnly()),
		field.Time("submitted_at").
			Optional().
			Nillable().
			Comment("When the current revision was submitted for approval. Internal.").
			Annotations(workflowStatus(), internalOnly()),
		field.String("approved_by_id").
			Optional().
			Nillable().
			Comment("The manager or admin who approved the current revision: never its creator, owner or submitter. Cleared when the quote goes back to DRAFT. Internal.").
			Annotations(workflowStatus(), internalOnly()),
		field.Time("approved_at").
			Optional().
			Nillable().
			Comment("When the current revision was approved; cleared when the quote goes back to DRAFT. Internal.").
			Annotations(workflowStatus(), internalOnly()),
		// The deal model: what the deal costs us, and what it earns.
		field.Int64("capex").
			GoType(money.Amount(0)).
			Default(0).
			Min(0).
			Comment("Build cost, spent in month 0. Internal.").
			Annotations(entgql.Type("Money"), internalOnly()),
		field.Int64("one_time_cost").
			GoType(money.Amount(0)).
			Default(0).
			Min(0).
			Comment("Other one-time costs, in month 0. Internal.").
			Annotations(entgql.Type("Money"), internalOnly()),
		field.Int64("monthly_opex").
			GoType(money.Amount(0)).
			Default(0).
			Min(0).
			Comment("Operating cost per month. Internal.").
			Annotations(entgql.Type("Money"), internalOnly()),
		field.Int64("monthly_off_net_cost").
			GoType(money.Amount(0)).
			Default(0).
			Min(0).
			Comment("Cost per month of off-net legs bought from other carriers. Internal.").
			Annotations(entgql.Type("Money"), internalOnly()),
		field.Int64("monthly_churn").
			GoType(deal.Rate(0)).
			Default(0).
			Comment("Share of MRC expected to be lost each month, such as \"0.005\". Internal.").
			Annotations(entgql.Type("Rate"), internalOnly()),
		field.Int64("annual_discount_rate").
			GoType(deal.Rate(0)).
			Default(100000).
			Comment("Annual discount rate for the NPV, such as \"0.1\". Internal.").
			Annotations(entgql.Type("Rate"), internalOnly()),
		field.Int64("npv").
			GoType(money.Amount(0)).
			Default(0).
			Comment("Net present value of the deal's monthly cash flows at the discount rate. Internal.").
			Annotations(entgql.Type("Money"), derived(), internalOnly()),
		field.Int64("irr").
			GoType(deal.Rate(0)).
			Optional().
			Nillable().
			Comment("Annualised internal rate of return; empty when there is none (see irrNote). Internal.").
			Annotations(entgql.Type("Rate"), derived(), internalOnly()),
		field.String("irr_note").
			Optional().
			Comment("Why the deal has no IRR, when it has none. Internal.").
			Annotations(derived(), internalOnly()),
		field.String("irr_monthly").
			GoType(deal.Decimal("")).
			Optional().
			Nillable().
			Comment("Monthly internal rate of return r, the rate the model solves for, to 24 decimals: (1 + r)^12 - 1 recomputes irr to within 1e-9. Empty when there is no IRR. Internal.").
			Annotations(entgql.Type("Decimal"), derived(), internalOnly()),
		field.Int("payback_month").
			Optional().
			Nillable().
			Comment("First month in which the cumulative cash flow reaches zero; empty if none within the term. Internal.").
			Annotations(derived(), internalOnly()),
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
		edge.To("created_by", Rep.Type).
			Field("created_by_id").
			Unique().
			Immutable().
			Comment("The rep who created the quote.").
			Annotations(derived(), internalOnly()),
		edge.To("submitted_by", Rep.Type).
			Field("submitted_by_id").
			Unique().
			Comment("The rep who submitted the current revision.").
			Annotations(workflowStatus(), internalOnly()),
		edge.To("approved_by", Rep.Type).
			Field("approved_by_id").
			Unique().
			Comment("The manager or admin who approved the current revision.").
			Annotations(workflowStatus(), internalOnly()),
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
		// The portfolio's pipeline sums MRC and TCV by status and currency
		// over every quote: an index-only scan of this reads a third of the
		// table's pages.
		index.Fields("status", "currency").Annotations(entsql.IncludeColumns("mrc", "tcv")),
	}
}

func (Quote) Annotations() []schema.Annotation {
	return api("A priced offer on an account: line items, term, validity, and the deal's financial model. "+
		"Its priced content (line items, term, currency, MRC and NRC, the deal model's inputs) changes only while it is DRAFT: "+
		"from submission on it is frozen, and reviseQuote takes it back to DRAFT as a new revision that needs approval again. "+
		"ACCEPTED, DECLINED and EXPIRED quotes change no more at all. Either refusal is INVALID_TRANSITION, and nothing is written. "+
		"Four eyes: the approver is a manager or an admin who neither created, owns nor submitted it.", true)
}

func (Quote) Hooks() []ent.Hook {
	return []ent.Hook{
		statusFollowsWorkflow(workflow.Quote),
		hook.On(quoteCreator, ent.OpCreate),
		hook.On(quoteFrozen, ent.OpUpdate|ent.OpUpdateOne|ent.OpDelete|ent.OpDeleteOne),
		hook.On(quoteStatusRules, ent.OpUpdateOne),
		hook.On(syncQuoteDeal, ent.OpCreate|ent.OpUpdateOne),
		owned(ownership.PreSale, quoteAccounts),
		hook.On(currencyFollowsAccount, ent.OpCreate|ent.OpUpdate|ent.OpUpdateOne),
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
