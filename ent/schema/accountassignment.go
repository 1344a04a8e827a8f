package schema

import (
	"carrierdesk/ent/privacy"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/rule"
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// AccountAssignment records which rep works an account, in which capacity, and when.
// It links Account and Rep as an entity of its own rather than an ent edge
// schema: an edge schema allows one row per (account, rep), which would lose
// the history of a rep who leaves an account and later returns to it.
type AccountAssignment struct{ ent.Schema }

func (AccountAssignment) Mixin() []ent.Mixin {
	return base("AccountAssignment", AccountAssignment{}.Fields)
}

func (AccountAssignment) Fields() []ent.Field {
	return []ent.Field{
		field.String("account_id").
			Immutable().
			Comment("The account worked."),
		field.String("rep_id").
			Immutable().
			Comment("The rep working it."),
		field.Enum("capacity").
			NamedValues("Support", "SUPPORT", "Strategic", "STRATEGIC", "AccountExecutive", "ACCOUNT_EXECUTIVE").
			Immutable().
			Comment("In which capacity the rep works the account.").
			Annotations(entgql.OrderField("CAPACITY")),
		field.Time("started_at").
			Default(now).
			Immutable().
			Comment("When the assignment began.").
			Annotations(entgql.OrderField("STARTED_AT")),
		field.Time("ended_at").
			Optional().
			Nillable().
			Comment("When the assignment ended; empty while it is current.").
			Annotations(entgql.OrderField("ENDED_AT")),
	}
}

func (AccountAssignment) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("account", Account.Type).
			Ref("assignments").
			Field("account_id").
			Unique().
			Required().
			Immutable().
			Comment("The account worked."),
		edge.From("rep", Rep.Type).
			Ref("assignments").
			Field("rep_id").
			Unique().
			Required().
			Immutable().
			Comment("The rep working it.").
			Annotations(entgql.OrderField("REP_NAME")),
	}
}

func (AccountAssignment) Indexes() []ent.Index {
	return []ent.Index{
		// One current holder per account and capacity; ended assignments stay as history.
		index.Fields("account_id", "capacity").
			Unique().
			Annotations(entsql.IndexWhere("ended_at IS NULL")),
		index.Fields("rep_id", "ended_at"),
	}
}

func (AccountAssignment) Hooks() []ent.Hook {
	return []ent.Hook{timesInOrder("started_at", "ended_at", true)}
}

func (AccountAssignment) Annotations() []schema.Annotation {
	return append(api("A rep's assignment to an account in a capacity, with start and end. Ended assignments are kept as history.", true),
		ordered("started_at", "ended_at", true))
}

// Policy: reads are narrowed to what the viewer may see; writes follow the rules in order.
func (AccountAssignment) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			rule.DenyIfNoViewer(),
			rule.Filter(rule.AccountAssignmentScope),
		},
		Mutation: privacy.MutationPolicy{
			rule.DenyIfNoViewer(),
			rule.AllowIfAdmin(),
			rule.DenyUnlessRole(enum.RoleManager),
			rule.DenyDelete(),
			rule.DenyAssigningOutsideTeam(),
			rule.Filter(rule.AccountAssignmentScope),
		},
	}
}
