package schema

import (
	"carrierdesk/ent/privacy"
	"carrierdesk/internal/rule"
	"regexp"

	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/money"
	"carrierdesk/internal/sla"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Account is a billing and service relationship of a carrier.
type Account struct{ ent.Schema }

func (Account) Mixin() []ent.Mixin { return base("Account", Account{}.Fields) }

func (Account) Fields() []ent.Field {
	return []ent.Field{
		field.String("carrier_id").
			Immutable().
			Comment("The carrier that owns the account."),
		field.String("account_number").
			MaxRuneLen(20).
			Match(regexp.MustCompile(`^[0-9A-Z-]{4,20}$`)).
			Unique().
			Comment("Our account number: 4 to 20 digits, capitals or dashes; unique.").
			Annotations(entgql.OrderField("ACCOUNT_NUMBER")),
		field.String("ban").
			MaxRuneLen(20).
			Match(regexp.MustCompile(`^[0-9A-Z-]{4,20}$`)).
			Comment("Billing account number the invoices go to: 4 to 20 digits, capitals or dashes.").
			Annotations(entgql.OrderField("BAN")),
		field.String("name").
			NotEmpty().
			MaxRuneLen(200).
			Comment("Descriptive name, such as the carrier's name for the relationship. At most 200 characters.").
			Annotations(entgql.OrderField("NAME")),
		field.String("market").
			NotEmpty().
			MaxRuneLen(80).
			Comment("Market served, such as \"Dallas-Fort Worth\". At most 80 characters.").
			Annotations(entgql.OrderField("MARKET")),
		field.Enum("region").
			GoType(enum.Region("")).
			Comment("Sales region of the market.").
			Annotations(entgql.OrderField("REGION"), entgql.Type("Region")),
		field.Enum("status").
			NamedValues("Onboarding", "ONBOARDING", "Active", "ACTIVE", "AtRisk", "AT_RISK", "Churned", "CHURNED").
			Default("ONBOARDING").
			Comment("Where the relationship stands.").
			Annotations(entgql.OrderField("STATUS")),
		field.Int64("mrr").
			GoType(money.Amount(0)).
			Default(0).
			Min(0).
			Comment("Monthly recurring revenue, in the account's currency: the sum of the MRC of its ACTIVE contracts, kept current in the same transaction as every contract change that moves it. Not an input.").
			Annotations(entgql.OrderField("MRR"), entgql.Type("Money"), derived()),
		field.String("currency").
			MaxRuneLen(3).
			Default("USD").
			Validate(money.CheckCurrency).
			Comment("ISO 4217 currency (such as USD or CAD) of the account and of every quote and contract on it; it cannot change while the account has quotes or contracts."),
		field.String("time_zone").
			MaxRuneLen(64).
			Optional().
			Nillable().
			Validate(sla.ValidZone).
			Comment("IANA time zone of the account's SLA calendar, such as \"America/New_York\"; empty: its support team's, else America/Chicago. At most 64 characters."),
	}
}

func (Account) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("carrier", Carrier.Type).
			Ref("accounts").
			Field("carrier_id").
			Unique().
			Required().
			Immutable().
			Comment("The carrier that owns the account.").
			Annotations(entgql.OrderField("CARRIER_NAME")),
		edge.To("assignments", AccountAssignment.Type).
			Comment("Reps assigned to the account, past and present, with capacity and dates; filter on endedAtIsNil for the current ones.").
			Annotations(connection()...),
		edge.To("quotes", Quote.Type).
			Comment("Priced offers on the account.").
			Annotations(connection()...),
		edge.To("contracts", Contract.Type).
			Comment("Master agreements and service orders.").
			Annotations(connection()...),
		edge.To("rfps", RFP.Type).
			Comment("Requests for proposal from the carrier for this account.").
			Annotations(connection()...),
		edge.To("orders", Order.Type).
			Comment("ASR and LSR orders on the account.").
			Annotations(connection()...),
		edge.To("business_reviews", BusinessReview.Type).
			Comment("Quarterly business reviews.").
			Annotations(connection()...),
		edge.To("activities", Activity.Type).
			Comment("What reps did on the account.").
			Annotations(connection()...),
		edge.To("escalations", Escalation.Type).
			Comment("Problems raised on the account.").
			Annotations(connection()...),
	}
}

func (Account) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("carrier_id", "status"),
		index.Fields("region"),
		index.Fields("status"),
	}
}

func (Account) Annotations() []schema.Annotation {
	return api("A billing and service relationship between us and a carrier. Everything the support teams do hangs off an account.", true)
}

// Policy: reads are narrowed to what the viewer may see; writes follow the rules in order.
func (Account) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			rule.DenyIfNoViewer(),
			rule.Filter(rule.AccountScope),
		},
		Mutation: privacy.MutationPolicy{
			rule.DenyIfNoViewer(),
			rule.AllowIfAdmin(),
			rule.DenyIfRole(enum.RoleAnalyst, enum.RoleCarrier),
			rule.DenyCreate(),
			rule.DenyDelete(),
			rule.Filter(rule.AccountScope),
		},
	}
}
