package schema

import (
	"carrierdesk/ent/hook"
	"carrierdesk/ent/privacy"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/rule"
	"carrierdesk/internal/workflow"
	"entgo.io/ent/dialect/entsql"

	"regexp"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Order is an ASR (circuit order) or LSR (number port) placed by a carrier.
type Order struct{ ent.Schema }

func (Order) Mixin() []ent.Mixin { return base("Order", Order{}.Fields) }

func (Order) Fields() []ent.Field {
	return []ent.Field{
		field.String("account_id").
			Immutable().
			Comment("The account the order is on."),
		field.String("carrier_id").
			Immutable().
			Comment("The carrier placing the order; always the account's carrier.").
			Annotations(derived()),
		field.Enum("kind").
			NamedValues("ASR", "ASR", "LSR", "LSR").
			Immutable().
			Comment("ASR orders circuits; LSR ports telephone numbers.").
			Annotations(entgql.OrderField("KIND")),
		field.String("pon").
			NotEmpty().
			MaxRuneLen(16).
			Match(regexp.MustCompile(`^[A-Za-z0-9-]+$`)).
			Immutable().
			Comment("Purchase order number: the carrier's key for the order, up to 16 letters, digits or dashes; unique per carrier ignoring case (LMN-2026-0001 and lmn-2026-0001 are the same PON: CONFLICT on pon).").
			Annotations(entgql.OrderField("PON")),
		field.Enum("status").
			NamedValues(
				"Draft", "DRAFT",
				"Submitted", "SUBMITTED",
				"Clarification", "CLARIFICATION",
				"Confirmed", "CONFIRMED",
				"Completed", "COMPLETED",
				"Cancelled", "CANCELLED",
				"Rejected", "REJECTED",
			).
			Default("DRAFT").
			Comment("Where the order is; changed only by workflow mutations.").
			Annotations(entgql.OrderField("STATUS"), workflowStatus()),
		field.Time("desired_due_date").
			GoType(calendarDay).
			SchemaType(dateColumn).
			Comment("DDD: the date the carrier wants service; never in the past when written.").
			Annotations(dateScalar, entgql.OrderField("DESIRED_DUE_DATE")),
		field.Time("foc_date").
			GoType(calendarDay).
			SchemaType(dateColumn).
			Optional().
			Nillable().
			Comment("FOC: the day the firm order confirmation was given: on or after the day of submission (submittedAt).").
			Annotations(dateScalar, entgql.OrderField("FOC_DATE"), workflowStatus()),
		field.Time("confirmed_due_date").
			GoType(calendarDay).
			SchemaType(dateColumn).
			Optional().
			Nillable().
			Comment("The due date committed in the FOC: on or after the FOC date, never in the past when written.").
			Annotations(dateScalar, entgql.OrderField("CONFIRMED_DUE_DATE"), workflowStatus()),
		field.Time("completed_at").
			Optional().
			Nillable().
			Comment("When the order was completed.").
			Annotations(entgql.OrderField("COMPLETED_AT"), workflowStatus()),
		field.String("circuit_id").
			Optional().
			MaxRuneLen(53).
			Comment("Circuit ID exactly as assigned, up to 53 characters; stored verbatim, never normalised."),
		field.Int("tn_count").
			Default(0).
			Range(0, 100000).
			Comment("Telephone numbers to port: at least one on an LSR, none on an ASR."),
		field.Time("submitted_at").
			Optional().
			Nillable().
			Comment("When the order was last submitted (submitOrder); the FOC target counts from it.").
			Annotations(entgql.OrderField("SUBMITTED_AT"), workflowStatus()),
		field.String("pon_key").
			Immutable().
			Comment("The PON in capitals: the key that makes PONs unique per carrier ignoring case.").
			Annotations(entgql.Skip(entgql.SkipAll)),
		field.Bool("foc_met").
			Optional().
			Nillable().
			Comment("Whether the FOC came within the target of business days after submission (5 unless configured otherwise); null until the FOC.").
			Annotations(derived()),
		field.Bool("due_date_slipped").
			Default(false).
			Comment("Whether the due date slipped: the confirmed due date is later than the DDD, or the order was completed after its confirmed due date.").
			Annotations(derived()),
		field.String("quote_id").
			Optional().
			Nillable().
			Comment("The quote the order fulfils, if any."),
		field.Text("status_note").
			Optional().
			MaxRuneLen(4000).
			Comment("Why the last workflow action was taken, such as a rejection reason. At most 4,000 characters.").
			Annotations(workflowStatus()),
	}
}

func (Order) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("account", Account.Type).
			Ref("orders").
			Field("account_id").
			Unique().
			Required().
			Immutable().
			Comment("The account the order is on."),
		edge.From("carrier", Carrier.Type).
			Ref("orders").
			Field("carrier_id").
			Unique().
			Required().
			Immutable().
			Comment("The carrier placing the order.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput)),
		edge.From("quote", Quote.Type).
			Ref("orders").
			Field("quote_id").
			Unique().
			Comment("The quote the order fulfils, if any."),
	}
}

func (Order) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("carrier_id", "pon_key").Unique(),
		index.Fields("account_id", "status"),
		index.Fields("status", "desired_due_date"),
		index.Fields("quote_id"),
		// The portfolio's order KPIs count over every order from these
		// columns alone.
		index.Fields("status", "foc_met").Annotations(entsql.IncludeColumns(
			"completed_at", "confirmed_due_date", "desired_due_date", "due_date_slipped")),
	}
}

func (Order) Hooks() []ent.Hook {
	return []ent.Hook{
		statusFollowsWorkflow(workflow.Order),
		hook.On(orderCarrier, ent.OpCreate),
		timesInOrder("foc_date", "confirmed_due_date", true),
		orderRules}
}

func (Order) Annotations() []schema.Annotation {
	return append(api("An ASR (Access Service Request, for circuits) or LSR (Local Service Request, for number porting) on an account. A COMPLETED order is immutable for every writer.", true),
		ordered("foc_date", "confirmed_due_date", true))
}

// Policy: reads are narrowed to what the viewer may see; writes follow the rules in order.
func (Order) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			rule.DenyIfNoViewer(),
			rule.Filter(rule.OrderScope),
		},
		Mutation: privacy.MutationPolicy{
			rule.DenyIfNoViewer(),
			rule.AllowIfAdmin(),
			rule.DenyIfRole(enum.RoleAnalyst, enum.RoleCarrier),
			rule.DenyDelete(),
			rule.Filter(rule.OrderScope),
		},
	}
}
