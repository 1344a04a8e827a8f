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

// AuditEntry records one change to one record: who, when, through which
// operation, and (in its changes) which fields went from what to what.
// Entries are written by the auditTrail hook only, and never changed.
type AuditEntry struct{ ent.Schema }

func (AuditEntry) Mixin() []ent.Mixin { return []ent.Mixin{idMixin{typ: "AuditEntry"}} }

func (AuditEntry) Fields() []ent.Field {
	return []ent.Field{
		field.Time("created_at").
			Default(now).
			Immutable().
			Comment("When the change was made (UTC).").
			Annotations(entgql.OrderField("CREATED_AT")),
		field.String("entity_type").
			Immutable().
			Comment("Type of the changed record, such as \"Quote\".").
			Annotations(entgql.OrderField("ENTITY_TYPE")),
		field.String("entity_id").
			Immutable().
			Comment("ID of the changed record."),
		field.Enum("operation").
			NamedValues("Create", "CREATE", "Update", "UPDATE", "Delete", "DELETE").
			Immutable().
			Comment("What happened to the record."),
		field.String("action").
			Optional().
			Immutable().
			Comment("The workflow action, such as \"quote.approve\"; empty for plain edits."),
		field.String("api_operation").
			Immutable().
			Comment("The API operation that made the change, such as \"mutation approveQuote\", or \"system\"."),
		field.String("actor_id").
			Optional().
			Immutable().
			Comment("The rep or contact who made the change; empty for the system."),
		field.String("actor_role").
			Optional().
			Immutable().
			Comment("The role the actor acted in, such as MANAGER or CARRIER."),
	}
}

func (AuditEntry) Edges() []ent.Edge {
	return []ent.Edge{
		edge.To("changes", AuditChange.Type).
			Comment("The fields changed, from what to what.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

func (AuditEntry) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("entity_type", "entity_id", "created_at"),
		index.Fields("actor_id", "created_at"),
		index.Fields("created_at"),
	}
}

func (AuditEntry) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("One change to one record in the audit trail: what one mutation (or one write of the system) did to it, everything its rules and workflow wrote to the record included. Readable by admins and managers."),
		entgql.QueryField(),
		entgql.RelayConnection(),
		entgql.MultiOrder(),
	}
}

// Policy: admins and managers read the trail; nobody writes it but the hook.
func (AuditEntry) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			rule.DenyIfNoViewer(),
			rule.Filter(rule.AuditEntryScope),
		},
		Mutation: privacy.MutationPolicy{
			rule.AlwaysForbid(),
		},
	}
}

// AuditChange is one field of an audited change.
type AuditChange struct{ ent.Schema }

func (AuditChange) Mixin() []ent.Mixin { return []ent.Mixin{idMixin{typ: "AuditChange"}} }

func (AuditChange) Fields() []ent.Field {
	return []ent.Field{
		field.String("entry_id").
			Immutable().
			Comment("The audit entry."),
		field.String("field").
			Immutable().
			Comment("The field, in the API's spelling, such as \"status\"."),
		field.Text("from_value").
			Optional().
			Nillable().
			Immutable().
			Comment("The value before, as text; empty for a new record."),
		field.Text("to_value").
			Optional().
			Nillable().
			Immutable().
			Comment("The value after, as text; empty when cleared or deleted."),
	}
}

func (AuditChange) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("entry", AuditEntry.Type).
			Ref("changes").
			Field("entry_id").
			Unique().
			Required().
			Immutable().
			Comment("The audit entry."),
	}
}

func (AuditChange) Indexes() []ent.Index {
	return []ent.Index{index.Fields("entry_id"), index.Fields("field")}
}

func (AuditChange) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("One field of an audited change: from what to what."),
	}
}

// Policy: as the entries.
func (AuditChange) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			rule.DenyIfNoViewer(),
			rule.Filter(rule.AuditChangeScope),
		},
		Mutation: privacy.MutationPolicy{
			rule.AlwaysForbid(),
		},
	}
}
