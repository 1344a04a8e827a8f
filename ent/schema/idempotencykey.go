package schema

import (
	"carrierdesk/ent/privacy"
	"carrierdesk/internal/rule"
	"entgo.io/contrib/entgql"

	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// IdempotencyKey remembers a mutation a client sent with an Idempotency-Key,
// and the response it got, so that a retry returns the first result instead
// of writing again. It is written in the mutation's own transaction: if the
// mutation did not commit, neither did its key.
type IdempotencyKey struct{ ent.Schema }

func (IdempotencyKey) Mixin() []ent.Mixin { return []ent.Mixin{idMixin{typ: "IdempotencyKey"}} }

func (IdempotencyKey) Fields() []ent.Field {
	return []ent.Field{
		field.Time("created_at").
			Default(now).
			Immutable().
			Comment("When the first request with this key was made."),
		field.String("subject").
			Immutable().
			Comment("The viewer who sent it: keys are per user."),
		field.String("key").
			MaxLen(255).
			Immutable().
			Comment("The client's Idempotency-Key."),
		field.String("request_hash").
			Immutable().
			Comment("SHA-256 of the operation and its variables: the same key with other input is refused."),
		field.Text("response").
			Optional().
			Comment("The response of the first request, replayed to retries."),
	}
}

func (IdempotencyKey) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("subject", "key").Unique(),
		index.Fields("created_at"),
	}
}

func (IdempotencyKey) Annotations() []schema.Annotation {
	return []schema.Annotation{
		schema.Comment("A remembered mutation for safe retries. Internal: not in the API."),
		entgql.Skip(entgql.SkipAll),
	}
}

// Policy: only the program reads and writes keys.
func (IdempotencyKey) Policy() ent.Policy {
	return privacy.Policy{
		Query:    privacy.QueryPolicy{privacy.AlwaysDenyRule()},
		Mutation: privacy.MutationPolicy{rule.AlwaysForbid()},
	}
}
