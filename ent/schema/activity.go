package schema

import (
	"carrierdesk/ent/privacy"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/rule"
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Activity is something a rep did on an account.
type Activity struct{ ent.Schema }

func (Activity) Mixin() []ent.Mixin { return base("Activity", Activity{}.Fields) }

func (Activity) Fields() []ent.Field {
	return []ent.Field{
		field.String("account_id").
			Immutable().
			Comment("The account worked on."),
		field.String("rep_id").
			Immutable().
			Comment("The rep who did it."),
		field.Enum("kind").
			NamedValues("Meeting", "MEETING", "Call", "CALL", "Email", "EMAIL", "SiteVisit", "SITE_VISIT", "Note", "NOTE").
			Comment("Face-to-face meeting, call, e-mail, site visit or note.").
			Annotations(entgql.OrderField("KIND")),
		field.Time("occurred_at").
			Comment("When it happened.").
			Annotations(entgql.OrderField("OCCURRED_AT")),
		field.String("location").
			Optional().
			MaxRuneLen(200).
			Comment("Where it happened, for meetings and visits. At most 200 characters."),
		field.Text("summary").
			NotEmpty().
			MaxRuneLen(4000).
			Comment("What was done or said. At most 4,000 characters."),
	}
}

func (Activity) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("account", Account.Type).
			Ref("activities").
			Field("account_id").
			Unique().
			Required().
			Immutable().
			Comment("The account worked on."),
		edge.From("rep", Rep.Type).
			Ref("activities").
			Field("rep_id").
			Unique().
			Required().
			Immutable().
			Comment("The rep who did it."),
	}
}

func (Activity) Indexes() []ent.Index {
	return []ent.Index{index.Fields("account_id", "occurred_at"), index.Fields("rep_id", "occurred_at")}
}

func (Activity) Annotations() []schema.Annotation {
	return api("What a rep did on an account: a meeting, call, e-mail, site visit or note. Internal only.", true)
}

// Policy: reads are narrowed to what the viewer may see; writes follow the rules in order.
func (Activity) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			rule.DenyIfNoViewer(),
			rule.Filter(rule.ActivityScope),
		},
		Mutation: privacy.MutationPolicy{
			rule.DenyIfNoViewer(),
			rule.AllowIfAdmin(),
			rule.DenyIfRole(enum.RoleAnalyst, enum.RoleCarrier),
			rule.DenyDelete(),
			rule.Filter(rule.ActivityScope),
		},
	}
}
