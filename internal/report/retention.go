package report

import (
	"context"
	"fmt"
	"strings"
	"time"

	"carrierdesk/ent"
	"carrierdesk/ent/account"
	"carrierdesk/internal/fault"
	"carrierdesk/internal/money"

	"entgo.io/ent/dialect/sql"
)

// RetentionResult is revenue retention over a period, for the accounts the
// viewer may read, per currency: amounts in different currencies are never
// added, and neither are their ratios.
type RetentionResult struct {
	// From and To bound the period.
	From, To time.Time
	// ByCurrency is the retention of the accounts billing in each currency, in currency order.
	ByCurrency []CurrencyRetention
}

// CurrencyRetention is revenue retention of the accounts in one currency:
// what they billed at the start, what they gained and lost by the end, and the ratios.
type CurrencyRetention struct {
	// Currency is the accounts' ISO 4217 currency.
	Currency string
	// StartingMRR is the MRR at From of the accounts that existed then.
	StartingMRR money.Amount
	// Expansion is MRR gained by those accounts that did not churn.
	Expansion money.Amount
	// Contraction is MRR lost by those accounts that did not churn.
	Contraction money.Amount
	// Churn is the starting MRR of the accounts that churned by To.
	Churn money.Amount
	// GrossRetention is (starting - contraction - churn) / starting; nil without starting MRR.
	GrossRetention *float64
	// NetRetention is (starting + expansion - contraction - churn) / starting; nil without starting MRR.
	NetRetention *float64
}

// Retention computes revenue retention between from and to, per currency.
// An account's MRR and status at a moment come from the audit trail: the
// value before the first change after that moment, or the current value
// when nothing changed since. One query, grouped by currency and summed in
// SQL over the accounts the viewer may read.
func Retention(ctx context.Context, c *ent.Client, from, to time.Time) (*RetentionResult, error) {
	if !to.After(from) {
		return nil, fault.InvalidField("to", "must be after from")
	}
	var rows []struct {
		Currency    string `sql:"currency"`
		Starting    int64  `sql:"starting"`
		Expansion   int64  `sql:"expansion"`
		Contraction int64  `sql:"contraction"`
		Churn       int64  `sql:"churn"`
	}
	err := c.Account.Query().
		Modify(func(s *sql.Selector) {
			start := mrrAt(s, from)
			end := mrrAt(s, to)
			churned := fmt.Sprintf("(%s = 'CHURNED')", statusAt(s, to).sql)
			existed := fmt.Sprintf("(%s <= ?)", s.C(account.FieldCreatedAt))
			// Each expression carries its own arguments, in the order they appear.
			s.Select(s.C(account.FieldCurrency))
			s.AppendSelectExprAs(sum(fmt.Sprintf("CASE WHEN %s THEN %s ELSE 0 END", existed, start.sql), append([]any{from}, start.args...)), "starting")
			s.AppendSelectExprAs(sum(fmt.Sprintf("CASE WHEN %s AND NOT %s AND %s > %s THEN %s - %s ELSE 0 END", existed, churned, end.sql, start.sql, end.sql, start.sql),
				concat([]any{from}, statusAt(s, to).args, end.args, start.args, end.args, start.args)), "expansion")
			s.AppendSelectExprAs(sum(fmt.Sprintf("CASE WHEN %s AND NOT %s AND %s > %s THEN %s - %s ELSE 0 END", existed, churned, start.sql, end.sql, start.sql, end.sql),
				concat([]any{from}, statusAt(s, to).args, start.args, end.args, start.args, end.args)), "contraction")
			s.AppendSelectExprAs(sum(fmt.Sprintf("CASE WHEN %s AND %s THEN %s ELSE 0 END", existed, churned, start.sql),
				concat([]any{from}, statusAt(s, to).args, start.args)), "churn")
			s.GroupBy(s.C(account.FieldCurrency)).
				OrderBy(s.C(account.FieldCurrency))
		}).
		Scan(ctx, &rows)
	if err != nil {
		return nil, fmt.Errorf("report: retention: %w", err)
	}
	r := &RetentionResult{From: from, To: to, ByCurrency: make([]CurrencyRetention, 0, len(rows))}
	for _, row := range rows {
		cr := CurrencyRetention{
			Currency:    row.Currency,
			StartingMRR: money.Amount(row.Starting),
			Expansion:   money.Amount(row.Expansion),
			Contraction: money.Amount(row.Contraction),
			Churn:       money.Amount(row.Churn),
		}
		if cr.StartingMRR > 0 {
			start := float64(cr.StartingMRR)
			gross := float64(cr.StartingMRR-cr.Contraction-cr.Churn) / start
			net := float64(cr.StartingMRR+cr.Expansion-cr.Contraction-cr.Churn) / start
			cr.GrossRetention, cr.NetRetention = &gross, &net
		}
		r.ByCurrency = append(r.ByCurrency, cr)
	}
	return r, nil
}

// expr is SQL text with its arguments.
type expr struct {
	sql  string
	args []any
}

// fieldAt is an account field's value at moment t, as text: the from-value of
// the first audited change of it after t, or the current column.
func fieldAt(s *sql.Selector, field, column string, t time.Time) expr {
	return trailFieldAt(s, "Account", field, column, t)
}

// trailFieldAt is the value at moment t of a field of the entity type the
// selector reads, as text: the from-value of the first audited change of it
// after t, or the current column. A change from no value is skipped, so
// this is for fields that always have one (status, money).
func trailFieldAt(s *sql.Selector, entityType, field, column string, t time.Time) expr {
	return expr{
		sql: fmt.Sprintf(`COALESCE((SELECT ch.from_value FROM audit_changes ch JOIN audit_entries e ON ch.entry_id = e.id `+
			`WHERE e.entity_type = '%s' AND e.entity_id = %s AND ch.field = '%s' AND ch.from_value IS NOT NULL AND e.created_at > ? `+
			`ORDER BY e.created_at ASC LIMIT 1), %s)`, entityType, s.C("id"), field, column),
		args: []any{t},
	}
}

// trailChangeAfter is, for a field that may have no value, whether the trail
// has an update of it after moment t (creation is not a change of value) (changed, 1 or 0) and the from-value of
// the first such change (from, NULL when it had none): the field's value at t
// when changed, else the current column.
func trailChangeAfter(s *sql.Selector, entityType, field string, t time.Time) (changed, from expr) {
	where := fmt.Sprintf(`FROM audit_changes ch JOIN audit_entries e ON ch.entry_id = e.id `+
		`WHERE e.entity_type = '%s' AND e.entity_id = %s AND ch.field = '%s' AND e.operation = 'UPDATE' AND e.created_at > ?`, entityType, s.C("id"), field)
	changed = expr{sql: "(CASE WHEN EXISTS (SELECT 1 " + where + ") THEN 1 ELSE 0 END)", args: []any{t}}
	from = expr{sql: "(SELECT ch.from_value " + where + " ORDER BY e.created_at ASC LIMIT 1)", args: []any{t}}
	return changed, from
}

// mrrAt is an account's MRR in cents at moment t. The trail keeps money as a
// decimal with two places, so dropping the point gives cents.
func mrrAt(s *sql.Selector, t time.Time) expr {
	text := fieldAt(s, "mrr", "NULL", t)
	return expr{
		sql:  fmt.Sprintf("COALESCE(CAST(REPLACE(%s, '.', '') AS BIGINT), %s)", text.sql, s.C(account.FieldMrr)),
		args: text.args,
	}
}

// statusAt is an account's status at moment t.
func statusAt(s *sql.Selector, t time.Time) expr {
	return fieldAt(s, "status", s.C(account.FieldStatus), t)
}

// sum is COALESCE(SUM(text), 0), with each ? of text bound to the next of
// args through the builder, which spells placeholders for the dialect.
func sum(text string, args []any) sql.Querier {
	return sql.ExprFunc(func(b *sql.Builder) {
		b.WriteString("COALESCE(SUM(")
		expr{sql: text, args: args}.write(b)
		b.WriteString("), 0)")
	})
}

// write writes e to b, each ? bound to the next of e's arguments.
func (e expr) write(b *sql.Builder) {
	parts := strings.Split(e.sql, "?")
	for i, part := range parts {
		b.WriteString(part)
		if i < len(parts)-1 {
			b.Arg(e.args[i])
		}
	}
}

// querier is e as an expression to select.
func (e expr) querier() sql.Querier {
	return sql.ExprFunc(e.write)
}

func concat(parts ...[]any) []any {
	var out []any
	for _, p := range parts {
		out = append(out, p...)
	}
	return out
}
