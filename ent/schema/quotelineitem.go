package schema

import (
	"carrierdesk/ent/hook"
	"carrierdesk/ent/privacy"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/rule"

	"regexp"

	"carrierdesk/internal/money"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// clliPattern is an 11-character CLLI/ACTL location code.
var clliPattern = regexp.MustCompile(`^[A-Z0-9]{11}$`)

// QuoteLineItem is one priced line of a quote.
type QuoteLineItem struct{ ent.Schema }

func (QuoteLineItem) Mixin() []ent.Mixin { return base("QuoteLineItem", QuoteLineItem{}.Fields) }

func (QuoteLineItem) Fields() []ent.Field {
	return []ent.Field{
		field.String("quote_id").
			Immutable().
			Comment("The quote this line belongs to."),
		field.Enum("product").
			NamedValues(
				"InternetAccess", "INTERNET_ACCESS",
				"Ethernet", "ETHERNET",
				"Wavelength", "WAVELENGTH",
				"DarkFiber", "DARK_FIBER",
				"Voice", "VOICE",
				"Video", "VIDEO",
			).
			Comment("Product offered.").
			Annotations(entgql.OrderField("PRODUCT")),
		field.String("bandwidth").
			Optional().
			MaxRuneLen(32).
			Comment("Bandwidth as sold, such as \"10 Gbps\"; empty for dark fiber and voice. At most 32 characters."),
		field.String("a_location").
			NotEmpty().
			MaxRuneLen(200).
			Comment("A end: street address or site name. At most 200 characters."),
		field.String("a_clli").
			MaxRuneLen(11).
			Optional().
			Match(clliPattern).
			Comment("A end CLLI/ACTL code, 11 characters."),
		field.String("z_location").
			Optional().
			MaxRuneLen(200).
			Comment("Z end, for point-to-point services. At most 200 characters."),
		field.String("z_clli").
			MaxRuneLen(11).
			Optional().
			Match(clliPattern).
			Comment("Z end CLLI/ACTL code, 11 characters."),
		field.Int64("mrc").
			GoType(money.Amount(0)).
			Min(0).
			Comment("Monthly recurring charge per unit.").
			Annotations(entgql.OrderField("MRC"), entgql.Type("Money")),
		field.Int64("nrc").
			GoType(money.Amount(0)).
			Default(0).
			Min(0).
			Comment("Non-recurring charge per unit.").
			Annotations(entgql.OrderField("NRC"), entgql.Type("Money")),
		field.Int64("special_line_mrc").
			GoType(money.Amount(0)).
			Optional().
			Nillable().
			Comment("The line's monthly charge for all its units under the quote's approved special price: the special price spread over the lines in proportion to MRC times quantity, in whole cents, the rounding remainder on the largest line, so the lines add up to the quote's MRC exactly. Empty without a special price.").
			Annotations(entgql.Type("Money"), derived()),
		field.Int("quantity").
			Default(1).
			Range(1, 10000).
			Comment("Number of units (1 to 10,000).").
			Annotations(entgql.OrderField("QUANTITY")),
	}
}

func (QuoteLineItem) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("quote", Quote.Type).
			Ref("line_items").
			Field("quote_id").
			Unique().
			Required().
			Immutable().
			Comment("The quote this line belongs to."),
	}
}

func (QuoteLineItem) Indexes() []ent.Index {
	return []ent.Index{index.Fields("quote_id")}
}

func (QuoteLineItem) Annotations() []schema.Annotation {
	return api("One priced line of a quote: product, bandwidth, A and Z locations, charges and quantity.", true)
}

func (QuoteLineItem) Hooks() []ent.Hook {
	return []ent.Hook{
		hook.On(lineItemsFrozen, ent.OpCreate|ent.OpUpdate|ent.OpUpdateOne|ent.OpDelete|ent.OpDeleteOne),
		hook.On(syncQuoteTotals, ent.OpCreate|ent.OpUpdate|ent.OpUpdateOne|ent.OpDelete|ent.OpDeleteOne),
	}
}

// Policy: reads are narrowed to what the viewer may see; writes follow the rules in order.
func (QuoteLineItem) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			rule.DenyIfNoViewer(),
			rule.Filter(rule.QuoteLineItemScope),
		},
		Mutation: privacy.MutationPolicy{
			rule.DenyIfNoViewer(),
			rule.AllowIfAdmin(),
			rule.DenyIfRole(enum.RoleAnalyst, enum.RoleCarrier),
			rule.DenyDelete(),
			rule.Filter(rule.QuoteLineItemScope),
		},
	}
}
