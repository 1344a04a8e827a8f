package schema

import (
	"carrierdesk/ent/hook"
	"carrierdesk/ent/privacy"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/ownership"
	"carrierdesk/internal/rule"
	"carrierdesk/internal/workflow"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/dialect/entsql"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Escalation is a problem raised by a carrier or an internal team.
type Escalation struct{ ent.Schema }

func (Escalation) Mixin() []ent.Mixin { return base("Escalation", Escalation{}.Fields) }

func (Escalation) Fields() []ent.Field {
	return []ent.Field{
		field.String("account_id").
			Immutable().
			Comment("The account the problem is on."),
		field.String("title").
			NotEmpty().
			MaxRuneLen(200).
			Comment("One-line statement of the problem. At most 200 characters.").
			Annotations(entgql.OrderField("TITLE")),
		field.Text("description").
			Optional().
			MaxRuneLen(10000).
			Comment("The problem in detail. At most 10,000 characters."),
		field.Enum("category").
			NamedValues(
				"Billing", "BILLING",
				"ServiceAssurance", "SERVICE_ASSURANCE",
				"Order", "ORDER",
				"Portability", "PORTABILITY",
				"Contract", "CONTRACT",
				"Other", "OTHER",
			).
			Comment("What kind of problem it is.").
			Annotations(entgql.OrderField("CATEGORY")),
		field.Enum("severity").
			NamedValues("Sev1", "SEV1", "Sev2", "SEV2", "Sev3", "SEV3", "Sev4", "SEV4").
			Comment("SEV1 outage (2 h to restore, 24x7), SEV2 severe impairment (4 h, 24x7), SEV3 degradation or billing error (1 business day), SEV4 question (3 business days); business days follow the account's calendar: its time zone, 08:00-18:00 Monday to Friday, holidays excepted.").
			Annotations(entgql.OrderField("SEVERITY")),
		field.Enum("status").
			NamedValues(
				"Open", "OPEN",
				"Acknowledged", "ACKNOWLEDGED",
				"InProgress", "IN_PROGRESS",
				"PendingClient", "PENDING_CLIENT",
				"Resolved", "RESOLVED",
				"Closed", "CLOSED",
			).
			Default("OPEN").
			Comment("Where the escalation is; changed only by workflow mutations.").
			Annotations(entgql.OrderField("STATUS"), workflowStatus()),
		field.Enum("level").
			NamedValues("Rep", "REP", "Manager", "MANAGER", "Director", "DIRECTOR").
			Default("REP").
			Comment("How far up the escalation has gone; raised only by workflow mutations.").
			Annotations(entgql.OrderField("LEVEL"), workflowStatus()),
		field.String("owner_id").
			Optional().
			Nillable().
			Comment("The rep who owns the escalation, always one who may read its account: by default the rep who raised it; for one raised by the carrier or an admin, the account's SUPPORT rep, else their team manager. Changed by reassignment.").
			Annotations(entgql.Skip(entgql.SkipMutationUpdateInput)),
		field.String("raised_by_rep_id").
			Optional().
			Nillable().
			Immutable().
			Comment("The rep who raised it, when raised internally.").
			Annotations(derived()),
		field.String("raised_by_contact_id").
			Optional().
			Nillable().
			Immutable().
			Comment("The carrier contact who raised it, when raised by the carrier.").
			Annotations(derived()),
		field.Time("response_due_at").
			Optional().
			Nillable().
			Comment("When a first response is due, from the severity: clock time for SEV1 and SEV2, business hours of the account's calendar for SEV3 and SEV4.").
			Annotations(entgql.OrderField("RESPONSE_DUE_AT"), derived()),
		field.Time("resolution_due_at").
			Optional().
			Nillable().
			Comment("When resolution is due, from the severity; resuming from pending the client moves it out by the paused time its clock counts (business time for SEV3 and SEV4).").
			Annotations(entgql.OrderField("RESOLUTION_DUE_AT"), derived()),
		field.Time("acknowledged_at").
			Optional().
			Nillable().
			Comment("When the escalation was first acknowledged.").
			Annotations(derived()),
		field.Time("resolved_at").
			Optional().
			Nillable().
			Comment("When the escalation was resolved.").
			Annotations(entgql.OrderField("RESOLVED_AT"), derived()),
		field.Time("closed_at").
			Optional().
			Nillable().
			Comment("When the escalation was closed.").
			Annotations(derived()),
		field.Time("paused_at").
			Optional().
			Nillable().
			Comment("While pending the client: when the resolution clock was paused.").
			Annotations(derived()),
		field.Time("response_breached_at").
			Optional().
			Nillable().
			Comment("When the response target was found missed; empty if it was met or is still open.").
			Annotations(derived()),
		field.Time("resolution_breached_at").
			Optional().
			Nillable().
			Comment("When the resolution target was found missed; empty if it was met or is still open.").
			Annotations(derived()),
		field.Int("pending_client_seconds").
			Default(0).
			Min(0).
			Comment("Clock time spent pending the client, in seconds, over every pause that has ended.").
			Annotations(derived()),
		field.Int("time_to_restore_seconds").
			Optional().
			Nillable().
			Comment("Time to restore, in seconds: from opening to resolution, less the time pending the client; empty until resolved.").
			Annotations(entgql.OrderField("TIME_TO_RESTORE_SECONDS"), derived()),
	}
}

func (Escalation) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("account", Account.Type).
			Ref("escalations").
			Field("account_id").
			Unique().
			Required().
			Immutable().
			Comment("The account the problem is on."),
		edge.From("owner", Rep.Type).
			Ref("owned_escalations").
			Field("owner_id").
			Unique().
			Comment("The rep who owns the escalation.").
			Annotations(entgql.Skip(entgql.SkipMutationUpdateInput)),
		edge.To("raised_by_rep", Rep.Type).
			Field("raised_by_rep_id").
			Unique().
			Immutable().
			Comment("The rep who raised it, when raised internally.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput)),
		edge.From("raised_by_contact", Contact.Type).
			Ref("raised_escalations").
			Field("raised_by_contact_id").
			Unique().
			Immutable().
			Comment("The carrier contact who raised it, when raised by the carrier.").
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput)),
		edge.To("events", EscalationEvent.Type).
			Comment("The timeline: comments, status changes, reassignments, level changes.").
			Annotations(connection()...),
	}
}

func (Escalation) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("account_id", "status"),
		index.Fields("owner_id", "status"),
		index.Fields("status", "severity"),
		index.Fields("raised_by_contact_id"),
		index.Fields("raised_by_rep_id"),
		// The portfolio counts open escalations and breaches by severity
		// over every escalation, from these columns alone.
		// (workflow's breach rules read the flags and the pause too; the
		// mean time to restore its own column).
		index.Fields("severity").Annotations(entsql.IncludeColumns(
			"status", "acknowledged_at", "response_due_at", "resolution_due_at", "resolved_at",
			"paused_at", "response_breached_at", "resolution_breached_at", "time_to_restore_seconds")),
	}
}

func (Escalation) Annotations() []schema.Annotation {
	return api("A problem raised by a carrier or an internal team, worked under response and resolution targets that follow its severity.", true)
}

func (Escalation) Hooks() []ent.Hook {
	return []ent.Hook{
		statusFollowsWorkflow(workflow.Escalation),
		hook.On(escalationOpened, ent.OpCreate),
		owned(ownership.PostSale, escalationAccounts),
	}
}

// Policy: reads are narrowed to what the viewer may see; writes follow the rules in order.
func (Escalation) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			rule.DenyIfNoViewer(),
			rule.Filter(rule.EscalationScope),
		},
		Mutation: privacy.MutationPolicy{
			rule.DenyIfNoViewer(),
			rule.AllowIfAdmin(),
			rule.DenyIfRole(enum.RoleAnalyst),
			rule.DenyDelete(),
			privacy.OnMutationOperation(rule.DenyIfRole(enum.RoleCarrier), ent.OpUpdate|ent.OpUpdateOne),
			rule.Filter(rule.EscalationScope),
		},
	}
}
