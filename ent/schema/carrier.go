package schema

import (
	"carrierdesk/ent/privacy"
	"carrierdesk/internal/rule"
	"regexp"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Carrier is a wholesale client: another telecom carrier.
type Carrier struct{ ent.Schema }

func (Carrier) Mixin() []ent.Mixin { return base("Carrier", Carrier{}.Fields) }

func (Carrier) Fields() []ent.Field {
	return []ent.Field{
		field.String("name").
			NotEmpty().
			MaxRuneLen(200).
			Comment("Legal or trading name of the carrier. At most 200 characters.").
			Annotations(entgql.OrderField("NAME")),
		field.String("ocn").
			MaxRuneLen(4).
			Match(regexp.MustCompile(`^[0-9A-Z]{4}$`)).
			Unique().
			Comment("Operating Company Number: four characters, digits or capital letters.").
			Annotations(entgql.OrderField("OCN")),
		field.String("ccna").
			MaxRuneLen(3).
			Match(regexp.MustCompile(`^[A-Z]{3}$`)).
			Unique().
			Comment("Carrier code used on ASRs: three capital letters.").
			Annotations(entgql.OrderField("CCNA")),
		field.Enum("tier").
			NamedValues("Tier1", "TIER_1", "Tier2", "TIER_2", "Tier3", "TIER_3").
			Default("TIER_2").
			Comment("Commercial tier of the carrier.").
			Annotations(entgql.OrderField("TIER")),
		field.Enum("status").
			NamedValues("Active", "ACTIVE", "Inactive", "INACTIVE").
			Default("ACTIVE").
			Comment("Whether the carrier is a current client.").
			Annotations(entgql.OrderField("STATUS")),
	}
}

func (Carrier) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("accounts", Account.Type).
			Comment("The carrier's billing and service accounts.").
			Annotations(connection()...),
		edge.To("contacts", Contact.Type).
			Comment("People at the carrier who use carrierdesk.").
			Annotations(connection()...),
		edge.To("orders", Order.Type).
			Comment("Orders across all of the carrier's accounts.").
			Annotations(connection()...),
	}
}

func (Carrier) Indexes() []ent.Index {
	return []ent.Index{index.Fields("name")}
}

func (Carrier) Annotations() []schema.Annotation {
	return api("A wholesale client: another telecom carrier buying access, Ethernet, wavelength, dark fiber, voice or video services.", true)
}

// Policy: reads are narrowed to what the viewer may see; writes follow the rules in order.
func (Carrier) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			rule.DenyIfNoViewer(),
			rule.Filter(rule.CarrierScope),
		},
		Mutation: privacy.MutationPolicy{
			rule.DenyIfNoViewer(),
			rule.AllowIfAdmin(),
			rule.AlwaysForbid(),
		},
	}
}
