package report

import (
	"context"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"

	"carrierdesk/ent"
	"carrierdesk/ent/account"
	"carrierdesk/ent/activity"
	"carrierdesk/ent/contract"
	"carrierdesk/ent/escalation"
	"carrierdesk/ent/order"
	"carrierdesk/ent/predicate"
	"carrierdesk/ent/quote"
	"carrierdesk/ent/schema/enum"
	"carrierdesk/internal/fault"
	"carrierdesk/internal/money"
	"carrierdesk/internal/viewer"

	"entgo.io/ent/dialect"
	"entgo.io/ent/dialect/sql"
)

// Limits of an aggregate request.
const (
	MaxGroupBy            = 3     // fields to group by
	MaxMeasures           = 8     // measures per request
	DefaultAggregateLimit = 1000  // groups returned when the request names no limit
	MaxAggregateLimit     = 10000 // groups returned at most
)

// AggregateEntity names what an aggregate counts.
type AggregateEntity string

// The entities an aggregate can run over.
const (
	AggregateAccount    AggregateEntity = "ACCOUNT"
	AggregateQuote      AggregateEntity = "QUOTE"
	AggregateContract   AggregateEntity = "CONTRACT"
	AggregateEscalation AggregateEntity = "ESCALATION"
	AggregateOrder      AggregateEntity = "ORDER"
	AggregateActivity   AggregateEntity = "ACTIVITY"
)

// MarshalGQL writes the entity as a GraphQL enum value.
func (e AggregateEntity) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(e))) }

// UnmarshalGQL reads a GraphQL enum value; Aggregate checks it.
func (e *AggregateEntity) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("AggregateEntity must be a string")
	}
	*e = AggregateEntity(s)
	return nil
}

// AggregateOp is an aggregate function.
type AggregateOp string

// The aggregate functions.
const (
	OpCount AggregateOp = "COUNT"
	OpSum   AggregateOp = "SUM"
	OpAvg   AggregateOp = "AVG"
	OpMin   AggregateOp = "MIN"
	OpMax   AggregateOp = "MAX"
)

// MarshalGQL writes the op as a GraphQL enum value.
func (o AggregateOp) MarshalGQL(w io.Writer) { _, _ = io.WriteString(w, strconv.Quote(string(o))) }

// UnmarshalGQL reads a GraphQL enum value; Aggregate checks it.
func (o *AggregateOp) UnmarshalGQL(v any) error {
	s, ok := v.(string)
	if !ok {
		return fmt.Errorf("AggregateOp must be a string")
	}
	*o = AggregateOp(s)
	return nil
}

// Measure is one aggregate to compute per group.
type Measure struct {
	// Op is the aggregate function.
	Op AggregateOp
	// Field is the field it applies to, as in the schema ("mrr", "term_months")
	// or the API ("termMonths"). COUNT without a field counts rows; with one,
	// rows where the field is set.
	Field string
}

// AggregateSpec is an aggregate request from a reporting tool.
type AggregateSpec struct {
	// Entity is what to aggregate over.
	Entity AggregateEntity
	// Measures are the aggregates to compute, at least one.
	Measures []Measure
	// GroupBy are the fields to group by, in order: enum, boolean and ID
	// fields by value; time fields by a bucket, written "created_at:month"
	// (day, week, month or year; a bucket is keyed by the date it starts on).
	GroupBy []string
	// Where narrows the rows: nil, the entity's generated where input (such as
	// *ent.AccountWhereInput), the entity's predicate (predicate.Account), or a
	// func(*sql.Selector). The viewer's privacy filter applies in any case.
	Where any
	// Limit is the most groups returned; 0 means DefaultAggregateLimit.
	Limit int
}

// AggregateResult is the groups of an aggregate, ordered by their keys.
type AggregateResult struct {
	// Rows is one row per group; a single row when nothing is grouped.
	Rows []AggregateRow
	// Truncated reports that there were more groups than the limit.
	Truncated bool
}

// AggregateRow is one group.
type AggregateRow struct {
	// Keys are the group's values of the GroupBy fields, in order, as text:
	// enum values, IDs, "true"/"false", or a bucket's first day (YYYY-MM-DD).
	// A key is null for rows without a value.
	Keys []*string
	// Currency is the ISO 4217 currency of the group's money measures. When a
	// request measures money, its groups are split by currency as well, so
	// that no sum, average, minimum or maximum mixes two currencies; nil when
	// it measures no money.
	Currency *string
	// Values are the measures, in order.
	Values []AggregateValue
}

// AggregateValue is one measure of a group. Exactly one field is set, or
// none when there was nothing to aggregate (such as AVG over no values).
type AggregateValue struct {
	// Money is set for SUM, AVG, MIN and MAX over money fields: exact cents,
	// an average rounded half away from zero to the cent.
	Money *money.Amount
	// Int is set for COUNT, and for SUM, MIN and MAX over whole-number fields.
	Int *int64
	// Float is set for AVG over whole-number fields and for every measure of durations.
	Float *float64
}

// fieldKind is what a field is for aggregating.
type fieldKind int

const (
	keyField   fieldKind = iota // enum, ID or code: grouped by value
	boolField                   // grouped as "true" or "false"
	timeField                   // grouped by a time bucket
	moneyField                  // measured exactly, in cents
	intField                    // measured as a whole number
	hoursField                  // measured as hours between two time columns
)

// aggregateField is a field an aggregate may use.
type aggregateField struct {
	name     string
	kind     fieldKind
	from, to string // hoursField: the time columns
	seconds  string // hoursField: instead, a column of seconds
	internal bool   // never aggregated for carrier contacts
	day      bool   // timeField: a calendar date, with no zone to convert from
}

// column is the SQL for the field's value.
func (f aggregateField) column(s *sql.Selector) string {
	if f.kind == hoursField && f.seconds != "" {
		return "(" + s.C(f.seconds) + " / 3600.0)"
	}
	if f.kind == hoursField {
		return hoursBetween(s.Dialect(), s.C(f.from), s.C(f.to))
	}
	return s.C(f.name)
}

// scanFunc runs a modified, filtered query of an entity.
type scanFunc func(ctx context.Context, c *ent.Client, where any, modify func(*sql.Selector), v any) error

// aggregateEntity is an entity an aggregate may run over.
type aggregateEntity struct {
	fields []aggregateField
	scan   scanFunc
}

func (e aggregateEntity) field(name string) (aggregateField, bool) {
	want := normalName(name)
	for _, f := range e.fields {
		if normalName(f.name) == want || normalName(fault.APIName(f.name)) == want {
			return f, true
		}
	}
	return aggregateField{}, false
}

func normalName(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// aggregateEntities is the allow-list: per entity, the fields an aggregate may use.
var aggregateEntities = map[AggregateEntity]aggregateEntity{
	AggregateAccount: {
		fields: []aggregateField{
			{name: account.FieldCarrierID},
			{name: account.FieldRegion},
			{name: account.FieldStatus},
			{name: account.FieldMarket},
			{name: account.FieldCurrency},
			{name: account.FieldCreatedAt, kind: timeField},
			{name: account.FieldMrr, kind: moneyField},
		},
		scan: func(ctx context.Context, c *ent.Client, where any, m func(*sql.Selector), v any) error {
			q, err := filter[*ent.AccountQuery, predicate.Account, *ent.AccountWhereInput](c.Account.Query(), where, (*ent.AccountQuery).Where)
			if err != nil {
				return err
			}
			return q.Modify(m).Scan(ctx, v)
		},
	},
	AggregateQuote: {
		fields: []aggregateField{
			{name: quote.FieldAccountID},
			{name: quote.FieldStatus},
			{name: quote.FieldCurrency},
			{name: quote.FieldOwnerID, internal: true},
			{name: quote.FieldRfpID},
			{name: quote.FieldCreatedAt, kind: timeField},
			{name: quote.FieldValidUntil, kind: timeField, day: true},
			{name: quote.FieldFollowUpOn, kind: timeField, day: true, internal: true},
			{name: quote.FieldSentAt, kind: timeField},
			{name: quote.FieldMrc, kind: moneyField},
			{name: quote.FieldNrc, kind: moneyField},
			{name: quote.FieldTcv, kind: moneyField},
			{name: quote.FieldTermMonths, kind: intField},
		},
		scan: func(ctx context.Context, c *ent.Client, where any, m func(*sql.Selector), v any) error {
			q, err := filter[*ent.QuoteQuery, predicate.Quote, *ent.QuoteWhereInput](c.Quote.Query(), where, (*ent.QuoteQuery).Where)
			if err != nil {
				return err
			}
			return q.Modify(m).Scan(ctx, v)
		},
	},
	AggregateContract: {
		fields: []aggregateField{
			{name: contract.FieldAccountID},
			{name: contract.FieldKind},
			{name: contract.FieldStatus},
			{name: contract.FieldCurrency},
			{name: contract.FieldMasterID},
			{name: contract.FieldAutoRenew, kind: boolField},
			{name: contract.FieldCoTermed, kind: boolField},
			{name: contract.FieldCreatedAt, kind: timeField},
			{name: contract.FieldStartDate, kind: timeField, day: true},
			{name: contract.FieldEndDate, kind: timeField, day: true},
			{name: contract.FieldMrc, kind: moneyField},
			{name: contract.FieldNrc, kind: moneyField},
			{name: contract.FieldTcv, kind: moneyField},
			{name: contract.FieldTermMonths, kind: intField},
			{name: contract.FieldNoticeDays, kind: intField},
		},
		scan: func(ctx context.Context, c *ent.Client, where any, m func(*sql.Selector), v any) error {
			q, err := filter[*ent.ContractQuery, predicate.Contract, *ent.ContractWhereInput](c.Contract.Query(), where, (*ent.ContractQuery).Where)
			if err != nil {
				return err
			}
			return q.Modify(m).Scan(ctx, v)
		},
	},
	AggregateEscalation: {
		fields: []aggregateField{
			{name: escalation.FieldAccountID},
			{name: escalation.FieldCategory},
			{name: escalation.FieldSeverity},
			{name: escalation.FieldStatus},
			{name: escalation.FieldLevel},
			{name: escalation.FieldOwnerID, internal: true},
			{name: escalation.FieldCreatedAt, kind: timeField},
			{name: escalation.FieldAcknowledgedAt, kind: timeField},
			{name: escalation.FieldResolvedAt, kind: timeField},
			{name: escalation.FieldClosedAt, kind: timeField},
			{name: escalation.FieldResponseDueAt, kind: timeField},
			{name: escalation.FieldResolutionDueAt, kind: timeField},
			{name: "hours_to_acknowledge", kind: hoursField, from: escalation.FieldCreatedAt, to: escalation.FieldAcknowledgedAt},
			{name: "hours_to_resolve", kind: hoursField, from: escalation.FieldCreatedAt, to: escalation.FieldResolvedAt},
			// Time to restore: to resolution, less the time pending the client.
			{name: "hours_to_restore", kind: hoursField, seconds: escalation.FieldTimeToRestoreSeconds},
		},
		scan: func(ctx context.Context, c *ent.Client, where any, m func(*sql.Selector), v any) error {
			q, err := filter[*ent.EscalationQuery, predicate.Escalation, *ent.EscalationWhereInput](c.Escalation.Query(), where, (*ent.EscalationQuery).Where)
			if err != nil {
				return err
			}
			return q.Modify(m).Scan(ctx, v)
		},
	},
	AggregateOrder: {
		fields: []aggregateField{
			{name: order.FieldAccountID},
			{name: order.FieldCarrierID},
			{name: order.FieldKind},
			{name: order.FieldStatus},
			{name: order.FieldQuoteID},
			{name: order.FieldCreatedAt, kind: timeField},
			{name: order.FieldDesiredDueDate, kind: timeField, day: true},
			{name: order.FieldFocDate, kind: timeField, day: true},
			{name: order.FieldConfirmedDueDate, kind: timeField, day: true},
			{name: order.FieldCompletedAt, kind: timeField},
			{name: order.FieldTnCount, kind: intField},
			{name: order.FieldSubmittedAt, kind: timeField},
			{name: order.FieldFocMet, kind: boolField},
			{name: order.FieldDueDateSlipped, kind: boolField},
		},
		scan: func(ctx context.Context, c *ent.Client, where any, m func(*sql.Selector), v any) error {
			q, err := filter[*ent.OrderQuery, predicate.Order, *ent.OrderWhereInput](c.Order.Query(), where, (*ent.OrderQuery).Where)
			if err != nil {
				return err
			}
			return q.Modify(m).Scan(ctx, v)
		},
	},
	AggregateActivity: {
		fields: []aggregateField{
			{name: activity.FieldAccountID},
			{name: activity.FieldRepID},
			{name: activity.FieldKind},
			{name: activity.FieldOccurredAt, kind: timeField},
			{name: activity.FieldCreatedAt, kind: timeField},
		},
		scan: func(ctx context.Context, c *ent.Client, where any, m func(*sql.Selector), v any) error {
			q, err := filter[*ent.ActivityQuery, predicate.Activity, *ent.ActivityWhereInput](c.Activity.Query(), where, (*ent.ActivityQuery).Where)
			if err != nil {
				return err
			}
			return q.Modify(m).Scan(ctx, v)
		},
	},
}

// filter applies an aggregate's where to the entity's query.
func filter[Q any, P ~func(*sql.Selector), W interface{ Filter(Q) (Q, error) }](q Q, where any, apply func(Q, ...P) Q) (Q, error) {
	switch w := where.(type) {
	case nil:
		return q, nil
	case W:
		f, err := w.Filter(q)
		if err != nil {
			return q, fault.InvalidField("where", err.Error())
		}
		return f, nil
	case P:
		return apply(q, w), nil
	case func(*sql.Selector):
		return apply(q, P(w)), nil
	}
	return q, fault.InvalidField("where", fmt.Sprintf("%T does not filter this entity", where))
}

// entityAliases are the other spellings of the entities accepted.
var entityAliases = map[string]AggregateEntity{
	"ACCOUNTS": AggregateAccount, "QUOTES": AggregateQuote, "CONTRACTS": AggregateContract,
	"ESCALATIONS": AggregateEscalation, "ORDERS": AggregateOrder, "ACTIVITIES": AggregateActivity,
}

// group is a validated GroupBy entry.
type group struct {
	field aggregateField
	unit  string // time bucket, for time fields
}

func (g group) expr(s *sql.Selector) string {
	switch g.field.kind {
	case boolField:
		return fmt.Sprintf("(CASE WHEN %[1]s IS NULL THEN NULL WHEN %[1]s THEN 'true' ELSE 'false' END)", s.C(g.field.name))
	case timeField:
		col := s.C(g.field.name)
		if g.field.day && s.Dialect() == dialect.Postgres {
			// bucketStart reads an instant in UTC; a date is the UTC
			// midnight that starts it, whatever the session's zone.
			col = fmt.Sprintf("(%s::timestamp AT TIME ZONE 'UTC')", col)
		}
		return bucketStart(s.Dialect(), g.unit, col)
	default:
		return s.C(g.field.name)
	}
}

// measure is a validated Measure.
type measure struct {
	op    AggregateOp
	field *aggregateField // nil for COUNT(*)
}

func (m measure) expr(s *sql.Selector) string {
	if m.field == nil {
		return "COUNT(*)"
	}
	col := m.field.column(s)
	switch {
	case m.op == OpCount:
		return "COUNT(" + col + ")"
	case m.op == OpAvg && m.field.kind == moneyField:
		return "CAST(ROUND(AVG(" + col + ")) AS BIGINT)"
	case m.op == OpSum && m.field.kind != hoursField:
		return "CAST(SUM(" + col + ") AS BIGINT)"
	default:
		return string(m.op) + "(" + col + ")"
	}
}

// value reads the measure's text as the value it is.
func (m measure) value(text *string) (AggregateValue, error) {
	var v AggregateValue
	if text == nil {
		return v, nil
	}
	kind := intField
	if m.field != nil && m.op != OpCount {
		kind = m.field.kind
	}
	switch {
	case kind == hoursField || (kind == intField && m.op == OpAvg):
		f, err := strconv.ParseFloat(*text, 64)
		if err != nil {
			return v, err
		}
		v.Float = &f
	default:
		n, err := parseWhole(*text)
		if err != nil {
			return v, err
		}
		if kind == moneyField {
			a := money.Amount(n)
			v.Money = &a
		} else {
			v.Int = &n
		}
	}
	return v, nil
}

// parseWhole reads a whole number that a driver may have written as "12", "12.0" or "1.2e+10".
func parseWhole(s string) (int64, error) {
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		return n, nil
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, err
	}
	return int64(f), nil
}

// aggregateRow is a row of an aggregate query: up to MaxGroupBy keys and
// MaxMeasures measures, all read as text and converted by kind.
type aggregateRow struct {
	K0  *string `sql:"k0"`
	K1  *string `sql:"k1"`
	K2  *string `sql:"k2"`
	Cur *string `sql:"cur"`
	M0  *string `sql:"m0"`
	M1  *string `sql:"m1"`
	M2  *string `sql:"m2"`
	M3  *string `sql:"m3"`
	M4  *string `sql:"m4"`
	M5  *string `sql:"m5"`
	M6  *string `sql:"m6"`
	M7  *string `sql:"m7"`
}

func (r aggregateRow) keys() []*string { return []*string{r.K0, r.K1, r.K2} }

func (r aggregateRow) measures() []*string {
	return []*string{r.M0, r.M1, r.M2, r.M3, r.M4, r.M5, r.M6, r.M7}
}

// Aggregate computes spec in one grouped query over the rows the viewer in ctx may read.
func Aggregate(ctx context.Context, c *ent.Client, spec AggregateSpec) (*AggregateResult, error) {
	carrierViewer := viewer.FromContext(ctx).Is(enum.RoleCarrier)
	name := AggregateEntity(strings.ToUpper(strings.TrimSpace(string(spec.Entity))))
	if alias, ok := entityAliases[string(name)]; ok {
		name = alias
	}
	def, ok := aggregateEntities[name]
	if !ok {
		return nil, fault.InvalidField("entity", fmt.Sprintf("must be one of %s", strings.Join(entityNames(), ", ")))
	}
	lookup := func(input, name string) (aggregateField, error) {
		f, ok := def.field(name)
		if !ok || (f.internal && carrierViewer) {
			return f, fault.InvalidField(input, fmt.Sprintf("%q is not a field of %s; one of %s", name, strings.ToLower(string(name)), strings.Join(def.names(carrierViewer), ", ")))
		}
		return f, nil
	}
	limit := spec.Limit
	switch {
	case limit == 0:
		limit = DefaultAggregateLimit
	case limit < 0 || limit > MaxAggregateLimit:
		return nil, fault.InvalidField("limit", fmt.Sprintf("must be between 1 and %d", MaxAggregateLimit))
	}
	if len(spec.GroupBy) > MaxGroupBy {
		return nil, fault.InvalidField("groupBy", fmt.Sprintf("at most %d fields", MaxGroupBy))
	}
	groups := make([]group, 0, len(spec.GroupBy))
	for _, g := range spec.GroupBy {
		fieldName, unit, bucketed := strings.Cut(g, ":")
		f, err := lookup("groupBy", fieldName)
		if err != nil {
			return nil, err
		}
		unit = normalName(unit)
		switch {
		case f.kind == timeField && !bucketed:
			return nil, fault.InvalidField("groupBy", fmt.Sprintf("%q is a time: group it by a bucket, such as %q", fieldName, fieldName+":month"))
		case f.kind == timeField && !slices.Contains(buckets, unit):
			return nil, fault.InvalidField("groupBy", fmt.Sprintf("%q: the bucket must be one of %s", g, strings.Join(buckets, ", ")))
		case f.kind != timeField && bucketed:
			return nil, fault.InvalidField("groupBy", fmt.Sprintf("%q: only time fields take a bucket", g))
		case f.kind == moneyField || f.kind == intField || f.kind == hoursField:
			return nil, fault.InvalidField("groupBy", fmt.Sprintf("%q is a measure, not a group", fieldName))
		}
		groups = append(groups, group{field: f, unit: unit})
	}
	if len(spec.Measures) == 0 || len(spec.Measures) > MaxMeasures {
		return nil, fault.InvalidField("measures", fmt.Sprintf("between 1 and %d measures", MaxMeasures))
	}
	measures := make([]measure, 0, len(spec.Measures))
	for _, m := range spec.Measures {
		op := AggregateOp(strings.ToUpper(strings.TrimSpace(string(m.Op))))
		if !slices.Contains([]AggregateOp{OpCount, OpSum, OpAvg, OpMin, OpMax}, op) {
			return nil, fault.InvalidField("measures", fmt.Sprintf("%q is not an aggregate; one of COUNT, SUM, AVG, MIN, MAX", m.Op))
		}
		if strings.TrimSpace(m.Field) == "" {
			if op != OpCount {
				return nil, fault.InvalidField("measures", fmt.Sprintf("%s needs a field", op))
			}
			measures = append(measures, measure{op: op})
			continue
		}
		f, err := lookup("measures", m.Field)
		if err != nil {
			return nil, err
		}
		if op != OpCount && f.kind != moneyField && f.kind != intField && f.kind != hoursField {
			return nil, fault.InvalidField("measures", fmt.Sprintf("%s of %q: only COUNT applies to it", op, m.Field))
		}
		measures = append(measures, measure{op: op, field: &f})
	}

	// Money is measured per currency: every entity with money has a currency column.
	perCurrency := slices.ContainsFunc(measures, func(m measure) bool {
		return m.op != OpCount && m.field != nil && m.field.kind == moneyField
	})
	var rows []aggregateRow
	err := def.scan(ctx, c, spec.Where, func(s *sql.Selector) {
		s.Select()
		var keys []string
		for i, g := range groups {
			k := g.expr(s)
			keys = append(keys, k)
			s.AppendSelectAs(k, fmt.Sprintf("k%d", i))
		}
		if perCurrency {
			k := s.C("currency")
			keys = append(keys, k)
			s.AppendSelectAs(k, "cur")
		}
		for i, m := range measures {
			s.AppendSelectAs(m.expr(s), fmt.Sprintf("m%d", i))
		}
		if len(keys) > 0 {
			s.GroupBy(keys...)
			for _, k := range keys {
				// Groups without a value last, on either database.
				s.OrderBy("(CASE WHEN "+k+" IS NULL THEN 1 ELSE 0 END)", k)
			}
			s.Limit(limit + 1)
		}
	}, &rows)
	if err != nil {
		if _, ok := fault.As(err); ok {
			return nil, err
		}
		return nil, fmt.Errorf("aggregate %s: %w", name, err)
	}
	r := &AggregateResult{Rows: make([]AggregateRow, 0, len(rows))}
	if len(rows) > limit {
		rows, r.Truncated = rows[:limit], true
	}
	for _, row := range rows {
		out := AggregateRow{Keys: row.keys()[:len(groups)], Currency: row.Cur, Values: make([]AggregateValue, len(measures))}
		texts := row.measures()
		for i, m := range measures {
			v, err := m.value(texts[i])
			if err != nil {
				return nil, fmt.Errorf("aggregate %s: reading %s: %w", name, m.op, err)
			}
			out.Values[i] = v
		}
		r.Rows = append(r.Rows, out)
	}
	return r, nil
}

// names lists the fields of the entity a viewer may aggregate, in API spelling.
func (e aggregateEntity) names(carrierViewer bool) []string {
	var names []string
	for _, f := range e.fields {
		if f.internal && carrierViewer {
			continue
		}
		names = append(names, fault.APIName(f.name))
	}
	return names
}

func entityNames() []string {
	names := make([]string, 0, len(aggregateEntities))
	for n := range aggregateEntities {
		names = append(names, string(n))
	}
	sort.Strings(names)
	return names
}
