package schema

import (
	"time"

	"carrierdesk/internal/ids"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/mixin"
)

// idMixin gives an entity an opaque, prefixed string ID (see package ids).
type idMixin struct {
	mixin.Schema
	typ string
}

func (m idMixin) Fields() []ent.Field {
	return []ent.Field{
		field.String("id").
			DefaultFunc(ids.NewFunc(m.typ)).
			MaxLen(ids.Len).
			NotEmpty().
			Immutable().
			Comment("Opaque global ID; resolves through node(id:)."),
	}
}

// now is the clock for created and updated times: UTC, microsecond precision,
// which is what PostgreSQL keeps, so a value read back equals the value written.
func now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

// trackedMixin gives an entity what every client-editable entity has: a
// version for optimistic concurrency, foreign keys that must name visible
// records of the right type, and an audit trail of every change.
// fields are the entity's own fields, whose input rules inputIsValid applies.
type trackedMixin struct {
	mixin.Schema
	fields func() []ent.Field
}

func (m trackedMixin) Hooks() []ent.Hook {
	return []ent.Hook{inputIsValid(m.fields), referencesExist, versioned, auditTrail}
}

// Fields of tracked entities: the version every update increments.
func (trackedMixin) Fields() []ent.Field {
	return []ent.Field{
		field.Int("version").
			Default(1).
			Comment("Moves by one with each mutation that changes the record, however many fields and rules it touches (never for one that changes nothing). Pass it as expectedVersion to change only what you last saw: a record that has moved on since is CONFLICT, with extensions.currentVersion.").
			Annotations(derived()),
	}
}

// timeMixin records when a row was created and last updated.
type timeMixin struct{ mixin.Schema }

func (timeMixin) Fields() []ent.Field {
	return []ent.Field{
		field.Time("created_at").
			Default(now).
			Immutable().
			Comment("When the record was created (UTC).").
			Annotations(
				entgql.OrderField("CREATED_AT"),
				entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
			),
		field.Time("updated_at").
			Default(now).
			UpdateDefault(now).
			Comment("When the record was last changed (UTC).").
			Annotations(
				entgql.OrderField("UPDATED_AT"),
				entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
			),
	}
}

// base is the mixin list every entity starts from; fields are the entity's own.
func base(typ string, fields func() []ent.Field) []ent.Mixin {
	return []ent.Mixin{idMixin{typ: typ}, timeMixin{}, trackedMixin{fields: fields}}
}

// api annotates an entity for the GraphQL API: a description, a Relay connection
// at the root with multi-field ordering, and create/update mutations when editable.
func api(description string, editable bool) []schema.Annotation {
	a := []schema.Annotation{
		schema.Comment(description),
		entgql.QueryField(),
		entgql.RelayConnection(),
		entgql.MultiOrder(),
	}
	if editable {
		a = append(a, entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()))
	}
	return a
}

// workflowStatus is a status that only workflow mutations change, never
// generic create or update inputs.
func workflowStatus() schema.Annotation {
	return entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)
}

// connection annotates a to-many edge as a Relay connection that clients read
// but never rewire through create or update inputs: a child moves to another
// parent only through its own mutation, where its rules apply.
func connection() []schema.Annotation {
	return []schema.Annotation{
		entgql.RelayConnection(),
		entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput),
	}
}

// derived marks a field the program computes; clients read it but never set it.
func derived() schema.Annotation {
	return entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)
}

// internalOnly marks a field carriers may never read or filter on: asking for
// it as a carrier is a FORBIDDEN error on that field (@internal).
func internalOnly() schema.Annotation {
	return entgql.Directives(entgql.NewDirective("internal"))
}
