package schema

import (
	"carrierdesk/ent/privacy"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/rule"
	"regexp"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// BusinessReview is a quarterly business review (QBR) with a carrier.
type BusinessReview struct{ ent.Schema }

func (BusinessReview) Mixin() []ent.Mixin { return base("BusinessReview", BusinessReview{}.Fields) }

func (BusinessReview) Fields() []ent.Field {
	return []ent.Field{
		field.String("account_id").
			Immutable().
			Comment("The account reviewed."),
		field.String("quarter").
			MaxRuneLen(7).
			Match(regexp.MustCompile(`^20[0-9]{2}-Q[1-4]$`)).
			Comment("Quarter reviewed, such as \"2026-Q3\".").
			Annotations(entgql.OrderField("QUARTER")),
		field.Enum("status").
			NamedValues("Scheduled", "SCHEDULED", "Held", "HELD", "Cancelled", "CANCELLED").
			Default("SCHEDULED").
			Comment("Whether the review is planned, took place or was cancelled.").
			Annotations(entgql.OrderField("STATUS")),
		field.Time("scheduled_at").
			Comment("When the review takes place.").
			Annotations(entgql.OrderField("SCHEDULED_AT")),
		field.Strings("attendees").
			Optional().
			// json rather than ent's jsonb: the server sends []byte arguments
			// in binary (lib/pq's binary_parameters), and jsonb's binary form
			// starts with a version byte that json's, its plain text, lacks.
			SchemaType(map[string]string{dialect.Postgres: "json"}).
			Validate(eachAtMost(50, 200)).
			Comment("Who attends, by name: at most 50 names of at most 200 characters each."),
		field.Text("agenda").
			Optional().
			MaxRuneLen(10000).
			Comment("Agenda: MRC trend, open quotes and SPARCs, order KPIs, tickets, billing disputes, renewals. At most 10,000 characters."),
		field.Text("outcomes").
			Optional().
			MaxRuneLen(10000).
			Comment("What was agreed. At most 10,000 characters."),
	}
}

func (BusinessReview) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("account", Account.Type).
			Ref("business_reviews").
			Field("account_id").
			Unique().
			Required().
			Immutable().
			Comment("The account reviewed."),
	}
}

func (BusinessReview) Indexes() []ent.Index {
	return []ent.Index{index.Fields("account_id", "scheduled_at"), index.Fields("scheduled_at")}
}

func (BusinessReview) Annotations() []schema.Annotation {
	return api("A quarterly business review (QBR) with a carrier on an account.", true)
}

// Policy: reads are narrowed to what the viewer may see; writes follow the rules in order.
func (BusinessReview) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			rule.DenyIfNoViewer(),
			rule.Filter(rule.BusinessReviewScope),
		},
		Mutation: privacy.MutationPolicy{
			rule.DenyIfNoViewer(),
			rule.AllowIfAdmin(),
			rule.DenyIfRole(enum.RoleAnalyst, enum.RoleCarrier),
			rule.DenyDelete(),
			rule.Filter(rule.BusinessReviewScope),
		},
	}
}
