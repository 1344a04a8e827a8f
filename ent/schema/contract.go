package schema

import (
	"carrierdesk/ent/hook"
	"carrierdesk/ent/privacy"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/rule"
	"carrierdesk/internal/workflow"

	"carrierdesk/internal/money"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Contract is a master agreement or a service order on an account.
type Contract struct{ ent.Schema }

func (Contract) Mixin() []ent.Mixin { return base("Contract", Contract{}.Fields) }

func (Contract) Fields() []ent.Field {
	return []ent.Field{
		field.String("account_id").
			Immutable().
			Comment("The account under contract."),
		field.Enum("kind").
			NamedValues("MasterAgreement", "MASTER_AGREEMENT", "ServiceOrder", "SERVICE_ORDER").
			Comment("Master agreement, or a service order under one.").
			Annotations(entgql.OrderField("KIND")),
		field.String("title").
			NotEmpty().
			MaxRuneLen(200).
			Comment("Contract title. At most 200 characters.").
			Annotations(entgql.OrderField("TITLE")),
		field.Enum("status").
			NamedValues(
				"Draft", "DRAFT",
				"PendingSignature", "PENDING_SIGNATURE",
				"Active", "ACTIVE",
				"Expired", "EXPIRED",
				"Terminated", "TERMINATED",
				"Renewed", "RENEWED",
			).
			Default("DRAFT").
			Comment("Where the contract is in its life; changed only by workflow mutations.").
			Annotations(entgql.OrderField("STATUS"), workflowStatus()),
		field.Time("start_date").
			GoType(calendarDay).
			SchemaType(dateColumn).
			Comment("First day of service under the contract. Frozen once the contract is sent for signature.").
			Annotations(dateScalar, entgql.OrderField("START_DATE")),
		field.Time("end_date").
			GoType(calendarDay).
			SchemaType(dateColumn).
			Comment("End of the term: startDate plus termMonths months (the anniversary) or the day before; a co-termed add-on ends with its master. Frozen once sent for signature.").
			Annotations(dateScalar, entgql.OrderField("END_DATE")),
		field.Int("term_months").
			Range(1, 240).
			Comment("Term in months: the months from startDate to endDate, a part month counting as whole. Changing the term alone moves endDate; changing the dates alone derives the term. Frozen once sent for signature.").
			Annotations(entgql.OrderField("TERM_MONTHS")),
		field.String("currency").
			MaxRuneLen(3).
			Default(currencyOfAccount).
			Validate(money.CheckCurrency).
			Comment("ISO 4217 currency of the contract's money fields: always its account's; taken from the account when not given, and refused when it differs."),
		field.Int64("mrc").
			GoType(money.Amount(0)).
			Min(0).
			Comment("Monthly recurring charge; the accepted quote's when the contract has one. Frozen once sent for signature.").
			Annotations(entgql.OrderField("MRC"), entgql.Type("Money")),
		field.Int64("nrc").
			GoType(money.Amount(0)).
			Default(0).
			Min(0).
			Comment("Non-recurring charge; copied from the accepted quote when the contract has one. Frozen once sent for signature.").
			Annotations(entgql.Type("Money")),
		field.Int64("tcv").
			GoType(money.Amount(0)).
			Default(0).
			Comment("Total contract value: MRC times term plus NRC.").
			Annotations(entgql.OrderField("TCV"), entgql.Type("Money"), derived()),
		field.Bool("auto_renew").
			Default(false).
			Comment("Evergreen: renews for a year unless notice is given; the renewal extends endDate, termMonths and TCV together."),
		field.Int("notice_days").
			Default(60).
			Range(0, 365).
			Comment("Days of notice needed to stop an auto-renewal."),
		field.String("master_id").
			Optional().
			Nillable().
			Comment("For a service order: its master agreement, on the same account. A master agreement has no master."),
		field.Bool("co_termed").
			Default(false).
			Comment("Whether this add-on ends with its master agreement: its endDate is the master's and moves with it (an evergreen year, a renewal)."),
		field.String("quote_id").
			Optional().
			Nillable().
			Comment("The ACCEPTED quote of the same account the contract came from; its MRC, NRC and term are the contract's."),
		field.String("renewal_of_id").
			Optional().
			Nillable().
			Comment("The contract this one renews.").
			Annotations(workflowStatus()),
		field.Text("status_note").
			Optional().
			MaxRuneLen(4000).
			Comment("Why the last workflow action was taken, such as a rejection reason. At most 4,000 characters.").
			Annotations(workflowStatus()),
	}
}

func (Contract) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("account", Account.Type).
			Ref("contracts").
			Field("account_id").
			Unique().
			Required().
			Immutable().
			Comment("The account under contract."),
		edge.To("addenda", Contract.Type).
			Comment("Service orders and add-ons under this master agreement.").
			Annotations(connection()...).
			From("master").
			Field("master_id").
			Unique().
			Comment("For a service order: its master agreement."),
		edge.To("renewal", Contract.Type).
			Unique().
			Comment("The contract that renewed this one.").
			From("renewal_of").
			Field("renewal_of_id").
			Unique().
			Comment("The contract this one renews."),
		edge.From("quote", Quote.Type).
			Ref("contracts").
			Field("quote_id").
			Unique().
			Comment("The accepted quote the contract came from."),
	}
}

func (Contract) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("account_id", "status"),
		index.Fields("status", "end_date"),
		index.Fields("master_id"),
		index.Fields("quote_id"),
		index.Fields("renewal_of_id").Unique(),
	}
}

func (Contract) Hooks() []ent.Hook {
	return []ent.Hook{
		statusFollowsWorkflow(workflow.Contract),
		timesInOrder("start_date", "end_date", false),
		contractRules,
		hook.On(syncContractTCV, ent.OpCreate|ent.OpUpdateOne),
		hook.On(currencyFollowsAccount, ent.OpCreate|ent.OpUpdate|ent.OpUpdateOne),
		accountMRRFollowsContracts,
		hook.On(contractFollowers, ent.OpUpdateOne),
	}
}

func (Contract) Annotations() []schema.Annotation {
	return append(api("A master agreement or service order on an account, with term, charges and renewal terms. From PENDING_SIGNATURE on (every status but DRAFT) its price, term and dates are frozen for every writer.", true),
		ordered("start_date", "end_date", false))
}

// Policy: reads are narrowed to what the viewer may see; writes follow the rules in order.
func (Contract) Policy() ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			rule.DenyIfNoViewer(),
			rule.Filter(rule.ContractScope),
		},
		Mutation: privacy.MutationPolicy{
			rule.DenyIfNoViewer(),
			rule.AllowIfAdmin(),
			rule.DenyIfRole(enum.RoleAnalyst, enum.RoleCarrier),
			rule.DenyDelete(),
			rule.Filter(rule.ContractScope),
		},
	}
}
