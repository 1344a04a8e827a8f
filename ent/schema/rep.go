package schema

import (
	"carrierdesk/ent/privacy"
	"carrierdesk/internal/rule"
	"regexp"

	"carrierdesk/ent/schema/enum"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// emailPattern is deliberately loose: one @, something on each side, a dot in the domain.
var emailPattern = regexp.MustCompile(`^[^@\s]+@[^@\s]+\.[^@\s]+$`)

// Rep is an internal person: a manager, a member of a support team, an analyst or an admin.
type Rep struct{ ent.Schema }

func (Rep) Mixin() []ent.Mixin { return base("Rep", Rep{}.Fields) }

func (Rep) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").
			NotEmpty().
			MaxRuneLen(200).
			Comment("Full name. At most 200 characters.").
			Annotations(entgql.OrderField("NAME")),
		field.String("email").
			Match(emailPattern).
			MaxRuneLen(254).
			Unique().
			Comment("Work e-mail address; also the login name. At most 254 characters.").
			Annotations(entgql.OrderField("EMAIL")),
		field.Enum("role").
			GoType(enum.Role("")).
			Comment("What the rep does, and so what they may see and do.").
			Annotations(entgql.OrderField("ROLE"), entgql.Type("Role")),
		field.Enum("region").
			GoType(enum.Region("")).
			Comment("Home region.").
			Annotations(entgql.OrderField("REGION"), entgql.Type("Region")),
		field.String("title").
			Optional().
			MaxRuneLen(120).
			Comment("Job title. At most 120 characters."),
		field.String("phone").
			Optional().
			MaxRuneLen(40).
			Comment("Phone number. At most 40 characters."),
		field.String("team_id").
			Optional().
			Nillable().
			Comment("The team the rep belongs to."),
		field.Bool("active").
			Default(true).
			Comment("Inactive reps cannot log in and get no new assignments."),
	}
}

func (Rep) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("team", Team.Type).
			Ref("members").
			Field("team_id").
			Unique().
			Comment("The team the rep belongs to.").
			Annotations(entgql.OrderField("TEAM_NAME")),
		edge.To("managed_teams", Team.Type).
			Comment("Teams this rep manages.").
			Annotations(connection()...),
		edge.To("assignments", AccountAssignment.Type).
			Comment("The rep's account assignments, past and present, with capacity and dates.").
			Annotations(connection()...),
		edge.To("owned_quotes", Quote.Type).
			Comment("Quotes the rep owns.").
			Annotations(connection()...),
		edge.To("owned_rfps", RFP.Type).
			Comment("RFPs the rep owns.").
			Annotations(connection()...),
		edge.To("owned_escalations", Escalation.Type).
			Comment("Escalations the rep owns.").
			Annotations(connection()...),
		edge.To("activities", Activity.Type).
			Comment("What the rep did: meetings, calls, e-mails, visits, notes.").
			Annotations(connection()...),
		edge.To("requested_pricing", SpecialPricingRequest.Type).
			Comment("Special pricing requests the rep raised.").
			Annotations(connection()...),
	}
}

func (Rep) Indexes() []ent.Index {
	return []ent.Index{index.Fields("team_id"), index.Fields("role")}
}

func (Rep) Annotations() []schema.Annotation {
	return api("An internal person: manager, account executive, support or strategic manager, analyst or admin.", true)
}

// Policy: reads are narrowed to what the viewer may see; writes follow the rules in order.
func (Rep) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			rule.DenyIfNoViewer(),
			rule.Filter(rule.RepScope),
		},
		Mutation: privacy.MutationPolicy{
			rule.DenyIfNoViewer(),
			rule.AllowIfAdmin(),
			rule.AlwaysForbid(),
		},
	}
}
