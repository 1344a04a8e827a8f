package schema

import (
	"carrierdesk/ent/privacy"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/money"
	"carrierdesk/internal/ownership"
	"carrierdesk/internal/rule"
	"carrierdesk/internal/workflow"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// RFP is a carrier's request for proposal.
type RFP struct{ ent.Schema }

func (RFP) Mixin() []ent.Mixin { return base("RFP", RFP{}.Fields) }

func (RFP) Fields() []ent.Field {
	return []ent.Field{
		field.String("account_id").
			Immutable().
			Comment("The account the RFP came through."),
		field.String("title").
			NotEmpty().
			MaxRuneLen(200).
			Comment("What the carrier asks for. At most 200 characters.").
			Annotations(entgql.OrderField("TITLE")),
		field.Enum("status").
			NamedValues(
				"Received", "RECEIVED",
				"Qualifying", "QUALIFYING",
				"InProgress", "IN_PROGRESS",
				"Submitted", "SUBMITTED",
				"Won", "WON",
				"Lost", "LOST",
				"NoBid", "NO_BID",
			).
			Default("RECEIVED").
			Comment("Where the RFP is in its workflow; changed only by workflow mutations.").
			Annotations(entgql.OrderField("STATUS"), workflowStatus()),
		field.Time("received_at").
			Comment("When the RFP arrived.").
			Annotations(entgql.OrderField("RECEIVED_AT")),
		field.Time("due_at").
			Comment("When the response is due; after it was received.").
			Annotations(entgql.OrderField("DUE_AT")),
		field.Int64("estimated_value").
			GoType(money.Amount(0)).
			Default(0).
			Min(0).
			Comment("Estimated total value of the business.").
			Annotations(entgql.OrderField("ESTIMATED_VALUE"), entgql.Type("Money")),
		field.String("owner_id").
			Optional().
			Nillable().
			Comment("The rep who owns the response, always one who may read its account: by default its creator, or the account's STRATEGIC rep when an admin or the program creates it, else their team manager."),
		field.Text("status_note").
			Optional().
			MaxRuneLen(4000).
			Comment("Why the last workflow action was taken, such as a rejection reason. At most 4,000 characters.").
			Annotations(workflowStatus()),
	}
}

func (RFP) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("account", Account.Type).
			Ref("rfps").
			Field("account_id").
			Unique().
			Required().
			Immutable().
			Comment("The account the RFP came through."),
		edge.From("owner", Rep.Type).
			Ref("owned_rfps").
			Field("owner_id").
			Unique().
			Comment("The rep who owns the response."),
		edge.To("quotes", Quote.Type).
			Comment("Quotes produced for this RFP.").
			Annotations(connection()...),
	}
}

func (RFP) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("account_id", "status"),
		index.Fields("owner_id"),
		index.Fields("status", "due_at"),
	}
}

func (RFP) Hooks() []ent.Hook {
	return []ent.Hook{
		statusFollowsWorkflow(workflow.RFP), timesInOrder("received_at", "due_at", false),
		owned(ownership.PreSale, rfpAccounts),
	}
}

func (RFP) Annotations() []schema.Annotation {
	a := api("A carrier's request for proposal, from receipt to a win, a loss or no bid.", true)
	a[1] = entgql.QueryField("rfps")
	return append(a, ordered("received_at", "due_at", false))
}

// Policy: reads are narrowed to what the viewer may see; writes follow the rules in order.
func (RFP) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			rule.DenyIfNoViewer(),
			rule.Filter(rule.RFPScope),
		},
		Mutation: privacy.MutationPolicy{
			rule.DenyIfNoViewer(),
			rule.AllowIfAdmin(),
			rule.DenyIfRole(enum.RoleAnalyst, enum.RoleCarrier),
			rule.DenyDelete(),
			rule.Filter(rule.RFPScope),
		},
	}
}
