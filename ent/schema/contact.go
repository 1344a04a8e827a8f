package schema

import (
	"carrierdesk/ent/privacy"
	"carrierdesk/internal/rule"
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Contact is a person at a carrier; carrier users log in as contacts.
type Contact struct{ ent.Schema }

func (Contact) Mixin() []ent.Mixin { return base("Contact", Contact{}.Fields) }

func (Contact) Fields() []ent.Field {
	return []ent.Field{
		field.String("carrier_id").
			Immutable().
			Comment("The carrier this contact works for."),
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
		field.String("phone").
			Optional().
			MaxRuneLen(40).
			Comment("Phone number as the contact gives it. At most 40 characters."),
		field.String("title").
			Optional().
			MaxRuneLen(120).
			Comment("Job title. At most 120 characters."),
		field.Bool("active").
			Default(true).
			Comment("Inactive contacts cannot log in."),
	}
}

func (Contact) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("carrier", Carrier.Type).
			Ref("contacts").
			Field("carrier_id").
			Unique().
			Required().
			Immutable().
			Comment("The carrier this contact works for.").
			Annotations(entgql.OrderField("CARRIER_NAME")),
		edge.To("raised_escalations", Escalation.Type).
			Comment("Escalations this contact raised.").
			Annotations(connection()...),
	}
}

func (Contact) Indexes() []ent.Index {
	return []ent.Index{index.Fields("carrier_id")}
}

func (Contact) Annotations() []schema.Annotation {
	return api("A person at a carrier client. Carrier users log in as contacts and see only their own carrier.", true)
}

// Policy: reads are narrowed to what the viewer may see; writes follow the rules in order.
func (Contact) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			rule.DenyIfNoViewer(),
			rule.Filter(rule.ContactScope),
		},
		Mutation: privacy.MutationPolicy{
			rule.DenyIfNoViewer(),
			// Contacts are carrier users' logins: setting them up is an admin's job.
			rule.AllowIfAdmin(),
			rule.AlwaysForbid(),
		},
	}
}
