package schema

import (
	"carrierdesk/ent/privacy"
	"carrierdesk/internal/rule"
	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// EscalationEvent is one entry on an escalation's timeline. Events are written
// by the escalation workflow and never changed.
type EscalationEvent struct{ ent.Schema }

func (EscalationEvent) Mixin() []ent.Mixin { return base("EscalationEvent", EscalationEvent{}.Fields) }

func (EscalationEvent) Fields() []ent.Field {
	return []ent.Field{
		field.String("escalation_id").
			Immutable().
			Comment("The escalation this event belongs to."),
		field.Enum("kind").
			NamedValues(
				"Created", "CREATED",
				"Comment", "COMMENT",
				"StatusChange", "STATUS_CHANGE",
				"Reassignment", "REASSIGNMENT",
				"LevelChange", "LEVEL_CHANGE",
				"SLABreach", "SLA_BREACH",
			).
			Immutable().
			Comment("What happened.").
			Annotations(entgql.OrderField("KIND")),
		field.Bool("internal").
			Default(false).
			Immutable().
			Comment("Internal events are never shown to the carrier."),
		field.Text("body").
			Optional().
			MaxRuneLen(4000).
			Immutable().
			Comment("The comment, or a note on the change. At most 4,000 characters."),
		field.String("from_value").
			Optional().
			MaxRuneLen(200).
			Immutable().
			Comment("The value before a change (status, level or owner). At most 200 characters."),
		field.String("to_value").
			Optional().
			MaxRuneLen(200).
			Immutable().
			Comment("The value after a change. At most 200 characters."),
		field.String("actor_rep_id").
			Optional().
			Nillable().
			Immutable().
			Comment("The rep who acted, if a rep did."),
		field.String("actor_contact_id").
			Optional().
			Nillable().
			Immutable().
			Comment("The carrier contact who acted, if a contact did."),
		// Subscribers page through events in commit order, which neither the
		// ID nor the creation time follows: on PostgreSQL each event carries
		// its transaction's ID, which snapshots place exactly (package events);
		// SQLite commits one writer at a time, so its rowid is in commit order.
		field.Int64("commit_txid").
			Optional().
			Nillable().
			Immutable().
			Comment("PostgreSQL transaction that wrote the event; empty on SQLite.").
			Annotations(
				entsql.DefaultExprs(map[string]string{dialect.Postgres: "(pg_current_xact_id()::text)::bigint"}),
				entgql.Skip(entgql.SkipAll),
			),
	}
}

func (EscalationEvent) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("escalation", Escalation.Type).
			Ref("events").
			Field("escalation_id").
			Unique().
			Required().
			Immutable().
			Comment("The escalation this event belongs to."),
		edge.To("actor_rep", Rep.Type).
			Field("actor_rep_id").
			Unique().
			Immutable().
			Comment("The rep who acted, if a rep did."),
		edge.To("actor_contact", Contact.Type).
			Field("actor_contact_id").
			Unique().
			Immutable().
			Comment("The carrier contact who acted, if a contact did."),
	}
}

func (EscalationEvent) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("escalation_id", "created_at"),
		index.Fields("commit_txid", "id"),
	}
}

func (EscalationEvent) Annotations() []schema.Annotation {
	return api("One entry on an escalation's timeline: creation, a comment, a change of status, owner or level, or an SLA breach.", false)
}

// Policy: reads are narrowed to what the viewer may see; writes follow the rules in order.
func (EscalationEvent) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			rule.DenyIfNoViewer(),
			rule.Filter(rule.EscalationEventScope),
		},
		Mutation: privacy.MutationPolicy{
			rule.DenyIfNoViewer(),
			// Events are written only by the escalation workflow, under its own decision.
			rule.AlwaysForbid(),
		},
	}
}
