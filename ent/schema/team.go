package schema

import (
	"carrierdesk/ent/privacy"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/rule"
	"carrierdesk/internal/sla"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Team is a group of reps with a manager.
type Team struct{ ent.Schema }

func (Team) Mixin() []ent.Mixin { return base("Team", Team{}.Fields) }

func (Team) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").
			NotEmpty().
			MaxRuneLen(120).
			Unique().
			Comment("Team name. At most 120 characters.").
			Annotations(entgql.OrderField("NAME")),
		field.Enum("region").
			GoType(enum.Region("")).
			Comment("Region the team covers.").
			Annotations(entgql.OrderField("REGION"), entgql.Type("Region")),
		field.String("manager_id").
			Optional().
			Nillable().
			Comment("The rep who manages the team."),
		field.String("time_zone").
			MaxRuneLen(64).
			Optional().
			Nillable().
			Validate(sla.ValidZone).
			Comment("IANA time zone of the SLA calendar of the accounts the team supports, unless an account has its own; empty: America/Chicago. At most 64 characters."),
	}
}

func (Team) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("manager", Rep.Type).
			Ref("managed_teams").
			Field("manager_id").
			Unique().
			Comment("The rep who manages the team."),
		edge.To("members", Rep.Type).
			Comment("Reps on the team.").
			Annotations(connection()...),
	}
}

func (Team) Indexes() []ent.Index {
	return []ent.Index{index.Fields("manager_id")}
}

func (Team) Annotations() []schema.Annotation {
	return api("A group of reps led by a manager.", true)
}

// Policy: reads are narrowed to what the viewer may see; writes follow the rules in order.
func (Team) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			rule.DenyIfNoViewer(),
			rule.Filter(rule.TeamScope),
		},
		Mutation: privacy.MutationPolicy{
			rule.DenyIfNoViewer(),
			rule.AllowIfAdmin(),
			rule.DenyUnlessRole(enum.RoleManager),
			rule.DenyCreate(),
			rule.DenyDelete(),
			rule.FilterManagedTeams(),
		},
	}
}
