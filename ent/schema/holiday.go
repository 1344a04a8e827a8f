package schema

import (
	"carrierdesk/ent/privacy"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/rule"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Holiday is a day without business hours on the SLA calendar.
type Holiday struct{ ent.Schema }

func (Holiday) Mixin() []ent.Mixin { return base("Holiday", Holiday{}.Fields) }

func (Holiday) Fields() []ent.Field {
	return []ent.Field{
		field.Time("date").
			GoType(calendarDay).
			SchemaType(dateColumn).
			Comment("The calendar day, in each account's own time zone.").
			Annotations(dateScalar, entgql.OrderField("DATE")),
		field.String("name").
			NotEmpty().
			MaxRuneLen(120).
			Comment("What the holiday is, such as \"Thanksgiving Day\". At most 120 characters.").
			Annotations(entgql.OrderField("NAME")),
		field.Enum("region").
			GoType(enum.Region("")).
			Optional().
			Nillable().
			Comment("The sales region whose accounts observe it; empty: every region.").
			Annotations(entgql.Type("Region")),
	}
}

func (Holiday) Indexes() []ent.Index {
	return []ent.Index{index.Fields("date")}
}

func (Holiday) Annotations() []schema.Annotation {
	return api("A day without business hours: business-day SLA targets (SEV3, SEV4, special pricing) skip it. Admins maintain the list; staff read it.", true)
}

// Policy: staff read the calendar; only admins change it.
func (Holiday) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			rule.DenyIfNoViewer(),
			rule.Filter(rule.HolidayScope),
		},
		Mutation: privacy.MutationPolicy{
			rule.DenyIfNoViewer(),
			rule.DenyDelete(),
			rule.AllowIfAdmin(),
			rule.AlwaysForbid(),
		},
	}
}
